"""Regulations: cited laws and documents — which tasks cite each, which tasks will produce it."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from plangraph.app.labels import REGULATION_STATUS
from plangraph.app.queries import regulations, tasks_citing
from plangraph.app.sidebar import selection
from plangraph.app.tables import show_tasks

sel = selection()
st.title("法规 Regulations")
st.caption("“依据”:任务据以开展的法律法规(如 贯彻、依据《…》);“制定”:任务要出台的文件(如 制定《…》)。")

query = st.text_input("搜索标题 Search cited titles", key="regs_query", placeholder="如:条例、行政复议")
regs = regulations(sel, query.strip() or None)

c = st.columns(3)
c[0].metric("法规 Regulations", len(regs))
c[1].metric("作为依据 Cited as basis", sum(r.basis_count for r in regs), help="引用次数")
c[2].metric("待制定 To be produced", sum(r.produces_count for r in regs), help="引用次数")
if not regs:
    st.info("没有找到匹配的法规。")
    st.stop()

frame = pd.DataFrame({
    "法规": [r.title for r in regs],
    "依据": [r.basis_count for r in regs],
    "制定": [r.produces_count for r in regs],
    "任务数": [r.tasks for r in regs],
    "文件数": [r.documents for r in regs],
    "其他写法": ["、".join(t for t in r.titles if t != r.title) for r in regs],
})
# how ingest.laws resolved each title; a column only when some title has that fact
for label, values in (("效力层级", [r.level for r in regs]), ("类别", [r.form_label for r in regs]),
                      ("公布日期", [r.publish_date for r in regs]),
                      ("识别", [REGULATION_STATUS.get(r.status, r.status) for r in regs])):
    if any(values):
        frame[label] = [v or "" for v in values]
st.dataframe(frame, hide_index=True)

keys = [r.key for r in regs]
titles = {r.key: r.title for r in regs}
key = st.selectbox("查看某一法规 Choose one", keys, format_func=lambda k: titles.get(k, k), key="regs_pick")
for relation, heading in (("basis", "以其为依据的任务 Tasks citing it as basis"),
                          ("produces", "将制定它的任务 Tasks that will produce it")):
    cited = list({(c.task.document_id, c.task.task_id): c.task for c in tasks_citing(sel, key, relation)}.values())
    st.subheader(f"{heading} ({len(cited)})")
    show_tasks(cited, key=f"regs_{relation}")
