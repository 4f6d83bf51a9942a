"""build_graph_records: the one mapping from an Extraction to what both stores write."""
from __future__ import annotations

import copy
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_tiny_extraction
from plangraph.graph.records import build_graph_records, merge_shared_props, regulation_key, regulation_props
from plangraph.graph.rows import task_number


def _neo4j_safe(value) -> bool:
    if isinstance(value, (str, int, float, bool)):
        return True
    if isinstance(value, list):
        return all(isinstance(v, (str, int, float, bool)) for v in value) and len({type(v) for v in value}) <= 1
    return False


def test_records_of_tiny_plan():
    r = build_graph_records(make_tiny_extraction())
    assert r.document_id == "tiny_plan"
    assert [t.props["id"] for t in r.tasks] == ["1.1", "2.1.1", "2.1.2", "2.2.3", "2.2.4", "2.2.5"]
    assert r.tasks[0].section_key is None  # no section: the Document contains it
    assert {s.props["id"]: s.props["title"] for s in r.sections} == {"2.1": "制度建设", "2.2": "能力提升"}
    # canonical name wins over the name as written; units deduplicated
    names = [u.key for u in r.units]
    assert "市发展改革委" in names and "市发改委" not in names
    assert len(names) == len(set(names)) == 7
    fgw = next(a for a in r.assignments if a.unit == "市发展改革委")
    assert fgw.props["unit"] == "市发改委" and fgw.role == "lead" and fgw.rel_type == "LEADS"
    # 《中华人民共和国行政处罚法》 (outside tasks) and 《行政处罚法》 (in a task) are one regulation
    assert sorted(g.key for g in r.regulations) == ["政府督查工作条例", "某市行政执法办法", "行政处罚法"]
    outside = [c for c in r.citations if c.source_key is None]
    assert [(c.regulation, c.props["title"]) for c in outside] == [("行政处罚法", "中华人民共和国行政处罚法")]
    collective = {u.key: u.props["collective"] for u in r.units}
    assert collective["市政府各部门"] is True and collective["市司法局"] is False


def test_every_property_is_neo4j_safe():
    r = build_graph_records(make_tiny_extraction())
    dicts = [r.document.props] + [n.props for n in r.sections + r.tasks + r.units + r.regulations]
    dicts += [a.props for a in r.assignments] + [c.props for c in r.citations]
    for props in dicts:
        for k, v in props.items():
            assert _neo4j_safe(v), (k, v)
    deadlines = json.loads(r.tasks[1].props["deadlines"])
    assert deadlines[0]["date"] == "2022-12-31"
    assert r.tasks[3].props["deadline_dates"] == [] and r.tasks[3].props["deadline_texts"] == ["每年"]


def test_duplicate_task_ids_do_not_clobber():
    e = make_tiny_extraction()
    e.tasks[2].id = e.tasks[1].id
    keys = [t.key for t in build_graph_records(e).tasks]
    assert len(keys) == len(set(keys)) == 6


def test_fingerprint_tracks_content():
    a = build_graph_records(make_tiny_extraction()).document.props["fingerprint"]
    assert a == build_graph_records(make_tiny_extraction()).document.props["fingerprint"]
    e = make_tiny_extraction()
    e.tasks[1].assignments[0].role = "participant"
    assert build_graph_records(e).document.props["fingerprint"] != a


def test_unit_and_regulation_properties():
    r = build_graph_records(make_tiny_extraction())
    units = {u.key: u.props for u in r.units}
    assert {k: units["市司法局"][k] for k in ("kind", "kind_label", "level", "levels")} == \
        {"kind": "government_department", "kind_label": "政府部门", "level": "市", "levels": ["市"]}
    assert units["各区县政府"]["collective"] and units["各区县政府"]["level"] == "区县"
    regs = {g.key: g.props for g in r.regulations}
    assert (regs["行政处罚法"]["status"], regs["行政处罚法"]["level"], regs["行政处罚法"]["canonical_title"]) == \
        ("resolved", "法律", "中华人民共和国行政处罚法")
    assert (regs["某市行政执法办法"]["status"], regs["某市行政执法办法"]["level"]) == ("form", "")


_UNIT_VARIANTS = [
    {"name": "相关部门", "collective": True, "kind": "government_department", "kind_label": "政府部门",
     "level": "市", "levels": ["市"]},
    {"name": "相关部门", "collective": False, "kind": "government_department", "kind_label": "政府部门",
     "level": "国家", "levels": ["国家"]},
    {"name": "相关部门", "collective": False, "kind": "government_department", "kind_label": "政府部门",
     "level": "", "levels": []},
]
_REG_VARIANTS = [regulation_props("优化营商环境条例", "优化营商环境条例", p) for p in ("国务院", None, "湖南省人民政府")] + \
    [regulation_props("优化营商环境条例", "优化营商环境条例(草案)", None)]


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(3)), st.permutations(range(4)), st.integers(0, 2))
def test_shared_properties_merge_in_any_order(units, regs, repeat):
    def fold(label, variants, order):
        out = None
        for i in list(order) + list(order[:repeat]):
            out = merge_shared_props(label, out, variants[i])
        return out
    u = fold("Unit", _UNIT_VARIANTS, units)
    assert u == fold("Unit", _UNIT_VARIANTS, range(3))
    assert (u["collective"], u["levels"], u["level"]) == (True, ["国家", "市"], "")
    g = fold("Regulation", _REG_VARIANTS, regs)
    assert g == fold("Regulation", _REG_VARIANTS, range(4)) and g["status"] == "resolved"


