"""Network: the unit–task graph and the unit–unit co-responsibility graph (pyvis, offline).

The drawing is bounded whatever the selection (app.network): a plan's tasks are drawn one by
one; many plans' tasks are aggregated into sections, with a note that says what was cut.
"""
from __future__ import annotations

import streamlit as st

from plangraph.app.drawings import NETWORK_DEFAULTS, network_drawing
from plangraph.app.escaping import markdown_literal
from plangraph.app.labels import ROLE_LABELS
from plangraph.app.network import standalone_html
from plangraph.app.queries import workload
from plangraph.app.sidebar import selection

sel = selection()
st.title("网络 Network")

GRAPHS = {"unit_task": "单位–任务 Unit–task", "co": "单位协作 Co-responsibility"}
graph = st.segmented_control("图 Graph", list(GRAPHS), format_func=GRAPHS.get, default="unit_task",
                             required=True, key="net_graph")

units = [w.unit for w in workload(sel)]

with st.expander("筛选 Filters:单位、搜索、章节、角色、泛指单位", expanded=False):
    c1, c2 = st.columns(2)
    picked_units = c1.multiselect("单位 Units", units, key="net_units",
                                  help="只显示与这些单位有关的任务(及这些任务的全部单位)")
    query = c2.text_input("搜索单位 Search a unit", key="net_search", placeholder="如:司法局")
    if graph == "unit_task":
        c3, c4 = st.columns(2)
        # The section list comes with the drawing (one cached call, no pass over all tasks here),
        # so the drawing is made first with the picked sections and the widget filled after it.
        sections_slot = c3.empty()
        roles = c4.multiselect("角色 Roles", list(ROLE_LABELS), default=NETWORK_DEFAULTS["roles"],
                               format_func=ROLE_LABELS.get, key="net_roles")
    else:
        min_weight = st.slider("至少共同承担的任务数 Min. shared tasks", 1, 10, 2, key="net_min_weight")
    c5, c6 = st.columns(2)
    collective = c5.checkbox("包括泛指单位(如“各区县(市)政府”“市政府各部门”)",
                             value=NETWORK_DEFAULTS["include_collective"], key="net_collective",
                             help="泛指单位与大量任务相连,默认隐藏以便看清具体单位")
    only_matches = c6.checkbox("只看搜索到的单位", value=False, key="net_only_matches")

matches = [u for u in units if query.strip() and query.strip() in u]
if query.strip():
    st.caption(f"匹配 {len(matches)} 个单位:" + (markdown_literal("、".join(matches[:20])) or "无")
               + (" …" if len(matches) > 20 else ""))
focus = set(picked_units) | (set(matches) if only_matches else set())

if graph == "unit_task":
    def draw(sections: list[str]):
        return network_drawing(sel, "unit_task", sections=sections, roles=roles, units=focus,
                             highlight=matches, include_collective=collective)

    picked = list(st.session_state.get("net_sections") or [])
    result = draw(picked)
    shown = sections_slot.multiselect("章节 Sections", result.sections, key="net_sections",
                                      help="只显示这些章节的任务(多份文件时按章节标题)")
    if shown != picked:  # a picked section is not in this selection (any more): the widget dropped it
        result = draw(shown)
    if not roles:
        st.info("请至少选择一个角色。")
        st.stop()
else:
    result = network_drawing(sel, "co", units=focus, highlight=matches, include_collective=collective,
                           min_weight=min_weight)

if result.note:
    st.info(result.note)
st.caption(f"{result.nodes} 个节点,{result.edges} 条边。颜色:单位类型;"
           + ("边的颜色:角色(见图例)。" if graph == "unit_task" else "边的粗细:共同承担的任务数。"))
if result.nodes == 0:
    st.warning("没有符合筛选条件的内容。")
else:
    # vis-network comes from the app's static files when the server serves them (plangraph app)
    served = st.get_option("server.enableStaticServing")
    st.iframe(result.html if served else standalone_html(result.html), height=880, alt="PlanGraph 网络图")
    st.download_button("下载网络 HTML(离线可用)", lambda: standalone_html(result.html).encode("utf-8"),
                       file_name=f"plangraph-{graph}.html", mime="text/html", key="net_download")
