"""Network drawings with pyvis: pure functions from query results to a standalone HTML page.

Why our own post-processing of pyvis' output:
- offline: pyvis' links to a CDN are removed. The page links vis-network from the app's own
  static files (app/static, served by `plangraph app`): the browser caches them, and a page
  need not carry 0.7 MB of library through the websocket on every visit. The downloaded file
  (standalone_html) has them inlined and works without a network or the app;
- safe: document text is data. Every tooltip is built from `app.escaping.html_text`, every
  label from `canvas_label`.
  vis-network shows a string tooltip as plain text, so a small script turns our (escaped)
  tooltip HTML into elements: the user sees `<script>` literally and nothing runs;
- fast: the vis.js node and edge lists are built here, once, and handed to pyvis' template
  (pyvis' own add_node / add_edge scan their lists on every call: quadratic);
- readable: what is drawn is bounded whatever the selection. Up to `MAX_TASKS` tasks every
  task is a node. Above that, tasks are merged into sections (one node per section of a
  plan, or, for many plans, one node per section title across plans); only the busiest
  units and sections are drawn, each unit linked to its main sections and each section to
  its main units, and the result says so in `note`. Co-responsibility keeps its strongest
  edges.
"""
from __future__ import annotations

import html
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path

from pyvis.network import Network

from plangraph.app.escaping import html_text
from plangraph.app.labels import ROLE_LABELS
from plangraph.graph.records import ROLE_PROPS
from plangraph.graph.rows import CoEdge, TaskLink, TaskRow, UnitWorkload
from plangraph.ingest.model import ROLES

ROLE_COLORS = {"lead": "#d62728", "responsible": "#ff7f0e", "participant": "#1f77b4", "guide": "#9467bd"}
ROLE_DASHED = {"guide"}  # a guiding body supervises the task: its edges are dashed
ROLE_PRIORITY = {"lead": 0, "responsible": 1, "participant": 2, "guide": 3}

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

MAX_TASKS = 250  # at most this many tasks: every task is a node; more: aggregate into sections
MAX_UNITS = 60  # aggregate: unit nodes (the units with most tasks) ...
MAX_EXTRA_UNITS = 20  # ... plus at most this many picked / searched units outside that top
MAX_GROUPS = 40  # aggregate: section nodes (the sections with most tasks)
MAX_AGG_EDGES = 300  # aggregate: unit–section edges (see TOP_LINKS), strongest first
TOP_LINKS = 3  # aggregate: a unit's main sections and a section's main units are linked
MAX_CO_EDGES = 300  # co-responsibility edges kept (strongest first)
TIP_TASKS = 15  # tasks listed in a unit's tooltip
TIP_GROUPS = 8  # sections listed in a unit's tooltip (aggregate), units in a section's
NO_TITLE = "(无章节标题)"


@dataclass(frozen=True)
class NetworkResult:
    """A drawing: the app keeps one per selection and filters and hands the same object to
    every session, so it is not changed after it is made."""
    html: str  # the page, vis-network linked from the app's static files (standalone_html inlines it)
    nodes: int
    edges: int
    note: str = ""  # set when the graph was aggregated or capped
    sections: list[str] = field(default_factory=list)  # section titles of the input (for the filter)


def canvas_label(text: object) -> str:
    """A node label: vis-network draws it as canvas text, so quotes stay quotes (no &quot;);
    < > & are escaped all the same (document text is data)."""
    return html.escape(str(text), quote=False)


