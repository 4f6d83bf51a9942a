"""The embedded store of PlanGraph before SQLite (``home/graph.json.gz``), read once to import it.

That file was a node/edge list: {"format": "plangraph.graph/2", "nodes": [[id, attrs]…],
"edges": [[from, to, attrs]…]}, node ids '<Label>:<key>', attrs the records' properties
plus `label` (nodes) or `type` (edges). `read_records` turns it back into one
graph.records.DocumentRecords per document, with what the records say about themselves
made again by today's rules (graph.records.complete_records: units per role, gap flags,
counts), so an imported document reads as if it had been ingested now.
"""
from __future__ import annotations

import gzip
import json
import zlib
from collections import defaultdict
from pathlib import Path
from typing import Any

from plangraph.graph.errors import StoreError
from plangraph.graph.records import (
    TYPE_ROLES,
    AssignmentRecord,
    CitationRecord,
    DocumentRecords,
    NodeRecord,
    TaskRecord,
    complete_records,
)

FILE_NAME = "graph.json.gz"
FORMAT_ID = "plangraph.graph/2"
_DERIVED_TASK = ("section_title", "lead", "participants", "responsible", "guides", "basis", "produces",
                 "deadline_first")


def read_records(path: Path) -> list[DocumentRecords]:
    """Every document of an old embedded store file; StoreError (one line) when it cannot be read."""
    try:
        data = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, EOFError, ValueError, zlib.error) as err:
        raise StoreError(f"cannot read the old graph file {path}: {err}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_ID:
        raise StoreError(f"{path} is not a graph file this PlanGraph can import (format "
                         f"{data.get('format') if isinstance(data, dict) else None!r}): ingest the plans again")
    try:
        return _records(data.get("nodes", []), data.get("edges", []))
    except (KeyError, TypeError, ValueError) as err:
        raise StoreError(f"cannot read the old graph file {path}: malformed ({err})") from None


def _records(nodes: list, edges: list) -> list[DocumentRecords]:
    attrs: dict[str, dict[str, Any]] = {}
    for node, a in nodes:
        attrs.setdefault(node, {}).update(a)

    def props(node: str) -> dict[str, Any]:
        return {k: v for k, v in attrs[node].items() if k != "label"}

    docs: dict[str, DocumentRecords] = {}
    for node, a in attrs.items():
        if a.get("label") == "Document":
            p = {k: v for k, v in props(node).items() if not k.startswith("n_") and k != "fingerprint"}
            docs[a["id"]] = DocumentRecords(document=NodeRecord(a["id"], p))
    parent: dict[str, str] = {}
    cites: list[tuple[str, str, dict]] = []
    roles: list[tuple[str, str, str, dict]] = []
    for u, v, e in edges:
        kind = e.get("type")
        if kind == "CONTAINS":
            parent[v] = u
        elif kind == "CITES":
            cites.append((u, v, {k: x for k, x in e.items() if k != "type"}))
        elif kind in TYPE_ROLES:
            roles.append((u, v, TYPE_ROLES[kind], {k: x for k, x in e.items() if k != "type"}))
    for node, a in attrs.items():
        label = a.get("label")
        if label == "Section":
            docs[a["document_id"]].sections.append(NodeRecord(a["key"], props(node)))
        elif label == "Task":
            p = {k: v for k, v in props(node).items() if k not in _DERIVED_TASK and not k.startswith("gap_")}
            up = parent.get(node, "")
            section = attrs[up]["key"] if attrs.get(up, {}).get("label") == "Section" else None
            docs[a["document_id"]].tasks.append(TaskRecord(a["key"], p, section_key=section))
    used_units: dict[str, set[str]] = defaultdict(set)
    used_regulations: dict[str, set[str]] = defaultdict(set)
    for u, v, role, e in roles:
        doc = e["document_id"]
        docs[doc].assignments.append(AssignmentRecord(attrs[u]["name"], attrs[v]["key"], role, e))
        used_units[doc].add(u)
    for u, v, e in cites:
        doc = e["document_id"]
        source = attrs[u]["key"] if attrs[u].get("label") == "Task" else None
        docs[doc].citations.append(CitationRecord(source, attrs[v]["key"], e))
        used_regulations[doc].add(v)
    out = []
    for doc_id, r in sorted(docs.items()):
        r.sections.sort(key=lambda s: s.props.get("ordinal", 0))
        r.tasks.sort(key=lambda t: t.props.get("ordinal", 0))
        order = {t.key: i for i, t in enumerate(r.tasks)}
        r.assignments.sort(key=lambda a: (order[a.task_key], a.props.get("start", 0), a.role, a.unit))
        r.citations.sort(key=lambda c: (c.source_key is None, order.get(c.source_key or "", 0), c.props.get("start", 0)))
        r.units = [NodeRecord(attrs[n]["name"], props(n)) for n in sorted(used_units[doc_id])]
        r.regulations = [NodeRecord(attrs[n]["key"], props(n)) for n in sorted(used_regulations[doc_id])]
        out.append(complete_records(r))
    return out


__all__ = ["FILE_NAME", "read_records"]
