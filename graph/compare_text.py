"""What plan comparison reads in a task, and how much each piece weighs.

    search_terms(cut("（七）推动工业互联网创新发展。…")[1])   -> ["工业", "互联网", "工业互联网", …]
    unit_function("山东省工业和信息化厅", "山东省")   -> "工业和信息化局"
    weights = tfidf([terms of task 1, terms of task 2, …])
    cosine(weights.rows(0, n), weights.rows(n, m))   -> similarity matrix

Key terms are jieba's words (search mode: long words also give their parts, so 工业互联网平台
and 工业互联网 share 工业互联网) without single characters, numbers and the domain stop list
(data/compare_stopwords.txt, plus the role words of data/role_words.tsv). The words are those
extraction cut the document into (ingest.words.cut), so ingest cuts no text twice: a task's
terms are read from the document's words (task_key_terms). A unit's function is
its canonical name without the plan's region and level word, folded across levels by
data/compare_unit_folds.tsv (省司法厅 and 市司法局 are both 司法局). Weights are TF-IDF as
scikit-learn computes it (sublinear term frequency, L2-normalised rows), so the cosine of two
rows is the sum of what each shared term contributes, and that sum is what a match's
explanation lists.

jieba and scipy are imported on first use: commands that never compare pay nothing.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from plangraph.ingest.resources import DATA_DIR, load_tsv, read_rows

if TYPE_CHECKING:
    from plangraph.ingest.model import Extraction, Task

STOPWORDS_FILE = DATA_DIR / "compare_stopwords.txt"
UNIT_FOLDS_FILE = "compare_unit_folds.tsv"
# the definition of key terms in terms_version: a new one when task_key_terms changes
TERMS_RULE = "words of the document's segmentation, 2"

_HAS_WORD_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_LEVEL_WORDS = ("省", "市", "县", "区")
_NOT_A_LEVEL = ("市场", "区县", "县区", "县市", "市县", "区域")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The domain stop list and every role word (牵头单位, 按职责分工负责 …)."""
    words = set()
    with STOPWORDS_FILE.open(encoding="utf-8") as fh:
        for line in fh:
            word = line.split("#", 1)[0].strip()
            if word:
                words.add(word)
    words.update(row["word"] for row in load_tsv("role_words.tsv"))
    return frozenset(words)


