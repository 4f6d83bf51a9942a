"""Where the shared corpus, gold files and scorer are: one definition for every test.

`../shared` beside this checkout (as CI and every developer have it), or the folder named by
PLANGRAPH_SHARED. Tests that need it skip when it is missing, by `require_corpus()`.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PLANGRAPH_SHARED") or ROOT.parent / "shared")
CORPUS = SHARED / "corpus"
GOLD = CORPUS / "gold"
SCORER = SHARED / "tools" / "score.py"
CHANGDE = "changde_fazhi_2021-2025"
CHANGDE_PATH = CORPUS / f"{CHANGDE}.txt"


def require_corpus() -> None:
    """Skip the calling test when the shared corpus is not beside this checkout."""
    if not CHANGDE_PATH.exists():
        pytest.skip(f"shared corpus not found at {CORPUS} (set PLANGRAPH_SHARED)")


def seed_and_dev_files() -> list[Path]:
    """The Changde plan and dev/ (the plans the store and format tests are built on)."""
    return [CHANGDE_PATH, *sorted((CORPUS / "dev").glob("*.txt"))]


def corpus_files() -> list[Path]:
    """Every corpus plan that has a gold file (seed, dev, dev2)."""
    return [CORPUS / json.loads(g.read_text(encoding="utf-8"))["source"] for g in sorted(GOLD.rglob("*.json"))]


def plangraph_command() -> list[str]:
    """The installed `plangraph` of the interpreter running the tests."""
    local = Path(sys.executable).parent / "plangraph"
    return [str(local) if local.exists() else (shutil.which("plangraph") or "plangraph")]
