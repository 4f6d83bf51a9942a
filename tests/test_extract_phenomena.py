"""Each class of phrasing that plans use, proved on a synthetic sentence of that class.

The classes are those of issue 13 (plans the extractor had never seen): whitespace,
document conventions, role words with modifiers and the guide role, separators and shared
endings, names cut short, statements that are a table, long single-line bodies. No sentence
here is copied from a corpus plan: each is made up to show the class, so a rule that passes
holds for the class, not for one document.
"""
from __future__ import annotations

import pytest

from plangraph.ingest.clauses import find_clauses
from plangraph.ingest.formats.tables import column_role, header_roles
from plangraph.ingest.pipeline import extract_text


def assigned(text: str) -> list[tuple[str, str]]:
    """(unit, role) of every statement found in `text`."""
    return [(a.unit, a.role) for c in find_clauses(text) for a in c.assignments]


def task_roles(text: str) -> dict[str, list[tuple[str, str]]]:
    """task id -> (unit, role) of its assignments, through the whole pipeline."""
    return {t.id: [(a.unit, a.role) for a in t.assignments] for t in extract_text(text).tasks}


# ---------------------------------------------------------------- role words and modifiers

@pytest.mark.parametrize("verb, role", [
    ("按职责分工配合", "participant"), ("依职责配合", "participant"), ("积极参与", "participant"),
    ("分别负责", "responsible"), ("共同负责", "responsible"), ("依职责负责", "responsible"),
    ("根据职责落实", "responsible"), ("按职责分工负责", "responsible"),
    ("指导", "guide"), ("共同指导", "guide"),
])
def test_a_modifier_before_a_role_verb_keeps_the_verb_role(verb, role):
    assert assigned(f"1.开展某项试点。（甲市农业局、甲市水务局{verb}）") == [
        ("甲市农业局", role), ("甲市水务局", role)]


@pytest.mark.parametrize("label, role", [
    ("指导单位", "guide"), ("指导部门", "guide"), ("推进单位", "responsible"), ("落实单位", "responsible"),
    ("牵头处室", "lead"), ("协同部门", "participant"),
])
def test_labels_of_every_role(label, role):
    assert assigned(f"1.开展某项试点。（{label}：乙省科技厅、乙省财政厅）") == [
        ("乙省科技厅", role), ("乙省财政厅", role)]


def test_guide_beside_other_roles_in_one_statement():
    assert assigned("2.推进某项改革。（丙县司法局牵头，丙县财政局配合，丙市司法局指导）") == [
        ("丙县司法局", "lead"), ("丙县财政局", "participant"), ("丙市司法局", "guide")]


# ---------------------------------------------------------------- table headers

@pytest.mark.parametrize("cell, role", [
    ("指导部门", "guide"), ("推进单位", "responsible"), ("负责考核部门", "responsible"),
    ("牵头考核单位", "lead"), ("责任单位（牵头）", "lead"), ("牵头单位及配合单位", "mixed"),
    ("主 要 内 容", "content"), ("改革举措", "content"), ("落实措施", "content"),
    ("市级牵头领导", "other"), ("序 号", "seq"), ("完成时限", "deadline"), ("推广范围", "other"),
])
def test_header_cells_name_their_column_from_the_role_words(cell, role):
    assert column_role(cell) == role


def test_a_header_needs_a_task_column_and_a_unit_column():
    assert header_roles(["序号", "考核项目", "分值", "负责考核部门"]) == ["seq", "content", "other", "responsible"]
    assert header_roles(["序号", "指标", "目标值"]) is None


def test_tab_table_with_blank_lines_and_section_rows_between_its_rows():
    text = ("附件\n某项改革举措推广清单\n\n\t序号\t改革举措\t主要内容\t指导部门\t推广范围\n\n"
            "\t一、甲方面（共2项）\n\n\t1\t甲举措\t做法甲。\t丁部、戊局\t全国\n\n"
            "\t2\t乙举措\t做法乙。\t丁部\t全国\n\n\t二、乙方面（共1项）\n\n\t3\t丙举措\t做法丙。\t己委\t全国\n")
    got = task_roles(text)
    assert list(got.values()) == [[("丁部", "guide"), ("戊局", "guide")], [("丁部", "guide")], [("己委", "guide")]]


