"""ingest.words: the one segmentation, and the cache of its extended dictionary, which must give
back exactly the dictionary it was built from (a wrong one would change every extraction)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from plangraph.ingest.resources import DATA_DIR
from plangraph.ingest.words import DictionaryCache, accurate_cut, cut, tokenizer, vocabulary_words

from shared_corpus import corpus_files, require_corpus

TEXT = "（三）健全依法决策机制。由市司法局牵头单位负责，2022年底前完成。"


def test_words_cover_the_text_and_keep_units_and_role_words_whole():
    starts, words = cut(TEXT)
    assert "".join(words) == TEXT
    assert all(TEXT[s:s + len(w)] == w for s, w in zip(starts, words))
    assert "市司法局" in words and "牵头单位" in words


# one text of each kind the segmenter treats its own way
KINDS = {
    "empty": "",
    "one character": "市",
    "punctuation only": "。，、（）《》",
    "role words and units": TEXT,
    "unknown names go to the HMM": "由鄂尔多斯市康巴什区嘎查村委会和乌兰察布市察右前旗苏木配合。",
    "a name the HMM splits": "请黄蓉蓉和欧阳锋锋同志于下周前往。",
    "latin, digits, dots, hyphens": "推进5G+工业互联网、COVID-19防控和ISO9001.2015认证，完成率达98.5%。",
    "whitespace of every kind": "一、总体要求\r\n\t（一）指导思想\u3000\u3000坚持\n\n 依法行政 \r\n",
    "a long run without punctuation": "深入推进法治政府建设实施纲要" * 40,
    "ties between cuts": "研究生命起源和结婚的和尚未结婚的",
    "rare CJK outside jieba's range": "㐀㐁𠀀市司法局〇",
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_words_are_jiebas_for_every_kind_of_text(kind):
    text = KINDS[kind]
    assert accurate_cut()(text) == list(tokenizer().cut(text, cut_all=False, HMM=True))


def test_unknown_runs_are_cut_by_the_hmm():
    """The HMM case above really reaches jieba.finalseg: it makes words the dictionary lacks."""
    freq = tokenizer().FREQ
    made = [w for w in accurate_cut()(KINDS["unknown names go to the HMM"]) if len(w) > 1 and not freq.get(w)]
    assert made == ["什区", "嘎查"]


def test_the_words_are_jiebas_on_the_bundled_plan():
    text = (DATA_DIR / "changde_fazhi_2021-2025.txt").read_text(encoding="utf-8")
    assert accurate_cut()(text) == list(tokenizer().cut(text, cut_all=False, HMM=True))


def test_the_words_are_jiebas_on_every_corpus_plan():
    require_corpus()
    for path in corpus_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        assert accurate_cut()(text) == list(tokenizer().cut(text, cut_all=False, HMM=True)), path.name


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
