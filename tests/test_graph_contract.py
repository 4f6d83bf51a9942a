"""The contract: every query, on both stores, after ingesting the Changde plan and the dev corpus.

Each answer is checked three ways: against a plain-Python reference computed straight from
the Extraction objects, against the gold files (../shared/corpus/gold: Changde's
"orphans"/"collective_only" lists; for the dev documents the same lists derived from the
gold clauses and task openings), and the two stores against each other.
"""
from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import STORE_PARAMS, fail_write_step, open_test_store
from plangraph.graph.gaps import GAP_KINDS
from plangraph.graph.records import merge_shared_props, regulation_key, regulation_props, unit_key, unit_props
from plangraph.graph.rows import TaskLink
from plangraph.graph.store import StoreError
from plangraph.ingest.model import ROLES
from plangraph.ingest.units import document_level, document_region
from shared_corpus import CHANGDE, CHANGDE_PATH, GOLD

PROJECT_COPY = Path(__file__).resolve().parent.parent / "data" / f"{CHANGDE}.txt"
AS_OF = "2023-07-01"

if not CHANGDE_PATH.exists():  # pragma: no cover
    pytest.skip("shared corpus not available", allow_module_level=True)


@pytest.fixture(scope="module")
def extractions(corpus_extractions) -> dict:
    return corpus_extractions


# The province and city plans of the compare gold, linked as `plangraph link A B` links them:
# every query, not_taken_up too, then has links to answer about.
LINKED_A, LINKED_B = "09_shandong_digital_action_plan_2021", "10_jinan_digital_pioneer_city_2021"
LINKED_AT = "2026-12-03T10:00:00"


def ref_comparison(extractions):
    from plangraph.graph.compare import compare_plans
    from plangraph.graph.compare_input import plan_from_extraction
    return compare_plans(plan_from_extraction(extractions[LINKED_A]), plan_from_extraction(extractions[LINKED_B]))


def _load(store, extractions) -> None:
    from plangraph.graph.compare import linked_pair
    for e in extractions.values():
        store.ingest(e)
    store.write_links(linked_pair(ref_comparison(extractions), "asked", LINKED_AT))


@pytest.fixture(scope="module")
def embedded_corpus(extractions, tmp_path_factory):
    with open_test_store("embedded", tmp_path_factory.mktemp("contract")) as store:
        _load(store, extractions)
        yield store


@pytest.fixture(scope="module")
def neo4j_corpus(extractions, tmp_path_factory):
    with open_test_store("neo4j", tmp_path_factory.mktemp("contract")) as store:
        _load(store, extractions)
        yield store


@pytest.fixture(params=STORE_PARAMS)
def cstore(request):
    return request.getfixturevalue(f"{request.param}_corpus")


# ---------------------------------------------------------------- plain-Python reference

def canon(a) -> str:
    return unit_key(a.canonical or a.unit)


def all_tasks(extractions, docs=None):
    for doc_id, e in extractions.items():
        if docs is None or doc_id in docs:
            for t in e.tasks:
                yield doc_id, t


def valid(assignments):
    return [a for a in assignments if canon(a) and a.role in ROLES]


def carrying_out(assignments):
    """The assignments of units that carry the task out: a guide (指导) does not."""
    return [a for a in valid(assignments) if a.role != "guide"]


def ref_regulation_props(extractions) -> dict[str, dict]:
    """Regulation key -> node properties: the best resolution over every citation stored."""
    out: dict[str, dict] = {}
    for e in extractions.values():
        for c in [c for t in e.tasks for c in t.citations] + e.citations:
            key = regulation_key(c.title)
            if key:
                out[key] = merge_shared_props("Regulation", out.get(key),
                                              regulation_props(key, c.title, c.issuer_prefix))
    return out


def ref_unit_props(extractions) -> dict[str, dict]:
    """Unit name -> node properties (kind, level …) merged over every mention stored."""
    out: dict[str, dict] = {}
    for e in extractions.values():
        level = document_level(e.document.issuer, e.document.title)
        region = document_region(e.document.issuer, e.document.title)
        for t in e.tasks:
            for a in valid(t.assignments):
                out[canon(a)] = merge_shared_props("Unit", out.get(canon(a)),
                                                   unit_props(canon(a), a.unit, a.collective, level, region))
    return out


