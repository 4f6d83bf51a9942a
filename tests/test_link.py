"""graph.link: which stored plan a plan implements, which documents are related, and the
blocked linking of tasks across many plans (the pure parts of `plangraph link`)."""
from __future__ import annotations

import numpy as np
import pytest

from plangraph.graph.compare import compare_plans
from plangraph.graph.compare_input import plan_from_extraction
from plangraph.graph.link import (CitedPlan, DocumentInfo, LinkSettings, candidate_pairs, extraction_citations,
                        implemented_documents, link_all, plan_title_key, related_pairs, upper_first)
from shared_corpus import require_corpus

A_ID, B_ID = "09_shandong_digital_action_plan_2021", "10_jinan_digital_pioneer_city_2021"


# ---------------------------------------------------------------- IMPLEMENTS


def test_a_plan_implements_the_stored_plan_its_preamble_cites(corpus_extractions):
    """The Shandong action plan opens 为贯彻落实《数字山东发展规划（2018—2022年）》: with that
    plan in the store (its title written with other brackets and dashes), it is found."""
    require_corpus()
    e = corpus_extractions[A_ID]
    cites = extraction_citations(e)
    stored = [(A_ID, e.document.title), ("plan_2018", "数字山东发展规划(2018-2022年)"), ("other", "数字山东2022行动方案")]
    assert implemented_documents(cites, stored, A_ID) == [
        CitedPlan("plan_2018", "数字山东发展规划（2018—2022年）", None)]
    assert implemented_documents(cites, [(A_ID, e.document.title)], A_ID) == []


def test_implemented_documents_rules():
    stored = [("sd2021", "山东省人民政府办公厅关于印发数字山东2021行动方案的通知"), ("jn", "济南市数字先锋城市推进方案"),
              ("self", "某市工作方案"), ("copy", "某市工作方案")]
    cites = [("济南市数字先锋城市推进方案", "produces", "2.1"),  # to be produced: not a basis
             ("数字山东2021行动方案", "basis", "3.1"),
             ("数字山东2021行动方案", "basis", None),  # the preamble's citation wins
             ("某市工作方案", "basis", None)]  # its own title (现将《…》印发给你们): not another document of it
    assert implemented_documents(cites, stored, "self") == [CitedPlan("sd2021", "数字山东2021行动方案", None)]
    assert plan_title_key("《国务院关于印发“十四五”数字经济发展规划的通知》") == "十四五数字经济发展规划"
    assert plan_title_key("法治政府建设实施纲要（2021—2025年）") == "法治政府建设实施纲要(2021-2025年)"


# ---------------------------------------------------------------- related documents


def test_related_documents_by_level_region_and_citation():
    infos = [DocumentInfo("nation", "国家", None), DocumentInfo("shandong", "省", "山东省"),
             DocumentInfo("jinan", "市", "济南市"), DocumentInfo("qingdao", "市", "青岛市"),
             DocumentInfo("jinan_2022", "市", "济南市"), DocumentInfo("unknown", None, None)]
    related = related_pairs(infos, implements=[("unknown", "jinan")])
    pairs = {(infos[i].document_id, infos[j].document_id)
             for i in range(len(infos)) for j in range(len(infos))
             if i < j and related(np.array([i]), np.array([j]))[0]}
    assert pairs == {("nation", "shandong"), ("nation", "jinan"), ("nation", "qingdao"), ("nation", "jinan_2022"),
                     ("shandong", "jinan"), ("shandong", "qingdao"), ("shandong", "jinan_2022"),
                     ("jinan", "jinan_2022"),  # versions
                     ("jinan", "unknown")}  # cited; 济南 and 青岛 are peers
    assert upper_first(infos[1], infos[2]) and not upper_first(infos[2], infos[1])
    assert upper_first(DocumentInfo("b", "市", "济南市", "2021-01-01"), DocumentInfo("a", "市", "济南市", "2022-01-01"))


# ---------------------------------------------------------------- blocking


def test_candidate_pairs_share_keys_across_related_documents():
    keys = [["t:法治", "t:执法", "u:司法局"],  # doc 0
            ["t:法治", "t:执法"],  # doc 0: same document as task 0
            ["t:法治", "t:执法", "t:培训"],  # doc 1
            ["t:法治", "t:培训"],  # doc 2 (unrelated to doc 1)
            ["t:执法", "u:司法局", "t:普法"]]  # doc 1
    task_document = np.array([0, 0, 1, 2, 1])

    def related(di, dj):
        return ~(((di == 1) & (dj == 2)) | ((di == 2) & (dj == 1)))

    found = candidate_pairs(keys, task_document, related, LinkSettings(min_shared=2, max_block=10))
    pairs = dict(zip(zip(found.i.tolist(), found.j.tolist()), found.shared.tolist()))
    # not (0, 3), (1, 3), (1, 4): one key; not (2, 3): unrelated documents; not (2, 4): one document
    assert pairs == {(0, 2): 2, (1, 2): 2, (0, 4): 2}
    # a key shared by more than max_block tasks blocks nothing: 法治 and 执法 (4 tasks each) go
    found = candidate_pairs(keys, task_document, related, LinkSettings(min_shared=1, max_block=3))
    assert set(zip(found.i.tolist(), found.j.tolist())) == {(0, 4)}  # 司法局; 培训's pair is unrelated


def test_link_all_on_two_plans_gives_the_comparison(corpus_extractions):
    """Two plans only: the corpus weights are the pair's, and blocking loses none of the pairs
    compare makes (on the gold pair, with the default blocking)."""
    require_corpus()
    a, b = plan_from_extraction(corpus_extractions[A_ID]), plan_from_extraction(corpus_extractions[B_ID])
    infos = {A_ID: DocumentInfo(A_ID, "省", "山东省"), B_ID: DocumentInfo(B_ID, "市", "济南市")}
    report = link_all([b, a], infos, settings=LinkSettings(jobs=1))
    links = {(x.a_document, x.a_task, x.b_document, x.b_task, x.score) for x in report.links}
    expected = {(A_ID, p.a.task_id, B_ID, p.b.task_id, p.score) for p in compare_plans(a, b).pairs}
    assert links == expected  # A is the upper plan whatever the order given
    assert len(report.candidates.i) < len(a.tasks) * len(b.tasks)
    # peers are not linked
    peers = {A_ID: DocumentInfo(A_ID, "市", "青岛市"), B_ID: DocumentInfo(B_ID, "市", "济南市")}
    assert link_all([a, b], peers, settings=LinkSettings(jobs=1)).links == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_key_terms_are_the_same_in_worker_processes(corpus_extractions, jobs):
    require_corpus()
    from plangraph.graph.compare import task_terms
    from plangraph.graph.link import key_terms_of
    plans = [plan_from_extraction(e) for e in corpus_extractions.values()]
    terms = key_terms_of(plans, jobs)
    assert terms == [task_terms(t) for p in plans for t in p.tasks]
