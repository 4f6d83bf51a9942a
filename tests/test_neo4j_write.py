"""Neo4j batched writes (graph.neo4j_write through Neo4jStore.write_documents), the change
counter, and `plangraph ingest --store neo4j` writing in batches. Needs a real Neo4j."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import connect_neo4j_store, fail_write_step, make_tiny_extraction
from plangraph.graph.embedded import EmbeddedStore
from plangraph.graph import neo4j_write
from plangraph.graph.records import build_graph_records, merge_shared_props
from plangraph.graph.rows import DOCUMENT_FIELDS, document_summary
from plangraph.graph.neo4j_store import Neo4jStore
from plangraph.ingest import batch
from plangraph.ingest.model import ROLES
from plangraph.cli import main

pytestmark = pytest.mark.neo4j


@pytest.fixture
def neo():
    store = connect_neo4j_store()
    store.clear_all_for_tests()
    yield store
    store.close()


def answers(store) -> tuple:
    """Everything observable through the query API."""
    g = store.to_networkx()
    nodes = sorted((n, sorted((k, repr(v)) for k, v in a.items())) for n, a in g.nodes(data=True))
    edges = sorted((u, v, sorted((k, repr(x)) for k, x in a.items())) for u, v, a in g.edges(data=True))
    gaps = [store.orphans(kind, as_of="2024-06-30") for kind in ("no_lead", "collective_only", "unassigned",
                                                                 "no_deadline", "deadline_passed")]
    return (nodes, edges, store.documents(), store.tasks(), store.workload(), store.regulations(),
            store.co_responsibility(), store.deliverables(), gaps)


def raw_counts(store) -> dict:
    """Nodes per label and relationships per type, straight from the database."""
    with store._session() as s:
        nodes = {r["l"]: r["n"] for r in s.run("MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) AS n")}
        rels = {r["t"]: r["n"] for r in s.run("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n")}
    return {"nodes": nodes, "rels": rels}


def variants() -> list:
    """Three documents sharing units and regulations that they describe differently: 司法局
    (no level / 省 / 国家 from the issuer), 市政府办 (collective in plan_c only), 政府督查工作条例
    (resolved, and in plan_c a form-only title under another key), plus a unit of plan_b only."""
    a = make_tiny_extraction("plan_a", rename={"市司法局": "司法局"})
    b = make_tiny_extraction("plan_b", rename={"市司法局": "司法局", "市委宣传部": "某区委宣传部"})
    b.document.issuer, b.document.title = "湖南省人民政府办公厅", "湖南省示范工作方案"
    c = make_tiny_extraction("plan_c", rename={"市司法局": "司法局"})
    c.document.issuer, c.document.title = "国务院办公厅", "国务院办公厅关于示范工作的通知"
    c.tasks[2].citations[0].title = "政府督查工作条例(某某版)"
    c.tasks[2].citations[0].issuer_prefix = "国务院"
    for t in c.tasks:
        for x in t.assignments:
            x.collective = x.collective or x.unit == "市政府办"
    return [build_graph_records(e) for e in (a, b, c)]


def test_batch_equals_one_by_one_and_embedded(neo, tmp_path):
    recs = variants()
    results = neo.write_documents(recs)
    assert [(r.document_id, r.tasks, r.replaced) for r in results] == \
        [("plan_a", 6, False), ("plan_b", 6, False), ("plan_c", 6, False)]
    batched = answers(neo)
    neo.clear_all_for_tests()
    one_by_one = [neo.write_document(r) for r in variants()]
    assert one_by_one == results
    assert answers(neo) == batched
    emb = EmbeddedStore(tmp_path / "home")
    emb.write_documents(variants())
    assert answers(emb) == batched


def test_shared_nodes_of_one_batch_are_merged(neo):
    recs = variants()
    neo.write_documents(recs)
    with neo._session() as s:
        units = {r["k"]: dict(r["p"]) for r in s.run("MATCH (n:Unit) RETURN n.name AS k, properties(n) AS p")}
        regs = {r["k"]: dict(r["p"]) for r in s.run("MATCH (n:Regulation) RETURN n.key AS k, properties(n) AS p")}
    for label, stored, nodes in (("Unit", units, [n for r in recs for n in r.units]),
                                 ("Regulation", regs, [n for r in recs for n in r.regulations])):
        expected: dict = {}
        for n in nodes:
            expected[n.key] = merge_shared_props(label, expected.get(n.key), n.props)
        assert stored == expected
    # what the documents of the batch said about a shared unit, combined
    assert units["司法局"]["levels"] == ["国家", "省"] and units["司法局"]["level"] == ""
    assert units["市政府办"]["collective"] is True and units["市委宣传部"]["collective"] is False
    assert len(units) == len({n.key for r in recs for n in r.units})  # one node per unit


def test_rewriting_a_batch_replaces_never_duplicates(neo):
    neo.write_documents(variants())
    first, counts = answers(neo), raw_counts(neo)
    again = neo.write_documents(variants())
    assert [r.replaced for r in again] == [True, True, True]
    assert answers(neo) == first and raw_counts(neo) == counts
    # a batch mixing a changed document, a new one and an unchanged one
    changed = build_graph_records(make_tiny_extraction("plan_a", rename={"市司法局": "市法院"}))
    new = build_graph_records(make_tiny_extraction("plan_d"))
    res = neo.write_documents([changed, new, variants()[1]])
    assert [r.replaced for r in res] == [True, False, True]
    assert sorted(d.document_id for d in neo.documents()) == ["plan_a", "plan_b", "plan_c", "plan_d"]
    assert raw_counts(neo)["nodes"]["Document"] == 4 and raw_counts(neo)["nodes"]["Task"] == 24
    assert "市法院" in neo.unit_names()


def test_same_document_twice_in_a_batch_later_wins(neo):
    v1 = build_graph_records(make_tiny_extraction("plan_a"))
    v2 = build_graph_records(make_tiny_extraction("plan_a", rename={"市司法局": "市法院"}))
    res = neo.write_documents([v1, v2])
    assert [r.replaced for r in res] == [False, True]
    assert raw_counts(neo)["nodes"]["Document"] == 1
    assert "市法院" in neo.unit_names() and "市司法局" not in neo.unit_names()


@pytest.mark.parametrize("step", ["_write_tasks", "_write_assignments", "_write_citations"])
def test_failure_mid_batch_rolls_back_everything(neo, monkeypatch, step):
    neo.write_documents(variants()[:2])
    before, counts, version = answers(neo), raw_counts(neo), neo.version()
    batch = [build_graph_records(make_tiny_extraction("plan_a", rename={"市司法局": "市法院"})),  # changed
             build_graph_records(make_tiny_extraction("plan_x")),  # new
             variants()[1]]  # unchanged
    fail_write_step(monkeypatch, neo, step, "plan_x")
    with pytest.raises(RuntimeError, match="injected"):
        neo.write_documents(batch)
    monkeypatch.undo()
    assert answers(neo) == before and raw_counts(neo) == counts and neo.version() == version
    assert "市法院" not in neo.unit_names()


def test_version_changes_with_every_write(neo, monkeypatch):
    assert neo.version() == "0"
    seen = [neo.version()]
    recs = variants()
    neo.write_document(recs[0])
    seen.append(neo.version())
    neo.write_documents(recs[1:])
    seen.append(neo.version())
    neo.write_document(recs[0])  # the same again is still a write
    seen.append(neo.version())
    assert neo.delete_document("plan_a")
    seen.append(neo.version())
    assert [int(v) for v in seen] == sorted({int(v) for v in seen}) and len(set(seen)) == 5
    fail_write_step(monkeypatch, neo, "_write_tasks")
    with pytest.raises(RuntimeError):
        neo.write_documents(recs)
    monkeypatch.undo()
    assert neo.version() == seen[-1]  # a rolled-back write changes nothing
    assert neo.write_documents([]) == [] and neo.version() == seen[-1]
    neo.clear_all_for_tests()
    assert neo.version() == "0"


def test_values_reach_cypher_only_as_parameters(neo):
    evil = '"}) DETACH DELETE n //'
    e = make_tiny_extraction("evil`doc", rename={"市政府办": evil})
    e.document.title = "`; MATCH (n) DETACH DELETE n"
    neo.write_documents([build_graph_records(make_tiny_extraction("other")), build_graph_records(e)])
    assert evil in neo.unit_names() and len(neo.tasks()) == 12
    assert {d.document_id: d.title for d in neo.documents()}["evil`doc"] == e.document.title


def test_a_missing_index_or_constraint_is_created_on_first_use(neo):
    """The store creates only what the database lacks (one look at what exists first)."""
    from plangraph.graph import neo4j_write
    from plangraph.graph.neo4j_store import SCHEMA, schema_name
    names = [schema_name(stmt) for stmt in SCHEMA + neo4j_write.SCHEMA]
    with neo._session() as s:
        s.run("DROP INDEX plangraph_task_deadline IF EXISTS").consume()
        s.run("DROP CONSTRAINT plangraph_unit_pair IF EXISTS").consume()
    fresh = connect_neo4j_store()
    try:
        fresh.write_documents(variants())
        with fresh._session() as s:
            present = set(s.run("SHOW INDEXES YIELD name RETURN collect(name) AS n").single()["n"])
            present |= set(s.run("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS n").single()["n"])
        assert set(names) <= present and len(set(names)) == len(names)
        assert fresh.orphans("deadline_passed", as_of="2024-06-30")  # answers as before
    finally:
        fresh.close()


# ---------------------------------------------------------------- store-wide totals


def aggregated(store) -> tuple:
    """Store-wide workload, co-responsibility and regulations from the aggregate queries
    (naming every document takes the per-document path), to compare with the maintained totals."""
    docs = [d.document_id for d in store.documents()]
    return (store.workload(docs), store.co_responsibility(docs),
            store.co_responsibility(docs, include_collective=False), store.co_responsibility(docs, min_weight=2),
            store.regulations(None, docs))


def from_totals(store) -> tuple:
    return (store.workload(), store.co_responsibility(), store.co_responsibility(include_collective=False),
            store.co_responsibility(min_weight=2), store.regulations())


def stored_totals(store) -> tuple[dict, dict, dict, dict]:
    with store._session() as s:
        loads = {r["u"]: r["t"] for r in s.run("MATCH (l:UnitLoad) RETURN l.unit AS u, l.total AS t")}
        pairs = {(r["a"], r["b"]): r["w"] for r in s.run("MATCH (p:UnitPair) RETURN p.a AS a, p.b AS b, "
                                                         "p.weight AS w")}
        regs = {r["k"]: r["n"] for r in s.run("MATCH (l:RegulationLoad) RETURN l.key AS k, l.documents AS n")}
        titles = {(r["k"], r["t"], r["r"]): r["n"] for r in s.run(
            "MATCH (t:RegulationTitle) RETURN t.key AS k, t.title AS t, t.relation AS r, t.mentions AS n")}
    return loads, pairs, regs, titles


def answer_lists(store) -> tuple[dict, list, set] | None:
    """The pairs, the workload rows and the collective units as the counter node's answer
    lists give them, None when they are not valid."""
    with store._session() as s:
        rec = s.run(f"{neo4j_write.ANSWER_LISTS} RETURN pairs_json, loads_json, collective_json").single()
    if rec["pairs_json"] is None:
        assert rec["loads_json"] is None and rec["collective_json"] is None
        return None
    return ({(a, b): w for a, b, w in json.loads(rec["pairs_json"])}, neo4j_write.workload_list(rec["loads_json"]),
            set(json.loads(rec["collective_json"])))


def from_lists_and_totals(store) -> tuple[dict, list, set]:
    """What the answer lists should hold: the UnitPair nodes, workload() from the totals,
    the Units marked collective."""
    with store._session() as s:
        workload = s.execute_read(neo4j_write.stored_workload)
        collective = set(s.run("MATCH (u:Unit) WHERE u.collective RETURN collect(u.name) AS c").single()["c"])
    return stored_totals(store)[1], workload, collective


def test_totals_follow_every_kind_of_write(neo):
    """After each write (new, batch, replace with other units, same id twice, a unit turning
    collective through another plan, delete), the maintained totals answer what the
    aggregate queries answer, and nothing at zero is left behind."""
    steps = [
        lambda: neo.write_document(variants()[0]),
        lambda: neo.write_documents(variants()[1:]),  # 市政府办 turns collective (plan_c)
        lambda: neo.write_documents([build_graph_records(make_tiny_extraction("plan_a", rename={"市司法局": "市法院"})),
                                     build_graph_records(make_tiny_extraction("plan_d"))]),
        lambda: neo.write_documents([variants()[0], build_graph_records(
            make_tiny_extraction("plan_a", rename={"市委宣传部": "市教育局"}))]),
        lambda: neo.delete_document("plan_c"),  # 市政府办 is no longer collective anywhere
        lambda: neo.delete_document("plan_b"),
    ]
    for step in steps:
        step()
        assert from_totals(neo) == aggregated(neo)
        loads, pairs, regs, titles = stored_totals(neo)
        assert all(v > 0 for v in [*loads.values(), *pairs.values(), *regs.values(), *titles.values()])
        assert set(loads) == set(neo.unit_names())
        assert set(regs) == {r.key for r in neo.regulations()} == {k for k, _, _ in titles}
        assert answer_lists(neo) == from_lists_and_totals(neo)  # workload(), co_responsibility() read these
        assert answer_lists(neo)[:2] == (pairs, aggregated(neo)[0])
    assert neo.workload()[0].documents == 2 and neo.co_responsibility()[0].weight >= 2
    for doc in ("plan_a", "plan_d"):
        assert neo.delete_document(doc)
    assert stored_totals(neo) == ({}, {}, {}, {}) and neo.workload() == [] and neo.co_responsibility() == []
    assert neo.regulations() == []


def test_totals_of_an_older_database_are_built_by_the_next_write(neo):
    """A database written before the totals existed has no UnitLoad/UnitPair nodes and no
    mark: reads aggregate (same answers), and the next write builds the totals."""
    neo.write_documents(variants()[:2])
    expected = from_totals(neo)
    with neo._session() as s:  # what an older PlanGraph left behind
        s.run("MATCH (n) WHERE n:UnitLoad OR n:UnitPair OR n:RegulationLoad OR n:RegulationTitle "
              "DETACH DELETE n").consume()
        s.run("MATCH (s:PlanGraphState) REMOVE s.totals").consume()
    old = connect_neo4j_store()
    try:
        assert from_totals(old) == expected and stored_totals(old) == ({}, {}, {}, {})
        old.write_document(variants()[2])
        assert stored_totals(old)[0] and stored_totals(old)[2] and from_totals(old) == aggregated(old)
        assert old._totals_ready
    finally:
        old.close()


def test_the_answer_lists_of_another_writer_are_not_read(neo):
    """A write that does not keep the answer lists (an older PlanGraph's) leaves them
    invalid: workload() and co_responsibility() answer from the totals, and the next write
    makes the lists again. A write that changes no document keeps them valid."""
    neo.write_documents(variants()[:2])
    expected = from_totals(neo)
    assert neo.delete_documents(["plan_x"]) == [False] and answer_lists(neo) == from_lists_and_totals(neo)
    with neo._session() as s:  # an older writer: the counter moves on, one pair's weight and one load with it
        s.run("MATCH (s:PlanGraphState) SET s.version = s.version + 1").consume()
        a, b = s.run("MATCH (p:UnitPair) WITH p LIMIT 1 SET p.weight = p.weight + 5 RETURN p.a, p.b").single()
        unit = s.run("MATCH (l:UnitLoad) WITH l LIMIT 1 SET l.total = l.total + 5 RETURN l.unit").single()[0]
    assert answer_lists(neo) is None
    assert {(e.a, e.b): e.weight for e in neo.co_responsibility()}[(a, b)] == stored_totals(neo)[1][(a, b)]
    assert {w.unit: w.total for w in neo.workload()}[unit] == stored_totals(neo)[0][unit]
    with neo._session() as s:
        s.run("MATCH (p:UnitPair {a: $a, b: $b}) SET p.weight = p.weight - 5", a=a, b=b).consume()
        s.run("MATCH (l:UnitLoad {unit: $unit}) SET l.total = l.total - 5", unit=unit).consume()
    assert from_totals(neo) == expected
    neo.write_document(variants()[2])
    assert answer_lists(neo) == from_lists_and_totals(neo) and from_totals(neo) == aggregated(neo)


def test_a_store_with_lists_of_another_format_gets_them_again(neo):
    """A store an older PlanGraph wrote (its pairs list only, or lists of another format) is
    answered from the totals until a write, which writes the lists anew; so is a removal
    of a document not stored."""
    neo.write_documents(variants()[:2])
    expected = from_totals(neo)
    for older in ("SET s.pairs_version = s.version REMOVE s.lists_version, s.lists_format, s.loads_json",
                  "SET s.lists_format = -1"):
        with neo._session() as s:
            s.run(f"MATCH (s:PlanGraphState) {older}").consume()
        assert answer_lists(neo) is None and from_totals(neo) == expected
        assert neo.delete_documents(["plan_x"]) == [False]
        assert answer_lists(neo) == from_lists_and_totals(neo) and from_totals(neo) == expected


def test_a_bulk_run_writes_the_answer_lists_once_at_its_end(neo, monkeypatch):
    """Inside bulk_writes() (a folder ingest) the writes leave the answer lists invalid and
    workload() and co_responsibility() read the totals, with the same answers; the lists
    are written once, as the block ends, also when it ends by Ctrl-C."""
    rewrites = []
    real = neo4j_write.write_answer_lists
    monkeypatch.setattr(neo4j_write, "write_answer_lists", lambda tx: (rewrites.append(1), real(tx)))
    neo.write_document(variants()[0])
    assert rewrites and answer_lists(neo) == from_lists_and_totals(neo)
    rewrites.clear()
    with neo.bulk_writes():
        neo.write_documents(variants()[1:2])
        assert answer_lists(neo) is None and from_totals(neo) == aggregated(neo)
        with neo.bulk_writes():  # nested: the outer block's end writes it
            neo.write_documents(variants()[2:])
        neo.delete_document("plan_c")
        assert answer_lists(neo) is None and not rewrites and from_totals(neo) == aggregated(neo)
        neo.write_document(variants()[2])
    assert answer_lists(neo) == from_lists_and_totals(neo) and len(rewrites) == 1
    assert from_totals(neo) == aggregated(neo)
    with pytest.raises(KeyboardInterrupt), neo.bulk_writes():
        neo.write_document(build_graph_records(make_tiny_extraction("plan_a", rename={"市司法局": "市法院"})))
        raise KeyboardInterrupt
    assert answer_lists(neo) == from_lists_and_totals(neo) and from_totals(neo) == aggregated(neo)
    with neo.bulk_writes():  # a write that changes no document: nothing to write at the end
        neo.delete_documents(["plan_x"])
    assert len(rewrites) == 2


def test_a_folder_ingest_leaves_the_answer_lists_valid(neo, tmp_path, monkeypatch, capsys):
    """`plangraph ingest --store neo4j FOLDER`: batches of documents, each changing pairs,
    and the answer lists written once, at the end, as the totals give them."""
    monkeypatch.delenv("PLANGRAPH_STORE", raising=False)
    monkeypatch.setenv("PLANGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(batch, "NEO4J_BATCH", 2)
    units = ["市法院", "市教育局", "市财政局", "市民政局", "市司法局"]
    monkeypatch.setattr(batch, "extract", lambda raw: make_tiny_extraction(
        Path(raw.path).stem, rename={"市司法局": units[int(Path(raw.path).stem[-1])]}))
    rewrites = []
    real = neo4j_write.write_answer_lists
    monkeypatch.setattr(neo4j_write, "write_answer_lists", lambda tx: (rewrites.append(1), real(tx)))
    for i in range(len(units)):
        (tmp_path / f"plan_{i}.txt").write_text(f"plan {i}: the fake extractor gives a tiny plan\n", encoding="utf-8")
    assert main(["ingest", "--store", "neo4j", "--jobs", "1", str(tmp_path)]) == 0
    assert capsys.readouterr().out.count("ok ") == len(units)
    assert len(rewrites) == 1  # not once per batch of 2
    monkeypatch.undo()
    assert stored_totals(neo)[1] and answer_lists(neo) == from_lists_and_totals(neo)
    assert from_totals(neo) == aggregated(neo)


def test_a_unit_in_a_few_documents_is_read_from_their_tasks(neo, tmp_path):
    """tasks_of_unit in a few documents starts from their tasks when they hold fewer tasks
    than the unit has edges (the busiest unit in one plan of a province's), else from the
    unit's edges: the embedded store's answers either way, pages too."""
    embedded = EmbeddedStore(tmp_path / "home")
    plans = [build_graph_records(make_tiny_extraction(f"plan_{c}")) for c in "abcd"]
    plans.append(build_graph_records(make_tiny_extraction("plan_e", rename={"市司法局": "市法院"})))
    for store in (neo, embedded):
        store.write_documents(plans)
    busy, rare = "市司法局", "市法院"  # named in 4 plans of 6 tasks each; in one
    assert neo._unit_and_plan(busy, list(ROLES), ["plan_a"], None, 0) == (busy, "tasks")
    assert neo._unit_and_plan(rare, list(ROLES), ["plan_a", "plan_e"], None, 0) == (rare, "unit")
    for unit, docs in ((busy, ["plan_a"]), (busy, ["plan_b", "plan_e"]), (rare, ["plan_e"]), (rare, ["plan_a"])):
        for roles in (None, ["lead"], ["participant"]):
            want = embedded.tasks_of_unit(unit, roles, docs)
            assert neo.tasks_of_unit(unit, roles, docs) == want
            assert neo.tasks_of_unit(unit, roles, docs, limit=2, offset=1) == want[1:3]
    assert embedded.tasks_of_unit(busy, None, ["plan_a"]) and not embedded.tasks_of_unit(rare, None, ["plan_a"])
    embedded.close()


# ---------------------------------------------------------------- document summaries


def summaries(store) -> dict[str, str | None]:
    """Each Document's summary_json as stored."""
    with store._session() as s:
        return {r["id"]: r["v"] for r in s.run(f"MATCH (d:Document) RETURN d.id AS id, "
                                                f"d.{neo4j_write.SUMMARY_PROPERTY} AS v")}


def from_properties(store) -> list:
    """documents() as the Documents' own properties give it (what it read before the summaries)."""
    fields = ", ".join(f"d.{f}" for f in DOCUMENT_FIELDS)
    with store._session() as s:
        rows = s.run(f"MATCH (d:Document) RETURN collect([{fields}]) AS rows").single()["rows"]
    return sorted((document_summary(values) for values in rows), key=lambda d: d.document_id)


def test_document_summaries_follow_every_kind_of_write(neo):
    """documents() reads the summary each Document keeps: after a write, a batch, a replace
    with another title, fewer tasks and other units, and a delete, it answers what the
    Documents' own properties say, one row per document."""
    fewer = make_tiny_extraction("plan_b", rename={"市司法局": "市法院"})
    fewer.document.title = "另一个示范工作方案"
    del fewer.tasks[-1]
    steps = [
        lambda: neo.write_document(variants()[0]),
        lambda: neo.write_documents(variants()[1:]),
        lambda: neo.write_document(build_graph_records(fewer)),
        lambda: neo.delete_document("plan_c"),
    ]
    for step in steps:
        step()
        assert neo.documents() == from_properties(neo) and None not in summaries(neo).values()
    assert {d.document_id: (d.title, d.tasks) for d in neo.documents()} == {
        "plan_a": ("某市示范工作方案", len(make_tiny_extraction().tasks)),
        "plan_b": ("另一个示范工作方案", len(make_tiny_extraction().tasks) - 1)}
    assert neo.documents(["plan_b", "plan_c"]) == neo.documents()[1:]


def test_documents_of_an_older_database_get_summaries_at_the_next_write(neo):
    """A database written before the summaries: its Documents are read from their
    properties (the same answers), and the next write gives each its summary."""
    neo.write_documents(variants())
    expected = neo.documents()
    with neo._session() as s:  # what an older PlanGraph left behind (one Document had been rewritten since)
        s.run(f"MATCH (d:Document) WHERE d.id <> 'plan_b' REMOVE d.{neo4j_write.SUMMARY_PROPERTY}").consume()
        s.run("MATCH (s:PlanGraphState) REMOVE s.summaries, s.lists_version").consume()
    old = connect_neo4j_store()
    try:
        assert old.documents() == expected and old.documents(["plan_a"]) == expected[:1]
        assert list(summaries(old).values()).count(None) == 2
        old.delete_document("plan_c")
        assert None not in summaries(old).values() and old.documents() == expected[:2]
        old.write_document(variants()[2])
        assert old.documents() == expected == from_properties(old)
    finally:
        old.close()


def test_json_summaries_of_an_older_database_are_read_then_rewritten(neo):
    """Summaries of SUMMARY_FORMAT 1 were JSON lists: documents() reads them (the same
    answers), and the next write rewrites every one in the split form."""
    neo.write_documents(variants())
    expected = neo.documents()
    with neo._session() as s:  # what PlanGraph wrote before the split form
        for doc in ("plan_a", "plan_c"):
            props = s.run("MATCH (d:Document {id: $id}) RETURN properties(d) AS p", id=doc).single()["p"]
            s.run(f"MATCH (d:Document {{id: $id}}) SET d.{neo4j_write.SUMMARY_PROPERTY} = $v", id=doc,
                  v=json.dumps([props.get(f) for f in DOCUMENT_FIELDS], ensure_ascii=False)).consume()
        s.run("MATCH (s:PlanGraphState) SET s.summaries = 1 REMOVE s.lists_version").consume()
    old = connect_neo4j_store()
    try:
        assert [v[0] for v in summaries(old).values()].count("[") == 2
        assert old.documents() == expected
        old.delete_documents(["plan_x"])
        assert all(v.startswith(neo4j_write.SUMMARY_MARK) for v in summaries(old).values())
        assert old.documents() == expected == from_properties(old)
    finally:
        old.close()


def joined_summaries(store) -> str | None:
    with store._session() as s:
        return s.run(f"{neo4j_write.ANSWER_LISTS} RETURN summaries_joined").single()["summaries_joined"]


def test_documents_come_from_one_string_unless_a_title_holds_the_mark(neo):
    """documents() of the whole store reads the answer lists' one string of summaries; a
    title holding the mark (its summary is JSON) leaves that string out, and documents()
    reads each Document's summary instead, with the same answers."""
    neo.write_documents(variants())
    assert joined_summaries(neo) is not None and neo.documents() == from_properties(neo)
    odd = make_tiny_extraction("plan_odd")
    odd.document.title = f"标题{neo4j_write.SUMMARY_MARK}里有分隔符"
    neo.write_document(build_graph_records(odd))
    assert joined_summaries(neo) is None
    assert neo.documents() == from_properties(neo) and neo.documents()[-1].title == odd.document.title
    neo.delete_document("plan_odd")
    assert joined_summaries(neo) is not None and neo.documents() == from_properties(neo)
    assert [d.document_id for d in neo.documents()] == ["plan_a", "plan_b", "plan_c"]


# ---------------------------------------------------------------- plangraph ingest --store neo4j


def test_cli_ingest_into_neo4j_fails_only_the_bad_file(neo, tmp_path, monkeypatch, capsys):
    """A folder with a file that cannot be read and one whose write fails: both are reported,
    every other file is written (its batch is retried one by one), nothing is half-written."""
    monkeypatch.delenv("PLANGRAPH_STORE", raising=False)
    monkeypatch.setenv("PLANGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(batch, "NEO4J_BATCH", 3)
    real = batch.extract
    monkeypatch.setattr(batch, "extract", lambda raw: make_tiny_extraction(Path(raw.path).stem)
                        if Path(raw.path).name.startswith("tiny") else real(raw))
    folder = tmp_path / "plans"
    folder.mkdir()
    names = ["tiny_1", "tiny_2", "tiny_3_bad", "tiny_4", "tiny_5", "tiny_6", "tiny_7"]
    for n in names:
        (folder / f"{n}.txt").write_text(f"{n}: the fake extractor gives the tiny plan\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    fail_write_step(monkeypatch, neo, "_write_citations", "tiny_3_bad")
    sizes = []  # documents per write_documents call
    real_write = Neo4jStore.write_documents
    monkeypatch.setattr(Neo4jStore, "write_documents", lambda self, batch: sizes.append(len(batch))
                        or real_write(self, batch))

    rc = main(["ingest", "--store", "neo4j", "--jobs", "1", str(folder)])
    out, err = capsys.readouterr()
    assert rc == 1 and "Traceback" not in err
    failed = [line for line in err.splitlines() if line.startswith("failed ")]
    assert len(failed) == 2 and "empty.txt" in failed[0] and "tiny_3_bad.txt" in failed[1]
    assert "RuntimeError: injected failure" in failed[1]
    ok = [line.split()[1].rstrip(":") for line in out.splitlines() if line.startswith("ok ")]
    assert ok == [str(folder / f"{n}.txt") for n in names if n != "tiny_3_bad"]  # in file order
    assert sizes == [3, 1, 1, 1, 3, 1]  # the failed batch was written again one by one
    monkeypatch.undo()
    store = connect_neo4j_store()
    assert sorted(d.document_id for d in store.documents()) == sorted(n for n in names if n != "tiny_3_bad")
    assert store.tasks(["tiny_3_bad"]) == [] and raw_counts(store)["nodes"]["Document"] == 6

    # again: everything unchanged is skipped, the bad file (now writable) is written
    monkeypatch.setenv("PLANGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(batch, "extract", lambda raw: make_tiny_extraction(Path(raw.path).stem)
                        if Path(raw.path).name.startswith("tiny") else real(raw))
    rc = main(["ingest", "--store", "neo4j", "--jobs", "1", str(folder)])
    out, err = capsys.readouterr()
    assert rc == 1 and out.count("skipped ") == 6 and out.count("ok ") == 1 and "tiny_3_bad (new)" in out
    assert [line for line in err.splitlines() if line.startswith("failed ")] == [failed[0]]