# ---------------------------------------------------------------- document conventions

@pytest.mark.parametrize("wording", [
    "列第一位者为牵头单位，下同", "排在第一位的为牵头部门", "第一个单位为牵头单位", "排名第一的单位为牵头单位",
    "排在首位的部门为牵头部门", "首个单位为牵头单位", "牵头单位排在第一位", "位列第一的为牵头单位",
])
def test_first_listed_unit_leads_in_many_wordings(wording):
    text = (f"某县工作方案\n一、重点任务\n1.推进甲工作。（甲县农业局、甲县财政局负责。{wording}）\n"
            "2.推进乙工作。（甲县水务局、甲县环保局，各乡镇按职责分工负责）\n3.推进丙工作。（甲县教育局负责）\n"
            "4.推进丁工作。（各乡镇、甲县教育局负责）\n5.推进戊工作。（甲县公安局牵头，甲县民政局负责）\n")
    assert list(task_roles(text).values()) == [
        [("甲县农业局", "lead"), ("甲县财政局", "responsible")],
        [("甲县水务局", "lead"), ("甲县环保局", "responsible"), ("各乡镇", "responsible")],
        [("甲县教育局", "lead")],
        [("各乡镇", "responsible"), ("甲县教育局", "responsible")],  # a collective first leads nothing
        [("甲县公安局", "lead"), ("甲县民政局", "responsible")],  # a stated lead stands
    ]


def test_a_convention_applies_from_where_it_is_stated():
    text = ("某县工作方案\n一、重点任务\n1.推进甲工作。（甲县农业局、甲县财政局负责）\n"
            "2.推进乙工作。（甲县水务局、甲县环保局负责，排在第一位的为牵头单位）\n"
            "3.推进丙工作。（甲县教育局、甲县民政局负责）\n")
    assert list(task_roles(text).values()) == [
        [("甲县农业局", "responsible"), ("甲县财政局", "responsible")],
        [("甲县水务局", "lead"), ("甲县环保局", "responsible")],
        [("甲县教育局", "lead"), ("甲县民政局", "responsible")],
    ]


def test_without_a_convention_responsible_units_stay_responsible():
    text = "某县工作方案\n一、重点任务\n1.推进甲工作。（甲县农业局、甲县财政局负责）\n2.推进乙工作。（甲县水务局负责）\n"
    assert list(task_roles(text).values()) == [
        [("甲县农业局", "responsible"), ("甲县财政局", "responsible")], [("甲县水务局", "responsible")]]


# ---------------------------------------------------------------- separators and endings

@pytest.mark.parametrize("statement, expected", [
    ("（丁省发展改革委会同有关部门负责）", [("丁省发展改革委", "responsible"), ("有关部门", "responsible")]),
    ("（丁省科技厅联合丁省财政厅负责）", [("丁省科技厅", "responsible"), ("丁省财政厅", "responsible")]),
    ("（丁省科技厅同丁省教育厅负责）", [("丁省科技厅", "responsible"), ("丁省教育厅", "responsible")]),
    ("（丁省商务厅以及各市政府负责）", [("丁省商务厅", "responsible"), ("各市政府", "responsible")]),
    ("（丁省商务厅及专项工作组成员单位负责）", [("丁省商务厅", "responsible"), ("专项工作组成员单位", "responsible")]),
    ("（各有关部门和单位按职责分工负责）", [("各有关部门", "responsible"), ("各有关单位", "responsible")]),
    ("（丁省民政厅等有关部门和单位负责）", [("丁省民政厅", "responsible")]),
    ("（丁省民政厅、丁省卫生健康委等省直相关部门及各市按职责分工负责）",
     [("丁省民政厅", "responsible"), ("丁省卫生健康委", "responsible"), ("各市", "responsible")]),
    ("（丁省文化和旅游厅、丁省住房和城乡建设厅负责）",
     [("丁省文化和旅游厅", "responsible"), ("丁省住房和城乡建设厅", "responsible")]),
])
def test_separators_between_bodies_and_trailers(statement, expected):
    assert assigned("1.推进某项工作。" + statement) == expected


