"""Both stores on the tiny hand-made plan: answers, replacement, sharing, atomicity, safety."""
from __future__ import annotations

import pytest

from conftest import TINY_TEXT, fail_write_step, make_tiny_extraction
from plangraph.graph.store import StoreError
from plangraph.ingest.model import FINDING_KINDS, Citation

DOC = "tiny_plan"


def snapshot(store) -> tuple:
    """Everything observable through the API, to check a store did not change."""
    g = store.to_networkx()
    nodes = sorted((n, sorted((k, repr(v)) for k, v in a.items())) for n, a in g.nodes(data=True))
    edges = sorted((u, v, sorted((k, repr(x)) for k, x in a.items())) for u, v, a in g.edges(data=True))
    return (nodes, edges, store.documents(), store.tasks(), store.workload(), store.regulations(),
            store.co_responsibility(), store.findings(), store.finding_counts())


def ids(rows) -> list[str]:
    return [r.task_id for r in rows]


def test_tiny_plan_answers(store, tiny_extraction):
    res = store.ingest(tiny_extraction)
    assert (res.document_id, res.tasks, res.units, res.regulations, res.replaced) == (DOC, 6, 7, 3, False)

    [doc] = store.documents()
    assert (doc.document_id, doc.title, doc.sections, doc.tasks, doc.units, doc.regulations) == \
        (DOC, "某市示范工作方案", 2, 6, 7, 3)
    assert (doc.assignments, doc.citations) == (11, 4)
    assert store.document_text(DOC) == TINY_TEXT

    t = store.task(DOC, "2.1.1")
    assert (t.heading, t.section, t.section_title) == ("完善执法制度", "2.1", "制度建设")
    assert (t.lead, t.participants, t.responsible) == (["市司法局"], ["市政府各部门"], [])
    assert (t.basis, t.produces) == (["行政处罚法"], ["某市行政执法办法"])
    assert [(d.text, d.date) for d in t.deadlines] == [("2022年底前", "2022-12-31")]
    assert store.task(DOC, "9.9") is None
    assert ids(store.tasks()) == ["1.1", "2.1.1", "2.1.2", "2.2.3", "2.2.4", "2.2.5"]

    assert ids(store.tasks_of_unit("市司法局")) == ["2.1.1", "2.2.4", "2.2.5"]
    assert ids(store.tasks_of_unit("市司法局", ["lead"])) == ["2.1.1", "2.2.5"]
    assert ids(store.tasks_of_unit("市司法局", "participant")) == ["2.2.4"]
    assert ids(store.tasks_of_unit("市发展改革委", ["lead"])) == ["2.2.4"]
    # issue 5: a unit is found by the name as written too (市发改委 → 市发展改革委); this was [] before
    assert ids(store.tasks_of_unit("市发改委")) == ["2.2.4"]
    assert store.tasks_of_unit("nobody") == []

    units = store.units_of_task(DOC, "2.2.4")
    assert [(u.unit, u.role, u.as_written) for u in units] == [
        ("市发展改革委", "lead", "市发改委"), ("市司法局", "participant", "市司法局"),
        ("市政务服务中心", "participant", "市政务服务中心")]
    for u in units:  # provenance points at the source
        assert TINY_TEXT[u.start:u.end] == u.mention

    regs = store.regulations()
    assert [(r.key, r.basis_count, r.produces_count, r.tasks, r.documents) for r in regs] == [
        ("行政处罚法", 2, 0, 1, 1), ("政府督查工作条例", 1, 0, 1, 1), ("某市行政执法办法", 0, 1, 1, 1)]
    assert regs[0].titles == ["中华人民共和国行政处罚法", "行政处罚法"]
    assert [r.key for r in store.regulations("督查")] == ["政府督查工作条例"]
    assert [r.key for r in store.regulations("中华人民共和国行政处罚法")] == ["行政处罚法"]

    cites = store.tasks_citing("《中华人民共和国行政处罚法》")
    assert [(c.task.task_id, c.relation, c.title) for c in cites] == [("2.1.1", "basis", "行政处罚法")]
    assert TINY_TEXT[cites[0].start:cites[0].end] == "《行政处罚法》"
    assert [c.task.task_id for c in store.tasks_citing("某市行政执法办法", "produces")] == ["2.1.1"]
    assert store.tasks_citing("某市行政执法办法", "basis") == []
    assert store.tasks_citing("没有这部法") == []

    assert ids(store.orphans("no_lead")) == ["2.1.2", "2.2.3"]
    assert ids(store.orphans("collective_only")) == ["2.2.3"]
    assert ids(store.orphans("unassigned")) == ["1.1"]
    assert ids(store.orphans("no_deadline")) == ["1.1", "2.1.2", "2.2.5"]
    assert ids(store.orphans("deadline_passed", as_of="2024-01-01")) == ["2.1.1"]
    assert ids(store.orphans("deadline_passed", as_of="2022-12-31")) == []  # due that day: not passed
    assert ids(store.orphans("deadline_passed", as_of="2031-01-01")) == ["2.1.1", "2.2.4"]

    work = {w.unit: w for w in store.workload()}
    assert (work["市司法局"].lead, work["市司法局"].participant, work["市司法局"].total) == (2, 1, 3)
    assert work["各区县政府"].collective and work["各区县政府"].responsible == 2
    assert store.workload()[0].unit == "市司法局"

    assert (work["市司法局"].kind, work["市司法局"].kind_label, work["市司法局"].level) == \
        ("government_department", "政府部门", "市")
    assert (work["各区县政府"].kind, work["各区县政府"].level) == ("government", "区县")
    assert (work["市委宣传部"].kind, work["市政务服务中心"].kind) == ("party", "public_institution")
    assert [(u.unit, u.kind, u.level) for u in store.units_of_task(DOC, "2.1.1")] == [
        ("市司法局", "government_department", "市"), ("市政府各部门", "government_department", "市")]

    reg = {r.key: r for r in regs}
    assert (reg["行政处罚法"].status, reg["行政处罚法"].level, reg["行政处罚法"].canonical_title,
            reg["行政处罚法"].issuer_level, reg["行政处罚法"].form_label) == \
        ("resolved", "法律", "中华人民共和国行政处罚法", "国家", "法律")
    assert reg["行政处罚法"].publish_date and reg["行政处罚法"].publish_date[:4] >= "1996"
    assert (reg["政府督查工作条例"].status, reg["政府督查工作条例"].level) == ("resolved", "行政法规")
    assert (reg["某市行政执法办法"].status, reg["某市行政执法办法"].level, reg["某市行政执法办法"].form_class,
            reg["某市行政执法办法"].form_label) == ("form", None, "rules", "规章制度")

    [d] = store.deliverables()
    assert (d.task.task_id, d.regulation, d.title, d.units, d.form_label, d.status) == \
        ("2.1.1", "某市行政执法办法", "某市行政执法办法", ["市司法局"], "规章制度", "form")
    assert [x.text for x in d.deadlines] == ["2022年底前"] and TINY_TEXT[d.start:d.end] == d.mention
    assert store.deliverables(["other"]) == []
    assert ids(store.orphans("deliverable_no_deadline")) == []
    assert ids(store.orphans("unresolved_citation")) == []

    co = {(e.a, e.b): e.weight for e in store.co_responsibility()}
    assert co[("市发展改革委", "市司法局")] == 1 and ("各区县政府", "市政府各部门") in co
    no_coll = {(e.a, e.b): e.weight for e in store.co_responsibility(include_collective=False)}
    assert no_coll == {("市发展改革委", "市司法局"): 1, ("市发展改革委", "市政务服务中心"): 1,
                       ("市司法局", "市政务服务中心"): 1, ("市司法局", "市委宣传部"): 1}  # the pairs of specific units
    assert store.co_responsibility(min_weight=2) == []


