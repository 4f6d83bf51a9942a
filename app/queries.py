"""The pages' data: which store, and every question they ask it, cached.

Pages ask through these functions only; extraction and Cypher stay behind `ingest.batch`
and the `graph.store` query API.

Caching: the open store is a `st.cache_resource` keyed by (store kind, home); answers are
`st.cache_data` keyed by (store kind, home, store version, question, arguments), where the
version is `GraphStore.version()`: it changes with every write, by this app or by another
process (the embedded file's stamp, Neo4j's change counter).

Scale: a province's plans have tens of thousands of tasks, so pages ask for counts
(`documents`, `gap_counts`, `workload`) and one page of rows at a time, never for every
task of the selection.
"""
from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from plangraph.graph import export as graph_export
from plangraph.graph.rows import CoEdge, DocumentSummary, FindingRow, RegulationRow, TaskCitation, TaskRow, UnitRole, UnitWorkload
from plangraph.graph.store import STORE_KINDS, GraphStore, default_home, open_store
from plangraph.ingest.units import kind_label


@dataclass(frozen=True)
class Selection:
    """What the sidebar chose: store kind, home, documents (None: all) and the store version."""
    kind: str
    home: str
    docs: tuple[str, ...] | None
    version: str

    @property
    def document_ids(self) -> list[str] | None:
        return None if self.docs is None else list(self.docs)


def default_store_kind() -> str:
    """PLANGRAPH_STORE (set by `plangraph app --store`), else the embedded store."""
    kind = os.environ.get("PLANGRAPH_STORE", "embedded").strip() or "embedded"
    return kind if kind in STORE_KINDS else "embedded"


def home_dir() -> str:
    """The embedded store's folder: PLANGRAPH_HOME, else ~/.local/share/plangraph."""
    return str(default_home())


@st.cache_resource(show_spinner=False)
def get_store(kind: str, home: str) -> GraphStore:
    """One open store per (kind, home) for the whole server; Neo4j is pinged once here."""
    store = open_store(kind, home)
    store.ping()
    return store


def store_version(kind: str, home: str) -> str:
    """A cache key that changes when the store's content may have changed."""
    return get_store(kind, home).version()


# ---------------------------------------------------------------- the query cache


@st.cache_data(show_spinner=False, max_entries=64)
def documents_all(kind: str, home: str, version: str) -> list[DocumentSummary]:
    """Every stored document (the sidebar's list)."""
    return get_store(kind, home).documents()


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def _query(kind: str, home: str, version: str, method: str, args: tuple, kwargs: tuple) -> Any:
    return getattr(get_store(kind, home), method)(*args, **dict(kwargs))


def _ask(sel: Selection, method: str, *args: Any, **kwargs: Any) -> Any:
    """Run one query API method, cached by store, version, documents and arguments."""
    return _query(sel.kind, sel.home, sel.version, method, args, tuple(sorted(kwargs.items())))


def documents(sel: Selection) -> list[DocumentSummary]:
    return _ask(sel, "documents", document_ids=sel.document_ids)


def task_count(sel: Selection) -> int:
    return sum(d.tasks for d in documents(sel))


def document_tasks(sel: Selection, document_id: str) -> list[TaskRow]:
    """Every task of one document (a plan has tens to a few hundred)."""
    return _ask(sel, "tasks", document_ids=[document_id])


def document_text(sel: Selection, document_id: str) -> str | None:
    """The document's whole source text (offsets of its rows point into it); None if not stored."""
    return _ask(sel, "document_text", document_id)


def units_of_task(sel: Selection, document_id: str, task_id: str) -> list[UnitRole]:
    return _ask(sel, "units_of_task", document_id, task_id)


def tasks_of_unit(sel: Selection, unit: str, roles: Sequence[str] | None = None,
                  limit: int | None = None, offset: int = 0) -> list[TaskRow]:
    return _ask(sel, "tasks_of_unit", unit, roles=None if roles is None else list(roles),
                document_ids=sel.document_ids, limit=limit, offset=offset)


