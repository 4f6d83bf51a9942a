"""Compare (对标对表): which task of plan B carries out which task of plan A, what A asks that B
does not take up, what B adds, and what changed in each pair; the sheet as CSV or Excel.

The pairs `plangraph link A B` stored when B was linked against A in this mode (and the page says
so), else computed when asked (graph.compare_input.comparison_from_store through app.queries).
"""
from __future__ import annotations

import streamlit as st

from plangraph.app.compare_view import pairs_html, plan_task_table
from plangraph.app.escaping import markdown_literal
from plangraph.app.queries import comparison, comparison_sheet, documents, implemented_plans
from plangraph.app.sidebar import selection
from plangraph.graph.compare import MODES, changed

MODE_LABELS = {"one-to-one": "一对一", "one-to-many": "一对多(一项上级任务可由多项下级任务落实)"}

sel = selection()
st.title("对比 Compare")
st.caption("对标对表:下级(或后一版)方案 B 的哪些任务落实了上级(或前一版)方案 A 的哪些任务,"
           "A 的哪些任务 B 未承接,B 新增了什么,以及每对任务的牵头单位、时限、引用有何变化。")

docs = documents(sel)
if len(docs) < 2:
    st.info("对比需要两份文件:请在左侧选择至少两份,或先导入更多方案(plangraph ingest)。")
    st.stop()
titles = {d.document_id: d.title or d.document_id for d in docs}
ids = list(titles)


def _label(doc_id: str) -> str:
    return f"{titles[doc_id]}({doc_id})" if titles[doc_id] != doc_id else doc_id


c = st.columns([5, 5, 3])
a = c[0].selectbox("上级/前一版方案 A", ids, index=0, key="cmp_a", format_func=_label)
others = [i for i in ids if i != a]
if st.session_state.get("cmp_b") not in others:
    st.session_state["cmp_b"] = others[0]
b = c[1].selectbox("下级/后一版方案 B", others, key="cmp_b", format_func=_label)
mode = c[2].radio("模式 Mode", MODES, key="cmp_mode", format_func=MODE_LABELS.get)


def _use_as_a(doc_id: str) -> None:
    st.session_state["cmp_a"] = doc_id


for cited in implemented_plans(sel, b):
    if cited.implemented_id == a:
        st.caption(f"B 以 A 为依据(引用《{markdown_literal(cited.title)}》):B 落实 A。")
    elif cited.implemented_id in titles:
        st.button(f"B 落实《{markdown_literal(cited.title)}》:以它为 A", key=f"cmp_use_{cited.implemented_id}",
                  icon=":material/north:", on_click=_use_as_a, args=(cited.implemented_id,),
                  help="B 的依据中引用了这份已导入的方案")

with st.spinner("正在对比 …"):
    result, linked = comparison(sel, a, b, mode)
if linked is not None:
    st.caption(f"显示已存储的对应关系(plangraph link,{linked.linked},最低匹配度 {linked.min_score:g});"
               "“未承接”计入 B 的缺口。")
else:
    st.caption("对应关系为即时计算,未存储(plangraph link A B 可存储,“未承接”随之计入 B 的缺口)。")

m = st.columns(4)
m[0].metric("对应 Matched pairs", len(result.pairs))
m[1].metric("有变化 Changed", sum(1 for p in result.pairs if changed(p.differences)))
m[2].metric("未承接 Not taken up", len(result.a_only), help="A 的任务在 B 中没有对应任务:B 的缺口")
m[3].metric("新增 Added", len(result.b_only), help="B 的任务在 A 中没有对应任务")

stem = f"{a}-{b}-对标对表"
d = st.columns(2)
d[0].download_button("下载 CSV", lambda: comparison_sheet(sel, a, b, mode, "csv"), file_name=f"{stem}.csv",
                     mime="text/csv", key="cmp_csv", icon=":material/table:", on_click="ignore")
d[1].download_button("下载 Excel (XLSX)", lambda: comparison_sheet(sel, a, b, mode, "xlsx"),
                     file_name=f"{stem}.xlsx",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     key="cmp_xlsx", icon=":material/grid_on:", on_click="ignore")

st.subheader(f"对应任务 Matched pairs ({len(result.pairs)})")
st.caption("匹配度 = 文本相似度(共同关键词的 TF-IDF 余弦)+ 0.05 × 同职能单位 + 0.05 × 共同引用。"
           "A 侧删除线:B 未再列出的单位;B 侧绿色:新增的单位;原文中黄色:两项任务共同的关键词。")
if result.pairs:
    st.html(pairs_html(result))
else:
    st.caption("(无)")

st.subheader(f"未承接 Not taken up ({len(result.a_only)})")
st.caption("缺口:上级/前一版方案的这些任务,在 B 中没有找到对应任务。")
if result.a_only:
    st.dataframe(plan_task_table(result.a_only), hide_index=True, key="cmp_a_only")
st.subheader(f"新增 Added ({len(result.b_only)})")
if result.b_only:
    st.dataframe(plan_task_table(result.b_only), hide_index=True, key="cmp_b_only")
