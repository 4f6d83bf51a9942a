"""What plan comparison reads in a task, and how much each piece weighs.

    key_terms("（七）推动工业互联网创新发展。…")   -> ["工业", "互联网", "工业互联网", …]
    unit_function("山东省工业和信息化厅", "山东省")   -> "工业和信息化局"
    weights = tfidf([terms of task 1, terms of task 2, …])
    cosine(weights.rows(0, n), weights.rows(n, m))   -> similarity matrix

Key terms are jieba's words (search mode: long words also give their parts, so 工业互联网平台
and 工业互联网 share 工业互联网) without single characters, numbers and the domain stop list
(data/compare_stopwords.txt, plus the role words of data/role_words.tsv). A unit's function is
its canonical name without the plan's region and level word, folded across levels by
data/compare_unit_folds.tsv (省司法厅 and 市司法局 are both 司法局). Weights are scikit-learn's
TF-IDF (sublinear term frequency, L2-normalised rows), so the cosine of two rows is the sum of
what each shared term contributes, and that sum is what a match's explanation lists.

jieba and scikit-learn are imported on first use: commands that never compare pay nothing.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from plangraph.ingest.resources import DATA_DIR, load_tsv, read_rows

STOPWORDS_FILE = DATA_DIR / "compare_stopwords.txt"
UNIT_FOLDS_FILE = "compare_unit_folds.tsv"
USER_DICT = DATA_DIR / "jieba_user_dict.txt"

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
def _tokenizer():
    """A jieba tokenizer of our own with the project's user dictionary. Not jieba's global
    one: the extractor adds words to that, and a comparison must not depend on whether an
    extraction ran before it in the same process."""
    import jieba
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    if USER_DICT.exists():
        tokenizer.load_userdict(str(USER_DICT))
    return tokenizer


@lru_cache(maxsize=1)
def terms_version() -> str:
    """What key terms depend on, as a short hash: the stop list, the role words, the jieba user
    dictionary and jieba's version. Stored with the key terms written at ingest
    (Document.terms_version): terms of another version are cut again when linking."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version
    digest = hashlib.sha256()
    for path in (STOPWORDS_FILE, DATA_DIR / "role_words.tsv", USER_DICT):
        digest.update(path.read_bytes() if path.exists() else b"-")
        digest.update(b"\0")
    try:
        digest.update(version("jieba").encode())
    except PackageNotFoundError:  # pragma: no cover - jieba is a dependency
        digest.update(b"?")
    return digest.hexdigest()[:16]


def load_libraries() -> None:
    """Import scikit-learn's vectorizer and load jieba's dictionary now, so the first
    comparison does not wait for them (the app server does this before it answers)."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: F401
    _tokenizer().initialize()


def key_terms(text: str) -> list[str]:
    """The words of `text` that say what it is about, in order, repeats kept (term frequency)."""
    stop = stopwords()
    out = []
    for word in _tokenizer().cut_for_search(text):
        word = word.strip().lower()
        if len(word) >= 2 and _HAS_WORD_CHAR.search(word) and word not in stop:
            out.append(word)
    return out


def masked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """`text` with the character ranges `spans` blanked (unit mentions: they are compared as
    units, not as words)."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(chars))):
            chars[i] = " "
    return "".join(chars)


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
    """scikit-learn's TF-IDF over pre-cut documents (sublinear tf, smooth idf, L2 rows)."""
    from scipy import sparse
    if not any(documents):  # the vectorizer refuses an empty vocabulary
        return Weights(sparse.csr_matrix((len(documents), 0)), np.array([], dtype=object))
    from sklearn.feature_extraction.text import TfidfVectorizer
    vectorizer = TfidfVectorizer(analyzer=list, sublinear_tf=True)
    matrix = vectorizer.fit_transform(documents)
    return Weights(matrix.tocsr(), vectorizer.get_feature_names_out())


def cosine(rows_a, rows_b) -> np.ndarray:
    """Dense matrix of cosines between L2-normalised sparse rows."""
    return np.asarray((rows_a @ rows_b.T).todense(), dtype=float)


def shared_terms(weights: Weights, row_a: int, row_b: int, limit: int) -> list[tuple[str, float]]:
    """The terms two rows share, with what each adds to their cosine, largest first."""
    product = weights.matrix[row_a].multiply(weights.matrix[row_b]).tocoo()
    pairs = sorted(zip(product.col.tolist(), product.data.tolist()), key=lambda cv: (-cv[1], cv[0]))
    return [(str(weights.terms[c]), float(v)) for c, v in pairs[:limit] if v > 0]
