"""Ingest is atomic per document, even when the process is killed mid-write (SIGKILL).

Version 1 of a plan (and a bystander plan sharing units with it) is ingested; a child
process (tests/kill_helpers/ingest_child.py) ingests version 2 of the same document into
the same store and stops in the middle of the write, inside the store's one transaction
after the old version was deleted and the new rows written (SQLite; Neo4j after the UNWIND
batches ran). We SIGKILL it there, then a fresh store (new EmbeddedStore on the same home /
new driver) must answer exactly as before, with nothing of version 2; and ingesting version
2 normally must replace version 1, never duplicate it.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import connect_neo4j_store, open_test_store
from plangraph.graph.embedded import EmbeddedStore
from plangraph.ingest.pipeline import extract_file

ROOT = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).resolve().parent / "kill_helpers" / "ingest_child.py"
WAIT = 60.0  # seconds: bound on every wait, so a broken test cannot hang CI

V1 = """某市法治建设实施方案
一、重点任务
1.完善执法制度。2022年底前出台《某市行政执法办法》。(牵头单位:市司法局;参加单位:市公安局)
2.加强政府督查。(责任单位:市政府办)
3.推进数字执法。2023年底前建成平台。(牵头单位:市发改委;参加单位:市司法局、市财政局)
"""
# Other tasks, other units (all but 市司法局, kept to check a shared unit survives)
V2 = """某市法治建设实施方案
一、重点任务
1.开展防震宣传。(牵头单位:市地震局;参加单位:市档案馆)
2.加强气象服务。每年开展培训。(牵头单位:市气象局;参加单位:市林业局)
3.建设人防工程。(责任单位:市人防办)
4.规范机关事务。2024年底前完成。(牵头单位:市机关事务局;参加单位:市司法局)
"""
BYSTANDER = """某市财政工作方案
一、重点任务
1.加强预算管理。(牵头单位:市财政局;参加单位:市司法局)
2.推进审计监督。(责任单位:市审计局)
"""
V1_HEADINGS = ["完善执法制度", "加强政府督查", "推进数字执法"]
V2_HEADINGS = ["开展防震宣传", "加强气象服务", "建设人防工程", "规范机关事务"]
V2_ONLY_UNITS = ["某市地震局", "某市档案馆", "某市气象局", "某市林业局", "某市人防办", "某市机关事务管理局"]

POINTS = [
    pytest.param("embedded", "open_transaction", id="embedded-open-transaction"),
    pytest.param("neo4j", "open_transaction", id="neo4j-open-transaction", marks=pytest.mark.neo4j),
]


def plan_file(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def answers(store, docs: list[str]) -> tuple:
    """What the store says about these documents (scoped: other tests may share Neo4j)."""
    g = store.to_networkx(docs)
    nodes = sorted((n, sorted((k, repr(v)) for k, v in a.items())) for n, a in g.nodes(data=True))
    edges = sorted((u, v, sorted((k, repr(x)) for k, x in a.items())) for u, v, a in g.edges(data=True))
    return (store.documents(docs), store.tasks(docs), store.workload(docs), store.regulations(document_ids=docs),
            nodes, edges)


def reopen(kind: str, home: Path):
    return EmbeddedStore(home) if kind == "embedded" else connect_neo4j_store()


def killed_tx(token: str) -> list[dict]:
    """The child's transaction as SHOW TRANSACTIONS lists it (found by its metadata)."""
    from plangraph.graph.neo4j_config import neo4j_settings, open_driver
    settings = neo4j_settings()
    with open_driver(settings) as driver, driver.session(database=settings.database) as s:
        return s.run("SHOW TRANSACTIONS YIELD transactionId, metaData, status "
                     "WHERE metaData.plangraph_kill_test = $token RETURN transactionId, status",
                     token=token).data()


def run_and_kill(kind: str, home: Path, plan: Path, point: str, token: str, tmp_path: Path) -> dict:
    """Start the child, wait for its marker, SIGKILL it; return what the marker said."""
    marker = tmp_path / "marker.json"
    out, err = tmp_path / "child.out", tmp_path / "child.err"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with open(out, "wb") as fo, open(err, "wb") as fe:
        child = subprocess.Popen([sys.executable, str(CHILD), kind, str(home), str(plan), str(marker), point, token],
                                 cwd=ROOT, env=env, stdout=fo, stderr=fe)
    try:
        deadline = time.monotonic() + WAIT
        while not marker.exists():
            if child.poll() is not None:
                pytest.fail(f"child exited ({child.returncode}) before the stop point:\n"
                            f"{err.read_text(errors='replace')[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"child did not reach the stop point within {WAIT:.0f}s:\n"
                            f"{err.read_text(errors='replace')[-3000:]}")
            time.sleep(0.05)
        info = json.loads(marker.read_text(encoding="utf-8"))
        if kind == "neo4j":  # the write really is an open, uncommitted transaction on the server
            assert [t["status"] for t in killed_tx(token)] == ["Running"], killed_tx(token)
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=WAIT) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=WAIT)
    return info