@pytest.mark.parametrize("statement, expected", [
    ("（责任单位：戊市科技局，各区、县级市）", [("戊市科技局", "responsible"), ("各区", "responsible"),
                                         ("各县级市", "responsible")]),
    ("（责任单位：戊市科技局，有关区、市政府）", [("戊市科技局", "responsible"), ("有关区政府", "responsible"),
                                          ("有关市政府", "responsible")]),
    ("（责任单位：各区、县、乡镇党委）", [("各区党委", "responsible"), ("各县党委", "responsible"),
                                  ("各乡镇党委", "responsible")]),
    ("（责任单位：各区县政府、戊市教育局）", [("各区县政府", "responsible"), ("戊市教育局", "responsible")]),
])
def test_levels_of_government_share_quantifier_and_body(statement, expected):
    assert assigned("1.推进某项工作。" + statement) == expected


def test_a_list_continued_after_a_comma_shares_the_verb():
    assert assigned("1.推进某项工作。（己部、庚部，各省级人民政府按职责分工负责）") == [
        ("己部", "responsible"), ("庚部", "responsible"), ("各省级人民政府", "responsible")]


# ---------------------------------------------------------------- whitespace

@pytest.mark.parametrize("indent", ["\u2003\u2003", "\u2002\u2002", "\xa0\xa0", "\t", "\u3000\u3000", " \u2003\t",
                                    "\u200b", "\ufeff\u3000"])
def test_labels_indented_with_any_space_are_found(indent):
    text = (f"{indent}庚市某项工作方案\n{indent}一、重点任务\n{indent}（一）推进甲工作。（责任单位：庚市农业局）\n"
            f"{indent}（二）推进乙工作。（责任单位：庚市水务局）\n{indent}二、保障措施\n{indent}（一）加强领导。\n")
    extraction = extract_text(text)
    assert extraction.document.title == "庚市某项工作方案"
    assert [(t.id, t.heading) for t in extraction.tasks] == [("1.1", "推进甲工作"), ("1.2", "推进乙工作"), ("2.1", "加强领导")]
    assert [(a.unit, a.role) for a in extraction.tasks[0].assignments] == [("庚市农业局", "responsible")]


@pytest.mark.parametrize("dot", ["\ue5ce", "\uf06c", "．", "﹒"])
def test_a_private_use_or_other_dot_after_the_number(dot):
    text = f"辛市工作方案\n一、重点任务\n1{dot}突破甲技术。\n2{dot}突破乙技术。\n3{dot}突破丙技术。\n"
    assert [t.heading for t in extract_text(text).tasks] == ["突破甲技术", "突破乙技术", "突破丙技术"]


def test_a_year_after_the_dot_is_still_a_label_but_a_decimal_is_not():
    text = "辛市工作方案\n一、重点任务\n1．2024年底前建成甲平台。\n2．2025年6月底前完成乙工作。\n1.5亿元用于丙项目。\n"
    assert [t.heading for t in extract_text(text).tasks] == ["2024年底前建成甲平台", "2025年6月底前完成乙工作"]


def test_full_width_digits_in_labels_and_deadlines():
    text = "辛市工作方案\n一、重点任务\n１．推进甲工作，２０２４年底前完成。（责任单位：辛市农业局）\n２．推进乙工作。\n"
    tasks = extract_text(text).tasks
    assert [t.id for t in tasks] == ["1.1", "1.2"]
    assert [(a.unit, a.role) for a in tasks[0].assignments] == [("辛市农业局", "responsible")]
    assert [(d.text, d.date) for d in tasks[0].deadlines] == [("２０２４年底前", "2024-12-31")]


