"""The embedded store's file: safe format, atomic saves, reloads, clear errors."""
from __future__ import annotations

import gzip
import json
import os

import networkx as nx
import pytest

from conftest import make_tiny_extraction
from graph.embedded import FILE_NAME, FORMAT_ID, SUMMARY_NAME, EmbeddedStore
from graph.model import build_graph_records, unit_key
from graph.store import StoreError, default_home, open_store


def test_file_is_gzipped_json_and_reloads(tmp_path):
    s = EmbeddedStore(tmp_path)
    s.ingest(make_tiny_extraction())
    data = json.loads(gzip.decompress((tmp_path / FILE_NAME).read_bytes()))
    assert data["format"] == FORMAT_ID and data["nodes"] and data["edges"]
    again = EmbeddedStore(tmp_path)
    assert again.tasks() == s.tasks() and again.workload() == s.workload()
    assert sorted(os.listdir(tmp_path)) == [".graph.lock", SUMMARY_NAME, FILE_NAME]  # no temp files left
    assert (tmp_path / FILE_NAME).stat().st_mode & 0o777 == 0o644


def test_other_instances_see_writes(tmp_path):
    reader = EmbeddedStore(tmp_path)
    assert reader.documents() == []
    writer = EmbeddedStore(tmp_path)
    writer.ingest(make_tiny_extraction("plan_a"))
    assert [d.document_id for d in reader.documents()] == ["plan_a"]
    reader.ingest(make_tiny_extraction("plan_b"))  # a writer reloads first: plan_a is kept
    assert [d.document_id for d in writer.documents()] == ["plan_a", "plan_b"]


def test_failed_save_changes_nothing(tmp_path, monkeypatch):
    s = EmbeddedStore(tmp_path)
    s.ingest(make_tiny_extraction("plan_a"))
    raw = (tmp_path / FILE_NAME).read_bytes()
    tasks = s.tasks()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        s.ingest(make_tiny_extraction("plan_b"))
    monkeypatch.undo()
    assert s.tasks() == tasks
    assert (tmp_path / FILE_NAME).read_bytes() == raw
    assert sorted(os.listdir(tmp_path)) == [".graph.lock", SUMMARY_NAME, FILE_NAME]


@pytest.mark.parametrize("content", [b"not gzip at all", gzip.compress(b"{not json"),
                                     gzip.compress(b'{"format": "something else"}')])
def test_bad_file_is_a_store_error(tmp_path, content):
    """At open, or at the next query when the graph is read in the background (the app)."""
    (tmp_path / FILE_NAME).write_bytes(content)
    with pytest.raises(StoreError, match="graph file"):
        EmbeddedStore(tmp_path)
    with pytest.raises(StoreError, match="graph file"):
        EmbeddedStore(tmp_path, load_in_background=True).tasks()


