"""Compare two plans task by task (对标对表): which task of B carries out which task of A,
what A asks that B does not take up, what B adds, and what changed in each pair.

    from plangraph.graph.compare import compare_plans
    from plangraph.graph.compare_input import plan_from_store, plan_from_extraction
    result = compare_plans(plan_from_store(store, "09_…"), plan_from_store(store, "10_…"))
    result.to_json()   # {"a", "b", "pairs": [{"a", "b", "score", "evidence", "differences"}], "a_only", "b_only"}

A is the upper (or earlier) plan, B the lower (or later) one. Everything here is a pure
function of two `Plan`s (plain task records), so it works the same on either store and on
extractions that were never stored.

The score of a pair of tasks (every weight and threshold is in `CompareSettings`):

    score = text + UNIT_WEIGHT × units + CITATION_WEIGHT × citations

  text       cosine of the tasks' key terms (jieba words, domain stop list, TF-IDF fitted on
             the tasks of both plans; graph/compare_text.py); units are masked out of the
             text, the heading counts twice
  units      cosine of the TF-IDF-weighted functions of their specific units (collective
             names such as 各区县政府 left out; 省司法厅 and 市司法局 are the same function)
  citations  cosine of the TF-IDF-weighted titles they cite (normalised, graph.records.regulation_key)

Modes: "one-to-one" pairs tasks by an optimal assignment (scipy's linear_sum_assignment on the
scores) and keeps pairs scoring at least `min_score`; "one-to-many" gives each task of B its
best task of A when they score at least `min_score_many`, and its one-to-one pair otherwise, so
one upper task can be carried out by several local tasks. Weights and thresholds were calibrated
on the hand-made alignment tests/data/compare_gold_09_10.json; bench/compare_calibrate.py
prints the grid and bench/README.md the figures.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from plangraph.graph.compare_settings import DEFAULT_SETTINGS, MODES, CompareSettings
from plangraph.graph.compare_text import cosine, shared_terms, task_key_terms, tfidf, unit_function
from plangraph.graph.records import regulation_key
from plangraph.ingest.model import Deadline
from plangraph.ingest.units import is_collective

METHOD = "tfidf-jieba+units+citations"


@dataclass(frozen=True)
class PlanTask:
    """One task as a comparison reads it (built by graph.compare_input from a store's rows or
    an extraction). Unit names are canonical; `unit_spans` are offsets into `text` of the
    unit mentions, left out of the key terms. `terms`: the key terms when already known (a
    store keeps them with each task), so that comparing needs no text cut, nor jieba."""
    task_id: str
    heading: str
    text: str
    section_title: str = ""
    lead: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()  # titles as cited, one per regulation
    deadlines: tuple[Deadline, ...] = ()
    unit_spans: tuple[tuple[int, int], ...] = ()
    terms: tuple[str, ...] | None = None

    @property
    def units(self) -> tuple[str, ...]:
        """Every unit named, lead first, each once."""
        return tuple(dict.fromkeys(self.lead + self.participants + self.responsible))

    def to_json(self) -> dict[str, Any]:
        return {"task_id": self.task_id, "heading": self.heading, "text": self.text,
                "section_title": self.section_title, "lead": list(self.lead),
                "participants": list(self.participants), "responsible": list(self.responsible),
                "deadlines": [d.text for d in self.deadlines], "citations": list(self.citations)}


@dataclass(frozen=True)
class Plan:
    """A document's tasks in order, and the region its unit names carry (山东省, or None)."""
    document_id: str
    title: str
    region: str | None
    tasks: tuple[PlanTask, ...]


@dataclass
class TaskPair:
    a: PlanTask
    b: PlanTask
    score: float
    evidence: dict[str, Any]
    differences: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a.to_json(), "b": self.b.to_json(), "score": self.score,
                "evidence": self.evidence, "differences": self.differences}


