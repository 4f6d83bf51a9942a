"""Benchmark of `plangraph link --all` (issue 16, phase 2) over the bench corpus. Run by hand:

    .venv/bin/python bench/link.py --store embedded    # the commands: ingest, then link --all (twice), timed
    .venv/bin/python bench/link.py                     # 1,000 plans, graph/link.py alone (no store)
    .venv/bin/python bench/link.py --n 100 --workdir /tmp/pgl
    .venv/bin/python bench/link.py --store neo4j       # the same on the Neo4j of NEO4J_URI (it is CLEARED)

`--store`: writes the corpus files, runs `plangraph ingest` into a fresh store (the key terms are
cut there now), then `plangraph link --all` twice (the second replaces the first), each as its own
process, timed with its peak RSS (os.wait4), then reads a few answers back (matches pages,
gap_counts). Without `--store`:

Builds the synthetic corpus (bench/corpus.py), extracts it on `--jobs` processes (what
`plangraph ingest` does; timed on its own), then times `implemented_documents` for every plan
and `link_all` stage by stage, and prints how many task pairs were scored against all pairs.
Quality against the corpus's provenance: a pair of tasks in related documents that are copies
of the same real task should be a candidate (blocking recall) and be linked; a link between
tasks that are not copies is counted wrong (though a similar task may be a fair link).
"""
from __future__ import annotations

import argparse
import os
import pickle
import resource
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/link.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

TARGET_S = 120.0


def _extract(path: str):
    from plangraph.ingest.pipeline import extract_file
    return extract_file(path)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}] {msg}", file=sys.stderr, flush=True)


