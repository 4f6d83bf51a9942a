"""Export: the 任务分工表 (CSV, Excel) and the graph as GraphML for Gephi."""
from __future__ import annotations

import streamlit as st

from plangraph.app.queries import division_rows, export_bytes, task_count
from plangraph.app.sidebar import selection
from plangraph.app.tables import PAGE_SIZE, division_frame, pager

sel = selection()
st.title("导出 Export")
st.caption("导出当前所选文件。网络图的 HTML 在“网络”页下载。")

stem = "plangraph" if sel.docs is None or len(sel.docs) != 1 else sel.docs[0]
total = task_count(sel)

st.subheader("任务分工表 Task division table")
st.caption("每项任务一行:任务编号、任务、牵头单位、参加单位、责任单位、完成时限、法律依据、要制定的文件、任务内容。"
           "文件在点击时生成。")
c = st.columns(3)
# data=callable: each file is built when its button is clicked, not on every visit
c[0].download_button("下载 CSV", lambda: export_bytes(sel, "csv"), file_name=f"{stem}-任务分工表.csv",
                     mime="text/csv", key="export_csv", icon=":material/table:", on_click="ignore")
c[1].download_button("下载 Excel (XLSX)", lambda: export_bytes(sel, "xlsx"),
                     file_name=f"{stem}-任务分工表.xlsx",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     key="export_xlsx", icon=":material/grid_on:", on_click="ignore")
c[2].download_button("下载 GraphML(Gephi)", lambda: export_bytes(sel, "graphml"), file_name=f"{stem}.graphml",
                     mime="application/graphml+xml", key="export_graphml", icon=":material/hub:", on_click="ignore")
st.caption(f"{total} 行。CSV 为带 BOM 的 UTF-8,Excel 可直接打开。GraphML 含文件、章节、任务、单位、法规节点及其关系。")
offset = pager(total, key="export_page")
st.dataframe(division_frame(division_rows(sel, limit=PAGE_SIZE, offset=offset)), hide_index=True, height=480)
