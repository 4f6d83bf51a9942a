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

import logging
from functools import lru_cache
from itertools import accumulate

from plangraph.ingest.resources import DATA_DIR

USER_DICT = DATA_DIR / "jieba_user_dict.txt"
# every file the extended dictionary is read from (graph.compare_text.terms_version hashes them)
DICTIONARY_FILES = (USER_DICT, DATA_DIR / "role_words.tsv", DATA_DIR / "citation_verbs.tsv")
# a word added from the vocabulary outweighs the general words it overlaps
VOCABULARY_FREQ = 20000


@lru_cache(maxsize=1)
def tokenizer():
    """jieba's global tokenizer, extended once per process (see the module docstring)."""
    import jieba
    from plangraph.ingest.vocab import vocabulary
    jieba.setLogLevel(logging.WARNING)
    if USER_DICT.exists():
        jieba.load_userdict(str(USER_DICT))
    vocab = vocabulary()
    for word in (*vocab.labels, *vocab.verbs, *vocab.citation_verbs):
        jieba.add_word(word, freq=VOCABULARY_FREQ)
    return jieba.dt


def cut(text: str) -> tuple[list[int], list[str]]:
    """(start offset of each word, the words): jieba's accurate mode with HMM, whitespace and
    punctuation kept as words, so the words joined give `text` back."""
    words = list(tokenizer().cut(text, cut_all=False, HMM=True))  # jieba yields no empty word
    starts = [0, *accumulate(map(len, words[:-1]))] if words else []
    return starts, words
