"""Gaps: tasks nobody clearly answers for, or with no (or a passed) time limit."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from app import state

sel = state.selection()
st.title("缺口 Gaps")
st.caption("监督与评估的线索:没有明确牵头单位、只有笼统主体、没有完成时限或时限已过的任务。")

as_of = st.date_input("截至日期 As of", value=dt.date.today(), key="gaps_as_of",
                      help="“已过时限”以此日期为准")
kinds = st.multiselect("缺口类型 Kinds", list(state.GAP_LABELS), default=list(state.GAP_LABELS),
                       format_func=state.GAP_LABELS.get, key="gaps_kinds")

counts = state.gap_counts(sel, as_of)
single_plan = len(state.documents(sel)) == 1  # task numbers only say which task within one plan
for kind in kinds:
    total = counts.get(kind, 0)
    st.subheader(f"{state.GAP_LABELS[kind]} ({total})")
    st.caption(state.GAP_HELP.get(kind, ""))
    offset = state.pager(total, key=f"gaps_page_{kind}")
    rows = state.orphans(sel, kind, as_of, limit=state.PAGE_SIZE, offset=offset) if total else []
    if rows and single_plan:
        st.markdown(f"任务号:{state.esc(state.task_numbers(rows))}")
    state.show_tasks(rows, text=True, key=f"gaps_{kind}", height=min(38 + 35 * len(rows), 420))
