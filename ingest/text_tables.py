"""Task-division tables inside plain text: rows of tab-separated cells under a header.

Saved web pages often reach us with table cells turned into tabs ("序号\\t工作任务\\t牵头单位
\\t配合单位\\t完成时限"). Such a row is a task; its unit columns are responsibility clauses
with the role of their column. Cells keep their offsets in the text, so nothing is rewritten
(the .docx/.html/.pdf readers turn their tables into text lines instead, see
ingest/formats/tables.py, whose header rules this module shares).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.clauses import Clause, UnitAssignment, looks_like_unit, split_units
from ingest.clean import Line
from ingest.formats.tables import header_roles
from ingest.model import ROLES
from ingest.numbering import Label
from ingest.units import is_collective

SEQ_CELL = re.compile(r"^\s*(\d{1,4})\s*[.．、]?\s*$")


@dataclass
class TextTable:
    labels: list[Label]  # one per data row, style "table_row"
    clauses: list[Clause]  # one per non-empty unit cell


def _cells(line: Line) -> list[tuple[int, int]]:
    """Cell spans of a tab-separated line, in document offsets."""
    spans, start = [], line.start
    for part in line.text.split("\t"):
        spans.append((start, start + len(part)))
        start += len(part) + 1
    return spans


def find_text_tables(text: str, lines: list[Line]) -> TextTable:
    """Rows of every tab-separated task table (a header with a task column and unit columns)."""
    found = TextTable([], [])
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
    label = Label("table_row", number, cells[first].strip() if seq else "", start, label_end, strict=False)
    found.labels.append(label)
    for (s, e), role in zip(spans, roles):
        if role not in ROLES or not text[s:e].strip():
            continue
        assignments = [UnitAssignment(unit=u, mention=text[us:ue], role=role,
                                      collective=is_collective(u), start=us, end=ue)
                       for u, us, ue in split_units(text, s, e) if looks_like_unit(u)]
        if assignments:
            found.clauses.append(Clause(s, e, assignments))
