"""Numbering labels at the start of a line: the styles plans use, as one table.

Each style is a name, a pattern that captures the number, and how to read it. Adding a
style means adding one row to ``STYLES``; `structure.py` nests whatever it finds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
CN = "[一二三四五六七八九十百〇零两]{1,4}"


def chinese_to_int(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零三 → 103."""
    total, current = 0, 0
    for ch in text:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (current or 1) * CN_UNITS[ch]
            current = 0
    return total + current


@dataclass(frozen=True)
class Style:
    name: str
    pattern: re.Pattern[str]
    reader: str  # "cn" | "arabic" | "circled"
    strict: bool = False  # accept only where the sequence confirms it (bare numbers)


# Order matters: the first style that matches a line start wins.
STYLES: tuple[Style, ...] = (
    Style("chapter", re.compile(rf"第({CN})章[\s\u3000]*"), "cn"),
    Style("cn_dun", re.compile(rf"({CN})[、．.][\s\u3000]*"), "cn"),
    Style("cn_paren", re.compile(rf"[（(]({CN})[）)][、．.]?[\s\u3000]*"), "cn"),
    Style("article", re.compile(rf"第({CN})条[\s\u3000]*"), "cn"),
    Style("arabic_dot", re.compile(r"(\d{1,3})(?:[.．﹒](?!\d)|、)[\s\u3000]*"), "arabic"),
    Style("arabic_paren", re.compile(r"[（(](\d{1,3})[）)][、．.]?[\s\u3000]*"), "arabic"),
    Style("arabic_rparen", re.compile(r"(\d{1,3})[）)][\s\u3000]*"), "arabic"),
    Style("circled", re.compile(rf"([{CIRCLED}])[、．.]?[\s\u3000]*"), "circled"),
    # `1突破…`: a bare number straight before a Chinese character; only where 1, 2, 3 … follow.
    Style("arabic_bare", re.compile(r"(\d{1,2})(?=[\u4e00-\u9fff“《])"), "arabic", strict=True),
)

LEADING_SPACE = re.compile(r"[ \t\u3000\xa0]*")


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
        return CIRCLED.index(raw) + 1
    return int(raw)


def match_label(line: str, line_start: int) -> Label | None:
    """The numbering label that opens `line` (at document offset `line_start`), if any."""
    indent = LEADING_SPACE.match(line).end()
    for style in STYLES:
        m = style.pattern.match(line, indent)
        if not m:
            continue
        number = read_number(style.reader, m.group(1))
        if number <= 0:
            continue
        rest = line[m.end():]
        if not rest.strip():
            continue  # a lone number is a page number or a table cell, not an item
        label_text = line[indent:m.end()].rstrip(" \t\u3000\xa0")
        return Label(style.name, number, label_text, line_start + indent, line_start + m.end(), style.strict)
    return None
