"""Numbering labels: the styles plans use, as one table, and the label at a line's start.

Each style is one row of ``STYLES``: a name, a pattern that captures the number, how to read
the number, its usual rank (一、 above （一） above 1. above （1） above ①), and whether only a
confirming sequence makes it a label (bare numbers). Adding a style is adding one row:
`structure.py` nests by `rank`, and the table and PDF readers recognise a numbered line by
`starts_numbered`, built from the same rows (plus the numbered forms that are never task
labels, `OTHER_NUMBERED_FORMS`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from plangraph.ingest.numerals import CN_NUMERAL, CIRCLED, read_circled, chinese_to_int
from plangraph.ingest.whitespace import INLINE_SPACES, SPACE, leading_space

CN = CN_NUMERAL + "{1,4}"
# The dot after an Arabic number: ASCII, full-width and small full stops, 、, or a private-use
# glyph (a font's own dot that survived copying from a PDF: "1\ue5ce突破…").
ARABIC_DOT = "[.．﹒、\ue000-\uf8ff]"
# A dot followed by a digit is a decimal (1.5亿元), unless a year follows (3．2020年底前开展…).
NOT_DECIMAL = r"(?!\d(?!\d{3}年))"


@dataclass(frozen=True)
class Style:
    name: str
    pattern: re.Pattern[str]  # matches the label and the spaces after it; group 1 is the number
    reader: str  # "cn" | "arabic" | "circled"
    rank: int  # usual nesting depth: a lower rank contains a higher one
    strict: bool = False  # accept only where the sequence confirms it (bare numbers)


def _style(name: str, label: str, reader: str, rank: int, strict: bool = False) -> Style:
    return Style(name, re.compile(label + SPACE + "*"), reader, rank, strict)


# Order matters: the first style that matches a line start wins.
STYLES: tuple[Style, ...] = (
    _style("chapter", rf"第({CN})章", "cn", 0),
    _style("cn_dun", rf"({CN})[、．.]", "cn", 1),
    _style("cn_paren", rf"[（(]({CN})[）)][、．.]?", "cn", 2),
    _style("article", rf"第({CN})条", "cn", 2),
    _style("arabic_dot", rf"(\d{{1,3}})(?:{ARABIC_DOT}{NOT_DECIMAL})", "arabic", 3),
    _style("arabic_paren", r"[（(](\d{1,3})[）)][、．.]?", "arabic", 4),
    _style("arabic_rparen", r"(\d{1,3})[）)]", "arabic", 4),
    _style("circled", rf"([{CIRCLED}])[、．.]?", "circled", 5),
    # `1突破…`: a bare number straight before a Chinese character; only where 1, 2, 3 … follow.
    _style("arabic_bare", r"(\d{1,2})(?=[\u4e00-\u9fff“《])", "arabic", 3, strict=True),
)
# Rows of a task table found in plain text (ingest/text_tables.py): below every written label.
TABLE_ROW = "table_row"
TABLE_ROW_RANK = 6

# Numbered forms that open a paragraph but never a task: sections (第一节), letters (A.),
# dotted numbers (1.2.3). The table and PDF readers treat them like labels.
OTHER_NUMBERED_FORMS = (rf"第[{CN_NUMERAL[1:-1]}\d]+[章节条部分篇项]", r"[A-Za-z][.．、]", r"\d{1,3}(?:[.．]\d{1,3})+(?:[、．]|\.(?!\d))")

def starts_numbered(text: str) -> bool:
    """True when `text` (a line or a cell) starts with a numbering label of any style in
    STYLES, or another numbered form (OTHER_NUMBERED_FORMS)."""
    return _numbered_start(STYLES).match(text) is not None


@lru_cache(maxsize=4)
def _numbered_start(styles: tuple[Style, ...]) -> re.Pattern[str]:
    forms = [s.pattern.pattern for s in styles if not s.strict] + list(OTHER_NUMBERED_FORMS)
    return re.compile(SPACE + "*(?:" + "|".join(forms) + ")")


# A number and a dot before a digit reads as a decimal (1.5亿元), unless the numbering runs
# through it ("10.…" / "11.121人才梯队项目" / "12.…"): a label only where the sequence confirms it.
DOUBTFUL_ARABIC_DOT = re.compile(r"(\d{1,3})[.．﹒](?=\d)")
CJK_CHAR = re.compile("[\u4e00-\u9fff]")


def style_rank(style: str) -> int:
    """The rank of the style named `style` (a table row ranks below every written label)."""
    if style == TABLE_ROW:
        return TABLE_ROW_RANK
    return next(s.rank for s in STYLES if s.name == style)


@dataclass(frozen=True)
class Label:
    style: str
    number: int
    text: str  # the label as written, e.g. "(一)"
    start: int  # offset of the label in the document
    end: int  # offset just after the label and the spaces that follow it
    strict: bool


def read_number(reader: str, raw: str) -> int:
    if reader == "cn":
        return chinese_to_int(raw)
    if reader == "circled":
        return read_circled(raw)
    return int(raw)


def label_at(text: str, pos: int, line_end: int | None = None) -> Label | None:
    """The numbering label that starts at text[pos] (no spaces skipped), if any. A label with
    nothing after it on its line (a lone number) is a page number or a table cell, not an item."""
    line_end = len(text) if line_end is None else line_end
    for style in STYLES:
        m = style.pattern.match(text, pos, line_end)
        if not m:
            continue
        number = read_number(style.reader, m.group(1))
        if number <= 0 or m.end() >= line_end or not text[m.end():line_end].strip(INLINE_SPACES):
            continue
        label_text = text[pos:m.end()].rstrip(INLINE_SPACES)
        return Label(style.name, number, label_text, pos, m.end(), style.strict)
    return None


def match_label(line: str, line_start: int) -> Label | None:
    """The numbering label that opens `line` (at document offset `line_start`), if any."""
    label = label_at(line, leading_space(line))
    if label is None:
        return None
    return Label(label.style, label.number, label.text, label.start + line_start, label.end + line_start, label.strict)


def doubtful_label(line: str, line_start: int) -> Label | None:
    """An arabic_dot label before a digit opening `line` (see DOUBTFUL_ARABIC_DOT), if any."""
    indent = leading_space(line)
    m = DOUBTFUL_ARABIC_DOT.match(line, indent)
    if not m or int(m.group(1)) <= 0 or not CJK_CHAR.search(line, m.end()):
        return None  # a figure (4.42), not an item
    return Label("arabic_dot", int(m.group(1)), line[indent:m.end()], line_start + indent, line_start + m.end(), False)