def short(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _num(t: TaskRow) -> object:
    return t.number if t.number is not None else t.task_id


def task_tip(t: TaskRow) -> str:
    """Tooltip HTML of a task: number, heading, units and (shortened) text, all escaped."""
    parts = [f"<b>任务 {html_text(_num(t))}</b> {html_text(t.heading)}"]
    if t.section_title:
        parts.append(f"章节:{html_text(t.section_title)}")
    for role in ROLES:
        names = getattr(t, ROLE_PROPS[role])
        if names:
            parts.append(f"{ROLE_LABELS[role]}:{html_text('、'.join(names))}")
    if t.deadlines:
        parts.append(f"时限:{html_text('、'.join(d.text for d in t.deadlines))}")
    parts.append(f"<span class='pg-text'>{html_text(short(t.text, 400))}</span>")
    return "<br>".join(parts)


def _unit_head(unit: str, info: Mapping[str, object]) -> str:
    meta = [str(info.get("kind_label") or ""), str(info.get("level") or "")]
    if info.get("collective"):
        meta.append("泛指")
    meta = [m for m in meta if m]
    return f"<b>{html_text(unit)}</b>" + (f"({html_text(' · '.join(meta))})" if meta else "")


def unit_tip(unit: str, info: Mapping[str, object], tasks_by_role: Mapping[str, list[TaskRow]]) -> str:
    """Tooltip HTML of a unit: kind, level and the tasks it leads / joins / answers for."""
    parts = [_unit_head(unit, info)]
    for role in sorted(ROLES, key=ROLE_PRIORITY.get):
        rows = tasks_by_role.get(role) or []
        if not rows:
            continue
        listed = "<br>".join(f"&nbsp;· {html_text(_num(r))} {html_text(short(r.heading, 30))}" for r in rows[:TIP_TASKS])
        more = f"<br>&nbsp;…等 {len(rows)} 项" if len(rows) > TIP_TASKS else ""
        parts.append(f"{ROLE_LABELS[role]} {len(rows)} 项:<br>{listed}{more}")
    return "<br>".join(parts)


def _primary_role(roles: Iterable[str]) -> str:
    return min(roles, key=lambda r: ROLE_PRIORITY.get(r, 9))


# A unit's roles in one task as a bit mask (cheaper than a set per assignment on 50k tasks).
ROLE_BITS = {r: 1 << i for i, r in enumerate(ROLES)}
_MASK_ROLES = [tuple(r for r in ROLES if m & ROLE_BITS[r]) for m in range(1 << len(ROLES))]
_MASK_PRIMARY = [_primary_role(rs) if rs else "" for rs in _MASK_ROLES]
_ROLE_INDEX = {r: i for i, r in enumerate(ROLES, 1)}  # a role's counter in the aggregate's lists


def _unit_color(unit: str, unit_info: Mapping[str, Mapping[str, object]]) -> str:
    kind = str((unit_info.get(unit) or {}).get("kind") or "other")
    return KIND_COLORS.get(kind, KIND_COLORS["other"])


class _Drawing:
    """The vis.js node and edge lists, filled directly (pyvis' add_node / add_edge look up
    every id in a list on each call: quadratic). Ids are unique, edges undirected."""

    def __init__(self, height: str, spread: bool = False):
        self.net = _new_network(height, spread)
        self._ids: set[str] = set()
        self._pairs: set[tuple[str, str]] = set()

    def node(self, node_id: str, *, label: str, shape: str, color: object, **options: object) -> None:
        if node_id in self._ids:
            return
        self._ids.add(node_id)
        item = {"id": node_id, "label": label, "shape": shape, "color": color, **options}
        self.net.nodes.append(item)
        self.net.node_ids.append(node_id)
        self.net.node_map[node_id] = item

    def edge(self, a: str, b: str, **options: object) -> None:
        if a not in self._ids or b not in self._ids:
            raise ValueError(f"edge to a node not drawn: {a!r} — {b!r}")
        pair = (a, b) if a <= b else (b, a)
        if pair in self._pairs:
            return
        self._pairs.add(pair)
        self.net.edges.append({"from": a, "to": b, **options})

    def unit(self, unit: str, info: Mapping[str, object], size: float, tip: str, highlighted: bool) -> None:
        color = {"background": _unit_color(unit, {unit: info}),
                 "border": HIGHLIGHT_BORDER if highlighted else "#555555"}
        self.node(f"u:{unit}", label=canvas_label(unit), title=tip, shape="diamond" if info.get("collective") else "dot",
                  color=color, size=round(size, 1), borderWidth=4 if highlighted else 1,
                  font={"size": 30 if highlighted else 22})

    @property
    def nodes(self) -> int:
        return len(self.net.nodes)

    @property
    def edges(self) -> int:
        return len(self.net.edges)


def section_titles(tasks: Iterable[TaskRow]) -> list[str]:
    """The section titles of `tasks`, in order of first appearance (the sections filter)."""
    return list(dict.fromkeys(t.section_title for t in tasks if t.section_title))


def unit_task_network(tasks: Sequence[TaskRow] | Sequence[TaskLink], unit_info: Mapping[str, Mapping[str, object]],
                      *, roles: Collection[str] = ROLES, units: Collection[str] | None = None,
                      sections: Collection[str] | None = None, highlight: Collection[str] = (),
                      include_collective: bool = True, doc_titles: Mapping[str, str] | None = None,
                      full_rows: Callable[[list[TaskLink]], Sequence[TaskRow]] | None = None,
                      max_tasks: int = MAX_TASKS, max_units: int = MAX_UNITS, max_groups: int = MAX_GROUPS,
                      max_edges: int = MAX_AGG_EDGES, height: str = "720px") -> NetworkResult:
    """Units and the tasks they lead / join / answer for; edges coloured by role, units by kind.

    sections: keep only tasks in these section titles; units: keep only tasks involving one
    of these units (with all their units); highlight: units drawn with a thick border.
    Up to `max_tasks` tasks every task is drawn. Above, see `_aggregate`.
    `result.sections` lists the section titles of all `tasks` (before any filter).
    `tasks` may be TaskLinks (no text: cheap to read for a province's plans); `full_rows`
    then gives the TaskRows of the kept links, in their order, when each task is drawn.
    """
    roles = [r for r in ROLES if r in set(roles)]
    wanted = set(units or ())
    in_sections = set(sections or ())
    marked = set(highlight)
    skip = frozenset() if include_collective else {u for u, a in unit_info.items() if (a or {}).get("collective")}
    shown = [(ROLE_PROPS[r], ROLE_BITS[r]) for r in roles]  # (TaskRow field, bit) per role drawn

    def kept_tasks() -> Iterator[tuple[TaskRow, dict[str, int]]]:
        """The tasks drawn (in the sections asked, with a unit drawn, with a unit asked for),
        each with its units' roles in it (unit -> ROLE_BITS)."""
        for t in tasks:
            if in_sections and t.section_title not in in_sections:
                continue
            per_unit: dict[str, int] = {}
            for prop, bit in shown:
                for u in getattr(t, prop):
                    if u not in skip:
                        per_unit[u] = per_unit.get(u, 0) | bit
            if per_unit and not (wanted and wanted.isdisjoint(per_unit)):
                yield t, per_unit

    titles = section_titles(tasks)
    kept = list(islice(kept_tasks(), max_tasks + 1))
    if len(kept) > max_tasks:  # an aggregate: counted as the tasks go by (50k of them), never all held
        draw, note = _aggregate(kept_tasks, unit_info, marked, wanted, doc_titles or {}, max_tasks=max_tasks,
                                max_units=max_units, max_groups=max_groups, max_edges=max_edges, height=height)
        units_drawn = [n["id"][2:] for n in draw.net.nodes if n["id"].startswith("u:")]
        legend = _legend(unit_info, units_drawn, roles, task_nodes=False)
        return NetworkResult(_render(draw.net, legend), draw.nodes, draw.edges, note, titles)

    if full_rows is not None:
        kept = list(zip(full_rows([t for t, _ in kept]), (m for _, m in kept)))
    by_unit: dict[str, dict[str, list[TaskRow]]] = defaultdict(lambda: defaultdict(list))
    for t, per_unit in kept:
        for u, m in per_unit.items():
            for r in _MASK_ROLES[m]:
                by_unit[u][r].append(t)
    draw = _Drawing(height)
    for u, rows_by_role in sorted(by_unit.items()):
        n = len({(t.document_id, t.task_id) for rows in rows_by_role.values() for t in rows})
        info = unit_info.get(u) or {}
        draw.unit(u, info, 12 + 4 * math.sqrt(n), unit_tip(u, info, rows_by_role), u in marked)
    for t, per_unit in kept:
        tid = f"t:{t.document_id}::{t.task_id}"
        draw.node(tid, label=canvas_label(_num(t)), title=task_tip(t), shape="box",
                  color={"background": TASK_COLOR, "border": "#999999"}, font={"size": 18})
        for u, m in per_unit.items():
            role = _MASK_PRIMARY[m]
            draw.edge(f"u:{u}", tid, color=ROLE_COLORS[role], width=2 if role == "lead" else 1,
                      dashes=role in ROLE_DASHED, title=html_text("、".join(ROLE_LABELS[r] for r in _MASK_ROLES[m])))
    legend = _legend(unit_info, by_unit.keys(), roles, task_nodes=True)
    return NetworkResult(_render(draw.net, legend), draw.nodes, draw.edges, "", titles)


def _aggregate(kept: Callable[[], Iterable[tuple[TaskRow, Mapping[str, int]]]],
               unit_info: Mapping[str, Mapping[str, object]],
               marked: set[str], wanted: set[str], doc_titles: Mapping[str, str], *, max_tasks: int,
               max_units: int, max_groups: int, max_edges: int, height: str) -> tuple[_Drawing, str]:
    """Units × sections, bounded however many tasks come in: at most max_units + MAX_EXTRA_UNITS
    units, max_groups + MAX_EXTRA_UNITS sections (a picked unit whose tasks all lie outside the
    busiest sections brings its main one), max_edges + nodes edges. `kept` gives the tasks
    afresh for each of two passes, so they are counted, never held all at once.

    A section node is one section of one plan when that gives at most `max_groups` nodes, else
    one section title across plans (同名章节: the same theme in many plans). The busiest
    sections and units are drawn; picked (`wanted`) and searched (`marked`) units always are.
    An edge unit–section weighs the unit's tasks in that section and has the colour of its
    most frequent role there."""
    docs: set[str] = set()
    places: set[tuple[str, str]] = set()  # (plan, section), until there are more than max_groups
    n_kept = 0
    for t, _ in kept():
        n_kept += 1
        docs.add(t.document_id)
        if len(places) <= max_groups:
            places.add((t.document_id, t.section or "-"))
    per_plan = len(places) <= max_groups

    def key_of(t: TaskRow) -> str:
        if per_plan:
            return f"s:{t.document_id}::{t.section or '-'}"
        return f"g:{t.section_title or NO_TITLE}"

    group_tasks: dict[str, list[TaskRow]] = defaultdict(list)
    unit_docs: dict[str, set[str]] = defaultdict(set)
    pair_counts: dict[tuple[str, str], list[int]] = {}  # (unit, group) -> [tasks, then per role in ROLES order]
    for t, per_unit in kept():
        g = key_of(t)
        group_tasks[g].append(t)
        doc = t.document_id
        for u, m in per_unit.items():
            unit_docs[u].add(doc)
            c = pair_counts.get((u, g))
            if c is None:
                c = pair_counts[(u, g)] = [0] * (1 + len(ROLES))
            c[0] += 1
            for r in _MASK_ROLES[m]:
                c[_ROLE_INDEX[r]] += 1
    pair_tasks = {k: c[0] for k, c in pair_counts.items()}
    unit_tasks: Counter = Counter()  # unit -> tasks (all kept)
    unit_roles: dict[str, list[int]] = defaultdict(lambda: [0] * (1 + len(ROLES)))  # unit -> [tasks, per role]
    for (u, _g), c in pair_counts.items():
        unit_tasks[u] += c[0]
        acc = unit_roles[u]
        for i in range(1 + len(ROLES)):
            acc[i] += c[i]

    group_order = sorted(group_tasks, key=lambda g: (-len(group_tasks[g]), g))
    groups = group_order[:max_groups]
    group_set = set(groups)
    # units ranked by their tasks in the drawn sections (so each drawn unit has an edge there)
    in_drawn: Counter = Counter()
    for (u, g), n in pair_tasks.items():
        if g in group_set:
            in_drawn[u] += n
    unit_order = sorted(unit_tasks, key=lambda u: (-in_drawn[u], -unit_tasks[u], u))
    drawn_units = unit_order[:max_units]
    extra_units = [u for u in unit_order[max_units:] if u in wanted or u in marked][:MAX_EXTRA_UNITS]
    drawn_units += extra_units
    forced = [u for u in drawn_units if u in wanted or u in marked]
    # a picked / searched unit whose tasks all lie outside the drawn sections brings its main one
    by_unit_groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (u, g), n in pair_tasks.items():
        by_unit_groups[u].append((n, g))
    for u in by_unit_groups:
        by_unit_groups[u].sort(key=lambda x: (-x[0], x[1]))
    for u in [u for u in forced if not any(g in group_set for _, g in by_unit_groups[u])][:MAX_EXTRA_UNITS]:
        g = by_unit_groups[u][0][1]
        groups.append(g)
        group_set.add(g)

    def group_title(g: str) -> str:
        t = group_tasks[g][0]
        return (t.section_title or t.section or NO_TITLE) if per_plan else g[2:]

    draw = _Drawing(height, spread=True)
    top_n = max((unit_tasks[u] for u in drawn_units), default=1)
    for u in sorted(drawn_units):
        info = unit_info.get(u) or {}
        roles_n = unit_roles[u]
        tip = [_unit_head(u, info),
               "本次选择中 " + " · ".join(f"{ROLE_LABELS[r]} {roles_n[i]} 项" for i, r in enumerate(ROLES, 1) if roles_n[i])
               + f"(共 {unit_tasks[u]} 项任务,{len(unit_docs[u])} 份文件)",
               "任务最多的章节:<br>" + "<br>".join(
                   f"&nbsp;· {html_text(short(group_title(g), 30))}({n})" for n, g in by_unit_groups[u][:TIP_GROUPS])]
        draw.unit(u, info, 10 + 26 * math.sqrt(unit_tasks[u] / top_n), "<br>".join(tip), u in marked)

    unit_set = set(drawn_units)
    group_units: dict[str, list[tuple[int, str]]] = defaultdict(list)  # drawn units only (edges)
    group_all_units: dict[str, list[tuple[int, str]]] = defaultdict(list)  # every unit (tooltips)
    for (u, g), n in pair_tasks.items():
        if g in group_set:
            group_all_units[g].append((n, u))
            if u in unit_set:
                group_units[g].append((n, u))
    for g in groups:
        rows = group_tasks[g]
        title = group_title(g)
        plans = {t.document_id for t in rows}
        tip = [f"<b>{html_text(title)}</b>"]
        if per_plan:
            doc = rows[0].document_id
            tip.append(f"文件:{html_text(doc_titles.get(doc) or doc)}")
            tip.append(f"{len(rows)} 项任务:" + html_text("、".join(str(_num(r)) for r in rows[:60]))
                       + (" …" if len(rows) > 60 else ""))
        else:
            tip.append(f"{len(rows)} 项任务,{len(plans)} 份文件")
        busiest = sorted(group_all_units[g], key=lambda x: (-x[0], x[1]))[:TIP_GROUPS]
        if busiest:
            tip.append("任务最多的单位:<br>" + "<br>".join(f"&nbsp;· {html_text(u)}({n})" for n, u in busiest))
        draw.node(g, label=canvas_label(short(title, 14)) + f"\n{len(rows)} 项", title="<br>".join(tip), shape="box",
                  color={"background": SECTION_COLOR, "border": "#999999"}, font={"size": 18})

    # The backbone: each unit with its TOP_LINKS main sections, each section with its main units
    # (the strongest edges alone would all hang on the few busiest units), strongest first.
    candidates = sorted(((n, u, g) for g, us in group_units.items() for n, u in us), key=lambda x: (-x[0], x[1], x[2]))
    rank: Counter = Counter()  # by node id: "u:<unit>", "g:…" / "s:…"
    backbone = []
    for n, u, g in candidates:
        rank[f"u:{u}"] += 1
        rank[g] += 1
        if rank[f"u:{u}"] <= TOP_LINKS or rank[g] <= TOP_LINKS:
            backbone.append((n, u, g))
    chosen = backbone[:max_edges]
    linked = {f"u:{u}" for _, u, _ in chosen} | {g for _, _, g in chosen}
    for n, u, g in backbone[max_edges:]:  # every drawn node keeps its strongest edge
        if f"u:{u}" not in linked or g not in linked:
            chosen.append((n, u, g))
            linked.update((f"u:{u}", g))
    for n, u, g in chosen:
        c = pair_counts[(u, g)]  # the most frequent role; on a tie lead > responsible > participant
        role = max(ROLES, key=lambda r: (c[ROLES.index(r) + 1], -ROLE_PRIORITY[r]))
        title = (f"{u} — {group_title(g)}:" + " · ".join(f"{ROLE_LABELS[r]} {c[i]} 项" for i, r in enumerate(ROLES, 1) if c[i]))
        draw.edge(f"u:{u}", g, color=ROLE_COLORS[role], value=n, dashes=role in ROLE_DASHED, title=html_text(title))

    shown_tasks = sum(len(group_tasks[g]) for g in groups)
    parts = [f"共 {n_kept:,} 项任务" + (f"({len(docs):,} 份文件)" if len(docs) > 1 else "")
             + f",超过 {max_tasks} 项,已按章节聚合:" + ("每个章节一个节点" if per_plan else "同名章节合并为一个节点")]
    cuts = []
    if len(groups) < len(group_tasks):
        cuts.append(f"任务最多的 {len(groups)} 个章节(共 {len(group_tasks):,} 个,含 "
                    f"{100 * shown_tasks / n_kept:.0f}% 的任务)")
    if len(drawn_units) < len(unit_tasks):
        cuts.append(f"任务最多的 {len(drawn_units) - len(extra_units)} 个单位"
                    + (f"及 {len(extra_units)} 个所选或搜索到的单位" if extra_units else "")
                    + f"(共 {len(unit_tasks):,} 个)")
    if cuts:
        parts.append(",只显示" + "和".join(cuts))
    parts.append(f"。每个单位连到它任务最多的 {TOP_LINKS} 个章节,每个章节连到任务最多的 {TOP_LINKS} 个单位"
                 + (f"({len(chosen)} 条,共 {len(candidates):,} 条)" if len(chosen) < len(candidates) else "")
                 + ";边越粗任务越多,颜色为单位在该章节中最常见的角色。")
    parts.append(f"用“单位”“章节”筛选到 {max_tasks} 项以内即可看到每项任务。")
    return draw, "".join(parts)


def co_network(edges: Sequence[CoEdge], workload: Sequence[UnitWorkload],
               unit_info: Mapping[str, Mapping[str, object]], *, units: Collection[str] | None = None,
               highlight: Collection[str] = (), include_collective: bool = True, min_weight: int = 1,
               max_edges: int = MAX_CO_EDGES, height: str = "720px") -> NetworkResult:
    """Unit–unit co-responsibility: an edge when two units share tasks (weight = tasks)."""
    wanted = set(units or ())
    marked = set(highlight)
    load = {w.unit: w for w in workload}

    def collective(u: str) -> bool:
        return bool((unit_info.get(u) or {}).get("collective") or getattr(load.get(u), "collective", False))

    kept = [e for e in edges if e.weight >= min_weight
            and (include_collective or not (collective(e.a) or collective(e.b)))
            and (not wanted or e.a in wanted or e.b in wanted)]
    kept.sort(key=lambda e: (-e.weight, e.a, e.b))
    note = ""
    if len(kept) > max_edges:
        note = f"协作关系较多({len(kept):,} 条 > {max_edges}),只显示最强的 {max_edges} 条。"
        kept = kept[:max_edges]
    partners: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for e in kept:
        partners[e.a].append((e.b, e.weight))
        partners[e.b].append((e.a, e.weight))
    draw = _Drawing(height)
    for u in sorted(partners):
        w = load.get(u)
        info = dict(unit_info.get(u) or {})
        info.setdefault("collective", collective(u))
        meta = [str(info.get("kind_label") or ""), str(info.get("level") or "")]
        tip = f"<b>{html_text(u)}</b>" + (f"({html_text(' · '.join(m for m in meta if m))})" if any(meta) else "")
        if w is not None:
            tip += "<br>" + " · ".join(f"{ROLE_LABELS[r]} {getattr(w, r)}" for r in ROLES) + f" · 合计 {w.total} 项"
        top = sorted(partners[u], key=lambda p: (-p[1], p[0]))
        tip += "<br>共同任务最多的单位:<br>" + "<br>".join(
            f"&nbsp;· {html_text(p)}({n})" for p, n in top[:TIP_TASKS])
        size = 10 + 3 * math.sqrt(w.total if w is not None else 1)
        draw.unit(u, info, min(size, 50), tip, u in marked)
    top_weight = max((e.weight for e in kept), default=1)
    for e in kept:
        draw.edge(f"u:{e.a}", f"u:{e.b}", value=e.weight, title=html_text(f"{e.a} — {e.b}:共同任务 {e.weight} 项"),
                  color={"color": "#8c8c8c", "opacity": round(0.35 + 0.65 * e.weight / top_weight, 3)})
    legend = _legend(unit_info, partners.keys(), (), task_nodes=False, co=True)
    return NetworkResult(_render(draw.net, legend), draw.nodes, draw.edges, note)


# ---------------------------------------------------------------- rendering


# The layout is made in the browser as the page opens, on its one thread. vis-network's
# improvedLayout (a Kamada-Kawai start, cubic in the nodes) took half of that time for no
# better picture than the forceAtlas2 physics alone, and 200 iterations settle it as 300 did
# (bench/README.md, "Issue 14's last targets").
_OPTIONS = {
    "layout": {"improvedLayout": False},
    "physics": {
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -45, "springLength": 80, "avoidOverlap": 0.5},
        "stabilization": {"enabled": True, "iterations": 200, "fit": True},
        "minVelocity": 0.75,
    },
    "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "multiselect": True},
    "edges": {"smooth": False, "scaling": {"min": 1, "max": 10}},
    "nodes": {"font": {"face": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"}},
}


# Aggregates and unit–unit graphs: fewer, heavier nodes, pushed further apart.
_SPREAD = {"gravitationalConstant": -140, "springLength": 160, "avoidOverlap": 0.8}


def _new_network(height: str, spread: bool = False) -> Network:
    net = Network(height=height, width="100%", directed=False, cdn_resources="remote", bgcolor="#ffffff",
                  neighborhood_highlight=True)
    options = json.loads(json.dumps(_OPTIONS))
    if spread:
        options["physics"]["forceAtlas2Based"].update(_SPREAD)
    net.options = options  # a dict goes out as JSON; set_options(text) drops the spaces in font names
    return net


def _legend(unit_info: Mapping[str, Mapping[str, object]], units: Iterable[str], roles: Iterable[str],
            task_nodes: bool, co: bool = False) -> str:
    """Legend HTML: unit kinds present, node shapes, edge colours by role."""
    present = Counter(str((unit_info.get(u) or {}).get("kind") or "other") for u in units)
    labels = {str((a or {}).get("kind") or "other"): str((a or {}).get("kind_label") or "") for a in unit_info.values()}
    items = [f"<span class='pg-sw' style='background:{KIND_COLORS.get(k, KIND_COLORS['other'])}'></span>"
             f"{html_text(labels.get(k) or k)} ({n})" for k, n in sorted(present.items(), key=lambda kv: -kv[1])]
    rows = ["<b>单位类型</b> " + " ".join(f"<span class='pg-item'>{i}</span>" for i in items)]
    shapes = ["<span class='pg-item'>● 单位</span>", "<span class='pg-item'>◆ 泛指单位(如 各区县政府)</span>"]
    if task_nodes:
        shapes.append("<span class='pg-item'>▭ 任务(编号)</span>")
    elif not co:
        shapes.append("<span class='pg-item'>▭ 章节(聚合,数字为任务数)</span>")
    rows.append("<b>形状</b> " + " ".join(shapes))
    if co:
        rows.append("<b>边</b> <span class='pg-item'>两单位共同承担的任务数(越粗越多)</span>")
    else:
        rows.append("<b>角色</b> " + " ".join(
            f"<span class='pg-item'><span class='pg-line{' pg-dashed' if r in ROLE_DASHED else ''}' "
            f"style='background:{ROLE_COLORS[r]};color:{ROLE_COLORS[r]}'></span>"
            f"{ROLE_LABELS[r]}</span>" for r in ROLES if r in set(roles))
            + ("" if task_nodes else " <span class='pg-item'>(单位在该章节中最常见的角色;越粗任务越多)</span>"))
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
 #pg-legend .pg-dashed { background: repeating-linear-gradient(90deg, currentColor 0 5px, transparent 5px 9px) !important; }
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


# vis-network as pyvis' template uses it (9.1.2), kept in the app's static folder: the app
# serves it at app/static/ (relative to the page, so a --server.baseUrlPath works too);
# tests/test_app_network.py checks the copies are pyvis' own.
STATIC_DIR = Path(__file__).resolve().parent / "static"
VIS_STYLE, VIS_SCRIPT = "vis-network.min.css", "vis-network.min.js"
_ASSET_STYLE = f'<link rel="stylesheet" href="app/static/{VIS_STYLE}">'
_ASSET_SCRIPT = f'<script src="app/static/{VIS_SCRIPT}"></script>'


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    """(vis-network's CSS, its script) as the app serves them."""
    return ((STATIC_DIR / VIS_STYLE).read_text(encoding="utf-8"),
            (STATIC_DIR / VIS_SCRIPT).read_text(encoding="utf-8"))


def standalone_html(page: str) -> str:
    """A drawing's page (NetworkResult.html) with vis-network inlined: one file that draws
    without the app or a network (the download, or a server without static serving)."""
    style, script = _vis_assets()
    return (page.replace(_ASSET_STYLE, f"<style>{style}</style>", 1)
                .replace(_ASSET_SCRIPT, f"<script>{script}</script>", 1))


def _render(net: Network, legend: str) -> str:
    """pyvis HTML, made safe, with vis-network from the app's static files (see the module
    docstring; standalone_html inlines it)."""
    for item in list(net.nodes) + list(net.edges):
        # pyvis switches to an innerHTML popup when a title contains "href"; keep its tooltip
        # (our titles are escaped either way, the entity shows as the same letter).
        if isinstance(item.get("title"), str):
            item["title"] = item["title"].replace("href", "hre&#102;")
    page = net.generate_html(notebook=False)
    page = _CDN_TAG.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    page = page.replace("<head>", "<head>\n<title>PlanGraph 网络</title>" + _ASSET_STYLE + _ASSET_SCRIPT
                        + _STYLE, 1)
    page = page.replace("<body>", "<body>\n" + legend, 1)
    idx = page.rfind("</body>")
    page = page[:idx] + _SCRIPT + page[idx:]
    return page


__all__ = ["NetworkResult", "unit_task_network", "co_network", "section_titles", "task_tip", "unit_tip",
           "standalone_html", "ROLE_COLORS", "KIND_COLORS", "MAX_TASKS", "MAX_UNITS", "MAX_EXTRA_UNITS", "MAX_GROUPS",
           "MAX_AGG_EDGES", "MAX_CO_EDGES"]
