"""The records a comparison reads (graph.compare.Plan), from a store or from an extraction.

    plan_from_store(store, "10_jinan_…")   # documents(), tasks(), key_terms(): the query API only
    plans_from_store(store, store.documents())   # many plans in one read, for linking them
    comparison_from_store(store, a, b)     # stored links (plangraph link) when there are, else computed
    plan_from_extraction(extract_file(path))

Both give the same Plan for the same document: unit names canonical and ordered by first
mention per role (graph.records.ordered_units), cited titles one per regulation in order of
first citation, basis before produces (graph.records.ordered_citations).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from plangraph.graph.compare import (DEFAULT_SETTINGS, CompareSettings, Comparison, Plan, PlanTask, compare_plans,
                           stored_comparison)
from plangraph.graph.compare_text import extraction_task_terms
from plangraph.graph.records import ROLE_TYPES, ROLES, ordered_citations, ordered_units, regulation_key, task_key, unit_key
from plangraph.graph.rows import ComparedRow, DocumentSummary, TaskRow
from plangraph.graph.store import GraphStore, StoreError
from plangraph.ingest.model import Extraction
from plangraph.ingest.units import document_region

TASK_NODE = "Task:"  # GraphStore.to_networkx node ids are '<Label>:<key>'


def _one_per_regulation(titles: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for t in titles:
        seen.setdefault(regulation_key(t) or t, t)
    return tuple(seen.values())


def unit_mentions(store: GraphStore, document_id: str) -> dict[str, list[tuple[int, int]]]:
    """Task key -> (start, end) in the document text of each unit mention, from the
    document's subgraph in one call (units_of_task would be one Neo4j round trip per task)."""
    roles = set(ROLE_TYPES.values())
    out: dict[str, list[tuple[int, int]]] = {}
    for _unit, task, edge in store.to_networkx([document_id]).edges(data=True):
        if edge.get("type") in roles and task.startswith(TASK_NODE):
            out.setdefault(task[len(TASK_NODE):], []).append((int(edge["start"]), int(edge["end"])))
    return out


def plan_task(row: TaskRow, unit_spans: Sequence[tuple[int, int]] = (),
              terms: Sequence[str] | None = None) -> PlanTask:
    """A stored task as a comparison reads it (unit_spans: offsets into its text of its unit
    mentions, left out of its key terms; not needed when its key terms are known: `terms`)."""
    return PlanTask(task_id=row.task_id, heading=row.heading, text=row.text, section_title=row.section_title,
                    lead=tuple(row.lead), participants=tuple(row.participants), responsible=tuple(row.responsible),
                    citations=_one_per_regulation(row.basis + row.produces), deadlines=tuple(row.deadlines),
                    unit_spans=tuple(sorted(unit_spans)), terms=None if terms is None else tuple(terms))


def plan_from_store(store: GraphStore, document_id: str) -> Plan:
    """The stored document's tasks, with the key terms stored with them (so a comparison cuts
    no text) unless they were cut by other rules than today's: then with the offsets of their
    unit mentions, to cut them again. StoreError (one line) when the store does not hold it."""
    found = store.documents([document_id])
    if not found:
        raise StoreError(f"no document {document_id!r} in the store (see `plangraph documents`)")
    doc = found[0]
    rows = store.tasks([document_id])
    stored = store.key_terms([document_id]).get(document_id)
    if stored is not None and len(stored) == len(rows):
        tasks = [plan_task(row, terms=terms) for row, terms in zip(rows, stored)]
    else:
        mentions = unit_mentions(store, document_id)
        tasks = [plan_task(row, [(s - row.start, e - row.start)
                                 for s, e in mentions.get(task_key(document_id, row.task_id), ())]) for row in rows]
    return Plan(document_id, doc.title, document_region(doc.issuer, doc.title), tuple(tasks))


def plans_from_store(store: GraphStore, documents: Sequence[DocumentSummary]) -> list[Plan]:
    """These stored documents' plans in one read of their tasks, without the unit mentions'
    offsets (linking many plans reads the key terms stored with the tasks instead)."""
    by_doc: dict[str, list[PlanTask]] = {d.document_id: [] for d in documents}
    for row in store.tasks(list(by_doc)):
        by_doc[row.document_id].append(plan_task(row))
    return [Plan(d.document_id, d.title, document_region(d.issuer, d.title), tuple(by_doc[d.document_id]))
            for d in documents]


def comparison_from_store(store: GraphStore, a: str, b: str, mode: str = "one-to-one",
                          settings: CompareSettings = DEFAULT_SETTINGS) -> tuple[Comparison, ComparedRow | None]:
    """The comparison of stored documents a and b: from their stored links when `plangraph
    link` linked B against A in this mode (and the linked pair, to say so), else computed now."""
    plan_a, plan_b = plan_from_store(store, a), plan_from_store(store, b)
    linked = next((c for c in store.compared([a, b]) if (c.a, c.b) == (a, b) and c.mode == mode), None)
    if linked is None:
        return compare_plans(plan_a, plan_b, mode, settings), None
    settings = dataclasses.replace(settings, min_score=linked.min_score)
    return stored_comparison(plan_a, plan_b, mode, store.matches(a=a, b=b), settings), linked


def plan_from_extraction(extraction: Extraction) -> Plan:
    """An extraction's tasks, as the store would give them back after ingesting it."""
    info = extraction.document
    tasks = []
    for t in extraction.tasks:
        assignments = [a for a in t.assignments if a.role in ROLES and unit_key(a.canonical or a.unit)]
        units = ordered_units([(unit_key(a.canonical or a.unit), a.role, a.start) for a in assignments])
        cites = ordered_citations([(regulation_key(c.title), c.title, c.relation if c.relation == "produces"
                                    else "basis", c.start) for c in t.citations if regulation_key(c.title)])
        tasks.append(PlanTask(task_id=t.id, heading=t.heading or "", text=t.text or "",
                              section_title=t.section_title or "", lead=tuple(units["lead"]),
                              participants=tuple(units["participant"]), responsible=tuple(units["responsible"]),
                              citations=_one_per_regulation(cites["basis"] + cites["produces"]),
                              deadlines=tuple(t.deadlines),
                              unit_spans=tuple(sorted((a.start - t.start, a.end - t.start) for a in assignments)),
                              terms=tuple(extraction_task_terms(extraction, t, [(a.start, a.end) for a in assignments]))))
    return Plan(info.id, info.title or "", document_region(info.issuer, info.title), tuple(tasks))
