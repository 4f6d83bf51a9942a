"""The sidebar: which store and documents the pages show, and the write actions (import the
bundled plan, remove documents), open only to whom may write.

Home.py renders it once per run, so its choices hold across pages; a page script run on its
own renders it through `selection()`. On first start an empty embedded store gets the
bundled plan, so the app opens on real data with no set-up.
"""
from __future__ import annotations

import hmac
import os
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from plangraph.app.escaping import markdown_literal
from plangraph.app.queries import Selection, default_store_kind, documents_all, get_store, home_dir, store_version
from plangraph.graph.store import STORE_KINDS, GraphStore, StoreError
from plangraph.cli_app import PASSWORD_ENV, is_local
from plangraph.ingest.resources import BUNDLED_PLAN

STORE_LABELS = {"embedded": "内置存储 (embedded)", "neo4j": "Neo4j (NEO4J_* 环境变量)"}


def ingest_plan(store: GraphStore, path: str | Path) -> list:
    """Extract plan files (a file or folder) and write them to the store, as `plangraph
    ingest` does (graph ids, unchanged files skipped); the ingest.batch.FileResults."""
    from plangraph.ingest.batch import ingest_paths
    return list(ingest_paths(store, [str(path)], jobs=1))


def ensure_bundled_plan(kind: str, home: str) -> bool:
    """First start: an embedded store never written to gets the bundled Changde plan (one
    whose documents were all removed stays empty). True when it ingested."""
    store = get_store(kind, home)
    if kind != "embedded" or store.version() != "0" or not BUNDLED_PLAN.exists():
        return False
    with st.spinner("首次启动:正在导入内置的常德市法治政府建设工作方案 …"):
        ingest_plan(store, BUNDLED_PLAN)
    st.cache_data.clear()
    return True


def served_locally() -> bool:
    """The server answers this machine only (plangraph app's default, --address 127.0.0.1)."""
    return is_local(st.get_option("server.address"))


def write_allowed() -> bool:
    """Whether this session may import and remove documents: always when served locally;
    served beyond this machine, only with the password in PLANGRAPH_APP_PASSWORD, asked for
    here (compared in constant time)."""
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


def sidebar() -> Selection | None:
    """The store and document choosers. Returns None when the store cannot be opened."""
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
            st.error(f"无法打开存储:{markdown_literal(err)}")
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
        # Its content is made only while it is open: the removal list names every document,
        # 0.2 s of every page at 1,000 plans when sent closed.
        with st.expander("管理 Manage: 导入、删除", key="pg_manage", on_change="rerun") as manage:
            if manage.open:
                _manage(kind, home, ids, titles)
    chosen = set(chosen)
    picked = tuple(i for i in ids if i in chosen)
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
    else:  # a page script run on its own: render the sidebar here
        sel = st.session_state["pg_selection"] = sidebar()
    if sel is None:
        st.stop()
    if sel.docs == ():
        st.info("请在左侧选择至少一个文件。")
        st.stop()
    return sel
