"""app/network.py: pyvis drawings are offline, escaped, readable (capped/aggregated)."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from plangraph.app import network
from plangraph.graph.rows import CoEdge, DeadlineInfo, TaskLink, TaskRow, UnitWorkload

EVIL = "<script>alert(1)</script><img src=x onerror=alert(1)> href"


def row(i: int, lead=(), participants=(), responsible=(), text="任务内容", section="2.1", heading="任务"):
    return TaskRow(document_id="d", task_id=f"{section}.{i}", ordinal=i, heading=heading, text=text,
                   section=section, section_title=f"章节{section}", labels=[], start=0, end=len(text),
                   deadlines=[DeadlineInfo("2023年底前", "2023-12-31", None, 0, 1)], lead=list(lead),
                   participants=list(participants), responsible=list(responsible), basis=[], produces=[])


INFO = {"市司法局": {"kind": "government_department", "kind_label": "政府部门", "level": "市", "collective": False},
        "市委编办": {"kind": "party", "kind_label": "党委机构", "level": "市", "collective": False},
        "各区县政府": {"kind": "government", "kind_label": "人民政府", "level": "区县", "collective": True}}


def nodes_of(html: str) -> list[dict]:
    m = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", html, re.S)
    return json.loads(m.group(1))


def edges_of(html: str) -> list[dict]:
    m = re.search(r"edges = new vis\.DataSet\((\[.*?\])\);", html, re.S)
    return json.loads(m.group(1))


def test_unit_task_network_colours_roles_and_kinds():
    tasks = [row(1, lead=["市司法局"], participants=["各区县政府"]), row(2, responsible=["市委编办", "市司法局"])]
    r = network.unit_task_network(tasks, INFO)
    nodes = {n["id"]: n for n in nodes_of(r.html)}
    assert set(nodes) == {"u:市司法局", "u:市委编办", "u:各区县政府", "t:d::2.1.1", "t:d::2.1.2"}
    assert nodes["u:市司法局"]["color"]["background"] == network.KIND_COLORS["government_department"]
    assert nodes["u:各区县政府"]["shape"] == "diamond"  # collective
    colours = {(e["from"], e["to"]): e["color"] for e in edges_of(r.html)}
    assert colours[("u:市司法局", "t:d::2.1.1")] == network.ROLE_COLORS["lead"]
    assert colours[("u:各区县政府", "t:d::2.1.1")] == network.ROLE_COLORS["participant"]
    assert colours[("u:市委编办", "t:d::2.1.2")] == network.ROLE_COLORS["responsible"]
    assert "单位类型" in r.html and "政府部门" in r.html and "牵头" in r.html  # legend
    assert (r.nodes, r.edges, r.note) == (5, 4, "")


def test_filters_roles_units_and_collective():
    tasks = [row(1, lead=["市司法局"], participants=["各区县政府"]), row(2, responsible=["市委编办"])]
    ids = {n["id"] for n in nodes_of(network.unit_task_network(tasks, INFO, roles=["lead"]).html)}
    assert ids == {"u:市司法局", "t:d::2.1.1"}
    ids = {n["id"] for n in nodes_of(network.unit_task_network(tasks, INFO, units=["市委编办"]).html)}
    assert ids == {"u:市委编办", "t:d::2.1.2"}
    ids = {n["id"] for n in nodes_of(network.unit_task_network(tasks, INFO, include_collective=False).html)}
    assert "u:各区县政府" not in ids
    hl = {n["id"]: n for n in nodes_of(network.unit_task_network(tasks, INFO, highlight=["市委编办"]).html)}
    assert hl["u:市委编办"]["borderWidth"] > hl["u:市司法局"]["borderWidth"]


def test_tooltips_list_unit_tasks_and_task_text():
    tasks = [row(i, lead=["市司法局"], heading=f"任务{i}") for i in range(1, 21)]
    nodes = {n["id"]: n for n in nodes_of(network.unit_task_network(tasks, INFO).html)}
    tip = nodes["u:市司法局"]["title"]
    assert "牵头 20 项" in tip and "任务1" in tip and "…等 20 项" in tip
    assert "任务内容" in nodes["t:d::2.1.1"]["title"] and "2023年底前" in nodes["t:d::2.1.1"]["title"]


def test_large_graphs_are_aggregated_or_capped_with_a_note():
    tasks = [row(i, lead=["市司法局"], section=f"2.{i % 3}") for i in range(30)]
    r = network.unit_task_network(tasks, INFO, max_tasks=10)
    assert "按章节聚合" in r.note
    ids = {n["id"] for n in nodes_of(r.html)}
    assert ids == {"u:市司法局", "s:d::2.0", "s:d::2.1", "s:d::2.2"}
    names = [f"单位{i}" for i in range(30)]
    edges = [CoEdge(a, b, 1 + (i % 5)) for i, (a, b) in enumerate((x, y) for x in names for y in names if x < y)]
    load = [UnitWorkload(n, False, 1, 1, 0, 0, 2, 1) for n in names]
    r = network.co_network(edges, load, {}, max_edges=50)
    assert r.edges == 50 and "只显示最强的 50 条" in r.note
    assert min(e["value"] for e in edges_of(r.html)) >= 4  # the strongest ones were kept


# Of the 40 tasks below: 市委编办 leads i % 4 == 0 (10) and answers for i % 5 == 0 (8), both
# for 0 and 20: 16 tasks; section 章节2.1 is i % 3 == 1: 13 tasks; every task has a lead.
@pytest.mark.parametrize("filters,kept", [({}, 40), ({"units": ["市委编办"]}, 16), ({"sections": ["章节2.1"]}, 13),
                                          ({"roles": ["lead"]}, 40)], ids=["all", "unit", "section", "lead"])
def test_links_draw_what_rows_draw(filters, kept):
    """A province's plans are drawn from TaskLinks (no text): up to max_tasks tasks left by the
    filters every one is drawn, with its row asked for then and only then; one more and the
    drawing merges them into sections without asking for a row. Either way it is the same
    drawing as from rows."""
    rows = [row(i, lead=["市司法局"] if i % 4 else ["市委编办"], participants=["各区县政府"] if i % 3 else [],
                responsible=["市委编办"] if i % 5 == 0 else [], section=f"2.{i % 3}") for i in range(40)]
    asked: list[list[TaskLink]] = []

    def full_rows(links: list[TaskLink]) -> list[TaskRow]:
        asked.append(links)
        by_id = {r.task_id: r for r in rows}
        return [by_id[t.task_id] for t in links]

    links = [TaskLink.of(r) for r in rows]
    for max_tasks, drawn_each in ((kept - 1, False), (kept, True)):
        asked.clear()
        got = network.unit_task_network(links, INFO, full_rows=full_rows, max_tasks=max_tasks, **filters)
        assert got == network.unit_task_network(rows, INFO, max_tasks=max_tasks, **filters)
        task_nodes = [n for n in nodes_of(got.html) if n["id"].startswith("t:")]
        if drawn_each:
            assert got.note == "" and len(task_nodes) == kept
            [batch] = asked  # the kept tasks' rows, asked for once, by their links
            assert len(batch) == kept and all(isinstance(t, TaskLink) for t in batch)
        else:
            assert "按章节聚合" in got.note and not task_nodes
            assert asked == []


def test_co_network_min_weight_and_collective():
    edges = [CoEdge("市司法局", "市委编办", 3), CoEdge("各区县政府", "市司法局", 5), CoEdge("市司法局", "市财政局", 1)]
    load = [UnitWorkload("市司法局", False, 5, 1, 0, 0, 6, 1)]
    r = network.co_network(edges, load, INFO, min_weight=2, include_collective=False)
    ids = {n["id"] for n in nodes_of(r.html)}
    assert ids == {"u:市司法局", "u:市委编办"}
    assert "共同任务 3 项" in edges_of(r.html)[0]["title"]


def test_document_text_is_escaped_in_labels_and_tooltips():
    tasks = [row(1, lead=["市司法局"], text=EVIL, heading=EVIL)]
    html = network.unit_task_network(tasks, INFO).html
    assert "<script>alert" not in html and "<img src=x" not in html
    title = nodes_of(html)[-1]["title"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in title and "&lt;img src=x onerror=alert(1)&gt;" in title
    assert "href" not in title  # else pyvis swaps in its innerHTML popup
    evil_unit = {EVIL: {"kind": "other", "kind_label": "其他", "level": "", "collective": False}}
    html = network.co_network([CoEdge(EVIL, "市司法局", 2)], [], evil_unit).html
    assert "<script>alert" not in html
    labels = [n["label"] for n in nodes_of(html)]
    assert any("&lt;script&gt;" in label for label in labels)


EXTERNAL = re.compile(r"""<(?:script|link)[^>]+(?:src|href)\s*=\s*["']?(?:https?:|//)""")


