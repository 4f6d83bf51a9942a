"""Graph commands: ingest, documents, units, tasks, regulations, deliverables, gaps, network, export.

Store choice for every command: --store embedded|neo4j (default env PLANGRAPH_STORE, else
embedded) and --home DIR for the embedded store (default PLANGRAPH_HOME, else
~/.local/share/plangraph). Query commands print a table, or JSON with --format json.
Errors are one line on stderr with a non-zero exit, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from graph.export import EXPORT_FORMATS
from graph.model import ROLES
from graph.store import GAP_KINDS, STORE_KINDS, GraphStore, StoreError, open_store

PLAN_SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf")


def extract(path: str):
    """The extraction pipeline (a seam for tests)."""
    from ingest.pipeline import extract_file
    return extract_file(path)


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
    p.add_argument("--force", action="store_true", help="rewrite documents even when unchanged")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="extraction processes (default: 2, or 1 on a one-core machine)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("documents", parents=[store, query], help="documents in the store, with counts")
    p.set_defaults(func=cmd_documents)

    p = sub.add_parser("units", parents=[store, query],
                       help="units ranked by workload (tasks per role), with kind and administrative level")
    p.add_argument("--top", type=int, help="only the first N units")
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

    p = sub.add_parser("deliverables", parents=[store, query],
                       help="documents tasks are to produce (出台《…办法》), with responsible units and deadlines")
    p.add_argument("--no-deadline", action="store_true", help="only deliverables whose task has no time limit")
    p.set_defaults(func=cmd_deliverables)

    p = sub.add_parser("gaps", parents=[store, query, paged],
                       help="orphaned tasks: no lead, only collective units, no unit, no/passed deadline, "
                            "deliverable without deadline, unresolved citation")
    p.add_argument("--kind", action="append", choices=GAP_KINDS, help="gap kind (repeatable; default all)")
    p.add_argument("--as-of", help="date for deadline_passed, YYYY-MM-DD (default today)")
    p.set_defaults(func=cmd_gaps)

    p = sub.add_parser("network", parents=[store, query], help="co-responsibility: unit pairs sharing tasks")
    p.add_argument("--min-weight", type=int, default=1, help="only pairs sharing at least N tasks")
    p.add_argument("--skip-collective", action="store_true", help="leave out collective units")
    p.set_defaults(func=cmd_network)

    p = sub.add_parser("export", parents=[store], help="export the graph: graphml, json, or the 任务分工表 as csv / xlsx")
    p.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    p.add_argument("-o", "--output", help="output file (default: stdout)")
    p.add_argument("--doc", action="append", metavar="ID", dest="docs", help="restrict to this document id")
    p.set_defaults(func=cmd_export)


def _open(args: argparse.Namespace) -> GraphStore:
    return open_store(args.store, args.home) if args.store == "embedded" else open_store("neo4j")


def _fail(cmd: str, message: str, code: int = 2) -> int:
    print(f"plangraph {cmd}: {message}", file=sys.stderr)
    return code


def _one_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


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


def _task_table(rows: list, extra: list[tuple[str, Any]] | None = None) -> None:
    headers = ["document", "task", "heading", "lead", "participants", "responsible", "deadlines"]
    print_table(headers, [[t.document_id, t.task_id, t.heading, "、".join(t.lead), "、".join(t.participants),
                           "、".join(t.responsible), "、".join(d.text for d in t.deadlines)] for t in rows],
                limits={2: 30, 3: 30, 4: 30, 5: 30})


# ------------------------------------------------------------------ commands

def _plan_files(paths: list[str]) -> list[tuple[str, str | None]]:
    """(path, skip reason or None); folders give their plan files, recursively, sorted."""
    out: list[tuple[str, str | None]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in PLAN_SUFFIXES
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                out.append((raw, "no plan files in this folder"))
            out.extend((f, None) for f in found)
        elif p.is_file() and p.suffix.lower() not in PLAN_SUFFIXES:
            out.append((raw, f"not a plan file type ({p.suffix or 'no suffix'})"))
        else:
            out.append((raw, None))  # missing files fail in the reader with a clear message
    return out


# Documents per Neo4j write transaction (graph.neo4j_store.Neo4jStore.write_documents): each
# statement carries the rows of all of them. The embedded store writes one at a time (bulk mode).
NEO4J_BATCH = 50


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    try:
        store = _open(args)
        store.ping()
    except StoreError as err:
        return _fail("ingest", str(err))
    files = _plan_files(args.paths)
    todo = [path for path, skip in files if not skip]
    stored = {} if args.force else {d.document_id: (d.sha256, d.extractor) for d in store.documents()}
    batch_size = NEO4J_BATCH if store.kind == "neo4j" else 1
    with store, store.bulk(), tqdm(total=len(files), unit="file", file=sys.stderr, disable=None, leave=False) as bar:
        out = _IngestOutput(bar)
        for path, skip in files:
            if skip:
                out.line(path, "skipped", skip)
        writer = _BatchWriter(store, batch_size, out, check_unchanged=not args.force, stored=stored)
        for path, records in _extractions(todo, args.jobs, stored):
            bar.set_postfix_str(Path(path).name[:40], refresh=False)
            if isinstance(records, Unchanged):
                out.ready([_unchanged_line(path, records.document_id)])
            elif isinstance(records, BaseException):
                out.failed(path, records)
            else:
                writer.add(path, records)
        writer.flush()
        out.flush()
    return 1 if out.failures else 0


class _IngestOutput:
    """The per-file lines of `plangraph ingest`, in file order: a file whose document waits
    in a batch holds back the lines of the files after it until the batch is written."""

    def __init__(self, bar) -> None:
        self.bar = bar
        self.failures = 0
        self._queue: list[list] = []  # [lines, or None while its document waits to be written]

    def _emit(self, lines: list[tuple[str, str]]) -> None:
        from tqdm import tqdm
        for stream, text in lines:
            tqdm.write(text, file=sys.stdout if stream == "out" else sys.stderr)
        self.bar.update(1)

    def ready(self, lines: list[tuple[str, str]]) -> None:
        if self._queue:
            self._queue.append([lines])
        else:
            self._emit(lines)

    def failure(self, path: str, err: BaseException) -> tuple[str, str]:
        from ingest.read import InputError
        self.failures += 1
        reason = _one_line(err) if isinstance(err, (InputError, StoreError)) else \
            f"{type(err).__name__}: {_one_line(err)}"  # a bug on one file: no traceback, go on
        return ("err", _status_line("failed", path, reason))

    def line(self, path: str, status: str, text: str) -> None:
        self.ready([("out", _status_line(status, path, text))])

    def failed(self, path: str, err: BaseException) -> None:
        self.ready([self.failure(path, err)])

    def wait(self) -> list:
        """A place in the output for a file whose document waits in a batch (see `fill`)."""
        slot: list = [None]
        self._queue.append(slot)
        return slot

    def fill(self, slot: list, lines: list[tuple[str, str]]) -> None:
        slot[0] = lines

    def flush(self) -> None:
        """Print every line whose turn has come."""
        while self._queue and self._queue[0][0] is not None:
            self._emit(self._queue.pop(0)[0])


class _BatchWriter:
    """Collects DocumentRecords and writes them `size` at a time with store.write_documents
    (on Neo4j one all-or-nothing transaction). When a batch fails, its documents are written
    again one by one, so only the bad one fails and no document is left half-written."""

    def __init__(self, store: GraphStore, size: int, out: _IngestOutput, check_unchanged: bool,
                 stored: dict[str, tuple[str, str]]) -> None:
        self.store, self.size, self.out = store, size, out
        self.check_unchanged = check_unchanged
        self.stored = stored  # document id -> (sha256, extractor) in the store before this run
        self.pending: list[tuple[str, Any, list]] = []  # (path, records, output slot)
        self.fingerprints: dict[str, str] = {}  # document id -> fingerprint written (or queued) in this run

    def _unchanged(self, records) -> bool:
        if not self.check_unchanged:
            return False
        fp, doc_id = records.document.props.get("fingerprint"), records.document_id
        if doc_id in self.fingerprints:
            return self.fingerprints[doc_id] == fp
        return doc_id in self.stored and self.store.fingerprint(doc_id) == fp

    def add(self, path: str, records) -> None:
        try:
            unchanged = self._unchanged(records)
        except Exception as err:  # the store cannot answer: this file fails, the rest go on
            self.out.failed(path, err)
            return
        if unchanged:
            self.out.ready([_unchanged_line(path, records.document_id)] + _warning_lines(path, records))
            return
        self.fingerprints[records.document_id] = records.document.props.get("fingerprint")
        self.pending.append((path, records, self.out.wait()))
        if len(self.pending) >= self.size:
            self.flush()

    def _write_one(self, records):
        try:
            return self.store.write_document(records)
        except Exception as err:
            return err

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if not pending:
            return
        try:
            results = self.store.write_documents([r for _, r, _ in pending])
        except Exception as err:  # nothing of the batch was written
            results = [err] if len(pending) == 1 else [self._write_one(r) for _, r, _ in pending]
        for (path, records, slot), result in zip(pending, results):
            if isinstance(result, BaseException):
                self.fingerprints.pop(records.document_id, None)
                self.out.fill(slot, [self.out.failure(path, result)])
                continue
            how = "replaced" if result.replaced else "new"
            lines = [("out", _status_line("ok", path, f"{result.document_id} ({how}): {result.tasks} tasks, "
                                                      f"{result.units} units, {result.regulations} regulations"))]
            self.out.fill(slot, lines + _warning_lines(path, records))
        self.out.flush()


def _status_line(status: str, path: str, text: str) -> str:
    """One line of `plangraph ingest`: ok / warning / skipped / failed, the file, what happened."""
    return f"{status:<8} {path}: {text}"


def _unchanged_line(path: str, document_id: str) -> tuple[str, str]:
    return ("out", _status_line("skipped", path, f"unchanged ({document_id} already in the store)"))


def _warning_lines(path: str, records) -> list[tuple[str, str]]:
    return [("err", _status_line("warning", path, str(w))) for w in records.document.props.get("warnings") or []]


@dataclass
class Unchanged:
    """A file whose text and extractor match the stored version: nothing to extract."""
    document_id: str


def _extract_or_error(path: str, stored: dict[str, tuple[str, str]]):
    """The file's graph records (graph.model.build_graph_records, built here so the worker
    processes do that work too), Unchanged, or the exception that stopped it (returned, so a
    worker never dies). `stored`: document id -> (text sha256, extractor version) in the store."""
    from graph.model import build_graph_records
    from ingest.pipeline import is_unchanged
    from ingest.read import read_document
    try:
        document_id = Path(path).stem
        if document_id in stored and is_unchanged(read_document(path), *stored[document_id]):
            return Unchanged(document_id)
        return build_graph_records(extract(path))
    except Exception as err:  # reported per file by cmd_ingest
        return err


def _extractions(paths: list[str], jobs: int, stored: dict[str, tuple[str, str]]):
    """(path, DocumentRecords / Unchanged / exception) in the order given; extraction and the
    records run in `jobs` worker processes (CPU-bound), writing stays in this one (one writer
    per store)."""
    if jobs <= 1 or len(paths) < 2:
        for path in paths:
            yield path, _extract_or_error(path, stored)
        return
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
        yield from zip(paths, pool.map(partial(_extract_or_error, stored=stored), paths, chunksize=4))


def _query(cmd: str, args: argparse.Namespace, body) -> int:
    try:
        with _open(args) as store:
            return int(body(store) or 0)
    except StoreError as err:
        return _fail(cmd, str(err))


def cmd_documents(args: argparse.Namespace) -> int:
    def body(store: GraphStore) -> int:
        rows = store.documents(args.docs)
        if args.format == "json":
            _print_json([asdict(d) for d in rows])
            return 0
        print_table(["document", "title", "doc number", "date", "tasks", "units", "regulations", "assignments"],
                    [[d.document_id, d.title, d.doc_number, d.date, d.tasks, d.units, d.regulations,
                      d.assignments] for d in rows], limits={0: 40, 1: 40})
        return 0
    return _query("documents", args, body)


def cmd_units(args: argparse.Namespace) -> int:
    def body(store: GraphStore) -> int:
        rows = store.workload(args.docs)
        if args.top is not None:
            rows = rows[: max(args.top, 0)]
        if args.format == "json":
            _print_json([asdict(w) for w in rows])
            return 0
        print_table(["unit", "kind", "level", "collective", "lead", "participant", "responsible", "total",
                     "documents"],
                    [[w.unit, w.kind_label or w.kind or "", w.level or "", "yes" if w.collective else "", w.lead,
                      w.participant, w.responsible, w.total, w.documents] for w in rows])
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
            cites = store.tasks_citing(args.regulation, args.relation, args.docs)
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
        rows = store.deliverables(args.docs)
        if args.no_deadline:
            rows = [d for d in rows if not d.deadlines]
        if args.format == "json":
            _print_json([asdict(d) for d in rows])
            return 0
        print_table(["document", "task", "deliverable", "form", "units", "deadlines"],
                    [[d.task.document_id, d.task.task_id, f"《{d.title}》", d.form_label or "", "、".join(d.units),
                      "、".join(x.text for x in d.deadlines)] for d in rows], limits={2: 44, 4: 40})
        return 0
    return _query("deliverables", args, body)


def cmd_gaps(args: argparse.Namespace) -> int:
    from graph.gaps import KIND_DESCRIPTIONS, find_gaps

    def body(store: GraphStore) -> int:
        gaps = find_gaps(store, args.kind, args.as_of, args.docs, limit=args.limit, offset=args.offset)
        if args.format == "json":
            _print_json({k: [t.to_dict() for t in rows] for k, rows in gaps.items()})
            return 0
        totals = store.gap_counts(args.as_of, args.docs)
        first = True
        for kind, rows in gaps.items():
            if not first:
                print()
            first = False
            shown = "" if len(rows) == totals[kind] else \
                f" (showing {args.offset + 1}–{args.offset + len(rows)})" if rows else " (none on this page)"
            print(f"{kind}: {totals[kind]} tasks{shown} — {KIND_DESCRIPTIONS[kind]}")
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
    from graph.export import export

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
