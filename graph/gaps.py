"""Gaps in a plan, as one table: every kind's name, Chinese label, description and rule.

`GAP_TABLE` is the one place a gap kind is defined; the CLI's choices, the app's labels and
help, the stores' flags and the README's list all come from it. A kind whose `predicate` is
set is decided by the task's own records (`TaskFacts`): both stores store it as a flag on
the task when the document is written, and record which flags they were written with, so a
kind added here makes a store rewrite its flags on the next open instead of answering 0.
The kinds without a predicate depend on the question, on shared nodes or on other documents
and are answered by each store at query time: `deadline_passed` (the earliest dated time limit
is before the as-of date), `unresolved_citation` (cites a Regulation whose status is
"unknown") and `not_taken_up` (a task of an upper plan A that a lower plan B linked with it
does not take up: `plangraph link A B`, or B implements A; graph.records.GAP_BASES). The
last is the lower plan's gap: its rows are A's tasks, and `document_ids` selects the lower
plans B, not the tasks' own documents (a task not taken up by several plans is one row).

To add a kind the task decides alone: one row in GAP_TABLE and its test.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plangraph.graph.errors import StoreError
from plangraph.ingest.model import ROLES

if TYPE_CHECKING:  # graph.store imports this module: no import at run time
    from plangraph.graph.rows import TaskRow
    from plangraph.graph.store import GraphStore

# Roles whose units carry a task out. A guide (指导) supervises: it is named on the task but
# neither leads nor answers for it, so it does not count for collective_only.
CARRYING_OUT = tuple(r for r in ROLES if r != "guide")


@dataclass(frozen=True)
class TaskFacts:
    """What a task's own records say: all a static gap rule may read.

    units: (role, collective) per assignment; deadlines: time limits in its text;
    produces: citations of documents it is to produce (出台《…办法》)."""
    units: tuple[tuple[str, bool], ...]
    deadlines: int
    produces: int

    @property
    def carrying_out(self) -> list[bool]:
        """collective, per assignment of a unit that carries the task out (not a guide)."""
        return [collective for role, collective in self.units if role in CARRYING_OUT]


@dataclass(frozen=True)
class GapKind:
    name: str  # the identifier (CLI --kind, store flags gap_<name>)
    zh: str  # the short Chinese name the app shows
    description: str  # one line: what a task of this kind is
    predicate: Callable[[TaskFacts], bool] | None  # None: answered at query time (see above)

    @property
    def static(self) -> bool:
        return self.predicate is not None

    @property
    def flag(self) -> str:
        """The stored flag of a static kind (a fixed name, safe to compose into queries)."""
        if not self.static:
            raise StoreError(f"{self.name} is answered at query time, it has no flag")
        return f"gap_{self.name}"


GAP_TABLE: tuple[GapKind, ...] = (
    GapKind("no_lead", "无牵头单位", "has units, but none of them leads (a task with only guiding units too)",
            lambda f: bool(f.units) and not any(role == "lead" for role, _ in f.units)),
    GapKind("collective_only", "仅笼统主体",
            "every unit that carries it out is collective, e.g. 各有关部门 (guiding units not counted)",
            lambda f: bool(f.carrying_out) and all(f.carrying_out)),
    GapKind("unassigned", "无责任单位", "names no unit at all",
            lambda f: not f.units),
    GapKind("no_deadline", "无完成时限", "gives no time limit",
            lambda f: f.deadlines == 0),
    GapKind("deadline_passed", "已过时限", "has a dated time limit before the as-of date (default today)",
            None),
    GapKind("deliverable_no_deadline", "制定文件无时限",
            "is to produce a document (出台《…办法》) but gives no time limit",
            lambda f: f.produces > 0 and f.deadlines == 0),
    GapKind("unresolved_citation", "引用无法识别",
            "cites a title that is neither a known statute nor of a recognisable form", None),
    GapKind("not_taken_up", "上级任务未承接",
            "a task of an upper plan that a lower plan in the selection, linked with it (plangraph link A B, "
            "or B implements A), has no counterpart for: the lower plan's gap", None),
)



def derived(table: Sequence[GapKind]) -> dict[str, object]:
    """The lists every other module reads, made from the table (module attributes below;
    the stores read them when they run, so a test can give the table another row)."""
    return {
        "GAPS": {k.name: k for k in table},
        "GAP_KINDS": tuple(k.name for k in table),  # every kind, in table order
        "STATIC_GAP_KINDS": tuple(k.name for k in table if k.static),  # stored as flags
        "GAP_LABELS": {k.name: k.zh for k in table},
        "KIND_DESCRIPTIONS": {k.name: k.description for k in table},
    }


_lists = derived(GAP_TABLE)
GAPS: dict[str, GapKind] = _lists["GAPS"]  # type: ignore[assignment]
GAP_KINDS: tuple[str, ...] = _lists["GAP_KINDS"]  # type: ignore[assignment]
STATIC_GAP_KINDS: tuple[str, ...] = _lists["STATIC_GAP_KINDS"]  # type: ignore[assignment]
GAP_LABELS: dict[str, str] = _lists["GAP_LABELS"]  # type: ignore[assignment]
KIND_DESCRIPTIONS: dict[str, str] = _lists["KIND_DESCRIPTIONS"]  # type: ignore[assignment]


def static_gaps(facts: TaskFacts) -> dict[str, bool]:
    """Static kind -> whether the task has that gap (both stores store these as flags)."""
    return {k: bool(GAPS[k].predicate(facts)) for k in STATIC_GAP_KINDS}


def gap_flag(kind: str) -> str:
    """The stored flag name of a static kind."""
    return GAPS[check_kind(kind)].flag


def check_kind(kind: str) -> str:
    if kind not in GAPS:
        raise StoreError(f"unknown gap kind: {kind!r} (use one of {', '.join(GAP_KINDS)})")
    return kind


def as_of_date(value: str | _dt.date | None) -> str:
    """An ISO date string for deadline_passed (default: today)."""
    if value is None:
        return _dt.date.today().isoformat()
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    try:
        return _dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise StoreError(f"not a date (want YYYY-MM-DD): {value!r}") from None


def find_gaps(store: "GraphStore", kinds: Sequence[str] | None = None,
              as_of: str | _dt.date | None = None,
              document_ids: Sequence[str] | None = None,
              limit: int | None = None, offset: int = 0) -> dict[str, list["TaskRow"]]:
    """Kind -> tasks with that gap (kinds in table order, default all; as_of default
    today); one page of each list with limit/offset (store.gap_counts gives the totals)."""
    wanted = [check_kind(k) for k in (kinds or GAP_KINDS)]
    day = as_of_date(as_of)
    return {k: store.orphans(k, as_of=day, document_ids=document_ids, limit=limit, offset=offset)
            for k in GAP_KINDS if k in wanted}


__all__ = ["GapKind", "TaskFacts", "GAP_TABLE", "derived", "GAPS", "GAP_KINDS", "STATIC_GAP_KINDS",
           "GAP_LABELS", "KIND_DESCRIPTIONS", "CARRYING_OUT", "static_gaps", "gap_flag", "check_kind",
           "as_of_date", "find_gaps"]
