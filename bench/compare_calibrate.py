"""How compare's weights and thresholds were chosen: precision and recall on the hand-made
alignment of the Shandong (A) and Jinan (B) digital plans, over a grid. Run by hand:

    .venv/bin/python bench/compare_calibrate.py

Gold and scoring: tests/compare_gold.py (tests/data/compare_gold_09_10.json). For each unit
weight (the citation weight does not matter here: no task of either plan cites anything) it
prints, one-to-one, the band of thresholds meeting the targets (precision ≥ 0.90, recall ≥ 0.85)
and, one-to-many, the lowest threshold for further tasks with precision ≥ 0.90 and the recall
there; then the figures at the default settings.
"""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/compare_calibrate.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

from plangraph.graph.compare import DEFAULT_SETTINGS, assign, score_tasks  # noqa: E402
from plangraph.graph.compare_input import plan_from_extraction  # noqa: E402
from tests.compare_gold import TARGET_PRECISION, TARGET_RECALL, gold_pairs, load_gold, quality  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
UNIT_WEIGHTS = (0.0, 0.02, 0.05, 0.1, 0.2)
THRESHOLDS = [round(0.05 + 0.001 * k, 3) for k in range(251)]


def gold_plans():
    """(gold, plan A, plan B), the plans extracted from the shared corpus."""
    from plangraph.ingest.pipeline import extract_file
    gold = load_gold()
    return (gold, plan_from_extraction(extract_file(CORPUS / gold["a"]["file"])),
            plan_from_extraction(extract_file(CORPUS / gold["b"]["file"])))


def main() -> None:
    gold, a, b = gold_plans()
    core, every = gold_pairs(gold, a, b)
    ids_a, ids_b = [t.task_id for t in a.tasks], [t.task_id for t in b.tasks]
    print(f"gold: {len(core)} core pairs, {len(every)} pairs in all; A {len(ids_a)} tasks, B {len(ids_b)} tasks")

    def found(total, mode, settings) -> set:
        return {(ids_a[i], ids_b[j]) for i, j in assign(total, mode, settings)}

    print(f"\none-to-one: thresholds with precision >= {TARGET_PRECISION} and recall >= {TARGET_RECALL}")
    for weight in UNIT_WEIGHTS:
        settings = dataclasses.replace(DEFAULT_SETTINGS, unit_weight=weight)
        total = score_tasks(a, b, settings).total
        figures = [(t, *quality(found(total, "one-to-one", dataclasses.replace(settings, min_score=t)),
                                core, every, "one-to-one")) for t in THRESHOLDS]
        ok = [t for t, p, r in figures if p >= TARGET_PRECISION and r >= TARGET_RECALL]
        best = max(figures, key=lambda f: (2 * f[1] * f[2] / (f[1] + f[2]) if f[1] + f[2] else 0, -f[0]))
        print(f"  unit weight {weight:<4}  band {f'{ok[0]:.3f}–{ok[-1]:.3f}' if ok else 'none':13s}"
              f"  best F1 at {best[0]:.3f}: precision {best[1]:.3f}, recall {best[2]:.3f}")

    print(f"\none-to-many (a B task's best A task from the threshold, else its one-to-one pair at "
          f"{DEFAULT_SETTINGS.min_score}): lowest threshold with precision >= {TARGET_PRECISION}")
    for weight in UNIT_WEIGHTS:
        settings = dataclasses.replace(DEFAULT_SETTINGS, unit_weight=weight)
        total = score_tasks(a, b, settings).total
        for t in THRESHOLDS:
            p, r = quality(found(total, "one-to-many", dataclasses.replace(settings, min_score_many=t)),
                           core, every, "one-to-many")
            if p >= TARGET_PRECISION:
                print(f"  unit weight {weight:<4}  from {t:.3f}: precision {p:.3f}, recall over every gold pair {r:.3f}")
                break
        else:
            print(f"  unit weight {weight:<4}  none")

    print(f"\ndefaults: {DEFAULT_SETTINGS}")
    total = score_tasks(a, b).total
    for mode in ("one-to-one", "one-to-many"):
        pairs = found(total, mode, DEFAULT_SETTINGS)
        p, r = quality(pairs, core, every, mode)
        print(f"  {mode}: {len(pairs)} pairs, precision {p:.3f}, recall {r:.3f} "
              f"(core pairs found {len(pairs & core)}/{len(core)}, gold pairs found {len(pairs & every)}/{len(every)})")


if __name__ == "__main__":
    main()
