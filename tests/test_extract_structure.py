"""Numbering styles, nesting, restarts and task boundaries (SCHEMA.md `tasks`)."""
from __future__ import annotations

import pytest

from plangraph.ingest.numbering import chinese_to_int, match_label
from plangraph.ingest.pipeline import extract_text


@pytest.mark.parametrize("line, style, number", [
    ("一、总体要求", "cn_dun", 1),
    ("十二、保障措施", "cn_dun", 12),
    ("（三十一）全面加强", "cn_paren", 31),
    ("(一)指导思想。", "cn_paren", 1),
    ("1.优化政府机构设置。", "arabic_dot", 1),
    ("1．完善“健康码”管理", "arabic_dot", 1),
    ("6﹒推进工作", "arabic_dot", 6),
    ("3、加强基层建设", "arabic_dot", 3),
    ("（1）打造世界级", "arabic_paren", 1),
    ("(12)推动", "arabic_paren", 12),
    ("2）完善机制", "arabic_rparen", 2),
    ("②推进", "circled", 2),
    ("第三条 工作要求", "article", 3),
    ("\u3000\u30001．完善", "arabic_dot", 1),
])
def test_numbering_styles(line, style, number):
    label = match_label(line, 0)
    assert label is not None and (label.style, label.number) == (style, number)


@pytest.mark.parametrize("line", ["2022年底前完成", "1.5亿元用于", "5G网络建设", "12345热线", "一是加强", "3"])
def test_not_labels(line):
    label = match_label(line, 0)
    assert label is None or label.strict


def test_chinese_numerals():
    assert [chinese_to_int(s) for s in ("一", "十", "十二", "二十", "三十五", "一百零三")] == [1, 10, 12, 20, 35, 103]


def test_nesting_and_ids_and_labels():
    text = ("常德市某某工作方案\n一、总体要求\n(一)指导思想。坚持。\n二、具体任务\n(一)推进改革\n"
            "1.优化设置。内容。[牵头单位:市委编办]\n2.推动规范。内容。\n(二)深化放管服\n3.推进审批。内容。\n")
    tasks = extract_text(text).tasks
    assert [t.id for t in tasks] == ["1.1", "2.1.1", "2.1.2", "2.2.3"]
    assert tasks[1].labels == ["二、", "(一)", "1."]
    assert tasks[1].heading == "优化设置"
    assert tasks[1].section == "2.1" and tasks[1].section_title == "推进改革"
    assert tasks[1].text.startswith("1.优化设置") and tasks[1].text.endswith("[牵头单位:市委编办]")


def test_bare_numbers_count_only_in_a_sequence():
    text = "一、任务\n1突破关键技术。内容。\n2强化平台支撑。内容。\n3完善机制。内容。\n二、其他\n5月底前完成部署。\n"
    ids = [t.id for t in extract_text(text).tasks]
    assert ids == ["1.1", "1.2", "1.3", "2"]


def test_restart_gives_a_prefix():
    text = "一、考评对象\n各单位。\n二、考评内容\n内容。\n附件\n一、指标\n1．第一项。\n2．第二项。\n"
    ids = [t.id for t in extract_text(text).tasks]
    assert ids == ["1", "2", "p2:1.1", "p2:1.2"]


def test_item_with_children_and_its_own_clause_is_a_task():
    text = "一、任务\n（一）推进改革。（牵头单位：市发改委）\n1.第一项。\n2.第二项。\n"
    tasks = extract_text(text).tasks
    assert [t.id for t in tasks] == ["1.1", "1.1.1", "1.1.2"]
    assert tasks[0].text == "（一）推进改革。（牵头单位：市发改委）"


def test_higher_style_after_deeper_levels_closes_them():
    text = "1.通知事项一。\n2.通知事项二。\n一、总体要求\n（一）目标。内容。\n二、任务\n内容。\n"
    ids = [t.id for t in extract_text(text).tasks]
    assert ids == ["1", "2", "p2:1.1", "p2:2"]


def test_junk_lines_never_become_tasks_or_task_text():
    text = ("【法宝引证码】 CLI.12.5115678\n原文链接：https://www.pkulaw.com/x.html\n某某方案\n"
            "一、任务\n1.推进工作。（牵头单位：市司法局）\n用户登录\n还没有账号?\n立即注册\n扫一扫在手机打开当前页\n")
    extraction = extract_text(text)
    assert [t.id for t in extraction.tasks] == ["1.1"]
    assert "登录" not in extraction.tasks[0].text and "扫一扫" not in extraction.tasks[0].text


def test_no_numbered_tasks_is_a_warning():
    extraction = extract_text("这是一段没有编号的文字。\n第二段。\n")
    assert extraction.tasks == [] and extraction.warnings == ["no numbered tasks found"]


def test_metadata_from_notice_signature_and_title_line():
    text = ("中共某某市委全面依法治市委员会关于印发《某某市法治政府建设工作方案(2021-2025年)》的通知\n"
            "各单位:\n现印发给你们。\n中共某某市委全面依法治市委员会\n2022年6月20日\n"
            "某某市法治政府建设工作方案(2021-2025年)\n一、总体要求\n内容。\n")
    doc = extract_text(text).document
    assert doc.title == "某某市法治政府建设工作方案(2021-2025年)"
    assert doc.issuer == "中共某某市委全面依法治市委员会"
    assert doc.date == "2022-06-20"


