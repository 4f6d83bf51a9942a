"""PlanGraph benchmark (issue 7): a province's worth of plans. Run by hand, not in the tests.

    .venv/bin/python bench/run.py                 # 1,000 plans, embedded store and Neo4j
    .venv/bin/python bench/run.py --n 50 --skip-neo4j --out /tmp/bench.json
    .venv/bin/python bench/run.py --only extraction   # issue 13's ratio to jieba, and its profile

Builds N synthetic plans (bench/corpus.py) as files in a temp folder, then measures, each
step in its own process (bench/workers.py) so peak RSS is per step:

  extraction       chars/s, and the ratio to jieba.lcut alone over the same texts (the first
                   --extract-sample plans)
  parallel         the same extraction on a 2-process pool
  ingest           `plangraph ingest FOLDER` into a fresh embedded store (as users run it),
                   then again over the same files (all unchanged), and a profile of it
  store            opening the N-plan store and a process holding it (time, peak RSS)
  cli              `plangraph --help`, `gaps`, `extract` against a bare Python start
  queries          p50 / p95 of every query API call on the N-plan graph, both stores
  app              every page through tests/browser_harness.py (Streamlit + headless Chromium)
  neo4j            `plangraph ingest --store neo4j FOLDER` of every plan, then its queries;
                   with --neo4j-compare also batched vs one statement per row on a sample

Neo4j runs on the bench's own server (--neo4j-port, default 7699, own data dir and state
folder), started and stopped here; the shared server on 7687 is never touched.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/run.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

# Issue 14's targets (the 20x batched-vs-per-row target of issue 7 is retired).
TARGETS = {"extract_vs_jieba": 1.5, "ingest_1000_s": 60.0, "ingest_10000_s": 720.0, "ingest_10000_rss_mb": 1536.0,
           "query_p95_1000_ms": 50.0, "query_p95_10000_ms": 100.0, "page_s": 2.0, "app_rss_mb": 300.0,
           "open_s": 0.2, "cli_help_ratio": 4.0, "cli_gaps_ratio": 10.0, "cli_extract_s": 2.5,
           "neo4j_batched_vs_row": 20.0}


def query_target(n: int) -> float:
    """The p95 target of an interactive query at n plans (50 ms up to 1,000, 100 ms beyond)."""
    return TARGETS["query_p95_1000_ms"] if n <= 1000 else TARGETS["query_p95_10000_ms"]
PLANGRAPH = str(Path(sys.executable).with_name("plangraph"))


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes


def run_child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str, int]:
    """Run a command; (wall s, its peak RSS in MB, stdout, exit code). os.wait4 gives the
    child's own rusage (RUSAGE_CHILDREN would mix all children)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, cwd=str(ROOT))
    out = proc.stdout.read().decode("utf-8", "replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, out, proc.returncode


def worker(name: str, env: dict[str, str] | None = None, **kwargs: Any) -> dict:
    """Run bench/workers.py's `name` in a fresh process; its JSON result plus peak RSS and load."""
    load = os.getloadavg()[0]
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, json.dumps(kwargs)]
    wall, rss, out, code = run_child(cmd, env)
    if code != 0:
        raise RuntimeError(f"worker {name} failed (exit {code})")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(process_wall_s=wall, peak_rss_mb=rss, load_before=load, load_after=os.getloadavg()[0])
    return result


def optional(step):
    """A step whose failure is reported, not fatal (the browser)."""
    try:
        return step()
    except Exception as err:
        log(f"skipped: {err}")
        return None


def worker_main(name: str, raw: str) -> None:
    from bench.workers import WORKERS
    print(json.dumps(WORKERS[name](**json.loads(raw)), ensure_ascii=False))


# ---------------------------------------------------------------- steps


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        mem = f"{int(open('/proc/meminfo').readline().split()[1]) / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "ingest", "graph", "app", "plangraph"],
                               cwd=ROOT, capture_output=True, text=True).stdout.split("\n")
        commit += f" (+{len([d for d in dirty if d.strip()])} uncommitted files in ingest/ graph/ app/ plangraph/)"
    except OSError:
        commit = "?"
    return {"date": _dt.datetime.now().isoformat(timespec="seconds"), "commit": commit, "host": platform.node(),
            "cpu": cpu, "cores": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "os": platform.platform()}


