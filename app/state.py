"""Shared app logic: which store and documents, cached queries, first-start ingest, exports.

Pages call only these functions, `app.network` and the display helpers here; extraction
and Cypher stay behind `ingest.pipeline` and the `graph.store` query API.

Caching: the open store is a `st.cache_resource` keyed by (store kind, home); query results
are `st.cache_data` keyed by (store kind, home, store version, query, arguments), where the
version is `GraphStore.version()`: it changes with every write, by this app or by another
process (the embedded file's stamp, Neo4j's change counter).

Scale: a province's plans have tens of thousands of tasks, so pages ask for counts
(`documents`, `gap_counts`, `workload`) and one page of rows at a time (`PAGE_SIZE`),
never for every task of the selection.
"""
from __future__ import annotations

import datetime as _dt
import hmac
import html
import os
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from graph import export as graph_export
from graph.gaps import GAP_LABELS, KIND_DESCRIPTIONS
from graph.rows import CoEdge, DocumentSummary, RegulationRow, TaskCitation, TaskRow, UnitRole, UnitWorkload
from graph.rows import FindingRow
from graph.store import STORE_KINDS, GraphStore, StoreError, default_home, open_store
from ingest.units import kind_label as units_kind_label
from plangraph.cli_app import PASSWORD_ENV, is_local

REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_PLAN = REPO_ROOT / "data" / "changde_fazhi_2021-2025.txt"
APP_TITLE = "PlanGraph 规划图谱"

STORE_LABELS = {"embedded": "内置存储 (embedded)", "neo4j": "Neo4j (NEO4J_* 环境变量)"}
ROLE_LABELS = {"lead": "牵头", "participant": "参加", "responsible": "责任", "guide": "指导"}
RELATION_LABELS = {"basis": "依据", "produces": "制定"}
GAP_HELP = KIND_DESCRIPTIONS  # GAP_LABELS: the kinds' Chinese names, from graph.gaps
REGULATION_STATUS = {"resolved": "已识别", "form": "按名称形式", "unknown": "未识别"}

# Page url paths (st.navigation in Home.py uses them; links between pages too).
PAGE_PATHS = {
    "overview": "pages/overview.py",
    "network": "pages/network.py",
    "units": "pages/units.py",
    "regulations": "pages/regulations.py",
    "gaps": "pages/gaps.py",
    "task": "pages/task.py",
    "export": "pages/export.py",
    "compare": "pages/compare.py",
    "review": "pages/review.py",
}


# ---------------------------------------------------------------- the selection


@dataclass(frozen=True)
class Selection:
    """What the sidebar chose: store kind, home, documents (None: all) and the store version."""
    kind: str
    home: str
    docs: tuple[str, ...] | None
    version: str

    @property
    def document_ids(self) -> list[str] | None:
        return None if self.docs is None else list(self.docs)


def default_store_kind() -> str:
    """PLANGRAPH_STORE (set by `plangraph app --store`), else the embedded store."""
    kind = os.environ.get("PLANGRAPH_STORE", "embedded").strip() or "embedded"
    return kind if kind in STORE_KINDS else "embedded"


def home_dir() -> str:
    """The embedded store's folder: PLANGRAPH_HOME, else ~/.local/share/plangraph."""
    return str(default_home())


def store_version(kind: str, home: str) -> str:
    """A cache key that changes when the store's content may have changed."""
    return get_store(kind, home).version()


@st.cache_resource(show_spinner=False)
def get_store(kind: str, home: str) -> GraphStore:
    """One open store per (kind, home) for the whole server; Neo4j is pinged once here."""
    store = open_store(kind, home)
    ping = getattr(store, "ping", None)
    if callable(ping):
        ping()
    return store


