"""Linking plans across a store, without comparing every task with every task.

Two pure parts of `plangraph link` (issue 16), which need nothing from a store beyond its
records:

* `PlanTitles.implemented_by` (`implemented_documents` for one plan): which stored documents a
  plan names as its basis
  (为贯彻落实《数字山东发展规划（2018—2022年）》…, 根据《…》): the future
  (:Document)-[:IMPLEMENTS]->(:Document) edges.
* `link_all`: the task pairs of every related pair of plans. Documents are related when one
  implements the other, when they are versions (same region and level), or when one is of a
  higher level than the other (国家 → 省 → 市 → 区县); two peers (two cities) are not. Task
  pairs are blocked: each task is keyed by its heaviest key terms (corpus TF-IDF) and its
  units' functions, keys shared by more than `max_block` tasks are dropped as too common, and
  only pairs sharing `min_shared` keys in related documents are scored, with the same score as
  `graph.compare` (text + 0.05 units + 0.05 citations, corpus-wide weights). Each related pair
  of documents then gets its one-to-one assignment among its candidates, as `compare` does.

    links = link_all([plan_from_store(store, d.document_id) for d in store.documents()],
                     {d.document_id: d for d in store.documents()})
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from plangraph.graph.compare import DEFAULT_SETTINGS, CompareSettings, Plan, citation_keys, combined, specific_functions, task_terms
from plangraph.graph.compare_text import Weights, tfidf
from plangraph.graph.implements import (CitedPlan, PlanTitles, extraction_citations,  # noqa: F401 (re-exported)
                              implemented_documents, plan_title_key)
from plangraph.graph.records import TaskMatch
from plangraph.ingest.units import LEVELS, document_level, document_region

METHOD = "tfidf-corpus+units+citations/blocked/one-to-one"

# ---------------------------------------------------------------- related documents

LEVEL_RANK = {lv: i for i, lv in enumerate(LEVELS)}  # 国家 0 … 乡镇 4


@dataclass(frozen=True)
class DocumentInfo:
    """What relating documents needs: level and region (ingest.units, from issuer and title)."""
    document_id: str
    level: str | None
    region: str | None
    date: str = ""

    @classmethod
    def of(cls, document_id: str, issuer: str | None, title: str | None, date: str | None = "") -> "DocumentInfo":
        return cls(document_id, document_level(issuer, title), document_region(issuer, title), date or "")


def related_pairs(infos: Sequence[DocumentInfo], implements: Iterable[tuple[str, str]] = ()):
    """The rule for which documents' tasks may match, as a function of two arrays of indexes
    into `infos` (a boolean array): either implements the other (`implements`: (citing,
    cited) ids), one is of a higher level than the other (国家 → 省 → 市 → 区县), or they are
    versions (same region, same level). Peers (other regions of one level) and documents of
    unknown level and region are not related."""
    n = len(infos)
    rank = np.array([LEVEL_RANK.get(i.level, -1) if i.level else -1 for i in infos], dtype=np.int64)
    regions: dict[str, int] = {}
    region = np.array([regions.setdefault(i.region, len(regions)) if i.region else -1 for i in infos], dtype=np.int64)
    index = {info.document_id: k for k, info in enumerate(infos)}
    cited = sorted({index[a] * n + index[b] for a, b in implements if a in index and b in index}
                   | {index[b] * n + index[a] for a, b in implements if a in index and b in index})
    cited_codes = np.array(cited, dtype=np.int64)

    def related(di: np.ndarray, dj: np.ndarray) -> np.ndarray:
        by_level = (rank[di] >= 0) & (rank[dj] >= 0) & (rank[di] != rank[dj])
        version = (region[di] >= 0) & (region[di] == region[dj]) & (rank[di] == rank[dj])
        ok = by_level | version
        if len(cited_codes):
            ok |= np.isin(di * n + dj, cited_codes)
        return ok
    return related


def upper_first(a: DocumentInfo, b: DocumentInfo) -> bool:
    """Whether a is the upper (or earlier) plan of the two: higher level, else earlier date, else id."""
    rank_a, rank_b = LEVEL_RANK.get(a.level or "", 9), LEVEL_RANK.get(b.level or "", 9)
    return (rank_a, a.date, a.document_id) <= (rank_b, b.date, b.document_id)


def upper_of_pair(a: DocumentInfo, b: DocumentInfo, cited: set[tuple[str, str]]) -> bool:
    """Whether a is A, the upper plan, of the pair: the plan the other cites as its basis
    (`cited`: (cited, citing) ids), else by `upper_first`."""
    if (a.document_id, b.document_id) in cited:
        return True
    if (b.document_id, a.document_id) in cited:
        return False
    return upper_first(a, b)


# ---------------------------------------------------------------- blocking


@dataclass(frozen=True)
class LinkSettings:
    """Blocking (see the module docstring) and the scores and threshold of graph.compare."""
    # Chosen on the gold alignment and the 1,000-plan bench corpus (bench/README.md): with 32
    # terms the candidates hold every pair compare makes on the gold (16 terms lose some).
    block_terms: int = 32  # a task's key terms that key it: its heaviest ones
    max_block: int = 1000  # a key shared by more tasks blocks nothing
    min_shared: int = 2  # a candidate pair shares at least this many keys
    chunk: int = 2000  # tasks per sparse product (bounds memory)
    jobs: int = 2  # processes cutting the texts into key terms
    compare: CompareSettings = field(default_factory=lambda: DEFAULT_SETTINGS)


@dataclass
class Candidates:
    """Candidate task pairs: global task indexes (i < j) and how many keys they share."""
    i: np.ndarray
    j: np.ndarray
    shared: np.ndarray


def blocking_keys(weights: Weights, unit_functions: Sequence[Sequence[str]], block_terms: int) -> list[list[str]]:
    """Each task's keys: its `block_terms` heaviest key terms ("t:" + term) and its units'
    functions ("u:" + function)."""
    m = weights.matrix
    out = []
    for row in range(m.shape[0]):
        lo, hi = m.indptr[row], m.indptr[row + 1]
        top = m.indices[lo:hi][np.argsort(-m.data[lo:hi], kind="stable")[:block_terms]]
        out.append([f"t:{weights.terms[c]}" for c in top] + [f"u:{f}" for f in unit_functions[row]])
    return out


def candidate_pairs(keys: Sequence[Sequence[str]], task_document: np.ndarray, related, settings: LinkSettings,
                    ) -> Candidates:
    """Pairs of tasks of different, related documents that share at least `min_shared` keys,
    each key shared by at most `max_block` tasks. `related(doc_i, doc_j)` (related_pairs) takes arrays of
    document indexes and says which pairs are related (vectorised). Never forms all pairs:
    the pairs come from a sparse product of the task × key incidence, in chunks of rows."""
    from scipy import sparse
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for r, ks in enumerate(keys):
        for k in set(ks):
            rows.append(r)
            cols.append(vocab.setdefault(k, len(vocab)))
    n = len(keys)
    incidence = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(n, len(vocab)))
    size = np.asarray(incidence.sum(axis=0)).ravel()
    keep = np.flatnonzero((size >= 2) & (size <= settings.max_block))  # a key of one task pairs nothing
    incidence = incidence[:, keep].tocsr()
    transposed = incidence.T.tocsr()
    found_i, found_j, found_n = [], [], []
    for start in range(0, n, settings.chunk):
        block = (incidence[start:start + settings.chunk] @ transposed).tocoo()
        i = block.row.astype(np.int64) + start
        j = block.col.astype(np.int64)
        ok = (i < j) & (block.data >= settings.min_shared)
        i, j, shared = i[ok], j[ok], block.data[ok]
        di, dj = task_document[i], task_document[j]
        ok = (di != dj) & related(di, dj)
        found_i.append(i[ok])
        found_j.append(j[ok])
        found_n.append(shared[ok])
    cat = (lambda parts, dtype: np.concatenate(parts) if parts else np.zeros(0, dtype=dtype))
    return Candidates(cat(found_i, np.int64), cat(found_j, np.int64), cat(found_n, np.int32))


def row_cosines(weights: Weights, i: np.ndarray, j: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    """Cosine of rows i[k] and j[k] of L2-normalised sparse rows, for every k."""
    out = np.zeros(len(i))
    m = weights.matrix
    for s in range(0, len(i), chunk):
        out[s:s + chunk] = np.asarray(m[i[s:s + chunk]].multiply(m[j[s:s + chunk]]).sum(axis=1)).ravel()
    return out


# ---------------------------------------------------------------- link --all


@dataclass
class LinkReport:
    """What link_all did, stage by stage (for the benchmark and the command's summary)."""
    tasks: int = 0
    documents: int = 0
    related_documents: int = 0  # pairs of documents with at least one candidate
    candidates: Candidates | None = None  # the task pairs scored
    pairs: dict[tuple[str, str], list[TaskMatch]] = field(default_factory=dict)  # (A, B) -> their links
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def links(self) -> list[TaskMatch]:
        """Every link, pair by pair."""
        return [m for links in self.pairs.values() for m in links]


def link_basis(a: DocumentInfo, b: DocumentInfo, implements: Iterable[tuple[str, str]] = ()) -> str:
    """Why two related documents are linked (graph.records.LINK_BASES but "asked"): one
    implements the other, else they are of different levels, else versions."""
    pair = {(a.document_id, b.document_id), (b.document_id, a.document_id)}
    if pair & set(implements):
        return "implements"
    return "level" if LEVEL_RANK.get(a.level or "", -1) != LEVEL_RANK.get(b.level or "", -1) else "version"


def text_evidence(weights: Weights, i: np.ndarray, j: np.ndarray, limit: int
                  ) -> tuple[np.ndarray, list[tuple[tuple[str, ...], tuple[float, ...]]]]:
    """For each k: the cosine of rows i[k] and j[k] (L2-normalised), and the terms they share
    with what each adds to it, largest first (ties: the earlier column), at most `limit`,
    rounded to 4 places: graph.compare_text.shared_terms for a million pairs at once."""
    if not len(i):
        return np.zeros(0), []
    product = weights.matrix[i].multiply(weights.matrix[j]).tocsr()
    cosines = np.asarray(product.sum(axis=1)).ravel()
    product.sort_indices()  # columns in order within a row: the stable sort below keeps it for ties
    rows = np.repeat(np.arange(len(i)), np.diff(product.indptr))
    # by row, then largest first: each product of two L2-normalised rows' entries is in (0, 1]
    order = np.argsort(rows * 2.0 + (1.0 - product.data), kind="stable")
    rows, cols, values = rows[order], product.indices[order], product.data[order]
    first = np.searchsorted(rows, np.arange(len(i)))
    keep = (np.arange(len(rows)) - first[rows] < limit) & (values > 0)
    rows, cols, values = rows[keep], cols[keep], np.round(values[keep], 4)
    bounds = np.searchsorted(rows, np.arange(len(i) + 1)).tolist()
    terms = weights.terms[cols].tolist()
    values = values.tolist()
    return cosines, [(tuple(terms[lo:hi]), tuple(values[lo:hi])) for lo, hi in zip(bounds, bounds[1:])]


def _terms_of(tasks) -> list[list[str]]:
    return [task_terms(t) for t in tasks]


def key_terms_of(plans: Sequence[Plan], jobs: int) -> list[list[str]]:
    """Every task's key terms, in plan order, cut in `jobs` processes (jieba is the cost)."""
    tasks = [t for p in plans for t in p.tasks]
    if jobs <= 1 or len(tasks) < 2000:
        return _terms_of(tasks)
    size = -(-len(tasks) // (jobs * 8))
    parts = [tasks[k:k + size] for k in range(0, len(tasks), size)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return [terms for part in pool.map(_terms_of, parts) for terms in part]


def link_all(plans: Sequence[Plan], documents: Mapping[str, DocumentInfo],
             implements: set[tuple[str, str]] = frozenset(), settings: LinkSettings = LinkSettings(),
             terms: Sequence[Sequence[str]] | None = None) -> LinkReport:
    """The MATCHES links among every related pair of plans (see the module docstring).
    `documents`: DocumentInfo per document id; `implements`: (citing, cited) document ids;
    `terms`: each task's key terms when already known (else cut here)."""
    import time
    from scipy.optimize import linear_sum_assignment
    report = LinkReport(documents=len(plans))
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[name] = now - clock
        clock = now

    tasks = [(d, t) for d, p in enumerate(plans) for t in p.tasks]
    report.tasks = len(tasks)
    task_document = np.array([d for d, _ in tasks], dtype=np.int64)
    terms = list(terms) if terms is not None else key_terms_of(plans, settings.jobs)
    lap("key terms")
    text = tfidf(terms)
    functions = [specific_functions(t, plans[d].region) for d, t in tasks]
    units = tfidf(functions)
    citations = tfidf([citation_keys(t) for _, t in tasks])
    lap("weights")

    infos = [documents[p.document_id] for p in plans]
    related = related_pairs(infos, implements)

    keys = blocking_keys(text, functions, settings.block_terms)
    found = candidate_pairs(keys, task_document, related, settings)
    report.candidates = found
    lap("blocking")
    s = settings.compare
    score = combined(row_cosines(text, found.i, found.j), row_cosines(units, found.i, found.j),
                     row_cosines(citations, found.i, found.j), s)
    lap("scores")

    di, dj = task_document[found.i], task_document[found.j]
    order = np.lexsort((dj, di))
    bounds = np.flatnonzero(np.diff(di[order]) | np.diff(dj[order])) + 1
    cited = {(b, a) for a, b in implements}  # (cited, citing): the cited plan is A
    chosen: list[tuple[int, int, int, int, float]] = []  # (A doc, B doc, A task, B task, score)
    for group in np.split(order, bounds) if len(order) else []:
        a_doc, b_doc = int(di[group[0]]), int(dj[group[0]])
        ia, ib = found.i[group], found.j[group]
        if not upper_of_pair(infos[a_doc], infos[b_doc], cited):
            a_doc, b_doc, ia, ib = b_doc, a_doc, ib, ia
        rows, row_of = np.unique(ia, return_inverse=True)
        cols, col_of = np.unique(ib, return_inverse=True)
        matrix = np.zeros((len(rows), len(cols)))
        matrix[row_of, col_of] = score[group]
        for r, c in zip(*linear_sum_assignment(matrix, maximize=True)):
            if matrix[r, c] >= s.min_score:
                chosen.append((a_doc, b_doc, int(rows[r]), int(cols[c]), round(float(matrix[r, c]), 4)))
        report.related_documents += 1
    lap("assignment")
    li = np.array([x[2] for x in chosen], dtype=np.int64)
    lj = np.array([x[3] for x in chosen], dtype=np.int64)
    text_part, shared = text_evidence(text, li, lj, s.top_terms)
    parts = [np.round(x, 4).tolist() for x in (text_part, row_cosines(units, li, lj), row_cosines(citations, li, lj))]
    task_ids = [t.task_id for _, t in tasks]
    doc_ids = [p.document_id for p in plans]
    for (a_doc, b_doc, i, j, value), x, y, z, (terms_k, weights_k) in zip(chosen, *parts, shared):
        a_id, b_id = doc_ids[a_doc], doc_ids[b_doc]
        links = report.pairs.get((a_id, b_id))
        if links is None:
            links = report.pairs[(a_id, b_id)] = []
        links.append(TaskMatch(a_id, task_ids[i], b_id, task_ids[j], value, x, y, z, terms_k, weights_k))
    lap("evidence")
    return report