def build(n: int, folder: Path, seed: int) -> dict:
    from bench.corpus import build_corpus
    t0 = time.perf_counter()
    paths = build_corpus(n, folder, seed)
    (folder.parent / "files.txt").write_text("\n".join(map(str, paths)) + "\n", encoding="utf-8")
    return {"plans": len(paths), "seconds": time.perf_counter() - t0,
            "bytes": sum(p.stat().st_size for p in paths)}


def cli_ingest(folder: Path, home: Path, env: dict[str, str] | None = None, store: str = "embedded") -> dict:
    """`plangraph ingest FOLDER --home HOME` (default --jobs); wall time, peak RSS (os.wait4:
    the largest of the ingest process and the extraction workers it waited for), and what it
    said per file."""
    load = os.getloadavg()[0]
    wall, rss, out, code = run_child([PLANGRAPH, "ingest", str(folder), "--home", str(home), "--store", store],
                                     dict(env or os.environ, TQDM_DISABLE="1"))
    lines = out.splitlines()
    return {"wall_s": wall, "peak_rss_mb": rss, "exit": code,
            "files": len(lines),
            "ok": sum(line.startswith("ok") for line in lines),
            "unchanged": sum("unchanged" in line for line in lines), "load_before": load,
            "load_after": os.getloadavg()[0]}


# ---------------------------------------------------------------- Neo4j server


