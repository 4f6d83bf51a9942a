"""Network drawings with pyvis: pure functions from query results to a standalone HTML page.

Why our own post-processing of pyvis' output:
- offline: vis-network is inlined (cdn_resources="in_line") and pyvis' Bootstrap links to a
  CDN are removed, so the page (and the downloaded file) works without a network;
- safe: document text is data. Every label and tooltip is built from html.escape'd text.
  vis-network shows a string tooltip as plain text, so a small script turns our (escaped)
  tooltip HTML into elements: the user sees `<script>` literally and nothing runs;
- readable: graphs over a size cap are aggregated (tasks -> sections) or cut to the
  strongest edges, and the result says so in `note`.
"""
from __future__ import annotations

import html
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from pyvis.network import Network

from graph.model import ROLES, CoEdge, TaskRow, UnitWorkload

ROLE_LABELS = {"lead": "牵头", "participant": "参加", "responsible": "责任"}
ROLE_COLORS = {"lead": "#d62728", "responsible": "#ff7f0e", "participant": "#1f77b4"}
ROLE_PRIORITY = {"lead": 0, "responsible": 1, "participant": 2}

# Unit kinds (ingest.units / data/unit_kinds.tsv) -> fill colour.
KIND_COLORS = {
    "party": "#e15759",
    "government": "#f28e2b",
    "government_department": "#4e79a7",
    "congress": "#b07aa1",
    "cppcc": "#9c755f",
    "court": "#59a14f",
    "procuratorate": "#76b7b2",
    "development_zone": "#edc948",
    "enterprise": "#ff9da7",
    "financial": "#bab0ac",
    "research": "#8cd17d",
    "mass_organization": "#d4a6c8",
    "public_institution": "#86bcb6",
    "collective": "#cccccc",
    "other": "#a0a0a0",
}
TASK_COLOR = "#e8e8e8"
SECTION_COLOR = "#fff2b3"
HIGHLIGHT_BORDER = "#000000"

MAX_TASKS = 250  # more task nodes than this: aggregate tasks into sections
MAX_CO_EDGES = 300  # co-responsibility edges kept (strongest first)
TIP_TASKS = 15  # tasks listed in a unit's tooltip


@dataclass
class NetworkResult:
    html: str
    nodes: int
    edges: int
    note: str = ""  # set when the graph was aggregated or capped


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def task_tip(t: TaskRow) -> str:
    """Tooltip HTML of a task: number, heading, units and (shortened) text, all escaped."""
    parts = [f"<b>任务 {esc(t.number if t.number is not None else t.task_id)}</b> {esc(t.heading)}"]
    if t.section_title:
        parts.append(f"章节:{esc(t.section_title)}")
    for role, names in (("lead", t.lead), ("participant", t.participants), ("responsible", t.responsible)):
        if names:
            parts.append(f"{ROLE_LABELS[role]}:{esc('、'.join(names))}")
    if t.deadlines:
        parts.append(f"时限:{esc('、'.join(d.text for d in t.deadlines))}")
    parts.append(f"<span class='pg-text'>{esc(short(t.text, 400))}</span>")
    return "<br>".join(parts)


def unit_tip(unit: str, info: Mapping[str, object], tasks_by_role: Mapping[str, list[TaskRow]]) -> str:
    """Tooltip HTML of a unit: kind, level and the tasks it leads / joins / answers for."""
    head = f"<b>{esc(unit)}</b>"
    meta = [str(info.get("kind_label") or ""), str(info.get("level") or "")]
    if info.get("collective"):
        meta.append("泛指")
    meta = [m for m in meta if m]
    parts = [head + (f"({esc(' · '.join(meta))})" if meta else "")]
    for role in ("lead", "responsible", "participant"):
        rows = tasks_by_role.get(role) or []
        if not rows:
            continue
        listed = "<br>".join(f"&nbsp;· {esc(r.number if r.number is not None else r.task_id)} {esc(short(r.heading, 30))}"
                             for r in rows[:TIP_TASKS])
        more = f"<br>&nbsp;…等 {len(rows)} 项" if len(rows) > TIP_TASKS else ""
        parts.append(f"{ROLE_LABELS[role]} {len(rows)} 项:<br>{listed}{more}")
    return "<br>".join(parts)


def _primary_role(roles: Iterable[str]) -> str:
    return min(roles, key=lambda r: ROLE_PRIORITY.get(r, 9))