def test_the_page_takes_vis_network_from_the_apps_static_files():
    html = network.unit_task_network([row(1, lead=["市司法局"])], INFO).html
    assert not EXTERNAL.search(html)
    assert '<script src="app/static/vis-network.min.js">' in html
    assert '<link rel="stylesheet" href="app/static/vis-network.min.css">' in html
    assert "Almende" not in html  # the library itself is not in the page
    assert "pgStable" in html and "pg-legend" in html


def test_the_standalone_page_inlines_vis_network_and_needs_no_network():
    html = network.standalone_html(network.unit_task_network([row(1, lead=["市司法局"])], INFO).html)
    assert not EXTERNAL.search(html) and "app/static/" not in html
    style, script = (network.STATIC_DIR / name for name in (network.VIS_STYLE, network.VIS_SCRIPT))
    assert f"<style>{style.read_text(encoding='utf-8')}</style>" in html
    assert f"<script>{script.read_text(encoding='utf-8')}</script>" in html
    assert html.index("<script>/**\n * vis-network") < html.index("new vis.Network")  # loaded before use
    assert "pgStable" in html and "pg-legend" in html


def test_the_static_copies_are_the_vis_network_pyvis_uses():
    """app/static holds the files pyvis' template inlines: a pyvis that moves to another
    vis-network fails here, and the copies are taken again from its lib folder."""
    import pyvis
    templates = Path(pyvis.__file__).parent / "templates"
    wanted = re.findall(r"include '(lib/vis-[^']+/vis-network\.(?:css|min\.js))'",
                        (templates / "template.html").read_text(encoding="utf-8"))
    css, js = sorted(wanted)
    assert (templates / css).read_bytes() == (network.STATIC_DIR / network.VIS_STYLE).read_bytes()
    assert (templates / js).read_bytes() == (network.STATIC_DIR / network.VIS_SCRIPT).read_bytes()