# ---------------------------------------------------------------- run-on bodies

def test_a_whole_task_list_on_one_line_is_split_at_its_labels():
    items = []
    for i, cn in enumerate("一二三", start=1):
        sub = "".join(f"{n}．推进第{i}{n}项具体工作，完善配套制度，加强监督检查，确保各项措施落到实处，统筹推进相关改革，"
                      "及时总结推广经验做法，形成可复制可推广的制度成果，2030年底前完成。"
                      "（壬部牵头，各地区按职责分工负责）" for n in (1, 2, 3))
        items.append(f"（{cn}）推进第{i}项重点工作，提高质量（壬部、癸部按职责分工负责）具体措施：{sub}")
    body = "某方案。现制定如下分工方案。一、把甲和乙结合起来" + "".join(items[:2]) + "二、丙要放出活力" + items[2]
    text = "某某任务分工方案\n" + body + "\n"
    assert len(body) >= 1000  # a run-on line: its line breaks were lost
    tasks = extract_text(text).tasks
    assert [t.id for t in tasks] == ["1.1", "1.1.1", "1.1.2", "1.1.3", "1.2", "1.2.1", "1.2.2", "1.2.3",
                                     "2.3", "2.3.1", "2.3.2", "2.3.3"]
    assert [(a.unit, a.role) for a in tasks[1].assignments] == [("壬部", "lead"), ("各地区", "responsible")]
    assert [(a.unit, a.role) for a in tasks[0].assignments] == [("壬部", "responsible"), ("癸部", "responsible")]
    assert [d.text for d in tasks[1].deadlines] == ["2030年底前"]


def test_a_label_after_a_statement_on_the_same_line_continues_the_sequence():
    text = ("癸市若干措施\n一、支持发展\n8．支持甲。（责任单位：癸市工信局）\n"
            "9．支持乙。（责任单位：癸市科技局）10．支持丙。（责任单位：癸市财政局）\n11．支持丁。\n")
    tasks = extract_text(text).tasks
    assert [t.heading for t in tasks] == ["支持甲", "支持乙", "支持丙", "支持丁"]
    assert [a.unit for a in tasks[2].assignments] == ["癸市财政局"]


def test_an_inline_enumeration_in_an_ordinary_line_is_not_split():
    text = ("癸市工作方案\n一、重点任务\n1.完善制度。主要包括：（1）甲制度；（2）乙制度。（责任单位：癸市司法局）\n"
            "2.加强培训。\n")
    assert [t.heading for t in extract_text(text).tasks] == ["完善制度", "加强培训"]


# ---------------------------------------------------------------- statements that are a table

CELL_TABLE = """子区城市更新行动方案
一、总体要求
（一）目标。到2025年完成改造。
二、保障措施
（一）加强组织领导。
（二）强化评估考核。
附件
子区城市更新重点任务清单
任务类型

序号

工作任务

推进单位

行动一：甲行动
1

推进甲片区规划研究

子区规划资源局、子区建设管理委、甲街道

2

完成乙片区改造
子区房管局、各相关街镇
旧住房改造
3
推进丙类住房成套改造
子区“两旧”专班、子区房管局
4
加快推进各类旧住房更新改造。
5
完成加装电梯200台
“美丽家园”建设
6
创建10个示范小区
子区房管局
"""


