"""Overview: the documents, how big the graph is, how many gaps, who leads the most tasks."""
from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from plangraph.app.escaping import markdown_literal
from plangraph.app.network import KIND_COLORS
from plangraph.app.page_registry import page
from plangraph.app.queries import documents, gap_counts, regulations, unit_info, workload
from plangraph.app.sidebar import selection
from plangraph.graph import gaps

sel = selection()
st.title("概览 Overview")

docs = documents(sel)
load = workload(sel)
regs = regulations(sel)
info = unit_info(sel)

c = st.columns(5)
c[0].metric("文件 Documents", len(docs))
c[1].metric("任务 Tasks", sum(d.tasks for d in docs))
c[2].metric("单位 Units", len(load), help="不同的单位(规范名称),含“各区县政府”等泛指单位")
c[3].metric("法规 Regulations", len(regs), help="被引用(依据或待制定)的不同法律法规和文件")
c[4].metric("分工 Assignments", sum(d.assignments for d in docs), help="单位–任务关系的条数")

st.subheader("文件 Documents")
st.dataframe(pd.DataFrame({
    "标题": [d.title or d.document_id for d in docs],
    "文号": [d.doc_number for d in docs],
    "发文机关": [d.issuer for d in docs],
    "日期": [d.date for d in docs],
    "章节": [d.sections for d in docs],
    "任务": [d.tasks for d in docs],
    "单位": [d.units for d in docs],
    "法规": [d.regulations for d in docs],
    "来源": [Path(d.source).name for d in docs],
}), hide_index=True)

st.subheader("缺口 Gaps")
st.caption("截至今天。点击“缺口”页查看每一项任务。")
labels = gaps.GAP_LABELS  # read when the page runs: every kind of graph.gaps.GAP_TABLE
cols = st.columns(len(labels))
counts = gap_counts(sel)
for col, (kind, label) in zip(cols, labels.items()):
    col.metric(label, counts.get(kind, 0), help=gaps.KIND_DESCRIPTIONS.get(kind))
st.page_link(page("gaps").script, label="查看缺口任务 →", icon=page("gaps").icon)

st.subheader("牵头任务最多的单位 Top units by tasks led")
top = sorted((w for w in load if w.lead > 0), key=lambda w: (-w.lead, -w.total, w.unit))[:15]
if top:
    frame = pd.DataFrame({
        "单位": [w.unit for w in top],
        "牵头": [w.lead for w in top],
        "参加": [w.participant for w in top],
        "责任": [w.responsible for w in top],
        "指导": [w.guide for w in top],
        "类型": [(info.get(w.unit) or {}).get("kind_label", "") for w in top],
    })
    kinds = {(info.get(w.unit) or {}).get("kind_label", ""): (info.get(w.unit) or {}).get("kind", "other") for w in top}
    chart = (alt.Chart(frame).mark_bar().encode(
        x=alt.X("牵头:Q", title="牵头任务数"),
        y=alt.Y("单位:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("类型:N", title="单位类型", scale=alt.Scale(
            domain=list(kinds), range=[KIND_COLORS.get(k, KIND_COLORS["other"]) for k in kinds.values()])),
        tooltip=["单位", "牵头", "参加", "责任", "类型"],
    ).properties(height=28 * len(top) + 40))
    st.markdown(f"牵头任务最多:**{markdown_literal(top[0].unit)}**({top[0].lead} 项)")
    left, right = st.columns([3, 2])
    left.altair_chart(chart, width="stretch")
    right.dataframe(frame, hide_index=True, height=38 + 35 * len(frame))
else:
    st.caption("所选文件中没有标明牵头单位的任务。")
