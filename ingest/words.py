"""The words of a text: jieba's segmentation with the project's dictionary, the one cut that
extraction reads (ingest.segment puts it into a spaCy Doc) and that plan comparison takes each
task's key terms from (graph.compare_text). No spaCy here, so comparing stored plans whose
terms must be cut again does not load the extraction pipeline.

    starts, words = cut("1.完善执法制度。")   # words cover the text exactly, in order
    tokenizer().FREQ                           # the dictionary, for search-mode parts

jieba's dictionary is extended from data/ so that units and role words stay whole words:
data/jieba_user_dict.txt, and every role label, role verb and citation verb of
ingest.vocab (from DICTIONARY_FILES).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from plangraph.ingest.resources import DATA_DIR

USER_DICT = DATA_DIR / "jieba_user_dict.txt"
# every file the extended dictionary is read from (graph.compare_text.terms_version hashes them)
DICTIONARY_FILES = (USER_DICT, DATA_DIR / "role_words.tsv", DATA_DIR / "citation_verbs.tsv")
# a word added from the vocabulary outweighs the general words it overlaps
VOCABULARY_FREQ = 20000


@lru_cache(maxsize=1)
def tokenizer():
    """jieba's global tokenizer with the extended dictionary (see the module docstring), loaded
    once per process from the user's cache (DictionaryCache) when it holds this very dictionary,
    else built and saved there."""
    import jieba
    jieba.setLogLevel(logging.WARNING)
    dt = jieba.dt
    words = vocabulary_words()
    main = dt.dictionary or os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)
    cache = DictionaryCache.for_dictionary(main, words)
    loaded = cache.read() if cache else None
    if loaded is not None:
        dt.FREQ, dt.total, tags = loaded
        dt.user_word_tag_tab.update(tags)
        dt.initialized = True
        return dt
    if USER_DICT.exists():
        jieba.load_userdict(str(USER_DICT))
    for word in words:
        jieba.add_word(word, freq=VOCABULARY_FREQ)
    if cache:
        cache.write(dt.FREQ, dt.total, dt.user_word_tag_tab)
    return dt


def vocabulary_words() -> tuple[str, ...]:
    """The words ingest.vocab adds to jieba's dictionary: role labels, role verbs, citation verbs."""
    from plangraph.ingest.vocab import vocabulary
    vocab = vocabulary()
    return (*vocab.labels, *vocab.verbs, *vocab.citation_verbs)


@dataclass(frozen=True)
class DictionaryCache:
    """The extended dictionary as one file in the user's cache folder ($XDG_CACHE_HOME or
    ~/.cache, then plangraph/), named by a hash of everything it is built from: jieba's version
    and dictionary file, the user dictionary and the added words. Loading it is several times
    faster than jieba's own cache (marshal) and needs no rebuild of the additions; it holds
    only strings and integers (no pickle), so a planted file cannot run code.

    Layout: one JSON line (total, byte length of the words, word tags), the words in UTF-8
    joined by NUL, then each word's frequency as a little-endian int64."""
    path: Path

    @classmethod
    def for_dictionary(cls, dictionary: str, words: Sequence[str]) -> "DictionaryCache | None":
        """The cache of this dictionary; None when there is no cache folder to use."""
        from importlib.metadata import PackageNotFoundError, version
        digest = hashlib.sha256()
        try:
            digest.update(version("jieba").encode())
            stat = os.stat(dictionary)
        except (PackageNotFoundError, OSError):
            return None
        digest.update(f"\0{dictionary}\0{stat.st_size}\0{stat.st_mtime_ns}\0{VOCABULARY_FREQ}\0".encode())
        digest.update(USER_DICT.read_bytes() if USER_DICT.exists() else b"-")
        digest.update("\0".join(words).encode())
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return cls(Path(base) / "plangraph" / f"jieba-{digest.hexdigest()[:20]}.dict")

    def read(self) -> tuple[dict[str, int], int, dict[str, str]] | None:
        """(frequencies, total, tags), or None when the file is missing or not whole."""
        try:
            data = self.path.read_bytes()
            head_end = data.index(b"\n")
            head = json.loads(data[:head_end])
            start = head_end + 1
            end = start + head["words_bytes"]
            words = data[start:end].decode("utf-8").split("\0")
            freqs = array("q")
            freqs.frombytes(data[end:])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if sys.byteorder != "little":
            freqs.byteswap()
        if len(words) != len(freqs):
            return None
        return dict(zip(words, freqs)), int(head["total"]), dict(head["tags"])

    def write(self, freq: dict[str, int], total: int, tags: dict[str, str]) -> None:
        """Save the dictionary whole (a temporary file renamed over), or not at all."""
        words = list(freq)
        blob = "\0".join(words).encode("utf-8")
        freqs = array("q", (freq[w] for w in words))
        if sys.byteorder != "little":
            freqs.byteswap()
        head = json.dumps({"total": total, "words_bytes": len(blob), "tags": tags}, ensure_ascii=False)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".jieba-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(head.encode("utf-8") + b"\n" + blob + freqs.tobytes())
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass  # no cache: the next process builds the dictionary again


def cut(text: str) -> tuple[list[int], list[str]]:
    """(start offset of each word, the words): jieba's accurate mode with HMM, whitespace and
    punctuation kept as words, so the words joined give `text` back."""
    words = list(tokenizer().cut(text, cut_all=False, HMM=True))  # jieba yields no empty word
    starts = [0, *accumulate(map(len, words[:-1]))] if words else []
    return starts, words
