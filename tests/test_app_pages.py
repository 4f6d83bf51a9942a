"""Each page's logic through streamlit's AppTest (the real scripts, no browser).

One embedded store with the bundled Changde plan is built per session; the first-start test
uses its own empty home to check the bundled plan is ingested with no set-up.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser_harness import PAGE_VISITS, REVIEW_PLAN_TEXT, REVIEW_UNREAD, XSS_PLAN_TEXT, ingest_plan_text  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from plangraph.app.page_registry import PAGES, page  # noqa: E402

APP = str(ROOT / "app" / "Home.py")
CHANGDE = ROOT / "data" / "changde_fazhi_2021-2025.txt"
DOC = "changde_fazhi_2021-2025"
NO_LEAD = [19, 20, 24, 25, 26, 29, 30, 47, 64, 66, 67, 68, 69, 70]


@pytest.fixture(scope="session")
def changde_home(tmp_path_factory) -> Path:
    from plangraph.graph.store import open_store
    from plangraph.ingest.pipeline import extract_file
    home = tmp_path_factory.mktemp("changde_home")
    with open_store("embedded", home) as store:
        store.ingest(extract_file(CHANGDE))
    return home


@pytest.fixture(scope="session")
def xss_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("xss_home")
    ingest_plan_text(home, XSS_PLAN_TEXT, "xss_plan")
    return home


def app_at(monkeypatch, home: Path, key: str | None = None, query: dict[str, str] | None = None,
           store: str = "embedded", manage: bool = False) -> AppTest:
    """Run Home.py with PLANGRAPH_HOME=home (manage: with the sidebar's Manage section
    open), then switch to the registered page `key`."""
    monkeypatch.setenv("PLANGRAPH_HOME", str(home))
    monkeypatch.setenv("PLANGRAPH_STORE", store)
    at = AppTest.from_file(APP, default_timeout=180)
    if manage:
        at.session_state["pg_manage"] = True
    at.run()
    assert not at.exception, at.exception
    if key:
        for k, v in (query or {}).items():
            at.query_params[k] = v
        at.switch_page(page(key).script).run()
        assert not at.exception, at.exception
    return at


def is_unit(name: str, written: str) -> bool:
    """`name` (a canonical name in the graph) is the unit the plan writes as `written`: the
    units rules may fold aliases (市政府办 → 市政府办公室) and write the region in (常德市…)."""
    from plangraph.ingest.units import canonical_unit
    return name in {written, canonical_unit(written), canonical_unit(written, "常德市")}


def js(text: str) -> str:
    """`text` as it appears inside pyvis' JSON (non-ASCII as \\uXXXX)."""
    return json.dumps(text)[1:-1]


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


# ---------------------------------------------------------------- Home / first start


def test_first_start_ingests_the_bundled_plan(monkeypatch, tmp_path):
    home = tmp_path / "fresh"
    at = app_at(monkeypatch, home)
    assert at.title[0].value == "PlanGraph 规划图谱"
    assert any("102 项任务" in i.value for i in at.info)
    from plangraph.graph.store import open_store
    with open_store("embedded", home) as store:
        assert [d.document_id for d in store.documents()] == [DOC]


def test_the_server_warms_up_what_the_first_visit_needs(monkeypatch, changde_home, tmp_path):
    """plangraph.app_server warms up before it answers: the store is open with its graph read,
    the home page's first visit finds the sidebar's documents asked, the overview, units and
    gaps pages find their store-wide answers, and the network page's first visit finds its
    drawing made (asking or drawing again would fail here)."""
    import shutil

    from plangraph.app import network
    from plangraph.app.queries import get_store
    from plangraph import app_server
    home = tmp_path / "home"
    shutil.copytree(changde_home, home)  # a home of its own: no drawing cached by other tests
    monkeypatch.setenv("PLANGRAPH_HOME", str(home))
    monkeypatch.setenv("PLANGRAPH_STORE", "embedded")
    assert app_server.warm_up(wait_s=120)
    store = get_store("embedded", str(home))
    assert store.documents()  # opened and asked

    def ask_again(*args, **kwargs):
        raise AssertionError("a first visit asked what the warm-up asked")
    with monkeypatch.context() as m:
        m.setattr(store, "documents", ask_again)
        home_page = app_at(m, home)
        assert any("当前载入 1 份文件" in e.value for e in home_page.info)

    asked = {"documents", "workload", "regulations", "gap_counts", "orphans", "tasks_of_unit", "co_responsibility"}
    with monkeypatch.context() as m:  # the store-wide answers the first visit of each page reads
        for method in asked:
            m.setattr(store, method, lambda *a, _method=method, **k: ask_again())
        for key in ("overview", "units", "gaps"):
            visited = app_at(m, home, key)
            assert visited.title[0].value and not visited.exception, key

    def draw_again(*args, **kwargs):
        raise AssertionError("the network page drew what the warm-up drew")
    monkeypatch.setattr(network, "unit_task_network", draw_again)
    at = app_at(monkeypatch, home, "network")
    assert "vis.Network" in network_html(at)
    at.checkbox(key="net_collective").check().run()  # other filters: drawn on demand
    assert at.exception and "drew what the warm-up drew" in str(at.exception[0].value)