def test_bad_arguments(store, tiny_extraction):
    store.ingest(tiny_extraction)
    with pytest.raises(StoreError):
        store.orphans("nonsense")
    with pytest.raises(StoreError):
        store.orphans("deadline_passed", as_of="2024-13-40")
    with pytest.raises(StoreError):
        store.tasks_of_unit("市司法局", ["boss"])
    with pytest.raises(StoreError):
        store.tasks_citing("行政处罚法", "inspires")


def test_the_cycle_collector_is_on_again_after_every_answer_and_error(store, tiny_extraction):
    """Stores pause Python's cycle collector while they build big answers or read a graph
    (graph.store.collector_paused); it must be back on afterwards, also after an error."""
    import gc
    store.ingest(tiny_extraction)
    store.tasks(), store.deliverables(), store.workload()
    assert gc.isenabled()
    with pytest.raises(StoreError):
        store.orphans("nonsense")
    assert gc.isenabled()


def test_a_paused_collector_stays_paused_for_an_outer_pause():
    """Nested pauses (a store call inside a graph load, two threads): only the caller that
    paused the collector turns it back on."""
    import gc

    from plangraph.graph.neo4j_store import collector_paused
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0
    assert gc.isenabled()


def test_reingest_same_counts_and_skip_unchanged(store, tiny_extraction):
    store.ingest(tiny_extraction)
    before = snapshot(store)
    res = store.ingest(make_tiny_extraction())
    assert res.replaced and not res.unchanged
    assert snapshot(store) == before
    res = store.ingest(make_tiny_extraction(), skip_unchanged=True)
    assert res.unchanged
    assert snapshot(store) == before


