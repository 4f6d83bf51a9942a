"""The measurements, each run by bench/run.py in its own process (so peak RSS is per step).

`python bench/run.py --worker NAME ARGS_JSON` calls `WORKERS[NAME](**args)` and prints its
result as one JSON line. Every function here measures one thing and returns plain numbers.
"""
from __future__ import annotations

import os
import pickle
import resource
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

AS_OF = "2024-06-30"  # fixed, so deadline_passed answers do not change with the day
from plangraph.graph.gaps import GAP_KINDS  # noqa: E402


def _paths(list_file: str) -> list[Path]:
    return [Path(p) for p in Path(list_file).read_text(encoding="utf-8").split("\n") if p]


def _records(path: str) -> Iterator[Any]:
    """DocumentRecords pickled one after another by `extract`."""
    with open(path, "rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# ---------------------------------------------------------------- extraction


def extract(files: str, records: str, limit: int | None = None) -> dict:
    """extract_file over every plan, with jieba.lcut over the same text just before it
    (interleaved, so both see the same machine load). Writes the graph records for the
    later steps. jieba is the pipeline's own (user dictionary loaded)."""
    import jieba

    from plangraph.graph.records import build_graph_records
    from plangraph.ingest.pipeline import extract_file
    from plangraph.ingest.segment import get_nlp

    paths = _paths(files)[:limit]
    t0 = time.perf_counter()
    get_nlp()
    extract_file(paths[0])
    warm = time.perf_counter() - t0
    chars = tasks = assignments = citations = deadlines = empty = 0
    t_jieba = t_extract = t_records = 0.0
    with open(records, "wb") as out:
        for path in paths:
            text = path.read_text(encoding="utf-8")
            t = time.perf_counter()
            jieba.lcut(text)
            t_jieba += time.perf_counter() - t
            t = time.perf_counter()
            ext = extract_file(path)
            t_extract += time.perf_counter() - t
            t = time.perf_counter()
            pickle.dump(build_graph_records(ext), out, protocol=pickle.HIGHEST_PROTOCOL)
            t_records += time.perf_counter() - t
            chars += len(ext.text)
            tasks += len(ext.tasks)
            empty += not ext.tasks
            assignments += sum(len(x.assignments) for x in ext.tasks)
            citations += sum(len(x.citations) for x in ext.tasks) + len(ext.citations)
            deadlines += sum(len(x.deadlines) for x in ext.tasks) + len(ext.deadlines)
    return {"plans": len(paths), "chars": chars, "warmup_s": warm, "jieba_s": t_jieba,
            "extract_s": t_extract, "records_s": t_records, "tasks": tasks, "assignments": assignments,
            "citations": citations, "deadlines": deadlines, "plans_without_tasks": empty}


def _warm() -> None:
    from plangraph.ingest.segment import get_nlp
    get_nlp()


def _extract_one(path: str) -> int:
    from plangraph.ingest.pipeline import extract_file
    return len(extract_file(path).tasks)


def extract_parallel(files: str, workers: int = 2, limit: int | None = None) -> dict:
    """The same extraction with a ProcessPoolExecutor; wall time includes the pool start and
    each process's pipeline load."""
    paths = [str(p) for p in _paths(files)[:limit]]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers, initializer=_warm) as pool:
        tasks = sum(pool.map(_extract_one, paths, chunksize=8))
    wall = time.perf_counter() - t0
    return {"plans": len(paths), "workers": workers, "wall_s": wall, "tasks": tasks,
            "children_peak_rss_mb": _children_peak_mb()}


def profile_extract(files: str, limit: int = 40, top: int = 12) -> dict:
    """cProfile of extract_file over the first `limit` plans: the functions that cost most."""
    import cProfile
    import pstats

    from plangraph.ingest.pipeline import extract_file
    from plangraph.ingest.segment import get_nlp

    paths = _paths(files)[:limit]
    get_nlp()
    prof = cProfile.Profile()
    prof.enable()
    for p in paths:
        extract_file(p)
    prof.disable()
    return {"plans": len(paths), "top": _top(prof, top, pstats), "phases": _phases(prof, pstats, EXTRACT_PHASES)}