def test_a_table_written_one_cell_per_line():
    extraction = extract_text(CELL_TABLE)
    rows = [t for t in extraction.tasks if t.id.startswith("p2:")]
    assert [t.heading for t in rows] == ["推进甲片区规划研究", "完成乙片区改造", "推进丙类住房成套改造",
                                         "加快推进各类旧住房更新改造", "完成加装电梯200台", "创建10个示范小区"]
    units = [[(a.unit, a.role) for a in t.assignments] for t in rows]
    assert units == [
        [("子区规划资源局", "responsible"), ("子区建设管理委", "responsible"), ("甲街道", "responsible")],
        [("子区房管局", "responsible"), ("各相关街镇", "responsible")],
        [("子区“两旧”专班", "responsible"), ("子区房管局", "responsible")],
        [], [],  # merged cells: the units stand under the first row they cover only
        [("子区房管局", "responsible")],
    ]
    # the table after the body does not nest under the body's last item, which stays a task
    assert [t.heading for t in extraction.tasks if not t.id.startswith("p2:")] == ["目标", "加强组织领导", "强化评估考核"]


def test_a_table_under_its_section_heading_nests_in_it():
    text = ("某某市重点任务分工表\n一、政务服务\n序号\t工作任务\t牵头单位\n1\t推进甲事项\t某某市政务服务中心\n"
            "二、数据共享\n序号\t工作任务\t牵头单位\n1\t建设乙平台\t某某市大数据局\n")
    assert [t.id for t in extract_text(text).tasks] == ["1.1", "2.1"]


@pytest.mark.parametrize("cell, expected", [
    ("丑县委宣传部丑县教育局丑县河长办", ["丑县委宣传部", "丑县教育局", "丑县河长办"]),
    ("丑县公安局丑县森林公安局", ["丑县公安局", "丑县森林公安局"]),
    ("县环保局县水文站", ["县环保局", "县水文站"]),
    ("丑市纪委丑市监委", ["丑市纪委丑市监委"]),  # bodies that work as one are named together
    ("丑市委丑市政府", ["丑市委丑市政府"]),  # 丑市委 is too short a name to split at
])
def test_names_run_together_in_a_table_cell(cell, expected):
    text = f"丑县考核细则\n序号\t考核项目\t考核指标\t负责考核部门\n1\t完善甲制度\t制定甲制度。\t{cell}\n"
    assert [a.unit for t in extract_text(text).tasks for a in t.assignments] == expected


# ---------------------------------------------------------------- time limits

@pytest.mark.parametrize("sentence, expected", [
    ("各地要在本意见印发之日起30日内制定实施办法。", "本意见印发之日起30日内"),
    ("自本方案实施之日起3个月内完成清理。", "本方案实施之日起3个月内"),
    ("有关部门于发布之日起十五个工作日内报送。", "发布之日起十五个工作日内"),
    ("年内完成全部整改。", "年内"),
])
def test_time_limits_relative_to_the_document_or_the_year(sentence, expected):
    from plangraph.ingest.deadlines import find_deadlines
    assert [(d.text, d.date) for d in find_deadlines(sentence)] == [(expected, None)]


@pytest.mark.parametrize("sentence", ["三年内完成整改。", "今年内完成。", "年内容丰富。"])
def test_spans_of_years_are_not_time_limits(sentence):
    from plangraph.ingest.deadlines import find_deadlines
    assert find_deadlines(sentence) == []


def test_a_statement_wrapped_onto_the_next_line():
    text = ("寅省行动计划\n一、重点任务\n（一）甲行动。推进甲事项落地见效(寅省发展改革委、寅市高\n"
            "质量发展先行区建设办公室负责)\n（二）乙行动。推进乙事项。\n")
    tasks = extract_text(text).tasks
    assert [(a.unit, a.role) for a in tasks[0].assignments] == [
        ("寅省发展改革委", "responsible"), ("寅市高质量发展先行区建设办公室", "responsible")]
    assert tasks[0].assignments[1].mention == "寅市高\n质量发展先行区建设办公室"


def test_an_unclosed_bracket_does_not_run_into_the_next_item():
    text = "寅省行动计划\n一、重点任务\n1.推进甲事项（牵头单位：寅省司法厅\n2.推进乙事项。（牵头单位：寅省财政厅）\n"
    assert [[a.unit for a in t.assignments] for t in extract_text(text).tasks] == [[], ["寅省财政厅"]]


