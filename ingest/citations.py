"""Cited laws and documents: find every 《…》 (nested titles too) and the bare 宪法 / 民法典.

The relation (SCHEMA.md): `produces` where the nearest relation verb before the title in
its clause is a drafting verb (制定, 出台, 修订 … see data/citation_verbs.tsv), else `basis`.
Verbs are read from the jieba tokens, so 制定发布 and 研究制定 are matched as words.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from plangraph.ingest.laws import split_issuer_prefix
from plangraph.ingest.vocab import vocabulary

TITLE_OPEN, TITLE_CLOSE = "《", "》"
TITLE_MARKS = re.compile("[《》\n]")
INNER_MARKS = {"〈": "〉", "<": ">", "＜": "＞", "《": "》"}
INNER_OPENERS = re.compile("[" + re.escape("".join(o for o in INNER_MARKS if o != TITLE_OPEN)) + "]")
# the bare names that count as citations, matched as whole jieba tokens (执行宪法法律 → 宪法)
BARE_TITLES = frozenset({"宪法", "民法典", "中华人民共和国宪法", "中华人民共和国民法典"})
CLAUSE_BREAKS = "，。；：！？,;:\n"
MAX_TITLE_CHARS = 120


@dataclass
class FoundCitation:
    title: str
    mention: str
    relation: str
    start: int
    end: int
    issuer_prefix: str | None = None


def _title_spans(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """(open, close, nested) for each 《…》 and each title nested inside one."""
    spans, stack = [], []
    for m in TITLE_MARKS.finditer(text, start, end):  # only the marks and line breaks matter
        i, ch = m.start(), m.group()
        if ch == TITLE_OPEN:
            stack.append(i)
        elif ch == TITLE_CLOSE and stack:
            o = stack.pop()
            spans.append((o, i, bool(stack)))
        elif ch == "\n":
            stack.clear()  # a title never spans lines
    for o, c, nested in list(spans):
        if nested:
            continue
        for m in INNER_OPENERS.finditer(text, o + 1, c):
            i = m.start()
            j = text.find(INNER_MARKS[m.group()], i + 1, c)
            if j > i + 1:
                spans.append((i, j, True))
    spans.sort()
    return spans


def find_citations(text: str, token_starts: list[int], token_texts: list[str],
                   start: int = 0, end: int | None = None) -> list[FoundCitation]:
    """Citations in text[start:end]; tokens are the segmenter's, used for the relation verb."""
    end = len(text) if end is None else end
    found: list[FoundCitation] = []
    covered: list[tuple[int, int]] = []
    for o, c, nested in _title_spans(text, start, end):
        title = text[o + 1:c]
        if not title.strip() or len(title) > MAX_TITLE_CHARS:
            continue
        covered.append((o, c))
        outer = o if not nested else _outer_start(covered, o)
        issuer = None if nested else _issuer_before(text, o)
        found.append(FoundCitation(title=title, mention=text[o:c + 1],
                                   relation=_relation(text, outer, token_starts, token_texts),
                                   start=o, end=c + 1, issuer_prefix=issuer))
    for tok_start, tok in zip(token_starts, token_texts):
        if tok not in BARE_TITLES or not start <= tok_start < end:
            continue
        if any(o <= tok_start <= c for o, c in covered):
            continue
        found.append(FoundCitation(title=tok, mention=tok, relation="basis",
                                   start=tok_start, end=tok_start + len(tok)))
    found.sort(key=lambda f: (f.start, f.end))
    return found


def _outer_start(covered: list[tuple[int, int]], inner_open: int) -> int:
    enclosing = [o for o, c in covered if o < inner_open < c]
    return min(enclosing) if enclosing else inner_open


def _issuer_before(text: str, open_pos: int) -> str | None:
    """国务院《…》: the issuer written outside the marks (see ingest.laws)."""
    return split_issuer_prefix(text[max(0, open_pos - 30):open_pos])


def _relation(text: str, open_pos: int, token_starts: list[int], token_texts: list[str]) -> str:
    """The relation given by the nearest relation verb before the title, within its clause."""
    i = bisect_right(token_starts, open_pos) - 1
    while i >= 0 and token_starts[i] >= open_pos:
        i -= 1
    while i >= 0:
        token = token_texts[i]
        if any(ch in CLAUSE_BREAKS for ch in token):
            break
        if token == TITLE_CLOSE:  # an earlier title in a list: its words are not verbs here
            while i >= 0 and token_texts[i] != TITLE_OPEN:
                i -= 1
            i -= 1
            continue
        relation = _verb_relation(token)
        if relation is not None:
            return relation
        i -= 1
    return "basis"


@lru_cache(maxsize=1 << 14)  # pure: the same few thousand words come back in every plan
def _verb_relation(token: str) -> str | None:
    """The relation of a relation verb `token` is or ends with, None if it is none."""
    verbs = vocabulary().citation_verbs
    if token in verbs:
        return verbs[token]
    # compound verbs jieba keeps whole (加快制定, 研究出台): look for a known verb at the end
    for verb, relation in verbs.items():
        if len(token) > len(verb) and token.endswith(verb):
            return relation
    return None
