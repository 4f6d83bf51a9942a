"""`plangraph extract FILE`: print what the pipeline finds in one plan."""
from __future__ import annotations

import argparse
import json
import sys

from ingest.pipeline import extract_file
from ingest.read import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract tasks, units, citations and deadlines from one plan file")
    p.add_argument("file", help="plan file (.txt, .html, .docx, .pdf)")
    p.add_argument("--format", choices=("json", "text"), default="text",
                   help="json: the SCHEMA.md object; text: a readable summary (default)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        extraction = extract_file(args.file)
    except InputError as err:
        print(f"plangraph extract: {err}", file=sys.stderr)
        return 2
    for warning in extraction.warnings:
        print(f"plangraph extract: warning: {warning}", file=sys.stderr)
    if args.format == "json":
        json.dump(extraction.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    doc = extraction.document
    print(f"{doc.title or '(untitled)'}  {doc.doc_number or ''}  {doc.issuer or ''}  {doc.date or ''}".rstrip())
    for task in extraction.tasks:
        roles = "; ".join(f"{a.role}:{a.unit}" for a in task.assignments)
        dates = ", ".join(d.text for d in task.deadlines)
        print(f"{task.id:>10}  {task.heading[:30]}  [{roles}]  {dates}")
    print(f"{len(extraction.tasks)} tasks", file=sys.stderr)
    return 0
