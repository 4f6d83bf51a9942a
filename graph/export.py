"""Export a store's graph: GraphML, JSON (nodes/edges), or the 任务分工表 as CSV or XLSX.

All read through the GraphStore API, so they work the same on both stores.

GraphML is written for the tools that read it (Gephi, igraph, networkx): each node's `label`
is what a person calls it (the unit's name, the task's heading, the document's or
regulation's title), its kind (Document, Section, Task, Unit, Regulation) is `node_type`,
and no attribute is named `id` (igraph takes such an attribute over the node ids): a
node's own `id` property is written as document_id / section_id / task_id.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

    from plangraph.graph.store import GraphStore

EXPORT_FORMATS = ("graphml", "csv", "xlsx", "json")
CSV_HEADER = ["文件", "任务编号", "序号", "任务", "牵头单位", "参加单位", "责任单位", "指导单位", "完成时限", "法律依据",
              "制定文件", "任务内容"]
JOIN = "、"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would run as a formula
XLSX_WIDTHS = {"文件": 18, "任务编号": 10, "序号": 6, "任务": 28, "牵头单位": 24, "参加单位": 24,
               "责任单位": 24, "指导单位": 20, "完成时限": 12, "法律依据": 28, "制定文件": 28, "任务内容": 80}


def _scalar(value: Any) -> Any:
    """GraphML takes scalars only: lists become JSON text, None becomes ''."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


# A node's display name: the first of these properties that is set, per node type.
DISPLAY = {"Document": ("title", "id"), "Section": ("title", "id"), "Task": ("heading", "id"),
           "Unit": ("name",), "Regulation": ("canonical_title", "key")}
OWN_ID = {"Document": "document_id", "Section": "section_id", "Task": "task_id"}  # a node's `id` property


def graphml_node(attrs: dict[str, Any]) -> dict[str, Any]:
    """A node's GraphML attributes: display name as `label`, kind as `node_type`, `id` renamed."""
    kind = attrs.get("label", "")
    out = {k: _scalar(v) for k, v in attrs.items() if k not in ("label", "id")}
    if "id" in attrs:
        out[OWN_ID.get(kind, f"{kind.lower()}_id")] = _scalar(attrs["id"])
    out["node_type"] = kind
    out["label"] = next((str(attrs[k]) for k in DISPLAY.get(kind, ()) if attrs.get(k)), "")
    return out


def graphml_graph(store: GraphStore, document_ids: Sequence[str] | None = None) -> "nx.MultiDiGraph":
    import networkx as nx
    g = store.to_networkx(document_ids)
    out = nx.MultiDiGraph()
    for n, attrs in sorted(g.nodes(data=True), key=lambda x: x[0]):
        out.add_node(n, **graphml_node(attrs))
    for u, v, attrs in sorted(g.edges(data=True), key=lambda e: (e[0], e[1], json.dumps(e[2], sort_keys=True, ensure_ascii=False))):
        out.add_edge(u, v, **{k: _scalar(x) for k, x in attrs.items()})
    return out


def export_graphml(store: GraphStore, fh: IO[bytes], document_ids: Sequence[str] | None = None) -> None:
    import networkx as nx
    nx.write_graphml(graphml_graph(store, document_ids), fh, encoding="utf-8")


def graph_json(store: GraphStore, document_ids: Sequence[str] | None = None) -> dict[str, Any]:
    """{"format", "nodes": [{id, label, properties}], "edges": [{source, target, type, properties}]}."""
    g = store.to_networkx(document_ids)
    nodes = [{"id": n, "label": a.get("label"), "properties": {k: v for k, v in a.items() if k != "label"}}
             for n, a in sorted(g.nodes(data=True), key=lambda x: x[0])]
    edges = [{"source": u, "target": v, "type": a.get("type"),
              "properties": {k: x for k, x in a.items() if k != "type"}}
             for u, v, a in g.edges(data=True)]
    edges.sort(key=lambda e: (e["source"], e["target"], e["type"] or "",
                              json.dumps(e["properties"], sort_keys=True, ensure_ascii=False)))
    return {"format": "plangraph.graph-export/1", "nodes": nodes, "edges": edges}


def export_json(store: GraphStore, fh: IO[str], document_ids: Sequence[str] | None = None) -> None:
    json.dump(graph_json(store, document_ids), fh, ensure_ascii=False, indent=1)
    fh.write("\n")


def division_table(store: GraphStore, document_ids: Sequence[str] | None = None,
                   limit: int | None = None, offset: int = 0) -> list[list[str]]:
    """The 任务分工表 rows (without header), one per task, in document order (a page of
    them with limit/offset, as GraphStore.tasks)."""
    rows = []
    for t in store.tasks(document_ids, limit=limit, offset=offset):
        deadlines = JOIN.join(d.text for d in t.deadlines)
        rows.append([t.document_id, t.task_id, "" if t.number is None else str(t.number), t.heading,
                     JOIN.join(t.lead), JOIN.join(t.participants), JOIN.join(t.responsible), JOIN.join(t.guides),
                     deadlines,
                     JOIN.join(f"《{x}》" for x in t.basis), JOIN.join(f"《{x}》" for x in t.produces), t.text.strip()])
    return rows


def _inert(cell: str) -> str:
    """Document text is data: a cell that starts like a formula gets a leading apostrophe,
    which spreadsheets show as text instead of running it."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def write_csv(fh: IO[str], header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A sheet as CSV, every cell inert (see `_inert`); write it with encoding utf-8-sig for Excel."""
    w = csv.writer(fh)
    w.writerow(header)
    w.writerows([_inert(cell) for cell in row] for row in rows)


def write_xlsx(fh: IO[bytes], title: str, header: Sequence[str], rows: Sequence[Sequence[str]],
               widths: dict[str, int]) -> None:
    """A sheet as an Excel workbook: bold frozen header, wrapped text, every cell a string
    cell (never a formula), column widths by header name (default 16)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for cells in ws.iter_rows():
        for cell in cells:
            cell.data_type = "s"  # "=…" stays text
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = widths.get(name, 16)
    ws.freeze_panes = "A2"
    wb.save(fh)


def export_csv(store: GraphStore, fh: IO[str], document_ids: Sequence[str] | None = None) -> None:
    """UTF-8 CSV; write with encoding utf-8-sig for Excel."""
    write_csv(fh, CSV_HEADER, division_table(store, document_ids))


def export_xlsx(store: GraphStore, fh: IO[bytes], document_ids: Sequence[str] | None = None) -> None:
    """The 任务分工表 as an Excel workbook; every cell is a string cell, never a formula."""
    write_xlsx(fh, "任务分工表", CSV_HEADER, division_table(store, document_ids), XLSX_WIDTHS)


def export(store: GraphStore, fmt: str, document_ids: Sequence[str] | None = None) -> bytes:
    """The export as bytes (CSV with a BOM so Excel reads it as UTF-8)."""
    if fmt in ("graphml", "xlsx"):
        buf = io.BytesIO()
        (export_graphml if fmt == "graphml" else export_xlsx)(store, buf, document_ids)
        return buf.getvalue()
    text = io.StringIO()
    if fmt == "json":
        export_json(store, text, document_ids)
        return text.getvalue().encode("utf-8")
    if fmt == "csv":
        export_csv(store, text, document_ids)
        return text.getvalue().encode("utf-8-sig")
    raise ValueError(f"unknown export format: {fmt!r}")
