"""Graph commands: ingest, remove, documents, units, tasks, regulations, deliverables, gaps,
network, export.

Store choice for every command: --store embedded|neo4j (default env PLANGRAPH_STORE, else
embedded) and --home DIR for the embedded store (default PLANGRAPH_HOME, else
~/.local/share/plangraph). Query commands print a table, or JSON with --format json.
Errors are one line on stderr with a non-zero exit, never a traceback. Query commands
import neither the extraction stack (spaCy, jieba) nor the Neo4j driver unless asked for.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from plangraph.graph.export import EXPORT_FORMATS
from plangraph.graph import gaps
from plangraph.graph.store import STORE_KINDS, GraphStore, StoreError, open_store
from plangraph.ingest.model import ROLES

ROLE_COLUMNS = {"lead": "lead", "participant": "participant", "responsible": "responsible", "guide": "guide"}


# ------------------------------------------------------------------ argument helpers

def _store_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("store")
    g.add_argument("--store", choices=STORE_KINDS, default=os.environ.get("PLANGRAPH_STORE") or "embedded",
                   help="embedded (default; a file under --home) or neo4j (NEO4J_URI, NEO4J_USER, "
                        "NEO4J_PASSWORD, NEO4J_DATABASE)")
    g.add_argument("--home", help="data folder of the embedded store (default: PLANGRAPH_HOME or "
                                  "~/.local/share/plangraph)")
    return p


def _query_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--format", choices=("table", "json"), default="table", help="output (default: table)")
    p.add_argument("--doc", action="append", metavar="ID", dest="docs",
                   help="restrict to this document id (repeatable)")
    return p


def _count(text: str) -> int:
    """argparse type: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"want a whole number >= 0, not {text!r}")
    return value


def _positive(text: str) -> int:
    """argparse type: a whole number >= 1."""
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"want a whole number >= 1, not {text!r}")
    return value


def _page_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("page (a province's plans have tens of thousands of tasks)")
    g.add_argument("--limit", type=_count, metavar="N", help="at most N tasks (default: all)")
    g.add_argument("--offset", type=_count, default=0, metavar="N", help="skip the first N tasks")
    return p


def register(sub: argparse._SubParsersAction) -> None:
    store, query, paged = _store_options(), _query_options(), _page_options()

    p = sub.add_parser("ingest", parents=[store], help="extract plan files and write them into the graph store")
    p.add_argument("paths", nargs="+", metavar="PATH", help="plan file or folder (.txt .html .docx .pdf)")
    p.add_argument("--force", action="store_true",
                   help="extract and write documents again even when unchanged or already stored under another name")
    p.add_argument("--jobs", type=_positive, default=min(2, os.cpu_count() or 1),
                   help="extraction processes (default: 2, or 1 on a one-core machine)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("remove", parents=[store],
                       help="take documents out of the store, with the units and regulations only they used")
    p.add_argument("documents", nargs="+", metavar="DOC", help="document id (see `plangraph documents`) or its file")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("documents", parents=[store, query], help="documents in the store, with counts and source")
    p.set_defaults(func=cmd_documents)

    p = sub.add_parser("units", parents=[store, query],
                       help="units ranked by workload (tasks per role), with kind and administrative level")
    p.add_argument("--top", type=_count, metavar="N", help="only the first N units")
    p.set_defaults(func=cmd_units)

    p = sub.add_parser("tasks", parents=[store, query, paged],
                       help="tasks of a unit (--unit), citing a regulation (--regulation), or all")
    p.add_argument("--unit", help="unit name: canonical (常德市司法局), as written (市司法局) or its unique ending")
    p.add_argument("--role", action="append", choices=ROLES, help="with --unit: only these roles (repeatable)")
    p.add_argument("--regulation", help="a regulation title (as cited or normalised)")
    p.add_argument("--relation", choices=("basis", "produces"), help="with --regulation: only this relation")
    p.set_defaults(func=cmd_tasks)

    p = sub.add_parser("regulations", parents=[store, query],
                       help="cited regulations: level, resolution status, form, citation counts")
    p.add_argument("--title", help="only titles containing this text")
    p.set_defaults(func=cmd_regulations)

    p = sub.add_parser("deliverables", parents=[store, query, paged],
                       help="documents tasks are to produce (出台《…办法》), with responsible units and deadlines")
    p.add_argument("--no-deadline", action="store_true", help="only deliverables whose task has no time limit")
    p.set_defaults(func=cmd_deliverables)

    p = sub.add_parser("gaps", parents=[store, query, paged],
                       help="orphaned tasks: " + "; ".join(gaps.GAP_KINDS))
    p.add_argument("--kind", action="append", choices=gaps.GAP_KINDS, help="gap kind (repeatable; default all)")
    p.add_argument("--as-of", help="date for deadline_passed, YYYY-MM-DD (default today)")
    p.set_defaults(func=cmd_gaps)

    p = sub.add_parser("network", parents=[store, query], help="co-responsibility: unit pairs sharing tasks")
    p.add_argument("--min-weight", type=_count, default=1, metavar="N", help="only pairs sharing at least N tasks")
    p.add_argument("--skip-collective", action="store_true", help="leave out collective units")
    p.set_defaults(func=cmd_network)

    p = sub.add_parser("export", parents=[store], help="export the graph: graphml, json, or the 任务分工表 as csv / xlsx")
    p.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    p.add_argument("-o", "--output", help="output file (default: stdout)")
    p.add_argument("--doc", action="append", metavar="ID", dest="docs", help="restrict to this document id")
    p.set_defaults(func=cmd_export)