def test_replacing_deletes_units_left_without_edges(store):
    store.ingest(make_tiny_extraction())
    store.ingest(make_tiny_extraction(rename={"市政务服务中心": "市大数据中心"}))
    names = store.unit_names()
    assert "市大数据中心" in names and "市政务服务中心" not in names
    assert len(store.tasks()) == 6


def test_shared_units_and_regulations_across_documents(store):
    store.ingest(make_tiny_extraction("plan_a"))
    store.ingest(make_tiny_extraction("plan_b", rename={"市委宣传部": "市文明办"}))
    work = {w.unit: w for w in store.workload()}
    assert work["市司法局"].total == 6 and work["市司法局"].documents == 2
    assert work["市委宣传部"].documents == 1 and work["市文明办"].documents == 1
    reg = {r.key: r for r in store.regulations()}["行政处罚法"]
    assert (reg.basis_count, reg.tasks, reg.documents) == (4, 2, 2)
    # restricting to one document
    assert {w.unit for w in store.workload(["plan_b"])} == {w.unit for w in store.workload(["plan_a"])} \
        - {"市委宣传部"} | {"市文明办"}
    assert ids(store.orphans("no_lead", document_ids=["plan_b"])) == ["2.1.2", "2.2.3"]
    assert [t.document_id for t in store.tasks_of_unit("市司法局", document_ids=["plan_a"])] == ["plan_a"] * 3
    assert [d.document_id for d in store.documents(["plan_b"])] == ["plan_b"]
    assert store.tasks(document_ids=[]) == []
    # deleting one document keeps what the other still uses
    assert store.delete_document("plan_a")
    assert not store.delete_document("plan_a")
    names = store.unit_names()
    assert "市委宣传部" not in names and "市文明办" in names and "市司法局" in names
    assert {r.key for r in store.regulations()} == {"行政处罚法", "政府督查工作条例", "某市行政执法办法"}
    assert store.delete_document("plan_b")
    assert store.unit_names() == [] and store.regulations() == [] and store.documents() == []
    assert store.to_networkx().number_of_nodes() == 0