# ---------------------------------------------------------------- bounded whatever the selection (issue 7)

KINDS = ["government_department", "party", "court", "development_zone"]


def big_selection(docs: int = 300, per_doc: int = 20, units: int = 400, titles: int = 90,
                  title_prefix: str = "主题") -> tuple[list[TaskRow], dict]:
    """A province's worth of plans: `docs` plans of `per_doc` tasks, `units` units (+ one collective),
    section titles shared across plans."""
    rows = []
    for d in range(docs):
        for i in range(per_doc):
            k = d * per_doc + i
            sec = f"2.{i % 5}"
            t = row(i, lead=[f"单位{(k * 7) % units}"],
                    participants=[f"单位{(k * 13 + 1) % units}", f"单位{(k * 17 + 2) % units}", "各区县政府"],
                    responsible=[f"单位{(k * 3) % units}"] if i % 4 == 0 else [], section=sec)
            t.document_id = f"doc{d:04d}"
            t.section_title = f"{title_prefix}{(d + i) % titles}"
            rows.append(t)
    info = {f"单位{u}": {"kind": KINDS[u % 4], "kind_label": KINDS[u % 4], "level": "市", "collective": False}
            for u in range(units)}
    info["各区县政府"] = INFO["各区县政府"]
    return rows, info


def bound(extra: int = 0) -> tuple[int, int]:
    """Most nodes and edges of an aggregate; `extra`: picked / searched units outside the busiest
    (each may bring its main section)."""
    nodes = network.MAX_UNITS + network.MAX_GROUPS + 2 * extra
    return nodes, network.MAX_AGG_EDGES + nodes


