"""Task-division tables inside plain text, in the two shapes saved pages give them.

- Tab-separated rows under a header ("序号\\t工作任务\\t牵头单位\\t配合单位\\t完成时限"):
  cells turned into tabs.
- One cell per line or paragraph: ingest/cell_tables.py.

A row is a task; its unit cells are responsibility statements with the role of their column.
Cells keep their offsets in the text, so nothing is rewritten (the .docx/.html/.pdf readers
turn their tables into text lines instead, see ingest/formats/tables.py, whose header rules
this module shares). Each table's header is a place where the numbering may start afresh
(`TextTable.headers`): rows printed after the plan body do not nest under its last item.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from plangraph.ingest.clauses import Clause, UnitAssignment, looks_like_unit, split_units
from plangraph.ingest.clean import Line
from plangraph.ingest.formats.tables import header_roles
from plangraph.ingest.model import ROLES
from plangraph.ingest.cell_tables import find_cell_tables
from plangraph.ingest.numbering import TABLE_ROW, Label
from plangraph.ingest.units import is_collective

SEQ_CELL = re.compile(r"^\s*(\d{1,4})\s*[.．、]?\s*$")




@dataclass
class TextTable:
    labels: list[Label] = field(default_factory=list)  # one per data row, style "table_row"
    clauses: list[Clause] = field(default_factory=list)  # one per non-empty unit cell
    headers: list[int] = field(default_factory=list)  # offset of each table's header line
    unit_cells: list[tuple[int, int]] = field(default_factory=list)  # every non-empty cell of a unit column
    spans: list[tuple[int, int]] = field(default_factory=list)  # rows of one-cell-per-line tables: no other labels


def _cells(line: Line) -> list[tuple[int, int]]:
    """Cell spans of a tab-separated line, in document offsets."""
    spans, start = [], line.start
    for part in line.text.split("\t"):
        spans.append((start, start + len(part)))
        start += len(part) + 1
    return spans


def find_text_tables(text: str, lines: list[Line]) -> TextTable:
    """Rows, statements and headers of every task table in the text, in both shapes."""
    found = find_tab_tables(text, lines)
    for table in find_cell_tables(text, lines):
        found.labels += table.rows
        found.headers.append(table.header_start)
        found.spans.append((table.header_start, table.end))
        for s, e, role in table.unit_cells:
            found.unit_cells.append((s, e))
            _add_unit_cell(text, s, e, role, found)
    found.labels.sort(key=lambda lab: lab.start)
    found.clauses.sort(key=lambda c: c.start)
    found.headers.sort()
    found.unit_cells.sort()
    return found


def find_tab_tables(text: str, lines: list[Line]) -> TextTable:
    """Rows of every tab-separated task table (a header with a task column and unit columns)."""
    found = TextTable()
    roles: list[str] | None = None
    for line in lines:
        if not line.text.strip():
            continue  # blank lines between rows do not end a table
        if line.junk is not None or "\t" not in line.text:
            roles = None
            continue
        if "\t" not in line.text.strip("\t "):
            continue  # one cell across the row (a section heading such as "\t一、…方面"): the table goes on
        spans = _cells(line)
        cells = [text[s:e] for s, e in spans]
        header = header_roles(cells)
        if header is not None:
            if roles is None:
                found.headers.append(line.start)
            roles = header
            continue
        if roles is None or len(cells) < 2:
            continue
        _add_row(text, spans, cells, roles, found)
    return found


def _add_row(text: str, spans: list[tuple[int, int]], cells: list[str], roles: list[str], found: TextTable) -> None:
    first = next((i for i, c in enumerate(cells) if c.strip()), None)
    if first is None:
        return
    seq = SEQ_CELL.match(cells[first])
    number = int(seq.group(1)) if seq else len(found.labels) + 1
    start = spans[first][0] + (len(cells[first]) - len(cells[first].lstrip())) if seq else spans[first][0]
    label_end = spans[first][1] if seq else spans[first][0]
    label = Label(TABLE_ROW, number, cells[first].strip() if seq else "", start, label_end, strict=False)
    found.labels.append(label)
    for (s, e), role in zip(spans, roles):
        if role in ROLES and text[s:e].strip():
            found.unit_cells.append((s, e))
            _add_unit_cell(text, s, e, role, found)


def _add_unit_cell(text: str, s: int, e: int, role: str, found: TextTable) -> bool:
    """The cell text[s:e] of a `role` column as a statement; False when it names no unit."""
    if role not in ROLES or not text[s:e].strip():
        return False
    assignments = [UnitAssignment(unit=u, mention=text[us:ue], role=role, collective=is_collective(u),
                                  start=us, end=ue)
                   for u, us, ue in split_units(text, s, e) if looks_like_unit(u)]
    if assignments:
        found.clauses.append(Clause(s, e, assignments))
    return bool(assignments)