def warm_up(kind: str | None = None, home: str | None = None) -> GraphStore:
    """Do what a first visit would wait for (plangraph.app_server runs this before the server
    answers): open the store the sidebar opens first, import the pages' libraries while the
    embedded graph is read, ask the store-wide questions of every document (so the graph is
    indexed, or Neo4j's connection is open and its queries are compiled), and make the drawing
    the network page opens with, the one page answer that takes seconds on a province's plans
    (it asks workload() and documents() itself). The compare page's libraries are loaded too."""
    kind = kind or default_store_kind()
    home = home or home_dir()
    store = get_store(kind, home)
    import altair  # noqa: F401 - the pages' own imports, done once per process
    import pandas  # noqa: F401

    from graph.compare_text import load_libraries
    load_libraries()  # the compare page's scikit-learn and jieba dictionary

    if not store.documents():  # a first start: the first page ingests the bundled plan
        return store
    store.gap_counts()
    store.regulations()
    network(Selection(kind, home, None, store_version(kind, home)), "unit_task", **NETWORK_DEFAULTS)
    return store


def ingest_plan(store: GraphStore, path: str | Path) -> list:
    """Extract plan files (a file or folder) and write them to the store, as `plangraph
    ingest` does (graph ids, unchanged files skipped); the ingest.batch.FileResults."""
    from ingest.batch import ingest_paths
    return list(ingest_paths(store, [str(path)], jobs=1))


def served_locally() -> bool:
    """The server answers this machine only (plangraph app's default, --address 127.0.0.1)."""
    return is_local(st.get_option("server.address"))


def write_allowed() -> bool:
    """Whether this session may import and remove documents: always when served locally;
    served beyond this machine, only with the password in PLANGRAPH_APP_PASSWORD, asked for
    in the sidebar (compared in constant time)."""
    if served_locally():
        return True
    password = os.environ.get(PASSWORD_ENV, "")
    if not password:
        st.caption(f"导入和删除已关闭:本应用对网络开放,且未设置 {PASSWORD_ENV}。")
        return False
    entered = st.text_input("管理密码 Password", type="password", key="pg_password",
                            help="导入和删除文件需要密码(本应用对网络开放)")
    if not entered:
        return False
    if hmac.compare_digest(entered.encode("utf-8"), password.encode("utf-8")):
        return True
    st.error("密码不正确")
    return False


def remove_documents(kind: str, home: str, document_ids: Sequence[str]) -> list[bool]:
    """Take documents out of the store (with what only they used), one transaction."""
    return get_store(kind, home).delete_documents(list(document_ids))


def ensure_bundled_plan(kind: str, home: str) -> bool:
    """First start: an empty embedded store gets the bundled Changde plan, so the app opens
    on real data with no set-up. Returns True when it ingested."""
    store = get_store(kind, home)
    if kind != "embedded" or store.documents() or not BUNDLED_PLAN.exists():
        return False
    with st.spinner("首次启动:正在导入内置的常德市法治政府建设工作方案 …"):
        ingest_plan(store, BUNDLED_PLAN)
    st.cache_data.clear()
    return True


def sidebar() -> Selection | None:
    """The store and document choosers (rendered once, in the entrypoint, so they keep their
    state across pages). Returns None when the store cannot be opened."""
    with st.sidebar:
        st.markdown("#### 数据来源 Data")
        kinds = list(STORE_KINDS)
        kind = st.radio("存储 Store", kinds, index=kinds.index(default_store_kind()),
                        format_func=lambda k: STORE_LABELS.get(k, k), key="pg_store",
                        help="内置存储无需服务器;Neo4j 连接由 NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD 指定。")
        home = home_dir()
        try:
            get_store(kind, home)
            ensure_bundled_plan(kind, home)
            version = store_version(kind, home)
            docs = documents_all(kind, home, version)
        except StoreError as err:
            st.error(f"无法打开存储:{esc(err)}")
            return None
        if not docs:
            st.info("存储中还没有文件。")
        titles = {d.document_id: d.title or d.document_id for d in docs}
        ids = [d.document_id for d in docs]
        every = st.toggle(f"全部文件 All documents ({len(ids)})", value=True, key=f"pg_all_{kind}",
                          help="关闭后可只选几份文件")
        chosen = ids if every else st.multiselect(
            "文件 Documents", ids, default=ids[:1], key=f"pg_docs_{kind}", format_func=lambda i: titles.get(i, i),
            placeholder="输入标题搜索")
        if kind == "embedded":
            st.caption(f"存储目录:{home}")
        with st.expander("管理 Manage: 导入、删除"):
            _manage(kind, home, ids, titles)
    picked = tuple(i for i in ids if i in set(chosen))
    return Selection(kind, home, None if len(picked) == len(ids) else picked, version)