def test_regulation_key():
    assert regulation_key("《中华人民共和国行政处罚法》") == regulation_key("行政处罚法")
    assert regulation_key("中华人民共和国行政处罚法") == "行政处罚法"
    assert regulation_key("法治政府建设实施纲要（2021－2025年）") == regulation_key("法治政府建设实施纲要(2021-2025年)")
    assert regulation_key("中华人民共和国") == "中华人民共和国"  # nothing left to strip to


def test_task_number():
    assert task_number("2.5.19") == 19
    assert task_number("p2:1.3") == 3
    assert task_number("2.1.a") == 1
    assert task_number("x") is None


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_any_unit_name_maps_without_error(name):
    e = make_tiny_extraction()
    e = copy.deepcopy(e)
    e.tasks[1].assignments[0].unit = name
    e.tasks[1].assignments[0].canonical = None
    r = build_graph_records(e)
    if name.strip():
        assert name.strip() in [u.key for u in r.units]


def test_a_workload_row_carries_each_count_under_its_role():
    from plangraph.graph.aggregates import LOAD_FIELDS
    from plangraph.graph.rows import unit_workload
    props = {"name": "市司法局", "collective": False, "kind": "government_department", "kind_label": "政府部门",
             "level": ""}
    counts = [1, 2, 3, 4, 9, 5]
    row = unit_workload(props, counts)
    assert {f: getattr(row, f) for f in LOAD_FIELDS} == dict(zip(LOAD_FIELDS, counts))
    assert (row.unit, row.collective, row.kind, row.kind_label, row.level) == (
        "市司法局", False, "government_department", "政府部门", None)


def test_document_summaries_read_back_as_written():
    """Neo4j keeps what documents() shows of a Document as one string per Document: the
    values split by a control character, or JSON when a value holds it, or JSON as an older
    store wrote it. Each reads back to the same DocumentSummary."""
    import json

    from plangraph.graph.neo4j_write import SUMMARY_MARK, summary_rows, summary_value
    from plangraph.graph.rows import DOCUMENT_FIELDS, document_summary
    plain = {"id": "p1", "title": "某市法治政府建设实施方案(2021-2025年)", "doc_number": None, "issuer": "某市人民政府",
             "date": "2021-12-30", "source": "/plans/[2021] 方案.txt", "sha256": "ab" * 32, "extractor": "2026.12.03",
             "n_sections": 5, "n_tasks": 102, "n_units": 78, "n_regulations": 0, "n_assignments": 363, "n_citations": 42}
    odd = dict(plain, id="p2", title=f"标题{SUMMARY_MARK}里有分隔符")
    older = dict(plain, id="p3")
    values = [summary_value(plain), summary_value(odd), json.dumps([older.get(f) for f in DOCUMENT_FIELDS],
                                                                   ensure_ascii=False)]
    assert values[0].startswith(SUMMARY_MARK) and values[1].startswith("[")
    got = sorted((document_summary(v) for v in summary_rows(values)), key=lambda d: d.document_id)
    for props, summary in zip((plain, odd, older), got):
        assert summary == document_summary([props.get(f) for f in DOCUMENT_FIELDS])
    assert got[0].doc_number == "" and got[0].tasks == 102 and got[0].regulations == 0
    assert got[1].title == odd["title"] and got[0].source == "/plans/[2021] 方案.txt"
    # all in the split form (one split of them all), and none
    both = [document_summary(v) for v in summary_rows([values[0], summary_value(dict(plain, id="p4", title=""))])]
    assert [d.document_id for d in both] == ["p1", "p4"] and both[0] == got[0] and both[1].title == ""
    assert summary_rows([]) == []


def test_co_edges_of_pairs_already_in_order_are_the_same_without_sorting():
    """co_edges(ordered=True) is how a kept answer is read again (Neo4j's answer lists):
    given co_edges' own order it gives the same rows, with the same filters."""
    from plangraph.graph.aggregates import co_edges
    pairs = [("市财政局", "市教育局", 2), ("市司法局", "市委宣传部", 3), ("市法院", "市政府有关部门", 1),
             ("市司法局", "市法院", 3), ("市教育局", "市民政局", 2)]
    ordered = [(e.a, e.b, e.weight) for e in co_edges(pairs)]
    assert [w for _, _, w in ordered] == [3, 3, 2, 2, 1] and ordered[0] == ("市司法局", "市委宣传部", 3)
    for min_weight, collective in ((1, ()), (2, ()), (1, {"市政府有关部门"}), (3, {"市司法局"})):
        assert co_edges(ordered, min_weight, collective, ordered=True) == co_edges(pairs, min_weight, collective)