def test_a_province_is_drawn_as_a_bounded_aggregate_with_a_note():
    rows, info = big_selection()
    r = network.unit_task_network(rows, info)
    max_nodes, max_edges = bound()
    assert 0 < r.nodes <= max_nodes and 0 < r.edges <= max_edges
    nodes, edges = nodes_of(r.html), edges_of(r.html)
    assert (len(nodes), len(edges)) == (r.nodes, r.edges)
    ids = {n["id"] for n in nodes}
    assert not any(i.startswith("t:") for i in ids)  # no task nodes
    groups = [n for n in nodes if n["id"].startswith("g:")]  # one node per section title across plans
    assert len(groups) == network.MAX_GROUPS and all("项" in n["label"] for n in groups)
    assert len([i for i in ids if i.startswith("u:")]) == network.MAX_UNITS
    assert "按章节聚合" in r.note and "6,000 项" in r.note and "300 份文件" in r.note
    assert f"任务最多的 {network.MAX_GROUPS} 个章节(共 90 个" in r.note
    assert f"任务最多的 {network.MAX_UNITS} 个单位(共 401 个" in r.note
    assert {e["from"] for e in edges} <= ids and {e["to"] for e in edges} <= ids
    linked = {e["from"] for e in edges} | {e["to"] for e in edges}
    assert linked == ids  # no node without an edge
    assert all(e["value"] >= 1 and e["color"] in network.ROLE_COLORS.values() for e in edges)
    assert r.sections[:2] == ["主题0", "主题1"] and len(r.sections) == 90


def test_aggregate_stays_bounded_with_many_highlighted_and_picked_units():
    rows, info = big_selection(docs=400, units=1500, titles=300)
    every = list(info)
    r = network.unit_task_network(rows, info, highlight=every, units=every[:900])
    max_nodes, max_edges = bound(network.MAX_EXTRA_UNITS)
    assert r.nodes <= max_nodes and r.edges <= max_edges
    assert len([n for n in nodes_of(r.html) if n["id"].startswith("u:")]) == network.MAX_UNITS + network.MAX_EXTRA_UNITS
    assert f"及 {network.MAX_EXTRA_UNITS} 个所选或搜索到的单位" in r.note
    # a searched unit outside the busiest is drawn, highlighted, with its main section
    named = Counter(u for t in rows for u in {*t.lead, *t.participants, *t.responsible})
    quiet = min(info, key=lambda u: named[u] or 10**9)
    r = network.unit_task_network(rows, info, highlight=[quiet])
    nodes = {n["id"]: n for n in nodes_of(r.html)}
    assert nodes[f"u:{quiet}"]["borderWidth"] == 4
    assert any(f"u:{quiet}" in (e["from"], e["to"]) for e in edges_of(r.html))


def test_a_few_plans_aggregate_per_section_of_each_plan():
    rows, info = big_selection(docs=3, per_doc=100, units=30)
    r = network.unit_task_network(rows, info, max_tasks=250,
                                  doc_titles={"doc0000": "某市<b>方案</b>"})
    ids = {n["id"] for n in nodes_of(r.html)}
    assert {i for i in ids if i.startswith("s:")} == {f"s:doc{d:04d}::2.{s}" for d in range(3) for s in range(5)}
    assert "每个章节一个节点" in r.note
    tip = next(n["title"] for n in nodes_of(r.html) if n["id"] == "s:doc0000::2.0")
    assert "某市&lt;b&gt;方案&lt;/b&gt;" in tip and "20 项任务" in tip