# (file ending, function) -> phase name; cumulative times, so phases nest
EXTRACT_PHASES = [
    ("ingest/pipeline.py", "extract_raw", "extract_raw (everything but reading)"),
    ("ingest/segment.py", "segment", "segment(): tokenizer + components"),
    ("ingest/words.py", "words", "  jieba's accurate cut (ingest.words) inside the tokenizer"),
    ("spacy/tokens/doc.pyx", "__init__", "  spaCy Doc construction"),
    ("ingest/clauses.py", "find_clauses", "  find_clauses (clauses component)"),
    ("ingest/brackets.py", "find_pairs", "    brackets.find_pairs"),
    ("ingest/citations.py", "find_citations", "  find_citations"),
    ("ingest/deadlines.py", "find_deadlines", "  find_deadlines"),
    ("ingest/segment.py", "_set_spans", "  _set_spans (doc.char_span per finding)"),
    ("ingest/structure.py", "find_labels", "find_labels"),
    ("ingest/clean.py", "mark_junk", "mark_junk"),
    ("ingest/metadata.py", "read_metadata", "read_metadata"),
    ("ingest/read.py", "read_document", "read_document"),
]


def _phases(prof, pstats, phases: list[tuple[str, str, str]]) -> list[dict]:
    """Cumulative seconds of the named functions (summed over same-named ones in a file)."""
    stats = pstats.Stats(prof).stats
    out = []
    for ending, func, name in phases:
        cum = sum(v[3] for (file, _line, f), v in stats.items() if f == func and file.endswith(ending))
        if cum:
            out.append({"phase": name, "cum_s": cum})
    return out


def _top(prof, top: int, pstats) -> list[dict]:
    stats = pstats.Stats(prof)
    total = stats.total_tt
    rows = []
    for (file, line, func), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
        rows.append({"function": f"{_short(file)}:{line}({func})", "calls": ncalls,
                     "self_s": tottime, "cum_s": cumtime, "self_share": tottime / total if total else 0})
    rows.sort(key=lambda r: -r["self_s"])
    return rows[:top]


