"""Citations (《…》, nested titles, issuer prefixes, bare 宪法/民法典, basis vs produces) and deadlines."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plangraph.ingest.deadlines import find_deadlines
from plangraph.ingest.pipeline import extract_text


def citations_of(text: str) -> list[tuple[str, str]]:
    extraction = extract_text(text)
    found = list(extraction.citations) + [c for t in extraction.tasks for c in t.citations]
    return [(c.title, c.relation) for c in sorted(found, key=lambda c: c.start)]


def test_basis_and_produces():
    text = ("1.加强制度建设。全面贯彻落实国务院《优化营商环境条例》和《湖南省优化营商环境规定》，"
            "出台《常德市企业信用分类分级监管办法》和《常德市个人诚信积分管理办法》。\n")
    assert citations_of(text) == [("优化营商环境条例", "basis"), ("湖南省优化营商环境规定", "basis"),
                                  ("常德市企业信用分类分级监管办法", "produces"),
                                  ("常德市个人诚信积分管理办法", "produces")]


def test_a_verb_inside_an_earlier_title_does_not_decide_the_next_one():
    text = "1.落实《常德市人民代表大会及其常务委员会制定地方性法规条例》和《常德市人民政府工作规则》。\n"
    assert [r for _t, r in citations_of(text)] == ["basis", "basis"]


def test_relation_is_read_within_its_clause():
    text = "1.贯彻落实《湖南省突发事件应急处置暂行办法》等制度,制定发布《常德市应急预案》《常德市流感应急预案》。\n"
    assert citations_of(text) == [("湖南省突发事件应急处置暂行办法", "basis"),
                                  ("常德市应急预案", "produces"), ("常德市流感应急预案", "produces")]


def test_nested_title_gives_both():
    text = "1.落实《湖南省实施<中华人民共和国突发事件应对法>办法》等法规。\n"
    assert citations_of(text) == [("湖南省实施<中华人民共和国突发事件应对法>办法", "basis"),
                                  ("中华人民共和国突发事件应对法", "basis")]


def test_bare_constitution_and_civil_code():
    text = "1.带头遵守执行宪法法律，坚持把民法典作为重要标尺，学习宪法、民法典。\n"
    assert [t for t, _r in citations_of(text)] == ["宪法", "民法典", "宪法", "民法典"]


def test_citation_offsets_point_at_the_mention():
    text = "为贯彻落实《法治政府建设实施纲要(2021-2025年)》，制定本方案。\n一、任务\n1.出台《某办法》。\n"
    extraction = extract_text(text)
    for c in list(extraction.citations) + [c for t in extraction.tasks for c in t.citations]:
        assert text[c.start:c.end] == c.mention
    assert [c.title for c in extraction.citations] == ["法治政府建设实施纲要(2021-2025年)"]


@pytest.mark.parametrize("text, expected", [
    ("2022年底前动态调整", ("2022年底前", "2022-12-31", None)),
    ("到2023年底前形成", ("2023年底前", "2023-12-31", None)),
    ("于2022年6月底前完成", ("2022年6月底前", "2022-06-30", None)),
    ("2024年2月底完成", ("2024年2月底", "2024-02-29", None)),
    ("2022年9月30日前完成", ("2022年9月30日前", "2022-09-30", None)),
    ("2023年三季度末前完成", ("2023年三季度末前", "2023-09-30", None)),
    ("每年3月1日前报告", ("每年3月1日前", None, "yearly")),
    ("每年一季度确定", ("每年一季度", None, "yearly")),
    ("（5月底取得明显成效，牵头考核单位：市审批服务局）", ("5月底", None, None)),
    ("（12月取得明显成效并持续推进，牵头考核单位：市文旅局）", ("12月", None, None)),
    ("年底前完成全部改造任务", ("年底前", None, None)),
])
def test_deadline_forms(text, expected):
    found = find_deadlines(text)
    assert [(d.text, d.date, d.recurring) for d in found] == [expected]
    assert text[found[0].start:found[0].end] == found[0].text


@pytest.mark.parametrize("text", ["到2025年，全市各级政府", "2022年6月20日", "持续推进", "到2025年年底，全省信息技术",
                                  "每年至少安排听取一次"])
def test_not_deadlines(text):
    assert find_deadlines(text) == []


def test_deadlines_attach_to_their_task():
    text = "一、任务\n1.第一项。2022年底前完成。\n2.第二项。每年3月1日前报告。\n"
    tasks = extract_text(text).tasks
    assert [[d.text for d in t.deadlines] for t in tasks] == [["2022年底前"], ["每年3月1日前"]]


def _deadlines_over_whole_text(text: str):
    """The definition: each form of PATTERNS over the whole text, in order; a match
    overlapping an earlier one is dropped."""
    from plangraph.ingest import deadlines as D
    found, taken = [], []
    for pattern, resolve, recurring in D.PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(D.FoundDeadline(m.group(0), resolve(m), recurring, m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="年月日底末前之以每季度上半内完成全面0123456789一二三四十，（( \n", max_size=160))
def test_deadlines_searched_near_date_characters_only_find_the_same(text):
    """find_deadlines only scans the text around 年/月 (speed); it must find exactly what
    scanning everything finds, on dense, adversarial strings too."""
    from plangraph.ingest.deadlines import find_deadlines
    assert find_deadlines(text) == _deadlines_over_whole_text(text)