def test_open_store_and_default_home(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANGRAPH_HOME", str(tmp_path / "h"))
    assert default_home() == tmp_path / "h"
    s = open_store("embedded")
    assert isinstance(s, EmbeddedStore) and s.home == tmp_path / "h"
    monkeypatch.delenv("PLANGRAPH_HOME")
    assert str(default_home()).endswith(".local/share/plangraph")
    with pytest.raises(StoreError):
        open_store("sqlite")


def test_answers_follow_writes_although_indexed(tmp_path):
    """Queries are answered from per-document indexes; every kind of write must drop the
    stale ones: a re-ingested document, a deleted one, another process's save, and a
    shared unit that becomes collective through another document."""
    import dataclasses
    s = EmbeddedStore(tmp_path)
    a = make_tiny_extraction("plan_a")
    s.ingest(a)
    s.ingest(make_tiny_extraction("plan_b"))
    full = s.tasks(["plan_a"])
    assert full and s.gap_counts(document_ids=["plan_a"])["no_deadline"] == len(s.orphans("no_deadline",
                                                                                           document_ids=["plan_a"]))
    s.ingest(dataclasses.replace(a, tasks=a.tasks[:1]))  # the same document, shorter
    assert [t.task_id for t in s.tasks(["plan_a"])] == [full[0].task_id]
    assert sum(w.total for w in s.workload(["plan_a"])) == sum(
        len(set(t.lead + t.participants + t.responsible)) for t in s.tasks(["plan_a"]))
    other = EmbeddedStore(tmp_path)  # another process writes; this one reloads on its next query
    other.delete_document("plan_b")
    assert [d.document_id for d in s.documents()] == ["plan_a"] and s.tasks(["plan_b"]) == []
    assert s.delete_document("plan_a") and s.tasks() == [] and s.workload() == [] and s.unit_names() == []


def test_collective_flag_from_another_document_changes_partner_answers(tmp_path):
    import dataclasses
    s = EmbeddedStore(tmp_path)
    a = make_tiny_extraction("plan_a")
    s.ingest(a)
    specific = s.co_responsibility(include_collective=False)
    assert specific  # the tiny plan has tasks with two specific units
    pair = {specific[0].a, specific[0].b}
    task = next(t for t in a.tasks if pair <= {unit_key(x.canonical or x.unit) for x in t.assignments})
    marked = [dataclasses.replace(x, collective=True) for x in task.assignments]
    b = dataclasses.replace(make_tiny_extraction("plan_b"), tasks=[dataclasses.replace(task, assignments=marked)])
    s.ingest(b)  # every unit of that task is now "collective" somewhere: none counts as specific
    names = {x for e in s.co_responsibility(include_collective=False) for x in (e.a, e.b)}
    assert not pair & names
    assert pair <= {x for e in s.co_responsibility() for x in (e.a, e.b)}


def test_file_of_an_older_version_says_to_ingest_again(tmp_path):
    (tmp_path / FILE_NAME).write_bytes(gzip.compress(b'{"format": "plangraph.graph/1", "nodes": [], "edges": []}'))
    with pytest.raises(StoreError, match="older PlanGraph.*ingest"):
        EmbeddedStore(tmp_path)


def test_malformed_graph_file_is_a_store_error(tmp_path):
    bad = {"format": FORMAT_ID, "nodes": [["Task:x", "not a dict"]], "edges": []}
    (tmp_path / FILE_NAME).write_bytes(gzip.compress(json.dumps(bad).encode()))
    with pytest.raises(StoreError, match="cannot read the graph file"):
        EmbeddedStore(tmp_path)


def _graph_as_networkx_builds_it(path) -> nx.MultiDiGraph:
    """The slow, obvious reading of a graph file: what the fast loader must equal."""
    data = json.loads(gzip.decompress(path.read_bytes()))
    g = nx.MultiDiGraph()
    g.add_nodes_from(tuple(n) for n in data["nodes"])
    g.add_edges_from(tuple(e) for e in data["edges"])
    return g


def _same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    """Equal nodes, attributes, edge keys and attributes, and the same iteration orders."""
    return (list(a.nodes(data=True)) == list(b.nodes(data=True))
            and list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))
            and all(list(a.pred[n].items()) == list(b.pred[n].items()) for n in a))


def test_loaded_graph_equals_the_saved_one(tmp_path, corpus_extractions):
    with EmbeddedStore(tmp_path) as writer, writer.bulk():
        for e in corpus_extractions.values():
            writer.ingest(e)
        writer.ingest(make_tiny_extraction())  # two edges between one unit and one task
    loaded = EmbeddedStore(tmp_path).g
    assert nx.utils.graphs_equal(loaded, writer.g)
    assert any(len(keys) > 1 for nbrs in loaded.succ.values() for keys in nbrs.values())
    assert _same_graph(loaded, _graph_as_networkx_builds_it(tmp_path / FILE_NAME))


def test_edge_to_a_node_without_entry_and_repeated_node_entries_load_as_networkx_does(tmp_path):
    data = {"format": FORMAT_ID, "nodes": [["a", {"x": 1}], ["a", {"y": [2]}]],
            "edges": [["a", "b", {"type": "T"}], ["a", "b", {"type": "U"}], ["b", "b", {}]]}
    (tmp_path / FILE_NAME).write_bytes(gzip.compress(json.dumps(data).encode()))
    assert _same_graph(EmbeddedStore(tmp_path).g, _graph_as_networkx_builds_it(tmp_path / FILE_NAME))


@pytest.mark.parametrize("nodes, edges", [
    ([["Task:x"]], []), ([["Task:x", {}, "extra"]], []), ([[1, {}]], []), ("not a list", []), (7, []),
    ([], [["a", "b"]]), ([], [["a", 2, {}]]), ([], [["a", "b", []]]), ([], [{"a": "b"}])])
def test_every_kind_of_malformed_entry_is_a_store_error(tmp_path, nodes, edges):
    data = {"format": FORMAT_ID, "nodes": nodes, "edges": edges}
    (tmp_path / FILE_NAME).write_bytes(gzip.compress(json.dumps(data).encode()))
    with pytest.raises(StoreError, match="cannot read the graph file"):
        EmbeddedStore(tmp_path)


