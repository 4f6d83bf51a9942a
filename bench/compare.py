"""Benchmark of plan comparison (issue 16). Run by hand, not in the tests:

    .venv/bin/python bench/compare.py                  # two 102-task plans, embedded store
    .venv/bin/python bench/compare.py --neo4j          # also from the Neo4j server of NEO4J_URI /
                                                       # PLANGRAPH_NEO4J_PORT (writes the 2 plans, deletes them after)

Two synthetic plans built on the Changde plan (bench/corpus.py, plans 0 and 7: 102 tasks
each) are written to a temporary embedded store. It prints, in seconds:

  start-up        what a fresh process pays once: importing the comparison modules, then
                  scipy and jieba's dictionary (graph.compare_text.load_libraries)
  compare         after start-up: reading both plans from the store (plan_from_store) and
                  compare_plans, each mode; median and worst of 10 runs
  command         `plangraph compare A B --format json`, whole process, median of 3
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/compare.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

PLANGRAPH = str(Path(sys.executable).with_name("plangraph"))
TARGET_S = 1.0
RUNS = 10


def timed(fn, runs: int = RUNS) -> tuple[float, float, object]:
    """(median s, worst s, last result) of `runs` calls."""
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times), result


def pair_plans(folder: Path) -> list[Path]:
    from bench.corpus import plan_name, synthetic_plan
    paths = []
    for index in (0, 7):
        path = folder / f"{plan_name(index)}.txt"
        path.write_text(synthetic_plan(index)[0], encoding="utf-8")
        paths.append(path)
    return paths


def measure(store, ids: list[str], label: str) -> None:
    from plangraph.graph.compare import MODES, compare_plans
    from plangraph.graph.compare_input import plan_from_store
    med, worst, plans = timed(lambda: [plan_from_store(store, i) for i in ids])
    a, b = plans
    print(f"{label}: read both plans (plan_from_store) {med:.3f} s (worst {worst:.3f}); "
          f"{len(a.tasks)} x {len(b.tasks)} tasks")
    for mode in MODES:
        med_c, worst_c, result = timed(lambda: compare_plans(a, b, mode))
        total = med + med_c
        print(f"{label}: compare_plans {mode}: {med_c:.3f} s (worst {worst_c:.3f}), {len(result.pairs)} pairs; "
              f"read + compare {total:.3f} s (target <= {TARGET_S} s: {'met' if total <= TARGET_S else 'MISSED'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neo4j", action="store_true", help="also read the plans from Neo4j")
    args = parser.parse_args()
    print(f"[load {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores]")
    t0 = time.perf_counter()
    from plangraph.graph.compare import compare_plans  # noqa: F401
    from plangraph.graph.compare_input import plan_from_store  # noqa: F401
    from plangraph.graph.store import open_store
    t1 = time.perf_counter()
    from plangraph.graph.compare_text import load_libraries
    load_libraries()
    t2 = time.perf_counter()
    print(f"start-up: comparison modules {t1 - t0:.2f} s, scipy + jieba dictionary {t2 - t1:.2f} s")

    from plangraph.ingest.pipeline import extract_file
    with tempfile.TemporaryDirectory(prefix="pg-bench-compare-") as tmp:
        home = Path(tmp) / "home"
        extractions = [extract_file(p) for p in pair_plans(Path(tmp))]
        ids = [e.document.id for e in extractions]
        with open_store("embedded", home) as store:
            for e in extractions:
                store.ingest(e)
            measure(store, ids, "embedded")
        walls = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([PLANGRAPH, "compare", *ids, "--format", "json", "--home", str(home)],
                           check=True, stdout=subprocess.DEVNULL)
            walls.append(time.perf_counter() - t)
        print(f"command: plangraph compare (embedded, whole process) {statistics.median(walls):.2f} s "
              f"(runs {', '.join(f'{w:.2f}' for w in walls)})")
        if args.neo4j:
            store = open_store("neo4j")
            try:
                for e in extractions:
                    store.ingest(e)
                measure(store, ids, "neo4j")
            finally:
                for i in ids:
                    store.delete_document(i)
                store.close()
    print(f"[load {os.getloadavg()[0]:.1f}]")


if __name__ == "__main__":
    main()
