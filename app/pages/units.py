"""Units: what one unit leads, joins and answers for, and whom it works with most."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from plangraph.app.escaping import markdown_literal
from plangraph.app.labels import ROLE_LABELS
from plangraph.app.queries import co_responsibility, tasks_of_unit, unit_info, units_by_lead, workload
from plangraph.app.sidebar import selection
from plangraph.app.tables import PAGE_SIZE, pager, show_tasks

sel = selection()
st.title("单位 Units")

load = workload(sel)
if not load:
    st.info("所选文件中没有单位。")
    st.stop()
info = unit_info(sel)
top_lead = max(load, key=lambda w: (w.lead, w.total, -len(w.unit)))
st.markdown(f"牵头任务最多的单位:**{markdown_literal(top_lead.unit)}**({top_lead.lead} 项)")

by_name = {w.unit: w for w in load}
names = [w.unit for w in units_by_lead(load)]
unit = st.selectbox("选择单位 Choose a unit", names, index=0, key="units_unit",
                    format_func=lambda u: f"{u}(" + " · ".join(
                        f"{label} {getattr(by_name[u], role)}" for role, label in ROLE_LABELS.items()
                        if role != "guide" or by_name[u].guide) + ")")
w = by_name[unit]

c = st.columns(6)
c[0].metric("牵头 Lead", w.lead)
c[1].metric("参加 Participant", w.participant)
c[2].metric("责任 Responsible", w.responsible)
c[3].metric("指导 Guide", w.guide, help="指导、督导该任务,不承担落实")
c[4].metric("类型 Kind", info[unit]["kind_label"] or "—")
c[5].metric("层级 Level", info[unit]["level"] or "—")
if w.collective:
    st.caption("这是一个泛指单位(如“各区县政府”),它代表一类单位,而不是一个具体机关。")

counts = {role: getattr(w, role) for role in ROLE_LABELS}  # UnitWorkload's counts are named by role
tabs = st.tabs([f"{label} ({counts[role]})" for role, label in ROLE_LABELS.items()])
for tab, role in zip(tabs, ROLE_LABELS):
    with tab:
        offset = pager(counts[role], key=f"units_page_{role}")
        rows = tasks_of_unit(sel, unit, [role], limit=PAGE_SIZE, offset=offset) if counts[role] else []
        show_tasks(rows, key=f"units_tasks_{role}")

st.subheader("最常合作的单位 Most frequent partners")
include_collective = st.checkbox("包括泛指单位", value=False, key="units_partner_collective")
partners = sorted(((e.b if e.a == unit else e.a, e.weight)
                   for e in co_responsibility(sel, include_collective=include_collective)
                   if unit in (e.a, e.b)), key=lambda p: (-p[1], p[0]))
if partners:
    st.dataframe(pd.DataFrame({
        "单位": [p for p, _ in partners[:15]],
        "共同任务": [n for _, n in partners[:15]],
        "类型": [(info.get(p) or {}).get("kind_label", "") for p, _ in partners[:15]],
    }), hide_index=True)
else:
    st.caption("(无)")

with st.expander("全部单位的任务量 Workload of every unit"):
    st.dataframe(pd.DataFrame({
        "单位": [x.unit for x in load],
        "类型": [info[x.unit]["kind_label"] for x in load],
        "层级": [info[x.unit]["level"] for x in load],
        "泛指": ["是" if x.collective else "" for x in load],
        "牵头": [x.lead for x in load],
        "参加": [x.participant for x in load],
        "责任": [x.responsible for x in load],
        "指导": [x.guide for x in load],
        "合计": [x.total for x in load],
    }), hide_index=True)
