"""Shared fixtures: a tiny hand-made plan, and graph stores (embedded and Neo4j).

The Neo4j fixtures talk to the server named by NEO4J_* (default bolt://127.0.0.1:7687).
When it cannot be reached they skip, or FAIL when PLANGRAPH_REQUIRE_NEO4J=1 (`make test`).
Community edition has one database, so Neo4j fixtures clear it: tests only.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from plangraph.ingest.model import Assignment, Citation, Deadline, DocumentInfo, Extraction, Finding, Task

# ---------------------------------------------------------------- the tiny plan

TINY_TEXT = (
    "某市示范工作方案\n"
    "为贯彻落实《中华人民共和国行政处罚法》,制定本方案。\n"
    "一、总体要求\n"
    "(一)指导思想。坚持依法行政。\n"
    "二、重点任务\n"
    "(一)制度建设\n"
    "1.完善执法制度。依据《行政处罚法》,出台《某市行政执法办法》。2022年底前完成。(牵头单位:市司法局;参加单位:市政府各部门)\n"
    "2.加强政府督查。贯彻《政府督查工作条例》。(责任单位:市政府办、各区县政府按职责分工负责)\n"
    "(二)能力提升\n"
    "3.加强执法培训。每年开展培训。(责任单位:市政府各部门,各区县政府)\n"
    "4.推进数字执法。2030年底前建成平台。(牵头单位:市发改委;参加单位:市司法局、市政务服务中心)\n"
    "5.开展普法宣传。(牵头单位:市委宣传部、市司法局)\n"
)

# (id, labels, heading, section, section_title, [(unit, role, collective, canonical)], [(title, relation)],
#  [(deadline text, date, recurring)])
TINY_TASKS = [
    ("1.1", ["一、", "(一)"], "指导思想", None, None, [], [], []),
    ("2.1.1", ["二、", "(一)", "1."], "完善执法制度", "2.1", "制度建设",
     [("市司法局", "lead", False, None), ("市政府各部门", "participant", True, None)],
     [("行政处罚法", "basis"), ("某市行政执法办法", "produces")], [("2022年底前", "2022-12-31", None)]),
    ("2.1.2", ["二、", "(一)", "2."], "加强政府督查", "2.1", "制度建设",
     [("市政府办", "responsible", False, None), ("各区县政府", "responsible", True, None)],
     [("政府督查工作条例", "basis")], []),
    ("2.2.3", ["二、", "(二)", "3."], "加强执法培训", "2.2", "能力提升",
     [("市政府各部门", "responsible", True, None), ("各区县政府", "responsible", True, None)],
     [], [("每年", None, "yearly")]),
    ("2.2.4", ["二、", "(二)", "4."], "推进数字执法", "2.2", "能力提升",
     [("市发改委", "lead", False, "市发展改革委"), ("市司法局", "participant", False, None),
      ("市政务服务中心", "participant", False, None)],
     [], [("2030年底前", "2030-12-31", None)]),
    ("2.2.5", ["二、", "(二)", "5."], "开展普法宣传", "2.2", "能力提升",
     [("市委宣传部", "lead", False, None), ("市司法局", "lead", False, None)], [], []),
]


def _span(text: str, needle: str, after: int = 0) -> tuple[int, int]:
    i = text.index(needle, after)
    return i, i + len(needle)


# What `plangraph check` would name in it, made by hand (kind, text, task id or None):
# (ingest/review.py finds them in real plans; these give the store something to keep).
TINY_FINDINGS = [
    ("unlabelled_number", "为贯彻落实《中华人民共和国行政处罚法》,制定本方案。", None),
    ("task_without_units", "指导思想", "1.1"),
    ("unread_statement", "(责任单位:市政府办、各区县政府按职责分工负责)", "2.1.2"),
    ("unknown_unit", "市政务服务中心", "2.2.4"),
]


def make_tiny_extraction(doc_id: str = "tiny_plan", text: str = TINY_TEXT,
                         rename: dict[str, str] | None = None) -> Extraction:
    """A small plan covering lead/participant/responsible, collective units, basis/produces,
    a task without lead, without deadline, with a passed deadline, without any unit, and
    one finding of each kind (TINY_FINDINGS), one of them outside every task.
    `rename` maps unit names to other names (same offsets) to make variants."""
    rename = rename or {}
    info = DocumentInfo(source=f"{doc_id}.txt", id=doc_id, title="某市示范工作方案", doc_number="某政办发〔2022〕1号",
                        issuer="某市人民政府办公室", date="2022-06-20",
                        sha256=hashlib.sha256(text.encode()).hexdigest())
    tasks: list[Task] = []
    for i, (tid, labels, heading, sec, sec_title, units, cites, deadlines) in enumerate(TINY_TASKS):
        start = text.index(labels[-1] + heading)
        nxt = TINY_TASKS[i + 1] if i + 1 < len(TINY_TASKS) else None
        end = text.index(nxt[1][-1] + nxt[2]) if nxt else len(text)
        body = text[start:end]
        task = Task(id=tid, labels=labels, heading=heading, text=body, start=start, end=end,
                    section=sec, section_title=sec_title)
        for unit, role, collective, canonical in units:
            s, e = _span(text, unit, start)
            name = rename.get(unit, unit)
            task.assignments.append(Assignment(unit=name, mention=name, role=role, collective=collective,
                                               start=s, end=e, canonical=rename.get(canonical, canonical)
                                               if canonical else None))
        for title, relation in cites:
            s, e = _span(text, f"《{title}》", start)
            task.citations.append(Citation(title=title, mention=f"《{title}》", relation=relation, start=s, end=e))
        for dtext, date, recurring in deadlines:
            s, e = _span(text, dtext, start)
            task.deadlines.append(Deadline(text=dtext, date=date, recurring=recurring, start=s, end=e))
        tasks.append(task)
    s, e = _span(text, "《中华人民共和国行政处罚法》")
    doc_cites = [Citation(title="中华人民共和国行政处罚法", mention="《中华人民共和国行政处罚法》",
                          relation="basis", start=s, end=e)]
    findings = []
    for kind, needle, task_id in TINY_FINDINGS:
        s, e = _span(text, needle)
        findings.append(Finding(kind, needle, s, e, task_id))
    return Extraction(document=info, text=text, tasks=tasks, citations=doc_cites, findings=findings)


@pytest.fixture
def tiny_extraction() -> Extraction:
    return make_tiny_extraction()


# ---------------------------------------------------------------- the command line


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty embedded store's folder as PLANGRAPH_HOME, the store choice left to the default."""
    h = tmp_path / "home"
    monkeypatch.setenv("PLANGRAPH_HOME", str(h))
    monkeypatch.delenv("PLANGRAPH_STORE", raising=False)
    return h


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """`plangraph ARGV` in this process: (exit code, stdout, stderr); never a traceback."""
    from plangraph.cli import main
    rc = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return rc, out, err


