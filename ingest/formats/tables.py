"""Tables as text lines the plan extractor already understands.

A task-division table (任务分工表) -- a header row naming a task column and unit columns
by role words (牵头 / 责任 / 配合 / 参加 / 协办 / 时限 ...) -- becomes one numbered line per
row: ``1．任务内容（牵头单位：A、B；参加单位：C；完成时限：2022年底前）``.  A row that only
carries a heading (one text across the row) stays a line of its own.  Any other table
becomes one line per row, cells separated by a tab.

Used by the .docx, .html and .pdf readers; input is plain rows of cell strings
(merged cells repeated, as python-docx and pdfplumber give them).
"""
from __future__ import annotations

import re
from functools import lru_cache

from plangraph.ingest.numbering import starts_numbered
from plangraph.ingest.resources import load_tsv
from plangraph.ingest.vocab import vocabulary

_ROLE_LABEL = {"lead": "牵头单位", "participant": "参加单位", "responsible": "责任单位",
               "guide": "指导单位", "deadline": "完成时限"}
_UNIT_ROLES = ("lead", "responsible", "participant", "guide")
# A verb names a unit column only as the whole cell (牵头) or beside one of these (负责考核部门).
_UNIT_NOUNS = ("单位", "部门", "机构", "主体", "处室")

_SEQ_NUMBER = re.compile(r"^\s*(\d{1,4}|[一二三四五六七八九十百零〇]+)\s*[.．、]?\s*$")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def table_header_words() -> tuple[tuple[str, str, str], ...]:
    """(word, match, column) rows of data/table_headers.tsv."""
    return tuple((r["word"], r["match"], r["column"]) for r in load_tsv("table_headers.tsv"))


def _norm(cell: str) -> str:
    return _SPACE.sub("", cell or "")


def column_role(cell: str) -> str:
    """What a header cell names: seq, content, deadline, a unit role (lead, participant,
    responsible, guide), mixed (two unit roles: 牵头单位及配合单位) or other.

    The words are data: unit roles from data/role_words.tsv, the rest from
    data/table_headers.tsv."""
    text = _norm(cell)
    if not text or len(text) > 20:
        return "other"
    columns = table_header_words()
    if any(word in text for word, match, column in columns if column == "person" and match == "contains"):
        return "other"
    if any(text == word for word, match, column in columns if column == "seq" and match == "exact"):
        return "seq"
    roles = _unit_roles_named(text)
    if "lead" in roles and "participant" in roles:
        return "mixed"
    for role in ("lead", "guide", "participant", "responsible"):  # 责任单位（牵头） leads
        if role in roles:
            return role
    for column in ("deadline", "content"):
        if any(word in text for word, match, col in columns if col == column and match == "contains"):
            return column
    return "other"


def _unit_roles_named(text: str) -> set[str]:
    vocab = vocabulary()
    roles = {role for word, role in (*vocab.label_roles.items(), *vocab.header_roles.items()) if word in text}
    roles |= {role for word, role in vocab.verb_roles.items()
              if word in text and (text == word or any(noun in text for noun in _UNIT_NOUNS))}
    return roles & set(_UNIT_ROLES)


def header_roles(cells: list[str]) -> list[str] | None:
    """Role of each column if `cells` is the header of a task table, else None."""
    if any(_SEQ_NUMBER.match(c or "") for c in cells):
        return None  # a numbered data row ("1 | 推进…工作 | 市司法局牵头"), not a header
    roles = [column_role(cell) for cell in cells]
    has_units = any(r in _UNIT_ROLES or r == "mixed" for r in roles)
    return roles if has_units and "content" in roles else None


def _units(cell: str) -> str:
    parts = [p.strip(" \t\u3000、，,；;。") for p in re.split(r"[\n\r]+", cell or "")]
    return "、".join(p for p in parts if p)


def _inline(cell: str) -> str:
    """A cell's paragraphs as one line (the extractor reads a task as one paragraph)."""
    parts = [p.strip() for p in re.split(r"[\n\r]+", cell or "")]
    out = ""
    for part in parts:
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