def _unit_color(unit: str, unit_info: Mapping[str, Mapping[str, object]]) -> str:
    kind = str((unit_info.get(unit) or {}).get("kind") or "other")
    return KIND_COLORS.get(kind, KIND_COLORS["other"])


def _unit_node(net: Network, unit: str, info: Mapping[str, object], size: float, tip: str,
               highlighted: bool) -> None:
    color = {"background": _unit_color(unit, {unit: info}), "border": HIGHLIGHT_BORDER if highlighted else "#555555"}
    net.add_node(f"u:{unit}", label=esc(unit), title=tip, shape="diamond" if info.get("collective") else "dot",
                 color=color, size=size, borderWidth=4 if highlighted else 1,
                 font={"size": 30 if highlighted else 22})


def unit_task_network(tasks: Sequence[TaskRow], unit_info: Mapping[str, Mapping[str, object]], *,
                      roles: Collection[str] = ROLES, units: Collection[str] | None = None,
                      highlight: Collection[str] = (), include_collective: bool = True,
                      max_tasks: int = MAX_TASKS, height: str = "720px") -> NetworkResult:
    """Units and the tasks they lead / join / answer for; edges coloured by role, units by kind.

    units: keep only tasks involving one of these units (with all their units);
    highlight: units drawn with a thick border (search results).
    Over `max_tasks` tasks, task nodes are merged into their sections.
    """
    roles = [r for r in ROLES if r in set(roles)]
    wanted = set(units or ())

    def role_pairs(t: TaskRow) -> list[tuple[str, str]]:
        pairs = [(u, r) for r, names in (("lead", t.lead), ("participant", t.participants),
                                         ("responsible", t.responsible)) if r in roles for u in names]
        if not include_collective:
            pairs = [(u, r) for u, r in pairs if not (unit_info.get(u) or {}).get("collective")]
        return pairs

    kept: list[tuple[TaskRow, list[tuple[str, str]]]] = []
    for t in tasks:
        pairs = role_pairs(t)
        if not pairs or (wanted and not wanted & {u for u, _ in pairs}):
            continue
        kept.append((t, pairs))

    by_unit: dict[str, dict[str, list[TaskRow]]] = defaultdict(lambda: defaultdict(list))
    for t, pairs in kept:
        for u, r in dict.fromkeys(pairs):
            by_unit[u][r].append(t)

    net = _new_network(height)
    note = ""
    aggregate = len(kept) > max_tasks
    edges = 0
    for u, rows_by_role in sorted(by_unit.items()):
        n = len({(t.document_id, t.task_id) for rows in rows_by_role.values() for t in rows})
        info = unit_info.get(u) or {}
        _unit_node(net, u, info, 12 + 4 * math.sqrt(n), unit_tip(u, info, rows_by_role), u in set(highlight))
    if not aggregate:
        for t, pairs in kept:
            tid = f"t:{t.document_id}::{t.task_id}"
            net.add_node(tid, label=esc(t.number if t.number is not None else t.task_id), title=task_tip(t),
                         shape="box", color={"background": TASK_COLOR, "border": "#999999"},
                         font={"size": 18})
            per_unit: dict[str, set[str]] = defaultdict(set)
            for u, r in pairs:
                per_unit[u].add(r)
            for u, rs in per_unit.items():
                role = _primary_role(rs)
                net.add_edge(f"u:{u}", tid, color=ROLE_COLORS[role], width=2 if role == "lead" else 1,
                             title=esc("、".join(ROLE_LABELS[r] for r in ROLES if r in rs)))
                edges += 1
    else:
        note = f"任务较多({len(kept)} 项 > {max_tasks}),已按章节聚合:每个章节一个节点,边的粗细为任务数。"
        sections: dict[tuple[str, str], list[TaskRow]] = defaultdict(list)
        weights: Counter = Counter()
        for t, pairs in kept:
            skey = (t.document_id, t.section or "-")
            sections[skey].append(t)
            per_unit: dict[str, set[str]] = defaultdict(set)
            for u, r in pairs:
                per_unit[u].add(r)
            for u, rs in per_unit.items():
                weights[(u, skey, _primary_role(rs))] += 1
        for (doc, sec), rows in sections.items():
            title = rows[0].section_title or sec
            tip = f"<b>{esc(title)}</b><br>{len(rows)} 项任务:" + esc("、".join(
                str(r.number if r.number is not None else r.task_id) for r in rows[:60]))
            net.add_node(f"s:{doc}::{sec}", label=esc(short(title, 14)), title=tip, shape="box",
                         color={"background": SECTION_COLOR, "border": "#999999"})
        for (u, (doc, sec), r), w in sorted(weights.items(), key=lambda kv: str(kv[0])):
            net.add_edge(f"u:{u}", f"s:{doc}::{sec}", color=ROLE_COLORS[r], width=1 + math.log2(w),
                         title=esc(f"{ROLE_LABELS[r]} {w} 项"))
            edges += 1
    legend = _legend(unit_info, by_unit.keys(), roles, task_nodes=not aggregate)
    return NetworkResult(_render(net, legend), len(net.nodes), edges, note)