def _manage(kind: str, home: str, ids: list[str], titles: dict[str, str]) -> None:
    """The write actions: import the bundled plan, remove documents (with a confirmation)."""
    if not write_allowed():
        return
    if BUNDLED_PLAN.exists() and st.button("导入内置常德方案", help=str(BUNDLED_PLAN.name), key="pg_import"):
        ingest_plan(get_store(kind, home), BUNDLED_PLAN)
        st.cache_data.clear()
        st.rerun()
    doomed = st.multiselect("删除文件 Remove documents", ids, key="pg_remove_docs",
                            format_func=lambda i: titles.get(i, i), placeholder="选择要删除的文件")
    if doomed:
        sure = st.checkbox(f"确认删除这 {len(doomed)} 份文件及只属于它们的单位和法规", key="pg_remove_sure")
        if st.button("删除 Remove", type="primary", disabled=not sure, key="pg_remove"):
            remove_documents(kind, home, doomed)
            st.cache_data.clear()
            for key in ("pg_remove_docs", "pg_remove_sure"):
                st.session_state.pop(key, None)
            st.rerun()


def selection() -> Selection:
    """The current selection for a page; stops the page when there is nothing to show."""
    if "pg_selection" in st.session_state:  # set by Home.py on every run
        sel = st.session_state["pg_selection"]
    else:  # a page file run on its own: render the sidebar here
        sel = st.session_state["pg_selection"] = sidebar()
    if sel is None:
        st.stop()
    if sel.docs == ():
        st.info("请在左侧选择至少一个文件。")
        st.stop()
    return sel


# ---------------------------------------------------------------- cached queries


@st.cache_data(show_spinner=False, max_entries=64)
def documents_all(kind: str, home: str, version: str) -> list[DocumentSummary]:
    return get_store(kind, home).documents()


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def _query(kind: str, home: str, version: str, method: str, args: tuple, kwargs: tuple) -> Any:
    return getattr(get_store(kind, home), method)(*args, **dict(kwargs))


def _q(sel: Selection, method: str, *args: Any, **kwargs: Any) -> Any:
    """Run one query API method, cached by store, version, documents and arguments."""
    return _query(sel.kind, sel.home, sel.version, method, args, tuple(sorted(kwargs.items())))


def documents(sel: Selection) -> list[DocumentSummary]:
    return _q(sel, "documents", document_ids=sel.document_ids)


PAGE_SIZE = 200  # task rows per table page


def document_tasks(sel: Selection, document_id: str) -> list[TaskRow]:
    """Every task of one document (a plan has tens to a few hundred)."""
    return _q(sel, "tasks", document_ids=[document_id])


def task(sel: Selection, document_id: str, task_id: str) -> TaskRow | None:
    return _q(sel, "task", document_id, task_id)


def document_text(sel: Selection, document_id: str) -> str | None:
    return _q(sel, "document_text", document_id)


def units_of_task(sel: Selection, document_id: str, task_id: str) -> list[UnitRole]:
    return _q(sel, "units_of_task", document_id, task_id)


def tasks_of_unit(sel: Selection, unit: str, roles: Sequence[str] | None = None,
                  limit: int | None = None, offset: int = 0) -> list[TaskRow]:
    return _q(sel, "tasks_of_unit", unit, roles=None if roles is None else list(roles),
              document_ids=sel.document_ids, limit=limit, offset=offset)


def workload(sel: Selection) -> list[UnitWorkload]:
    return _q(sel, "workload", document_ids=sel.document_ids)


def co_responsibility(sel: Selection, include_collective: bool = True, min_weight: int = 1) -> list[CoEdge]:
    return _q(sel, "co_responsibility", document_ids=sel.document_ids,
              include_collective=include_collective, min_weight=min_weight)


def regulations(sel: Selection, title_contains: str | None = None) -> list[RegulationRow]:
    return _q(sel, "regulations", title_contains=title_contains or None, document_ids=sel.document_ids)


def tasks_citing(sel: Selection, regulation: str, relation: str | None = None) -> list[TaskCitation]:
    return _q(sel, "tasks_citing", regulation, relation=relation, document_ids=sel.document_ids)


