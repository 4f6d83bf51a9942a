"""`plangraph check FILE…`: where the extractor could not read a plan, to check by hand."""
from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="list what could not be read in plan files: statements that gave no unit, "
                                     "units of unknown form, tasks without units, numbered lines not taken as tasks")
    p.add_argument("files", nargs="+", metavar="FILE", help="plan file(s) (.txt, .html, .docx, .pdf)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="json: {document, findings: [{kind, text, start, end, task_id}]} (one object per line "
                        "for several files); text: one line per finding (default)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangraph.ingest.pipeline import extract_file
    from plangraph.ingest.read import InputError

    if any(not f for f in args.files):
        print("plangraph check: an empty path was given", file=sys.stderr)
        return 2
    status = 0
    for path in args.files:
        try:
            extraction = extract_file(path)
        except InputError as err:
            print(f"plangraph check: {err}", file=sys.stderr)
            status = 2
            continue
        if args.format == "json":
            indent = 1 if len(args.files) == 1 else None
            print(json.dumps(extraction.check_json(), ensure_ascii=False, indent=indent))
            continue
        findings = extraction.findings
        print(f"{path}: {len(findings)} finding(s) in {len(extraction.tasks)} tasks")
        for f in findings:
            where = f"task {f.task_id}" if f.task_id else "outside tasks"
            text = f.text.replace("\n", " ")
            print(f"  {f.kind:<19} {where:<16} {f.start:>6}-{f.end:<6} {text[:70]}")
    return status
