"""`plangraph link A B`, `plangraph link --all` and `plangraph matches`, on both stores: what
they store, what they print, and bad input as one line with exit 2 and the store unchanged."""
from __future__ import annotations

import json

import pytest

from conftest import run_cli
from plangraph.graph.compare import compare_plans
from plangraph.graph.compare_input import plan_from_extraction, plan_from_store
from plangraph.graph.link import DocumentInfo, link_all
from shared_corpus import require_corpus

A_ID, B_ID = "09_shandong_digital_action_plan_2021", "10_jinan_digital_pioneer_city_2021"
NATION, CITY, OTHER_CITY = "01_guofa2018-38_ftz_reform_measures", "changde_fazhi_2021-2025", \
    "05_baotou_digital_gov_assessment_2022"


@pytest.fixture
def stored(store, home, corpus_extractions):
    """A store (each kind) holding the gold pair and three plans of known levels; the CLI's
    --store options for it (the embedded store is the `home` folder's)."""
    require_corpus()
    for doc in (A_ID, B_ID, NATION, CITY, OTHER_CITY):
        store.ingest(corpus_extractions[doc])
    return store, ["--store", store.kind]


def test_link_a_b_stores_the_comparison(stored, capsys, corpus_extractions):
    store, opts = stored
    rc, out, err = run_cli(capsys, "link", A_ID, B_ID, *opts)
    expected = compare_plans(plan_from_store(store, A_ID), plan_from_store(store, B_ID))
    assert rc == 0 and err == ""
    assert f"linked {A_ID} ← {B_ID} (one-to-one, min score 0.12): {len(expected.pairs)} pairs of tasks; " \
           f"{len(expected.a_only)} of 21 tasks of A not taken up, {len(expected.b_only)} of 25 tasks of B added" in out
    rc, out, _ = run_cli(capsys, "matches", *opts, "--format", "json")
    rows = json.loads(out)
    assert rc == 0 and [(m["a"]["task_id"], m["b"]["task_id"], m["score"]) for m in rows] == \
        [(p.a.task_id, p.b.task_id, p.score) for p in expected.pairs]
    rc, out, _ = run_cli(capsys, "gaps", *opts, "--kind", "not_taken_up", "--doc", B_ID, "--format", "json")
    assert [t["task_id"] for t in json.loads(out)["not_taken_up"]] == [t.task_id for t in expected.a_only]
    rc, out, _ = run_cli(capsys, "matches", *opts, "--pairs")
    assert rc == 0 and "asked" in out and A_ID in out
    rc, out, _ = run_cli(capsys, "matches", *opts, "--b", B_ID, "--limit", "2")
    assert rc == 0 and len(out.strip().splitlines()) == 2 + 2  # header, rule, two rows
    # again, one-to-many with a threshold: replaces the pair
    rc, out, _ = run_cli(capsys, "link", A_ID, B_ID, *opts, "--mode", "one-to-many", "--min-score", "0.3")
    [pair] = store.compared()
    assert rc == 0 and (pair.mode, pair.min_score) == ("one-to-many", 0.3)
    assert all(m.score >= 0.3 for m in store.matches())


@pytest.mark.parametrize("argv, message", [
    ([A_ID, A_ID], "give two different documents"),
    ([A_ID], "give two documents A B (upper, lower), or --all"),
    ([], "give two documents A B (upper, lower), or --all"),
    ([A_ID, "no_such_plan"], "no document 'no_such_plan' in the store"),
    (["--all", A_ID], "give two documents A B, or --all, not both"),
    (["--all", "--mode", "one-to-many"], "--all links one-to-one"),
])
def test_bad_link_is_one_line_and_changes_nothing(stored, capsys, argv, message):
    store, opts = stored
    version = store.version()
    rc, out, err = run_cli(capsys, "link", *argv, *opts)
    assert rc == 2 and out == "" and err.startswith("plangraph link: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert store.version() == version and store.compared() == []


def test_link_all_links_related_plans(stored, capsys, corpus_extractions):
    """--all links what graph.link.link_all finds (the nation with everyone, the province with
    the cities; two cities are peers), with the stored key terms, and keeps a pair linked by
    `link A B`; a second run replaces the first."""
    store, opts = stored
    assert run_cli(capsys, "link", A_ID, CITY, *opts)[0] == 0  # asked: kept by --all
    asked = store.matches(a=A_ID, b=CITY)
    rc, out, err = run_cli(capsys, "link", "--all", *opts)
    assert rc == 0 and "link --all: read 5 documents" in err
    plans = [plan_from_extraction(corpus_extractions[d]) for d in sorted((A_ID, B_ID, NATION, CITY, OTHER_CITY))]
    infos = {p.document_id: DocumentInfo.of(p.document_id, corpus_extractions[p.document_id].document.issuer,
                                            p.title, corpus_extractions[p.document_id].document.date) for p in plans}
    expected = link_all(plans, infos)
    expected_pairs = {k for k in expected.pairs if set(k) != {A_ID, CITY}}
    got = {(c.a, c.b): c for c in store.compared()}
    assert set(got) == expected_pairs | {(A_ID, CITY)}
    assert got[(A_ID, CITY)].basis == "asked" and store.matches(a=A_ID, b=CITY) == asked
    assert {got[k].basis for k in expected_pairs} == {"level"}
    assert not {(CITY, OTHER_CITY), (OTHER_CITY, CITY)} & set(got)  # peers
    links = {(m.a.document_id, m.a.task_id, m.b.document_id, m.b.task_id, m.score)
             for m in store.matches() if {m.a.document_id, m.b.document_id} != {A_ID, CITY}}
    assert links == {(x.a_document, x.a_task, x.b_document, x.b_task, x.score) for x in expected.links
                     if {x.a_document, x.b_document} != {A_ID, CITY}}
    assert f"linked {len(expected_pairs)} pairs of documents, {len(links)} links (level {len(expected_pairs)} pairs" \
           in out and "kept 1 pairs linked by `plangraph link A B`" in out
    before = store.compared()
    assert run_cli(capsys, "link", "--all", *opts)[0] == 0
    assert [(c.a, c.b, c.pairs) for c in store.compared()] == [(c.a, c.b, c.pairs) for c in before]
    assert len(store.matches()) == len(links) + len(asked)


def test_removing_a_plan_from_the_cli_removes_its_links(stored, capsys):
    store, opts = stored
    assert run_cli(capsys, "link", A_ID, B_ID, *opts)[0] == 0
    assert store.gap_counts()["not_taken_up"] > 0
    rc, out, _ = run_cli(capsys, "remove", B_ID, *opts)
    assert rc == 0 and store.compared() == [] and store.matches() == []
    assert store.gap_counts()["not_taken_up"] == 0


def test_documents_lists_what_each_implements(store, home, capsys):
    from test_link_store import tiny
    store.ingest(tiny("a", "某市示范工作方案"))
    store.ingest(tiny("b", "某县落实方案", cites=("某市示范工作方案",)))
    rc, out, _ = run_cli(capsys, "documents", "--store", store.kind, "--format", "json")
    assert rc == 0 and {d["document_id"]: d["implements"] for d in json.loads(out)} == {"a": [], "b": ["a"]}
    rc, out, _ = run_cli(capsys, "documents", "--store", store.kind)
    assert "implements" in out.splitlines()[0]
