"""Stored links between plans, on both stores (the `store` fixture runs each test on each):
IMPLEMENTS kept by every write, MATCHES and COMPARED written whole and removed with a
document's tasks, the not_taken_up gap, and the same answers whatever the store."""
from __future__ import annotations

import dataclasses
import json

import pytest

from conftest import STORE_PARAMS, fail_write_step, make_tiny_extraction, open_test_store
from plangraph.graph.compare import compare_plans, linked_pair
from plangraph.graph.compare_input import comparison_from_store, plan_from_extraction, plan_from_store
from plangraph.graph.records import LinkedPair, TaskMatch, build_graph_records
from plangraph.graph.rows import ImplementsRow
from plangraph.graph.store import StoreError
from plangraph.ingest.model import Citation
from shared_corpus import require_corpus

A_ID, B_ID = "09_shandong_digital_action_plan_2021", "10_jinan_digital_pioneer_city_2021"
AT = "2026-12-03T10:00:00"


def tiny(doc_id: str, title: str = "某市示范工作方案", cites: tuple[str, ...] = (), task_cites: tuple[str, ...] = ()):
    """The tiny plan under another id and title, citing these titles as its basis (outside
    every task, or in its first task)."""
    e = make_tiny_extraction(doc_id)
    e = dataclasses.replace(e, document=dataclasses.replace(e.document, title=title))
    for t in cites:
        e.citations.append(Citation(title=t, mention=f"《{t}》", relation="basis", start=1, end=2))
    for t in task_cites:
        e.tasks[1].citations.append(Citation(title=t, mention=f"《{t}》", relation="basis",
                                             start=e.tasks[1].start, end=e.tasks[1].start + 1))
    return e


def match(a: str, ta: str, b: str, tb: str, score: float = 0.5) -> TaskMatch:
    return TaskMatch(a, ta, b, tb, score, score, 0.0, 0.0, ("执法",), (score,))


def pair(a: str, b: str, links: list[TaskMatch], basis: str = "asked") -> LinkedPair:
    return LinkedPair(a, b, basis, "test/one-to-one", "one-to-one", 0.12, links, AT)


def keyed(rows) -> list[tuple[str, str]]:
    return [(r.document_id, r.task_id) for r in rows]


@pytest.fixture
def gold_pair(store, corpus_extractions):
    """The compare gold's province (A) and city (B) plans stored, B linked against A."""
    require_corpus()
    for doc in (A_ID, B_ID):
        store.ingest(corpus_extractions[doc])
    result = compare_plans(plan_from_store(store, A_ID), plan_from_store(store, B_ID))
    assert store.write_links(linked_pair(result, "asked", AT)) == len(result.pairs) > 10
    return result


# ---------------------------------------------------------------- MATCHES and COMPARED


def test_link_is_stored_as_compare_made_it(store, gold_pair):
    result = gold_pair
    [c] = store.compared()
    assert (c.a, c.b, c.basis, c.mode, c.pairs, c.linked) == (A_ID, B_ID, "asked", "one-to-one", len(result.pairs), AT)
    assert c.method == "tfidf-jieba+units+citations/one-to-one" and c.min_score == 0.12
    rows = store.matches(a=A_ID, b=B_ID)
    assert [(m.a.task_id, m.b.task_id, m.score) for m in rows] == \
        [(p.a.task_id, p.b.task_id, p.score) for p in result.pairs]
    first = rows[0]
    assert first.key_terms == result.pairs[0].evidence["key_terms"]
    assert (first.text, first.units, first.citations) == tuple(result.pairs[0].evidence[k]
                                                               for k in ("text", "units", "citations"))
    assert first.a == store.task(A_ID, first.a.task_id) and first.b == store.task(B_ID, first.b.task_id)
    # the links of one task, either way round; of a document; pages are slices
    assert store.matches(task=(B_ID, first.b.task_id)) == [first]
    assert store.matches(task=(A_ID, first.a.task_id)) == [m for m in rows if m.a.task_id == first.a.task_id]
    assert store.matches(task=(A_ID, "no such task")) == []
    assert store.matches(document_ids=[B_ID]) == rows == store.matches()
    assert store.matches(a=B_ID) == [] and store.matches(document_ids=["other"]) == []
    assert store.matches(limit=5, offset=3) == rows[3:8]
    assert store.compared([A_ID]) == store.compared([B_ID]) == [c] and store.compared(["other"]) == []