@pytest.mark.parametrize("damage", [lambda raw: raw[:-9], lambda raw: raw + b"junk", lambda raw: raw + raw,
                                    lambda raw: b""])
def test_truncated_or_extended_file_is_a_store_error(tmp_path, damage):
    EmbeddedStore(tmp_path).ingest(make_tiny_extraction())
    path = tmp_path / FILE_NAME
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(StoreError, match="cannot read the graph file"):
        EmbeddedStore(tmp_path)


def test_counts_and_first_pages_build_only_what_they_show(tmp_path, corpus_extractions):
    """A province's first page must not build 50k task rows or every document's unit and
    citation links: gap counts need neither, a page of rows only its documents' rows."""
    with EmbeddedStore(tmp_path) as writer, writer.bulk():
        for e in corpus_extractions.values():
            writer.ingest(e)
    s = EmbeddedStore(tmp_path)
    counts = s.gap_counts(as_of="2023-07-01")
    indexes = s._indexes(None)
    assert all(idx._rows is None and idx.links is None for idx in indexes)
    first = s.tasks(limit=3)
    assert [idx._rows is not None for idx in indexes] == [True] + [False] * (len(indexes) - 1)
    assert first == s.tasks()[:3] and all(idx.links is None for idx in indexes)
    assert counts == {k: len(s.orphans(k, as_of="2023-07-01")) for k in counts}


def test_pages_across_documents_are_slices_of_the_whole_answer(tmp_path, corpus_extractions):
    """Pages are cut from positions before rows are built: every cut at and around the
    documents' borders gives the same rows as slicing the whole list."""
    with EmbeddedStore(tmp_path) as writer, writer.bulk():
        for e in corpus_extractions.values():
            writer.ingest(e)
    whole = writer.tasks()
    lengths = [d.tasks for d in writer.documents()]
    borders = [sum(lengths[:i]) for i in range(1, len(lengths))]
    offsets = {0, 1, len(whole) - 1, len(whole), len(whole) + 5} | {b + d for b in borders for d in (-1, 0)}
    s = EmbeddedStore(tmp_path)
    for offset in sorted(o for o in offsets if o >= 0):
        s._forget()  # nothing built yet
        for limit in (1, 2, 40, len(whole), 0, None):
            want = whole[offset:] if limit is None else whole[offset:offset + limit]
            assert s.tasks(limit=limit, offset=offset) == want, (offset, limit)
    for kind in ("no_lead", "no_deadline", "deadline_passed", "unresolved_citation"):
        rows = writer.orphans(kind, as_of="2024-01-01")
        s._forget()
        for offset, limit in ((len(rows) - 1, 5), (3, 7), (0, 1), (len(rows), 1)):
            got = s.orphans(kind, as_of="2024-01-01", limit=limit, offset=max(offset, 0))
            assert got == rows[max(offset, 0):max(offset, 0) + limit]


def test_sessions_querying_at_once_get_the_same_answers(tmp_path, corpus_extractions):
    """The app's sessions are threads sharing one store; the first questions build the
    indexes (and give units their ids) while other threads ask too."""
    import sys
    with EmbeddedStore(tmp_path) as writer:
        for e in corpus_extractions.values():
            writer.ingest(e)
    expected = EmbeddedStore(tmp_path)
    want = (expected.workload(), expected.co_responsibility(), expected.gap_counts(as_of="2023-07-01"))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: interleave the index builds
    try:
        _ask_at_once(tmp_path, want)
    finally:
        sys.setswitchinterval(interval)


