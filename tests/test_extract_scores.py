"""The extractor scored against the hand-checked gold files in ../shared/corpus/gold.

The shared scorer reads predictions that one `plangraph extract … --out DIR` process wrote,
so this test measures what every evaluation measures. Each corpus group has floors: the
seed plan and dev/ are the regression guard, dev2/ (plans the extractor was not built on)
has floors at its measured figures, raised as extraction improves, never lowered.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from shared_corpus import CORPUS, GOLD, SCORER, corpus_files, plangraph_command

pytestmark = pytest.mark.skipif(not SCORER.exists(), reason="../shared (scorer and gold files) is not beside this checkout")

# group -> measure -> floor (F1, except task recall)
FLOORS = {
    "seed+dev": {"assign_task": 1.0, "cite": 1.0, "deadline": 1.0, "tasks_recall": 1.0},
    "dev2": {"assign_task": 0.99, "cite": 1.0, "deadline": 0.97, "tasks_recall": 0.99},
    "all": {"assign_task": 0.99, "cite": 1.0, "deadline": 0.99, "tasks_recall": 0.99},
}
MEASURES = ("assign_task", "cite", "deadline", "tasks")


@pytest.fixture(scope="module")
def score_report(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("pred")
    files = corpus_files()
    proc = subprocess.run([*plangraph_command(), "extract", *map(str, files), "--out", str(out)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(list(out.glob("*.json"))) == len(files)
    proc = subprocess.run([sys.executable, str(SCORER), "--gold-dir", str(GOLD), "--pred-dir", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _counts(report: str) -> dict[str, dict[str, tuple[int, int, int]]]:
    """document -> measure -> (true positives, predicted, gold), from the scorer's blocks."""
    out: dict[str, dict[str, tuple[int, int, int]]] = {}
    for block in report.split("\n== ")[0:]:
        name = block.removeprefix("== ").split("\n", 1)[0].strip()
        found = re.findall(r"^\s+(\w+)\s+P=\S+ R=\S+ F1=\S+ \((\d+)/(\d+) pred, (\d+) gold\)", block, re.M)
        if found:
            out[name] = {m: (int(tp), int(p), int(g)) for m, tp, p, g in found}
    return out


def _group_scores(counts, names) -> dict[str, float]:
    scores = {}
    for measure in MEASURES:
        tp = sum(counts[n][measure][0] for n in names)
        pred = sum(counts[n][measure][1] for n in names)
        gold = sum(counts[n][measure][2] for n in names)
        p = tp / pred if pred else (1.0 if not gold else 0.0)
        r = tp / gold if gold else 1.0
        scores[measure] = 2 * p * r / (p + r) if p + r else 0.0
        scores[measure + "_recall"] = r
    return scores


def _groups(counts) -> dict[str, list[str]]:
    docs = [n for n in counts if n != "TOTAL"]
    return {"seed+dev": [n for n in docs if not n.startswith("dev2/")],
            "dev2": [n for n in docs if n.startswith("dev2/")],
            "all": docs}


def test_every_corpus_plan_is_scored(score_report):
    counts = _counts(score_report)
    assert "failed=0" in score_report
    assert len([n for n in counts if n != "TOTAL"]) == len(list(GOLD.rglob("*.json")))


@pytest.mark.parametrize("group", list(FLOORS))
def test_group_scores_hold_their_floors(score_report, group):
    counts = _counts(score_report)
    names = _groups(counts)[group]
    assert names, f"no gold documents in group {group}"
    scores = _group_scores(counts, names)
    below = {m: round(scores[m], 3) for m, floor in FLOORS[group].items() if scores[m] < floor}
    assert not below, f"{group} below its floors {FLOORS[group]}: {below}"


def test_changde_plan_scores(score_report):
    changde = _group_scores(_counts(score_report), ["changde_fazhi_2021-2025.txt"])
    assert changde["assign_task"] == 1.0
    assert changde["cite"] >= 0.98
    assert changde["deadline"] >= 0.95
    assert changde["tasks_recall"] == 1.0


def test_changde_plan_has_100_tasks_in_32_groups():
    from plangraph.ingest.pipeline import extract_file
    tasks = extract_file(CORPUS / "changde_fazhi_2021-2025.txt").tasks
    numbered = [t for t in tasks if t.id.startswith("2.")]
    assert [int(t.id.split(".")[-1]) for t in numbered] == list(range(1, 101))
    assert len({t.section for t in numbered}) == 32