def workload(sel: Selection) -> list[UnitWorkload]:
    return _ask(sel, "workload", document_ids=sel.document_ids)


def co_responsibility(sel: Selection, include_collective: bool = True, min_weight: int = 1) -> list[CoEdge]:
    return _ask(sel, "co_responsibility", document_ids=sel.document_ids,
                include_collective=include_collective, min_weight=min_weight)


def regulations(sel: Selection, title_contains: str | None = None) -> list[RegulationRow]:
    return _ask(sel, "regulations", title_contains=title_contains or None, document_ids=sel.document_ids)


def tasks_citing(sel: Selection, regulation: str, relation: str | None = None) -> list[TaskCitation]:
    return _ask(sel, "tasks_citing", regulation, relation=relation, document_ids=sel.document_ids)


def gap_tasks(sel: Selection, kind: str, as_of: _dt.date | str | None = None,
              limit: int | None = None, offset: int = 0) -> list[TaskRow]:
    """The selection's tasks with a gap of `kind` (graph.gaps), as of a day (default today)."""
    return _ask(sel, "orphans", kind, as_of=str(as_of or _dt.date.today()), document_ids=sel.document_ids,
                limit=limit, offset=offset)


def gap_counts(sel: Selection, as_of: _dt.date | str | None = None) -> dict[str, int]:
    """Kind -> how many tasks of the selection have that gap."""
    return _ask(sel, "gap_counts", as_of=str(as_of or _dt.date.today()), document_ids=sel.document_ids)


def findings(sel: Selection, kinds: Sequence[str] | None = None, limit: int | None = None,
             offset: int = 0) -> list[FindingRow]:
    """What the extractor could not read in the selection (ingest/review.py), one page."""
    return _ask(sel, "findings", document_ids=sel.document_ids, kinds=None if kinds is None else list(kinds),
                limit=limit, offset=offset)


def findings_of_task(sel: Selection, document_id: str, task_id: str) -> list[FindingRow]:
    return _ask(sel, "findings_of_task", document_id, task_id)


def finding_counts(sel: Selection) -> dict[str, dict[str, int]]:
    """Document -> kind -> findings, for the selected documents whose findings are stored."""
    return _ask(sel, "finding_counts", document_ids=sel.document_ids)


def task_citations(sel: Selection, row: TaskRow) -> list[TaskCitation]:
    """Every citation inside one task, with offsets (via tasks_citing per cited title)."""
    out: dict[tuple, TaskCitation] = {}
    for title in dict.fromkeys(row.basis + row.produces):
        for c in tasks_citing(sel, title):
            if c.task.document_id == row.document_id and c.task.task_id == row.task_id:
                out[(c.start, c.end, c.relation)] = c
    return sorted(out.values(), key=lambda c: (c.start, c.end))


def related_tasks(sel: Selection, row: TaskRow, units: Sequence[UnitRole],
                  limit: int = 10) -> list[tuple[TaskRow, list[str], list[str]]]:
    """Tasks sharing a specific (non-collective) unit or a cited regulation with `row`:
    (task, shared units, shared regulations), most shared first."""
    own = (row.document_id, row.task_id)
    found: dict[tuple[str, str], TaskRow] = {}
    shared_units: dict[tuple[str, str], list[str]] = {}
    shared_regs: dict[tuple[str, str], list[str]] = {}
    for name in dict.fromkeys(u.unit for u in units if not u.collective):
        for t in tasks_of_unit(sel, name):
            k = (t.document_id, t.task_id)
            if k != own:
                found[k] = t
                shared_units.setdefault(k, []).append(name)
    for title in dict.fromkeys(row.basis + row.produces):
        for c in tasks_citing(sel, title):
            k = (c.task.document_id, c.task.task_id)
            if k != own:
                found[k] = c.task
                if title not in shared_regs.setdefault(k, []):
                    shared_regs[k].append(title)
    order = sorted(found, key=lambda k: (-(len(shared_units.get(k, [])) + len(shared_regs.get(k, []))),
                                         found[k].document_id, found[k].ordinal))
    return [(found[k], shared_units.get(k, []), shared_regs.get(k, [])) for k in order[:limit]]