def test_a_failed_warm_up_leaves_the_error_to_the_page(monkeypatch, changde_home, capsys):
    """An unreachable Neo4j does not stop the server from starting, and prints nothing: the
    sidebar says what is wrong when a page opens the store."""
    from plangraph import app_server
    monkeypatch.setenv("PLANGRAPH_STORE", "neo4j")
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")  # nothing listens there
    assert app_server.warm_up(wait_s=60)
    assert capsys.readouterr() == ("", "")
    at = app_at(monkeypatch, changde_home, store="neo4j")
    assert any("无法打开存储" in e.value for e in at.sidebar.error)


def test_sidebar_chooses_store_and_documents(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home)
    assert at.sidebar.radio[0].value == "embedded"
    assert at.sidebar.radio[0].options == ["内置存储 (embedded)", "Neo4j (NEO4J_* 环境变量)"]
    every = at.sidebar.toggle[0]
    assert every.value is True and not at.sidebar.multiselect  # all documents, no long list
    every.set_value(False).run()
    docs = at.sidebar.multiselect[0]
    assert docs.value == [DOC]
    docs.set_value([]).run()
    at.switch_page(page("overview").script).run()
    assert any("至少一个文件" in i.value for i in at.info)


def test_unreachable_neo4j_is_one_line_in_the_sidebar(monkeypatch, changde_home):
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")  # nothing listens there
    at = app_at(monkeypatch, changde_home)
    at.sidebar.radio[0].set_value("neo4j").run()
    assert not at.exception
    assert any("无法打开存储" in e.value for e in at.sidebar.error)
    at.switch_page(page("overview").script).run()
    assert not at.exception and not at.metric  # the page stops instead of failing


@pytest.mark.neo4j
def test_neo4j_store_gives_the_same_pages(monkeypatch, tmp_path):
    from conftest import connect_neo4j_store
    from plangraph.ingest.pipeline import extract_file
    store = connect_neo4j_store()
    try:
        store.clear_all_for_tests()
        store.ingest(extract_file(CHANGDE))
    finally:
        store.close()
    at = app_at(monkeypatch, tmp_path / "unused", store="neo4j")
    assert at.sidebar.radio[0].value == "neo4j"
    at.sidebar.toggle[0].set_value(False).run()
    at.sidebar.multiselect[0].set_value([DOC]).run()  # other tests may share the server
    at.switch_page(page("overview").script).run()
    assert metric(at, "任务 Tasks") == "102" and metric(at, "无牵头单位") == str(len(NO_LEAD))
    at.switch_page(page("gaps").script).run()
    assert [m.value for m in at.markdown if m.value.startswith("任务号:")][0] == "任务号:" + "、".join(map(str, NO_LEAD))


def test_home_links_every_page(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home)
    links = [p.proto.page for p in at.get("page_link")]  # the pages' url paths
    assert sorted(links) == sorted(p.key for p in PAGES)


# ---------------------------------------------------------------- the page registry


def test_every_page_script_is_registered_and_every_registered_page_has_one():
    """app/page_registry.py is the one list of pages: a script in app/pages/ without its row
    (or a row without its script) fails here, and the browser harness visits exactly these."""
    scripts = sorted(p.stem for p in (ROOT / "app" / "pages").glob("*.py") if p.stem != "__init__")
    assert scripts == sorted(p.key for p in PAGES)
    assert len({p.key for p in PAGES}) == len(PAGES)
    assert [(v.name, v.path, v.expect) for v in PAGE_VISITS[1:]] == [(p.key, p.key, p.ready_text) for p in PAGES]
    assert PAGE_VISITS[0].path == ""  # Home


def page_texts(at: AppTest) -> list[str]:
    """Every text the run put on the page: element values, labels and bodies, sidebar included."""
    out: list[str] = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if children is not None:  # a block: its elements and blocks
            for child in children.values():
                walk(child)
            return
        for attr in ("value", "label", "body"):
            text = getattr(node, attr, None)
            if isinstance(text, str):
                out.append(text)
    walk(at._tree)
    return out


@pytest.mark.parametrize("key", [p.key for p in PAGES])
def test_every_registered_page_renders_and_shows_its_ready_text(monkeypatch, changde_home, key):
    """The text the browser harness waits for is on the page once it has run (AppTest)."""
    at = app_at(monkeypatch, changde_home, key, query={"doc": DOC, "task": "2.5.19"} if key == "task" else None)
    texts = page_texts(at)
    assert any(page(key).ready_text in t for t in texts), (key, texts[:40])


# ---------------------------------------------------------------- Overview