def neo4j_env(port: int, state: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(PLANGRAPH_HOME=str(state), NEO4J_URI=f"bolt://127.0.0.1:{port}", PG_BENCH_NEO4J_PORT=str(port))
    return env


def neo4j_start(port: int, data: Path, env: dict[str, str]) -> None:
    subprocess.run([PLANGRAPH, "neo4j", "start", "--port", str(port), "--data-dir", str(data)],
                   env=env, check=True, stdout=sys.stderr)


def neo4j_stop(env: dict[str, str]) -> None:
    subprocess.run([PLANGRAPH, "neo4j", "stop"], env=env, check=False, stdout=sys.stderr)


# ---------------------------------------------------------------- report


def table(r: dict) -> str:
    """The results as a Markdown table (also what bench/README.md shows)."""
    n = r["n"]
    rows: list[tuple[str, str, str]] = []

    def add(name: str, value: str, target: str = "") -> None:
        rows.append((name, value, target))

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    ex = r.get("extraction")
    if ex:
        ratio = ex["extract_s"] / ex["jieba_s"]
        add("extraction, 1 process", f"{ex['chars'] / ex['extract_s']:,.0f} chars/s "
            f"({ex['plans'] / ex['extract_s']:.1f} plans/s; {ex['chars']:,} chars, load {ex['load_before']:.1f})", "")
        add("jieba.lcut alone, same texts", f"{ex['chars'] / ex['jieba_s']:,.0f} chars/s", "")
        add("extraction / jieba", f"{ratio:.2f}×", f"≤ {TARGETS['extract_vs_jieba']}× {verdict(ratio <= TARGETS['extract_vs_jieba'])}")
        add("extraction peak RSS", f"{ex['peak_rss_mb']:.0f} MB", "")
    par = r.get("parallel")
    if par and ex:
        seq = ex["extract_s"] + ex["warmup_s"]
        add(f"extraction, {par['workers']} processes", f"{par['wall_s']:.1f} s vs {seq:.1f} s sequential: "
            f"{seq / par['wall_s']:.2f}× (load {par['load_before']:.1f})", "")
    ing = r.get("ingest")
    if ing:
        limit = TARGETS["ingest_1000_s"] * n / 1000 if n <= 1000 else TARGETS["ingest_10000_s"] * n / 10000
        ok = ing["wall_s"] <= limit
        add(f"`plangraph ingest` {n} plans, fresh embedded store", f"{ing['wall_s']:.0f} s, "
            f"{ing['ok'] / ing['wall_s']:.1f} plans/s ({ing['ok']}/{n} ok; load {ing['load_before']:.1f})",
            f"≤ {limit:.0f} s {verdict(ok)}")
        rss_ok = n < 10000 or ing["peak_rss_mb"] <= TARGETS["ingest_10000_rss_mb"]
        add("  its peak RSS (largest of the ingest and its extraction workers)", f"{ing['peak_rss_mb']:.0f} MB",
            f"≤ {TARGETS['ingest_10000_rss_mb']:.0f} MB {verdict(rss_ok)}" if n >= 10000 else "")
    re_ = r.get("reingest")
    if re_:
        add(f"`plangraph ingest` again, {n} unchanged files", f"{re_['wall_s']:.1f} s, {re_['unchanged']}/{re_['files']} "
            f"skipped as unchanged (load {re_['load_before']:.1f})", "near-free")
    app_load = r.get("app_load")
    if app_load:
        add("opening the embedded store", f"{app_load['open_s'] * 1000:.0f} ms "
            f"({app_load.get('file_mb', 0):,.0f} MB file)",
            f"≤ {TARGETS['open_s']} s {verdict(app_load['open_s'] <= TARGETS['open_s'])}")
        add("process holding it open, after the overview's questions",
            f"{app_load['peak_rss_mb']:.0f} MB peak RSS; the questions {app_load['overview_queries_s']:.2f} s", "")
    cli = r.get("cli")
    if cli:
        m = cli["median_s"]
        bare = m["bare python"]
        add("bare `python -c \"import sqlite3, json, argparse\"`", f"{bare:.3f} s (median; load {cli['load']:.1f})", "")
        for name, key in (("plangraph --help", "cli_help_ratio"), ("plangraph gaps", "cli_gaps_ratio")):
            add(f"`{name}`" + (" (the bundled plan)" if "gaps" in name else ""),
                f"{m[name]:.3f} s = {m[name] / bare:.1f}×", f"≤ {TARGETS[key]:.0f}× {verdict(m[name] / bare <= TARGETS[key])}")
        add("`plangraph extract` of the bundled plan", f"{m['plangraph extract']:.2f} s",
            f"≤ {TARGETS['cli_extract_s']} s {verdict(m['plangraph extract'] <= TARGETS['cli_extract_s'])}")
    for kind in ("embedded", "neo4j"):
        q = r.get(f"queries_{kind}")
        if not q:
            continue
        asked = {k: v for k, v in q["calls"].items() if not v.get("bulk")}
        bulk = {k: v for k, v in q["calls"].items() if v.get("bulk")}
        worst = max(asked.items(), key=lambda kv: kv[1]["p95_ms"])
        target = query_target(n)
        over = [k for k, v in asked.items() if v["p95_ms"] > target]
        first = f"; first store-wide query after opening {q['first_query_s']:.2f} s" if "first_query_s" in q else ""
        add(f"queries, {kind}: worst p95", f"{worst[1]['p95_ms']:,.0f} ms ({worst[0]}); "
            f"{len(over)}/{len(asked)} calls over {target:.0f} ms{': ' + ', '.join(over) if over else ''}{first} "
            f"(load {q['load_before']:.1f})",
            f"≤ {target:.0f} ms {verdict(not over)}")
        if bulk:
            add(f"bulk reads, {kind} (whole-selection lists, for export)", "; ".join(
                f"{k}: {v['rows']:,} rows in {v['p50_ms'] / 1000:.1f} s" for k, v in bulk.items()), "")
        app = r.get(f"app_{kind}")
        if app:
            cold = {k: v[0] for k, v in app["pages"].items()}
            warm = {k: min(v[1:]) for k, v in app["pages"].items() if len(v) > 1}
            if app.get("errors"):
                add(f"app pages, {kind}: errors", "; ".join(app["errors"])[:300], "")
            worst_cold = max(cold.items(), key=lambda kv: kv[1])
            worst_warm = max(warm.items(), key=lambda kv: kv[1]) if warm else ("-", 0.0)
            started = f"server answers after {app['server_start_s']:.1f} s; " if app.get("server_start_s") else ""
            add(f"app pages, {kind}: slowest", f"cold {worst_cold[1]:.1f} s ({worst_cold[0]}), warm "
                f"{worst_warm[1]:.1f} s ({worst_warm[0]}); {started}(load {app['load_before']:.1f})",
                f"≤ {TARGETS['page_s']:.0f} s {verdict(max(worst_cold[1], worst_warm[1]) <= TARGETS['page_s'])}")
            rss = app["server_peak_rss_mb"] or 0
            add(f"app server process, {kind}, holding {n} plans (peak RSS over every page)", f"{rss:.0f} MB",
                f"≤ {TARGETS['app_rss_mb']:.0f} MB {verdict(rss <= TARGETS['app_rss_mb'])}")
    cmp_ = r.get("neo4j_compare")
    if cmp_ and "batched_new_s" in cmp_:  # the store's write_documents (batches of documents)
        for mode, what in (("new", "into an empty database"), ("replace", "replacing the same plans")):
            batched, per_row, per_doc = (cmp_[f"{k}_{mode}_s"] for k in ("batched", "per_row", "per_document"))
            ratio = per_row / batched
            add(f"Neo4j write_documents vs per-row, {what} ({cmp_['documents']} plans, {cmp_['rows']:,} rows, "
                f"{cmp_['batch']} per transaction)",
                f"{cmp_['rows'] / batched:,.0f} vs {cmp_['rows'] / per_row:,.0f} rows/s: {ratio:.1f}×; "
                f"write_document per plan {per_row / per_doc:.1f}× (load {cmp_['load_before']:.1f})",
                f"≥ {TARGETS['neo4j_batched_vs_row']:.0f}× {verdict(ratio >= TARGETS['neo4j_batched_vs_row'])}"
                if mode == "new" else "")
        if cmp_.get("warmup_batched_new_s"):
            add("  the same batched write in the untimed rounds after the server started",
                ", ".join(f"{t:.2f}" for t in cmp_["warmup_batched_new_s"]) + " s "
                f"(= {cmp_['per_row_new_s'] / cmp_['warmup_batched_new_s'][0]:.1f}× per-row in the first)", "")
    elif cmp_:  # a saved run from before write_documents
        ratio = cmp_["per_row_s"] / cmp_["batched_s"]
        add(f"Neo4j batched vs per-row ({cmp_['documents']} plans, {cmp_['rows']:,} rows)",
            f"{cmp_['rows'] / cmp_['batched_s']:,.0f} vs {cmp_['rows'] / cmp_['per_row_s']:,.0f} rows/s: "
            f"{ratio:.1f}× (load {cmp_['load_before']:.1f})",
            f"≥ {TARGETS['neo4j_batched_vs_row']:.0f}× {verdict(ratio >= TARGETS['neo4j_batched_vs_row'])}")
        if cmp_.get("batched_one_tx_s"):
            add("  same batched statements, all sample plans in one transaction",
                f"{cmp_['rows'] / cmp_['batched_one_tx_s']:,.0f} rows/s: "
                f"{cmp_['per_row_s'] / cmp_['batched_one_tx_s']:.1f}× per-row", "")
        if cmp_.get("cross_doc_s"):
            add("  sketch: each statement over all sample plans' rows (bench `_write_many`)",
                f"{cmp_['rows'] / cmp_['cross_doc_s']:,.0f} rows/s: "
                f"{cmp_['per_row_s'] / cmp_['cross_doc_s']:.1f}× per-row", "")
    ni = r.get("neo4j_ingest")
    if ni:
        add(f"`plangraph ingest --store neo4j` {n} plans, empty database", f"{ni['wall_s']:.0f} s, "
            f"{ni['ok'] / ni['wall_s']:.1f} plans/s ({ni['ok']}/{n} ok; peak RSS {ni['peak_rss_mb']:.0f} MB; "
            f"load {ni['load_before']:.1f})", "")
    nl = r.get("neo4j_load")
    if nl:
        add(f"Neo4j load {nl['documents']} plans, batched", f"{nl['rows_written'] / nl['wall_s']:,.0f} nodes+rels/s, "
            f"{nl['wall_s']:.0f} s ({nl['nodes']:,} nodes, {nl['relationships']:,} rels; load {nl['load_before']:.1f})", "")
    out = ["| measure | result | target |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(out)


def query_table(r: dict) -> str:
    emb, neo = r.get("queries_embedded", {}).get("calls", {}), r.get("queries_neo4j", {}).get("calls", {})
    out = ["| query API call | rows | embedded p50 / p95 ms | Neo4j p50 / p95 ms |", "|---|---:|---:|---:|"]
    for name in emb or neo:
        e, n = emb.get(name), neo.get(name)
        cell = (lambda v: f"{v['p50_ms']:,.1f} / {v['p95_ms']:,.1f}"
                + (" ✗" if v["p95_ms"] > 100 and not v.get("bulk") else "") if v else "–")
        bulk = " (bulk)" if (e or n).get("bulk") else ""
        out.append(f"| `{name}`{bulk} | {(e or n)['rows']:,} | {cell(e)} | {cell(n)} |")
    return "\n".join(out)


def page_table(r: dict) -> str:
    apps = {k: r.get(f"app_{k}") for k in ("embedded", "neo4j") if r.get(f"app_{k}")}
    if not apps:
        return ""
    out = ["| page | " + " | ".join(f"{k} cold / warm s" for k in apps) + " |", "|---|" + "---:|" * len(apps)]
    names = next(iter(apps.values()))["pages"]
    for name in names:
        cells = [f"{a['pages'][name][0]:.1f} / {min(a['pages'][name][1:] or [float('nan')]):.1f}"
                 if name in a["pages"] else "–" for a in apps.values()]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def profile_table(rows: list[dict], limit: int = 8) -> str:
    out = ["| function | calls | self s | share |", "|---|---:|---:|---:|"]
    out += [f"| `{x['function']}` | {x['calls']:,} | {x['self_s']:.2f} | {100 * x['self_share']:.0f}% |"
            for x in rows[:limit]]
    return "\n".join(out)


def phase_table(phases: list[dict]) -> str:
    return "\n".join(["| phase | s |", "|---|---:|"] + [f"| {p['phase']} | {p['cum_s']:.2f} |" for p in phases])


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="number of synthetic plans (default 1000)")
    ap.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    ap.add_argument("--skip-neo4j", action="store_true", help="embedded store only")
    ap.add_argument("--skip-app", action="store_true", help="no browser page timings")
    ap.add_argument("--out", metavar="JSON", help="also write every figure to this JSON file")
    ap.add_argument("--workdir", help="keep corpus and stores here (default: a temp folder, removed)")
    ap.add_argument("--sample", type=int, default=20, help="plans in the batched vs per-row sample (default 20)")
    ap.add_argument("--extract-sample", type=int, default=1000,
                    help="plans in the extraction speed measurements (default 1000)")
    ap.add_argument("--neo4j-compare", action="store_true",
                    help="also Neo4j batched vs one statement per row (issue 7; its target is retired)")
    ap.add_argument("--neo4j-port", type=int, default=7699, help="the bench's own Neo4j server (default 7699)")
    ap.add_argument("--neo4j-data", default="/tmp/pg-bench-neo4j", help="its data dir (default /tmp/pg-bench-neo4j)")
    ap.add_argument("--only", choices=["extraction"],
                    help="extraction: only the corpus, the extraction / jieba measurement and its profile")
    ap.add_argument("--report", metavar="JSON", help="only print the tables of an earlier --out file")
    ap.add_argument("--queries-only", action="store_true",
                    help="only the query latencies, on the stores an earlier run left in --workdir (and --neo4j-data)")
    ap.add_argument("--worker", nargs=2, metavar=("NAME", "ARGS"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker_main(*args.worker)
        return 0
    if args.report:
        report(json.loads(Path(args.report).read_text(encoding="utf-8")))
        return 0

    if args.queries_only:
        if not args.workdir:
            ap.error("--queries-only needs the --workdir of an earlier run")
        return queries_only(args)

    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="pg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus, files, records = work / "plans", str(work / "files.txt"), str(work / "records.pkl")
    home_full = work / "home-full"
    for old in (corpus, home_full, work / "home-profile", work / "home-cli", work / "home-neo4j"):
        shutil.rmtree(old, ignore_errors=True)
    r: dict[str, Any] = {"n": args.n, "machine": machine(), "command": "bench/run.py " + " ".join(sys.argv[1:])}
    try:
        log(f"corpus: {args.n} plans into {corpus}")
        r["corpus"] = build(args.n, corpus, args.seed)
        sample = min(args.n, args.extract_sample)
        log(f"extraction of {sample} plans (with jieba alone, interleaved)")
        r["extraction"] = worker("extract", files=files, records=records, limit=sample)
        log("extraction profile (40 plans)")
        r["profile_extract"] = worker("profile_extract", files=files, limit=40)
        if args.only != "extraction":
            measure_the_rest(args, r, work, corpus, files, records, home_full)
    finally:
        r["finished"] = _dt.datetime.now().isoformat(timespec="seconds")
        r["load_at_end"] = os.getloadavg()
        if args.out:
            Path(args.out).write_text(json.dumps(r, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)

    report(r)
    return 0


def measure_the_rest(args: argparse.Namespace, r: dict, work: Path, corpus: Path, files: str, records: str,
                     home_full: Path) -> None:
    """Every step after the extraction / jieba measurement: parallel extraction, ingest, store,
    CLI, queries, app pages, Neo4j (each result into `r`)."""
    sample = min(args.n, args.extract_sample)
    log("extraction with 2 processes")
    r["parallel"] = worker("extract_parallel", files=files, workers=2, limit=sample)
    log("plangraph ingest into a fresh embedded store")
    r["ingest"] = cli_ingest(corpus, home_full)
    log("plangraph ingest again over the same files")
    r["reingest"] = cli_ingest(corpus, home_full)
    log("ingest profile (--jobs 1, first 100 plans)")
    r["profile_ingest"] = worker("profile_cli_ingest", files=files, home=str(work / "home-profile"),
                                 limit=min(100, args.n))
    log("opening the N-plan store, and a process holding it")
    r["app_load"] = worker("load_embedded", home=str(home_full))
    log("CLI start-up against a bare Python start")
    r["cli"] = worker("cli_speed", home=str(work / "home-cli"), plan=str(ROOT / "data" / "changde_fazhi_2021-2025.txt"))
    log("query latencies, embedded")
    r["queries_embedded"] = worker("queries", kind="embedded", home=str(home_full))
    slow = [k for k, v in r["queries_embedded"]["calls"].items()
            if v["p95_ms"] > query_target(args.n) and not v.get("bulk")]
    if slow:
        log(f"profile of the slow embedded queries: {len(slow)}")
        r["profile_queries_embedded"] = worker("profile_queries", kind="embedded", home=str(home_full),
                                               names=slow[:6])
    if not args.skip_app:
        log("app pages, embedded (browser harness)")
        r["app_embedded"] = optional(lambda: worker("app_pages", home=str(home_full), store="embedded"))
    if not args.skip_neo4j:
        env = neo4j_env(args.neo4j_port, work / "neo4j-state")
        log(f"starting the bench's own Neo4j on port {args.neo4j_port}")
        neo4j_start(args.neo4j_port, Path(args.neo4j_data), env)
        try:
            if args.neo4j_compare:
                log(f"Neo4j batched vs per-row ({args.sample} plans)")
                r["neo4j_compare"] = worker("neo4j_compare", env=env, records=records, sample=args.sample)
            log("plangraph ingest --store neo4j of every plan, into an empty database")
            worker("neo4j_clear", env=env)
            r["neo4j_ingest"] = cli_ingest(corpus, work / "home-neo4j", env=env, store="neo4j")
            log("query latencies, Neo4j")
            r["queries_neo4j"] = worker("queries", env=env, kind="neo4j")
            if not args.skip_app:
                log("app pages, Neo4j (browser harness)")
                r["app_neo4j"] = optional(lambda: worker("app_pages", env=env, home=str(home_full),
                                                         store="neo4j"))
        finally:
            log("stopping the bench's Neo4j")
            neo4j_stop(env)


def queries_only(args: argparse.Namespace) -> int:
    """The query step alone, against the stores an earlier run built in --workdir (the embedded
    store in home-full, Neo4j in --neo4j-data): for measuring a change to the queries without
    building the corpus and ingesting it again. Before the timing, each store is opened and
    written once, as a user's next command would (a store of older code builds what it lacks
    then: the embedded store when opened, Neo4j at its next write; one plan is ingested again
    with --force, the same document replacing itself)."""
    work = Path(args.workdir)
    home_full = work / "home-full"
    if not (home_full / "plangraph.sqlite").exists():
        raise SystemExit(f"no store of an earlier run in {home_full}")
    plan = sorted((work / "plans").iterdir())[0]
    r: dict[str, Any] = {"n": args.n, "machine": machine(), "command": "bench/run.py " + " ".join(sys.argv[1:])}
    try:
        log("opening the embedded store once (an older store file is brought up to date)")
        run_child([PLANGRAPH, "documents", "--home", str(home_full)])
        log("query latencies, embedded")
        r["queries_embedded"] = worker("queries", kind="embedded", home=str(home_full))
        if not args.skip_neo4j:
            env = neo4j_env(args.neo4j_port, work / "neo4j-state")
            log(f"starting the bench's own Neo4j on port {args.neo4j_port} (data in {args.neo4j_data})")
            neo4j_start(args.neo4j_port, Path(args.neo4j_data), env)
            try:
                log(f"one write (ingest --force of {plan.name}), then query latencies, Neo4j")
                run_child([PLANGRAPH, "ingest", "--force", "--store", "neo4j", "--home", str(work / "home-neo4j"),
                           str(plan)], dict(env, TQDM_DISABLE="1"))
                r["queries_neo4j"] = worker("queries", env=env, kind="neo4j")
            finally:
                log("stopping the bench's Neo4j")
                neo4j_stop(env)
    finally:
        r["finished"] = _dt.datetime.now().isoformat(timespec="seconds")
        r["load_at_end"] = os.getloadavg()
        if args.out:
            Path(args.out).write_text(json.dumps(r, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    report(r)
    return 0


def report(r: dict) -> None:
    """Print the tables (also: `bench/run.py --report results.json`)."""
    m = r["machine"]
    print(f"\nPlanGraph bench, {r['n']} plans — {m['date']}, {m['cpu']} ×{m['cores']}, {m['memory']}, "
          f"Python {m['python']}, commit {m.get('commit', '?')}; load average at end {r['load_at_end'][0]:.1f}\n")
    print(table(r))
    if r.get("queries_embedded") or r.get("queries_neo4j"):
        print("\n" + query_table(r))
    if page_table(r):
        print("\n" + page_table(r))
    if r.get("profile_extract"):
        print("\nExtraction profile (self time):\n" + profile_table(r["profile_extract"]["top"]))
    if r.get("profile_extract", {}).get("phases"):
        print(f"\nExtraction phases (cumulative s, {r['profile_extract']['plans']} plans under cProfile):\n"
              + phase_table(r["profile_extract"]["phases"]))
    if r.get("profile_ingest"):
        print(f"\n`plangraph ingest --jobs 1` of {r['profile_ingest']['plans']} plans under cProfile:\n"
              + phase_table(r["profile_ingest"]["phases"]) + "\n\n" + profile_table(r["profile_ingest"]["top"]))
    for name, rows in r.get("profile_queries_embedded", {}).get("calls", {}).items():
        print(f"\nProfile of embedded `{name}`:\n" + profile_table(rows, 5))


if __name__ == "__main__":
    sys.exit(main())