def test_filters_narrow_a_province_down_to_single_tasks():
    rows, info = big_selection()
    unit = "单位7"
    r = network.unit_task_network(rows, info, units=[unit], include_collective=False)
    ids = {n["id"] for n in nodes_of(r.html)}
    assert r.note == "" and any(i.startswith("t:") for i in ids)  # few enough: every task drawn
    assert "u:各区县政府" not in ids and f"u:{unit}" in ids
    picked = network.unit_task_network(rows, info, sections=["主题3"])  # ~67 tasks: one by one
    in_section = {f"t:{t.document_id}::{t.task_id}" for t in rows if t.section_title == "主题3"}
    assert picked.note == "" and {n["id"] for n in nodes_of(picked.html) if n["id"].startswith("t:")} == in_section
    assert picked.sections == r.sections == [f"主题{i}" for i in range(90)]  # the filter's list: whole selection
    themes = [f"主题{i}" for i in range(10)]  # ~670 tasks: aggregated, those sections only
    several = network.unit_task_network(rows, info, sections=themes)
    assert "按章节聚合" in several.note
    assert {n["id"] for n in nodes_of(several.html) if not n["id"].startswith("u:")} == {f"g:{x}" for x in themes}
    leads = network.unit_task_network(rows, info, roles=["lead"])
    assert {e["color"] for e in edges_of(leads.html)} == {network.ROLE_COLORS["lead"]}
    assert "u:各区县政府" not in {n["id"] for n in nodes_of(leads.html)}  # collective units only take part
    everyone = network.unit_task_network(rows, info, include_collective=True)
    assert "u:各区县政府" in {n["id"] for n in nodes_of(everyone.html)}
    assert "u:各区县政府" not in {n["id"] for n in nodes_of(network.unit_task_network(rows, info, include_collective=False).html)}


def test_aggregate_escapes_document_text():
    rows, info = big_selection(docs=50, title_prefix=EVIL)
    info[EVIL] = {"kind": "other", "kind_label": "其他", "level": "", "collective": False}
    for t in rows[:400]:
        t.lead = [EVIL]
    r = network.unit_task_network(rows, info)
    assert "<script>alert" not in r.html and "<img src=x" not in r.html
    nodes = nodes_of(r.html)
    unit = next(n for n in nodes if n["id"] == f"u:{EVIL}")
    assert "&lt;script&gt;" in unit["label"] and "&lt;script&gt;" in unit["title"] and "href" not in unit["title"]
    group = next(n for n in nodes if n["id"].startswith("g:"))
    assert "&lt;script&gt;" in group["label"] and "&lt;img src=x" in group["title"]
    edges = edges_of(r.html)
    assert edges and all("<script" not in e["title"] for e in edges)


def test_labels_keep_quotes_but_escape_markup():
    tasks = [row(1, lead=['市"司法"局<b>'])]
    label = next(n["label"] for n in nodes_of(network.unit_task_network(tasks, {}).html) if n["id"].startswith("u:"))
    assert label == '市"司法"局&lt;b&gt;'


def test_no_pyvis_add_calls(monkeypatch):
    """pyvis' add_node / add_edge scan their lists on each call (quadratic): the lists are built here."""
    from pyvis.network import Network

    def refuse(*a, **k):
        raise AssertionError("pyvis add_node/add_edge called")
    monkeypatch.setattr(Network, "add_edge", refuse)
    monkeypatch.setattr(Network, "add_node", refuse)
    rows, info = big_selection()
    drawings = [network.unit_task_network(rows, info), network.unit_task_network(rows[:40], info),
                network.co_network([CoEdge("市司法局", "市委编办", 3)], [], INFO)]
    assert [len(nodes_of(d.html)) for d in drawings] == [d.nodes for d in drawings]
    assert all(d.nodes > 0 and d.edges > 0 for d in drawings)


def test_co_network_keeps_node_sizes_readable_for_busy_units():
    load = [UnitWorkload("市司法局", False, 9000, 2000, 0, 0, 11000, 900),
            UnitWorkload("市委编办", False, 1, 1, 0, 0, 2, 1)]
    r = network.co_network([CoEdge("市司法局", "市委编办", 300)], load, INFO)
    assert max(n["size"] for n in nodes_of(r.html)) <= 50


