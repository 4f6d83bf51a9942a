"""Gaps in a plan: tasks nobody clearly answers for, with no (or a passed) time limit, a
deliverable without a time limit, or a citation that resolves to nothing.

The definitions: the five kinds a task decides alone are `graph.model.static_gaps`,
stored on each Task as gap_<kind> flags at write time; deadline_passed compares the Task's
earliest dated limit (deadline_first) with the as-of date; unresolved_citation follows the
task's CITES edges to Regulations whose status is unknown. This module names the kinds
and runs several at once. Every kind
gives task rows (`TaskRow`): for the two citation kinds, the tasks whose produces /
cited titles show the gap (`TaskRow.produces`, `TaskRow.basis`; `GraphStore.deliverables`
lists the deliverables themselves).
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from graph.model import TaskRow
from graph.store import CITATION_GAP_KINDS, GAP_KINDS, ORPHAN_KINDS, GraphStore, as_of_date, check_kind

KIND_DESCRIPTIONS = {
    "no_lead": "has responsible units, but none leads (无牵头单位)",
    "collective_only": "only collective units answer for it, e.g. 各有关部门 (仅笼统主体)",
    "unassigned": "no unit at all (无责任单位)",
    "no_deadline": "no time limit in its text (无完成时限)",
    "deadline_passed": "a dated time limit before the as-of date (已过时限)",
    "deliverable_no_deadline": "is to produce a document (出台《…办法》) but has no time limit (制定文件无时限)",
    "unresolved_citation": "cites a title that is neither a known statute nor of a recognisable form "
                           "(引用无法识别)",
}
assert set(KIND_DESCRIPTIONS) == set(GAP_KINDS)


def find_gaps(store: GraphStore, kinds: Sequence[str] | None = None,
              as_of: str | _dt.date | None = None,
              document_ids: Sequence[str] | None = None,
              limit: int | None = None, offset: int = 0) -> dict[str, list[TaskRow]]:
    """Kind -> tasks with that gap (kinds in GAP_KINDS order, default all; as_of default
    today); one page of each list with limit/offset (store.gap_counts gives the totals)."""
    wanted = [check_kind(k) for k in (kinds or GAP_KINDS)]
    day = as_of_date(as_of)
    return {k: store.orphans(k, as_of=day, document_ids=document_ids, limit=limit, offset=offset)
            for k in GAP_KINDS if k in wanted}


__all__ = ["ORPHAN_KINDS", "CITATION_GAP_KINDS", "GAP_KINDS", "KIND_DESCRIPTIONS", "find_gaps"]