def _dedupe_merged(cells: list[str]) -> list[str]:
    """Horizontally merged cells repeat their text; keep the first copy only."""
    out: list[str] = []
    prev = None
    for cell in cells:
        out.append("" if cell == prev and cell else cell)
        prev = cell
    return out


def table_lines(rows: list[list[str]], roles: list[str] | None = None) -> tuple[list[str], list[str] | None]:
    """Lines for a table; also the header roles found (to continue a table on the next page).

    `roles`: the header roles of a table this one continues (a PDF table split over pages).
    """
    rows = [[c if c is not None else "" for c in row] for row in rows]
    header_at = None
    header: list[str] | None = None
    if roles is None:
        for i, row in enumerate(rows[:3]):
            found = header_roles(row)
            if found:
                roles, header_at, header = found, i, row
                break
    if roles is None:
        return [_plain_row(row) for row in rows if any(_norm(c) for c in row)], None
    lines: list[str] = []
    for row in rows[:header_at or 0]:  # a title row above the header
        text = _plain_row(row)
        if text:
            lines.append(text)
    start = 0 if header_at is None else header_at + 1
    counter = 0
    category: dict[int, str] = {}
    content_at = roles.index("content")
    for row in rows[start:]:
        if header is not None and [_norm(c) for c in row] == [_norm(c) for c in header]:
            continue  # header repeated
        if header is None and header_roles(row) == roles:
            continue
        row = (row + [""] * len(roles))[: len(roles)]
        filled = [(i, _inline(c)) for i, c in enumerate(row) if _norm(c)]
        if not filled:
            continue
        texts = {t for _, t in filled}
        if len(filled) >= 2 and len(texts) == 1 or len(filled) == 1 and (
                roles[filled[0][0]] == "other"
                or roles[filled[0][0]] == "seq" and not _SEQ_NUMBER.match(filled[0][1])):
            # one text across the whole row (merged cells), or only a category: a heading
            lines.append(filled[0][1])
            continue
        line = _task_line(row, roles, header, content_at, category)
        if line is None:
            continue
        heading_lines, body, seq = line
        lines.extend(heading_lines)
        if not starts_numbered(body):
            counter = seq if seq is not None else counter + 1
            body = f"{counter}．{body}"
        lines.append(body)
    return lines, roles


def _task_line(row: list[str], roles: list[str], header: list[str] | None, content_at: int,
               category: dict[int, str]) -> tuple[list[str], str, int | None] | None:
    headings: list[str] = []
    seq: int | None = None
    content: list[str] = []
    extras: list[str] = []
    clause: dict[str, list[str]] = {}
    mixed: list[str] = []
    for i, (cell, role) in enumerate(zip(_dedupe_merged(row), roles)):
        if not _norm(cell):
            continue
        if role == "seq":
            m = _SEQ_NUMBER.match(cell)
            if m and m.group(1).isdigit():
                seq = int(m.group(1))
        elif role == "content":
            content.append(_inline(cell))
        elif role in _UNIT_ROLES:
            clause.setdefault(role, []).append(_units(cell))
        elif role == "mixed":
            mixed.append(_inline(cell))
        elif role == "deadline":
            clause.setdefault("deadline", []).append(_inline(cell))
        elif i < content_at:
            # a category column left of the task (often merged down): a heading line
            text = _inline(cell)
            if category.get(i) != text:
                category[i] = text
                headings.append(text)
        else:
            name = _norm(header[i]).rstrip("：:") if header else ""
            extras.append(f"{name}：{_inline(cell)}" if name else _inline(cell))
    body = "：".join(c for c in content if c)
    if not body and not clause and not mixed:
        return None
    for extra in extras:
        if body and body[-1] not in "。；;！？":
            body += "；"
        body += extra
    parts = [f"{_ROLE_LABEL[r]}：{'、'.join(clause[r])}" for r in ("lead", "responsible", "participant", "guide", "deadline")
             if r in clause]
    parts.extend(mixed)
    if parts:
        body += "（" + "；".join(parts) + "）"
    return headings, body, seq


def _plain_row(row: list[str]) -> str:
    return "\t".join(_inline(c) for c in _dedupe_merged(row) if _norm(c))
