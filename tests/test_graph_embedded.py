"""The embedded store's SQLite file: a plain database other tools open, whole documents for
readers in other processes, clear errors, and the one-time import of an older store."""
from __future__ import annotations

import dataclasses
import gzip
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_tiny_extraction
from plangraph.graph import legacy
from plangraph.graph.embedded import FILE_NAME, EmbeddedStore
from plangraph.graph.records import build_graph_records, unit_key
from plangraph.graph.store import StoreError, default_home, open_store

ROOT = Path(__file__).resolve().parents[1]


def test_file_is_sqlite_that_other_tools_read(tmp_path):
    s = EmbeddedStore(tmp_path)
    s.ingest(make_tiny_extraction())
    con = sqlite3.connect(tmp_path / FILE_NAME)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("SELECT count(*) FROM tasks").fetchone()[0] == 6
        lead = con.execute("SELECT t.id FROM tasks t JOIN assignments a ON a.document_id = t.document_id "
                           "AND a.ordinal = t.ordinal WHERE a.unit = '市司法局' AND a.role = 'lead' "
                           "ORDER BY t.ordinal").fetchall()
        assert [r[0] for r in lead] == ["2.1.1", "2.2.5"]
    finally:
        con.close()
    again = EmbeddedStore(tmp_path)
    assert again.tasks() == s.tasks() and again.workload() == s.workload()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_a_store_without_a_later_index_gets_it_when_opened(tmp_path):
    """An index added after stores were made (co_responsibility's order of the unit pairs)
    comes to an older store when it is opened, the index it replaced goes, and the answer
    reads the new one without sorting."""
    s = EmbeddedStore(tmp_path)
    s.ingest(make_tiny_extraction())
    before = s.co_responsibility()
    con = sqlite3.connect(tmp_path / FILE_NAME)
    try:
        con.execute("DROP INDEX unit_pair_order")
        con.execute("CREATE INDEX unit_pair_weight ON unit_pair (weight)")  # as an older PlanGraph made it
        con.commit()
        again = EmbeddedStore(tmp_path)
        assert again.co_responsibility() == before and len(before) > 1
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "unit_pair_order" in names and "unit_pair_weight" not in names
        plan = " ".join(str(r) for r in con.execute(
            "EXPLAIN QUERY PLAN SELECT a, b, weight FROM unit_pair WHERE weight >= 1 ORDER BY weight DESC, a, b"))
        assert "unit_pair_order" in plan and "TEMP B-TREE" not in plan, plan
    finally:
        con.close()


def test_the_basis_lookup_of_each_write_reads_by_regulation(tmp_path):
    """Every write asks which documents' basis cites a regulation its title may name; read
    through the relation index, that walks every basis citation of the store on each write."""
    from plangraph.graph.embedded import _BASIS_CITING
    s = EmbeddedStore(tmp_path)
    s.ingest(make_tiny_extraction())
    con = sqlite3.connect(tmp_path / FILE_NAME)
    try:
        plan = " ".join(str(r) for r in con.execute("EXPLAIN QUERY PLAN " + _BASIS_CITING, ('["a"]',)))
    finally:
        con.close()
    assert "citations_regulation" in plan and "citations_relation" not in plan, plan


def test_other_instances_see_writes(tmp_path):
    reader = EmbeddedStore(tmp_path)
    assert reader.documents() == []
    writer = EmbeddedStore(tmp_path)
    writer.ingest(make_tiny_extraction("plan_a"))
    assert [d.document_id for d in reader.documents()] == ["plan_a"]
    reader.ingest(make_tiny_extraction("plan_b"))
    assert [d.document_id for d in writer.documents()] == ["plan_a", "plan_b"]
    assert reader.version() == writer.version() != "0"


WRITER = """
import sys
sys.path.insert(0, {tests!r})
from conftest import make_tiny_extraction
from plangraph.graph.embedded import EmbeddedStore
store = EmbeddedStore({home!r})
for i in range(40):
    store.ingest(make_tiny_extraction(f"plan_{{i:02d}}"))
    store.ingest(make_tiny_extraction(f"plan_{{i:02d}}", rename={{"市司法局": f"市法院{{i}}"}}))
"""


def test_a_reader_in_another_process_sees_whole_documents(tmp_path):
    """The app reads while `plangraph ingest` writes: every document it sees is complete
    (its tasks, units and gaps all there), never half of one."""
    reader = EmbeddedStore(tmp_path)
    child = subprocess.Popen([sys.executable, "-c", WRITER.format(tests=str(ROOT / "tests"), home=str(tmp_path))],
                             cwd=ROOT)
    seen = 0
    try:
        while child.poll() is None or seen == 0:
            for d in reader.documents():
                tasks = reader.tasks([d.document_id])
                assert len(tasks) == d.tasks == 6, d
                assert sum(1 for t in tasks for _ in t.lead + t.participants + t.responsible) == d.assignments
                assert reader.gap_counts(as_of="2024-01-01", document_ids=[d.document_id])["no_lead"] == 2
                seen += 1
    finally:
        child.wait(timeout=120)
    assert child.returncode == 0 and seen
    assert len(reader.documents()) == 40