@dataclass
class Comparison:
    """The answer of `compare_plans`: pairs in A's task order, and the tasks left over."""
    a: Plan
    b: Plan
    mode: str
    settings: CompareSettings
    pairs: list[TaskPair] = field(default_factory=list)
    a_only: list[PlanTask] = field(default_factory=list)  # not taken up by B
    b_only: list[PlanTask] = field(default_factory=list)  # added by B

    def to_json(self) -> dict[str, Any]:
        """The stable shape of `plangraph compare --format json` (issue 16)."""
        return {"a": self.a.document_id, "b": self.b.document_id,
                "pairs": [p.to_json() for p in self.pairs],
                "a_only": [t.to_json() for t in self.a_only],
                "b_only": [t.to_json() for t in self.b_only]}


# ---------------------------------------------------------------- scores


@dataclass
class Scores:
    """The three similarity matrices (A tasks × B tasks) and the weights that explain them."""
    text: np.ndarray
    units: np.ndarray
    citations: np.ndarray
    terms: Any  # compare_text.Weights of every task's key terms, A's rows first
    settings: CompareSettings

    @property
    def total(self) -> np.ndarray:
        return combined(self.text, self.units, self.citations, self.settings)


def combined(text: np.ndarray, units: np.ndarray, citations: np.ndarray, settings: CompareSettings) -> np.ndarray:
    """The score of pairs from their three similarities (the formula of the module docstring)."""
    return text + settings.unit_weight * units + settings.citation_weight * citations


def task_terms(task: PlanTask) -> list[str]:
    """The key terms of a task (compare_text.task_key_terms): the ones it carries when known
    (from its document's words), else from the words of its own text."""
    if task.terms is not None:
        return list(task.terms)
    from plangraph.ingest.words import cut
    starts, words = cut(task.text)
    return task_key_terms(starts, words, 0, len(task.text), task.heading, task.unit_spans)


def specific_functions(task: PlanTask, region: str | None) -> list[str]:
    """The functions of the task's units, collective names left out, each once."""
    return list(dict.fromkeys(unit_function(u, region) for u in task.units if not is_collective(u)))


def citation_keys(task: PlanTask) -> list[str]:
    """The keys of the titles the task cites (graph.records.regulation_key), each once."""
    return list(dict.fromkeys(k for k in (regulation_key(t) for t in task.citations) if k))


def _similarity(docs_a: list[list[str]], docs_b: list[list[str]]):
    """TF-IDF fitted on both sides' documents; (cosine matrix A × B, the weights)."""
    weights = tfidf(docs_a + docs_b)
    n = len(docs_a)
    return cosine(weights.rows(0, n), weights.rows(n, n + len(docs_b))), weights


def score_tasks(a: Plan, b: Plan, settings: CompareSettings = DEFAULT_SETTINGS) -> Scores:
    """Every pair's text, unit and citation similarity."""
    text, weights = _similarity([task_terms(t) for t in a.tasks], [task_terms(t) for t in b.tasks])
    units, _ = _similarity([specific_functions(t, a.region) for t in a.tasks],
                           [specific_functions(t, b.region) for t in b.tasks])
    citations, _ = _similarity([citation_keys(t) for t in a.tasks], [citation_keys(t) for t in b.tasks])
    return Scores(text, units, citations, weights, settings)