def test_a_number_and_dot_before_digits_is_a_label_where_the_sequence_runs_through():
    text = ("卯市人才工程\n一、重点项目\n10.甲人才项目。（牵头单位：卯市人社局）\n11.121人才梯队项目。（牵头单位：卯市科技局）\n"
            "12.丙人才项目。\n另有1.5亿元专项资金。\n")
    tasks = extract_text(text).tasks
    assert [t.heading for t in tasks] == ["甲人才项目", "121人才梯队项目", "丙人才项目"]
    assert [a.unit for a in tasks[1].assignments] == ["卯市科技局"]


@pytest.mark.parametrize("statement, expected", [
    ("（辰省工信厅配合落实）", [("辰省工信厅", "participant")]),
    ("（辰省发展改革委牵头推进，辰省财政厅配合推进）", [("辰省发展改革委", "lead"), ("辰省财政厅", "participant")]),
    ("（主办单位：辰省商务厅；协办部门：辰省贸促会）", [("辰省商务厅", "lead"), ("辰省贸促会", "participant")]),
    ("（辰市政协办负责）", [("辰市政协办", "responsible")]),  # 协办 ends a name, it is no verb
    ("（辰省科技厅、辰省教育厅按职责分别负责）", [("辰省科技厅", "responsible"), ("辰省教育厅", "responsible")]),
    ("（辰省财政厅负责组织实施）", [("辰省财政厅", "responsible")]),
    ("（主要责任单位：辰省科技厅；其他责任单位：辰省财政厅）", [("辰省科技厅", "responsible"), ("辰省财政厅", "responsible")]),
])
def test_verb_phrases_and_label_modifiers(statement, expected):
    assert assigned("1.推进某项工作。" + statement) == expected


@pytest.mark.parametrize("statement, expected", [
    ("（牵头单位：辰省发展改革委 辰省财政厅）", [("辰省发展改革委", "lead"), ("辰省财政厅", "lead")]),
    ("（辰南市、辰北市政府负责）", [("辰南市政府", "responsible"), ("辰北市政府", "responsible")]),
    ("（甲东区、甲西区、甲中区人民政府负责）",
     [("甲东区人民政府", "responsible"), ("甲西区人民政府", "responsible"), ("甲中区人民政府", "responsible")]),
    ("（辰南市、辰北市负责）", [("辰南市", "responsible"), ("辰北市", "responsible")]),
])
def test_spaces_between_bodies_and_a_government_shared_by_places(statement, expected):
    assert assigned("1.推进某项工作。" + statement) == expected


WRAPPED_CELL_TABLE = """附件：某区重点任务分解表

序号

任务类型

重点内容

责任单位

参考文件

1

甲类
建设管理

推进甲类建设，会同各行业主管部门制定办法。

某区建设管理委、某区发展改革委、
某区水务局、某区交通委、
某区绿化市容局等相关部门，
各街镇

《某区甲类建设指引》

2

乙类
系统方案

编制乙类系统方案。

某区建设管理委

《某市乙类实施意见》
"""


def test_a_table_whose_cells_are_paragraphs_that_wrap():
    tasks = extract_text(WRAPPED_CELL_TABLE).tasks
    assert [[(a.unit, a.role) for a in t.assignments] for t in tasks] == [
        [("某区建设管理委", "responsible"), ("某区发展改革委", "responsible"), ("某区水务局", "responsible"),
         ("某区交通委", "responsible"), ("某区绿化市容局", "responsible"), ("各街镇", "responsible")],
        [("某区建设管理委", "responsible")],
    ]


def test_figures_in_a_flattened_data_table_are_no_items():
    text = ("某区方案\n一、目标\n1.完成甲。（责任单位：某区水务局）\n2.完成乙。\n3.完成丙。\n表1 计划表\n年份\n面积\n"
            "2024年\n4.42\n25.20\n二、措施\n（一）加强领导。\n")
    extraction = extract_text(text)
    assert [t.heading for t in extraction.tasks] == ["完成甲", "完成乙", "完成丙", "加强领导"]
    assert extraction.findings == []