def test_text_is_data_not_cypher(store):
    evil = '"}) DETACH DELETE n //'
    evil2 = "市司法局'}) MATCH (m) DETACH DELETE m //\\"
    store.ingest(make_tiny_extraction("other"))
    e = make_tiny_extraction("evil", rename={"市政府办": evil, "市委宣传部": evil2})
    e.document.title = "`; MATCH (n) DETACH DELETE n"
    e.tasks[1].citations[0].title = "x'}) DETACH DELETE g //《》"
    store.ingest(e)
    assert evil in store.unit_names() and evil2 in store.unit_names()
    assert ids(store.tasks_of_unit(evil)) == ["2.1.2"]
    assert {d.document_id: d.title for d in store.documents()}["evil"] == e.document.title
    assert len(store.tasks()) == 12
    assert [c.title for c in store.tasks_citing("x'}) DETACH DELETE g //")] == ["x'}) DETACH DELETE g //《》"]


@pytest.mark.parametrize("step", ["_write_tasks", "_write_assignments", "_write_citations", "_write_findings"])
def test_failed_write_leaves_store_unchanged(store, monkeypatch, step):
    store.ingest(make_tiny_extraction("plan_a"))
    store.ingest(make_tiny_extraction("plan_b"))
    before = snapshot(store)
    fail_write_step(monkeypatch, store, step)
    with pytest.raises(RuntimeError, match="injected"):  # a changed version of an existing document
        store.ingest(make_tiny_extraction("plan_a", rename={"市司法局": "市法院"}))
    with pytest.raises(RuntimeError, match="injected"):  # a new document
        store.ingest(make_tiny_extraction("plan_c"))
    with pytest.raises(RuntimeError, match="injected"):  # an unchanged one, rewritten
        store.ingest(make_tiny_extraction("plan_b"))
    monkeypatch.undo()
    assert snapshot(store) == before
    if store.kind == "embedded":  # and on disk: a fresh instance reads the same
        from plangraph.graph.embedded import EmbeddedStore
        assert snapshot(EmbeddedStore(store.home)) == before


def test_unit_lookup_by_the_name_as_typed(store):
    store.ingest(make_tiny_extraction("plan_a"))
    store.ingest(make_tiny_extraction("plan_b", rename={"市司法局": "某区司法局", "市政务服务中心": "某区政务服务中心"}))
    assert store.resolve_unit("市司法局") == "市司法局"  # an exact canonical name wins
    assert store.resolve_unit("市 发改委") == "市发展改革委"  # as written, spaces ignored
    assert store.resolve_unit("宣传部") == "市委宣传部"  # the one canonical name ending so
    assert store.resolve_unit("区司法局") == "某区司法局"
    assert store.resolve_unit("nobody") is None and store.tasks_of_unit("nobody") == []
    with pytest.raises(StoreError, match="市司法局、某区司法局") as err:
        store.tasks_of_unit("司法局")
    assert "\n" not in str(err.value)
    # restricted to documents, only the units assigned there count
    assert store.resolve_unit("司法局", ["plan_b"]) == "某区司法局"
    assert ids(store.tasks_of_unit("司法局", ["lead"], document_ids=["plan_b"])) == ["2.1.1", "2.2.5"]
    assert store.find_units("政务服务中心") == ["市政务服务中心", "某区政务服务中心"]


def test_deliverables_and_citation_gaps(store):
    e = make_tiny_extraction()
    e.tasks[1].deadlines = []  # 完善执法制度 produces 《某市行政执法办法》, now without a time limit
    e.tasks[4].citations.append(Citation(title="十四五", mention="《十四五》", relation="basis", start=0, end=0))
    e.tasks[5].citations.append(Citation(title="某市普法规划", mention="《某市普法规划》", relation="produces",
                                         start=1, end=1))
    store.ingest(e)
    assert ids(store.orphans("deliverable_no_deadline")) == ["2.1.1", "2.2.5"]
    assert ids(store.orphans("unresolved_citation")) == ["2.2.4"]
    assert {r.key: r.status for r in store.regulations()}["十四五"] == "unknown"
    got = [(d.task.task_id, d.regulation, d.units, d.deadlines, d.form_label) for d in store.deliverables()]
    assert got == [("2.1.1", "某市行政执法办法", ["市司法局"], [], "规章制度"),
                   ("2.2.5", "某市普法规划", ["市委宣传部", "市司法局"], [], "规划方案")]
    from plangraph.graph.gaps import find_gaps
    gaps = find_gaps(store, ["unresolved_citation", "deliverable_no_deadline"])
    assert list(gaps) == ["deliverable_no_deadline", "unresolved_citation"]


