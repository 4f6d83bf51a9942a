"""Task-division tables inside plain text, in the two shapes saved pages give them.

- Tab-separated rows under a header ("序号\\t工作任务\\t牵头单位\\t配合单位\\t完成时限"):
  cells turned into tabs.
- One cell per line: a header of short lines (任务类型 / 序号 / 工作任务 / 推进单位), then per
  row a line holding only its number followed by its cells, one per line. A cell merged over
  several rows stands only under the first of them (SCHEMA.md: it counts for that row only).

A row is a task; its unit cells are responsibility statements with the role of their column.
Cells keep their offsets in the text, so nothing is rewritten (the .docx/.html/.pdf readers
turn their tables into text lines instead, see ingest/formats/tables.py, whose header rules
this module shares). Each table's header is a place where the numbering may start afresh
(`TextTable.headers`): rows printed after the plan body do not nest under its last item.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.clauses import Clause, UnitAssignment, looks_like_unit, split_units
from ingest.clean import Line
from ingest.formats.tables import column_role, header_roles
from ingest.model import ROLES
from ingest.numbering import TABLE_ROW, Label, starts_numbered
from ingest.units import is_collective

SEQ_CELL = re.compile(r"^\s*(\d{1,4})\s*[.．、]?\s*$")


# A header of one cell per line: at least this many short lines, each at most this long.
MIN_HEADER_CELLS = 3
MAX_HEADER_CELL = 12


@dataclass
class TextTable:
    labels: list[Label] = field(default_factory=list)  # one per data row, style "table_row"
    clauses: list[Clause] = field(default_factory=list)  # one per non-empty unit cell
    headers: list[int] = field(default_factory=list)  # offset of each table's header line
    unit_cells: list[tuple[int, int]] = field(default_factory=list)  # every non-empty cell of a unit column


def _cells(line: Line) -> list[tuple[int, int]]:
    """Cell spans of a tab-separated line, in document offsets."""
    spans, start = [], line.start
    for part in line.text.split("\t"):
        spans.append((start, start + len(part)))
        start += len(part) + 1
    return spans


def find_text_tables(text: str, lines: list[Line]) -> TextTable:
    """Rows, statements and headers of every task table in the text, in both shapes."""
    tabs, cells = find_tab_tables(text, lines), find_cell_tables(text, lines)
    return TextTable(labels=sorted([*tabs.labels, *cells.labels], key=lambda lab: lab.start),
                     clauses=sorted([*tabs.clauses, *cells.clauses], key=lambda c: c.start),
                     headers=sorted([*tabs.headers, *cells.headers]),
                     unit_cells=sorted([*tabs.unit_cells, *cells.unit_cells]))


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


def find_cell_tables(text: str, lines: list[Line]) -> TextTable:
    """Tables written one cell per line (a flattened web table), see the module docstring."""
    found = TextTable()
    cells = [ln for ln in lines if ln.junk is None and ln.text.strip() and "\t" not in ln.text.strip()]
    i = 0
    while i < len(cells):
        roles = _header_at(cells, i)
        if roles is None:
            i += 1
            continue
        found.headers.append(cells[i].start)
        header = cells[i:i + len(roles)]
        body = cells[i + len(roles):]
        if all(b.start > a.end + 1 for a, b in zip(header, header[1:])):
            body = _paragraph_cells(text, body)  # cells set apart by blank lines may wrap
        read = _read_rows(text, body, 0, roles, found)
        i = len(cells) if read >= len(body) else cells.index(next(c for c in cells if c.start >= body[read].start))
    return found


def _paragraph_cells(text: str, lines: list[Line]) -> list[Line]:
    """Cells of a table whose cells are set apart by blank lines: a paragraph of several
    lines is one cell wrapped ("区建设管理委、区财政局、\\n区水务局"), unless it holds a row's
    number on a line of its own (rows written without blank lines): then each line is a cell."""
    out: list[Line] = []
    block: list[Line] = []
    for line in [*lines, None]:
        if line is not None and block and line.start == block[-1].end + 1:
            block.append(line)
            continue
        if block:
            if len(block) == 1 or any(SEQ_CELL.match(b.text) for b in block):
                out.extend(block)
            else:
                out.append(Line(block[0].start, block[-1].end, text[block[0].start:block[-1].end]))
        block = [line] if line is not None else []
    return out


def _header_at(cells: list[Line], i: int) -> list[str] | None:
    """Column roles if cells[i:] start with a header of one cell per line (with a 序号 column)."""
    run = []
    for line in cells[i:i + 10]:
        cell = line.text.strip()
        if len(cell) > MAX_HEADER_CELL or cell.endswith("。") or starts_numbered(cell):
            break
        run.append(cell)
    if not run or column_role(run[0]) == "other":
        return None
    for n in range(len(run), MIN_HEADER_CELLS - 1, -1):
        roles = header_roles(run[:n])
        if roles is not None and "seq" in roles and column_role(run[n - 1]) != "other":
            return roles
    return None


def _read_rows(text: str, cells: list[Line], i: int, roles: list[str], found: TextTable) -> int:
    """Rows from cells[i]: a line with only the next row number opens a row; the cells right of
    the 序号 column follow it. Returns where the table ends."""
    after = roles[roles.index("seq") + 1:]
    expected = 1
    pending = 0  # lines since the last row that were not its cells
    while i < len(cells):
        seq = SEQ_CELL.match(cells[i].text)
        if seq and int(seq.group(1)) == expected:
            line = cells[i]
            start = line.start + len(line.text) - len(line.text.lstrip())
            found.labels.append(Label(TABLE_ROW, expected, seq.group(1), start, line.end, strict=False))
            expected += 1
            i, pending = _read_row_cells(text, cells, i + 1, after, found), 0
            continue
        pending += 1
        if pending > len(roles) + 2:
            break  # the table has ended
        i += 1
    return i


def _read_row_cells(text: str, cells: list[Line], i: int, columns: list[str], found: TextTable) -> int:
    """The cells of one row, in the order of `columns`; a unit cell must name units (a merged
    cell is missing from the rows below its first)."""
    column = 0
    while i < len(cells) and column < len(columns) and not SEQ_CELL.match(cells[i].text):
        role = columns[column]
        line = cells[i]
        if role in ROLES:
            if not _add_unit_cell(text, line.start, line.end, role, found):
                break  # not units: a cell of the next row's left columns (a category)
            found.unit_cells.append((line.start, line.end))
        column += 1
        i += 1
    return i