def test_overview_counts_gaps_and_top_units(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "overview")
    assert metric(at, "文件 Documents") == "1"
    assert metric(at, "任务 Tasks") == "102"
    assert int(metric(at, "单位 Units")) >= 40
    assert int(metric(at, "法规 Regulations")) >= 30
    assert metric(at, "无牵头单位") == str(len(NO_LEAD))
    top = at.dataframe[1].value
    assert is_unit(top["单位"].iloc[0], "市司法局") and top["牵头"].iloc[0] == top["牵头"].max()
    assert f"牵头任务最多:**{top['单位'].iloc[0]}**" in markdown_text(at)
    docs = at.dataframe[0].value
    assert docs["任务"].tolist() == [102]


# ---------------------------------------------------------------- Network


def network_html(at: AppTest) -> str:
    frames = at.get("iframe")
    assert frames, "no network drawn"
    return frames[0].proto.srcdoc


def test_network_unit_task_graph_is_offline_with_legend(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "network")
    html = network_html(at)
    assert "vis.Network" in html and "单位类型" in html and "牵头" in html
    assert 'src="http' not in html and 'href="http' not in html
    caption = next(c.value for c in at.caption if "个节点" in c.value)
    nodes_all = int(caption.split(" 个节点")[0])
    # filter by one unit: fewer nodes, and the unit's tasks only
    bureau = next(u for u in at.multiselect(key="net_units").options if is_unit(u, "市委编办"))
    at.multiselect(key="net_units").set_value([bureau]).run()
    caption = next(c.value for c in at.caption if "个节点" in c.value)
    assert int(caption.split(" 个节点")[0]) < nodes_all
    # search highlights a unit and says what matched
    at.text_input(key="net_search").input("司法局").run()
    assert any("司法局" in c.value and "匹配 1 个单位" in c.value for c in at.caption)
    assert at.get("download_button")[0].proto.label.startswith("下载网络 HTML")


def test_network_links_vis_network_when_the_server_serves_the_static_files(monkeypatch, changde_home):
    """`plangraph app` serves app/static (the page then links vis-network, which the browser
    caches); a server started some other way does not, and the page carries it inlined."""
    from streamlit import config
    inlined = network_html(app_at(monkeypatch, changde_home, "network"))
    assert "app/static/" not in inlined and "Almende" in inlined
    before = config.get_option("server.enableStaticServing")
    config._set_option("server.enableStaticServing", True, "test")  # as `--server.enableStaticServing true`
    try:
        linked = network_html(app_at(monkeypatch, changde_home, "network"))
    finally:
        config._set_option("server.enableStaticServing", before, "test")
    assert '<script src="app/static/vis-network.min.js">' in linked and "Almende" not in linked


def test_network_filters_by_role_and_section(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "network")
    at.multiselect(key="net_roles").set_value(["responsible"]).run()
    html = network_html(at)
    assert "#d62728" not in html.split("<div id='pg-legend'>")[1].split("</div>")[0]  # no lead colour in legend
    at.multiselect(key="net_roles").set_value(["lead", "participant", "responsible"]).run()
    at.multiselect(key="net_sections").set_value(["完善立法工作机制"]).run()
    caption = next(c.value for c in at.caption if "个节点" in c.value)
    assert int(caption.split(" 个节点")[0]) < 20


def test_network_co_responsibility_graph(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "network")
    at.button_group(key="net_graph").set_value("co").run()
    assert not at.exception
    html = network_html(at)
    assert js("共同任务") in html and js("司法局") in html  # tooltips, JSON-escaped by pyvis
    at.slider(key="net_min_weight").set_value(1).run()
    at.checkbox(key="net_collective").check().run()
    caption = next(c.value for c in at.caption if "个节点" in c.value)
    assert int(caption.split(" 个节点")[0]) >= 40


# ---------------------------------------------------------------- Units


def test_units_page_defaults_to_top_lead_unit(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "units")
    top = at.selectbox(key="units_unit").value
    assert is_unit(top, "市司法局")
    assert f"牵头任务最多的单位:**{top}**" in markdown_text(at)
    lead = int(metric(at, "牵头 Lead"))
    assert lead >= 40
    lead_table = at.dataframe[0].value
    assert len(lead_table) == lead
    assert {"任务号", "任务", "章节", "完成时限", "详情"} <= set(lead_table.columns)
    assert lead_table["详情"].iloc[0].startswith("task?doc=")
    partners = at.dataframe[3].value
    assert len(partners) > 0 and partners["共同任务"].is_monotonic_decreasing


def test_units_page_other_unit(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "units")
    names = [o.split("(牵头")[0] for o in at.selectbox(key="units_unit").options]
    bureau = next(u for u in names if is_unit(u, "市委编办"))
    at.selectbox(key="units_unit").set_value(bureau).run()
    assert at.selectbox(key="units_unit").value == bureau
    lead_table = at.dataframe[0].value
    assert 1 in lead_table["任务号"].tolist()  # 1. 优化政府机构设置
    assert metric(at, "类型 Kind") != "—"


