"""graph.compare_text.tfidf is scikit-learn's TfidfVectorizer(sublinear_tf=True), written out
so the app server need not import scikit-learn: the same columns, the same entries in the
same order and the same floats, so every score and every listed term stays as it was."""
from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.feature_extraction import text as sklearn_text  # a dev dependency: the reference

from plangraph.graph.compare import task_terms
from plangraph.graph.compare_input import plan_from_extraction
from plangraph.graph.compare_text import tfidf


def reference(documents: list[list[str]]):
    vectorizer = sklearn_text.TfidfVectorizer(analyzer=list, sublinear_tf=True)
    return vectorizer.fit_transform(documents).tocsr(), list(vectorizer.get_feature_names_out())


def assert_same(documents: list[list[str]]) -> None:
    matrix, terms = reference(documents)
    got = tfidf(documents)
    assert list(got.terms) == terms
    assert np.array_equal(got.matrix.indptr, matrix.indptr)
    assert np.array_equal(got.matrix.indices, matrix.indices)
    assert np.array_equal(got.matrix.data, matrix.data)  # bit for bit, not merely close


@pytest.mark.parametrize("seed", range(20))
def test_tfidf_equals_scikit_learn_on_random_documents(seed):
    rng = random.Random(seed)
    words = [f"词{i}" for i in range(200)] + ["工业", "互联网", "工业互联网"]
    documents = [[rng.choice(words) for _ in range(rng.randint(0, 40))] for _ in range(rng.randint(1, 60))]
    documents[0].append("工业")  # scikit-learn refuses an empty vocabulary
    assert_same(documents)


def test_tfidf_equals_scikit_learn_on_the_tasks_of_real_plans(corpus_extractions):
    documents = [task_terms(t) for e in corpus_extractions.values() for t in plan_from_extraction(e).tasks]
    assert len(documents) > 300
    assert_same(documents)


def test_tfidf_of_documents_without_terms_is_an_empty_matrix():
    weights = tfidf([[], []])
    assert weights.matrix.shape == (2, 0) and list(weights.terms) == []
