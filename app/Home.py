"""PlanGraph (规划图谱) explorer: `streamlit run app/Home.py` or `plangraph app`.

The entrypoint: page config, the sidebar (store + documents, kept across pages because it
lives here) and the page list. On first start the embedded store gets the bundled plan.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run app/Home.py` only puts app/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import state  # noqa: E402

st.set_page_config(page_title=state.APP_TITLE, page_icon=":material/hub:", layout="wide")


PAGE_ICONS = {"overview": ":material/dashboard:", "network": ":material/hub:", "units": ":material/account_balance:",
              "regulations": ":material/gavel:", "gaps": ":material/report:", "task": ":material/description:",
              "export": ":material/download:", "compare": ":material/compare_arrows:",
              "review": ":material/fact_check:"}


def home() -> None:
    st.title("PlanGraph 规划图谱")
    st.markdown(
        "把政府规划、工作方案变成**知识图谱**:每项任务由哪些单位**牵头**、**参加**、**负责**、**指导**,"
        "依据哪些法律法规、要制定哪些文件,何时完成。\n\n"
        "Turns Chinese government plans into a graph of tasks, the units that lead / take part in / "
        "answer for them, and the laws they cite — for rule-of-law and supervision offices, researchers "
        "and journalists."
    )
    sel = st.session_state.get("pg_selection")
    if sel is not None and sel.docs != ():
        docs = state.documents(sel)
        n_tasks = sum(d.tasks for d in docs)
        names = "、".join(f"《{state.esc(d.title or d.document_id)}》" for d in docs[:3]) + (" 等" if len(docs) > 3 else "")
        st.info(f"当前载入 {len(docs)} 份文件、{n_tasks} 项任务:{names}", icon=":material/description:")
    st.subheader("从这里开始")
    cols = st.columns(2)
    links = [
        ("overview", "概览 Overview", "文件、任务/单位/法规数量、缺口数、牵头任务最多的单位"),
        ("network", "网络 Network", "单位–任务网络与单位协作网络,可筛选、搜索、下载"),
        ("units", "单位 Units", "某单位牵头、参加、负责的任务及其最常合作的单位"),
        ("regulations", "法规 Regulations", "被引用的法律法规:哪些任务以其为依据、哪些任务要制定它"),
        ("gaps", "缺口 Gaps", "无牵头单位、仅笼统主体、无完成时限、已过时限的任务"),
        ("task", "任务详情 Task", "原文中高亮单位、引用和时限,以及相关任务"),
        ("export", "导出 Export", "任务分工表 CSV / Excel,GraphML(Gephi)"),
        ("compare", "对比 Compare", "对标对表:两份方案逐项对应、未承接和新增的任务、牵头单位与时限的变化"),
        ("review", "待核查 Review", "提取时未能读出的分工表述、单位和编号:信任缺口清单之前先核对原文"),
    ]
    for i, (key, label, help_text) in enumerate(links):
        with cols[i % 2]:
            st.page_link(state.PAGE_PATHS[key], label=label, icon=PAGE_ICONS[key])
            st.caption(help_text)
    st.caption("提示:提取结果由规则自动生成,请以原文为准;每个任务的详情页都标出了原文位置。")


PAGES = [
    st.Page(home, title="首页 Home", icon=":material/home:", default=True),
    *[st.Page(state.PAGE_PATHS[key], title=title, icon=PAGE_ICONS[key], url_path=key) for key, title in (
        ("overview", "概览 Overview"), ("network", "网络 Network"), ("units", "单位 Units"),
        ("regulations", "法规 Regulations"), ("gaps", "缺口 Gaps"), ("task", "任务详情 Task"),
        ("export", "导出 Export"), ("compare", "对比 Compare"), ("review", "待核查 Review"))],
]

page = st.navigation(PAGES)
st.session_state["pg_selection"] = state.sidebar()
page.run()