def assign(total: np.ndarray, mode: str, settings: CompareSettings) -> list[tuple[int, int]]:
    """(A index, B index) of the matched pairs, sorted. one-to-one: the optimal assignment,
    pairs under min_score dropped. one-to-many: each B task joins its best A task when they
    score at least min_score_many (ties: the earlier A task), else keeps its one-to-one pair."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} (use one of {', '.join(MODES)})")
    if total.size == 0:
        return []
    from scipy.optimize import linear_sum_assignment
    rows, cols = linear_sum_assignment(total, maximize=True)
    pairs = {int(j): int(i) for i, j in zip(rows, cols) if total[i, j] >= settings.min_score}
    if mode == "one-to-many":
        best = total.argmax(axis=0)
        pairs.update({j: int(best[j]) for j in range(total.shape[1]) if total[best[j], j] >= settings.min_score_many})
    return sorted((i, j) for j, i in pairs.items())


def compare_plans(a: Plan, b: Plan, mode: str = "one-to-one",
                  settings: CompareSettings = DEFAULT_SETTINGS) -> Comparison:
    """Match B's tasks to A's (see the module docstring) and explain every pair."""
    scores = score_tasks(a, b, settings)
    total = scores.total
    matched = assign(total, mode, settings)
    out = Comparison(a, b, mode, settings)
    for i, j in matched:
        ta, tb = a.tasks[i], b.tasks[j]
        out.pairs.append(TaskPair(ta, tb, round(float(total[i, j]), 4), evidence(scores, a, b, i, j, mode),
                                  differences(ta, tb, a.region, b.region)))
    used_a, used_b = {i for i, _ in matched}, {j for _, j in matched}
    out.a_only = [t for i, t in enumerate(a.tasks) if i not in used_a]
    out.b_only = [t for j, t in enumerate(b.tasks) if j not in used_b]
    return out


# ---------------------------------------------------------------- explanation


def evidence(scores: Scores, a: Plan, b: Plan, i: int, j: int, mode: str) -> dict[str, Any]:
    """Why A's task i and B's task j were paired: each part of the score, the key terms they
    share with what each adds to the text part, the units of the same function, the titles
    both cite."""
    s = scores.settings
    terms = shared_terms(scores.terms, i, len(a.tasks) + j, s.top_terms)
    return pair_evidence(a.tasks[i], b.tasks[j], a.region, b.region, f"{METHOD}/{mode}", float(scores.text[i, j]),
                         float(scores.units[i, j]), float(scores.citations[i, j]), terms, s)


def pair_evidence(ta: PlanTask, tb: PlanTask, region_a: str | None, region_b: str | None, method: str,
                  text: float, units: float, citations: float, terms: Sequence[tuple[str, float]],
                  settings: CompareSettings = DEFAULT_SETTINGS) -> dict[str, Any]:
    """A pair's evidence from the parts of its score and its shared key terms (computed now, or
    stored with a MATCHES edge); the units of one function and the titles both cite are facts
    of the two tasks, read from them."""
    shared = []
    functions_b: dict[str, list[str]] = {}
    for u in tb.units:
        if not is_collective(u):
            functions_b.setdefault(unit_function(u, region_b), []).append(u)
    for u in ta.units:
        f = unit_function(u, region_a)
        if not is_collective(u) and f in functions_b:
            shared.extend({"a": u, "b": ub, "function": f} for ub in functions_b.pop(f))
    keys_b = {regulation_key(t): t for t in tb.citations}
    cites = [{"a": t, "b": keys_b[regulation_key(t)]} for t in ta.citations if regulation_key(t) in keys_b]
    return {"method": method,
            "text": round(text, 4),
            "units": round(units, 4),
            "citations": round(citations, 4),
            "weights": {"text": 1.0, "units": settings.unit_weight, "citations": settings.citation_weight},
            "key_terms": [{"term": t, "weight": round(w, 4)} for t, w in terms],
            "shared_units": shared,
            "shared_citations": cites}


# ---------------------------------------------------------------- stored links


def linked_pair(result: Comparison, basis: str = "asked", linked: str = ""):
    """The comparison as the links `plangraph link A B` stores (graph.records.LinkedPair): a
    MATCHES per pair, with the parts of its score and its shared key terms."""
    from plangraph.graph.records import LinkedPair, TaskMatch
    links = [TaskMatch(result.a.document_id, p.a.task_id, result.b.document_id, p.b.task_id, p.score,
                       p.evidence["text"], p.evidence["units"], p.evidence["citations"],
                       tuple(k["term"] for k in p.evidence["key_terms"]),
                       tuple(k["weight"] for k in p.evidence["key_terms"])) for p in result.pairs]
    return LinkedPair(result.a.document_id, result.b.document_id, basis, f"{METHOD}/{result.mode}", result.mode,
                      result.settings.min_score, links, linked)


def stored_comparison(a: Plan, b: Plan, mode: str, matches: Sequence[Any],
                      settings: CompareSettings = DEFAULT_SETTINGS) -> Comparison:
    """The comparison that stored links give (graph.rows.MatchRow of A's and B's tasks): the
    pairs with their stored score and evidence, the differences read from the two tasks now,
    and the tasks left over, as `compare_plans` answers."""
    tasks_a, tasks_b = {t.task_id: t for t in a.tasks}, {t.task_id: t for t in b.tasks}
    order_a, order_b = {t.task_id: k for k, t in enumerate(a.tasks)}, {t.task_id: k for k, t in enumerate(b.tasks)}
    out = Comparison(a, b, mode, settings)
    for m in sorted(matches, key=lambda m: (order_a.get(m.a.task_id, -1), order_b.get(m.b.task_id, -1))):
        ta, tb = tasks_a.get(m.a.task_id), tasks_b.get(m.b.task_id)
        if ta is None or tb is None or (m.a.document_id, m.b.document_id) != (a.document_id, b.document_id):
            continue
        ev = pair_evidence(ta, tb, a.region, b.region, m.method, m.text, m.units, m.citations,
                           [(k["term"], k["weight"]) for k in m.key_terms], settings)
        out.pairs.append(TaskPair(ta, tb, m.score, ev, differences(ta, tb, a.region, b.region)))
    used_a, used_b = {p.a.task_id for p in out.pairs}, {p.b.task_id for p in out.pairs}
    out.a_only = [t for t in a.tasks if t.task_id not in used_a]
    out.b_only = [t for t in b.tasks if t.task_id not in used_b]
    return out


# ---------------------------------------------------------------- differences


def _by_function(names: Sequence[str], region: str | None) -> dict[str, str]:
    """function -> the first name with it."""
    out: dict[str, str] = {}
    for n in names:
        out.setdefault(unit_function(n, region), n)
    return out


def _added_removed(a: dict[str, str], b: dict[str, str]) -> dict[str, list[str]]:
    return {"added": [name for key, name in b.items() if key not in a],
            "removed": [name for key, name in a.items() if key not in b]}


def deadline_change(a: Sequence[Deadline], b: Sequence[Deadline]) -> dict[str, Any]:
    """How B's time limits differ from A's: none (neither has one), same, added, removed,
    moved (the earliest dated limit differs: direction earlier/later) or changed (other
    differences in the limits as written, such as 每年 vs 每季度)."""
    out: dict[str, Any] = {"a": [d.text for d in a], "b": [d.text for d in b]}
    if not a and not b:
        out["change"] = "none"
    elif not a:
        out["change"] = "added"
    elif not b:
        out["change"] = "removed"
    else:
        first_a = min((d.date for d in a if d.date), default=None)
        first_b = min((d.date for d in b if d.date), default=None)
        if first_a and first_b and first_a != first_b:
            out.update(change="moved", direction="earlier" if first_b < first_a else "later",
                       a_date=first_a, b_date=first_b)
        elif first_a == first_b and {d.recurring for d in a} == {d.recurring for d in b}:
            out["change"] = "same"
        else:
            out["change"] = "changed"
    return out


def differences(a: PlanTask, b: PlanTask, region_a: str | None = None,
                region_b: str | None = None) -> dict[str, Any]:
    """What B's task changes in A's: lead units added/removed (by function: 市司法局 carries
    on 省司法厅's lead), units of any role added/removed, the time limit, titles cited."""
    cites_a = {regulation_key(t): t for t in a.citations}
    cites_b = {regulation_key(t): t for t in b.citations}
    return {"lead": _added_removed(_by_function(a.lead, region_a), _by_function(b.lead, region_b)),
            "units": _added_removed(_by_function(a.units, region_a), _by_function(b.units, region_b)),
            "deadline": deadline_change(a.deadlines, b.deadlines),
            "citations": _added_removed(cites_a, cites_b)}


def changed(diff: dict[str, Any]) -> bool:
    """Whether a pair's differences say anything changed."""
    return (any(diff[k][x] for k in ("lead", "units", "citations") for x in ("added", "removed"))
            or diff["deadline"]["change"] not in ("none", "same"))
