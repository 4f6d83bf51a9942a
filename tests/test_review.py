"""`plangraph check`: what the extractor could not read, measured against the gold corpus.

Targets (issue 13): the findings name at least 90% of the statements whose units the
extractor missed, with at most one false finding per 20 statements read correctly. Measured
on the corpus as it is and on damaged copies where statements use role words the extractor
does not know (tests/review_eval.py).
"""
from __future__ import annotations

import pytest

from plangraph.ingest.pipeline import extract_text
from review_eval import damage, measure_corpus
from shared_corpus import CORPUS, GOLD, require_corpus

MIN_RECALL = 0.90
MAX_FALSE_RATE = 1 / 20


@pytest.mark.parametrize("damaged", [False, True], ids=["corpus", "damaged"])
def test_check_names_the_statements_the_extractor_missed(damaged):
    require_corpus()
    m = measure_corpus(GOLD, CORPUS, damaged)
    assert m.statements > 700
    if damaged:
        assert m.missed > 100  # the damage does make the extractor miss statements
    assert m.recall >= MIN_RECALL, m.examples[:10]
    assert m.false_rate <= MAX_FALSE_RATE, (m.false_findings, m.statements - m.missed)


def test_damage_replaces_role_words_with_unknown_ones():
    gold = {"clauses": [{"text": "（牵头单位：甲局）"}, {"text": "（乙局负责）"}, {"text": "（丙局负责）"},
                        {"text": "（丁局、戊局负责）"}]}
    text = "1.甲。（牵头单位：甲局）\n2.乙。（乙局负责）\n3.丙。（丙局负责）\n4.丁。（丁局、戊局负责）\n"
    damaged, spans = damage(text, gold)
    assert damaged == "1.甲。（主抓单位：甲局）\n2.乙。（乙局负责）\n3.丙。（丙局负责）\n4.丁。（丁局、戊局承担）\n"
    assert [damaged[s:e] for s, e in spans] == ["（主抓单位：甲局）", "（乙局负责）", "（丙局负责）", "（丁局、戊局承担）"]


@pytest.mark.parametrize("plan, kind, text", [
    ("某市方案\n一、任务\n1.推进甲。（联系单位：某市司法局）\n", "unread_statement", "（联系单位：某市司法局）"),
    ("某市方案\n一、任务\n1.推进甲。（某市司法局抓落实）\n", "unread_statement", "（某市司法局抓落实）"),
    ("某市方案\n一、任务\n1.推进甲。（牵头单位：高质量发展推进小组成员）\n", "unknown_unit", "高质量发展推进小组成员"),
    ("某市方案\n一、任务\n1.推进甲。\n5.1亿元用于乙。\n", "unlabelled_number", "5.1亿元用于乙。"),
])
def test_each_kind_of_finding(plan, kind, text):
    findings = extract_text(plan).findings
    assert [(f.kind, f.text) for f in findings] == [(kind, text)]


def test_a_task_without_units_among_siblings_that_have_them():
    plan = "某市方案\n一、任务\n" + "".join(f"{i}.推进第{i}项。（牵头单位：某市司法局）\n" for i in range(1, 6)) + "6.推进第6项。\n"
    findings = extract_text(plan).findings
    assert [(f.kind, f.task_id) for f in findings] == [("task_without_units", "1.6")]


@pytest.mark.parametrize("plan", [
    "某市方案\n一、任务\n1.推进各县（市、区）工作。（牵头单位：某市司法局）\n",  # levels qualifying a name
    "某市方案\n一、任务\n1.推进工作（含社区）。（牵头单位：某市司法局）\n",  # a remark in brackets
    "某市方案\n一、任务\n1.建立由某市司法局牵头的联席会议机制。（牵头单位：某市司法局）\n",
])
def test_what_is_read_or_is_no_statement_gives_no_finding(plan):
    assert extract_text(plan).findings == []
