"""Plan comparison (graph.compare): quality on the hand-made Shandong/Jinan alignment, the
score and its explanation, the differences of a pair, both modes, and the same answer from a
store (either kind) as from the extractions."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

from compare_gold import TARGET_PRECISION, TARGET_RECALL, gold_pairs, load_gold, quality
from plangraph.graph.compare import (DEFAULT_SETTINGS, MODES, Plan, PlanTask, assign, changed, compare_plans,
                           deadline_change, differences, task_terms)
from plangraph.graph.compare_input import plan_from_extraction, plan_from_store
from plangraph.graph.compare_text import search_terms, stopwords, task_key_terms, unit_function
from plangraph.graph.store import StoreError
from plangraph.ingest.model import Deadline
from plangraph.ingest.words import cut
from shared_corpus import CORPUS, require_corpus

A_ID, B_ID = "09_shandong_digital_action_plan_2021", "10_jinan_digital_pioneer_city_2021"


@pytest.fixture(scope="module")
def gold_plans(corpus_extractions):
    require_corpus()
    return plan_from_extraction(corpus_extractions[A_ID]), plan_from_extraction(corpus_extractions[B_ID])


def found(result) -> set[tuple[str, str]]:
    return {(p.a.task_id, p.b.task_id) for p in result.pairs}


# ---------------------------------------------------------------- quality on the gold


def test_one_to_one_meets_the_targets_on_the_gold(gold_plans):
    a, b = gold_plans
    core, every = gold_pairs(load_gold(), a, b)
    result = compare_plans(a, b, "one-to-one")
    precision, recall = quality(found(result), core, every, "one-to-one")
    assert precision >= TARGET_PRECISION and recall >= TARGET_RECALL, (precision, recall, sorted(found(result)))
    # the unmatched lists follow from the pairs, each task in exactly one place
    assert {t.task_id for t in result.a_only} == {t.task_id for t in a.tasks} - {x for x, _ in found(result)}
    assert {t.task_id for t in result.b_only} == {t.task_id for t in b.tasks} - {y for _, y in found(result)}
    assert len({y for _, y in found(result)}) == len(result.pairs) == len({x for x, _ in found(result)})


def test_one_to_many_finds_several_local_tasks_of_one_upper_task(gold_plans):
    a, b = gold_plans
    core, every = gold_pairs(load_gold(), a, b)
    one, many = found(compare_plans(a, b, "one-to-one")), found(compare_plans(a, b, "one-to-many"))
    precision, _ = quality(many, core, every, "one-to-many")
    assert precision >= TARGET_PRECISION
    assert len(many & every) > len(one & every)  # it finds more of the gold's pairs
    upper = [x for x, _ in many]
    assert any(upper.count(x) > 1 for x in upper)  # one upper task, several local tasks
    assert len({y for _, y in many}) == len(many)  # each local task carries out one upper task


def test_gold_is_consistent(gold_plans):
    """Every task of either plan is in a core pair or listed as unmatched, and core pairs are one-to-one."""
    a, b = gold_plans
    gold = load_gold()
    core, every = gold_pairs(gold, a, b)
    assert len({x for x, _ in core}) == len({y for _, y in core}) == len(core) == 12
    from compare_gold import task_by_prefix
    a_only = {task_by_prefix(a, t["a_text"]) for t in gold["a_only"]}
    b_only = {task_by_prefix(b, t["b_text"]) for t in gold["b_only"]}
    assert a_only | {x for x, _ in core} == {t.task_id for t in a.tasks} and not a_only & {x for x, _ in core}
    assert b_only | {y for _, y in core} == {t.task_id for t in b.tasks} and not b_only & {y for _, y in core}


# ---------------------------------------------------------------- score and explanation


def test_each_pair_explains_its_score(gold_plans):
    a, b = gold_plans
    result = compare_plans(a, b, "one-to-one", dataclasses.replace(DEFAULT_SETTINGS, top_terms=1000))
    for p in result.pairs:
        ev = p.evidence
        w = ev["weights"]
        assert p.score == pytest.approx(ev["text"] + w["units"] * ev["units"] + w["citations"] * ev["citations"],
                                        abs=2e-4)
        # the key terms' contributions add up to the text part
        assert sum(k["weight"] for k in ev["key_terms"]) == pytest.approx(ev["text"], abs=2e-3)
        assert all(k["term"] not in stopwords() for k in ev["key_terms"])
        assert all(unit_function(u["a"], a.region) == unit_function(u["b"], b.region) == u["function"]
                   for u in ev["shared_units"])
    pair = next(p for p in result.pairs if p.a.heading == "加快发展特色数字农业")
    assert pair.b.heading == "推动数字赋能现代农业"
    assert "农业" in [k["term"] for k in pair.evidence["key_terms"][:3]]
    assert {"a": "山东省农业农村厅", "b": "市农业农村局", "function": "农业农村局"} in pair.evidence["shared_units"]
    assert pair.differences["lead"] == {"added": [], "removed": ["山东省农业农村厅"]}  # the city names no lead


def test_unit_mentions_are_units_not_words():
    task = PlanTask("1", "完善执法制度", "1.完善执法制度。(牵头单位:市司法局;参加单位:市大数据局)",
                    lead=("市司法局",), participants=("市大数据局",), unit_spans=((15, 19), (25, 30)))
    from plangraph.graph.compare import task_terms
    terms = task_terms(task)
    assert "执法" in terms and "制度" in terms
    assert not {"司法局", "司法", "大数据", "数据"} & set(terms)
    assert not {"牵头单位", "参加单位", "单位"} & set(terms)  # role words are stop words


def test_task_terms_count_the_heading_twice_and_skip_words_at_the_edges():
    # words of a document: the task is 1.完善执法制度。… ; 基层 crosses its start, 工作 its end
    text = "加强基层1.完善执法制度。由市司法局牵头开展培训工作"
    starts, words = cut(text)
    start, end = text.index("1."), text.index("作")
    mention = (text.index("市司法局"), text.index("市司法局") + 4)
    terms = task_key_terms(starts, words, start, end, "完善执法制度", [mention])
    assert terms.count("执法") == 2 and terms.count("制度") == 2  # heading, then text
    assert "培训" in terms
    assert not {"基层", "工作", "司法局", "司法"} & set(terms)  # outside the task, or a unit


def test_search_terms_give_the_dictionary_parts_of_long_words():
    assert search_terms(["工业互联网"]) == ["工业", "互联", "联网", "互联网", "工业互联网"]
    assert search_terms(["2023", "年", "牵头单位", "IPv6"]) == ["ipv6"]  # numbers, single characters, role words


def test_terms_from_the_documents_words_are_those_of_each_tasks_own_text(corpus_extractions):
    """Ingest reads a task's terms from the words extraction cut the document into; a stored
    plan with terms of an older rule cuts each task's text alone. Both give the same terms."""
    compared = 0
    for extraction in corpus_extractions.values():
        for task in plan_from_extraction(extraction).tasks:
            assert list(task.terms) == task_terms(dataclasses.replace(task, terms=None)), task.task_id
            compared += 1
    assert compared > 300