# ---------------------------------------------------------------- Regulations


def test_regulations_search_and_citing_tasks(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "regulations")
    total = int(metric(at, "法规 Regulations"))
    at.text_input(key="regs_query").input("办法").run()
    found = at.dataframe[0].value
    assert 0 < len(found) < total
    assert all("办法" in t for t in found["法规"])
    at.selectbox(key="regs_pick").set_value("常德市公共数据管理办法").run()
    heads = [h.value for h in at.subheader]
    assert heads == ["以其为依据的任务 Tasks citing it as basis (0)", "将制定它的任务 Tasks that will produce it (2)"]
    produces = at.dataframe[-1].value
    assert sorted(produces["任务号"].tolist()) == [47, 83]
    at.text_input(key="regs_query").input("没有这个法规").run()
    assert any("没有找到" in i.value for i in at.info)


# ---------------------------------------------------------------- Gaps


def test_gaps_lists_tasks_without_lead(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "gaps")
    heads = [h.value for h in at.subheader]
    assert f"无牵头单位 ({len(NO_LEAD)})" in heads
    lines = [m.value for m in at.markdown if m.value.startswith("任务号:")]
    assert lines[0] == "任务号:" + "、".join(map(str, NO_LEAD))
    table = at.dataframe[0].value
    assert table["任务号"].tolist() == NO_LEAD
    assert table["任务内容"].str.len().min() > 10
    assert table["详情"].iloc[0] == "task?doc=changde_fazhi_2021-2025&task=2.5.19"


def test_gaps_deadline_passed_follows_the_date(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "gaps")
    at.multiselect(key="gaps_kinds").set_value(["deadline_passed"]).run()
    at.date_input(key="gaps_as_of").set_value(dt.date(2020, 1, 1)).run()
    assert at.subheader[0].value == "已过时限 (0)"
    at.date_input(key="gaps_as_of").set_value(dt.date(2026, 1, 1)).run()
    assert int(at.subheader[0].value.split("(")[1].rstrip(")")) >= 5


# ---------------------------------------------------------------- Task detail


def test_task_detail_from_link_highlights_units_citations_deadlines(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "task", {"doc": DOC, "task": "2.5.19"})
    assert at.subheader[0].value.startswith("19\\. 加大政府规章备案审查力度")
    html = at.get("html")[0].proto.body
    assert "<mark" in html and "title=\"责任:" in html and "司法局</mark>" in html and "依据:" in html
    assert "法规规章备案条例" in at.dataframe[1].value["法规"].tolist()
    # another task, with a deadline
    at.selectbox(key="task_pick").set_value(f"{DOC}::2.1.4").run()
    html = at.get("html")[0].proto.body
    assert "时限:2022-12-31" in html and "行政审批局</mark>" in html
    assert at.query_params["task"] == ["2.1.4"] or at.query_params["task"] == "2.1.4"
    assert len(at.dataframe) >= 3  # units, deadlines, neighbours …


def test_task_neighbours_share_units(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "task", {"doc": DOC, "task": "2.1.1"})
    related = next(d.value for d in at.dataframe if "共同单位" in d.value.columns)
    assert related["共同单位"].str.contains("委编办").any()


# ---------------------------------------------------------------- Review (待核查)


@pytest.fixture(scope="session")
def review_home(tmp_path_factory) -> Path:
    """The synthetic river plan (two findings, markup around and in them) beside the Changde plan (none)."""
    home = tmp_path_factory.mktemp("review_home")
    ingest_plan_text(home, REVIEW_PLAN_TEXT, "river")
    ingest_plan_text(home, CHANGDE.read_text(encoding="utf-8"), DOC)
    return home


def review_rows(at: AppTest) -> str:
    """The Review page's (or the task page's) findings table, as HTML."""
    return next(h.proto.body for h in at.get("html") if "pg-review" in h.proto.body)


def test_review_lists_each_finding_with_its_task_and_the_text_around_it(monkeypatch, review_home):
    at = app_at(monkeypatch, review_home, "review")
    assert at.title[0].value == "待核查 Review"
    assert metric(at, "未读出的分工表述") == "1"
    assert metric(at, "未识别的编号行") == "1"
    assert metric(at, "形式不明的单位") == "0" and not at.warning
    by_doc = at.dataframe[0].value
    assert by_doc["编号"].tolist() == ["river"] and by_doc["合计"].tolist() == [2]  # Changde: none to check
    table = review_rows(at)
    assert table.count("<tr data-kind=") == 2
    assert f'<mark class="pg-finding">{REVIEW_UNREAD}</mark>' in table  # the unread statement, marked
    assert '<a href="task?doc=river&amp;task=1.1.2">' in table and "某县河道治理工作方案" in table
    # document text is data: escaped around the finding, in it, and in the task's heading
    assert "<script>" not in table and "<img" not in table
    assert "2.整治入河排污口&lt;script&gt;alert(1)&lt;/script&gt;。<mark" in table
    assert "用于&lt;img src=x onerror=alert(1)&gt;河道治理" in table
    at.multiselect(key="review_kinds").set_value(["unlabelled_number"]).run()
    table = review_rows(at)
    assert table.count("<tr data-kind=") == 1 and 'data-kind="unlabelled_number"' in table


