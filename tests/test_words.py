"""ingest.words: the one segmentation, and the cache of its extended dictionary, which must give
back exactly the dictionary it was built from (a wrong one would change every extraction)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from plangraph.ingest.words import DictionaryCache, cut, tokenizer, vocabulary_words

TEXT = "（三）健全依法决策机制。由市司法局牵头单位负责，2022年底前完成。"


def test_words_cover_the_text_and_keep_units_and_role_words_whole():
    starts, words = cut(TEXT)
    assert "".join(words) == TEXT
    assert all(TEXT[s:s + len(w)] == w for s, w in zip(starts, words))
    assert "市司法局" in words and "牵头单位" in words


def test_the_cache_gives_back_the_dictionary_it_was_given(tmp_path):
    dt = tokenizer()
    cache = DictionaryCache(tmp_path / "d.dict")
    cache.write(dt.FREQ, dt.total, dt.user_word_tag_tab)
    freq, total, tags = cache.read()
    assert freq == dt.FREQ and total == dt.total and tags == dt.user_word_tag_tab
    assert list(freq) == list(dt.FREQ)  # the same order too


def test_a_damaged_cache_is_not_read(tmp_path):
    dt = tokenizer()
    cache = DictionaryCache(tmp_path / "d.dict")
    cache.write({"市司法局": 20000, "市": 0}, 20000, {})
    whole = cache.path.read_bytes()
    for damaged in (whole[:-3], whole[:10], b"", b"garbage\n" + whole):
        cache.path.write_bytes(damaged)
        assert cache.read() is None
    assert DictionaryCache(tmp_path / "missing.dict").read() is None
    assert dt.FREQ["市司法局"]  # the live dictionary is untouched


def test_the_cache_is_named_by_what_the_dictionary_is_built_from(tmp_path):
    words = vocabulary_words()
    main = tmp_path / "dict.txt"
    main.write_text("市 10 n\n", encoding="utf-8")
    first = DictionaryCache.for_dictionary(str(main), words)
    assert first == DictionaryCache.for_dictionary(str(main), words)
    assert first != DictionaryCache.for_dictionary(str(main), (*words, "新词"))
    main.write_text("市 11 n\n", encoding="utf-8")
    os.utime(main, ns=(1, 1))
    assert first != DictionaryCache.for_dictionary(str(main), words)
    assert DictionaryCache.for_dictionary(str(tmp_path / "none.txt"), words) is None


def test_a_process_that_reads_the_cache_cuts_as_one_that_built_it(tmp_path):
    code = ("import hashlib, json; from plangraph.ingest.words import tokenizer, cut;"
            "dt = tokenizer();"
            "h = hashlib.sha256(json.dumps(sorted(dt.FREQ.items()), ensure_ascii=False).encode()).hexdigest();"
            f"print(json.dumps([h, dt.total, cut({TEXT!r})[1]], ensure_ascii=False))")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def run() -> list:
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    built = run()
    saved = list((tmp_path / "plangraph").glob("jieba-*.dict"))
    assert len(saved) == 1
    assert run() == built
