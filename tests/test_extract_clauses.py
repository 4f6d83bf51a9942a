"""Responsibility clauses in every form plans use, and the list-splitting rules (SCHEMA.md)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plangraph.ingest.brackets import find_pairs, pairs_from
from plangraph.ingest.clauses import find_clauses, parse_clause, split_units
from plangraph.ingest.pipeline import extract_text


def assigned(text: str) -> list[tuple[str, str]]:
    """(unit, role) of every clause found in `text`."""
    return [(a.unit, a.role) for c in find_clauses(text) for a in c.assignments]


@pytest.mark.parametrize("clause, expected", [
    ("[牵头单位:市委编办;参加单位:各区县(市)政府]",
     [("市委编办", "lead"), ("各区县(市)政府", "participant")]),
    ("（牵头单位：市发展改革委，参加单位：市财政局、市商务局）",
     [("市发展改革委", "lead"), ("市财政局", "participant"), ("市商务局", "participant")]),
    ("（牵头单位：市委编办、市政府办；责任单位：市政府各部门按照职责分工负责）",
     [("市委编办", "lead"), ("市政府办", "lead"), ("市政府各部门", "responsible")]),
    ("（责任单位：市人大常委会法工委、市司法局按职责分工负责）",
     [("市人大常委会法工委", "responsible"), ("市司法局", "responsible")]),
    ("（负责部门：民航局；适用范围：河南自贸试验区）", [("民航局", "responsible")]),
    ("（负责部门：发展改革委、粮食和储备局，适用范围：浙江自贸试验区）",
     [("发展改革委", "responsible"), ("粮食和储备局", "responsible")]),
    ("（国家发展改革委、民政部牵头，公安部配合，相关部门及各地区按职责分工负责）",
     [("国家发展改革委", "lead"), ("民政部", "lead"), ("公安部", "participant"),
      ("相关部门", "responsible"), ("各地区", "responsible")]),
    ("（6月底完成，牵头考核单位：市政府办公室、市公安局）",
     [("市政府办公室", "lead"), ("市公安局", "lead")]),
    ("（国家卫生健康委负责）", [("国家卫生健康委", "responsible")]),
    ("（省大数据局牵头，省有关部门具体实施）", [("省大数据局", "lead"), ("省有关部门", "responsible")]),
    ("（牵头单位：省工业和信息化厅；责任单位：省发展改革委、省科技厅）",
     [("省工业和信息化厅", "lead"), ("省发展改革委", "responsible"), ("省科技厅", "responsible")]),
    # a labelled list written with spaces instead of a semicolon
    ("（牵头单位：市司法局　配合单位：市财政局）", [("市司法局", "lead"), ("市财政局", "participant")]),
    ("（市发展改革委牵头，市财政局等配合）", [("市发展改革委", "lead"), ("市财政局", "participant")]),
])
def test_clause_forms(clause, expected):
    assert assigned("1.推进某项工作。" + clause) == expected


def test_brackets_nested_inside_brackets_do_not_split_the_clause():
    text = "[牵头单位:市司法局;参加单位:市政府其他有关部门,各区县(市)人大常委会和政府]"
    assert assigned(text) == [("市司法局", "lead"), ("市政府其他有关部门", "participant"),
                              ("各区县(市)人大常委会", "participant"), ("各区县(市)政府", "participant")]


def test_shared_words_expand_and_names_with_he_stay_whole():
    text = "（牵头单位：市政府办；参加单位：市人大监察和司法委、各区县(市)党委和政府、市住房和城乡建设局）"
    units = [u for u, _ in assigned(text)]
    assert units == ["市政府办", "市人大监察和司法委", "各区县(市)党委", "各区县(市)政府", "市住房和城乡建设局"]


def test_trailing_deng_is_dropped_but_a_standalone_collective_is_a_unit():
    text = "（应急部、公安部、国家卫生健康委等相关部门及各地区按职责分工负责）"
    assert assigned(text) == [("应急部", "responsible"), ("公安部", "responsible"),
                              ("国家卫生健康委", "responsible"), ("各地区", "responsible")]
    text = "（责任单位：市委网信办、市公安局等部门按职责分工）"
    assert [u for u, _ in assigned(text)] == ["市委网信办", "市公安局"]


def test_collective_units_are_flagged():
    clause = find_clauses("（牵头单位：市司法局；参加单位：市政府其他有关部门，各区县(市)政府）")[0]
    flags = {a.unit: a.collective for a in clause.assignments}
    assert flags == {"市司法局": False, "市政府其他有关部门": True, "各区县(市)政府": True}


def test_offsets_point_at_the_mention():
    text = "1.某项工作。[牵头单位:市委编办;参加单位:各区县(市)人大常委会和政府]"
    for clause in find_clauses(text):
        for a in clause.assignments:
            assert text[a.start:a.end] == a.mention
            assert a.mention in a.unit or a.unit.endswith(a.mention)


def test_several_clauses_in_one_item_all_count():
    text = ("（一）优化服务。推动事项落地。（省政府办公厅牵头）加强电子证照应用。"
            "（省政府办公厅、省大数据局牵头）持续开展行动。（省司法厅牵头）\n")
    assert assigned(text) == [("省政府办公厅", "lead"), ("省政府办公厅", "lead"),
                              ("省大数据局", "lead"), ("省司法厅", "lead")]


@pytest.mark.parametrize("text", [
    "建立国家发展改革委、国家卫生健康委牵头，国务院各有关部门参加的部际联席会议机制。",
    "（建立国家发展改革委、国家卫生健康委牵头，国务院各有关部门参加的部际联席会议机制）",
    "（以下简称自贸试验区）",
    "（国家法律法规暂不允许的除外）",
    "支持骨干企业牵头联合优势力量争创国家级创新中心。",
])
def test_mentions_of_units_are_not_clauses(text):
    assert assigned(text) == []


def test_labelled_line_outside_brackets_is_a_clause():
    text = "1.完善工作机制。\n责任单位：市发展改革委、市财政局\n2.下一项。"
    assert assigned(text) == [("市发展改革委", "responsible"), ("市财政局", "responsible")]


def test_split_units_drops_lead_in_words():
    text = "由市司法局、市财政局"
    assert [u for u, _s, _e in split_units(text, 0, len(text))] == ["市司法局", "市财政局"]


def test_clause_with_no_units_gives_nothing():
    assert parse_clause("（牵头单位：）", 1, 6) == []


def test_first_listed_unit_leads_where_the_plan_says_so():
    text = ("说明：排在第一位的部门为牵头部门。\n一、任务\n1.推进数据共享。（责任单位：市大数据局、市财政局）\n"
            "2.推进平台建设。（市工信局、市科技局按职责分工负责）\n")
    tasks = extract_text(text).tasks
    assert [(a.unit, a.role) for a in tasks[0].assignments] == [("市大数据局", "lead"), ("市财政局", "responsible")]
    assert [(a.unit, a.role) for a in tasks[1].assignments] == [("市工信局", "lead"), ("市科技局", "responsible")]


def test_labels_in_square_brackets():
    text = "1.推进数据共享。【牵头单位】市大数据局【配合单位】市财政局、市公安局\n2.下一项。"
    assert assigned(text) == [("市大数据局", "lead"), ("市财政局", "participant"), ("市公安局", "participant")]


def test_role_marker_after_one_unit():
    text = "1.推进数据共享。\n责任单位：市发改委（牵头）、市财政局、市商务局（配合）\n"
    assert assigned(text) == [("市发改委", "lead"), ("市财政局", "responsible"), ("市商务局", "participant")]


def test_labels_set_apart_by_spaces_on_a_table_like_line():
    text = "1.推进数据共享工作    牵头单位：市大数据局    配合单位：市财政局\n"
    assert assigned(text) == [("市大数据局", "lead"), ("市财政局", "participant")]


def test_a_bracket_never_runs_into_the_next_line():
    # found by the property test: the next item's number must not become a unit
    text = "1、(牵头单位:\n1)0"
    assert assigned(text) == []
    text = "1.某项工作（牵头单位：市司法局\n2.下一项。（牵头单位：市财政局）"
    assert assigned(text) == [("市财政局", "lead")]


BRACKET_TEXT = st.text(alphabet=list("（）()[]【】\n一二、1突 a."), max_size=40)


@settings(max_examples=300, deadline=None)
@given(BRACKET_TEXT, st.integers(min_value=0, max_value=40))
def test_the_findings_take_the_clause_steps_brackets_only_where_they_agree(text, start):
    """The findings reuse the clause step's bracket pairs from the body's start on: they must
    be exactly those a scan from there finds (brackets wrapped onto the body's first line,
    or a start inside a line, make the scan from there the answer)."""
    start = min(start, len(text))
    whole = find_pairs(text, within_lines=True)
    assert pairs_from(text, start, whole) == find_pairs(text, start, within_lines=True)


def test_a_bracket_wrapped_onto_the_first_item_changes_no_depth_from_there():
    text = "前言（青岛市\n1突破（市司法局）负责）\n"
    start = text.index("1突破")
    inner = (text.index("（市"), text.index("）"), 0)  # outermost from the item's start: a statement
    whole = find_pairs(text, within_lines=True)
    assert (inner[0], inner[1], 1) in whole  # in the whole text it nests in the wrapped bracket
    assert pairs_from(text, start, whole) == [inner] == find_pairs(text, start, within_lines=True)
