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
import math
import os
import sys
import tempfile
from array import array
from collections.abc import Callable, Sequence
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
    words = accurate_cut()(text)  # no empty word
    starts = [0, *accumulate(map(len, words[:-1]))] if words else []
    return starts, words


@lru_cache(maxsize=1)
def accurate_cut() -> Callable[[str], list[str]]:
    """`jieba.dt.cut(text, cut_all=False, HMM=True)` as a list, the same words from the same
    dictionary (tokenizer()) and the same HMM for unknown runs (jieba.finalseg), computed in one
    pass per block.

    Why not jieba's own: segmentation is most of extraction's time, and jieba's accurate mode
    builds a dict of candidate ends per character (get_DAG), then scores them through a
    generator of tuples (calc). Here each block is scored from its end in one loop over the
    prefixes, with jieba's arithmetic in jieba's order and its tie rule (on equal scores the
    longer word wins, as `max` over (score, end) picks), so the words are identical;
    tests/test_words.py checks that against jieba on every kind of text. About twice as fast
    (bench/README.md)."""
    import jieba
    from jieba import finalseg

    dt = tokenizer()
    freq_of = dt.FREQ.get  # the dictionary: every word and, with frequency 0, every prefix
    log_total = math.log(dt.total)
    log = math.log
    hmm_cut = finalseg.cut
    han_block = jieba.re_han_default  # jieba cuts runs of Han, Latin and digits; the rest by char
    space_split, space_match = jieba.re_skip_default.split, jieba.re_skip_default.match

    def cut_han(block: str, out: list[str]) -> None:
        n = len(block)
        score = [0.0] * (n + 1)  # best log probability of block[i:], jieba's route[i][0]
        end = [0] * (n + 1)  # last index of the first word of that best cut, route[i][1]
        for start in range(n - 1, -1, -1):
            best = None
            best_end = start
            stop = start + 1
            f = freq_of(block[start])
            while f is not None:  # block[start:stop] is a word or a prefix of one
                if f:
                    s = log(f) - log_total + score[stop]
                    if best is None or s >= best:
                        best, best_end = s, stop - 1
                if stop >= n:
                    break
                stop += 1
                f = freq_of(block[start:stop])
            if best is None:  # no word starts here: the character alone
                best = log(freq_of(block[start]) or 1) - log_total + score[start + 1]
            score[start], end[start] = best, best_end
        # single characters in a row are one buffer: an unknown run goes to the HMM (jieba's __cut_DAG)
        single = ""
        i = 0
        while i < n:
            j = end[i] + 1
            if j - i == 1:
                single += block[i]
            else:
                if single:
                    _flush(single, out)
                    single = ""
                out.append(block[i:j])
            i = j
        if single:
            _flush(single, out)

    def _flush(single: str, out: list[str]) -> None:
        if len(single) == 1:
            out.append(single)
        elif not freq_of(single):
            out.extend(hmm_cut(single))
        else:
            out.extend(single)

    def words(text: str) -> list[str]:
        out: list[str] = []
        for block in han_block.split(text):
            if not block:
                continue
            if han_block.match(block):
                cut_han(block, out)
            else:
                for piece in space_split(block):
                    if space_match(piece):
                        out.append(piece)
                    else:
                        out.extend(piece)
        return out

    return words
