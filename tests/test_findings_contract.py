"""The findings' contract: what `plangraph check` names, stored with each document, answered
the same by both stores.

The plans: the dev2 plans in which the extractor finds something it could not read, a
damaged copy of the Changde plan (every third statement's role word replaced by one the
extractor does not know, as tests/review_eval.py does) and a synthetic plan. Each answer is
checked against the Extraction objects' own findings, and the two stores against each other.
"""
from __future__ import annotations

import json
from collections import Counter

import pytest

from browser_harness import REVIEW_PLAN_TEXT
from conftest import STORE_PARAMS, open_test_store
from plangraph.graph.store import StoreError
from plangraph.ingest.model import FINDING_KINDS
from review_eval import damage
from shared_corpus import CHANGDE, CORPUS, GOLD, require_corpus

DEV2_WITH_FINDINGS = ("39_qingdao_ai_chanyeyuan_shishi_xize_2023",
                      "41_jiangxi_shicheng_hezhangzhi_xiangzhen_kaohe_table_2018",
                      "46_shandong_keji_chuangxin_yinling_ai_chanye_2025_2027")
DAMAGED = f"{CHANGDE}_damaged"
DOC_SETS = {"all": None, "damaged": [DAMAGED], "two": [DAMAGED, "river"], "none": []}


@pytest.fixture(scope="module")
def extractions() -> dict:
    require_corpus()
    from plangraph.ingest.pipeline import extract_file, extract_text
    out = {}
    for name in DEV2_WITH_FINDINGS:
        e = extract_file(CORPUS / "dev2" / f"{name}.txt")
        out[e.document.id] = e
    gold = json.loads((GOLD / f"{CHANGDE}.json").read_text(encoding="utf-8"))
    text, _spans = damage((CORPUS / f"{CHANGDE}.txt").read_text(encoding="utf-8").replace("\r\n", "\n"), gold)
    out[DAMAGED] = extract_text(text, f"{DAMAGED}.txt")
    out["river"] = extract_text(REVIEW_PLAN_TEXT, "river.txt")
    for e in out.values():  # the reference below takes the extraction's task ids as stored
        assert len({t.id for t in e.tasks}) == len(e.tasks)
    return out


def _findings_store(kind: str, extractions, tmp_path_factory):
    with open_test_store(kind, tmp_path_factory.mktemp("findings")) as store:
        for e in extractions.values():
            store.ingest(e)
        yield store


@pytest.fixture(scope="module")
def embedded_findings(extractions, tmp_path_factory):
    yield from _findings_store("embedded", extractions, tmp_path_factory)


@pytest.fixture(scope="module")
def neo4j_findings(extractions, tmp_path_factory):
    yield from _findings_store("neo4j", extractions, tmp_path_factory)


@pytest.fixture(params=STORE_PARAMS)
def fstore(request):
    return request.getfixturevalue(f"{request.param}_findings")


def reference(extractions, docs=None, kinds=FINDING_KINDS) -> list[tuple]:
    """(document, position, kind, text, start, end, task id, task heading) of every finding,
    straight from the extractions, in the order the API states."""
    out = []
    for doc_id in sorted(extractions):
        if docs is not None and doc_id not in docs:
            continue
        e = extractions[doc_id]
        headings = {t.id: t.heading for t in e.tasks}
        out += [(doc_id, i, f.kind, f.text, f.start, f.end, f.task_id, headings.get(f.task_id))
                for i, f in enumerate(e.findings) if f.kind in kinds]
    return out


def rows(found) -> list[tuple]:
    return [(f.document_id, f.position, f.kind, f.text, f.start, f.end, f.task_id, f.task_heading) for f in found]


def test_the_plans_have_findings_of_several_kinds(extractions):
    kinds = Counter(f.kind for e in extractions.values() for f in e.findings)
    assert sum(kinds.values()) >= 10 and len(kinds) >= 3, kinds
    assert all(extractions[d].findings for d in (*DEV2_WITH_FINDINGS, DAMAGED, "river"))


@pytest.mark.parametrize("docs", DOC_SETS.values(), ids=DOC_SETS.keys())
def test_findings_are_the_extractions(fstore, extractions, docs):
    assert rows(fstore.findings(docs)) == reference(extractions, docs)


@pytest.mark.parametrize("kinds", [["unread_statement"], ["task_without_units", "unlabelled_number"]])
def test_findings_of_some_kinds(fstore, extractions, kinds):
    assert rows(fstore.findings(kinds=kinds)) == reference(extractions, kinds=kinds)


def test_pages_are_slices_of_the_whole_answer(fstore):
    whole = fstore.findings()
    pages, offset = [], 0
    while True:
        page = fstore.findings(limit=4, offset=offset)
        pages += page
        if len(page) < 4:
            break
        offset += 4
    assert pages == whole
    assert fstore.findings(limit=0) == []


def test_findings_of_each_task(fstore, extractions):
    for doc_id, e in extractions.items():
        for t in e.tasks:
            want = [r for r in reference(extractions, [doc_id]) if r[6] == t.id]
            assert rows(fstore.findings_of_task(doc_id, t.id)) == want, (doc_id, t.id)


@pytest.mark.parametrize("docs", DOC_SETS.values(), ids=DOC_SETS.keys())
def test_finding_counts(fstore, extractions, docs):
    want = {d: {k: sum(f.kind == k for f in extractions[d].findings) for k in FINDING_KINDS}
            for d in sorted(extractions) if docs is None or d in docs}
    assert fstore.finding_counts(docs) == want


def test_bad_arguments_are_store_errors(fstore):
    with pytest.raises(StoreError, match="unknown finding kind"):
        fstore.findings(kinds=["gap"])
    with pytest.raises(StoreError, match="limit"):
        fstore.findings(limit=-1)


@pytest.mark.neo4j
def test_stores_give_identical_answers(embedded_findings, neo4j_findings):
    a, b = embedded_findings, neo4j_findings
    for docs in DOC_SETS.values():
        assert a.findings(docs) == b.findings(docs)
        assert a.finding_counts(docs) == b.finding_counts(docs)
        assert a.findings(docs, limit=3, offset=2) == b.findings(docs, limit=3, offset=2)
        for kind in FINDING_KINDS:
            assert a.findings(docs, kinds=[kind]) == b.findings(docs, kinds=[kind])
    for f in a.findings():
        if f.task_id:
            assert a.findings_of_task(f.document_id, f.task_id) == b.findings_of_task(f.document_id, f.task_id)