def co_network(edges: Sequence[CoEdge], workload: Sequence[UnitWorkload],
               unit_info: Mapping[str, Mapping[str, object]], *, units: Collection[str] | None = None,
               highlight: Collection[str] = (), include_collective: bool = True, min_weight: int = 1,
               max_edges: int = MAX_CO_EDGES, height: str = "720px") -> NetworkResult:
    """Unit–unit co-responsibility: an edge when two units share tasks (weight = tasks)."""
    wanted = set(units or ())
    load = {w.unit: w for w in workload}

    def collective(u: str) -> bool:
        return bool((unit_info.get(u) or {}).get("collective") or getattr(load.get(u), "collective", False))

    kept = [e for e in edges if e.weight >= min_weight
            and (include_collective or not (collective(e.a) or collective(e.b)))
            and (not wanted or e.a in wanted or e.b in wanted)]
    kept.sort(key=lambda e: (-e.weight, e.a, e.b))
    note = ""
    if len(kept) > max_edges:
        note = f"协作关系较多({len(kept)} 条 > {max_edges}),只显示最强的 {max_edges} 条。"
        kept = kept[:max_edges]
    partners: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for e in kept:
        partners[e.a].append((e.b, e.weight))
        partners[e.b].append((e.a, e.weight))
    net = _new_network(height)
    for u in sorted(partners):
        w = load.get(u)
        info = dict(unit_info.get(u) or {})
        info.setdefault("collective", collective(u))
        meta = [str(info.get("kind_label") or ""), str(info.get("level") or "")]
        tip = f"<b>{esc(u)}</b>" + (f"({esc(' · '.join(m for m in meta if m))})" if any(meta) else "")
        if w is not None:
            tip += f"<br>牵头 {w.lead} · 参加 {w.participant} · 责任 {w.responsible} · 合计 {w.total} 项"
        top = sorted(partners[u], key=lambda p: (-p[1], p[0]))
        tip += "<br>共同任务最多的单位:<br>" + "<br>".join(
            f"&nbsp;· {esc(p)}({n})" for p, n in top[:TIP_TASKS])
        size = 10 + 3 * math.sqrt(w.total if w is not None else 1)
        _unit_node(net, u, info, size, tip, u in set(highlight))
    top_weight = max((e.weight for e in kept), default=1)
    for e in kept:
        net.add_edge(f"u:{e.a}", f"u:{e.b}", value=e.weight, title=esc(f"{e.a} — {e.b}:共同任务 {e.weight} 项"),
                     color={"color": "#8c8c8c", "opacity": 0.35 + 0.65 * e.weight / top_weight})
    legend = _legend(unit_info, partners.keys(), (), task_nodes=False, co=True)
    return NetworkResult(_render(net, legend), len(net.nodes), len(kept), note)


# ---------------------------------------------------------------- rendering


