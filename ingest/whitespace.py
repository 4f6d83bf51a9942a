"""The whitespace class: what counts as a space inside a line, defined once.

Plans arrive indented with ASCII spaces, tabs, ideographic spaces (U+3000), no-break spaces
(U+00A0), en and em spaces (U+2002, U+2003) and zero-width characters, often mixed. Every
step that skips or strips spaces uses these definitions, so a new kind of space is one
change here. Nothing is rewritten: offsets into the text stay as they are.
"""
from __future__ import annotations

import re

# Characters that take no width but are not letters either (zero-width space, joiners, BOM).
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Every Unicode space except the line break, and the zero-width characters.
INLINE_SPACES = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace() and ch != "\n") + ZERO_WIDTH
# A regex character class of INLINE_SPACES, for patterns: rf"{SPACE}*".
SPACE = "[" + re.escape(INLINE_SPACES) + "]"
# INLINE_SPACES and the line break, for str.strip.
ALL_SPACES = INLINE_SPACES + "\n"

_SPACE_RUN = re.compile(SPACE + "+")


def strip_spaces(text: str) -> str:
    """`text` without leading and trailing spaces of any kind (line breaks included)."""
    return text.strip(ALL_SPACES)


def remove_spaces(text: str) -> str:
    """`text` with every space removed ("标　　题" -> "标题")."""
    return _SPACE_RUN.sub("", text).replace("\n", "")


def leading_space(text: str, start: int = 0) -> int:
    """Offset of the first non-space character of `text` at or after `start` (within the line)."""
    i = start
    while i < len(text) and text[i] in INLINE_SPACES:
        i += 1
    return i