def _cpu_s() -> float:
    """User + system CPU seconds of this process and its finished children (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def provenance_pairs(origins: list, task_document: np.ndarray, related) -> set[tuple[int, int]]:
    """(i, j), i < j, of tasks in different, related documents that are copies of one task."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for k, o in enumerate(origins):
        groups[o].append(k)
    out: set[tuple[int, int]] = set()
    for members in groups.values():
        if len(members) < 2:
            continue
        m = np.array(members)
        i, j = np.triu_indices(len(m), 1)
        i, j = m[i], m[j]
        ok = (task_document[i] != task_document[j]) & related(task_document[i], task_document[j])
        out.update(zip(i[ok].tolist(), j[ok].tolist()))
    return out


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; (wall seconds, peak RSS MB of it and its children, its stdout + stderr tail)."""
    import subprocess
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{out[-3000:]}")
    return took, usage.ru_maxrss / 1024, out


def store_run(args, work: Path) -> None:
    """`plangraph ingest` and `plangraph link --all` (twice) on a fresh store, timed."""
    from bench.corpus import build_corpus
    from plangraph.graph.store import open_store
    plangraph = str(ROOT / ".venv" / "bin" / "plangraph")
    env = dict(os.environ, PLANGRAPH_HOME=str(work / "home"))
    paths = build_corpus(args.n, work / "plans", args.seed)
    log(f"corpus: {len(paths)} plans in {work / 'plans'}")
    store_args = ["--store", args.store]
    if args.store == "embedded":
        import shutil
        shutil.rmtree(work / "home", ignore_errors=True)
    else:
        from plangraph.graph.neo4j_store import Neo4jStore
        with Neo4jStore() as neo:
            log(f"clearing the Neo4j at {neo.uri}")
            neo.clear_all_for_tests()
    load = [os.getloadavg()[0]]
    ingest_s, ingest_mb, _ = _timed([plangraph, "ingest", "--jobs", str(args.jobs), *store_args,
                                     str(work / "plans")], env)
    load.append(os.getloadavg()[0])
    log(f"ingest in {ingest_s:.1f} s")
    runs = []
    for _ in range(2):
        took, mb, out = _timed([plangraph, "link", "--all", "--jobs", str(args.jobs), *store_args], env)
        load.append(os.getloadavg()[0])
        runs.append((took, mb, out))
        log(f"link --all in {took:.1f} s")
    with open_store(args.store, work / "home") as store:
        t0 = time.perf_counter()
        pairs = store.compared()
        compared_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        page = store.matches(limit=200)
        page_s = time.perf_counter() - t0
        doc = pairs[len(pairs) // 2].b if pairs else None
        t0 = time.perf_counter()
        of_doc = store.matches(document_ids=[doc], limit=200) if doc else []
        doc_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.gap_counts()
        gaps_s = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in (work / "home").glob("plangraph.sqlite*")) / 1e6 \
            if args.store == "embedded" else None
    print(f"\n`plangraph` commands over {args.n:,} plans, {args.store} store ({args.jobs} processes; "
          f"{os.cpu_count()} cores; load {' -> '.join(f'{x:.1f}' for x in load)})")
    print(f"  plangraph ingest (key terms cut here)         {ingest_s:6.1f} s  peak RSS {ingest_mb:5.0f} MB")
    for k, (took, mb, out) in enumerate(runs, 1):
        verdict = "met" if took <= TARGET_S else "MISSED"
        print(f"  plangraph link --all, run {k}                   {took:6.1f} s  peak RSS {mb:5.0f} MB  "
              f"(target <= {TARGET_S:.0f} s: {verdict})")
        for line in out.strip().splitlines():
            if "%|" not in line:
                print(f"      {line.strip()}")
    print(f"  compared(): {len(pairs):,} pairs in {compared_s * 1000:.0f} ms; matches(limit=200) "
          f"{page_s * 1000:.0f} ms; matches([one document], limit=200): {len(of_doc)} rows in {doc_s * 1000:.0f} ms; "
          f"gap_counts() {gaps_s * 1000:.0f} ms" + (f"; store file {size:.0f} MB" if size else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workdir", help="keep the corpus here (default: a temp folder)")
    parser.add_argument("--block-terms", type=int, help="LinkSettings.block_terms (default: the module's)")
    parser.add_argument("--min-shared", type=int, help="LinkSettings.min_shared")
    parser.add_argument("--max-block", type=int, help="LinkSettings.max_block")
    parser.add_argument("--store", choices=("embedded", "neo4j"),
                        help="run the commands on this store (neo4j: the server of NEO4J_URI, cleared first)")
    args = parser.parse_args()
    if args.store:
        with tempfile.TemporaryDirectory(prefix="pg-bench-link-") as tmp:
            store_run(args, Path(args.workdir or tmp))
        return

    from bench.corpus import build_corpus, synthetic_plan, task_origins
    from plangraph.graph.compare_input import plan_from_extraction
    from plangraph.graph.link import DocumentInfo, LinkSettings, PlanTitles, extraction_citations, link_all, related_pairs

    with tempfile.TemporaryDirectory(prefix="pg-bench-link-") as tmp:
        work = Path(args.workdir or tmp)
        saved = work / f"extractions-{args.n}-{args.seed}.pickle"  # kept with --workdir: later runs skip extracting
        if saved.exists():
            extractions, extract_s = pickle.loads(saved.read_bytes())
            log(f"extractions read from {saved}")
        else:
            log(f"corpus: {args.n} plans")
            paths = build_corpus(args.n, work / "plans", args.seed)
            t0 = time.perf_counter()
            with ProcessPoolExecutor(max_workers=args.jobs) as pool:
                extractions = list(pool.map(_extract, map(str, paths), chunksize=8))
            extract_s = time.perf_counter() - t0
            saved.write_bytes(pickle.dumps((extractions, extract_s)))
            log(f"extracted in {extract_s:.1f} s")

    plans = [plan_from_extraction(e) for e in extractions]
    infos = {e.document.id: DocumentInfo.of(e.document.id, e.document.issuer, e.document.title, e.document.date)
             for e in extractions}
    origins = []
    for index, e in enumerate(extractions):
        origins.extend(task_origins([t.start for t in e.tasks], synthetic_plan(index, args.seed)[1]))

    t0 = time.perf_counter()
    titles = PlanTitles((e.document.id, e.document.title or "") for e in extractions)
    implements = {(e.document.id, c.document_id) for e in extractions
                  for c in titles.implemented_by(extraction_citations(e), e.document.id)}
    implements_s = time.perf_counter() - t0
    log(f"IMPLEMENTS: {len(implements)} edges in {implements_s:.2f} s")

    import dataclasses
    chosen = {"block_terms": args.block_terms, "min_shared": args.min_shared, "max_block": args.max_block}
    settings = dataclasses.replace(LinkSettings(jobs=args.jobs), **{k: v for k, v in chosen.items() if v is not None})
    log(f"settings: {settings}")
    t0 = time.perf_counter()
    cpu0 = _cpu_s()
    load0 = os.getloadavg()[0]
    report = link_all(plans, infos, implements, settings)
    link_s = time.perf_counter() - t0
    link_cpu = _cpu_s() - cpu0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log(f"link_all in {link_s:.1f} s")

    doc_index = {p.document_id: k for k, p in enumerate(plans)}
    task_document = np.array([doc_index[p.document_id] for p in plans for _ in p.tasks])
    related = related_pairs([infos[p.document_id] for p in plans], implements)
    truth = provenance_pairs(origins, task_document, related)
    position = {}
    k = 0
    for p in plans:
        for t in p.tasks:
            position[(p.document_id, t.task_id)] = k
            k += 1
    linked = {tuple(sorted((position[(x.a_document, x.a_task)], position[(x.b_document, x.b_task)])))
              for x in report.links}
    right = sum(1 for i, j in linked if origins[i] == origins[j])
    all_pairs = report.tasks * (report.tasks - 1) // 2

    print(f"\nlink --all over {report.documents:,} plans, {report.tasks:,} tasks ({args.jobs} processes; "
          f"{os.cpu_count()} cores)")
    print(f"  extraction (ingest's work, not part of link)  {extract_s:6.1f} s")
    print(f"  IMPLEMENTS detection, every plan              {implements_s:6.2f} s  ({len(implements)} edges)")
    for stage, seconds in report.seconds.items():
        print(f"  link_all: {stage:35s} {seconds:6.1f} s")
    verdict = "met" if link_s <= TARGET_S else "MISSED"
    print(f"  link_all total                                {link_s:6.1f} s  (target <= {TARGET_S:.0f} s: {verdict}; "
          f"load {load0:.1f} -> {os.getloadavg()[0]:.1f})")
    print(f"  link_all CPU time, this process and its workers {link_cpu:6.1f} s")
    print(f"  peak RSS of this process                      {rss:6.0f} MB")
    found = report.candidates
    n = report.tasks
    scored = len(found.i)
    truth_codes = np.array(sorted(i * n + j for i, j in truth), dtype=np.int64)
    blocked = int(np.isin(truth_codes, found.i * n + found.j).sum()) if len(truth_codes) else 0
    print(f"  task pairs scored: {scored:,} of {all_pairs:,} ({scored / all_pairs:.4%}); document pairs with "
          f"candidates: {report.related_documents:,}; links: {len(report.links):,}")
    print(f"  copies of one task in related documents: {len(truth):,}; candidates among them: {blocked:,} "
          f"(blocking recall {blocked / max(1, len(truth)):.3f})")
    print(f"  links between copies: {right:,} of {len(linked):,} links ({right / max(1, len(linked)):.3f}); "
          f"copies linked: {len(linked & truth):,} of {len(truth):,} ({len(linked & truth) / max(1, len(truth)):.3f})")


if __name__ == "__main__":
    main()