def test_metadata_from_gov_cn_table():
    text = ("        索 引 号：\n        000014349/2018-00207\n        发文机关：\n        国务院\n"
            "        成文日期：\n        2018年11月07日\n        标\u3000\u3000题：\n"
            "        国务院关于支持自由贸易试验区深化改革创新若干措施的通知\n        发文字号：\n"
            "        国发〔2018〕38号\n国务院关于支持自由贸易试验区深化改革创新若干措施的通知\n国发〔2018〕38号\n"
            "一、营造优良投资环境\n（一）放宽限制。（负责部门：商务部）\n")
    extraction = extract_text(text)
    doc = extraction.document
    assert (doc.issuer, doc.date, doc.doc_number) == ("国务院", "2018-11-07", "国发〔2018〕38号")
    assert doc.title == "国务院关于支持自由贸易试验区深化改革创新若干措施的通知"
    assert [t.id for t in extraction.tasks] == ["1.1"]


def test_segmentation_keeps_the_text_exactly():
    from plangraph.ingest.segment import segment
    text = "一、总体要求\n\u3000\u3000（一）指导思想。 坚持 “以人民为中心”。\r\n[牵头单位:市委编办]\n"
    doc = segment(text)
    assert doc.text == text
    assert "牵头单位" in [t.text for t in doc]  # role words stay whole tokens


TASK_DIVISION_PLAN = """某某市人民政府办公室关于印发《某某市优化营商环境重点任务分工方案》的通知
某政办发〔2023〕12号
各县（市、区）人民政府，市政府各部门：
　　《某某市优化营商环境重点任务分工方案》已经市政府同意，现印发给你们，请认真贯彻执行。
某某市人民政府办公室
2023年3月15日
某某市优化营商环境重点任务分工方案
　　为深入贯彻《优化营商环境条例》，制定本方案。
　　一、提升政务服务效能
　　1．深化“一网通办”改革。推动高频事项全程网办。
　　责任单位：市政务服务中心、市大数据局，各县（市、区）人民政府
　　完成时限：2023年6月底前
　　2．推行告知承诺制。修订《某某市证明事项告知承诺制实施办法》。
　　牵头单位：市司法局；配合单位：市直有关部门
　　完成时限：2023年12月底前
　　二、强化要素保障
　　3．降低企业用地成本。（市自然资源和规划局牵头，市财政局、市税务局配合，2023年底前完成）
　　4．加强融资支持。（牵头单位：市地方金融监管局；责任单位：各县（市、区）人民政府；持续推进）
抄送：市委办公室，市人大常委会办公室。
某某市人民政府办公室　　　　2023年3月15日印发
"""


def test_a_task_division_plan_with_labelled_lines():
    """Labelled lines under each task, a notice on top, a 抄送/印发 footer below."""
    extraction = extract_text(TASK_DIVISION_PLAN)
    doc = extraction.document
    assert (doc.title, doc.doc_number, doc.issuer, doc.date) == (
        "某某市优化营商环境重点任务分工方案", "某政办发〔2023〕12号", "某某市人民政府办公室", "2023-03-15")
    got = {t.id: [(a.unit, a.role) for a in t.assignments] for t in extraction.tasks}
    assert got == {
        "1.1": [("市政务服务中心", "responsible"), ("市大数据局", "responsible"), ("各县（市、区）人民政府", "responsible")],
        "1.2": [("市司法局", "lead"), ("市直有关部门", "participant")],
        "2.3": [("市自然资源和规划局", "lead"), ("市财政局", "participant"), ("市税务局", "participant")],
        "2.4": [("市地方金融监管局", "lead"), ("各县（市、区）人民政府", "responsible")],
    }
    deadlines = {t.id: [(d.text, d.date) for d in t.deadlines] for t in extraction.tasks}
    assert deadlines["1.1"] == [("2023年6月底前", "2023-06-30")] and deadlines["2.3"] == [("2023年底前", "2023-12-31")]
    assert [(c.title, c.relation) for c in extraction.tasks[1].citations] == [("某某市证明事项告知承诺制实施办法", "produces")]
    assert "抄送" not in extraction.tasks[-1].text
    assert extraction.tasks[0].assignments[2].canonical.startswith("各县")  # collective: not qualified into a named body


def test_tab_separated_task_table_in_plain_text():
    """A saved page whose table cells became tabs: rows are tasks, columns give roles."""
    text = ("某某市数字政府建设重点任务分工表\n一、政务服务\n序号\t工作任务\t牵头单位\t配合单位\t完成时限\n"
            "1\t推进事项全程网办\t市政务服务中心\t市大数据局、各县（市、区）人民政府\t2023年6月底前\n"
            "2\t制定《某某市电子证照应用办法》\t市大数据局\t市司法局\t2023年底前\n"
            "二、数据共享\n序号\t工作任务\t牵头单位\t配合单位\t完成时限\n1\t建设数据共享平台\t市大数据局\t市直有关部门\t持续推进\n")
    tasks = extract_text(text).tasks
    assert [(t.id, t.heading) for t in tasks] == [("1.1", "推进事项全程网办"), ("1.2", "制定《某某市电子证照应用办法》"),
                                                  ("2.1", "建设数据共享平台")]
    assert [(a.unit, a.role) for a in tasks[0].assignments] == [
        ("市政务服务中心", "lead"), ("市大数据局", "participant"), ("各县（市、区）人民政府", "participant")]
    assert [(c.title, c.relation) for c in tasks[1].citations] == [("某某市电子证照应用办法", "produces")]
    assert [d.date for d in tasks[0].deadlines] == ["2023-06-30"]
    for task in tasks:
        for a in task.assignments:
            assert text[a.start:a.end] == a.mention
