"""The comparison's modes, weights and thresholds (graph/compare.py reads them).

Kept apart from the comparison itself, which needs numpy and scipy, so that the command line
can offer the choices and print the defaults without loading either.
"""
from __future__ import annotations

from dataclasses import dataclass

MODES = ("one-to-one", "one-to-many")


@dataclass(frozen=True)
class CompareSettings:
    """Weights and thresholds (see the module docstring and bench/compare_calibrate.py)."""
    unit_weight: float = 0.05  # the largest that keeps the gold's band of good thresholds
    citation_weight: float = 0.05  # as units: the gold's tasks cite nothing to calibrate it on
    min_score: float = 0.12  # pairs of the assignment below it are dropped (inside the gold's band)
    min_score_many: float = 0.19  # one-to-many: a B task joins its best A task from here
    top_terms: int = 6  # key terms listed in a pair's evidence


DEFAULT_SETTINGS = CompareSettings()
