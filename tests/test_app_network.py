"""app/network.py: pyvis drawings are offline, escaped, readable (capped/aggregated)."""
from __future__ import annotations

import json
import re

from app import network
from graph.model import CoEdge, DeadlineInfo, TaskRow, UnitWorkload

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
    load = [UnitWorkload(n, False, 1, 1, 0, 2, 1) for n in names]
    r = network.co_network(edges, load, {}, max_edges=50)
    assert r.edges == 50 and "只显示最强的 50 条" in r.note
    assert min(e["value"] for e in edges_of(r.html)) >= 4  # the strongest ones were kept


def test_co_network_min_weight_and_collective():
    edges = [CoEdge("市司法局", "市委编办", 3), CoEdge("各区县政府", "市司法局", 5), CoEdge("市司法局", "市财政局", 1)]
    load = [UnitWorkload("市司法局", False, 5, 1, 0, 6, 1)]
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


def test_html_is_standalone_offline():
    html = network.unit_task_network([row(1, lead=["市司法局"])], INFO).html
    assert not re.search(r"""<(?:script|link)[^>]+(?:src|href)\s*=\s*["']?https?:""", html)
    assert "vis.Network" in html and "vis-network" in html.lower()  # inlined library
    assert "pgStable" in html and "pg-legend" in html