def test_stored_links_give_the_comparison_back(store, gold_pair):
    """The Compare page shows stored links when B was linked against A: the same pairs,
    scores, evidence and differences as the comparison computed now."""
    got, linked = comparison_from_store(store, A_ID, B_ID)
    assert linked is not None and linked.pairs == len(gold_pair.pairs)
    assert got.pairs == gold_pair.pairs and got.a_only == gold_pair.a_only and got.b_only == gold_pair.b_only
    assert got.to_json() == gold_pair.to_json()
    # another mode, or the other way round: not stored, so computed
    other, none = comparison_from_store(store, A_ID, B_ID, "one-to-many")
    assert none is None and len(other.pairs) >= len(gold_pair.pairs)
    assert comparison_from_store(store, B_ID, A_ID)[1] is None


def test_not_taken_up_is_the_lower_plans_gap(store, gold_pair):
    expected = [(A_ID, t.task_id) for t in gold_pair.a_only]
    assert expected and keyed(store.orphans("not_taken_up")) == expected
    assert keyed(store.orphans("not_taken_up", document_ids=[B_ID])) == expected  # B's gap …
    assert store.orphans("not_taken_up", document_ids=[A_ID]) == []  # … not A's own
    assert store.gap_counts(document_ids=[B_ID])["not_taken_up"] == len(expected)
    assert store.gap_counts(document_ids=[A_ID])["not_taken_up"] == 0
    assert keyed(store.orphans("not_taken_up", limit=2, offset=1)) == expected[1:3]


def test_not_taken_up_counts_asked_and_implementing_pairs_only(store):
    """Two plans linked only because their levels differ may be of unrelated regions: their
    unmatched tasks are no gap. A plan that implements the other: they are."""
    for doc in ("up", "low"):
        store.ingest(make_tiny_extraction(doc))
    store.write_links(pair("up", "low", [match("up", "2.1.1", "low", "2.1.1")], basis="level"))
    assert store.gap_counts()["not_taken_up"] == 0
    store.write_links(pair("up", "low", [match("up", "2.1.1", "low", "2.1.1")], basis="implements"))
    assert keyed(store.orphans("not_taken_up")) == [("up", t) for t in ("1.1", "2.1.2", "2.2.3", "2.2.4", "2.2.5")]
    # a task not taken up by one of two lower plans is one row
    store.ingest(make_tiny_extraction("low2"))
    store.write_links(pair("up", "low2", [match("up", "1.1", "low2", "1.1")]))
    assert len(store.orphans("not_taken_up")) == 6
    assert keyed(store.orphans("not_taken_up", document_ids=["low2"])) == \
        [("up", t) for t in ("2.1.1", "2.1.2", "2.2.3", "2.2.4", "2.2.5")]


def test_relinking_replaces_the_pair_either_way_round(store):
    for doc in ("p", "q", "r"):
        store.ingest(make_tiny_extraction(doc))
    store.write_links(pair("p", "q", [match("p", "1.1", "q", "1.1"), match("p", "2.1.1", "q", "2.1.2")]))
    store.write_links(pair("p", "r", [match("p", "1.1", "r", "1.1")]))
    assert store.write_links(pair("q", "p", [match("q", "2.2.3", "p", "2.2.4", 0.7)])) == 1
    assert [(c.a, c.b) for c in store.compared()] == [("p", "r"), ("q", "p")]
    assert [(m.a.document_id, m.a.task_id, m.b.task_id, m.score) for m in store.matches(document_ids=["q"])] == \
        [("q", "2.2.3", "2.2.4", 0.7)]
    assert len(store.matches(a="p", b="r")) == 1  # another pair: untouched


def test_a_bad_link_writes_nothing(store):
    for doc in ("p", "q"):
        store.ingest(make_tiny_extraction(doc))
    store.write_links(pair("p", "q", [match("p", "1.1", "q", "1.1")]))
    before = (store.compared(), store.matches(), store.version())
    for bad in (pair("p", "q", [match("p", "9.9", "q", "1.1")]), pair("p", "nope", []),
                pair("p", "q", [match("p", "1.1", "q", "no such task")])):
        with pytest.raises(StoreError, match="no (task|document)"):
            store.write_links(bad)
        assert (store.compared(), store.matches(), store.version()) == before
    with pytest.raises(StoreError, match="unknown link basis"):
        store.write_links_many([], drop_bases=["sometimes"])
    with pytest.raises(ValueError):
        pair("p", "p", [])