@pytest.mark.parametrize("statement, expected", [
    # groups joined by 、 after a verb phrase; 组织 is a modifier
    ("（巳市公安局牵头负责、各区政府组织落实）", [("巳市公安局", "lead"), ("各区政府", "responsible")]),
    ("（巳市公安局牵头负责，巳市民政局、各区政府组织落实）",
     [("巳市公安局", "lead"), ("巳市民政局", "responsible"), ("各区政府", "responsible")]),
    ("（巳市住建委牵头负责，巳市民政局按职责组织配合）", [("巳市住建委", "lead"), ("巳市民政局", "participant")]),
    # names of offices that contain 和, without a place before them
    ("（巳市局宣传处牵头，执法稽查处、网络交易和市场规范监督管理处按职责分工负责）",
     [("巳市局宣传处", "lead"), ("执法稽查处", "responsible"), ("网络交易和市场规范监督管理处", "responsible")]),
    # labels made of a role word and a noun
    ("（牵头单位：巳区开发区；支撑单位：巳区规划资源局）", [("巳区开发区", "lead"), ("巳区规划资源局", "participant")]),
    ("（牵头部门：巳市交通委；实施部门：巳市港航中心）", [("巳市交通委", "lead"), ("巳市港航中心", "responsible")]),
    ("（牵头部门：巳市财政局；配合处室：综合处）", [("巳市财政局", "lead"), ("综合处", "participant")]),
    # an unknown label's units are not glued to the role before it
    ("（牵头部门：巳市财政局；联系单位：巳市税务局）", [("巳市财政局", "lead")]),
    # a second labelled part after a full stop
    ("（责任部门：巳市交通委、巳市公安局。时间节点：2025年3月）",
     [("巳市交通委", "responsible"), ("巳市公安局", "responsible")]),
])
def test_statements_seen_in_unseen_plans(statement, expected):
    assert assigned("1.推进某项工作。" + statement) == expected


@pytest.mark.parametrize("attachments", [
    "附件：1．午市任务分工表\n      2．午市申请表\n      3．午市流程图\n",
    "附件：\n1.午市任务分工表\n2.午市申请表\n",
])
def test_a_list_of_attachments_does_not_take_the_last_task(attachments):
    text = ("午市方案\n一、任务\n（一）甲工作。（牵头单位：午市交通委）\n（二）乙工作。2025年5月底前完成。"
            "（牵头单位：午市公安局）\n" + attachments)
    tasks = extract_text(text).tasks
    assert [(t.id, t.heading, [a.unit for a in t.assignments]) for t in tasks] == [
        ("1.1", "甲工作", ["午市交通委"]), ("1.2", "乙工作", ["午市公安局"])]
    assert [d.text for d in tasks[1].deadlines] == ["2025年5月底前"]


def test_an_article_on_the_line_of_its_chapter_heading():
    text = ("未州办法\n第一章　总则\n第一条　为了规范管理，制定本办法。\n第二条　本办法适用于本州。\n"
            "　第二章　规划建设　　第三条 　州数据主管部门应当编制规划。\n第四条　各县应当配合。\n")
    assert [t.heading for t in extract_text(text).tasks] == [
        "为了规范管理，制定本办法", "本办法适用于本州", "州数据主管部门应当编制规划", "各县应当配合"]


MERGED_LEFT_TABLE = """申区工作方案
一、任务
（一）加强领导。
附件
申区任务分解表
序号
任务名称
任务内容
牵头部门
配合部门
时间节点
1
加强组织领导
召开动员大会，建立工作机制。
申区政府办公室
各联席会议成员单位
2019年3月
2
将垃圾管理纳入考核，加大培训力度。
申区委组织部（申区公务员局）
申区绿化市容局
2019年
3
推进基层建设
将工作纳入基层组织管理。
申区民政局
申区房管局
申区绿化市容局
2019年6月
4
落实联席会议制度，每1-2周开展一次分析评价。
各街镇（园区）
申区绿化市容局、
申区农业农村委
2019年
"""


