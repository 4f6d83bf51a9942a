"""Workload, co-responsibility and regulation totals: each defined once, here, for both stores.

The unit aggregates are made from assignment rows (document id, task key, unit, role), the
regulation totals from citation rows (document id, task key or None, regulation, title,
relation), by `Totals.of`. The stores keep the totals over every document up to date at write time (each
write adds what its documents contribute and takes away what the versions it replaces
contributed), and answer a question about some documents by reading those documents'
assignment rows and adding them up here. So the rules below are the only ones:

  workload: per unit, the distinct tasks it is named on in each role, in any role (total),
            and the documents it is named in;
  co-responsibility: per pair of units (a < b), the distinct tasks both carry out (any role
            but guide: a guiding body does not share the work it supervises);
  regulations: per regulation, the distinct tasks that cite it and the documents that cite it
            (in a task or outside every task), and per (regulation, title as cited, relation)
            how many citations (graph.rows.regulation_row makes a row of them).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, starmap
from operator import itemgetter
from typing import Any

from plangraph.graph.gaps import CARRYING_OUT
from plangraph.graph.rows import (
    CoEdge,
    RegulationRow,
    UnitWorkload,
    matches_title,
    regulation_row,
    sort_regulations,
    sort_workload,
    unit_workload,
)
from plangraph.ingest.model import ROLES

LOAD_FIELDS = (*ROLES, "total", "documents")  # a unit's counters, in this order
CITED_FIELDS = ("tasks", "documents")  # a regulation's counters, in this order
_TOTAL, _DOCUMENTS = LOAD_FIELDS.index("total"), LOAD_FIELDS.index("documents")
_ROLE_INDEX = {r: i for i, r in enumerate(ROLES)}
_SHARES_WORK = frozenset(CARRYING_OUT)


@dataclass
class Totals:
    """What some documents contribute: unit -> counters in LOAD_FIELDS order, (a, b)
    (a < b) -> tasks both carry out, regulation -> counters in CITED_FIELDS order, and
    (regulation, title, relation) -> citations. Documents are disjoint, so contributions add up."""
    units: dict[str, list[int]] = field(default_factory=dict)
    pairs: dict[tuple[str, str], int] = field(default_factory=dict)
    regulations: dict[str, list[int]] = field(default_factory=dict)
    titles: dict[tuple[str, str, str], int] = field(default_factory=dict)

    @classmethod
    def of(cls, assignments: Iterable[tuple[str, str, str, str]],
           citations: Iterable[tuple[str, str | None, str, str, str]] = ()) -> "Totals":
        """From (document_id, task key, unit, role) rows and (document_id, task key or None,
        regulation, title, relation) rows, by the rules of the module docstring: a unit counts
        a task once per role and once in `total`, however often it is named there; a pair
        counts each task they share once; a regulation each citing task and document once."""
        roles: set[tuple[str, str, str]] = set()
        on_task: dict[str, set[str]] = defaultdict(set)
        working: dict[str, set[str]] = defaultdict(set)
        in_document: set[tuple[str, str]] = set()
        for document_id, task, unit, role in assignments:
            roles.add((unit, role, task))
            on_task[task].add(unit)
            if role in _SHARES_WORK:
                working[task].add(unit)
            in_document.add((unit, document_id))
        totals = cls()
        units = totals.units
        for unit, role, _ in roles:
            units.setdefault(unit, [0] * len(LOAD_FIELDS))[_ROLE_INDEX[role]] += 1
        for unit, _ in in_document:
            units[unit][_DOCUMENTS] += 1
        for names in on_task.values():
            for unit in names:
                units[unit][_TOTAL] += 1
        for names in working.values():
            for pair in combinations(sorted(names), 2):
                totals.pairs[pair] = totals.pairs.get(pair, 0) + 1
        citing_tasks: set[tuple[str, str]] = set()
        citing_documents: set[tuple[str, str]] = set()
        titles = totals.titles
        for document_id, task, regulation, title, relation in citations:
            if task is not None:
                citing_tasks.add((regulation, task))
            citing_documents.add((regulation, document_id))
            titles[(regulation, title, relation)] = titles.get((regulation, title, relation), 0) + 1
        regulations = totals.regulations
        for regulation, _ in citing_tasks:
            regulations.setdefault(regulation, [0, 0])[0] += 1
        for regulation, _ in citing_documents:
            regulations.setdefault(regulation, [0, 0])[1] += 1
        return totals

    @classmethod
    def of_records(cls, batch: Iterable[Any]) -> "Totals":
        """What these graph.records.DocumentRecords contribute."""
        batch = list(batch)
        return cls.of(((r.document_id, a.task_key, a.unit, a.role) for r in batch for a in r.assignments),
                      ((r.document_id, c.source_key, c.regulation, c.props["title"], c.props["relation"])
                       for r in batch for c in r.citations))

    def minus(self, other: "Totals") -> "Totals":
        """self - other, per counter (zero differences dropped)."""
        return Totals(_minus(self.units, other.units, len(LOAD_FIELDS)), _minus(self.pairs, other.pairs),
                      _minus(self.regulations, other.regulations, len(CITED_FIELDS)), _minus(self.titles, other.titles))


def _minus(mine: Mapping[Any, Any], other: Mapping[Any, Any], width: int | None = None) -> dict[Any, Any]:
    """mine - other per key, of counters (width: lists of that many) or single numbers; zeros dropped."""
    out = {k: list(v) if width else v for k, v in mine.items()}
    for k, v in other.items():
        if width:
            out[k] = [x - y for x, y in zip(out.get(k, [0] * width), v)]
        else:
            out[k] = out.get(k, 0) - v
    return {k: v for k, v in out.items() if (any(v) if width else v)}


def workload_rows(units: Mapping[str, Iterable[int]], unit_props: Callable[[list[str]], Mapping[str, Mapping]]
                  ) -> list[UnitWorkload]:
    """UnitWorkload rows, in the API's order, from unit -> counters (LOAD_FIELDS order);
    unit_props gives the Unit properties of a list of names."""
    names = [u for u, c in units.items() if list(c)[_TOTAL] > 0]
    props = unit_props(names)
    return sort_workload(unit_workload(props[u], list(units[u])) for u in names)


def regulation_rows(titles: Iterable[tuple[str, str, str, int]], counts: Mapping[str, Sequence[int]],
                    props: Mapping[str, Mapping[str, Any]], title_contains: str | None = None
                    ) -> list[RegulationRow]:
    """RegulationRows, in the API's order, from (regulation, title, relation, citations),
    regulation -> counters (CITED_FIELDS order) and regulation -> its properties; only those
    whose key or a title contains `title_contains` (graph.rows.matches_title)."""
    cites: dict[str, list[tuple[str, str, int]]] = {}
    for regulation, title, relation, n in titles:
        cites.setdefault(regulation, []).append((title, relation, n))
    rows = (regulation_row(k, c, *counts[k], props.get(k)) for k, c in cites.items())
    return sort_regulations(r for r in rows if matches_title(r, title_contains))


def co_edges(pairs: Iterable[tuple[str, str, int]], min_weight: int = 1,
             collective: Collection[str] = (), ordered: bool = False) -> list[CoEdge]:
    """CoEdges in the API's order (heaviest first, then by a and b) from (a, b, weight) with
    a < b; pairs lighter than min_weight or with a unit in `collective` left out. ordered:
    the pairs come in that order already (as an earlier co_edges gave them, or SQLite's
    ORDER BY), so are not sorted again: the sorts are most of its time on a large store."""
    floor = max(1, min_weight)
    kept = [p for p in pairs if p[2] >= floor and p[0] not in collective and p[1] not in collective]
    if not ordered:
        # two stable sorts of the plain tuples (by name, then by weight): no key tuple per
        # pair, no CoEdge made for a pair left out
        kept.sort()
        kept.sort(key=itemgetter(2), reverse=True)
    return list(starmap(CoEdge, kept))


__all__ = ["Totals", "LOAD_FIELDS", "CITED_FIELDS", "workload_rows", "regulation_rows", "co_edges"]
