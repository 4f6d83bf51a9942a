"""Document conventions: sentences a plan states once that change how later statements read.

The wordings are families of patterns in data/conventions.tsv. `find_conventions` finds
them with their offsets; the pipeline applies a convention to the statements that end after
it is stated (the statement that states it included).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from plangraph.ingest.resources import load_tsv

FIRST_LISTED_LEADS = "first_listed_leads"


@dataclass(frozen=True)
class Convention:
    name: str
    start: int
    end: int


@lru_cache(maxsize=1)
def convention_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((r["name"], re.compile(r["pattern"])) for r in load_tsv("conventions.tsv"))


def find_conventions(text: str) -> list[Convention]:
    """Every convention stated in `text`, in order."""
    found = [Convention(name, m.start(), m.end())
             for name, pattern in convention_patterns() for m in pattern.finditer(text)]
    return sorted(found, key=lambda c: c.start)


def first_stated(text: str, name: str) -> int | None:
    """Where convention `name` is first stated in `text`, or None."""
    return next((c.start for c in find_conventions(text) if c.name == name), None)


def is_convention_note(sentence: str) -> bool:
    """A sentence inside a statement that only states a convention ("列第一位者为牵头单位，下同")."""
    return any(pattern.search(sentence) for _name, pattern in convention_patterns())