def test_shared_node_properties_do_not_depend_on_write_order(store, tmp_path):
    """A regulation keeps its best resolution and a unit all its levels, whatever the order."""
    a = make_tiny_extraction("plan_a")
    b = make_tiny_extraction("plan_b")
    b.document.issuer, b.document.title = "国务院办公厅", "国务院办公厅关于示范工作的通知"
    b.tasks[2].citations[0].title = "政府督查工作条例(某某版)"
    b.tasks[2].citations[0].issuer_prefix = "国务院"
    store.ingest(a)
    store.ingest(b)
    first = (store.workload(), store.regulations())
    store.ingest(a)
    assert (store.workload(), store.regulations()) == first
    work = {w.unit: w for w in store.workload()}
    assert work["市政务服务中心"].level == "市"
    assert work["各区县政府"].level == "区县"


@pytest.mark.parametrize("step", ["_write_tasks", "_write_assignments", "_write_citations", "_write_findings"])
def test_a_batch_is_one_transaction(store, monkeypatch, step):
    """write_documents is all or nothing: a document failing in the middle of a batch leaves
    every document of the batch as it was, also on disk; without the failure all are written."""
    from plangraph.graph.records import build_graph_records
    store.ingest(make_tiny_extraction("plan_a"))
    before = snapshot(store)
    batch = [build_graph_records(e) for e in (make_tiny_extraction("plan_b"),
                                              make_tiny_extraction("plan_a", rename={"市司法局": "市法院"}),
                                              make_tiny_extraction("plan_c"))]
    fail_write_step(monkeypatch, store, step, "plan_a")
    with pytest.raises(RuntimeError, match="injected"):
        store.write_documents(batch)
    monkeypatch.undo()
    assert snapshot(store) == before
    if store.kind == "embedded":
        from plangraph.graph.embedded import EmbeddedStore
        assert snapshot(EmbeddedStore(store.home)) == before
    assert [r.replaced for r in store.write_documents(batch)] == [False, True, False]
    assert sorted(d.document_id for d in store.documents()) == ["plan_a", "plan_b", "plan_c"]
    assert "市法院" in store.unit_names()


# ---------------------------------------------------------------- the guide role (指导)

def guided_extraction(doc_id: str = "guided_plan"):
    """The tiny plan with guiding units: 1.1 names only a guide; 2.1.1 a lead, a participant
    and a guide; 2.2.3 only collective units that carry it out, and a specific guide."""
    from plangraph.ingest.model import Assignment
    e = make_tiny_extraction(doc_id)
    tasks = {t.id: t for t in e.tasks}

    def guide(task_id: str, unit: str, collective: bool = False) -> None:
        t = tasks[task_id]
        t.assignments.append(Assignment(unit=unit, mention=unit, role="guide", collective=collective,
                                        start=t.start, end=t.start + 2))
    guide("1.1", "市委依法治市办")
    guide("2.1.1", "市委依法治市办")
    guide("2.2.3", "省司法厅")
    return e


