"""Balanced brackets in Chinese text, mixed widths and nesting included.

Plans write "（牵头单位：…各区县(市)政府）" and "[牵头单位:…;参加单位:…(市)…]": a clause is
the outermost balanced pair, and list separators inside inner pairs do not split it.
"""
from __future__ import annotations

import re
from functools import lru_cache

from plangraph.ingest.numbering import starts_numbered
from plangraph.ingest.whitespace import INLINE_SPACES

OPENERS = {"（": "paren", "(": "paren", "[": "square", "［": "square", "【": "square", "〔": "square"}
CLOSERS = {"）": "paren", ")": "paren", "]": "square", "］": "square", "】": "square", "〕": "square"}
MARKS = re.compile("[" + re.escape("".join(OPENERS) + "".join(CLOSERS)) + "]")
MARKS_AND_BREAKS = re.compile("[" + re.escape("".join(OPENERS) + "".join(CLOSERS)) + "\n]")  # only these matter
MAX_DEPTH = 32  # deeper nesting is treated as plain text (bounded work on hostile input)
MAX_WRAPPED_HEAD = 60  # a bracket wraps onto the next line only if opened this close to the line end


def _wraps_onto(text: str, pos: int, end: int) -> bool:
    """The line at `pos` may continue a bracket: it is not blank and not a numbered item."""
    line_end = text.find("\n", pos, end)
    line = text[pos:end if line_end < 0 else line_end]
    return bool(line.strip()) and not starts_numbered(line)


def find_pairs(text: str, start: int = 0, end: int | None = None,
               within_lines: bool = False) -> list[tuple[int, int, int]]:
    """All matched pairs in text[start:end] as (open, close, depth), in order of opening.

    A closer of the wrong family closes the nearest opener of its own family, if any;
    unmatched openers and closers are ignored. With `within_lines`, a line break drops
    every open bracket: a clause never runs on into the next line (or numbered item) --
    except a bracket opened near the end of its line whose text wraps onto one next line
    that is no numbered item ("(青岛市…高\\n质量发展…办公室负责)").
    """
    end = len(text) if end is None else end
    stack: list[tuple[int, str]] = []
    pairs: list[tuple[int, int, int]] = []
    last_break = start - 1
    for m in (MARKS_AND_BREAKS if within_lines else MARKS).finditer(text, start, end):
        i, ch = m.start(), m.group()
        if ch == "\n":
            if not (stack and stack[0][0] > last_break and i - stack[0][0] <= MAX_WRAPPED_HEAD
                    and _wraps_onto(text, i + 1, end)):
                stack.clear()
            last_break = i
            continue
        family = OPENERS.get(ch)
        if family is not None:
            if len(stack) < MAX_DEPTH:
                stack.append((i, family))
            continue
        family = CLOSERS.get(ch)
        if family is None:
            continue
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][1] == family:
                pairs.append((stack[depth][0], i, depth))
                del stack[depth:]
                break
    pairs.sort()
    return pairs


def pairs_from(text: str, start: int, whole: list[tuple[int, int, int]] | None) -> list[tuple[int, int, int]]:
    """find_pairs(text, start, within_lines=True), taken from `whole` (the same of all of
    `text`) where they must agree: `start` opens its line (spaces aside) and that line
    continues no bracket of the line before, so the scan of the whole text holds no open
    bracket there; its pairs from `start` on are then the very pairs a scan from `start`
    finds. Otherwise (or without `whole`) the text from `start` is scanned."""
    line_start = text.rfind("\n", 0, start) + 1
    if whole is not None and not text[line_start:start].strip(INLINE_SPACES) \
            and (line_start == 0 or not _wraps_onto(text, line_start, len(text))):
        return [pair for pair in whole if pair[0] >= start]
    return find_pairs(text, start, within_lines=True)


OPENER_CHARS = re.compile("[" + re.escape("".join(OPENERS)) + "]")


@lru_cache(maxsize=16)
def _separator_pattern(separators: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(separators) + "]")


def split_top_level(text: str, separators: str) -> list[tuple[int, int]]:
    """Spans of `text` split at `separators` that are not inside a nested bracket."""
    if not OPENER_CHARS.search(text):  # the common case: nothing nested
        spans, piece_start = [], 0
        for m in _separator_pattern(separators).finditer(text):
            spans.append((piece_start, m.start()))
            piece_start = m.end()
        spans.append((piece_start, len(text)))
        return spans
    closes = {o: c for o, c, _d in find_pairs(text)}
    spans, piece_start, i = [], 0, 0
    while i < len(text):
        if i in closes:
            i = closes[i] + 1
            continue
        if text[i] in separators:
            spans.append((piece_start, i))
            piece_start = i + 1
        i += 1
    spans.append((piece_start, len(text)))
    return spans