def _open(args: argparse.Namespace) -> GraphStore:
    return open_store(args.store, args.home)


def _fail(cmd: str, message: str, code: int = 2) -> int:
    print(f"plangraph {cmd}: {message}", file=sys.stderr)
    return code


# ------------------------------------------------------------------ output helpers

def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _clip(s: str, limit: int) -> str:
    s = " ".join(str(s).split())
    if _width(s) <= limit:
        return s
    out, w = "", 0
    for ch in s:
        cw = _width(ch)
        if w + cw > limit - 1:
            break
        out, w = out + ch, w + cw
    return out + "…"


def print_table(headers: list[str], rows: list[list[Any]], limits: dict[int, int] | None = None) -> None:
    """A plain aligned table; CJK characters count double width."""
    limits = limits or {}
    cells = [[_clip("" if v is None else str(v), limits.get(i, 60)) for i, v in enumerate(r)] for r in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (widths[i] - _width(v)) for i, v in enumerate(values)).rstrip()

    print(line(headers))
    print(line(["-" * w for w in widths]))
    for r in cells:
        print(line(r))


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _task_table(rows: list) -> None:
    headers = ["document", "task", "heading", "lead", "participants", "responsible", "guides", "deadlines"]
    print_table(headers, [[t.document_id, t.task_id, t.heading, "、".join(t.lead), "、".join(t.participants),
                           "、".join(t.responsible), "、".join(t.guides), "、".join(d.text for d in t.deadlines)]
                          for t in rows], limits={2: 30, 3: 30, 4: 30, 5: 30, 6: 30})


# ------------------------------------------------------------------ commands

class Stopped(KeyboardInterrupt):
    """SIGTERM during an ingest: stop as Ctrl-C does (what is written stays written)."""


class _Stopper:
    """Ctrl-C and SIGTERM during an ingest: raised at once, except inside `held()`, where a
    line is printed with its bookkeeping: then at its end, so the stop message counts exactly
    the ok lines printed. (Python runs signal handlers in the main thread whichever thread
    the signal reached, so a flag works where blocking the signal in one thread would not.)"""

    def __init__(self) -> None:
        self.holding = False
        self.pending: BaseException | None = None

    def __call__(self, signum: int, frame: Any) -> None:
        stop = Stopped() if signum == signal.SIGTERM else KeyboardInterrupt()
        if self.holding:
            self.pending = stop
            return
        raise stop

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
            if self.pending is not None:
                stop, self.pending = self.pending, None
                raise stop