def units_by_lead(load: Sequence[UnitWorkload]) -> list[UnitWorkload]:
    """The rows of `load` as the units page lists their units: most led tasks first, then
    most tasks, then by name (the first is the one it opens with)."""
    return sorted(load, key=lambda w: (-w.lead, -w.total, w.unit))


def unit_info(sel: Selection) -> dict[str, dict[str, Any]]:
    """Unit -> {kind, kind_label, level, collective}, as the graph holds them."""
    return units_info(workload(sel))


def units_info(load: Sequence[UnitWorkload]) -> dict[str, dict[str, Any]]:
    """unit_info from workload rows (a unit stored without a kind label gets its kind's)."""
    return {w.unit: {"kind": w.kind or "other", "kind_label": w.kind_label or kind_label(w.kind or "other"),
                     "level": w.level or "", "collective": bool(w.collective)}
            for w in load}


# ---------------------------------------------------------------- files, made when asked


@st.cache_data(show_spinner=False, max_entries=32)
def _export(kind: str, home: str, version: str, docs: tuple[str, ...] | None, fmt: str) -> bytes:
    return graph_export.export(get_store(kind, home), fmt, None if docs is None else list(docs))


def export_bytes(sel: Selection, fmt: str) -> bytes:
    """csv (任务分工表, UTF-8 with BOM), xlsx (the same table) or graphml (for Gephi)."""
    return _export(sel.kind, sel.home, sel.version, sel.docs, fmt)


@st.cache_data(show_spinner=False, max_entries=64)
def _division_rows(kind: str, home: str, version: str, docs: tuple[str, ...] | None, limit: int | None,
                   offset: int) -> list[list[str]]:
    return graph_export.division_table(get_store(kind, home), None if docs is None else list(docs), limit, offset)


def division_rows(sel: Selection, limit: int | None = None, offset: int = 0) -> list[list[str]]:
    """Rows of the 任务分工表 (graph.export.CSV_HEADER's columns); a page of them."""
    return _division_rows(sel.kind, sel.home, sel.version, sel.docs, limit, offset)


# ---------------------------------------------------------------- comparison


@st.cache_data(show_spinner=False, max_entries=32)
def _comparison(kind: str, home: str, version: str, a: str, b: str, mode: str):
    from plangraph.graph.compare_input import comparison_from_store
    return comparison_from_store(get_store(kind, home), a, b, mode)


def comparison(sel: Selection, a: str, b: str, mode: str):
    """(graph.compare.Comparison of documents a (upper or earlier) and b, the stored linked
    pair it was read from or None): the links `plangraph link` stored, else made when first asked."""
    return _comparison(sel.kind, sel.home, sel.version, a, b, mode)


@st.cache_data(show_spinner=False, max_entries=32)
def _comparison_sheet(kind: str, home: str, version: str, a: str, b: str, mode: str, fmt: str) -> bytes:
    from plangraph.graph.compare_sheet import sheet_bytes
    return sheet_bytes(_comparison(kind, home, version, a, b, mode)[0], fmt)


def comparison_sheet(sel: Selection, a: str, b: str, mode: str, fmt: str) -> bytes:
    """The 对标对表 sheet of that comparison: csv (UTF-8 with BOM) or xlsx."""
    return _comparison_sheet(sel.kind, sel.home, sel.version, a, b, mode, fmt)


@st.cache_data(show_spinner=False, max_entries=64)
def _implemented_plans(kind: str, home: str, version: str, document_id: str):
    return [r for r in get_store(kind, home).implements([document_id]) if r.document_id == document_id]


def implemented_plans(sel: Selection, document_id: str):
    """The stored plans a document cites as its basis (为贯彻落实《…》): its IMPLEMENTS edges
    (graph.rows.ImplementsRow)."""
    return _implemented_plans(sel.kind, sel.home, sel.version, document_id)
