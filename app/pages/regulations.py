"""Regulations: cited laws and documents — which tasks cite each, which tasks will produce it."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app import state

sel = state.selection()
st.title("法规 Regulations")
st.caption("“依据”:任务据以开展的法律法规(如 贯彻、依据《…》);“制定”:任务要出台的文件(如 制定《…》)。")

query = st.text_input("搜索标题 Search cited titles", key="regs_query", placeholder="如:条例、行政复议")
regs = state.regulations(sel, query.strip() or None)

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
# resolution by the graph engineer's law rules, when the store has it
for attr, label in (("level", "效力层级"), ("form_label", "类别"), ("publish_date", "公布日期"),
                    ("status", "识别")):
    if any(getattr(r, attr, None) for r in regs):
        frame[label] = [state.REGULATION_STATUS.get(v, v) if attr == "status" else v
                        for v in (getattr(r, attr, None) or "" for r in regs)]
st.dataframe(frame, hide_index=True)

keys = [r.key for r in regs]
titles = {r.key: r.title for r in regs}
key = st.selectbox("查看某一法规 Choose one", keys, format_func=lambda k: titles.get(k, k), key="regs_pick")
for relation, heading in (("basis", "以其为依据的任务 Tasks citing it as basis"),
                          ("produces", "将制定它的任务 Tasks that will produce it")):
    cited = list({(c.task.document_id, c.task.task_id): c.task for c in state.tasks_citing(sel, key, relation)}.values())
    st.subheader(f"{heading} ({len(cited)})")
    state.show_tasks(cited, key=f"regs_{relation}")