@pytest.mark.parametrize("kind, point", POINTS)
def test_killed_ingest_leaves_previous_version(kind, point, tmp_path):
    tag = uuid.uuid4().hex[:8]
    doc, other = f"kill_plan_{tag}", f"kill_bystander_{tag}"
    v1, v2 = plan_file(tmp_path / "v1", doc, V1), plan_file(tmp_path / "v2", doc, V2)
    bystander = plan_file(tmp_path / "v1", other, BYSTANDER)
    home = tmp_path / "home"
    docs = [doc, other]

    store = open_test_store(kind, tmp_path)  # empty (Neo4j: cleared, as conftest's fixtures do)
    try:
        store.ingest(extract_file(bystander))
        store.ingest(extract_file(v1))
        before, before_other = answers(store, docs), answers(store, [other])
    finally:
        store.close()
    assert [t.heading for t in before[1] if t.document_id == doc] == V1_HEADINGS
    token = f"{doc}-{point}"

    info = run_and_kill(kind, home, v2, point, token, tmp_path)

    # inside the transaction, v1 was already deleted and v2 written
    assert info["headings_in_tx"] == sorted(V2_HEADINGS), info
    if kind == "neo4j":
        deadline = time.monotonic() + WAIT  # the server notices the dropped connection and rolls back
        while killed_tx(token):
            assert time.monotonic() < deadline, f"transaction {token} still open {WAIT:.0f}s after SIGKILL"
            time.sleep(0.2)

    store = reopen(kind, home)  # a fresh store: new EmbeddedStore on the home / new driver
    try:
        after = answers(store, docs)
        # exactly version 1 (and the bystander), nothing half-written
        assert after == before, f"documents now: {after[0]} (an empty list: did another test clear Neo4j?)"
        assert [t.heading for t in store.tasks([doc])] == V1_HEADINGS
        assert not set(V2_ONLY_UNITS) & set(store.unit_names())
        if kind == "neo4j":  # no stray nodes of version 2 anywhere, one Document node
            recs = store._read("""
                MATCH (d:Document {id: $doc}) WITH count(d) AS docs
                RETURN docs,
                  COUNT { MATCH (t:Task) WHERE t.document_id = $doc } AS tasks,
                  COUNT { MATCH (t:Task) WHERE t.heading IN $headings } AS v2_tasks,
                  COUNT { MATCH (u:Unit) WHERE u.name IN $units } AS v2_units""",
                               doc=doc, headings=V2_HEADINGS, units=V2_ONLY_UNITS)
            assert dict(recs[0]) == {"docs": 1, "tasks": 3, "v2_tasks": 0, "v2_units": 0}
        else:  # the file itself, read by another program: nothing of version 2
            import sqlite3
            con = sqlite3.connect(home / "plangraph.sqlite")
            try:
                assert con.execute("SELECT count(*) FROM documents WHERE id = ?", (doc,)).fetchone()[0] == 1
                assert con.execute("SELECT count(*) FROM tasks WHERE document_id = ?", (doc,)).fetchone()[0] == 3
                assert con.execute("SELECT count(*) FROM units WHERE name IN (SELECT value FROM json_each(?))",
                                   (json.dumps(V2_ONLY_UNITS),)).fetchone()[0] == 0
            finally:
                con.close()

        # ingesting version 2 normally replaces version 1, never duplicates it
        res = store.ingest(extract_file(v2))
        assert res.replaced and res.tasks == 4
        replaced = answers(store, docs)
        assert [t.heading for t in store.tasks([doc])] == V2_HEADINGS
        assert answers(store, [other]) == before_other  # the bystander sharing units is untouched
        store.delete_document(doc)  # the same store with only version 2 of the document, written afresh
        assert store.ingest(extract_file(v2)).replaced is False
        assert answers(store, docs) == replaced
    finally:
        store.close()
    if kind == "embedded":  # and that is what is on disk
        assert answers(EmbeddedStore(home), docs) == replaced