def ref_orphans(extractions, kind, docs=None, as_of=AS_OF) -> list[tuple[str, str]]:
    if kind == "not_taken_up":  # the gap of the lower plan: A's tasks that B's do not carry out
        if docs is not None and LINKED_B not in docs:
            return []
        return [(LINKED_A, t.task_id) for t in ref_comparison(extractions).a_only]
    out = []
    status = {k: p["status"] for k, p in ref_regulation_props(extractions).items()}
    for doc_id, t in all_tasks(extractions, docs):
        a = valid(t.assignments)
        hit = {
            "no_lead": bool(a) and not any(x.role == "lead" for x in a),
            "collective_only": bool(carrying_out(a)) and all(x.collective for x in carrying_out(a)),
            "unassigned": not a,
            "no_deadline": not t.deadlines,
            "deadline_passed": any(d.date and d.date < as_of for d in t.deadlines),
            "deliverable_no_deadline": any(c.relation == "produces" and regulation_key(c.title)
                                           for c in t.citations) and not t.deadlines,
            "unresolved_citation": any(status.get(regulation_key(c.title)) == "unknown" for c in t.citations),
        }[kind]
        if hit:
            out.append((doc_id, t.id))
    return out


def ref_workload(extractions, docs=None) -> dict[str, tuple]:
    roles: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    documents: dict[str, set] = defaultdict(set)
    for doc_id, t in all_tasks(extractions, docs):
        for a in valid(t.assignments):
            roles[canon(a)][a.role].add((doc_id, t.id))
            roles[canon(a)]["any"].add((doc_id, t.id))
            documents[canon(a)].add(doc_id)
    return {u: (len(r["lead"]), len(r["participant"]), len(r["responsible"]), len(r["guide"]), len(r["any"]),
                len(documents[u])) for u, r in roles.items()}


def ref_regulations(extractions, docs=None) -> dict[str, tuple]:
    acc: dict[str, list] = defaultdict(lambda: [0, 0, set(), set()])
    for doc_id, e in extractions.items():
        if docs is not None and doc_id not in docs:
            continue
        cites = [(c, t.id) for t in e.tasks for c in t.citations] + [(c, None) for c in e.citations]
        for c, tid in cites:
            key = regulation_key(c.title)
            if not key:
                continue
            acc[key][1 if c.relation == "produces" else 0] += 1
            acc[key][3].add(doc_id)
            if tid is not None:
                acc[key][2].add((doc_id, tid))
    return {k: (b, p, len(t), len(d)) for k, (b, p, t, d) in acc.items()}


def ref_co_edges(extractions, docs=None, include_collective=True) -> dict[tuple[str, str], int]:
    collective = defaultdict(bool)
    for _d, t in all_tasks(extractions):
        for a in valid(t.assignments):
            collective[canon(a)] |= bool(a.collective)
    w: dict[tuple[str, str], int] = defaultdict(int)
    for _d, t in all_tasks(extractions, docs):
        names = sorted({canon(a) for a in carrying_out(t.assignments)
                        if include_collective or not collective[canon(a)]})
        for i, x in enumerate(names):
            for y in names[i + 1:]:
                w[(x, y)] += 1
    return dict(w)


def keyed(rows) -> list[tuple[str, str]]:
    return [(r.document_id, r.task_id) for r in rows]


DOC_SETS = {"all": None, "changde": [CHANGDE], "two_dev": ["03_guobanfa2020-45_elderly_smart_tech",
                                                          "09_shandong_digital_action_plan_2021"]}


# ---------------------------------------------------------------- every query vs the reference

def test_documents(cstore, extractions):
    got = {d.document_id: d for d in cstore.documents()}
    assert set(got) == set(extractions)
    for doc_id, e in extractions.items():
        d = got[doc_id]
        assert d.title == (e.document.title or "") and d.sha256 == (e.document.sha256 or "")
        assert d.tasks == len(e.tasks)
        assert d.units == len({canon(a) for t in e.tasks for a in valid(t.assignments)})
        assert d.assignments == sum(len(valid(t.assignments)) for t in e.tasks)
        assert d.regulations == len(ref_regulations(extractions, [doc_id]))
        assert d.sections == len({t.section for t in e.tasks if t.section})
        assert cstore.document_text(doc_id) == e.text
    assert [d.document_id for d in cstore.documents([CHANGDE])] == [CHANGDE]


