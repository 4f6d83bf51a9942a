"""Workload and co-responsibility: each defined once, here, for both stores.

Both aggregates are made from assignment rows (document id, task key, unit, role) by
`Totals.of`. The stores keep the totals over every document up to date at write time (each
write adds what its documents contribute and takes away what the versions it replaces
contributed), and answer a question about some documents by reading those documents'
assignment rows and adding them up here. So the rules below are the only ones:

  workload: per unit, the distinct tasks it is named on in each role, in any role (total),
            and the documents it is named in;
  co-responsibility: per pair of units (a < b), the distinct tasks both carry out (any role
            but guide: a guiding body does not share the work it supervises).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from plangraph.graph.gaps import CARRYING_OUT
from plangraph.graph.rows import CoEdge, UnitWorkload, sort_co_edges, sort_workload, unit_workload
from plangraph.ingest.model import ROLES

LOAD_FIELDS = (*ROLES, "total", "documents")  # a unit's counters, in this order
_TOTAL, _DOCUMENTS = LOAD_FIELDS.index("total"), LOAD_FIELDS.index("documents")
_ROLE_INDEX = {r: i for i, r in enumerate(ROLES)}
_SHARES_WORK = frozenset(CARRYING_OUT)


@dataclass
class Totals:
    """What some documents contribute: unit -> counters in LOAD_FIELDS order, and (a, b)
    (a < b) -> tasks both carry out. Documents are disjoint, so contributions add up."""
    units: dict[str, list[int]] = field(default_factory=dict)
    pairs: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def of(cls, assignments: Iterable[tuple[str, str, str, str]]) -> "Totals":
        """From (document_id, task key, unit, role) rows, by the rules of the module
        docstring: a unit counts a task once per role and once in `total`, however often it
        is named there; a pair counts each task they share once."""
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
        return totals

    @classmethod
    def of_records(cls, batch: Iterable[Any]) -> "Totals":
        """What these graph.records.DocumentRecords contribute."""
        return cls.of((r.document_id, a.task_key, a.unit, a.role) for r in batch for a in r.assignments)

    def minus(self, other: "Totals") -> "Totals":
        """self - other, per counter (zero differences dropped)."""
        units = {u: list(c) for u, c in self.units.items()}
        for u, c in other.units.items():
            mine = units.setdefault(u, [0] * len(LOAD_FIELDS))
            units[u] = [x - y for x, y in zip(mine, c)]
        pairs = dict(self.pairs)
        for p, w in other.pairs.items():
            pairs[p] = pairs.get(p, 0) - w
        return Totals({u: c for u, c in units.items() if any(c)}, {p: w for p, w in pairs.items() if w})


def workload_rows(units: Mapping[str, Iterable[int]], unit_props: Callable[[list[str]], Mapping[str, Mapping]]
                  ) -> list[UnitWorkload]:
    """UnitWorkload rows, in the API's order, from unit -> counters (LOAD_FIELDS order);
    unit_props gives the Unit properties of a list of names."""
    names = [u for u, c in units.items() if list(c)[_TOTAL] > 0]
    props = unit_props(names)
    return sort_workload(unit_workload(props[u], list(units[u])) for u in names)


def co_edges(pairs: Iterable[tuple[str, str, int]], min_weight: int = 1,
             collective: Collection[str] = ()) -> list[CoEdge]:
    """CoEdges in the API's order from (a, b, weight) with a < b; pairs lighter than
    min_weight or with a unit in `collective` left out."""
    return sort_co_edges(CoEdge(a, b, w) for a, b, w in pairs
                         if w >= max(1, min_weight) and a not in collective and b not in collective)


__all__ = ["Totals", "LOAD_FIELDS", "workload_rows", "co_edges"]