def test_write_links_many_replaces_the_bases_it_is_told(store):
    """`link --all` drops its own earlier results (implements, level, version), not the pairs
    linked by `plangraph link A B`."""
    for doc in ("p", "q", "r", "s"):
        store.ingest(make_tiny_extraction(doc))
    store.write_links(pair("p", "q", [match("p", "1.1", "q", "1.1")]))  # asked
    store.write_links_many([pair("p", "r", [match("p", "1.1", "r", "1.1")], "level"),
                            pair("r", "s", [match("r", "1.1", "s", "2.1.1")], "version")])
    seen = []
    n = store.write_links_many([pair("p", "s", [match("p", "2.2.5", "s", "2.2.5"), match("p", "1.1", "s", "1.1")],
                                     "level")], drop_bases=("implements", "level", "version"), progress=seen.append)
    assert n == 2 and seen[-1] == 1
    assert [(c.a, c.b, c.basis) for c in store.compared()] == [("p", "q", "asked"), ("p", "s", "level")]
    assert [(m.a.document_id, m.b.document_id) for m in store.matches()] == [("p", "q"), ("p", "s"), ("p", "s")]


# ---------------------------------------------------------------- removal and re-ingest


@pytest.mark.parametrize("which", ["upper", "lower"])
def test_reingest_removes_the_links_of_its_tasks(store, gold_pair, corpus_extractions, which):
    doc = A_ID if which == "upper" else B_ID
    result = store.ingest(corpus_extractions[doc])
    assert result.replaced and result.unlinked == 1  # the ingest says the pair must be linked again
    assert store.compared() == [] and store.matches() == []
    assert store.gap_counts()["not_taken_up"] == 0
    assert not [e for _, _, e in store.to_networkx().edges(data=True) if e["type"] in ("MATCHES", "COMPARED")]
    assert store.ingest(corpus_extractions[doc]).unlinked == 0


def test_removing_a_document_removes_its_links(store, gold_pair):
    assert store.delete_document(B_ID)
    assert store.compared() == [] and store.matches() == [] and store.gap_counts()["not_taken_up"] == 0
    assert [d.document_id for d in store.documents()] == [A_ID]


def test_a_failed_reingest_keeps_the_links(store, gold_pair, corpus_extractions, monkeypatch):
    before = (store.compared(), store.matches(), store.orphans("not_taken_up"))
    fail_write_step(monkeypatch, store, "_write_citations")
    with pytest.raises(RuntimeError):
        store.ingest(corpus_extractions[B_ID])
    monkeypatch.undo()
    assert (store.compared(), store.matches(), store.orphans("not_taken_up")) == before


# ---------------------------------------------------------------- IMPLEMENTS


def test_implements_follows_every_write(store):
    """B cites A's title as its basis: the edge is there whichever is written first, with a
    covering notice's title too, and goes when A is removed or retitled."""
    store.ingest(tiny("b", "某县落实方案", cites=("某市示范工作方案",)))
    assert store.implements() == []  # A not stored yet
    store.ingest(tiny("a", "某市人民政府办公室关于印发某市示范工作方案的通知"))
    edge = ImplementsRow("b", "a", "某市示范工作方案", None, "preamble")
    assert store.implements() == [edge]
    assert store.implements(["a"]) == store.implements(["b"]) == [edge] and store.implements(["x"]) == []
    store.ingest(tiny("c", "某区实施方案", task_cites=("某市示范工作方案",)))  # cited in a task
    assert store.implements(["c"]) == [ImplementsRow("c", "a", "某市示范工作方案", "2.1.1", "task")]
    store.ingest(tiny("a", "另一个方案"))  # retitled: no longer the plan they cite
    assert store.implements() == []
    store.ingest(tiny("a", "某市示范工作方案"))
    assert [r.document_id for r in store.implements()] == ["b", "c"]
    store.delete_document("a")
    assert store.implements() == []