def _short(file: str) -> str:
    for marker in ("/site-packages/", "/lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1]
    root = str(Path(__file__).resolve().parents[1]) + "/"
    return file.replace(root, "")


# ---------------------------------------------------------------- embedded store


INGEST_PHASES = [
    ("plangraph/cli_graph.py", "cmd_ingest", "plangraph ingest (whole command)"),
    ("ingest/pipeline.py", "extract_raw", "  extract_raw"),
    ("graph/records.py", "build_graph_records", "  build_graph_records (records + fingerprint)"),
    ("graph/embedded.py", "write_documents", "  EmbeddedStore.write_documents (one transaction each)"),
    ("graph/embedded.py", "_merge", "    shared units and regulations (read, merge, write)"),
    ("graph/embedded.py", "_add_totals", "    store-wide totals"),
    ("graph/embedded.py", "fingerprint", "  fingerprint() (the unchanged check)"),
]


def profile_cli_ingest(files: str, home: str, limit: int = 100, top: int = 12) -> dict:
    """cProfile of `plangraph ingest FOLDER --home HOME --jobs 1` over the first `limit`
    plans (one process, so extraction shows up in the profile too)."""
    import cProfile
    import pstats
    import tempfile

    from plangraph.cli import main

    folder = Path(tempfile.mkdtemp(prefix="pg-bench-profile-"))
    for p in _paths(files)[:limit]:
        (folder / p.name).symlink_to(p)
    prof = cProfile.Profile()
    prof.enable()
    try:
        code = main(["ingest", str(folder), "--home", home, "--jobs", "1"])
    finally:
        prof.disable()
        shutil.rmtree(folder, ignore_errors=True)
    return {"plans": limit, "exit": code, "top": _top(prof, top, pstats),
            "phases": _phases(prof, pstats, INGEST_PHASES)}


def load_embedded(home: str) -> dict:
    """Open the N-plan store as the app does (get_store → open_store) and answer the
    Overview page's queries: time and peak RSS of a process holding it open."""
    from plangraph.graph.store import open_store

    t0 = time.perf_counter()
    store = open_store("embedded", home)
    t_open = time.perf_counter() - t0
    t = time.perf_counter()
    docs = store.documents()
    store.workload()
    store.regulations()
    store.gap_counts(as_of=AS_OF)
    for kind in GAP_KINDS:
        store.orphans(kind, as_of=AS_OF, limit=PAGE)
    t_queries = time.perf_counter() - t
    size = sum(p.stat().st_size for p in Path(home).glob("plangraph.sqlite*"))
    return {"open_s": t_open, "overview_queries_s": t_queries, "documents": len(docs), "file_mb": size / 2**20}


def cli_speed(home: str, plan: str, reps: int = 7) -> dict:
    """Seconds (median of `reps`) of a bare `python -c "import sqlite3, json, argparse"`,
    `plangraph --help`, `plangraph gaps` on a store holding `plan`, and `plangraph extract`
    of `plan`, run alternately so all see the same load."""
    import statistics
    import subprocess
    import sys

    exe = str(Path(sys.executable).with_name("plangraph"))
    env = dict(os.environ, PLANGRAPH_HOME=home)
    subprocess.run([exe, "ingest", plan], env=env, check=True, capture_output=True)
    cmds = {"bare python": [sys.executable, "-c", "import sqlite3, json, argparse"],
            "plangraph --help": [exe, "--help"], "plangraph gaps": [exe, "gaps"],
            "plangraph extract": [exe, "extract", plan, "--format", "json"]}
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(reps):
        for name, cmd in cmds.items():
            t = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            times[name].append(time.perf_counter() - t)
    median = {k: statistics.median(v) for k, v in times.items()}
    return {"median_s": median, "all_s": times, "load": os.getloadavg()[0]}


# ---------------------------------------------------------------- queries (both stores)


PAGE = 200  # rows per page, as the app's tables (app.tables.PAGE_SIZE)

# Whole-selection lists (10k–50k rows) and the whole graph: what an export or a drawing of
# every plan reads, not an interactive question. Measured, but the 100 ms target is for the
# other calls (pages, counts, lookups and aggregates), which is what the app and the CLI's
# default output ask.
BULK_CALLS = ("tasks() all rows", "task_links() all tasks", "orphans(no_deadline) all rows",
              "tasks_of_unit(busiest) all rows", "tasks_citing(top regulation) all rows", "deliverables() all rows",
              "to_networkx()")


def _query_calls(store) -> list[tuple[str, Callable[[], Any]]]:
    """Every query API call, with arguments picked from the data: the busiest unit and
    regulation (the worst case), a document in the middle, a task with units."""
    docs = store.documents()
    doc = docs[len(docs) // 2].document_id
    total = sum(d.tasks for d in docs)
    rows = store.tasks([doc])
    row = next((r for r in rows if r.lead or r.participants or r.responsible), rows[0])
    work = store.workload()
    busiest = work[0].unit
    middle_unit = work[len(work) // 2].unit
    regs = store.regulations()
    top_reg = regs[0].title
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("documents()", lambda: store.documents()),
        ("documents([doc])", lambda: store.documents([doc])),
        ("document_text(doc)", lambda: store.document_text(doc)),
        ("fingerprint(doc)", lambda: store.fingerprint(doc)),
        (f"tasks(limit={PAGE})", lambda: store.tasks(limit=PAGE)),
        (f"tasks(limit={PAGE}, offset=middle)", lambda: store.tasks(limit=PAGE, offset=total // 2)),
        ("tasks([doc])", lambda: store.tasks([doc])),
        ("task(doc, id)", lambda: store.task(doc, row.task_id)),
        ("units_of_task(doc, id)", lambda: store.units_of_task(doc, row.task_id)),
        (f"tasks_of_unit(busiest, limit={PAGE})", lambda: store.tasks_of_unit(busiest, limit=PAGE)),
        (f"tasks_of_unit(busiest, lead, limit={PAGE})", lambda: store.tasks_of_unit(busiest, ["lead"], limit=PAGE)),
        ("tasks_of_unit(median unit)", lambda: store.tasks_of_unit(middle_unit)),
        ("tasks_of_unit(busiest, [doc])", lambda: store.tasks_of_unit(busiest, None, [doc])),
        ("resolve_unit('司法局')", lambda: _resolve(store, "司法局")),
        ("find_units('司法局')", lambda: store.find_units("司法局")),
        ("has_unit(busiest)", lambda: store.has_unit(busiest)),
        ("regulations()", lambda: store.regulations()),
        ("regulations('条例')", lambda: store.regulations("条例")),
        (f"tasks_citing(top regulation, limit={PAGE})", lambda: store.tasks_citing(top_reg, limit=PAGE)),
        (f"deliverables(limit={PAGE})", lambda: store.deliverables(limit=PAGE)),
        ("deliverables([doc])", lambda: store.deliverables([doc])),
        *[(f"orphans({k}, limit={PAGE})", (lambda k=k: store.orphans(k, as_of=AS_OF, limit=PAGE)))
          for k in GAP_KINDS],
        ("orphans(no_lead, [doc])", lambda: store.orphans("no_lead", as_of=AS_OF, document_ids=[doc])),
        ("gap_counts()", lambda: store.gap_counts(as_of=AS_OF)),
        ("gap_counts([doc])", lambda: store.gap_counts(as_of=AS_OF, document_ids=[doc])),
        (f"findings(limit={PAGE})", lambda: store.findings(limit=PAGE)),
        ("findings([doc])", lambda: store.findings([doc])),
        ("findings_of_task(doc, id)", lambda: store.findings_of_task(doc, row.task_id)),
        ("finding_counts()", lambda: store.finding_counts()),
        ("workload()", lambda: store.workload()),
        ("workload([doc])", lambda: store.workload([doc])),
        ("co_responsibility()", lambda: store.co_responsibility()),
        ("co_responsibility(no collective)", lambda: store.co_responsibility(include_collective=False)),
        ("co_responsibility([doc])", lambda: store.co_responsibility([doc])),
        ("to_networkx([doc])", lambda: store.to_networkx([doc])),
        ("unit_names()", lambda: store.unit_names()),
        ("version()", lambda: store.version()),
        # bulk reads (BULK_CALLS)
        ("tasks() all rows", lambda: store.tasks()),
        ("task_links() all tasks", lambda: store.task_links()),
        ("orphans(no_deadline) all rows", lambda: store.orphans("no_deadline", as_of=AS_OF)),
        ("tasks_of_unit(busiest) all rows", lambda: store.tasks_of_unit(busiest)),
        ("tasks_citing(top regulation) all rows", lambda: store.tasks_citing(top_reg)),
        ("deliverables() all rows", lambda: store.deliverables()),
        ("to_networkx()", lambda: store.to_networkx()),
    ]
    return calls


def _resolve(store, name: str):
    """resolve_unit; several matches is an answer too (a StoreError listing them)."""
    from plangraph.graph.store import StoreError
    try:
        return store.resolve_unit(name)
    except StoreError as err:
        return str(err)


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))
    return s[k]


def queries(kind: str, home: str | None = None, min_reps: int = 5, max_reps: int = 30,
            budget_s: float = 4.0, bulk: bool = True) -> dict:
    """p50/p95 of each query API call: one untimed warm-up call, then at least `min_reps`
    timed calls (3 when the warm-up took over budget_s / 2), more (up to `max_reps`) while
    under `budget_s` per call. With few calls, p95 is the slowest call."""
    from plangraph.graph.store import open_store

    t0 = time.perf_counter()
    store = open_store(kind, home)
    t_open = time.perf_counter() - t0
    out = {}
    with store:
        t0 = time.perf_counter()  # the first store-wide question (embedded: builds the indexes)
        store.workload()
        t_first = time.perf_counter() - t0
        for name, call in _query_calls(store):
            if not bulk and name in BULK_CALLS:
                continue
            t = time.perf_counter()
            result = call()
            reps = min_reps if time.perf_counter() - t < budget_s / 2 else 3  # very slow calls: 3
            times: list[float] = []
            spent = 0.0
            while len(times) < reps or (len(times) < max_reps and spent < budget_s):
                t = time.perf_counter()
                call()
                times.append(time.perf_counter() - t)
                spent += times[-1]
            size = result.number_of_nodes() if hasattr(result, "number_of_nodes") else (
                len(result) if hasattr(result, "__len__") else 1)
            out[name] = {"p50_ms": 1000 * _percentile(times, 50), "p95_ms": 1000 * _percentile(times, 95),
                         "reps": len(times), "rows": size, "bulk": name in BULK_CALLS}
    return {"kind": kind, "open_s": t_open, "first_query_s": t_first, "calls": out}


def profile_queries(kind: str, home: str | None = None, names: list[str] | None = None, top: int = 8) -> dict:
    """cProfile of the named query calls (one call each, after a warm-up)."""
    import cProfile
    import pstats

    from plangraph.graph.store import open_store

    store = open_store(kind, home)
    out = {}
    with store:
        for name, call in _query_calls(store):
            if names and name not in names:
                continue
            call()
            prof = cProfile.Profile()
            prof.enable()
            call()
            prof.disable()
            out[name] = _top(prof, top, pstats)
    return {"calls": out}


# ---------------------------------------------------------------- Neo4j writes


def _neo4j_store():
    from plangraph.graph.neo4j_store import Neo4jStore

    store = Neo4jStore()
    if not store.uri.endswith(":" + os.environ.get("PG_BENCH_NEO4J_PORT", "-")):
        raise SystemExit(f"refusing to clear {store.uri}: not the bench's own server")
    store.ping()
    return store


def _clear(store) -> None:
    """Empty the bench's database (the store deletes in slices: one transaction would
    outgrow the server's memory pool once it holds the 1,000-plan graph)."""
    store.clear_all_for_tests()


def _rows_written(r) -> int:
    """Nodes + relationships one document's records write (the totals it adds to not counted)."""
    nodes = 1 + len(r.sections) + len(r.tasks) + len(r.units) + len(r.regulations)
    rels = len(r.sections) + len(r.tasks) + len(r.assignments) + len(r.citations)
    return nodes + rels


def _write_per_row(store, r) -> None:
    """The store's write of one document (graph.neo4j_write: the change counter, existence
    check, delete and prune only when it was stored, the store-wide totals) with one Cypher
    statement per node, per relationship and per changed total (the store's statements with
    a single row as parameters instead of UNWIND), one transaction per document. Shared
    nodes take one statement each (MERGE with the merge done in Cypher) where the store
    reads them first and merges in Python."""
    from plangraph.graph import neo4j_write
    from plangraph.graph.records import ROLE_TYPES

    def work(tx) -> None:
        neo4j_write.ensure_totals(tx, neo4j_write.bump_version(tx))
        stored = neo4j_write.existing_documents(tx, [r.document_id])
        gone = neo4j_write.Totals()  # graph.aggregates.Totals
        if stored:
            gone, regs = neo4j_write.remove_documents(tx, [r.document_id])
        for u in r.units:
            tx.run("MERGE (u:Unit {name: $key}) WITH u, coalesce(u.collective, false) AS was "
                   "SET u += $props SET u.collective = was OR coalesce($props.collective, false)",
                   key=u.key, props=u.props).consume()
        for g in r.regulations:
            tx.run("MERGE (g:Regulation {key: $key}) SET g += $props", key=g.key, props=g.props).consume()
        tx.run("CREATE (d:Document) SET d = $props", props=r.document.props).consume()
        for s in r.sections:
            tx.run("MATCH (d:Document {id: $id}) CREATE (d)-[:CONTAINS]->(s:Section) SET s = $props",
                   id=r.document_id, props=s.props).consume()
        for t in r.tasks:
            if t.section_key:
                tx.run("MATCH (s:Section {key: $section}) CREATE (s)-[:CONTAINS]->(t:Task) SET t = $props",
                       section=t.section_key, props=t.props).consume()
            else:
                tx.run("MATCH (d:Document {id: $id}) CREATE (d)-[:CONTAINS]->(t:Task) SET t = $props",
                       id=r.document_id, props=t.props).consume()
        for a in r.assignments:
            tx.run("MATCH (u:Unit {name: $unit}) MATCH (t:Task {key: $task}) "
                   f"CREATE (u)-[e:{ROLE_TYPES[a.role]}]->(t) SET e = $props",
                   unit=a.unit, task=a.task_key, props=a.props).consume()
        for c in r.citations:
            if c.source_key:
                tx.run("MATCH (t:Task {key: $src}) MATCH (g:Regulation {key: $reg}) "
                       "CREATE (t)-[e:CITES]->(g) SET e = $props", src=c.source_key, reg=c.regulation,
                       props=c.props).consume()
            else:
                tx.run("MATCH (d:Document {id: $id}) MATCH (g:Regulation {key: $reg}) "
                       "CREATE (d)-[e:CITES]->(g) SET e = $props", id=r.document_id, reg=c.regulation,
                       props=c.props).consume()
        delta = neo4j_write.Totals.of_records([r]).minus(gone)
        sets = ", ".join(f"l.{f} = coalesce(l.{f}, 0) + $d[{i}]" for i, f in enumerate(neo4j_write.LOAD_FIELDS))
        for unit, d in delta.units.items():
            tx.run(f"MERGE (l:UnitLoad {{unit: $unit}}) SET {sets} WITH l WHERE l.total <= 0 DELETE l",
                   unit=unit, d=d).consume()
        for (a, b), d in delta.pairs.items():
            tx.run("MERGE (p:UnitPair {a: $a, b: $b}) SET p.weight = coalesce(p.weight, 0) + $d "
                   "WITH p WHERE p.weight <= 0 DELETE p", a=a, b=b, d=d).consume()
        if stored:
            neo4j_write.prune(tx, list(gone.units), regs)

    with store._session() as s:
        s.execute_write(work)


def _batches(recs: list, size: int) -> Iterator[list]:
    for i in range(0, len(recs), size):
        yield recs[i:i + size]


def neo4j_compare(records: str, sample: int = 20, rounds: int = 3, batch: int = 50, warmup: int = 3) -> dict:
    """The store's Neo4jStore.write_documents (`batch` documents per transaction, each
    statement over the rows of all of them, as `plangraph ingest` writes) against one
    statement per row (`_write_per_row`: same statements, same data, one transaction per
    document), and the store's write_document (one document per transaction). The same
    `sample` documents, best of `rounds` after `warmup` untimed ones; "new": into an empty
    database, "replace": over the same documents already stored (delete + prune paths)."""
    store = _neo4j_store()
    recs = [r for _, r in zip(range(sample), _records(records))]
    rows = sum(_rows_written(r) for r in recs)
    ways = {
        "batched": lambda: [store.write_documents(b) for b in _batches(recs, batch)],
        "per_document": lambda: [store.write_document(r) for r in recs],
        "per_row": lambda: [_write_per_row(store, r) for r in recs],
    }

    def one_round() -> dict[str, float]:
        times = {}
        for how, write in ways.items():
            _clear(store)
            t = time.perf_counter()
            write()
            times[f"{how}_new_s"] = time.perf_counter() - t
            t = time.perf_counter()
            write()  # again: every document is replaced
            times[f"{how}_replace_s"] = time.perf_counter() - t
        return times

    best: dict[str, float] = {}
    warm: list[float] = []  # the batched write's time in each untimed round
    with store:
        store._ensure_schema()
        # A just-started JVM interprets, then compiles what runs often: right after a start
        # the batched write took 3-4 s, then 0.6-0.9 s, and from the third round on 0.25-0.65 s
        # (this machine's noise); the per-row way changes less. One untimed round was not enough.
        for _ in range(warmup):
            warm.append(one_round()["batched_new_s"])
        for _ in range(rounds):
            for k, v in one_round().items():
                best[k] = min(best.get(k, float("inf")), v)
        _clear(store)
    return {"documents": len(recs), "rows": rows, "batch": batch, **best,
            "warmup_batched_new_s": warm,
            "ratio_new": best["per_row_new_s"] / best["batched_new_s"],
            "ratio_replace": best["per_row_replace_s"] / best["batched_replace_s"],
            "load_at_end": os.getloadavg()[0]}


def neo4j_clear() -> dict:
    """Empty the bench's own Neo4j database (before `plangraph ingest --store neo4j`)."""
    store = _neo4j_store()
    with store:
        _clear(store)
    return {}


def neo4j_load(records: str, batch: int = 50) -> dict:
    """Every document into an empty database with the store's write_documents, `batch`
    documents per transaction (as `plangraph ingest` writes)."""
    store = _neo4j_store()
    with store:
        _clear(store)
        store._ensure_schema()
        docs = rows = 0
        t0 = time.perf_counter()
        recs: list = []
        for r in _records(records):
            recs.append(r)
            docs += 1
            rows += _rows_written(r)
            if len(recs) == batch:
                store.write_documents(recs)
                recs = []
        store.write_documents(recs)
        wall = time.perf_counter() - t0
        with store._session() as s:
            nodes = s.run("MATCH (n) RETURN count(n) AS n").single()["n"]
            rels = s.run("MATCH ()-[r]->() RETURN count(r) AS n").single()["n"]
    return {"documents": docs, "rows_written": rows, "wall_s": wall, "nodes": nodes, "relationships": rels}


WORKERS: dict[str, Callable[..., dict]] = {
    f.__name__: f for f in (extract, extract_parallel, profile_extract, profile_cli_ingest, load_embedded,
                            cli_speed, queries, profile_queries, neo4j_compare, neo4j_clear, neo4j_load)
}


# ---------------------------------------------------------------- the app


def _proc_peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident set) of a running process, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _server_pid(port: int) -> int | None:
    """The app server this worker started (its command line names Home.py and the port)."""
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"Home.py" in b" ".join(cmd) and str(port).encode() in cmd and int(d.name) != os.getpid():
            return int(d.name)
    return None


def app_pages(home: str, store: str = "embedded", rounds: int = 2, timeout_s: float = 150.0) -> dict:
    """Every page through the real Streamlit server and headless Chromium
    (tests/browser_harness.py): seconds until the page's script run finished and its
    expected text is visible. Round 1 is cold (first visit: graph load, empty caches),
    later rounds warm. Also the server process's peak RSS, and the seconds from starting the
    server until it answers (the server warms the store up meanwhile and after)."""
    import sys

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    from tests.browser_harness import PAGE_VISITS, VIEWPORT, chromium, free_port, streamlit_server, visit

    port = free_port()
    env = {"PLANGRAPH_STORE": store}
    times: dict[str, list[float]] = {p.name: [] for p in PAGE_VISITS}
    errors: list[str] = []
    peak = None
    started = time.perf_counter()
    with streamlit_server(home, port=port, env=env, timeout=300) as base_url:
        server_start_s = time.perf_counter() - started
        with chromium() as browser:
            pid = _server_pid(port)
            page = browser.new_page(viewport=VIEWPORT)
            for _ in range(rounds):
                for p in PAGE_VISITS:
                    if times[p.name] and times[p.name][-1] == float("inf"):
                        continue  # timed out cold: do not wait again
                    try:
                        times[p.name].append(visit(page, base_url, p.path, p.expect, timeout_ms=timeout_s * 1000))
                    except Exception as err:  # a page that never shows its text: record it, go on
                        errors.append(f"{p.name}: {type(err).__name__}: {str(err).splitlines()[0][:200]}")
                        times[p.name].append(float("inf"))
            peak = _proc_peak_rss_mb(pid) if pid else None
    return {"store": store, "harness": "tests/browser_harness.py (streamlit server + headless chromium)",
            "pages": times, "server_peak_rss_mb": peak, "server_start_s": server_start_s, "errors": errors}


WORKERS["app_pages"] = app_pages