def test_key_terms_keep_latin_terms_and_drop_numbers():
    terms = search_terms(cut("到2023年，累计建设5G基站4万个以上，推广IPv6。")[1])
    assert "5g" in terms and "ipv6" in terms and "基站" in terms
    assert not {"2023", "4", "以上", "累计", "建设"} & set(terms)


def test_unit_function_is_the_same_across_levels():
    assert unit_function("山东省工业和信息化厅", "山东省") == unit_function("市工业和信息化局") == "工业和信息化局"
    assert unit_function("济南市大数据局", "济南市") == unit_function("山东省大数据局", "山东省") == "大数据局"
    assert unit_function("山东省政府办公厅", "山东省") == unit_function("市政府办公室") == "政府办公室"
    assert unit_function("市委网信办") == unit_function("山东省委网信办", "山东省") == "委网信办"
    assert unit_function("市场监管局") == "市场监管局"  # 市场 is not a level word
    assert unit_function("济南市政府", "山东省") == "济南市政府"  # another region's body keeps its name


def test_comparison_does_not_depend_on_an_extraction_run_before():
    """Key terms are cut with jieba's dictionary as extraction extends it, whether or not an
    extraction ran first in the process (a fresh process that extracts first gives the same terms)."""
    text = "推进“一网通办”，按职责分工负责，牵头单位加强政务服务平台建设。"
    code = ("from plangraph.ingest.segment import get_nlp; get_nlp();"
            "from plangraph.graph.compare_text import search_terms; from plangraph.ingest.words import cut;"
            "import json;"
            f"print(json.dumps(search_terms(cut({text!r})[1])))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == search_terms(cut(text)[1])


# ---------------------------------------------------------------- modes


def test_one_to_one_is_an_optimal_assignment_not_greedy():
    # greedy would take (0, 0) = 0.9 and leave (1, 1) = 0.1; the optimum is 0.8 + 0.8
    total = np.array([[0.9, 0.8], [0.8, 0.1]])
    settings = dataclasses.replace(DEFAULT_SETTINGS, min_score=0.05)
    assert assign(total, "one-to-one", settings) == [(0, 1), (1, 0)]
    assert assign(total, "one-to-one", dataclasses.replace(settings, min_score=0.85)) == []
    assert assign(np.zeros((0, 3)), "one-to-one", settings) == []


def test_one_to_many_gives_each_task_of_b_its_best_upper_task():
    total = np.array([[0.9, 0.5, 0.05], [0.1, 0.6, 0.2]])
    settings = dataclasses.replace(DEFAULT_SETTINGS, min_score=0.3, min_score_many=0.4)
    assert assign(total, "one-to-one", settings) == [(0, 0), (1, 1)]
    assert assign(total, "one-to-many", settings) == [(0, 0), (1, 1)]  # B 2's best (0.2) is too low
    wide = dataclasses.replace(settings, min_score=0.55)
    assert assign(total, "one-to-one", wide) == [(0, 0), (1, 1)]
    total[1, 2] = 0.45
    assert assign(total, "one-to-many", settings) == [(0, 0), (1, 1), (1, 2)]
    # a task of B leaves its one-to-one pair for a better upper task
    total = np.array([[0.9, 0.85], [0.1, 0.35]])
    assert assign(total, "one-to-one", settings) == [(0, 0), (1, 1)]
    assert assign(total, "one-to-many", settings) == [(0, 0), (0, 1)]
    with pytest.raises(ValueError, match="unknown mode"):
        assign(total, "many-to-many", settings)


def test_plans_without_tasks():
    empty = Plan("empty", "空方案", None, ())
    other = Plan("other", "方案", None, (PlanTask("1", "完善执法制度", "1.完善执法制度。"),))
    for mode in MODES:
        result = compare_plans(empty, other, mode)
        assert result.pairs == [] and result.a_only == [] and [t.task_id for t in result.b_only] == ["1"]
        assert compare_plans(other, empty, mode).to_json()["a_only"][0]["task_id"] == "1"


# ---------------------------------------------------------------- differences


def _deadline(text: str, date: str | None, recurring: str | None = None) -> Deadline:
    return Deadline(text=text, date=date, recurring=recurring, start=0, end=len(text))


def test_deadline_changes():
    y22, y23 = _deadline("2022年底前", "2022-12-31"), _deadline("2023年6月底前", "2023-06-30")
    yearly, quarterly = _deadline("每年", None, "yearly"), _deadline("每季度", None, "quarterly")
    assert deadline_change([], [])["change"] == "none"
    assert deadline_change([], [y22]) == {"a": [], "b": ["2022年底前"], "change": "added"}
    assert deadline_change([y22], [])["change"] == "removed"
    assert deadline_change([y22], [y23]) == {"a": ["2022年底前"], "b": ["2023年6月底前"], "change": "moved",
                                             "direction": "later", "a_date": "2022-12-31", "b_date": "2023-06-30"}
    assert deadline_change([y23], [y22])["direction"] == "earlier"
    assert deadline_change([y22], [_deadline("2022年12月底前", "2022-12-31")])["change"] == "same"
    assert deadline_change([yearly], [quarterly])["change"] == "changed"
    assert deadline_change([yearly], [yearly])["change"] == "same"


def test_differences_of_a_pair_by_unit_function():
    a = PlanTask("1", "h", "t", lead=("山东省司法厅",), participants=("山东省财政厅", "山东省有关部门"),
                 citations=("行政处罚法",), deadlines=(_deadline("2022年底前", "2022-12-31"),))
    b = PlanTask("2", "h", "t", lead=("济南市司法局", "济南市大数据局"), responsible=("济南市财政局",),
                 citations=("中华人民共和国行政处罚法", "优化营商环境条例"))
    diff = differences(a, b, "山东省", "济南市")
    assert diff["lead"] == {"added": ["济南市大数据局"], "removed": []}  # 司法局 carries on 司法厅's lead
    assert diff["units"] == {"added": ["济南市大数据局"], "removed": ["山东省有关部门"]}
    assert diff["citations"] == {"added": ["优化营商环境条例"], "removed": []}  # same law, other spelling
    assert diff["deadline"]["change"] == "removed"
    assert changed(diff)
    same = differences(a, a, "山东省", "山东省")
    assert not changed(same) and same["deadline"]["change"] == "same"


# ---------------------------------------------------------------- stores and extractions


def test_a_store_gives_the_comparison_the_extractions_give(store, corpus_extractions, gold_plans):
    store.ingest(corpus_extractions[A_ID])
    store.ingest(corpus_extractions[B_ID])
    a, b = plan_from_store(store, A_ID), plan_from_store(store, B_ID)

    def without_terms(plan):  # a stored task carries its key terms; an extracted one its unit offsets
        return [dataclasses.replace(t, unit_spans=(), terms=None) for t in plan.tasks]

    for stored, extracted in zip((a, b), gold_plans):
        assert (stored.document_id, stored.title, stored.region) == (extracted.document_id, extracted.title,
                                                                     extracted.region)
        assert without_terms(stored) == without_terms(extracted)
        assert all(t.terms is not None for t in stored.tasks)  # no text cut to compare stored plans
        assert [task_terms(t) for t in stored.tasks] == [task_terms(t) for t in extracted.tasks]
    for mode in MODES:
        assert compare_plans(a, b, mode).to_json() == compare_plans(*gold_plans, mode).to_json()
    with pytest.raises(StoreError, match="no document 'nope'"):
        plan_from_store(store, "nope")


def test_json_shape(gold_plans):
    data = compare_plans(*gold_plans).to_json()
    assert list(data) == ["a", "b", "pairs", "a_only", "b_only"]
    assert (data["a"], data["b"]) == (A_ID, B_ID)
    json.dumps(data)  # plain JSON values only
    pair = data["pairs"][0]
    assert list(pair) == ["a", "b", "score", "evidence", "differences"]
    for task in (pair["a"], pair["b"], *data["a_only"], *data["b_only"]):
        assert {"task_id", "heading", "text"} <= set(task)
    texts = {t.task_id: t.text for t in gold_plans[0].tasks}
    assert pair["a"]["text"] == texts[pair["a"]["task_id"]]  # the full text, not an excerpt
    assert set(pair["evidence"]) >= {"text", "units", "citations", "key_terms", "shared_units", "shared_citations"}
    assert set(pair["differences"]) == {"lead", "units", "deadline", "citations"}
    assert isinstance(pair["score"], float)


def test_corpus_files_are_where_the_gold_says():
    gold = load_gold()
    assert (CORPUS / gold["a"]["file"]).stem == A_ID and (CORPUS / gold["b"]["file"]).stem == B_ID