def test_guides_are_named_but_do_not_lead_or_carry_out(store):
    store.ingest(guided_extraction())
    t = store.task("guided_plan", "1.1")
    assert (t.lead, t.participants, t.responsible, t.guides) == ([], [], [], ["市委依法治市办"])
    assert store.task("guided_plan", "2.1.1").guides == ["市委依法治市办"]
    # a task whose only unit guides has no lead, but it names a unit
    assert ids(store.orphans("no_lead")) == ["1.1", "2.1.2", "2.2.3"]
    assert ids(store.orphans("unassigned")) == []
    # the units that carry 2.2.3 out are all collective; its guide does not change that
    assert ids(store.orphans("collective_only")) == ["2.2.3"]
    work = {w.unit: w for w in store.workload()}
    assert (work["市委依法治市办"].guide, work["市委依法治市办"].lead, work["市委依法治市办"].total) == (2, 0, 2)
    assert work["市司法局"].guide == 0 and work["省司法厅"].guide == 1
    assert ids(store.tasks_of_unit("市委依法治市办", ["guide"])) == ["1.1", "2.1.1"]
    assert ids(store.tasks_of_unit("市委依法治市办", ["lead", "participant", "responsible"])) == []
    # co-responsibility is about carrying tasks out: a guide shares no task with the units it guides
    assert not any("市委依法治市办" in (e.a, e.b) or "省司法厅" in (e.a, e.b) for e in store.co_responsibility())
    assert [(u.unit, u.role) for u in store.units_of_task("guided_plan", "1.1")] == [("市委依法治市办", "guide")]
    [d] = store.deliverables()
    assert d.units == ["市司法局"]  # the guide is not who delivers
    g = store.to_networkx()
    assert [e["type"] for u, v, e in g.edges(data=True) if u == "Unit:市委依法治市办"] == ["GUIDES", "GUIDES"]
    assert store.workload(["guided_plan"]) == store.workload()  # the per-document path counts the same


def test_guides_in_every_export(store):
    import csv
    import io
    import json

    import networkx as nx

    from plangraph.graph.export import CSV_HEADER, export
    store.ingest(guided_extraction())
    rows = list(csv.DictReader(io.StringIO(export(store, "csv").decode("utf-8-sig"))))
    assert "指导单位" in CSV_HEADER
    assert {r["任务编号"]: r["指导单位"] for r in rows}["2.1.1"] == "市委依法治市办"
    g = nx.read_graphml(io.BytesIO(export(store, "graphml")))
    assert {d.get("type") for u, v, d in g.edges(data=True) if u == "Unit:省司法厅"} == {"GUIDES"}
    data = json.loads(export(store, "json"))
    assert sum(e["type"] == "GUIDES" for e in data["edges"]) == 3


# ---------------------------------------------------------------- findings: what the extractor could not read

def findings_of(rows) -> list[tuple]:
    return [(f.document_id, f.position, f.kind, f.task_id, f.task_heading, f.text) for f in rows]


EVERY_KIND_ONCE = dict.fromkeys(FINDING_KINDS, 1)


def test_findings_are_kept_with_their_document(store):
    store.ingest(make_tiny_extraction("plan_a"))
    store.ingest(make_tiny_extraction("plan_b"))
    rows = store.findings(["plan_a"])
    assert findings_of(rows) == [
        ("plan_a", 0, "unlabelled_number", None, None, "为贯彻落实《中华人民共和国行政处罚法》,制定本方案。"),
        ("plan_a", 1, "task_without_units", "1.1", "指导思想", "指导思想"),
        ("plan_a", 2, "unread_statement", "2.1.2", "加强政府督查", "(责任单位:市政府办、各区县政府按职责分工负责)"),
        ("plan_a", 3, "unknown_unit", "2.2.4", "推进数字执法", "市政务服务中心")]
    assert all(TINY_TEXT[f.start:f.end] == f.text for f in rows)  # offsets into the document's text
    assert [(f.document_id, f.position) for f in store.findings()] == \
        [(d, i) for d in ("plan_a", "plan_b") for i in range(4)]
    assert findings_of(store.findings(kinds=["unknown_unit", "unlabelled_number"])) == \
        [findings_of(store.findings([d]))[i] for d in ("plan_a", "plan_b") for i in (0, 3)]
    assert store.findings(limit=3, offset=2) == store.findings()[2:5]
    assert store.findings(["nothing"]) == [] and store.findings([]) == []
    assert store.findings_of_task("plan_a", "2.1.2") == [rows[2]]
    assert store.findings_of_task("plan_a", "2.2.5") == [] and store.findings_of_task("nothing", "1.1") == []
    assert store.finding_counts() == {"plan_a": EVERY_KIND_ONCE, "plan_b": EVERY_KIND_ONCE}
    assert store.finding_counts(["plan_b", "nothing"]) == {"plan_b": EVERY_KIND_ONCE}
    with pytest.raises(StoreError, match="unknown finding kind: 'nonsense'"):
        store.findings(kinds=["nonsense"])
    with pytest.raises(StoreError, match="offset"):
        store.findings(offset=-1)


