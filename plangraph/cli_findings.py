"""`plangraph findings`: what the extractor could not read in the stored documents.

The findings `plangraph check FILE` prints, as they were stored when each document was
ingested: one row per finding with its document, task, kind and text (a table, or JSON: a
list of {document_id, position, kind, text, start, end, task_id, task_heading}). A query
command: it reads the store only (no extraction stack). Documents stored before PlanGraph
kept findings are named on stderr: their findings are not known until they are ingested again.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from plangraph.graph.store import GraphStore
from plangraph.ingest.model import FINDING_KINDS, FINDINGS
from plangraph.cli_graph import _fail, _page_options, _print_json, _query, _store_options, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("findings", parents=[_store_options(), _page_options()],
                       help="what the extractor could not read in the stored documents (as plangraph check)")
    p.add_argument("--document", "--doc", action="append", metavar="ID", dest="docs",
                   help="only this document id (repeatable; see plangraph documents)")
    p.add_argument("--kind", action="append", choices=FINDING_KINDS, help="only this kind (repeatable)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output (default: table)")
    p.set_defaults(func=cmd_findings)


def cmd_findings(args: argparse.Namespace) -> int:
    def body(store: GraphStore) -> int:
        stored = [d.document_id for d in store.documents(args.docs)]
        unknown = sorted(set(args.docs or ()) - set(stored))
        if unknown:
            return _fail("findings", f"not in the store: {', '.join(repr(u) for u in unknown)} "
                                     "(see plangraph documents)")
        rows = store.findings(args.docs, args.kind, limit=args.limit, offset=args.offset)
        counts = store.finding_counts(args.docs)
        not_known = [d for d in stored if d not in counts]
        if not_known:
            shown = ", ".join(not_known[:10]) + (" …" if len(not_known) > 10 else "")
            print(f"plangraph findings: {len(not_known)} document(s) stored before findings were kept, their "
                  f"findings are not known until ingested again (plangraph ingest FILE): {shown}", file=sys.stderr)
        if args.format == "json":
            _print_json([asdict(f) for f in rows])
            return 0
        total = sum(n for per_kind in counts.values() for k, n in per_kind.items() if not args.kind or k in args.kind)
        shown = "" if len(rows) == total else \
            f" (showing {args.offset + 1}–{args.offset + len(rows)})" if rows else " (none on this page)"
        print(f"{total} finding(s) in {len(counts)} document(s){shown}")
        if rows:
            print_table(["document", "task", "kind", "类型", "start", "end", "text"],
                        [[f.document_id, f.task_id or "—", f.kind, FINDINGS[f.kind].zh, f.start, f.end, f.text]
                         for f in rows], limits={0: 40, 6: 70})
        return 0
    return _query("findings", args, body)