def test_review_of_plans_without_findings_says_so(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "review")
    assert metric(at, "未读出的分工表述") == "0"
    assert any("没有提取时未能读出的地方" in m.value for m in at.success)
    assert not any("pg-review" in h.proto.body for h in at.get("html"))


def test_review_names_documents_whose_findings_are_not_known(monkeypatch, review_home, tmp_path):
    """A store written before findings were kept: the page says so instead of showing none."""
    import shutil
    import sqlite3
    home = tmp_path / "older"
    shutil.copytree(review_home, home)
    with sqlite3.connect(home / "plangraph.sqlite") as con:
        con.execute("DROP TABLE findings")
        con.execute("UPDATE documents SET extra = json_remove(extra, '$.n_findings') WHERE id = 'river'")
    at = app_at(monkeypatch, home, "review")
    [warning] = at.warning
    assert warning.value.startswith("1 份文件入库时还没有记录待核查项") and "某县河道治理工作方案" in warning.value
    assert metric(at, "未读出的分工表述") == "0"
    at = app_at(monkeypatch, home, "task", {"doc": "river", "task": "1.1.2"})
    assert any("还没有记录待核查项" in c.value for c in at.caption)


def test_task_page_shows_the_tasks_findings(monkeypatch, review_home):
    at = app_at(monkeypatch, review_home, "task", {"doc": "river", "task": "1.1.2"})
    assert any("本任务中有 1 处未能读出" in w.value for w in at.warning)
    table = review_rows(at)
    assert f'<mark class="pg-finding">{REVIEW_UNREAD}</mark>' in table and "<script>" not in table
    assert "任务 Task" not in table  # this task's own page: no link to itself
    at.selectbox(key="task_pick").set_value("river::1.1.1").run()
    assert not at.warning and not any("pg-review" in h.proto.body for h in at.get("html"))


# ---------------------------------------------------------------- Export


def test_export_page_offers_csv_xlsx_graphml(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "export")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["下载 CSV", "下载 Excel (XLSX)", "下载 GraphML(Gephi)"]
    table = at.dataframe[0].value
    assert len(table) == 102
    row = table[table["任务编号"] == "2.1.1"].iloc[0]
    leads = row["牵头单位"].split("、")
    assert len(leads) == 2 and is_unit(leads[0], "市委编办") and is_unit(leads[1], "市政府办")


# ---------------------------------------------------------------- many documents


@pytest.fixture(scope="session")
def three_plans_home(tmp_path_factory) -> Path:
    """The Changde plan under three document ids: 306 tasks, more than one page."""
    import dataclasses
    from plangraph.graph.store import open_store
    from plangraph.ingest.pipeline import extract_file
    home = tmp_path_factory.mktemp("three_plans")
    e = extract_file(CHANGDE)
    with open_store("embedded", home) as store:
        for i in (1, 2, 3):
            store.ingest(dataclasses.replace(e, document=dataclasses.replace(e.document, id=f"{DOC}_{i}")))
    return home


def test_many_documents_are_counted_and_paged(monkeypatch, three_plans_home):
    from plangraph.app.tables import PAGE_SIZE
    at = app_at(monkeypatch, three_plans_home, "overview")
    assert metric(at, "任务 Tasks") == "306" and metric(at, "无牵头单位") == str(3 * len(NO_LEAD))
    at.switch_page(page("export").script).run()
    assert len(at.dataframe[0].value) == PAGE_SIZE
    at.number_input(key="export_page").set_value(2).run()
    table = at.dataframe[0].value
    assert len(table) == 306 - PAGE_SIZE and set(table["文件"]) == {f"{DOC}_2", f"{DOC}_3"}
    at.switch_page(page("gaps").script).run()
    from plangraph.graph.store import open_store
    with open_store("embedded", three_plans_home) as store:
        no_deadline = store.gap_counts()["no_deadline"]
    assert no_deadline > PAGE_SIZE and f"无完成时限 ({no_deadline})" in [h.value for h in at.subheader]
    assert not [m for m in at.markdown if m.value.startswith("任务号:")]  # numbers repeat across plans
    # the task page asks for a document first, then one of its tasks
    at.switch_page(page("task").script).run()
    assert len(at.selectbox(key="task_doc").options) == 3
    at.selectbox(key="task_doc").set_value(f"{DOC}_2").run()
    assert at.selectbox(key="task_pick").value.startswith(f"{DOC}_2::")
    assert at.subheader[0].value and not at.exception
    # one document chosen in the sidebar: its counts only
    at = app_at(monkeypatch, three_plans_home)
    at.sidebar.toggle[0].set_value(False).run()
    assert at.sidebar.multiselect[0].value == [f"{DOC}_1"]
    at.switch_page(page("overview").script).run()
    assert metric(at, "任务 Tasks") == "102"