def orphans(sel: Selection, kind: str, as_of: _dt.date | str | None = None,
            limit: int | None = None, offset: int = 0) -> list[TaskRow]:
    day = (as_of or _dt.date.today())
    return _q(sel, "orphans", kind, as_of=str(day), document_ids=sel.document_ids, limit=limit, offset=offset)


def gap_counts(sel: Selection, as_of: _dt.date | str | None = None) -> dict[str, int]:
    """Kind -> how many tasks of the selection have that gap."""
    return _q(sel, "gap_counts", as_of=str(as_of or _dt.date.today()), document_ids=sel.document_ids)


def findings(sel: Selection, kinds: Sequence[str] | None = None, limit: int | None = None,
             offset: int = 0) -> list[FindingRow]:
    """What the extractor could not read in the selection (ingest/review.py), one page."""
    return _q(sel, "findings", document_ids=sel.document_ids, kinds=None if kinds is None else list(kinds),
              limit=limit, offset=offset)


def findings_of_task(sel: Selection, document_id: str, task_id: str) -> list[FindingRow]:
    return _q(sel, "findings_of_task", document_id, task_id)


def finding_counts(sel: Selection) -> dict[str, dict[str, int]]:
    """Document -> kind -> findings, for the selected documents whose findings are stored."""
    return _q(sel, "finding_counts", document_ids=sel.document_ids)


def task_citations(sel: Selection, row: TaskRow) -> list[TaskCitation]:
    """Every citation inside one task, with offsets (via tasks_citing per cited title)."""
    out: dict[tuple, TaskCitation] = {}
    for title in dict.fromkeys(row.basis + row.produces):
        for c in tasks_citing(sel, title):
            if c.task.document_id == row.document_id and c.task.task_id == row.task_id:
                out[(c.start, c.end, c.relation)] = c
    return sorted(out.values(), key=lambda c: (c.start, c.end))


def unit_info(sel: Selection) -> dict[str, dict[str, Any]]:
    """Unit -> {kind, kind_label, level, collective}, as the graph holds them."""
    return units_info(workload(sel))


def units_info(load: Sequence[UnitWorkload]) -> dict[str, dict[str, Any]]:
    """unit_info from workload rows."""
    return {w.unit: {"kind": w.kind or "other", "kind_label": w.kind_label or kind_label(w.kind),
                     "level": w.level or "", "collective": bool(w.collective)}
            for w in load}


def kind_label(kind: str | None) -> str:
    return units_kind_label(kind or "other")


# ---------------------------------------------------------------- exports


@st.cache_data(show_spinner=False, max_entries=32)
def _export(kind: str, home: str, version: str, docs: tuple[str, ...] | None, fmt: str) -> bytes:
    return graph_export.export(get_store(kind, home), fmt, None if docs is None else list(docs))


def export_bytes(sel: Selection, fmt: str) -> bytes:
    """csv (任务分工表, UTF-8 with BOM), xlsx (the same table) or graphml (for Gephi)."""
    return _export(sel.kind, sel.home, sel.version, sel.docs, fmt)


@st.cache_data(show_spinner=False, max_entries=64)
def _division_rows(kind: str, home: str, version: str, docs: tuple[str, ...] | None, limit: int | None,
                   offset: int) -> list[list[str]]:
    return graph_export.division_table(get_store(kind, home), None if docs is None else list(docs), limit, offset)


def division_frame(sel: Selection, limit: int | None = None, offset: int = 0):
    """The 任务分工表 as a DataFrame (the rows graph.export writes to CSV); a page of it."""
    import pandas as pd
    return pd.DataFrame(_division_rows(sel.kind, sel.home, sel.version, sel.docs, limit, offset),
                        columns=graph_export.CSV_HEADER)


def task_count(sel: Selection) -> int:
    return sum(d.tasks for d in documents(sel))


