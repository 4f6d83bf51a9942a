"""Gaps: tasks nobody clearly answers for, or with no (or a passed) time limit (graph.gaps)."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from plangraph.app.escaping import markdown_literal
from plangraph.app.queries import documents, gap_counts, gap_tasks
from plangraph.app.sidebar import selection
from plangraph.app.tables import PAGE_SIZE, pager, show_tasks, task_numbers
from plangraph.graph import gaps

sel = selection()
st.title("缺口 Gaps")
st.caption("监督与评估的线索:没有明确牵头单位、只有笼统主体、没有完成时限或时限已过的任务。")

as_of = st.date_input("截至日期 As of", value=dt.date.today(), key="gaps_as_of",
                      help="“已过时限”以此日期为准")
labels = gaps.GAP_LABELS  # read when the page runs: every kind of graph.gaps.GAP_TABLE
kinds = st.multiselect("缺口类型 Kinds", list(labels), default=list(labels),
                       format_func=labels.get, key="gaps_kinds")

counts = gap_counts(sel, as_of)
single_plan = len(documents(sel)) == 1  # task numbers only say which task within one plan
for kind in kinds:
    total = counts.get(kind, 0)
    st.subheader(f"{labels[kind]} ({total})")
    st.caption(gaps.KIND_DESCRIPTIONS.get(kind, ""))
    offset = pager(total, key=f"gaps_page_{kind}")
    rows = gap_tasks(sel, kind, as_of, limit=PAGE_SIZE, offset=offset) if total else []
    if rows and single_plan:
        st.markdown(f"任务号:{markdown_literal(task_numbers(rows))}")
    show_tasks(rows, text=True, key=f"gaps_{kind}", height=min(38 + 35 * len(rows), 420))