# ---------------------------------------------------------------- document text is data


def test_script_in_task_text_is_escaped_everywhere(monkeypatch, xss_home):
    at = app_at(monkeypatch, xss_home, "task", {"doc": "xss_plan", "task": "1.1.1"})
    body = at.get("html")[0].proto.body
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)</script>" in at.text[0].value  # st.text shows it literally
    assert "<script>" not in at.subheader[0].value
    at.selectbox(key="task_pick").set_value("xss_plan::1.1.2").run()
    body = at.get("html")[0].proto.body
    assert "<img" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    for p in PAGES:
        at.switch_page(p.script).run()
        assert not at.exception, (p.key, at.exception)
        for m in list(at.markdown) + list(at.caption) + list(at.subheader):
            assert "<script" not in m.value and "<img" not in m.value, (p.key, m.value)
    at.switch_page(page("network").script).run()
    at.checkbox(key="net_collective").check().run()
    html = network_html(at)
    assert "alert(1)</script>" not in html and "<img src=x" not in html
    assert "\\u0026lt;script\\u0026gt;alert(1)" in html  # html.escape'd, then JSON-escaped by pyvis


# ---------------------------------------------------------------- write actions: remove, and who may write


@pytest.fixture
def served_on():
    """Set Streamlit's server.address as `plangraph app` does, for the scripts AppTest runs."""
    from streamlit import config
    old = config.get_option("server.address")
    yield lambda address: config.set_option("server.address", address)
    config.set_option("server.address", old)


OTHER_PLAN = "某县工作方案\n一、重点任务\n1.推进依法行政。2024年底前完成。(牵头单位:县司法局;参加单位:县财政局)\n"


def write_actions(at) -> list[str]:
    """The keys of the write widgets the sidebar shows."""
    return [b.key for b in at.sidebar.button if b.key in ("pg_import", "pg_remove")] + \
        [m.key for m in at.sidebar.multiselect if m.key == "pg_remove_docs"]


def test_the_closed_manage_section_sends_no_removal_list(monkeypatch, changde_home, served_on):
    """The removal list names every document: sent only once Manage is opened (0.2 s of
    every page at 1,000 plans otherwise)."""
    served_on("127.0.0.1")
    at = app_at(monkeypatch, changde_home)
    assert write_actions(at) == []
    at.session_state["pg_manage"] = True
    at.run()
    assert write_actions(at) == ["pg_import", "pg_remove_docs"]


def test_remove_asks_for_confirmation_then_takes_the_document_out(monkeypatch, tmp_path, served_on):
    served_on("127.0.0.1")
    home = tmp_path / "home"
    ingest_plan_text(home, XSS_PLAN_TEXT, "xss_plan")
    ingest_plan_text(home, OTHER_PLAN, "other_plan")
    at = app_at(monkeypatch, home, manage=True)
    at.sidebar.multiselect(key="pg_remove_docs").set_value(["other_plan"]).run()
    assert at.sidebar.button(key="pg_remove").disabled  # not before the confirmation
    at.sidebar.checkbox(key="pg_remove_sure").check().run()
    at.sidebar.button(key="pg_remove").click().run()
    assert not at.exception
    from plangraph.graph.store import open_store
    with open_store("embedded", home) as store:
        assert [d.document_id for d in store.documents()] == ["xss_plan"]
        assert not [u for u in store.unit_names() if u.startswith("某县")]  # its own units went with it
    assert "全部文件 All documents (1)" in at.sidebar.toggle[0].label  # the app shows it at once


def test_removing_every_document_leaves_the_store_empty(monkeypatch, tmp_path, served_on):
    """The bundled plan comes on a first start only: a store the user emptied stays empty."""
    served_on("127.0.0.1")
    home = tmp_path / "home"
    ingest_plan_text(home, OTHER_PLAN, "other_plan")
    at = app_at(monkeypatch, home, manage=True)
    at.sidebar.multiselect(key="pg_remove_docs").set_value(["other_plan"]).run()
    at.sidebar.checkbox(key="pg_remove_sure").check().run()
    at.sidebar.button(key="pg_remove").click().run()
    assert not at.exception and "全部文件 All documents (0)" in at.sidebar.toggle[0].label
    at.run()
    assert "全部文件 All documents (0)" in at.sidebar.toggle[0].label
    assert any("还没有文件" in i.value for i in at.sidebar.info)