def test_a_copy_of_a_plan_does_not_implement_it(store):
    """A covering notice cites the plan's own title (现将《…》印发给你们): two stored copies of
    one plan do not implement each other."""
    store.ingest(tiny("x", "某市示范工作方案", cites=("某市示范工作方案",)))
    store.ingest(tiny("y", "某市示范工作方案", cites=("某市示范工作方案",)))
    assert store.implements() == []


# ---------------------------------------------------------------- key terms


def test_key_terms_are_stored_at_ingest(store, tiny_extraction):
    store.ingest(tiny_extraction)
    stored = store.key_terms()
    plan = plan_from_extraction(tiny_extraction)
    from plangraph.graph.compare import task_terms
    assert stored == {"tiny_plan": [task_terms(t) for t in plan.tasks]}
    records = build_graph_records(make_tiny_extraction("old"))
    records.document.props["terms_version"] = "an older stop list"
    store.write_document(records)
    assert store.key_terms(["old"]) == {"old": None}  # stale: linking cuts them again


# ---------------------------------------------------------------- both stores


@pytest.mark.neo4j
def test_both_stores_give_the_same_link_answers(tmp_path, corpus_extractions):
    require_corpus()
    stores = [open_test_store(p.values[0], tmp_path / p.values[0]) for p in STORE_PARAMS]
    try:
        for s in stores:
            for doc in (A_ID, B_ID):
                s.ingest(corpus_extractions[doc])
            s.ingest(tiny("b", "某县落实方案", cites=("数字山东2021行动方案",)))
            s.write_links(linked_pair(compare_plans(plan_from_store(s, A_ID), plan_from_store(s, B_ID),
                                                    "one-to-many"), "asked", AT))
        embedded, neo4j = stores
        assert embedded.implements() == neo4j.implements() == [ImplementsRow("b", A_ID, "数字山东2021行动方案",
                                                                             None, "preamble")]
        assert embedded.compared() == neo4j.compared()
        assert embedded.matches() == neo4j.matches() and embedded.matches(limit=3, offset=2) == \
            neo4j.matches(limit=3, offset=2)
        assert embedded.orphans("not_taken_up") == neo4j.orphans("not_taken_up")
        assert embedded.gap_counts() == neo4j.gap_counts()
        assert embedded.key_terms() == neo4j.key_terms()
        assert json.dumps(comparison_from_store(embedded, A_ID, B_ID, "one-to-many")[0].to_json()) == \
            json.dumps(comparison_from_store(neo4j, A_ID, B_ID, "one-to-many")[0].to_json())
    finally:
        for s in stores:
            s.close()


def _as_before_links(store) -> None:
    """Make the store look written by a PlanGraph before stored links: no link tables (embedded)
    or no mark (Neo4j), no title keys, no IMPLEMENTS."""
    if store.kind == "embedded":
        import sqlite3
        con = sqlite3.connect(store.path, isolation_level=None)
        for table in ("implements", "matches", "compared"):
            con.execute(f"DROP TABLE {table}")
        con.execute("DROP INDEX documents_title_key")
        con.execute("UPDATE documents SET extra = json_remove(extra, '$.title_key')")
        con.execute("DELETE FROM meta WHERE key = 'links'")
        con.close()
    else:
        with store.driver.session() as s:
            s.run("MATCH (:Document)-[r:IMPLEMENTS]->() DELETE r").consume()
            s.run("MATCH (d:Document) REMOVE d.title_key").consume()
            s.run("MATCH (s:PlanGraphState) REMOVE s.links").consume()


def test_a_store_of_an_older_plangraph_gets_its_links_on_open(store, tmp_path):
    store.ingest(tiny("a", "某市示范工作方案"))
    store.ingest(tiny("b", "某县落实方案", cites=("某市示范工作方案",)))
    _as_before_links(store)
    reopened = open_test_store(store.kind, tmp_path) if store.kind == "embedded" else type(store)()
    try:
        assert reopened.implements() == [ImplementsRow("b", "a", "某市示范工作方案", None, "preamble")]
        assert reopened.compared() == [] and reopened.matches() == []
        reopened.write_links(pair("a", "b", [match("a", "1.1", "b", "1.1")]))
        assert len(reopened.matches()) == 1
    finally:
        if reopened is not store:
            reopened.close()