def cmd_ingest(args: argparse.Namespace) -> int:
    if any(not str(p).strip() for p in args.paths):
        return _fail("ingest", "an empty path was given (a folder or file is needed)")
    try:
        store = _open(args)
        store.check_writable()  # before any line: nothing is reported ok that cannot be written
    except StoreError as err:
        return _fail("ingest", str(err))
    from tqdm import tqdm

    from plangraph.ingest.batch import ingest_paths
    run = ingest_paths(store, args.paths, args.jobs, args.force)
    failures = 0
    reported: set[str] = set()  # documents whose ok line was printed
    stopper = _Stopper()
    previous = {s: signal.signal(s, stopper) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with store, tqdm(total=run.total, unit="file", file=sys.stderr, disable=None, leave=False) as bar:
            for result in run:
                stream = sys.stderr if result.status == "failed" else sys.stdout
                failures += result.status == "failed"
                with stopper.held():
                    tqdm.write(result.line(), file=stream)
                    stream.flush()
                    if result.status == "ok":
                        reported.add(result.document_id)
                for warning in result.warnings:
                    tqdm.write(f"{'warning':<8} {result.path}: {warning}", file=sys.stderr)
                bar.update(1)
                if run.in_progress:
                    bar.set_postfix_str(Path(run.in_progress).name[:40], refresh=False)
    except KeyboardInterrupt as stop:
        what = "stopped (SIGTERM)" if isinstance(stop, Stopped) else "interrupted"
        left = run.total - run.done
        where = f"; {run.in_progress} was in progress" if run.in_progress else ""
        unreported = [d for d in run.saved if d not in reported]  # committed as the stop came
        also = f"; {len(unreported)} saved as the stop came, not reported above: {', '.join(unreported)}" \
            if unreported else ""
        print(f"plangraph ingest: {what}: {len(run.saved)} documents saved (reported ok above{also}){where}; "
              f"{left} of {run.total} files not done", file=sys.stderr)
        return 143 if isinstance(stop, Stopped) else 130
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 1 if failures else 0


def cmd_remove(args: argparse.Namespace) -> int:
    from plangraph.ingest.batch import resolved_path

    def body(store: GraphStore) -> int:
        docs = store.documents()
        by_id = {d.document_id: d for d in docs}
        by_source = {resolved_path(d.source): d.document_id for d in docs if d.source}
        ids, unknown = [], []
        for given in args.documents:
            doc = given if given in by_id else by_source.get(resolved_path(given)) if given.strip() else None
            (ids if doc else unknown).append(doc or given)
        if unknown:
            return _fail("remove", f"not in the store: {', '.join(repr(u) for u in unknown)} (nothing removed; "
                                   "see plangraph documents)")
        ids = list(dict.fromkeys(ids))
        store.delete_documents(ids)
        for doc in ids:
            print(f"removed  {doc}: {by_id[doc].tasks} tasks ({by_id[doc].source or 'no source'})")
        return 0
    return _query("remove", args, body)


def _query(cmd: str, args: argparse.Namespace, body) -> int:
    try:
        with _open(args) as store:
            return int(body(store) or 0)
    except StoreError as err:
        return _fail(cmd, str(err))


def cmd_documents(args: argparse.Namespace) -> int:
    def body(store: GraphStore) -> int:
        rows = store.documents(args.docs)
        implements: dict[str, list[str]] = {}
        for r in store.implements(args.docs):
            implements.setdefault(r.document_id, []).append(r.implemented_id)
        if args.format == "json":
            _print_json([{**asdict(d), "implements": implements.get(d.document_id, [])} for d in rows])
            return 0
        print_table(["document", "title", "doc number", "date", "tasks", "units", "regulations", "implements",
                     "source"],
                    [[d.document_id, d.title, d.doc_number, d.date, d.tasks, d.units, d.regulations,
                      " ".join(implements.get(d.document_id, [])), d.source] for d in rows],
                    limits={0: 40, 1: 40, 7: 40, 8: 200})
        return 0
    return _query("documents", args, body)


def cmd_units(args: argparse.Namespace) -> int:
    def body(store: GraphStore) -> int:
        rows = store.workload(args.docs)
        if args.top is not None:
            rows = rows[: args.top]
        if args.format == "json":
            _print_json([asdict(w) for w in rows])
            return 0
        print_table(["unit", "kind", "level", "collective", *ROLE_COLUMNS.values(), "total", "documents"],
                    [[w.unit, w.kind_label or w.kind or "", w.level or "", "yes" if w.collective else "",
                      *(getattr(w, r) for r in ROLE_COLUMNS), w.total, w.documents] for w in rows])
        return 0
    return _query("units", args, body)


def cmd_tasks(args: argparse.Namespace) -> int:
    if args.unit and args.regulation:
        return _fail("tasks", "give --unit or --regulation, not both")
    if args.role and not args.unit:
        return _fail("tasks", "--role needs --unit")
    if args.relation and not args.regulation:
        return _fail("tasks", "--relation needs --regulation")

    def body(store: GraphStore) -> int:
        if args.regulation:
            cites = store.tasks_citing(args.regulation, args.relation, args.docs, limit=args.limit, offset=args.offset)
            if args.format == "json":
                _print_json([asdict(c) for c in cites])
                return 0
            print_table(["document", "task", "heading", "relation", "title as cited", "lead"],
                        [[c.task.document_id, c.task.task_id, c.task.heading, c.relation, c.title,
                          "、".join(c.task.lead)] for c in cites], limits={2: 30, 4: 40})
            return 0
        if args.unit:
            name = store.resolve_unit(args.unit, args.docs)  # StoreError (exit 2) when ambiguous
            if name is None:
                close = [u for u in store.unit_names() if args.unit.strip() in u or u in args.unit]
                hint = f"; did you mean: {'、'.join(close[:8])}" if close else ""
                return _fail("tasks", f"no unit named {args.unit!r}{hint}", 1)
            if name != args.unit.strip():
                print(f"unit: {name}", file=sys.stderr)
            rows = store.tasks_of_unit(name, args.role, args.docs, limit=args.limit, offset=args.offset)
        else:
            rows = store.tasks(args.docs, limit=args.limit, offset=args.offset)
        if args.format == "json":
            _print_json([t.to_dict() for t in rows])
            return 0
        _task_table(rows)
        return 0
    return _query("tasks", args, body)


def cmd_regulations(args: argparse.Namespace) -> int:
    def body(store: GraphStore) -> int:
        rows = store.regulations(args.title, args.docs)
        if args.format == "json":
            _print_json([asdict(r) for r in rows])
            return 0
        print_table(["regulation", "level", "status", "form", "issuer", "basis", "produces", "tasks", "documents",
                     "titles as cited"],
                    [[r.title, r.level or "", r.status or "", r.form_label or "", r.issuer_level or "", r.basis_count,
                      r.produces_count, r.tasks, r.documents, " | ".join(t for t in r.titles if t != r.title)]
                     for r in rows], limits={0: 50, 9: 50})
        return 0
    return _query("regulations", args, body)


def cmd_deliverables(args: argparse.Namespace) -> int:
    def body(store: GraphStore) -> int:
        if args.no_deadline:  # the page is one of those without a time limit
            rows = [d for d in store.deliverables(args.docs) if not d.deadlines]
            rows = rows[args.offset:None if args.limit is None else args.offset + args.limit]
        else:
            rows = store.deliverables(args.docs, limit=args.limit, offset=args.offset)
        if args.format == "json":
            _print_json([asdict(d) for d in rows])
            return 0
        print_table(["document", "task", "deliverable", "form", "units", "deadlines"],
                    [[d.task.document_id, d.task.task_id, f"《{d.title}》", d.form_label or "", "、".join(d.units),
                      "、".join(x.text for x in d.deadlines)] for d in rows], limits={2: 44, 4: 40})
        return 0
    return _query("deliverables", args, body)


def cmd_gaps(args: argparse.Namespace) -> int:
    from plangraph.graph.gaps import find_gaps

    def body(store: GraphStore) -> int:
        found = find_gaps(store, args.kind, args.as_of, args.docs, limit=args.limit, offset=args.offset)
        if args.format == "json":
            _print_json({k: [t.to_dict() for t in rows] for k, rows in found.items()})
            return 0
        totals = store.gap_counts(args.as_of, args.docs)
        first = True
        for kind, rows in found.items():
            if not first:
                print()
            first = False
            shown = "" if len(rows) == totals[kind] else \
                f" (showing {args.offset + 1}–{args.offset + len(rows)})" if rows else " (none on this page)"
            print(f"{kind}: {totals[kind]} tasks{shown} — {gaps.KIND_DESCRIPTIONS[kind]}")
            if rows:
                _task_table(rows)
        return 0
    return _query("gaps", args, body)


def cmd_network(args: argparse.Namespace) -> int:
    def body(store: GraphStore) -> int:
        rows = store.co_responsibility(args.docs, include_collective=not args.skip_collective,
                                       min_weight=args.min_weight)
        if args.format == "json":
            _print_json([asdict(e) for e in rows])
            return 0
        print_table(["unit", "unit", "shared tasks"], [[e.a, e.b, e.weight] for e in rows])
        return 0
    return _query("network", args, body)


def cmd_export(args: argparse.Namespace) -> int:
    from plangraph.graph.export import export

    def body(store: GraphStore) -> int:
        data = export(store, args.format, args.docs)
        if not args.output or args.output == "-":
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return 0
        out = Path(args.output)
        tmp = out.with_name(f".{out.name}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, out)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            return _fail("export", f"cannot write {args.output}: {err.strerror or err}")
        print(f"wrote {args.output} ({len(data)} bytes)", file=sys.stderr)
        return 0
    return _query("export", args, body)