def pager(total: int, key: str, size: int = PAGE_SIZE) -> int:
    """A page chooser under a long list; returns the offset of the chosen page."""
    pages = max(1, -(-total // size))
    if pages == 1:
        return 0
    page = st.number_input(f"页 Page (共 {pages} 页,每页 {size} 行)", min_value=1, max_value=pages, value=1,
                           step=1, key=key)
    return (int(page) - 1) * size


# ---------------------------------------------------------------- comparison


@st.cache_data(show_spinner=False, max_entries=32)
def _comparison(kind: str, home: str, version: str, a: str, b: str, mode: str):
    from graph.compare_input import comparison_from_store
    return comparison_from_store(get_store(kind, home), a, b, mode)


def comparison(sel: Selection, a: str, b: str, mode: str):
    """(graph.compare.Comparison of documents a (upper or earlier) and b, the stored linked
    pair it was read from or None): the links `plangraph link` stored, else made when first asked."""
    return _comparison(sel.kind, sel.home, sel.version, a, b, mode)


@st.cache_data(show_spinner=False, max_entries=32)
def _comparison_sheet(kind: str, home: str, version: str, a: str, b: str, mode: str, fmt: str) -> bytes:
    from graph.compare_sheet import sheet_bytes
    return sheet_bytes(_comparison(kind, home, version, a, b, mode)[0], fmt)


def comparison_sheet(sel: Selection, a: str, b: str, mode: str, fmt: str) -> bytes:
    """The 对标对表 sheet of that comparison: csv (UTF-8 with BOM) or xlsx."""
    return _comparison_sheet(sel.kind, sel.home, sel.version, a, b, mode, fmt)


@st.cache_data(show_spinner=False, max_entries=64)
def _implemented_plans(kind: str, home: str, version: str, document_id: str):
    return [r for r in get_store(kind, home).implements([document_id]) if r.document_id == document_id]


def implemented_plans(sel: Selection, document_id: str):
    """The stored plans a document cites as its basis (为贯彻落实《…》): its IMPLEMENTS edges
    (graph.rows.ImplementsRow)."""
    return _implemented_plans(sel.kind, sel.home, sel.version, document_id)


def plan_task_table(tasks):
    """Tasks of a comparison (graph.compare.PlanTask) as a DataFrame for st.dataframe."""
    import pandas as pd
    return pd.DataFrame({
        "任务号": [t.task_id for t in tasks],
        "任务": [t.heading for t in tasks],
        "牵头单位": ["、".join(t.lead) for t in tasks],
        "其他单位": ["、".join(u for u in t.units if u not in t.lead) for t in tasks],
        "完成时限": ["、".join(d.text for d in t.deadlines) for t in tasks],
        "任务内容": [t.text.strip() for t in tasks],
    })


# ---------------------------------------------------------------- display helpers


def esc(text: Any) -> str:
    """Document text is data: escape HTML and Markdown so st.markdown shows it literally."""
    marked = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))
    return html.escape(marked, quote=False).replace("\n", "  \n")


_MD_SPECIAL = frozenset("\\`*_{}[]()#+-.!|~$:")


def task_link(row: TaskRow) -> str:
    """A relative URL to the task detail page (opens the task from any table)."""
    return "task?" + urllib.parse.urlencode({"doc": row.document_id, "task": row.task_id})


def task_label(row: TaskRow) -> str:
    num = row.number
    return f"{num if num is not None else row.task_id}. {row.heading}" if row.heading else row.task_id


def deadline_text(row: TaskRow) -> str:
    return "、".join(d.text for d in row.deadlines)


def task_table(rows: Sequence[TaskRow], extra: dict[str, Sequence[Any]] | None = None, text: bool = False):
    """Tasks as a DataFrame for st.dataframe (which shows cell text literally)."""
    import pandas as pd
    data: dict[str, list[Any]] = {
        "任务号": [r.number if r.number is not None else r.task_id for r in rows],
        "任务": [r.heading for r in rows],
        "详情": [task_link(r) for r in rows],
        "章节": [r.section_title for r in rows],
        "牵头单位": ["、".join(r.lead) for r in rows],
        "参加单位": ["、".join(r.participants) for r in rows],
        "责任单位": ["、".join(r.responsible) for r in rows],
        "指导单位": ["、".join(r.guides) for r in rows],
        "完成时限": [deadline_text(r) for r in rows],
    }
    for k, v in (extra or {}).items():
        data[k] = list(v)
    if text:
        data["任务内容"] = [r.text.strip() for r in rows]
    return pd.DataFrame(data)