def test_beyond_this_machine_import_and_remove_need_the_password(monkeypatch, changde_home, served_on):
    served_on("0.0.0.0")
    monkeypatch.delenv("PLANGRAPH_APP_PASSWORD", raising=False)
    at = app_at(monkeypatch, changde_home, manage=True)
    assert write_actions(at) == []
    assert any("导入和删除已关闭" in c.value for c in at.sidebar.caption)
    monkeypatch.setenv("PLANGRAPH_APP_PASSWORD", "s3cret-密码")
    at = app_at(monkeypatch, changde_home, manage=True)
    assert write_actions(at) == []
    at.sidebar.text_input(key="pg_password").input("wrong").run()
    assert write_actions(at) == [] and any("密码不正确" in e.value for e in at.sidebar.error)
    at.sidebar.text_input(key="pg_password").input("s3cret-密码").run()
    assert write_actions(at) == ["pg_import", "pg_remove_docs"]
    served_on("127.0.0.1")  # on this machine only, no password is asked for
    monkeypatch.delenv("PLANGRAPH_APP_PASSWORD")
    at = app_at(monkeypatch, changde_home, manage=True)
    assert write_actions(at) == ["pg_import", "pg_remove_docs"] and not at.sidebar.text_input


def test_a_long_unbroken_string_wraps_in_the_source_view():
    from plangraph.app.highlight import highlighted_task_html
    from plangraph.graph.rows import TaskRow
    text = "1.推进" + "A" * 400 + "。"
    row = TaskRow("d", "1", 0, "推进", text, "", "", [], 0, len(text), [], [], [], [], [], [])
    html = highlighted_task_html(row, [], [])
    assert "overflow-wrap:anywhere" in html and "white-space:pre-wrap" in html


# ---------------------------------------------------------------- Compare


@pytest.fixture(scope="session")
def compare_home(tmp_path_factory) -> Path:
    """The Shandong and Jinan digital plans (the compare gold's pair)."""
    from plangraph.graph.store import open_store
    from plangraph.ingest.pipeline import extract_file
    from shared_corpus import CORPUS, require_corpus
    require_corpus()
    home = tmp_path_factory.mktemp("compare_home")
    with open_store("embedded", home) as store:
        for name in ("09_shandong_digital_action_plan_2021", "10_jinan_digital_pioneer_city_2021"):
            store.ingest(extract_file(CORPUS / "dev" / f"{name}.txt"))
    return home


def test_compare_page_pairs_two_plans_side_by_side(monkeypatch, compare_home):
    from plangraph.graph.compare import compare_plans
    from plangraph.graph.compare_input import plan_from_store
    from plangraph.graph.store import open_store
    with open_store("embedded", compare_home) as store:
        expected = compare_plans(plan_from_store(store, "09_shandong_digital_action_plan_2021"),
                                 plan_from_store(store, "10_jinan_digital_pioneer_city_2021"))
    at = app_at(monkeypatch, compare_home, "compare")
    assert at.selectbox(key="cmp_a").value == "09_shandong_digital_action_plan_2021"
    assert at.selectbox(key="cmp_b").value == "10_jinan_digital_pioneer_city_2021"
    assert metric(at, "对应 Matched pairs") == str(len(expected.pairs))
    assert metric(at, "未承接 Not taken up") == str(len(expected.a_only))
    assert metric(at, "新增 Added") == str(len(expected.b_only))
    body = at.get("html")[0].proto.body
    assert body.count("<tr>") == len(expected.pairs) + 1
    assert "实施智能制造提升行动" in body and "深化企业数字化转型" in body
    assert "<del>山东省农业农村厅(牵头)</del>" in body  # the city names its units without a lead
    assert "<mark>农业</mark>" in body
    not_taken = at.dataframe[0].value
    assert set(not_taken["任务号"]) == {t.task_id for t in expected.a_only}
    assert [b.proto.label for b in at.get("download_button")] == ["下载 CSV", "下载 Excel (XLSX)"]
    # one-to-many: more pairs; A cannot be compared with itself
    at.radio(key="cmp_mode").set_value("one-to-many").run()
    assert int(metric(at, "对应 Matched pairs")) > len(expected.pairs)
    at.selectbox(key="cmp_a").set_value("10_jinan_digital_pioneer_city_2021").run()
    assert not at.exception
    assert at.selectbox(key="cmp_b").value == "09_shandong_digital_action_plan_2021"


def test_compare_sheet_from_the_app(monkeypatch, compare_home):
    from openpyxl import load_workbook
    import io
    from plangraph.app.queries import Selection, comparison_sheet
    from plangraph.graph.compare_sheet import SHEET_HEADER
    sel = Selection("embedded", str(compare_home), None, "v")
    data = comparison_sheet(sel, "09_shandong_digital_action_plan_2021", "10_jinan_digital_pioneer_city_2021",
                            "one-to-one", "xlsx")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.title == "对标对表" and [c.value for c in ws[1]] == SHEET_HEADER
    statuses = [row[0].value for row in ws.iter_rows(min_row=2)]
    assert {"对应", "未承接", "新增"} == set(statuses)


