"""`plangraph compare A B`: which task of plan B carries out which task of plan A (对标对表).

A is the upper or earlier plan, B the lower or later one, both documents in the store.
Prints the matched pairs with their score, evidence and differences, A's tasks not taken
up and B's added tasks: a table, JSON (`{"a", "b", "pairs", "a_only", "b_only"}`, the
shape of graph.compare.Comparison.to_json) or the 对标对表 sheet as CSV. Bad input (an
unknown document, the same document twice) is one line on stderr and exit 2.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys

from plangraph.graph.store import StoreError
from plangraph.cli_graph import _fail, _open, _print_json, _store_options, print_table

FORMATS = ("table", "json", "csv")


def _score(text: str) -> float:
    """argparse type: a score threshold, 0 to 2."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 2.0:
        raise argparse.ArgumentTypeError(f"want a number from 0 to 2, not {text!r}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    from plangraph.graph.compare_settings import DEFAULT_SETTINGS, MODES
    p = sub.add_parser("compare", parents=[_store_options()],
                       help="compare two plans task by task: pairs, differences, tasks not taken up, tasks added")
    p.add_argument("a", metavar="A", help="document id of the upper (or earlier) plan")
    p.add_argument("b", metavar="B", help="document id of the lower (or later) plan")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="table (default), json, or csv (the 对标对表 sheet, UTF-8 with BOM)")
    p.add_argument("--mode", choices=MODES, default="one-to-one",
                   help="one-to-one (default: an optimal assignment) or one-to-many (an upper task may "
                        "be carried out by several tasks of B)")
    p.add_argument("--min-score", type=_score, metavar="S",
                   help=f"drop pairs scoring under S (default {DEFAULT_SETTINGS.min_score}, calibrated on a province "
                        f"and a city plan; plans copied from each other, such as two years of one plan, want "
                        f"about 0.5); one-to-many joins further tasks from {DEFAULT_SETTINGS.min_score_many} or S")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    from plangraph.graph.compare import DEFAULT_SETTINGS, compare_plans
    from plangraph.graph.compare_input import plan_from_store

    if args.a == args.b:
        return _fail("compare", f"give two different documents, not {args.a!r} twice")
    try:
        with _open(args) as store:
            a, b = plan_from_store(store, args.a), plan_from_store(store, args.b)
    except StoreError as err:
        return _fail("compare", str(err))
    settings = DEFAULT_SETTINGS
    if args.min_score is not None:
        settings = dataclasses.replace(settings, min_score=args.min_score,
                                       min_score_many=max(settings.min_score_many, args.min_score))
    result = compare_plans(a, b, args.mode, settings)
    if args.format == "json":
        _print_json(result.to_json())
    elif args.format == "csv":
        from plangraph.graph.compare_sheet import sheet_bytes
        sys.stdout.flush()
        sys.stdout.buffer.write(sheet_bytes(result, "csv"))
        sys.stdout.buffer.flush()
    else:
        print_comparison(result)
    return 0


def print_comparison(result) -> None:
    """The comparison as three plain tables: pairs, not taken up, added."""
    from plangraph.graph.compare_sheet import describe
    a, b = result.a, result.b
    print(f"A {a.document_id}: {a.title} ({len(a.tasks)} tasks)")
    print(f"B {b.document_id}: {b.title} ({len(b.tasks)} tasks)")
    print(f"{result.mode}: {len(result.pairs)} pairs, {len(result.a_only)} tasks of A not taken up, "
          f"{len(result.b_only)} tasks of B added")
    print()
    rows = []
    for p in result.pairs:
        words = describe(p.differences)
        rows.append([p.a.task_id, p.a.heading, p.b.task_id, p.b.heading, f"{p.score:.3f}",
                     " ".join(k["term"] for k in p.evidence["key_terms"][:4]),
                     "、".join(u["function"] for u in p.evidence["shared_units"]),
                     "；".join(w for w in words.values() if w)])
    print_table(["A task", "A heading", "B task", "B heading", "score", "key terms", "shared units", "differences"],
                rows, limits={1: 24, 3: 24, 5: 24, 6: 20, 7: 60})
    for title, tasks in (("not taken up (A only)", result.a_only), ("added (B only)", result.b_only)):
        print()
        print(f"{title}: {len(tasks)}")
        if tasks:
            print_table(["task", "heading", "lead", "units"],
                        [[t.task_id, t.heading, "、".join(t.lead), "、".join(u for u in t.units if u not in t.lead)]
                         for t in tasks], limits={1: 36, 2: 30, 3: 40})