@pytest.mark.parametrize("docs", DOC_SETS.values(), ids=DOC_SETS.keys())
def test_tasks(cstore, extractions, docs):
    rows = cstore.tasks(docs)
    assert keyed(rows) == sorted(((d, t.id) for d, t in all_tasks(extractions, docs)),
                                 key=lambda k: (k[0], [t.id for t in extractions[k[0]].tasks].index(k[1])))
    for r in rows[:: max(1, len(rows) // 40)]:
        t = next(t for t in extractions[r.document_id].tasks if t.id == r.task_id)
        assert (r.heading, r.text, r.start, r.end) == (t.heading, t.text, t.start, t.end)
        assert set(r.lead) == {canon(a) for a in valid(t.assignments) if a.role == "lead"}
        assert set(r.responsible) == {canon(a) for a in valid(t.assignments) if a.role == "responsible"}
        assert [d.text for d in r.deadlines] == [d.text for d in t.deadlines]


@pytest.mark.parametrize("kind", GAP_KINDS)
@pytest.mark.parametrize("docs", DOC_SETS.values(), ids=DOC_SETS.keys())
def test_orphans(cstore, extractions, kind, docs):
    assert sorted(keyed(cstore.orphans(kind, as_of=AS_OF, document_ids=docs))) == \
        sorted(ref_orphans(extractions, kind, docs))


@pytest.mark.parametrize("docs", DOC_SETS.values(), ids=DOC_SETS.keys())
def test_gap_counts_match_the_lists(cstore, extractions, docs):
    assert cstore.gap_counts(as_of=AS_OF, document_ids=docs) == \
        {k: len(ref_orphans(extractions, k, docs)) for k in GAP_KINDS}


def _pages(fetch, size: int) -> list:
    """Every page of `size` rows in turn, until a short one."""
    out, offset = [], 0
    while True:
        got = fetch(limit=size, offset=offset)
        out.extend(got)
        if len(got) < size:
            return out
        offset += size


@pytest.mark.parametrize("docs", [None, [CHANGDE]], ids=["all", "changde"])
def test_pages_are_slices_of_the_whole_answer(cstore, docs):
    """What the app and CLI page through: page after page gives the whole list, in order."""
    whole = cstore.tasks(docs)
    assert _pages(lambda **kw: cstore.tasks(docs, **kw), 37) == whole
    assert cstore.tasks(docs, limit=5, offset=10) == whole[10:15]
    assert cstore.tasks(docs, limit=0) == [] and cstore.tasks(docs, offset=len(whole)) == []
    for kind in ("no_lead", "no_deadline", "deadline_passed", "unresolved_citation"):
        rows = cstore.orphans(kind, AS_OF, docs)
        assert _pages(lambda **kw: cstore.orphans(kind, AS_OF, docs, **kw), 9) == rows
    busiest = cstore.workload(docs)[0].unit
    rows = cstore.tasks_of_unit(busiest, document_ids=docs)
    assert _pages(lambda **kw: cstore.tasks_of_unit(busiest, document_ids=docs, **kw), 11) == rows
    assert cstore.tasks_of_unit(busiest, ["lead"], docs, limit=3) == cstore.tasks_of_unit(busiest, ["lead"], docs)[:3]
    made = cstore.deliverables(docs)
    assert len(made) > 3 and _pages(lambda **kw: cstore.deliverables(docs, **kw), 3) == made
    assert cstore.deliverables(docs, limit=4, offset=len(made) - 2) == made[-2:]
    top = max(cstore.regulations(None, docs), key=lambda r: r.tasks).key  # cited in the most tasks
    assert len(cstore.tasks_citing(top, None, docs)) > 1 and cstore.tasks_citing(top, None, docs, limit=0) == []
    for relation in (None, "basis", "produces"):
        cites = cstore.tasks_citing(top, relation, docs)
        assert _pages(lambda **kw: cstore.tasks_citing(top, relation, docs, **kw), 1) == cites


@pytest.mark.parametrize("docs", DOC_SETS.values(), ids=DOC_SETS.keys())
def test_task_links_are_the_rows_without_text(cstore, docs):
    """What the network drawing of many plans reads instead of full rows."""
    rows = cstore.tasks(docs)
    links = cstore.task_links(docs)
    assert links == [TaskLink.of(r) for r in rows] and links
    assert [link.number for link in links] == [r.number for r in rows]


# How much each store reads at a time for task_links: links (SQLite), documents (Neo4j).
LINK_PARTS = {"EmbeddedStore": "_LINKS_PER_READ", "Neo4jStore": "_LINK_DOCUMENTS_PER_READ"}


@pytest.mark.parametrize("per_read", [1, 3])
@pytest.mark.parametrize("docs", DOC_SETS.values(), ids=DOC_SETS.keys())
def test_task_links_read_in_parts_are_the_whole_answer(cstore, docs, monkeypatch, per_read):
    """A drawing of a province's plans reads 50k links, so the stores read them in parts;
    however small the parts, they join up to every task's link, in task order."""
    whole = [TaskLink.of(r) for r in cstore.tasks(docs)]
    monkeypatch.setattr(type(cstore), LINK_PARTS[type(cstore).__name__], per_read)
    assert cstore.task_links(docs) == whole and whole


@pytest.mark.neo4j
@pytest.mark.parametrize("docs", [None, [CHANGDE]], ids=["all", "changde"])
def test_long_task_answers_read_in_parts_are_the_whole_answer(neo4j_corpus, embedded_corpus, docs, monkeypatch):
    """Neo4j reads an answer of more than TASK_ROWS_PER_READ task rows as keys, then rows
    in parts (every task of 10,000 plans as one list is more than the server lets a
    transaction hold). However small the parts, the answer is the embedded store's."""
    busiest = embedded_corpus.workload(docs)[0].unit
    asks = {"tasks": lambda s: s.tasks(docs),
            "orphans": lambda s: s.orphans("no_deadline", AS_OF, docs),
            "tasks_of_unit": lambda s: s.tasks_of_unit(busiest, document_ids=docs),
            "a page": lambda s: s.tasks(docs, limit=50, offset=20)}
    monkeypatch.setattr(type(neo4j_corpus), "TASK_ROWS_PER_READ", 7)
    for name, ask in asks.items():
        want = ask(embedded_corpus)
        assert len(want) > 7, name
        assert ask(neo4j_corpus) == want, name


@pytest.mark.parametrize("bad", [{"limit": -1}, {"offset": -1}, {"limit": "10"}, {"offset": 1.5}])
def test_bad_page_is_a_store_error(cstore, bad):
    with pytest.raises(StoreError, match="limit|offset"):
        cstore.tasks(**bad)
    with pytest.raises(StoreError, match="limit|offset"):
        cstore.orphans("no_lead", **bad)
    with pytest.raises(StoreError, match="limit|offset"):
        cstore.deliverables(**bad)
    with pytest.raises(StoreError, match="limit|offset"):
        cstore.tasks_citing("行政处罚法", **bad)


@pytest.mark.parametrize("docs", DOC_SETS.values(), ids=DOC_SETS.keys())
def test_workload(cstore, extractions, docs):
    rows = cstore.workload(docs)
    assert {w.unit: (w.lead, w.participant, w.responsible, w.guide, w.total, w.documents) for w in rows} == \
        ref_workload(extractions, docs)
    assert [(w.total, w.lead) for w in rows] == sorted(((w.total, w.lead) for w in rows), reverse=True)
    props = ref_unit_props(extractions)
    assert {w.unit: (w.kind, w.kind_label, w.level, w.collective) for w in rows} == \
        {w.unit: (props[w.unit]["kind"], props[w.unit]["kind_label"], props[w.unit]["level"] or None,
                  props[w.unit]["collective"]) for w in rows}


def test_tasks_of_unit_by_role(cstore, extractions):
    busiest = [w.unit for w in cstore.workload()[:6]]
    for unit in busiest:
        for roles in (None, ["lead"], ["participant"], ["responsible"], ["guide"], ["lead", "responsible"]):
            want = sorted({(d, t.id) for d, t in all_tasks(extractions) for a in valid(t.assignments)
                           if canon(a) == unit and (roles is None or a.role in roles)})
            assert sorted(keyed(cstore.tasks_of_unit(unit, roles))) == want, (unit, roles)
    assert keyed(cstore.tasks_of_unit(busiest[0], document_ids=[CHANGDE])) == \
        [k for k in keyed(cstore.tasks_of_unit(busiest[0])) if k[0] == CHANGDE]


def test_units_of_task(cstore, extractions):
    for doc_id, e in extractions.items():
        for t in e.tasks[:: max(1, len(e.tasks) // 8)]:
            got = cstore.units_of_task(doc_id, t.id)
            assert sorted((u.unit, u.role, u.start, u.end) for u in got) == \
                sorted((canon(a), a.role, a.start, a.end) for a in valid(t.assignments))
            props = ref_unit_props(extractions)
            assert [(u.kind, u.level) for u in got] == \
                [(props[u.unit]["kind"], props[u.unit]["level"] or None) for u in got]
            for u in got:  # provenance: the offsets point at the mention in the document text
                assert e.text[u.start:u.end] == u.mention


@pytest.mark.parametrize("docs", DOC_SETS.values(), ids=DOC_SETS.keys())
def test_regulations(cstore, extractions, docs):
    rows = cstore.regulations(document_ids=docs)
    assert {r.key: (r.basis_count, r.produces_count, r.tasks, r.documents) for r in rows} == \
        ref_regulations(extractions, docs)
    assert [r.total for r in rows] == sorted((r.total for r in rows), reverse=True)
    props = ref_regulation_props(extractions)
    for r in rows:
        p = props[r.key]
        assert (r.canonical_title, r.level, r.status, r.form_class, r.form_label, r.issuer_level, r.publish_date) \
            == tuple(p[f] or None for f in ("canonical_title", "level", "status", "form_class", "form_label",
                                            "issuer_level", "publish_date")), r.key
    assert cstore.regulations("条例", docs) == [r for r in rows if "条例" in r.key or any("条例" in t for t in r.titles)]
    if docs is None:
        assert cstore.regulations("条例")


def test_tasks_citing(cstore, extractions):
    regs = cstore.regulations()
    assert regs, "the Changde plan cites regulations"
    for r in regs[:8] + [x for x in regs if x.produces_count][:4]:
        for relation in (None, "basis", "produces"):
            want = sorted((d, t.id, c.start) for d, t in all_tasks(extractions) for c in t.citations
                          if regulation_key(c.title) == r.key and (relation is None or c.relation == relation))
            got = cstore.tasks_citing(r.titles[0], relation)
            assert sorted((c.task.document_id, c.task.task_id, c.start) for c in got) == want
            for c in got:
                assert extractions[c.task.document_id].text[c.start:c.end] == c.mention


@pytest.mark.parametrize("include_collective", [True, False])
@pytest.mark.parametrize("docs", DOC_SETS.values(), ids=DOC_SETS.keys())
def test_co_responsibility(cstore, extractions, docs, include_collective):
    got = cstore.co_responsibility(docs, include_collective=include_collective)
    assert {(e.a, e.b): e.weight for e in got} == ref_co_edges(extractions, docs, include_collective)
    assert all(e.a < e.b for e in got)
    assert got == sorted(got, key=lambda e: (-e.weight, e.a, e.b))  # the API's order, Python's string order
    assert cstore.co_responsibility(docs, include_collective=include_collective, min_weight=3) == \
        [e for e in got if e.weight >= 3]


@pytest.mark.parametrize("docs", DOC_SETS.values(), ids=DOC_SETS.keys())
def test_deliverables(cstore, extractions, docs):
    got = cstore.deliverables(docs)
    want = sorted({(d, t.id, regulation_key(c.title)) for d, t in all_tasks(extractions, docs)
                   for c in t.citations if c.relation == "produces" and regulation_key(c.title)})
    assert sorted((x.task.document_id, x.task.task_id, x.regulation) for x in got) == want
    assert [(x.task.document_id, x.task.ordinal, x.start) for x in got] == \
        sorted((x.task.document_id, x.task.ordinal, x.start) for x in got)
    for x in got:
        t = next(t for t in extractions[x.task.document_id].tasks if t.id == x.task.task_id)
        answer = [canon(a) for a in valid(t.assignments) if a.role in ("lead", "responsible")]
        assert set(x.units) == set(answer or [canon(a) for a in carrying_out(t.assignments)])
        assert [d.text for d in x.deadlines] == [d.text for d in t.deadlines]
        assert extractions[x.task.document_id].text[x.start:x.end] == x.mention


# ---------------------------------------------------------------- issue 5: units and regulations on Changde

def test_changde_regulations_resolved(cstore):
    regs = {r.key: r for r in cstore.regulations(document_ids=[CHANGDE])}
    r = regs["重大行政决策程序暂行条例"]
    assert (r.level, r.status, r.issuer_level) == ("行政法规", "resolved", "国家")
    assert (regs["个人信息保护法"].level, regs["个人信息保护法"].status) == ("法律", "resolved")
    assert regs["个人信息保护法"].canonical_title == "中华人民共和国个人信息保护法"
    assert (regs["优化营商环境条例"].level, regs["优化营商环境条例"].status) == ("行政法规", "resolved")
    assert (r.publish_date, regs["个人信息保护法"].publish_date) == ("2019-04-20", "2021-08-20")
    local = [r for r in regs.values() if r.key.startswith("常德市")]
    assert local and all(r.status == "form" and r.level is None and r.issuer_level == "市" for r in local)
    assert {r.form_label for r in local} >= {"规章制度", "规划方案"}


def test_changde_deliverables(cstore):
    got = [d for d in cstore.deliverables([CHANGDE]) if d.title.startswith("常德市") and d.title.endswith("办法")]
    assert got
    d = next(d for d in got if d.regulation == "常德市公共数据管理办法")
    assert d.units == d.task.lead + [u for u in d.task.responsible if u not in d.task.lead] and d.units
    assert all(u.startswith("常德市") for u in d.units) and d.form_label == "规章制度"
    no_deadline = {(t.task_id) for t in cstore.orphans("deliverable_no_deadline", document_ids=[CHANGDE])}
    assert no_deadline == {x.task.task_id for x in cstore.deliverables([CHANGDE]) if not x.deadlines}
    assert cstore.orphans("unresolved_citation", document_ids=[CHANGDE]) == []


def test_changde_units_kind_level_collective(cstore):
    work = {w.unit: w for w in cstore.workload([CHANGDE])}
    sfj = work["常德市司法局"]
    assert (sfj.kind, sfj.kind_label, sfj.level, sfj.collective) == ("government_department", "政府部门", "市", False)
    assert "市司法局" not in work  # region-qualified: one node for the body however it is written
    coll = [w for w in work.values() if w.unit.startswith("各区县(市)")]
    assert coll and all(w.collective and w.level == "区县" for w in coll)
    assert work["各区县(市)政府"].collective
    # looked up by the name a user types
    assert cstore.resolve_unit("市司法局") == "常德市司法局"
    assert cstore.tasks_of_unit("市司法局") == cstore.tasks_of_unit("常德市司法局") != []
    assert cstore.tasks_of_unit("市司法局", ["lead"], [CHANGDE]) == cstore.tasks_of_unit("常德市司法局", ["lead"])
    with pytest.raises(StoreError, match="matches"):
        cstore.resolve_unit("司法局" if len(cstore.find_units("司法局")) > 1 else "局")


# ---------------------------------------------------------------- the gold files

def gold_files() -> list[Path]:
    return [GOLD / f"{CHANGDE}.json"] + sorted((GOLD / "dev").glob("*.json"))


def gold_doc_id(gold: dict) -> str:
    return Path(gold["source"]).stem


def derived_gold(gold: dict, text: str) -> tuple[dict[int, int], set[int], set[int]]:
    """From the gold task openings and clauses: (position -> gold task index), no-lead set,
    collective-only set. Clauses belong to the last task opening before them."""
    positions, cur = [], 0
    for opening in gold["tasks"]:
        i = text.find(opening, cur)
        assert i >= 0, f"gold task opening not in the text: {opening}"
        positions.append(i)
        cur = i + 1
    owned: dict[int, list] = defaultdict(list)
    cur = 0
    for clause in gold["clauses"]:
        i = text.find(clause["text"], cur)
        assert i >= 0, f"gold clause not in the text: {clause['text']}"
        cur = i + 1
        owner = max((k for k, p in enumerate(positions) if p <= i), default=None)
        if owner is not None:
            owned[owner].extend(clause["assignments"])
    no_lead = {k for k, a in owned.items() if a and not any(x["role"] == "lead" for x in a)}
    collective_only = {k for k, a in owned.items() if a and all(x["collective"] for x in a)}
    return dict(enumerate(positions)), no_lead, collective_only


def gold_index(row, positions: dict[int, int]) -> int | None:
    """The gold task whose opening is the first inside this task's span."""
    inside = [k for k, p in positions.items() if row.start <= p < row.end]
    return min(inside) if inside else None


def test_changde_gold_orphans(cstore):
    gold = json.loads((GOLD / f"{CHANGDE}.json").read_text(encoding="utf-8"))
    no_lead = cstore.orphans("no_lead", document_ids=[CHANGDE])
    assert sorted(r.number for r in no_lead) == sorted(gold["orphans"]) == \
        [19, 20, 24, 25, 26, 29, 30, 47, 64, 66, 67, 68, 69, 70]
    coll = cstore.orphans("collective_only", document_ids=[CHANGDE])
    assert sorted(r.number for r in coll) == sorted(gold["collective_only"])


@pytest.mark.parametrize("gold_path", gold_files(), ids=lambda p: p.stem)
def test_gold_orphans_derived_from_clauses(cstore, gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    doc_id = gold_doc_id(gold)
    positions, no_lead, collective_only = derived_gold(gold, cstore.document_text(doc_id))
    got_no_lead = {gold_index(r, positions) for r in cstore.orphans("no_lead", document_ids=[doc_id])}
    got_coll = {gold_index(r, positions) for r in cstore.orphans("collective_only", document_ids=[doc_id])}
    assert got_no_lead == no_lead
    assert got_coll == collective_only
    if "orphans" in gold:  # Changde: the derived lists agree with the hand-made ones
        numbers = {k: n for k, n in ((k, _number_at(gold, k)) for k in positions)}
        assert sorted(numbers[k] for k in no_lead) == sorted(gold["orphans"])
        assert sorted(numbers[k] for k in collective_only) == sorted(gold["collective_only"])


def _number_at(gold: dict, k: int) -> int:
    """Changde: the first two gold tasks are 指导思想/目标任务, then tasks 1..100."""
    return k - 1


# ---------------------------------------------------------------- both stores, same answers

@pytest.mark.neo4j
def test_stores_give_identical_answers(embedded_corpus, neo4j_corpus):
    a, b = embedded_corpus, neo4j_corpus
    for docs in DOC_SETS.values():
        assert a.documents(docs) == b.documents(docs)
        assert a.tasks(docs) == b.tasks(docs)
        assert a.task_links(docs) == b.task_links(docs)
        assert a.workload(docs) == b.workload(docs)
        assert a.regulations(None, docs) == b.regulations(None, docs)
        assert a.co_responsibility(docs) == b.co_responsibility(docs)
        for kind in GAP_KINDS:
            assert a.orphans(kind, AS_OF, docs) == b.orphans(kind, AS_OF, docs)
        assert a.deliverables(docs) == b.deliverables(docs)
        assert a.deliverables(docs, limit=7, offset=3) == b.deliverables(docs, limit=7, offset=3)
        assert a.gap_counts(AS_OF, docs) == b.gap_counts(AS_OF, docs)
        assert a.tasks(docs, limit=10, offset=20) == b.tasks(docs, limit=10, offset=20)
        assert a.orphans("no_deadline", AS_OF, docs, limit=10, offset=5) == \
            b.orphans("no_deadline", AS_OF, docs, limit=10, offset=5)
        assert a.unit_names() == b.unit_names()
        for name in ("市司法局", "司法局", "政府", "各区县(市)政府", "市发改委"):
            assert a.find_units(name, docs) == b.find_units(name, docs)
        assert a.implements(docs) == b.implements(docs)
        assert a.compared(docs) == b.compared(docs)
        assert a.matches(document_ids=docs) == b.matches(document_ids=docs)
        assert a.key_terms(docs) == b.key_terms(docs)
    for w in a.workload()[:5]:
        assert a.tasks_of_unit(w.unit) == b.tasks_of_unit(w.unit)
    for r in a.regulations()[:5]:
        assert a.tasks_citing(r.key) == b.tasks_citing(r.key)
        assert a.tasks_citing(r.key, limit=5, offset=2) == b.tasks_citing(r.key, limit=5, offset=2)
    for t in a.tasks()[::25]:
        assert a.units_of_task(t.document_id, t.task_id) == b.units_of_task(t.document_id, t.task_id)

    def sig(g):
        return (sorted((n, sorted((k, repr(v)) for k, v in d.items())) for n, d in g.nodes(data=True)),
                sorted((u, v, sorted((k, repr(x)) for k, x in d.items())) for u, v, d in g.edges(data=True)))
    assert sig(a.to_networkx()) == sig(b.to_networkx())
    assert sig(a.to_networkx([CHANGDE])) == sig(b.to_networkx([CHANGDE]))


@pytest.mark.neo4j
@pytest.mark.parametrize("gain", [0.0, 1e-9], ids=["sorted", "walked"])
def test_pages_of_a_units_tasks_walked_or_sorted_are_the_same(embedded_corpus, neo4j_corpus, monkeypatch, gain):
    """Neo4j reads a page of a unit named on most tasks by walking every task in task order,
    else by sorting the unit's tasks (Neo4jStore.WALK_GAIN decides): either way the same pages."""
    monkeypatch.setattr(neo4j_corpus, "WALK_GAIN", gain)
    for w in embedded_corpus.workload()[:3]:
        for roles in (None, ["lead"], ["participant", "responsible"]):
            whole = embedded_corpus.tasks_of_unit(w.unit, roles)
            for limit, offset in ((5, 0), (7, 3), (200, 0), (3, max(0, len(whole) - 1))):
                assert neo4j_corpus.tasks_of_unit(w.unit, roles, limit=limit, offset=offset) == \
                    whole[offset:offset + limit]
    assert neo4j_corpus._walk_tasks(embedded_corpus.workload()[0].unit, list(ROLES), None, 5, 0) == (gain > 0)


# ---------------------------------------------------------------- re-ingest, failures

def test_reingest_gives_same_counts(cstore, extractions):
    before = (cstore.documents(), cstore.workload(), cstore.regulations(), cstore.to_networkx().number_of_edges(),
              cstore.deliverables())
    version = cstore.version()
    assert cstore.ingest(extractions[CHANGDE], skip_unchanged=True).unchanged
    assert cstore.version() == version  # nothing written: caches keyed by version stay valid
    res = cstore.ingest(extractions[CHANGDE])
    assert res.replaced
    assert cstore.version() != version  # a write: every cached answer is stale
    if PROJECT_COPY.exists():  # the project's copy is the same document (same id): it replaces
        shared = CHANGDE_PATH
        assert PROJECT_COPY.read_bytes() == shared.read_bytes()  # so its extraction is the same one
        copy = dataclasses.replace(extractions[CHANGDE],
                                   document=dataclasses.replace(extractions[CHANGDE].document,
                                                                source=str(PROJECT_COPY)))
        res = cstore.ingest(copy)
        assert res.document_id == CHANGDE and res.replaced
        assert [d.source for d in cstore.documents([CHANGDE])] == [str(PROJECT_COPY)]
        cstore.ingest(extractions[CHANGDE])
    assert (cstore.documents(), cstore.workload(), cstore.regulations(),
            cstore.to_networkx().number_of_edges(), cstore.deliverables()) == before


def test_failed_corpus_write_leaves_store_as_it_was(cstore, extractions, monkeypatch):
    before = (cstore.documents(), cstore.tasks(), cstore.workload(), cstore.regulations())
    fail_write_step(monkeypatch, cstore, "_write_assignments")
    e = extractions[CHANGDE]
    with pytest.raises(RuntimeError):
        cstore.ingest(e)
    monkeypatch.undo()
    assert (cstore.documents(), cstore.tasks(), cstore.workload(), cstore.regulations()) == before