@lru_cache(maxsize=1)
def terms_version() -> str:
    """What key terms depend on, as a short hash: the rule below (TERMS_RULE), the stop list,
    the files of jieba's extended dictionary and jieba's version. Stored with the key terms
    written at ingest (Document.terms_version): terms of another version are cut again when
    linking."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version
    from plangraph.ingest.words import DICTIONARY_FILES
    digest = hashlib.sha256(TERMS_RULE.encode())
    for path in (STOPWORDS_FILE, *DICTIONARY_FILES):
        digest.update(path.read_bytes() if path.exists() else b"-")
        digest.update(b"\0")
    try:
        digest.update(version("jieba").encode())
    except PackageNotFoundError:  # pragma: no cover - jieba is a dependency
        digest.update(b"?")
    return digest.hexdigest()[:16]


def load_libraries(cutting: bool = True) -> None:
    """Import what a comparison needs now, so the first one does not wait for it (the app
    server does this before it answers): scipy's sparse matrices and assignment, and with
    `cutting` jieba's dictionary, large in memory (plans read from a store carry the key terms
    stored with their tasks and need no cutting)."""
    from scipy import sparse  # noqa: F401
    from scipy.optimize import linear_sum_assignment  # noqa: F401
    if cutting:
        from plangraph.ingest.words import tokenizer
        tokenizer().initialize()


def search_terms(words: Iterable[str]) -> list[str]:
    """The key terms among `words` (jieba's words of some text, ingest.words.cut), in order,
    repeats kept (term frequency): each word of two characters or more that is not a number or
    a stop word, and before a long word its dictionary parts of two and three characters
    (jieba's search mode), so 工业互联网平台 and 工业互联网 share 工业互联网."""
    out: list[str] = []
    for word in words:
        if len(word) >= 2:  # a shorter word gives no term
            out.extend(word_terms(word))
    return out


@lru_cache(maxsize=1 << 15)
def word_terms(word: str) -> tuple[str, ...]:
    """The key terms one word gives (search_terms), remembered: a plan's words repeat."""
    from plangraph.ingest.words import tokenizer
    freq = tokenizer().FREQ
    stop = stopwords()
    out = []

    def keep(term: str) -> None:
        term = term.strip().lower()
        if len(term) >= 2 and _HAS_WORD_CHAR.search(term) and term not in stop:
            out.append(term)

    n = len(word)
    if n > 2:
        for i in range(n - 1):
            if freq.get(word[i:i + 2]):
                keep(word[i:i + 2])
    if n > 3:
        for i in range(n - 2):
            if freq.get(word[i:i + 3]):
                keep(word[i:i + 3])
    keep(word)
    return tuple(out)


def task_key_terms(starts: Sequence[int], words: Sequence[str], start: int, end: int, heading: str,
                   unit_spans: Sequence[tuple[int, int]]) -> list[str]:
    """A task's key terms from the words of the text it lies in (`starts`, `words`: ingest.words.cut
    of the whole document, or of the task's text alone): the terms of its heading, then those of
    its words from `start` to `end` without the words that touch a unit mention (`unit_spans`,
    same offsets: units are compared as units, not as words). The heading says in a few words
    what the task is, so its terms count twice. Words crossing `start` or `end` are left out."""
    lo, hi = bisect_left(starts, start), bisect_left(starts, end)
    while hi > lo and starts[hi - 1] + len(words[hi - 1]) > end:
        hi -= 1
    head_at = "".join(words[lo:hi]).find(heading) if heading and lo < hi else -1
    head_start = starts[lo] + head_at if head_at >= 0 else 0
    head_end = head_start + len(heading) if head_at >= 0 else 0
    mentions = _merged(unit_spans)
    heading_words, text_words = [], []
    k = 0
    for i in range(lo, hi):
        w_start, word = starts[i], words[i]
        w_end = w_start + len(word)
        if head_start <= w_start and w_end <= head_end:
            heading_words.append(word)
        while k < len(mentions) and mentions[k][1] <= w_start:
            k += 1
        if k < len(mentions) and mentions[k][0] < w_end:
            continue  # the word touches a unit mention
        text_words.append(word)
    return search_terms(heading_words) + search_terms(text_words)


def extraction_task_terms(extraction: "Extraction", task: "Task", unit_spans: Sequence[tuple[int, int]]) -> list[str]:
    """The key terms of one task of `extraction` (task_key_terms over the words extraction cut
    the document into; `unit_spans`: offsets into the document text of its unit mentions)."""
    if extraction.words is None:
        from plangraph.ingest.words import cut
        extraction.words = cut(extraction.text)
    starts, words = extraction.words
    return task_key_terms(starts, words, task.start, task.end, task.heading or "", unit_spans)


def _merged(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` sorted, overlapping ones joined."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


@lru_cache(maxsize=1)
def _unit_folds() -> tuple[tuple[str, str, str], ...]:
    rows = []
    for row in read_rows(UNIT_FOLDS_FILE):
        if row[0] not in ("suffix", "exact"):
            raise ValueError(f"{UNIT_FOLDS_FILE}: unknown match {row[0]!r}")
        rows.append((row[0], row[1], row[2]))
    return tuple(rows)


@lru_cache(maxsize=1 << 14)
def unit_function(name: str, region: str | None = None) -> str:
    """The body's function, comparable across plans and levels: the canonical name without
    the plan's region (山东省…) or a bare level word (市…, 省…), folded by
    data/compare_unit_folds.tsv. Names of other regions keep them (济南市政府 in a province plan)."""
    text = name
    if region and text.startswith(region) and len(text) > len(region):
        text = text[len(region):]
    elif text.startswith(_LEVEL_WORDS) and not text.startswith(_NOT_A_LEVEL) and len(text) > 2:
        text = text[1:]
    for match, src, dst in _unit_folds():
        if match == "exact" and text == src:
            return dst
        if match == "suffix" and text.endswith(src):
            return text[: len(text) - len(src)] + dst
    return text


@dataclass
class Weights:
    """TF-IDF rows of a list of documents (each a list of terms) and the terms of the columns."""
    matrix: Any  # scipy.sparse CSR, one L2-normalised row per document
    terms: np.ndarray  # column -> term

    def rows(self, start: int, stop: int):
        return self.matrix[start:stop]


def tfidf(documents: Sequence[Sequence[str]]) -> Weights:
    """TF-IDF over pre-cut documents, as scikit-learn's TfidfVectorizer(sublinear_tf=True)
    computes it (tests/test_compare_text.py holds the two equal): columns are the terms in
    sorted order; tf = 1 + ln(count); idf = ln((1 + n) / (1 + df)) + 1 (smooth); rows
    L2-normalised. Written out here so that the app server, which holds a province's plans,
    does not carry scikit-learn in memory for these few lines (bench/README.md)."""
    from scipy import sparse
    first_seen: dict[str, int] = {}
    for doc in documents:
        for term in doc:
            first_seen.setdefault(term, len(first_seen))
    vocabulary = sorted(first_seen)
    column = {term: i for i, term in enumerate(vocabulary)}
    # A row's entries in the order the terms were first seen, as scikit-learn leaves them: the
    # sums below (norms here, cosines later) then add the same numbers in the same order.
    indptr, indices, counts = [0], [], []
    for doc in documents:
        row = Counter(doc)
        for term in sorted(row, key=first_seen.__getitem__):
            indices.append(column[term])
            counts.append(row[term])
        indptr.append(len(indices))
    indices_a = np.array(indices, dtype=np.int64)
    data = np.log(np.array(counts, dtype=np.float64)) + 1.0
    df = np.bincount(indices_a, minlength=len(vocabulary)).astype(np.float64)
    idf = np.log((len(documents) + 1.0) / (df + 1.0)) + 1.0
    data *= idf[indices_a]
    norms = []
    values = data.tolist()
    for lo, hi in zip(indptr, indptr[1:]):
        total = 0.0
        for x in values[lo:hi]:  # summed in order, as scikit-learn does: the same floats
            total += x * x
        norms.append(math.sqrt(total) or 1.0)
    data /= np.repeat(np.array(norms), np.diff(indptr))
    matrix = sparse.csr_matrix((data, indices_a, np.array(indptr, dtype=np.int64)),
                               shape=(len(documents), len(vocabulary)))
    return Weights(matrix, np.array(vocabulary, dtype=object))


def cosine(rows_a, rows_b) -> np.ndarray:
    """Dense matrix of cosines between L2-normalised sparse rows."""
    return np.asarray((rows_a @ rows_b.T).todense(), dtype=float)


def shared_terms(weights: Weights, row_a: int, row_b: int, limit: int) -> list[tuple[str, float]]:
    """The terms two rows share, with what each adds to their cosine, largest first."""
    product = weights.matrix[row_a].multiply(weights.matrix[row_b]).tocoo()
    pairs = sorted(zip(product.col.tolist(), product.data.tolist()), key=lambda cv: (-cv[1], cv[0]))
    return [(str(weights.terms[c]), float(v)) for c, v in pairs[:limit] if v > 0]
