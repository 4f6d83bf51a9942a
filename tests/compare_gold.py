"""The hand-made alignment of the Shandong (A) and Jinan (B) digital plans, and how a
comparison is scored against it (tests/test_compare.py, bench/compare_calibrate.py).

tests/data/compare_gold_09_10.json names each task by id and by the first characters of its
text; `gold_pairs` finds the tasks by their text, so the gold survives a change of ids.
Scoring, as issue 16 asks: precision = pairs found that the gold has (core or partial) /
pairs found; recall (one-to-one) = core pairs found / core pairs, (one-to-many) = gold pairs
found / every gold pair.
"""
from __future__ import annotations

import json
from pathlib import Path

GOLD_PATH = Path(__file__).resolve().parent / "data" / "compare_gold_09_10.json"
TARGET_PRECISION, TARGET_RECALL = 0.90, 0.85


def load_gold() -> dict:
    return json.loads(GOLD_PATH.read_text(encoding="utf-8"))


def task_by_prefix(plan, prefix: str) -> str:
    """The id of the one task of `plan` (graph.compare.Plan) whose text starts with `prefix`."""
    found = [t.task_id for t in plan.tasks if t.text.strip().startswith(prefix)]
    if len(found) != 1:
        raise LookupError(f"{len(found)} tasks start with {prefix!r} in {plan.document_id}")
    return found[0]


def gold_pairs(gold: dict, a, b) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(core pairs, every pair) as (A task id, B task id)."""
    pairs = [(task_by_prefix(a, p["a_text"]), task_by_prefix(b, p["b_text"]), p["grade"]) for p in gold["pairs"]]
    return {(x, y) for x, y, g in pairs if g == "core"}, {(x, y) for x, y, _ in pairs}


def quality(found: set, core: set, every: set, mode: str) -> tuple[float, float]:
    """(precision, recall) of the pairs `found` (see the module docstring)."""
    precision = len(found & every) / len(found) if found else 1.0
    recall = len(found & core) / len(core) if mode == "one-to-one" else len(found & every) / len(every)
    return precision, recall
