"""待核查 Review: the places the extractor could not read in the chosen documents (the findings
of `plangraph check`, stored at ingest), each with its task and the text around it: where to
look before trusting a gap list.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from plangraph.app import review_view
from plangraph.app.escaping import markdown_literal
from plangraph.app.queries import document_text, documents, finding_counts, findings
from plangraph.app.sidebar import selection
from plangraph.app.tables import PAGE_SIZE, pager

sel = selection()
st.title("待核查 Review")
st.caption("提取规则未能读出的地方:含“牵头”“负责”等字样却没有读出单位的括号、行或表格单元格,形式不明的单位名称,"
           "同级任务大多标明单位而它没有的任务,像编号却未被识别为任务的行。相信“缺口”清单之前,请先核对这些原文。")

docs = documents(sel)
titles = {d.document_id: d.title or d.document_id for d in docs}
counts = finding_counts(sel)
not_known = [d for d in titles if d not in counts]
if not_known:
    shown = "、".join(f"《{markdown_literal(titles[d])}》" for d in not_known[:5]) + (" 等" if len(not_known) > 5 else "")
    st.warning(f"{len(not_known)} 份文件入库时还没有记录待核查项,它们的情况未知(不是没有):{shown}。"
               "重新导入即可补上(`plangraph ingest 文件`,或左侧“管理”中的导入)。", icon=":material/help:")

totals = {k: sum(c[k] for c in counts.values()) for k in review_view.KIND_LABELS}
cols = st.columns(len(totals))
for col, (kind, n) in zip(cols, totals.items()):
    col.metric(review_view.KIND_ZH[kind], n, help=review_view.KIND_HELP[kind])

if not any(totals.values()):
    if counts:
        st.success(f"所选的 {len(counts)} 份文件中没有提取时未能读出的地方。", icon=":material/check_circle:")
    st.stop()

with_findings = sorted((d for d, c in counts.items() if any(c.values())), key=lambda d: (-sum(counts[d].values()), d))
if len(counts) > 1:
    st.subheader("各文件 By document")
    st.dataframe(pd.DataFrame({
        "文件": [titles.get(d, d) for d in with_findings],
        "编号": with_findings,
        **{review_view.KIND_ZH[k]: [counts[d][k] for d in with_findings] for k in review_view.KIND_LABELS},
        "合计": [sum(counts[d].values()) for d in with_findings],
    }), hide_index=True, height=min(38 + 35 * len(with_findings), 400))

st.subheader("待核查之处 Findings")
kinds = st.multiselect("类型 Kinds", list(review_view.KIND_LABELS), default=list(review_view.KIND_LABELS),
                       format_func=review_view.KIND_LABELS.get, key="review_kinds")
total = sum(totals[k] for k in kinds)
st.caption(f"共 {total} 处;点击任务名打开任务详情,原文中标出的是未能读出的部分。")
offset = pager(total, key="review_page")
rows = findings(sel, kinds, limit=PAGE_SIZE, offset=offset) if total else []
if not rows:
    st.caption("(无)")
    st.stop()
texts = {d: document_text(sel, d) for d in dict.fromkeys(f.document_id for f in rows)}
st.html(review_view.findings_table(rows, texts, titles, show_document=len(titles) > 1))