def _ask_at_once(tmp_path, want) -> None:
    import threading
    for _round in range(8):
        shared = EmbeddedStore(tmp_path)  # fresh: nothing indexed yet
        got: list = []
        start = threading.Barrier(6)

        def ask() -> None:
            start.wait()
            got.append((shared.workload(), shared.co_responsibility(), shared.gap_counts(as_of="2023-07-01")))

        threads = [threading.Thread(target=ask) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(got) == 6 and all(answer == want for answer in got)


def _unread(monkeypatch) -> None:
    """Stores opened with load_in_background=True start no thread: the graph stays unread."""
    monkeypatch.setattr(EmbeddedStore, "_load_quietly", lambda self: None)


def test_documents_before_the_graph_is_read_come_from_the_summary(tmp_path, monkeypatch):
    """The app's first page: documents() answers from documents.json while the graph file
    is still being read, exactly as the graph would."""
    writer = EmbeddedStore(tmp_path)
    writer.write_documents([build_graph_records(make_tiny_extraction(d)) for d in ("plan_b", "plan_a", "plan_c")])
    writer.delete_document("plan_c")
    _unread(monkeypatch)
    early = EmbeddedStore(tmp_path, load_in_background=True)
    asks = [None, ["plan_b", "missing", "plan_a"], []]
    answers = [early.documents(ids) for ids in asks]
    assert early.g.number_of_nodes() == 0  # nothing read but the summary
    assert answers == [writer.documents(ids) for ids in asks]
    assert [d.document_id for d in answers[0]] == ["plan_a", "plan_b"]
    assert early.tasks() == writer.tasks() and early.g.number_of_nodes()  # other questions read the graph
    assert early.documents() == answers[0]


@pytest.mark.parametrize("damage", ["stale", "garbage", "missing"])
def test_a_summary_that_does_not_match_the_graph_file_is_ignored(tmp_path, monkeypatch, damage):
    """A graph file saved without its summary (a crash between the two renames, an older
    PlanGraph) or a damaged summary: documents() reads the graph instead."""
    writer = EmbeddedStore(tmp_path)
    writer.ingest(make_tiny_extraction("plan_a"))
    summary = (tmp_path / SUMMARY_NAME).read_bytes()
    writer.ingest(make_tiny_extraction("plan_b"))
    if damage == "stale":
        (tmp_path / SUMMARY_NAME).write_bytes(summary)  # says plan_a only, for the older graph file
    elif damage == "garbage":
        (tmp_path / SUMMARY_NAME).write_bytes(b'{"format": 1, "documents": [')
    else:
        (tmp_path / SUMMARY_NAME).unlink()
    _unread(monkeypatch)
    early = EmbeddedStore(tmp_path, load_in_background=True)
    assert [d.document_id for d in early.documents()] == ["plan_a", "plan_b"]
    assert early.g.number_of_nodes()  # read from the graph, which writes the summary again
    later = EmbeddedStore(tmp_path, load_in_background=True)
    assert later.documents() == early.documents() and later.g.number_of_nodes() == 0


def test_a_store_read_in_the_background_gives_the_same_answers(tmp_path, corpus_extractions):
    writer = EmbeddedStore(tmp_path)
    writer.write_documents([build_graph_records(e) for e in corpus_extractions.values()])
    background = EmbeddedStore(tmp_path, load_in_background=True)
    assert background.documents() == writer.documents()
    assert background.workload() == writer.workload() and background.tasks() == writer.tasks()
    assert background.gap_counts(as_of="2024-06-30") == writer.gap_counts(as_of="2024-06-30")


def test_reading_the_graph_file_does_not_change_the_version(tmp_path, monkeypatch):
    """The app caches answers per version(): answers cached from the summary before the graph
    is read stay good after it is read; a write by another process still changes it."""
    writer = EmbeddedStore(tmp_path)
    writer.ingest(make_tiny_extraction("plan_a"))
    _unread(monkeypatch)
    early = EmbeddedStore(tmp_path, load_in_background=True)
    before = early.version()
    early.documents()
    assert early.g.number_of_nodes() == 0
    early.tasks()  # reads the graph
    assert early.g.number_of_nodes() and early.version() == before
    writer.ingest(make_tiny_extraction("plan_b"))
    assert early.version() != before
    assert [d.document_id for d in early.documents()] == ["plan_a", "plan_b"]


def test_a_question_asked_while_a_write_is_saved_leaves_nothing_stale(tmp_path, monkeypatch):
    """The app's sessions are threads sharing one store: one may ask (and build indexes)
    while another's write is being saved, before the new graph is live. The answers after
    the write must be the new ones."""
    store = EmbeddedStore(tmp_path)
    store.ingest(make_tiny_extraction("plan_a"))
    store.ingest(make_tiny_extraction("plan_b"))
    real_save = EmbeddedStore._save

    def save_then_ask(self, g):
        real_save(self, g)
        self.documents(), self.tasks(), self.workload()  # another session, mid-write

    monkeypatch.setattr(EmbeddedStore, "_save", save_then_ask)
    store.ingest(make_tiny_extraction("plan_a", rename={"市司法局": "市法院"}))
    assert store.delete_document("plan_b")
    monkeypatch.undo()
    fresh = EmbeddedStore(tmp_path)
    assert [d.document_id for d in store.documents()] == ["plan_a"]
    assert store.tasks() == fresh.tasks() and store.workload() == fresh.workload()
    assert "市法院" in {w.unit for w in store.workload()}
