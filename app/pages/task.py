"""Task detail: the source text with units, citations and deadlines highlighted, and its neighbours.

Opened from any table's 详情 link (?doc=…&task=…) or by choosing a task here.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from plangraph.app.escaping import markdown_literal
from plangraph.app.highlight import highlighted_task_html
from plangraph.app.labels import RELATION_LABELS, ROLE_LABELS
from plangraph.app.queries import (document_tasks, document_text, documents, finding_counts, findings_of_task, related_tasks,
                         task_citations, units_of_task)
from plangraph.app.review_view import findings_table
from plangraph.app.sidebar import selection
from plangraph.app.tables import show_tasks, task_label
from plangraph.graph.records import task_key
from plangraph.ingest.units import kind_label

sel = selection()
st.title("任务详情 Task")

docs = documents(sel)
titles = {d.document_id: d.title or d.document_id for d in docs}
if not any(d.tasks for d in docs):
    st.info("所选文件中没有任务。")
    st.stop()

# The URL decides when it names a task we have not shown yet (a link was followed).
wanted_doc, wanted_task = st.query_params.get("doc", ""), st.query_params.get("task", "")
wanted = task_key(wanted_doc, wanted_task)
if wanted_doc in titles and st.session_state.get("task_from_url") != wanted:
    st.session_state["task_doc"] = wanted_doc
if st.session_state.get("task_doc") not in titles:
    st.session_state["task_doc"] = next(d.document_id for d in docs if d.tasks)

# One plan at a time: a province's selection has tens of thousands of tasks.
if len(titles) > 1:
    doc_id = st.selectbox("文件 Document", list(titles), key="task_doc",  # titles repeat across plans: show ids
                          format_func=lambda i: f"{titles[i]}({i})" if titles.get(i, i) != i else i)
else:
    doc_id = st.session_state["task_doc"]
rows = document_tasks(sel, doc_id)
by_key = {task_key(r.document_id, r.task_id): r for r in rows}
if not by_key:
    st.info("这份文件中没有任务。")
    st.stop()
if wanted in by_key and st.session_state.get("task_from_url") != wanted:
    st.session_state["task_pick"] = wanted
    st.session_state["task_from_url"] = wanted
if st.session_state.get("task_pick") not in by_key:
    with_units = [k for k, r in by_key.items() if r.lead or r.participants or r.responsible]
    st.session_state["task_pick"] = (with_units or list(by_key))[0]


def _label(key: str) -> str:
    r = by_key[key]
    return f"{task_label(r)}  ({r.task_id})"


key = st.selectbox("选择任务 Choose a task", list(by_key), format_func=_label, key="task_pick")
row = by_key[key]
if wanted != key:  # keep the URL shareable
    st.query_params.from_dict({"doc": row.document_id, "task": row.task_id})
    st.session_state["task_from_url"] = key

units = units_of_task(sel, row.document_id, row.task_id)
cites = task_citations(sel, row)

st.subheader(markdown_literal(task_label(row)))
st.caption(markdown_literal(f"《{titles.get(row.document_id, row.document_id)}》 · 章节:{row.section_title or '—'} · "
                              f"编号 {row.task_id} · 原文位置 {row.start}–{row.end}"))
st.html(highlighted_task_html(row, units, cites))
with st.expander("原文(纯文本)Plain text"):
    st.text(row.text)

found = findings_of_task(sel, row.document_id, row.task_id)
if found:
    st.warning(f"待核查 Review:提取时本任务中有 {len(found)} 处未能读出,请核对原文,"
               "其单位与缺口可能不全。", icon=":material/fact_check:")
    st.html(findings_table(found, {row.document_id: document_text(sel, row.document_id)},
                           titles, show_document=False, show_task=False))
elif row.document_id not in finding_counts(sel):
    st.caption("本文件入库时还没有记录待核查项(重新导入即可补上)。")

c = st.columns(3)
with c[0]:
    st.markdown("**单位 Units**")
    if units:
        st.dataframe(pd.DataFrame({
            "单位": [u.unit for u in units],
            "原文写法": [u.as_written for u in units],
            "角色": [ROLE_LABELS.get(u.role, u.role) for u in units],
            "泛指": ["是" if u.collective else "" for u in units],
            "类型": [kind_label(u.kind) if u.kind else "" for u in units],
        }), hide_index=True)
    else:
        st.caption("(未标明单位)")
with c[1]:
    st.markdown("**引用 Citations**")
    if cites:
        st.dataframe(pd.DataFrame({
            "法规": [x.title for x in cites],
            "关系": [RELATION_LABELS.get(x.relation, x.relation) for x in cites],
            "原文": [x.mention for x in cites],
        }), hide_index=True)
    else:
        st.caption("(无)")
with c[2]:
    st.markdown("**时限 Deadlines**")
    if row.deadlines:
        st.dataframe(pd.DataFrame({
            "时限": [d.text for d in row.deadlines],
            "日期": [d.date or "" for d in row.deadlines],
            "周期": [d.recurring or "" for d in row.deadlines],
        }), hide_index=True)
    else:
        st.caption("(无完成时限)")

st.subheader("相关任务 Neighbours")
st.caption("与本任务有共同的具体单位(不含泛指单位)或共同引用法规的任务,按共同项多少排序。")
related = related_tasks(sel, row, units)
if related:
    show_tasks([r for r, _, _ in related],
                     extra={"共同单位": ["、".join(u) for _, u, _ in related],
                            "共同法规": ["、".join(g) for _, _, g in related]}, key="task_related")
else:
    st.caption("(无)")
same_section = [r for r in rows if r.document_id == row.document_id and r.section == row.section
                and r.task_id != row.task_id and row.section]
if same_section:
    st.markdown(f"**同一章节的其他任务**({markdown_literal(row.section_title or row.section)})")
    show_tasks(same_section, key="task_section")