def test_the_bundled_plan_is_drawn_task_by_task(changde_rows):
    rows, info = changde_rows
    assert 90 <= len(rows) <= network.MAX_TASKS
    r = network.unit_task_network(rows, info)
    ids = {n["id"] for n in nodes_of(r.html)}
    drawn = {i for i in ids if i.startswith("t:")}
    with_units = [t for t in rows if t.lead or t.participants or t.responsible]
    assert drawn == {f"t:{t.document_id}::{t.task_id}" for t in with_units}
    assert r.note == "" and r.edges == sum(len(set(t.lead + t.participants + t.responsible)) for t in with_units)
    assert r.sections and r.sections[0] == rows[0].section_title


def test_app_drawings_need_not_the_whole_graph(changde_store_home, monkeypatch):
    """app.drawings: unit kinds from workload(), not to_networkx(); the section list comes with the drawing."""
    from plangraph.app.drawings import network_drawing
    from plangraph.app.labels import ROLE_LABELS
    from plangraph.app.queries import Selection, store_version
    from plangraph.graph.embedded import EmbeddedStore

    def refuse(*a, **k):
        raise AssertionError("to_networkx called for a drawing")
    monkeypatch.setattr(EmbeddedStore, "to_networkx", refuse)
    home = str(changde_store_home)
    sel = Selection("embedded", home, None, store_version("embedded", home) + "-test")
    r = network_drawing(sel, "unit_task", include_collective=False, roles=list(ROLE_LABELS), sections=[])
    assert r.note == "" and r.nodes > 100 and "完善立法工作机制" in r.sections
    nodes = {n["id"]: n for n in nodes_of(r.html)}
    bureau = next(n for i, n in nodes.items() if i.startswith("u:") and i.endswith("司法局"))
    assert bureau["color"]["background"] == network.KIND_COLORS["government_department"]
    part = network_drawing(sel, "unit_task", sections=["完善立法工作机制"])
    assert part.nodes < 20 and part.sections == r.sections
    co = network_drawing(sel, "co", min_weight=2)
    assert co.nodes > 5 and co.edges > 5


@pytest.fixture(scope="module")
def changde_store_home(tmp_path_factory):
    from plangraph.graph.store import open_store
    from plangraph.ingest.pipeline import extract_file
    home = tmp_path_factory.mktemp("changde_net")
    with open_store("embedded", home) as store:
        store.ingest(extract_file(Path(__file__).resolve().parents[1] / "data" / "changde_fazhi_2021-2025.txt"))
    return home


@pytest.fixture(scope="module")
def changde_rows(changde_store_home):
    from plangraph.graph.store import open_store
    with open_store("embedded", changde_store_home) as store:
        rows, load = store.tasks(), store.workload()
    info = {w.unit: {"kind": w.kind or "other", "kind_label": w.kind_label or "", "level": w.level or "",
                     "collective": w.collective} for w in load}
    return rows, info


def options_of(html: str) -> dict:
    return json.loads(re.search(r"var options = (\{.*?\});\n", html).group(1))


def test_the_drawing_names_its_fonts_as_written_and_lays_out_with_physics_alone():
    """The vis.js options go out as JSON: font names keep their spaces (pyvis' set_options
    dropped them, so "Noto Sans CJK SC" matched no font), and the layout is the
    forceAtlas2 physics without vis-network's Kamada-Kawai start (half the page's time)."""
    for html in (network.unit_task_network([row(1, lead=["市司法局"])], INFO).html,
                 network.co_network([CoEdge("市司法局", "市委编办", 2)], [], INFO).html):
        options = options_of(html)
        assert options["nodes"]["font"]["face"].startswith("Noto Sans CJK SC, ")
        assert options["layout"] == {"improvedLayout": False}
        assert options["physics"]["solver"] == "forceAtlas2Based" and options["physics"]["stabilization"]["enabled"]
