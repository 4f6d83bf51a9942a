"""PlanGraph (规划图谱) explorer: `streamlit run app/Home.py` or `plangraph app`.

The entrypoint: page config, the sidebar (store + documents, kept across pages because it
lives here) and the navigation over app.page_registry.PAGES. On first start the embedded
store gets the bundled plan.
"""
from __future__ import annotations

import streamlit as st

from plangraph.app.escaping import markdown_literal
from plangraph.app.page_registry import PAGES
from plangraph.app.queries import documents
from plangraph.app.sidebar import sidebar

APP_TITLE = "PlanGraph 规划图谱"

st.set_page_config(page_title=APP_TITLE, page_icon=":material/hub:", layout="wide")


def home() -> None:
    st.title(APP_TITLE)
    st.markdown(
        "把政府规划、工作方案变成**知识图谱**:每项任务由哪些单位**牵头**、**参加**、**负责**、**指导**,"
        "依据哪些法律法规、要制定哪些文件,何时完成。\n\n"
        "Turns Chinese government plans into a graph of tasks, the units that lead / take part in / "
        "answer for them, and the laws they cite — for rule-of-law and supervision offices, researchers "
        "and journalists."
    )
    sel = st.session_state.get("pg_selection")
    if sel is not None and sel.docs != ():
        docs = documents(sel)
        n_tasks = sum(d.tasks for d in docs)
        names = "、".join(f"《{markdown_literal(d.title or d.document_id)}》" for d in docs[:3]) + (
            " 等" if len(docs) > 3 else "")
        st.info(f"当前载入 {len(docs)} 份文件、{n_tasks} 项任务:{names}", icon=":material/description:")
    st.subheader("从这里开始")
    cols = st.columns(2)
    for i, page in enumerate(PAGES):
        with cols[i % 2]:
            st.page_link(page.script, label=page.title, icon=page.icon)
            st.caption(page.summary)
    st.caption("提示:提取结果由规则自动生成,请以原文为准;每个任务的详情页都标出了原文位置。")


navigation = st.navigation([
    st.Page(home, title="首页 Home", icon=":material/home:", default=True),
    *[st.Page(page.script, title=page.title, icon=page.icon, url_path=page.key) for page in PAGES],
])
st.session_state["pg_selection"] = sidebar()
navigation.run()