def test_a_merged_cell_missing_from_a_row_does_not_shift_the_columns():
    rows = [t for t in extract_text(MERGED_LEFT_TABLE).tasks if t.id.startswith("p2:")]
    assert [[(a.unit, a.role) for a in t.assignments] for t in rows] == [
        [("申区政府办公室", "lead"), ("各联席会议成员单位", "participant")],
        [("申区委组织部（申区公务员局）", "lead"), ("申区绿化市容局", "participant")],  # 任务名称 merged away
        [("申区民政局", "lead"), ("申区房管局", "participant"), ("申区绿化市容局", "participant")],  # one unit a line
        [("各街镇（园区）", "lead"), ("申区绿化市容局", "participant"), ("申区农业农村委", "participant")],
    ]


NO_SEQ_TABLE = """酉市精细化管理方案
一、总体要求
（一）目标。到2026年见效。
二、保障措施
（一）加强领导。
附件
酉市任务清单
任务
分类
重点任务（2024-2026）
2024年工作项目
牵头
部门
配合
部门
实施
主体
（一）
提升设施品质
（1）建设精品道路300条。
建设精品道路100条。
酉市设施养护处
各相关部门和单位
各区
（2）推进农村公路发展。
1.农村公路改造300公里。
2.农村公路改造200公里。
酉市设施养护处
酉市交通委（科信处）
酉市港航中心
"""


def test_a_table_without_a_number_column_opens_rows_at_numbered_tasks():
    extraction = extract_text(NO_SEQ_TABLE)
    rows = [t for t in extraction.tasks if t.id.startswith("p2:")]
    assert [t.text[:9] for t in rows] == ["（1）建设精品道路", "（2）推进农村公路"]
    assert [[(a.unit, a.role) for a in t.assignments] for t in rows] == [
        [("酉市设施养护处", "lead"), ("各相关部门", "participant"), ("各相关单位", "participant"),
         ("各区", "responsible")],
        [("酉市设施养护处", "lead"), ("酉市交通委（科信处）", "participant"), ("酉市港航中心", "responsible")],
    ]
    # a numbered list inside a cell makes no tasks, and check does not name it
    assert not any(t.heading.startswith("农村公路改造") for t in extraction.tasks)
    assert extraction.findings == []


def test_a_table_continued_after_its_header_repeats():
    text = ("戌区方案\n附件：戌区任务表\n\n序号\n\n重点内容\n\n责任单位\n\n1\n\n推进甲。\n\n戌区水务局\n\n"
            "序号\n\n重点内容\n\n责任单位\n\n2\n\n推进乙。\n\n戌区交通委\n")
    assert [[a.unit for a in t.assignments] for t in extract_text(text).tasks] == [["戌区水务局"], ["戌区交通委"]]


@pytest.mark.parametrize("sentence, expected", [
    ("2024年年内创建30个项目。", ("2024年年内", "2024-12-31")),
    ("2014年前建成示范区。", ("2014年前", "2013-12-31")),
    ("10月15日前，形成正式报告。", ("10月15日前", None)),
    ("（责任部门：某局。时间节点：2025年3月）", ("2025年3月", "2025-03-31")),
    ("（2021年8月）", ("2021年8月", "2021-08-31")),
    ("牵头部门\n2019年3月\n", ("2019年3月", "2019-03-31")),  # a table's date cell
])
def test_time_limits_seen_in_unseen_plans(sentence, expected):
    from plangraph.ingest.deadlines import find_deadlines
    assert [(d.text, d.date) for d in find_deadlines(sentence)] == [expected]


@pytest.mark.parametrize("sentence", ["到2025年年底，全省营收突破2万亿元。", "2023年3月，市政府印发了方案。"])
def test_targets_and_past_dates_are_no_time_limits(sentence):
    from plangraph.ingest.deadlines import find_deadlines
    assert find_deadlines(sentence) == []