_OPTIONS = {
    "physics": {
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -45, "springLength": 80, "avoidOverlap": 0.5},
        "stabilization": {"enabled": True, "iterations": 300, "fit": True},
        "minVelocity": 0.75,
    },
    "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "multiselect": True},
    "edges": {"smooth": False, "scaling": {"min": 1, "max": 10}},
    "nodes": {"font": {"face": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"}},
}


def _new_network(height: str) -> Network:
    net = Network(height=height, width="100%", directed=False, cdn_resources="in_line", bgcolor="#ffffff",
                  neighborhood_highlight=True)
    net.set_options(json.dumps(_OPTIONS))
    return net


def _legend(unit_info: Mapping[str, Mapping[str, object]], units: Iterable[str], roles: Iterable[str],
            task_nodes: bool, co: bool = False) -> str:
    """Legend HTML: unit kinds present, node shapes, edge colours by role."""
    present = Counter(str((unit_info.get(u) or {}).get("kind") or "other") for u in units)
    labels = {str((a or {}).get("kind") or "other"): str((a or {}).get("kind_label") or "") for a in unit_info.values()}
    items = [f"<span class='pg-sw' style='background:{KIND_COLORS.get(k, KIND_COLORS['other'])}'></span>"
             f"{esc(labels.get(k) or k)} ({n})" for k, n in sorted(present.items(), key=lambda kv: -kv[1])]
    rows = ["<b>单位类型</b> " + " ".join(f"<span class='pg-item'>{i}</span>" for i in items)]
    shapes = ["<span class='pg-item'>● 单位</span>", "<span class='pg-item'>◆ 泛指单位(如 各区县政府)</span>"]
    if task_nodes:
        shapes.append("<span class='pg-item'>▭ 任务(编号)</span>")
    elif not co:
        shapes.append("<span class='pg-item'>▭ 章节(聚合)</span>")
    rows.append("<b>形状</b> " + " ".join(shapes))
    if co:
        rows.append("<b>边</b> <span class='pg-item'>两单位共同承担的任务数(越粗越多)</span>")
    else:
        rows.append("<b>角色</b> " + " ".join(
            f"<span class='pg-item'><span class='pg-line' style='background:{ROLE_COLORS[r]}'></span>"
            f"{ROLE_LABELS[r]}</span>" for r in ROLES if r in set(roles)))
    rows.append("<span class='pg-hint'>悬停查看任务/单位;滚轮缩放,拖动平移;点击节点高亮其邻居。</span>")
    return "<div id='pg-legend'>" + "<br>".join(rows) + "</div>"


_STYLE = """
<style>
 body { margin: 0; font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
 #pg-legend { font-size: 13px; line-height: 1.7; padding: 6px 10px; background: #fafafa;
              border-bottom: 1px solid #e5e5e5; }
 #pg-legend .pg-item { margin-right: 12px; white-space: nowrap; }
 #pg-legend .pg-sw { display: inline-block; width: 11px; height: 11px; border-radius: 50%;
                     margin-right: 4px; vertical-align: -1px; border: 1px solid #666; }
 #pg-legend .pg-line { display: inline-block; width: 22px; height: 3px; margin-right: 4px; vertical-align: 3px; }
 #pg-legend .pg-hint { color: #777; }
 #mynetwork { float: none !important; border: none !important; }
 #loadingBar { display: none !important; }
 div.vis-tooltip { max-width: 460px; white-space: normal !important; font-size: 13px; line-height: 1.5;
                   font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
 .pg-tip .pg-text { color: #333; }
</style>
"""

# Turn our escaped tooltip HTML into elements (vis-network shows string titles as plain
# text); stop the physics once the layout settled so the picture stays calm.
_SCRIPT = """
<script>
(function () {
  function el(h) { var d = document.createElement('div'); d.className = 'pg-tip'; d.innerHTML = h; return d; }
  function conv(ds) {
    var upd = [];
    ds.get().forEach(function (x) { if (typeof x.title === 'string') upd.push({id: x.id, title: el(x.title)}); });
    ds.update(upd);
  }
  conv(nodes); conv(edges);
  network.once('stabilizationIterationsDone', function () { network.setOptions({physics: false}); window.pgStable = true; });
  setTimeout(function () { window.pgStable = true; }, 8000);
})();
</script>
"""

_CDN_TAG = re.compile(r"<(link|script)\b[^>]*\b(?:href|src)\s*=\s*\"https?://[^\"]*\"[^>]*>(?:\s*</script>)?",
                      re.IGNORECASE | re.DOTALL)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.IGNORECASE)


def _render(net: Network, legend: str) -> str:
    """pyvis HTML, made offline and safe (see the module docstring)."""
    for item in list(net.nodes) + list(net.edges):
        # pyvis switches to an innerHTML popup when a title contains "href"; keep its tooltip
        # (our titles are escaped either way, the entity shows as the same letter).
        if isinstance(item.get("title"), str):
            item["title"] = item["title"].replace("href", "hre&#102;")
    page = net.generate_html(notebook=False)
    page = _CDN_TAG.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    page = page.replace("<head>", "<head>\n<title>PlanGraph 网络</title>" + _STYLE, 1)
    page = page.replace("<body>", "<body>\n" + legend, 1)
    idx = page.rfind("</body>")
    page = page[:idx] + _SCRIPT + page[idx:]
    return page


__all__ = ["NetworkResult", "unit_task_network", "co_network", "task_tip", "unit_tip",
           "ROLE_COLORS", "KIND_COLORS", "MAX_TASKS", "MAX_CO_EDGES"]