TASK_COLUMNS = {
    "详情": st.column_config.LinkColumn("详情", display_text="打开 ↗", width="small",
                                      help="在新标签页打开任务详情(原文高亮)"),
    "任务号": st.column_config.TextColumn("任务号", width="small"),
    "任务内容": st.column_config.TextColumn("任务内容", width="large"),
}


def show_tasks(rows: Sequence[TaskRow], extra: dict[str, Sequence[Any]] | None = None,
               text: bool = False, key: str | None = None, height: int | str = "auto") -> None:
    """A task table with a link to each task's detail page."""
    if not rows:
        st.caption("(无)")
        return
    st.dataframe(task_table(rows, extra, text), hide_index=True, column_config=TASK_COLUMNS,
                 key=key, height=height)


def task_numbers(rows: Sequence[TaskRow]) -> str:
    """'19、20、24' — task numbers as a compact, copyable line."""
    return "、".join(str(r.number if r.number is not None else r.task_id) for r in rows)



# ---------------------------------------------------------------- task detail


HIGHLIGHT_STYLES = {
    "lead": "background:#ffd9d9;border-bottom:2px solid #d62728",
    "participant": "background:#dce9ff;border-bottom:2px solid #1f77b4",
    "responsible": "background:#ffe6cc;border-bottom:2px solid #ff7f0e",
    "guide": "background:#eee6f5;border-bottom:2px dashed #9467bd",
    "basis": "background:#e0f3da;border-bottom:2px solid #2ca02c",
    "produces": "background:#efe1ff;border-bottom:2px solid #9467bd",
    "deadline": "background:#fff3a3;border-bottom:2px solid #bcbd22",
}
HIGHLIGHT_LABELS = {"lead": "牵头单位", "participant": "参加单位", "responsible": "责任单位", "guide": "指导单位",
                    "basis": "依据的法规", "produces": "要制定的文件", "deadline": "完成时限"}


def highlight_spans(row: TaskRow, units: Sequence[UnitRole], cites: Sequence[TaskCitation]) -> list[tuple[int, int, str, str]]:
    """(start, end, style key, tooltip) relative to row.text, sorted, without overlaps
    (the earlier, then longer span wins)."""
    raw: list[tuple[int, int, str, str]] = []
    for u in units:
        raw.append((u.start, u.end, u.role, f"{ROLE_LABELS.get(u.role, u.role)}:{u.unit}"))
    for c in cites:
        raw.append((c.start, c.end, c.relation, f"{RELATION_LABELS.get(c.relation, c.relation)}:{c.title}"))
    for d in row.deadlines:
        raw.append((d.start, d.end, "deadline", f"时限:{d.date or d.recurring or d.text}"))
    n = len(row.text)
    spans, last_end = [], 0
    for s, e, style, tip in sorted(((s - row.start, e - row.start, st_, t) for s, e, st_, t in raw),
                                   key=lambda x: (x[0], -(x[1] - x[0]))):
        if s < last_end or s < 0 or e > n or e <= s:
            continue
        spans.append((s, e, style, tip))
        last_end = e
    return spans


def highlighted_task_html(row: TaskRow, units: Sequence[UnitRole], cites: Sequence[TaskCitation]) -> str:
    """The task's source text as HTML with its units, citations and deadlines marked.
    Every piece of document text goes through html.escape: it is data, never markup."""
    text = row.text
    out, pos = [], 0
    for s, e, style, tip in highlight_spans(row, units, cites):
        out.append(html.escape(text[pos:s]))
        out.append(f'<mark style="{HIGHLIGHT_STYLES.get(style, "")};padding:0 1px;color:inherit" '
                   f'title="{html.escape(tip, quote=True)}">{html.escape(text[s:e])}</mark>')
        pos = e
    out.append(html.escape(text[pos:]))
    legend = " ".join(f'<mark style="{HIGHLIGHT_STYLES[k]};padding:0 3px;color:inherit">{v}</mark>'
                      for k, v in HIGHLIGHT_LABELS.items())
    return (f'<div style="font-size:0.85rem;margin-bottom:0.4rem">{legend}</div>'
            f'<div class="pg-source" style="white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;'
            f'line-height:1.9;font-size:1.05rem;'
            f'padding:0.8rem 1rem;border:1px solid #e6e6e6;border-radius:0.5rem;background:#fcfcfc">'
            f'{"".join(out)}</div>')


