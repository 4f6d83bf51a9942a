"""Where the project's data files live, and a cached TSV loader for them.

The rules are data (data/*.tsv). PLANGRAPH_DATA names another folder to read them from: a
copy of data/ with rows of your own (a role word, a unit alias, a junk line).
"""
from __future__ import annotations

import csv
import importlib.resources
import os
from functools import lru_cache
from pathlib import Path

# The package's own rules and bundled plan (data/ of the checkout, plangraph/data/ installed).
PACKAGE_DATA_DIR = Path(str(importlib.resources.files("plangraph.data")))
DATA_DIR = Path(os.environ.get("PLANGRAPH_DATA") or PACKAGE_DATA_DIR)
BUNDLED_PLAN = PACKAGE_DATA_DIR / "changde_fazhi_2021-2025.txt"


@lru_cache(maxsize=None)
def load_tsv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of data/NAME as dicts keyed by the header; lines starting with # are comments."""
    path = DATA_DIR / name
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    return tuple(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_rows(name: str) -> list[list[str]]:
    """Data rows of data/NAME split at tabs: '#' comments, blank lines and the header skipped.

    For rules files whose columns vary by row type (unit_aliases.tsv, law_forms.tsv …)."""
    rows: list[list[str]] = []
    header_seen = False
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            if header_seen:
                rows.append(line.split("\t"))
            header_seen = True
    return rows
