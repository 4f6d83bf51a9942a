"""Task tables flattened to one cell per line (or per paragraph), as saved web pages give them.

A header of short lines names the columns (任务类型 / 序号 / 工作任务 / 牵头部门 / 配合部门 …; a
header word broken over two lines, 牵头 / 部门, is joined). A row opens with the line holding
only its number (the 序号 column), or, in a table without one, with the task cell that starts
with its number (（1）建设精品道路…). The cells after the opener belong to the columns right of
it, and the cells before the next opener to the next row's columns left of it (a category).

Cells merged over several rows stand only under the first row, so a row may have fewer cells
than columns, and a unit cell may come as several lines. Cells are therefore not counted off
left to right: each row's cells are aligned with the columns in order by what they look like
(a list of bodies, a date, text), the alignment that fits best (`align`). A unit cell gives a
statement with the role of its column; a cell merged away gives nothing (SCHEMA.md: a merged
cell counts only for the row where its text stands).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from plangraph.ingest.clauses import looks_like_unit, split_units
from plangraph.ingest.clean import Line
from plangraph.ingest.formats.tables import column_role, header_roles
from plangraph.ingest.model import ROLES
from plangraph.ingest.numbering import TABLE_ROW, Label, label_at, starts_numbered
from plangraph.ingest.vocab import vocabulary
from plangraph.ingest.whitespace import leading_space

SEQ_CELL = re.compile(r"^\s*(\d{1,4})\s*[.．、]?\s*$")
# A header of one cell per line: at least this many short lines, each at most this long.
MIN_HEADER_CELLS = 3
MAX_HEADER_CELL = 12
MAX_HEADER_LINES = 14
# A header word's second half on a line of its own (牵头 / 部门).
HEADER_NOUNS = ("部门", "单位", "主体", "处室", "科室", "机构", "时限", "时间", "节点", "内容", "任务", "事项",
                "分类", "类型", "类别", "名称", "方向")
BRACKETED = re.compile(r"[（(][^（()）]*[)）]")  # 重点任务（2024-2026）: the years are no part of the name
# A cell that is a time limit (2019年3月, 2024年底前, 长期坚持) or stands for an empty one (—).
DATE_CELL = re.compile(r"^[\d０-９〇一二三四五六七八九十年月日底末前季度上下半起至—\-~～、，,\s]+$|^(长期|持续|常态|每年|逐年)")
CAPTION = re.compile(r"[:：]|(表|清单|一览)$")
EMPTY_CELL = re.compile(r"^[—\-－/／无]+$")
IMPOSSIBLE = float("-inf")
DIGIT = re.compile(r"[0-9０-９]")
PLACE_ENDINGS = ("区", "县", "市", "镇", "乡", "旗", "盟", "州", "地区", "片区", "园区")


@dataclass
class CellTable:
    """What one flattened table gives: row labels, unit cells with their roles, its extent."""
    header_start: int
    rows: list[Label]
    unit_cells: list[tuple[int, int, str]]  # (start, end, role)
    end: int  # where its last row's last cell ends


def find_cell_tables(text: str, lines: list[Line]) -> list[CellTable]:
    """Every task table written one cell per line or paragraph, in document order."""
    cells = [ln for ln in lines if ln.junk is None and ln.text.strip() and "\t" not in ln.text.strip()]
    found: list[CellTable] = []
    i = 0
    while i < len(cells):
        header = _header_at(cells, i)
        if header is None:
            i += 1
            continue
        roles, used = header
        head = cells[i:i + used]
        body = cells[i + used:]
        if all(b.start > a.end + 1 for a, b in zip(head, head[1:])):
            body = _paragraph_cells(text, body)  # cells set apart by blank lines may wrap
        table, consumed = _read_rows(text, body, roles, head[0].start)
        if table.rows:
            found.append(table)
        end = body[consumed - 1].end if consumed else head[-1].end
        i = next((k for k, c in enumerate(cells) if c.start > end), len(cells))
    return found


def _header_at(cells: list[Line], i: int) -> tuple[list[str], int] | None:
    """(column roles, lines used) if cells[i:] open with a header of one cell per line."""
    words: list[str] = []
    lines_of: list[int] = []  # lines each word took
    for line in cells[i:i + MAX_HEADER_LINES]:
        cell = line.text.strip()
        if len(BRACKETED.sub("", cell)) > MAX_HEADER_CELL or cell.endswith("。") or starts_numbered(cell) \
                or SEQ_CELL.match(cell):
            break
        if words and cell in HEADER_NOUNS and len(words[-1]) <= 3 and column_role(words[-1]) != "seq":
            words[-1] += cell  # 牵头 / 部门: one header word broken over two lines
            lines_of[-1] += 1
        else:
            words.append(cell)
            lines_of.append(1)
    if not words or column_role(words[0]) == "other" or CAPTION.search(words[0]):
        return None  # a table starts with a column's name, not with its caption (附件：…清单)
    best = None
    for n in range(MIN_HEADER_CELLS, len(words) + 1):
        roles = header_roles(words[:n])
        if roles is not None and ("seq" in roles or "content" in roles) \
                and (n == len(words) or column_role(words[n - 1]) != "other"):
            best = roles
    return (best, sum(lines_of[:len(best)])) if best else None


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


def _read_rows(text: str, cells: list[Line], roles: list[str], header_start: int) -> tuple[CellTable, int]:
    """The rows of a table whose header has `roles`, from cells[0]; and how many cells it took.

    Rows open at the 序号 column, or else at the text column whose cells carry the row numbers:
    of the text columns before the unit columns, the one that lets the most unit cells align."""
    if "seq" in roles:
        return _rows_opened_at(text, cells, roles, roles.index("seq"), header_start)
    first_unit = next(i for i, r in enumerate(roles) if r in ROLES or r == "mixed")
    tries = [_rows_opened_at(text, cells, roles, i, header_start)
             for i, r in enumerate(roles[:first_unit]) if r == "content"]
    return max(tries, key=lambda t: (len(t[0].unit_cells), len(t[0].rows)))


def _rows_opened_at(text: str, cells: list[Line], roles: list[str], opener: int,
                    header_start: int) -> tuple[CellTable, int]:
    seq_column = roles[opener] == "seq"
    after, before = roles[opener + 1:], roles[:opener]
    starts = _row_openers(cells, seq_column, limit=len(roles) + 2)
    table = CellTable(header_start, [], [], header_start)
    taken = 0
    for n, (k, number) in enumerate(starts):
        cell = cells[k]
        start = cell.start + leading_space(cell.text)
        end = cell.end if seq_column else start  # the number line, or the start of the task cell
        table.rows.append(Label(TABLE_ROW, number, cell.text.strip() if seq_column else "", start, end, strict=False))
        last = n + 1 == len(starts)
        stop = min(len(cells), k + 1 + len(roles) + 2) if last else starts[n + 1][0]
        placed = align(text, cells[k + 1:stop], after, [] if last else before)
        table.unit_cells += [(c.start, c.end, role) for c, role in placed if role in ROLES]
        taken = k + 1 + len(placed) if last else stop
    table.end = cells[taken - 1].end if taken else header_start
    return table, taken


def _row_openers(cells: list[Line], seq_column: bool, limit: int) -> list[tuple[int, int]]:
    """(cell index, row number) of each row's opener: a number line (with a 序号 column) or a task
    cell starting with its number, in the numbering style most cells use (not a category's
    "1、"); numbers run 1, 2, 3 … (or start again at 1). The table ends where `limit` cells pass
    without one."""
    numbered: list[tuple[int, str, int]] = []  # (cell index, style, number)
    for k, cell in enumerate(cells):
        if seq_column:
            m = SEQ_CELL.match(cell.text)
            if m:
                numbered.append((k, "seq", int(m.group(1))))
        else:
            lab = label_at(cell.text, leading_space(cell.text))
            if lab is not None:
                numbered.append((k, lab.style, lab.number))
    styles = [style for _k, style, _n in numbered]
    # the most used style; among equals the one met first (a list inside a cell comes later)
    style = max(set(styles), key=lambda st: (styles.count(st), -styles.index(st))) if styles else None
    out: list[tuple[int, int]] = []
    expected, last = 1, -1
    for k, s, number in numbered:
        if s != style:
            continue
        if out and k - last > limit or not out and k > limit:
            break
        if not out or number == expected or number == 1:  # a table continued after its header repeats: 7, 8 …
            out.append((k, number))
            expected, last = number + 1, k
    return out


def align(text: str, cells: list[Line], after: list[str], before: list[str]) -> list[tuple[Line, str]]:
    """The best-fitting run of `cells` placed in order on the columns `after` (this row's) and then
    `before` (the next row's, left of its opener), each cell on a column that fits it; a column
    may be skipped (merged away) and a unit or text column may take several cells in a row
    (one unit per line, a wrapped text). Returns (cell, column role) for the cells placed."""
    columns = [*after, *before]
    kinds = [_kind(text, c) for c in cells]
    n, m = len(cells), len(columns)
    # best[i][j]: best score with cells[:i] placed and the last one on column j-1 (j = 0: none yet)
    best = [[IMPOSSIBLE] * (m + 1) for _ in range(n + 1)]
    back: dict[tuple[int, int], int] = {}
    best[0][0] = 0.0
    for i in range(n):
        for j in range(m + 1):
            if best[i][j] == IMPOSSIBLE:
                continue
            for nj in range(max(j, 1), m + 1):
                gain = _fit(kinds[i], columns[nj - 1], again=nj == j)
                if gain == IMPOSSIBLE:
                    continue
                score = best[i][j] + gain - 0.01 * (nj - j)  # a skipped column costs a little
                if score > best[i + 1][nj]:
                    best[i + 1][nj] = score
                    back[(i + 1, nj)] = j
    # the best-scoring run of cells (the longest among equals): what follows it is no part of the row
    placed_n = max((i for i in range(n + 1) if max(best[i]) > IMPOSSIBLE), key=lambda i: (max(best[i]), i))
    j = max(range(m + 1), key=lambda c: best[placed_n][c])
    out = []
    for i in range(placed_n, 0, -1):
        out.append((cells[i - 1], columns[j - 1]))
        j = back[(i, j)]
    return out[::-1]


def _kind(text: str, cell: Line) -> str:
    value = text[cell.start:cell.end].strip()
    if EMPTY_CELL.match(value):
        return "empty"
    if len(value) <= 24 and DATE_CELL.match(value):
        return "date"
    if DIGIT.search(value):
        return "text"  # 加装电梯700台: a task, not a body's name
    units = [u for u, _s, _e in split_units(text, cell.start, cell.end)]
    if not units or not all(looks_like_unit(u) for u in units):
        return "text"
    vocab = vocabulary()
    # 产业园区: only a place's ending and no known beginning; it may be a category
    weak = any(u.endswith(PLACE_ENDINGS) and not u.startswith(vocab.unit_prefixes) for u in units)
    return "weak_units" if weak else "units"


def _fit(kind: str, column: str, again: bool) -> float:
    """How well a cell of `kind` fits a column of role `column` (placed on it `again`)."""
    if kind == "empty":
        return IMPOSSIBLE if again else 0.0
    if column in ROLES:
        if kind == "units":
            if again:  # one unit a line: a lead column most often names one body
                return 0.5 if column == "lead" else 1.0
            return 3.0
        return (0.0 if again else 0.5) if kind == "weak_units" else IMPOSSIBLE
    if column == "deadline":
        return 2.0 if kind == "date" and not again else IMPOSSIBLE
    if kind == "units":
        return IMPOSSIBLE if again else -2.0
    if column == "content":
        return 0.0 if again else 1.0
    return IMPOSSIBLE if again else 0.0