def test_compare_page_needs_two_documents(monkeypatch, changde_home):
    at = app_at(monkeypatch, changde_home, "compare")
    assert any("两份文件" in i.value for i in at.info)
    assert not at.get("html")


def test_compare_page_escapes_document_text(monkeypatch, tmp_path):
    home = tmp_path / "xss_compare"
    ingest_plan_text(home, XSS_PLAN_TEXT, "xss_plan")
    ingest_plan_text(home, XSS_PLAN_TEXT.replace("2030年底前", "2029年底前"), "xss_plan_next")
    at = app_at(monkeypatch, home, "compare")
    assert metric(at, "对应 Matched pairs") == "3" and metric(at, "有变化 Changed") == "1"
    body = at.get("html")[0].proto.body
    assert "<script>" not in body and "<img" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "时限:时限提前:2030年底前 → 2029年底前" in body
    for m in list(at.markdown) + list(at.caption) + list(at.subheader):
        assert "<script" not in m.value and "<img" not in m.value


def test_compare_page_suggests_the_plan_b_implements(monkeypatch, tmp_path):
    """The Shandong action plan opens 为贯彻落实《数字山东发展规划（2018—2022年）》: with that plan
    stored, choosing the action plan as B offers the cited plan as A."""
    import shutil
    from plangraph.graph.store import open_store
    from plangraph.ingest.pipeline import extract_file
    from shared_corpus import CORPUS, require_corpus
    require_corpus()
    home = tmp_path / "implements"
    folder = tmp_path / "plans"
    folder.mkdir()
    for name in ("09_shandong_digital_action_plan_2021", "10_jinan_digital_pioneer_city_2021"):
        shutil.copy(CORPUS / "dev" / f"{name}.txt", folder)
    (folder / "00_shandong_plan_2018.txt").write_text(
        "数字山东发展规划（2018—2022年）\n\n一、重点任务\n"
        "（一）建设数字政府。推进政务服务一网通办，建设一体化综合指挥平台。（省大数据局牵头）\n"
        "（二）发展数字经济。推动工业互联网平台建设，培育智能制造标杆企业。（省工业和信息化厅牵头）\n", encoding="utf-8")
    with open_store("embedded", home) as store:
        for path in sorted(folder.iterdir()):
            store.ingest(extract_file(path))
    at = app_at(monkeypatch, home, "compare")
    at.selectbox(key="cmp_a").set_value("10_jinan_digital_pioneer_city_2021").run()
    at.selectbox(key="cmp_b").set_value("09_shandong_digital_action_plan_2021").run()
    [offer] = [b for b in at.button if b.key.startswith("cmp_use_")]
    assert offer.key == "cmp_use_00_shandong_plan_2018" and "数字山东发展规划" in offer.label
    offer.click().run()
    assert at.selectbox(key="cmp_a").value == "00_shandong_plan_2018"
    assert at.selectbox(key="cmp_b").value == "09_shandong_digital_action_plan_2021"
    assert any("B 落实 A" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key.startswith("cmp_use_")]
    assert int(metric(at, "对应 Matched pairs")) >= 1


def test_compare_page_shows_stored_links(monkeypatch, tmp_path, compare_home):
    """B linked against A (plangraph link, here with --min-score 0.3): the page shows the
    stored pairs, says so, and counts what B does not take up as B's gap."""
    import shutil
    from plangraph.graph.compare import DEFAULT_SETTINGS, compare_plans, linked_pair
    from plangraph.graph.compare_input import plan_from_store
    from plangraph.graph.store import open_store
    import dataclasses
    home = tmp_path / "linked"
    shutil.copytree(compare_home, home)
    a_id, b_id = "09_shandong_digital_action_plan_2021", "10_jinan_digital_pioneer_city_2021"
    with open_store("embedded", home) as store:
        stored = compare_plans(plan_from_store(store, a_id), plan_from_store(store, b_id), "one-to-one",
                               dataclasses.replace(DEFAULT_SETTINGS, min_score=0.3))
        computed = compare_plans(plan_from_store(store, a_id), plan_from_store(store, b_id))
        store.write_links(linked_pair(stored, "asked", "2026-12-03T10:00:00"))
    assert len(stored.pairs) < len(computed.pairs)
    at = app_at(monkeypatch, home, "compare")
    assert metric(at, "对应 Matched pairs") == str(len(stored.pairs))
    assert metric(at, "未承接 Not taken up") == str(len(stored.a_only))
    assert any("显示已存储的对应关系" in c.value and "2026-12-03T10:00:00" in c.value for c in at.caption), [c.value for c in at.caption]
    assert at.get("html")[0].proto.body.count("<tr>") == len(stored.pairs) + 1
    at.radio(key="cmp_mode").set_value("one-to-many").run()  # not stored in this mode: computed
    assert any("即时计算" in c.value for c in at.caption)
    gaps = app_at(monkeypatch, home, "gaps")
    assert any(s.value.startswith(f"上级任务未承接 ({len(stored.a_only)})") for s in gaps.subheader)
