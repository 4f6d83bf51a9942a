"""`plangraph link`: compare plans and store which task carries out which (MATCHES), and
`plangraph matches`: read them back.

    plangraph link A B [--mode] [--min-score]     compare A (upper or earlier) with B, store the pairs
    plangraph link --all [--jobs N] [--min-score]  every related pair of stored plans (graph.link)
    plangraph matches [--a A] [--b B] [--doc ID] [--pairs]   the stored links, or the linked pairs

`link A B` stores what `plangraph compare A B` prints (graph.compare.linked_pair) and replaces
any earlier link of the two; A's tasks without a counterpart become B's gap `not_taken_up`.
`link --all` links the related pairs (one implements the other, different levels, versions)
with the blocked scoring of graph.link, replacing what an earlier `link --all` stored and
leaving the pairs linked by `link A B` as they are. Bad input is one line on stderr, exit 2.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import os
import sys
import time
from dataclasses import asdict

from plangraph.graph.store import GraphStore
from plangraph.cli_compare import _score
from plangraph.cli_graph import (_fail, _open, _page_options, _positive, _print_json, _query, _query_options,
                                 _store_options, print_table)

ALL_BASES = ("implements", "level", "version")  # what `link --all` links (and replaces); not "asked"


def register(sub: argparse._SubParsersAction) -> None:
    store, query, paged = _store_options(), _query_options(), _page_options()
    p = sub.add_parser("link", parents=[store],
                       help="compare plans and store their task links (MATCHES): two plans, or --all related pairs")
    p.add_argument("a", nargs="?", metavar="A", help="document id of the upper (or earlier) plan")
    p.add_argument("b", nargs="?", metavar="B", help="document id of the lower (or later) plan")
    p.add_argument("--all", action="store_true", dest="all_pairs",
                   help="link every related pair of stored plans (one implements the other, different levels, "
                        "versions), replacing what an earlier --all stored")
    p.add_argument("--mode", choices=("one-to-one", "one-to-many"), default="one-to-one",
                   help="A B: one-to-one (default) or one-to-many (an upper task carried out by several of B's)")
    p.add_argument("--min-score", type=_score, metavar="S",
                   help="keep pairs scoring at least S (default 0.12, as compare; about 0.5 for plans copied "
                        "from each other)")
    p.add_argument("--jobs", type=_positive, default=min(2, os.cpu_count() or 1),
                   help="--all: processes cutting key terms of plans ingested by an older PlanGraph (default 2)")
    p.set_defaults(func=cmd_link)

    p = sub.add_parser("matches", parents=[store, query, paged],
                       help="stored task links (plangraph link): which task of B carries out which task of A")
    p.add_argument("--a", metavar="A", help="only links to tasks of this (upper) document")
    p.add_argument("--b", metavar="B", help="only links from tasks of this (lower) document")
    p.add_argument("--pairs", action="store_true", help="list the linked pairs of documents instead")
    p.set_defaults(func=cmd_matches)


def _now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def cmd_link(args: argparse.Namespace) -> int:
    if args.all_pairs:
        if args.a or args.b:
            return _fail("link", "give two documents A B, or --all, not both")
        if args.mode != "one-to-one":
            return _fail("link", "--all links one-to-one (give --mode with A B)")
        return _query("link", args, lambda store: link_all_command(store, args))
    if not (args.a and args.b):
        return _fail("link", "give two documents A B (upper, lower), or --all")
    if args.a == args.b:
        return _fail("link", f"give two different documents, not {args.a!r} twice")
    return _query("link", args, lambda store: link_pair_command(store, args))


def _settings(min_score: float | None):
    from plangraph.graph.compare import DEFAULT_SETTINGS
    if min_score is None:
        return DEFAULT_SETTINGS
    return dataclasses.replace(DEFAULT_SETTINGS, min_score=min_score,
                               min_score_many=max(DEFAULT_SETTINGS.min_score_many, min_score))


def link_pair_command(store: GraphStore, args: argparse.Namespace) -> int:
    from plangraph.graph.compare import compare_plans, linked_pair
    from plangraph.graph.compare_input import plan_from_store
    a, b = plan_from_store(store, args.a), plan_from_store(store, args.b)
    result = compare_plans(a, b, args.mode, _settings(args.min_score))
    written = store.write_links(linked_pair(result, "asked", _now()))
    print(f"linked {args.a} ← {args.b} ({args.mode}, min score {result.settings.min_score}): {written} pairs of tasks; "
          f"{len(result.a_only)} of {len(a.tasks)} tasks of A not taken up, {len(result.b_only)} of {len(b.tasks)} "
          f"tasks of B added")
    if result.a_only:
        print(f"  plangraph gaps --kind not_taken_up --doc {args.b}   # A's tasks B does not take up")
    return 0


def _stage(message: str) -> None:
    print(f"link --all: {message}", file=sys.stderr, flush=True)


def link_all_command(store: GraphStore, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from plangraph.graph.compare import task_terms
    from plangraph.graph.compare_input import plan_from_store, plans_from_store
    from plangraph.graph.link import METHOD, DocumentInfo, LinkSettings, key_terms_of, link_all, link_basis
    from plangraph.graph.records import LinkedPair

    started = time.perf_counter()
    clock = started

    def lap() -> float:
        nonlocal clock
        now = time.perf_counter()
        took, clock = now - clock, now
        return took

    documents = store.documents()
    if len(documents) < 2:
        _stage(f"{len(documents)} document in the store: nothing to link")
        return 0
    infos = {d.document_id: DocumentInfo.of(d.document_id, d.issuer, d.title, d.date) for d in documents}
    implements = {(r.document_id, r.implemented_id) for r in store.implements()}
    asked = {frozenset((c.a, c.b)) for c in store.compared() if c.basis == "asked"}
    plans = plans_from_store(store, documents)
    stored = store.key_terms()
    n_tasks = sum(len(p.tasks) for p in plans)
    _stage(f"read {len(plans):,} documents, {n_tasks:,} tasks in {lap():.1f} s")
    stale = [p for p in plans if stored.get(p.document_id) is None or len(stored[p.document_id]) != len(p.tasks)]
    if stale:  # ingested by an older PlanGraph: their key terms are cut now, from the stored texts
        fresh = key_terms_of([plan_from_store(store, p.document_id) for p in stale], args.jobs)
        at = 0
        for p in stale:
            stored[p.document_id] = fresh[at:at + len(p.tasks)]
            at += len(p.tasks)
        _stage(f"cut the key terms of {len(stale):,} documents ingested by an older PlanGraph in {lap():.1f} s "
               f"(plangraph ingest --force stores them)")
    terms = [t for p in plans for t in stored[p.document_id]]
    settings = LinkSettings(jobs=args.jobs, compare=_settings(args.min_score))
    report = link_all(plans, infos, implements, settings, terms)
    lap()
    scored = len(report.candidates.i) if report.candidates is not None else 0
    _stage(f"scored {scored:,} candidate pairs of tasks, linked {len(report.pairs):,} pairs of documents in "
           + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items()))

    linked_at = _now()
    pairs: dict[frozenset[str], LinkedPair] = {}
    for (a, b), links in report.pairs.items():
        pairs[frozenset((a, b))] = LinkedPair(a, b, link_basis(infos[a], infos[b], implements), METHOD, "one-to-one",
                                              settings.compare.min_score, links, linked_at)
    for citing, cited in sorted(implements):  # a plan implemented without a candidate pair: all not taken up
        pairs.setdefault(frozenset((citing, cited)), LinkedPair(cited, citing, "implements", METHOD, "one-to-one",
                                                                settings.compare.min_score, [], linked_at))
    kept = [k for k in pairs if k in asked]
    for k in kept:
        del pairs[k]
    with tqdm(total=len(pairs), unit="pair", file=sys.stderr, disable=None, leave=False, desc="writing") as bar:
        done = 0

        def progress(n: int) -> None:
            nonlocal done
            bar.update(n - done)
            done = n
        written = store.write_links_many(list(pairs.values()), drop_bases=ALL_BASES, progress=progress)
    _stage(f"wrote them in {lap():.1f} s")
    by_basis: dict[str, list[int]] = {}
    for p in pairs.values():
        counts = by_basis.setdefault(p.basis, [0, 0])
        counts[0] += 1
        counts[1] += len(p.links)
    summary = "; ".join(f"{basis} {n:,} pairs, {links:,} links" for basis, (n, links) in sorted(by_basis.items()))
    print(f"linked {len(pairs):,} pairs of documents, {written:,} links ({summary or 'none'}) "
          f"in {time.perf_counter() - started:.1f} s")
    if kept:
        print(f"kept {len(kept):,} pairs linked by `plangraph link A B`")
    return 0


def cmd_matches(args: argparse.Namespace) -> int:
    def body(store: GraphStore) -> int:
        if args.pairs:
            rows = store.compared(args.docs)
            rows = [c for c in rows if (args.a is None or c.a == args.a) and (args.b is None or c.b == args.b)]
            if args.format == "json":
                _print_json([asdict(c) for c in rows])
                return 0
            print_table(["A", "B", "basis", "mode", "min score", "pairs", "linked"],
                        [[c.a, c.b, c.basis, c.mode, c.min_score, c.pairs, c.linked] for c in rows],
                        limits={0: 40, 1: 40})
            return 0
        rows = store.matches(args.a, args.b, args.docs, limit=args.limit, offset=args.offset)
        if args.format == "json":
            _print_json([asdict(m) for m in rows])
            return 0
        print_table(["A", "A task", "A heading", "B", "B task", "B heading", "score", "key terms"],
                    [[m.a.document_id, m.a.task_id, m.a.heading, m.b.document_id, m.b.task_id, m.b.heading,
                      f"{m.score:.3f}", " ".join(k["term"] for k in m.key_terms[:4])] for m in rows],
                    limits={0: 24, 2: 24, 3: 24, 5: 24, 7: 24})
        return 0
    return _query("matches", args, body)