def test_reingest_replaces_findings_and_removal_removes_them(store):
    store.ingest(make_tiny_extraction("plan_a"))
    store.ingest(make_tiny_extraction("plan_b"))
    e = make_tiny_extraction("plan_a")
    e.findings = e.findings[2:3]
    assert store.ingest(e).replaced
    assert findings_of(store.findings(["plan_a"])) == [
        ("plan_a", 0, "unread_statement", "2.1.2", "加强政府督查", "(责任单位:市政府办、各区县政府按职责分工负责)")]
    e.findings = []
    store.ingest(e)
    assert store.findings(["plan_a"]) == []
    assert store.finding_counts(["plan_a"]) == {"plan_a": dict.fromkeys(FINDING_KINDS, 0)}  # known: none
    store.delete_documents(["plan_a"])
    assert store.finding_counts() == {"plan_b": EVERY_KIND_ONCE}
    assert {f.document_id for f in store.findings()} == {"plan_b"}


def forget_findings(store, extractor: str = "2026.12.02"):
    """Make the store look as a PlanGraph that kept no findings wrote it: no findings (the
    embedded store: no table), documents without n_findings, of an older extractor, with
    another fingerprint. Returns the store to use (the embedded one opened again)."""
    if store.kind == "embedded":
        import sqlite3

        from plangraph.graph.embedded import EmbeddedStore
        con = sqlite3.connect(store.path)
        con.execute("DROP TABLE findings")
        con.execute("UPDATE documents SET extractor = ?, fingerprint = 'older', "
                    "extra = json_remove(extra, '$.n_findings')", (extractor,))
        con.commit()
        con.close()
        return EmbeddedStore(store.home)
    with store.driver.session(database=store.database) as s:  # a PlanGraph before findings kept no summary_json
        s.run("MATCH (f:Finding) DETACH DELETE f").consume()  # and no answer lists either
        s.run("MATCH (s:PlanGraphState) REMOVE s.lists_version").consume()
        s.run("MATCH (d:Document) SET d.extractor = $e, d.fingerprint = 'older' REMOVE d.n_findings, d.summary_json",
              e=extractor).consume()
    return store


def test_a_store_written_before_findings_were_kept_says_so_until_ingested_again(store, tmp_path):
    """Not known is not none: an older store's documents are absent from finding_counts, and
    `plangraph ingest` of the same, unchanged file extracts it again and writes its findings."""
    from browser_harness import REVIEW_PLAN_TEXT, REVIEW_UNREAD
    from plangraph.ingest.batch import ingest_paths
    plan = tmp_path / "river.txt"
    plan.write_text(REVIEW_PLAN_TEXT, encoding="utf-8")
    [first] = ingest_paths(store, [str(plan)], jobs=1)
    assert first.status == "ok" and store.finding_counts()["river"]["unread_statement"] == 1
    older = forget_findings(store)
    try:
        assert older.findings() == [] and older.finding_counts() == {}
        assert [d.document_id for d in older.documents()] == ["river"]  # the rest reads as before
        [again] = ingest_paths(older, [str(plan)], jobs=1)
        assert again.status == "ok", again.line()  # not "skipped: unchanged"
        assert older.finding_counts()["river"]["unread_statement"] == 1
        assert [(f.kind, f.text, f.task_id) for f in older.findings_of_task("river", "1.1.2")] == \
            [("unread_statement", REVIEW_UNREAD, "1.1.2")]
        [third] = ingest_paths(older, [str(plan)], jobs=1)
        assert third.status == "skipped"  # and now it is unchanged
    finally:
        if older is not store:
            older.close()