@pytest.mark.parametrize("content", [b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 200])
def test_a_file_that_is_not_a_store_is_a_store_error(tmp_path, content):
    (tmp_path / FILE_NAME).write_bytes(content)
    with pytest.raises(StoreError, match=str(tmp_path)):
        EmbeddedStore(tmp_path)


def test_a_database_of_another_program_is_refused(tmp_path):
    con = sqlite3.connect(tmp_path / FILE_NAME)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not a PlanGraph store"):
        EmbeddedStore(tmp_path)


def test_a_home_that_is_a_file_is_a_store_error(tmp_path):
    home = tmp_path / "home"
    home.write_text("x")
    with pytest.raises(StoreError, match="is a file, not a folder"):
        EmbeddedStore(home)


def test_open_store_and_default_home(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANGRAPH_HOME", str(tmp_path / "h"))
    assert default_home() == tmp_path / "h"
    s = open_store("embedded")
    assert isinstance(s, EmbeddedStore) and s.home == tmp_path / "h" and (tmp_path / "h" / FILE_NAME).exists()
    monkeypatch.delenv("PLANGRAPH_HOME")
    assert str(default_home()).endswith(".local/share/plangraph")
    with pytest.raises(StoreError):
        open_store("sqlite")


def test_answers_follow_writes(tmp_path):
    s = EmbeddedStore(tmp_path)
    a = make_tiny_extraction("plan_a")
    s.ingest(a)
    s.ingest(make_tiny_extraction("plan_b"))
    full = s.tasks(["plan_a"])
    s.ingest(dataclasses.replace(a, tasks=a.tasks[:2]))  # the same document, shorter
    assert [t.task_id for t in s.tasks(["plan_a"])] == [t.task_id for t in full[:2]]
    assert sum(w.total for w in s.workload(["plan_a"])) == sum(
        len(set(t.lead + t.participants + t.responsible)) for t in s.tasks(["plan_a"]))
    other = EmbeddedStore(tmp_path)  # another process deletes
    other.delete_document("plan_b")
    assert [d.document_id for d in s.documents()] == ["plan_a"] and s.tasks(["plan_b"]) == []
    assert s.delete_document("plan_a") and s.tasks() == [] and s.workload() == [] and s.unit_names() == []
    assert s.co_responsibility() == [] and s.gap_counts() == dict.fromkeys(s.gap_counts(), 0)


def test_collective_flag_from_another_document_changes_partner_answers(tmp_path):
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


def test_pages_across_documents_are_slices_of_the_whole_answer(tmp_path, corpus_extractions):
    """Every cut at and around the documents' borders gives the same rows as slicing the
    whole list."""
    writer = EmbeddedStore(tmp_path)
    writer.write_documents([build_graph_records(e) for e in corpus_extractions.values()])
    whole = writer.tasks()
    lengths = [d.tasks for d in writer.documents()]
    borders = [sum(lengths[:i]) for i in range(1, len(lengths))]
    offsets = {0, 1, len(whole) - 1, len(whole), len(whole) + 5} | {b + d for b in borders for d in (-1, 0)}
    for offset in sorted(o for o in offsets if o >= 0):
        for limit in (1, 2, 40, len(whole), 0, None):
            want = whole[offset:] if limit is None else whole[offset:offset + limit]
            assert writer.tasks(limit=limit, offset=offset) == want, (offset, limit)
    for kind in ("no_lead", "no_deadline", "deadline_passed", "unresolved_citation"):
        rows = writer.orphans(kind, as_of="2024-01-01")
        for offset, limit in ((len(rows) - 1, 5), (3, 7), (0, 1), (len(rows), 1)):
            got = writer.orphans(kind, as_of="2024-01-01", limit=limit, offset=max(offset, 0))
            assert got == rows[max(offset, 0):max(offset, 0) + limit]


def test_sessions_querying_at_once_get_the_same_answers(tmp_path, corpus_extractions):
    """The app's sessions are threads sharing one store (a connection each)."""
    import threading
    EmbeddedStore(tmp_path).write_documents([build_graph_records(e) for e in corpus_extractions.values()])
    shared = EmbeddedStore(tmp_path)
    want = (shared.workload(), shared.co_responsibility(), shared.gap_counts(as_of="2023-07-01"), shared.tasks())
    got: list = []
    start = threading.Barrier(6)

    def ask() -> None:
        start.wait()
        got.append((shared.workload(), shared.co_responsibility(), shared.gap_counts(as_of="2023-07-01"),
                    shared.tasks()))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 6 and all(answer == want for answer in got)
    shared.close()


# ---------------------------------------------------------------- the older store, imported once

def write_legacy_file(home: Path, extractions) -> None:
    """A home as PlanGraph before SQLite left it: graph.json.gz, nodes and edges of the
    records, Task properties without guides (that PlanGraph had no guide role)."""
    nodes: dict[str, dict] = {}
    edges: list = []
    for e in extractions:
        r = build_graph_records(e)
        doc = f"Document:{r.document_id}"
        nodes[doc] = {**r.document.props, "label": "Document"}
        for sec in r.sections:
            nodes[f"Section:{sec.key}"] = {**sec.props, "label": "Section"}
            edges.append([doc, f"Section:{sec.key}", {"type": "CONTAINS"}])
        for t in r.tasks:
            nodes[f"Task:{t.key}"] = {**{k: v for k, v in t.props.items() if k != "guides"}, "label": "Task"}
            edges.append([f"Section:{t.section_key}" if t.section_key else doc, f"Task:{t.key}", {"type": "CONTAINS"}])
        for u in r.units:
            nodes[f"Unit:{u.key}"] = {**u.props, "label": "Unit"}
        for g in r.regulations:
            nodes[f"Regulation:{g.key}"] = {**g.props, "label": "Regulation"}
        for a in r.assignments:
            edges.append([f"Unit:{a.unit}", f"Task:{a.task_key}", {**a.props, "type": a.rel_type}])
        for c in r.citations:
            src = f"Task:{c.source_key}" if c.source_key else doc
            edges.append([src, f"Regulation:{c.regulation}", {**c.props, "type": "CITES"}])
    data = {"format": legacy.FORMAT_ID, "nodes": [[n, a] for n, a in nodes.items()], "edges": edges}
    home.mkdir(parents=True, exist_ok=True)
    (home / legacy.FILE_NAME).write_bytes(gzip.compress(json.dumps(data, ensure_ascii=False).encode()))


def everything(store) -> tuple:
    """What the store answers; a document's fingerprint (a hash of its records, which an
    import rebuilds with shared nodes already merged) and its count of findings (an older
    store did not keep them) left out."""
    g = store.to_networkx()
    return (sorted((n, sorted((k, repr(v)) for k, v in a.items() if k not in ("fingerprint", "n_findings")))
                   for n, a in g.nodes(data=True)),
            sorted((u, v, sorted((k, repr(x)) for k, x in a.items())) for u, v, a in g.edges(data=True)),
            store.documents(), store.tasks(), store.workload(), store.regulations(), store.co_responsibility(),
            store.gap_counts(as_of="2024-01-01"))


def test_an_older_store_is_imported_once(tmp_path, capsys):
    plans = [make_tiny_extraction("plan_a"), make_tiny_extraction("plan_b", rename={"市委宣传部": "市文明办"})]
    write_legacy_file(tmp_path / "old", plans)
    imported = EmbeddedStore(tmp_path / "old")
    assert "imported 2 documents" in capsys.readouterr().err
    fresh = EmbeddedStore(tmp_path / "new")
    for e in plans:
        fresh.ingest(e)
    assert everything(imported) == everything(fresh)
    # what the extractor could not read was not kept: not known, which is not "none"
    assert imported.finding_counts() == {} and set(fresh.finding_counts()) == {"plan_a", "plan_b"}
    EmbeddedStore(tmp_path / "old")  # the second open reads the SQLite file only
    assert capsys.readouterr().err == ""


def test_an_older_store_that_cannot_be_read_is_one_error_and_no_half_store(tmp_path):
    (tmp_path / legacy.FILE_NAME).write_bytes(gzip.compress(b'{"format": "plangraph.graph/1", "nodes": []}'))
    with pytest.raises(StoreError, match="ingest the plans again"):
        EmbeddedStore(tmp_path)
    assert not (tmp_path / FILE_NAME).exists() and not list(tmp_path.glob(".*.tmp*"))


def test_connections_of_ended_threads_are_closed(tmp_path):
    """Streamlit runs each page run in a new thread: the store must not keep a connection
    (a file handle and its page cache) for every thread that ever asked."""
    import threading
    store = EmbeddedStore(tmp_path)
    store.ingest(make_tiny_extraction())
    store.tasks()
    open_before = len(os.listdir("/proc/self/fd"))  # whatever earlier tests left open is not ours
    for _ in range(30):
        t = threading.Thread(target=store.tasks)
        t.start()
        t.join()
    store.tasks()
    assert len(store._connections) <= 2
    assert len(os.listdir("/proc/self/fd")) - open_before <= 4  # 30 threads' connections would be 30+
