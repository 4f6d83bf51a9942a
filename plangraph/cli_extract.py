"""`plangraph extract FILE…`: print (or write) what the pipeline finds in plan files."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract tasks, units, citations and deadlines from plan files")
    p.add_argument("files", nargs="+", metavar="FILE", help="plan file(s) (.txt, .html, .docx, .pdf)")
    p.add_argument("--format", choices=("json", "text"), default="text",
                   help="json: the SCHEMA.md object; text: a readable summary (default)")
    p.add_argument("--out", metavar="DIR",
                   help="write one JSON per file to DIR/<file stem>.json (one process for many files)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangraph.ingest.pipeline import extract_file
    from plangraph.ingest.read import InputError

    if any(not f for f in args.files):
        print("plangraph extract: an empty path was given", file=sys.stderr)
        return 2
    if args.out is None and len(args.files) > 1 and args.format == "json":
        print("plangraph extract: several files with --format json need --out DIR", file=sys.stderr)
        return 2
    out_dir = Path(args.out) if args.out else None
    if out_dir is not None:
        if out_dir.exists() and not out_dir.is_dir():
            print(f"plangraph extract: --out {out_dir} is not a folder", file=sys.stderr)
            return 2
        out_dir.mkdir(parents=True, exist_ok=True)
        stems = [Path(f).stem for f in args.files]
        clashes = sorted({s for s in stems if stems.count(s) > 1})
        if clashes:
            print(f"plangraph extract: several files would be written as {clashes[0]}.json; "
                  "give them separately", file=sys.stderr)
            return 2
    status = 0
    for path in args.files:
        try:
            extraction = extract_file(path)
        except InputError as err:
            print(f"plangraph extract: {err}", file=sys.stderr)
            status = 2
            continue
        for warning in extraction.warnings:
            print(f"plangraph extract: warning: {path}: {warning}" if out_dir else
                  f"plangraph extract: warning: {warning}", file=sys.stderr)
        if out_dir is not None:
            target = out_dir / f"{Path(path).stem}.json"
            target.write_text(json.dumps(extraction.to_json(), ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")
            print(f"{path} -> {target}", file=sys.stderr)
        elif args.format == "json":
            json.dump(extraction.to_json(), sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        else:
            _print_summary(extraction)
    return status


def _print_summary(extraction) -> None:
    doc = extraction.document
    print(f"{doc.title or '(untitled)'}  {doc.doc_number or ''}  {doc.issuer or ''}  {doc.date or ''}".rstrip())
    for task in extraction.tasks:
        roles = "; ".join(f"{a.role}:{a.unit}" for a in task.assignments)
        dates = ", ".join(d.text for d in task.deadlines)
        print(f"{task.id:>10}  {task.heading[:30]}  [{roles}]  {dates}")
    print(f"{len(extraction.tasks)} tasks", file=sys.stderr)