# ---------------------------------------------------------------- the regulation totals

def cited_differently(doc_id: str, title: str = "政府督查工作条例(某某版)"):
    """The tiny plan with one basis citation under another title (another key or title as cited)."""
    e = make_tiny_extraction(doc_id)
    e.tasks[2].citations[0].title = title
    return e


def test_regulation_totals_follow_every_kind_of_write(store):
    """regulations() of every document reads totals kept at write time: after each write (new,
    batch, replace with other citations, delete) it answers what the same question asked
    of the documents by name answers (their citations counted then), and once every
    document is gone nothing is left."""
    from plangraph.graph.records import build_graph_records
    steps = [
        lambda: store.ingest(make_tiny_extraction("plan_a")),
        lambda: store.write_documents([build_graph_records(make_tiny_extraction("plan_b")),
                                       build_graph_records(cited_differently("plan_c"))]),
        lambda: store.ingest(cited_differently("plan_a", "行政处罚法")),  # another title, same key as before
        lambda: store.ingest(cited_differently("plan_b")),  # a key only plan_c cited before
        lambda: store.delete_document("plan_c"),
        lambda: store.ingest(make_tiny_extraction("plan_a")),
    ]
    for step in steps:
        step()
        docs = [d.document_id for d in store.documents()]
        assert store.regulations() == store.regulations(document_ids=docs)
        assert store.regulations("条例") == store.regulations("条例", docs)
    regs = {r.key: r for r in store.regulations()}
    assert regs["行政处罚法"].documents == 2 and sum(r.basis_count + r.produces_count for r in regs.values()) == \
        sum(d.citations for d in store.documents())
    assert store.delete_documents(["plan_a", "plan_b"]) == [True, True]
    assert store.regulations() == []
    store.ingest(cited_differently("plan_d"))  # nothing of the deleted documents counts again
    assert store.regulations() == store.regulations(document_ids=["plan_d"])


def test_a_store_written_before_the_regulation_totals_gets_them(store):
    """A store of an older PlanGraph has no regulation totals: it answers the same, and keeps
    them from then on (embedded: built when opened; Neo4j: by the next write)."""
    store.ingest(make_tiny_extraction("plan_a"))
    store.ingest(cited_differently("plan_b"))
    before = store.regulations()
    if store.kind == "embedded":
        import sqlite3

        from plangraph.graph.embedded import EmbeddedStore
        con = sqlite3.connect(store.path)
        con.execute("DROP TABLE regulation_load")
        con.execute("DROP TABLE regulation_title")
        con.execute("DELETE FROM meta WHERE key = 'regulation_totals'")
        con.commit()
        con.close()
        older = EmbeddedStore(store.home)
    else:
        from conftest import connect_neo4j_store
        with store.driver.session(database=store.database) as s:
            s.run("MATCH (n) WHERE n:RegulationLoad OR n:RegulationTitle DETACH DELETE n").consume()
            s.run("MATCH (s:PlanGraphState) SET s.totals = 2").consume()
        older = connect_neo4j_store()
    try:
        assert older.regulations() == before
        older.ingest(cited_differently("plan_c", "行政处罚法"))
        older.delete_document("plan_a")
        assert older.regulations() == older.regulations(document_ids=["plan_b", "plan_c"])
        assert "行政处罚法" in {r.key for r in older.regulations()} and older.regulations("政府督查")
    finally:
        older.close()