def related_tasks(sel: Selection, row: TaskRow, units: Sequence[UnitRole],
                  limit: int = 10) -> list[tuple[TaskRow, list[str], list[str]]]:
    """Tasks sharing a specific (non-collective) unit or a cited regulation with `row`:
    (task, shared units, shared regulations), most shared first."""
    own = (row.document_id, row.task_id)
    found: dict[tuple[str, str], TaskRow] = {}
    shared_units: dict[tuple[str, str], list[str]] = {}
    shared_regs: dict[tuple[str, str], list[str]] = {}
    for name in dict.fromkeys(u.unit for u in units if not u.collective):
        for t in tasks_of_unit(sel, name):
            k = (t.document_id, t.task_id)
            if k != own:
                found[k] = t
                shared_units.setdefault(k, []).append(name)
    for title in dict.fromkeys(row.basis + row.produces):
        for c in tasks_citing(sel, title):
            k = (c.task.document_id, c.task.task_id)
            if k != own:
                found[k] = c.task
                if title not in shared_regs.setdefault(k, []):
                    shared_regs[k].append(title)
    order = sorted(found, key=lambda k: (-(len(shared_units.get(k, [])) + len(shared_regs.get(k, []))),
                                         found[k].document_id, found[k].ordinal))
    return [(found[k], shared_units.get(k, []), shared_regs.get(k, [])) for k in order[:limit]]


def short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- networks


@st.cache_resource(show_spinner=False, max_entries=32)
def _network(kind: str, home: str, version: str, docs: tuple[str, ...] | None, graph: str,
             options: tuple) -> Any:
    """The drawing `network` shows; `version` is part of the cache key (a write makes a new one)."""
    from app import network
    # Straight from the store, not through the query cache: this drawing is cached itself (one
    # shared object, not a copy), warm_up makes the first one before Streamlit's runtime and
    # its data caches exist, and a copy of ~50k rows through the query cache (pickle, then
    # unpickle on every hit) costs as much as the query. Links, not rows: over 250 tasks the
    # drawing merges them into sections and needs no text.
    store = get_store(kind, home)
    ids = None if docs is None else list(docs)
    load = store.workload(document_ids=ids)
    info = units_info(load)
    if graph == "co":
        return network.co_network(store.co_responsibility(document_ids=ids), load, info, **dict(options))

    def full_rows(links: list) -> list:
        rows = {(r.document_id, r.task_id): r
                for r in store.tasks(document_ids=sorted({t.document_id for t in links}))}
        return [rows[(t.document_id, t.task_id)] for t in links]

    links = store.task_links(document_ids=ids)
    titles = {d.document_id: d.title or d.document_id for d in store.documents()}
    return network.unit_task_network(links, info, doc_titles=titles, full_rows=full_rows, **dict(options))


# The network page's filters as it opens (its widgets start from these values), so the drawing
# it opens with can be made before anyone asks (warm_up).
NETWORK_DEFAULTS: dict[str, Any] = {"sections": [], "roles": list(ROLE_LABELS), "units": set(), "highlight": [],
                                    "include_collective": False}


def network(sel: Selection, graph: str, **options: Any):
    """A drawn network (app.network.NetworkResult), cached per selection and filters.
    graph: "unit_task" (options: sections, roles, units, highlight, include_collective,
    max_tasks, max_units, max_groups, max_edges; over max_tasks tasks it is an aggregate and
    `note` says so; `sections` of the result lists the selection's section titles, for the
    filter) or "co" (units, highlight, include_collective, min_weight, max_edges)."""
    frozen = tuple(sorted((k, tuple(sorted(v)) if isinstance(v, (list, set, tuple)) else v)
                          for k, v in options.items()))
    return _network(sel.kind, sel.home, sel.version, sel.docs, graph, frozen)


__all__ = [name for name in dir() if not name.startswith("_")]