# ---------------------------------------------------------------- stores

STORE_KINDS = ("embedded", "neo4j")


def neo4j_required() -> bool:
    return os.environ.get("PLANGRAPH_REQUIRE_NEO4J", "") not in ("", "0")


_RUN_WITHOUT_NEO4J = False  # `-m "not neo4j"` (make test-fast): no test may open a server


def pytest_configure(config) -> None:
    global _RUN_WITHOUT_NEO4J
    _RUN_WITHOUT_NEO4J = "not neo4j" in (config.getoption("markexpr", "") or "")


def connect_neo4j_store():
    """A Neo4jStore on the configured server, or skip/fail (PLANGRAPH_REQUIRE_NEO4J=1).

    Fails in a run that leaves the neo4j tests out: a test that opens the server must carry the
    mark, or `make test-fast` would write into a Neo4j that another run is reading."""
    from plangraph.graph.neo4j_store import Neo4jStore
    from plangraph.graph.store import StoreError
    if _RUN_WITHOUT_NEO4J:
        pytest.fail("this test opens Neo4j but is not marked neo4j (@pytest.mark.neo4j)", pytrace=False)
    try:
        store = Neo4jStore()
        store.ping()
    except StoreError as err:
        if neo4j_required():
            pytest.fail(f"Neo4j required (PLANGRAPH_REQUIRE_NEO4J=1) but unavailable: {err}", pytrace=False)
        pytest.skip(f"Neo4j not available: {err}")
    return store


def open_test_store(kind: str, tmp_path) -> "object":
    """A fresh, empty store of this kind (Neo4j: the one database is cleared)."""
    if kind == "embedded":
        from plangraph.graph.embedded import EmbeddedStore
        return EmbeddedStore(tmp_path / "home")
    store = connect_neo4j_store()
    store.clear_all_for_tests()
    return store


STORE_PARAMS = [pytest.param("embedded", id="embedded"),
                pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture(params=STORE_PARAMS)
def store(request, tmp_path) -> Iterator:
    """An empty store, once per kind."""
    s = open_test_store(request.param, tmp_path)
    try:
        yield s
    finally:
        s.close()


# ---------------------------------------------------------------- the shared corpus

from shared_corpus import require_corpus, seed_and_dev_files  # noqa: E402


@pytest.fixture(scope="session")
def corpus_extractions() -> dict:
    """document id -> Extraction of every corpus file, extracted once per session."""
    require_corpus()
    from plangraph.ingest.pipeline import extract_file
    out = {}
    for p in seed_and_dev_files():
        e = extract_file(p)
        out[e.document.id] = e
    return out


def fail_write_step(monkeypatch, store, step: str, document_id: str | None = None) -> None:
    """Make a store's write step (`_write_tasks`, `_write_assignments`, `_write_citations`,
    `_write_findings`) do its writes and then raise RuntimeError("injected failure"): always,
    or only when it writes `document_id`. Embedded: the store's methods; Neo4j: the functions of graph.neo4j_write
    (they write a batch of documents)."""
    if store.kind == "neo4j":
        from plangraph.graph import neo4j_write
        owner, name = neo4j_write, step.lstrip("_")
    else:
        owner, name = type(store), step
    real = getattr(owner, name)

    def boom(*args):
        real(*args)  # some writes happen, then the failure
        written = args[-1] if isinstance(args[-1], list) else [args[-1]]
        if document_id is None or any(r.document_id == document_id for r in written):
            raise RuntimeError("injected failure")

    monkeypatch.setattr(owner, name, boom)
