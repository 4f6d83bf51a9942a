"""The synthetic check: plans of the bench corpus (bench/corpus.py) built on the same real plan
share some tasks (shuffled, renumbered, units renamed to another region and written in alias
forms) and each has its own tasks drawn from other plans. Every synthetic task knows which real
task it is a copy of; comparing two such plans must pair exactly the copies."""
from __future__ import annotations

from collections import Counter

import pytest

from bench.corpus import build_corpus, plan_name, synthetic_plan, task_origins
from plangraph.graph.compare import compare_plans
from plangraph.graph.compare_input import plan_from_extraction
from shared_corpus import require_corpus

BASES = 7  # plans i and i + 7 are built on the same real plan


@pytest.fixture(scope="module")
def plan_pairs(tmp_path_factory) -> list:
    """For each real plan: two synthetic plans built on it, each with its tasks' origins."""
    require_corpus()
    from plangraph.ingest.pipeline import extract_file
    folder = tmp_path_factory.mktemp("synthetic")
    pairs = []
    for base in range(BASES):
        plans = []
        for index in (base, base + BASES):
            text, origins = synthetic_plan(index)
            path = folder / f"{plan_name(index)}.txt"
            path.write_text(text, encoding="utf-8")
            e = extract_file(path)
            plans.append((plan_from_extraction(e),
                          dict(zip([t.id for t in e.tasks], task_origins([t.start for t in e.tasks], origins)))))
        pairs.append(plans)
    return pairs


def test_synthetic_plans_know_where_their_text_came_from(tmp_path):
    require_corpus()
    text, origins = synthetic_plan(3)
    assert origins[0].start == 0 and origins[-1].end == len(text)
    assert all(x.end == y.start for x, y in zip(origins, origins[1:]))
    [path] = build_corpus(1, tmp_path)
    assert path.read_text(encoding="utf-8") == synthetic_plan(0)[0]  # the corpus is these texts
    kept = {o.origin for o in synthetic_plan(3)[1]} & {o.origin for o in synthetic_plan(3 + BASES)[1]}
    assert any(":text" not in o for o in kept) and any(":text" in o for o in kept)


def test_compare_pairs_exactly_the_copies_of_the_same_task(plan_pairs):
    for (a, origin_a), (b, origin_b) in plan_pairs:
        in_a, in_b = Counter(origin_a.values()), Counter(origin_b.values())
        copies = {"one-to-one": sum((in_a & in_b).values()),  # a task copied twice into one plan pairs once
                  "one-to-many": sum(n for o, n in in_b.items() if o in in_a)}  # every copy in B finds one in A
        assert copies["one-to-one"] >= 10, (a.document_id, b.document_id)
        for mode in ("one-to-one", "one-to-many"):
            result = compare_plans(a, b, mode)
            right = [p for p in result.pairs if origin_a[p.a.task_id] == origin_b[p.b.task_id]]
            other = [p for p in result.pairs if origin_a[p.a.task_id] != origin_b[p.b.task_id]]
            assert len(right) == copies[mode], (a.document_id, b.document_id, mode)  # every copy found
            # copies score above every other pair the comparison makes (tasks left over pair up
            # with similar siblings of their plan at the default threshold, see bench/README.md)
            assert min(p.score for p in right) > max((p.score for p in other), default=0.0)
            assert all(p.evidence["text"] >= 0.8 for p in right)
