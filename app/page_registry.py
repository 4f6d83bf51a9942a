"""The explorer's pages, as one table.

`PAGES` is the one list of pages: the navigation and the home page's links (app/Home.py),
the browser harness (tests/browser_harness.py) and the tests iterate it, and a test checks
that every script in app/pages/ has its row. To add a page: its script `app/pages/<key>.py`
and one row here.

No Streamlit here: the harness and the benchmarks read this table without starting an app.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppPage:
    """One page of the explorer."""
    key: str  # the script's stem (app/pages/<key>.py) and the page's URL path
    title: str  # in the navigation and on its link
    icon: str  # a Material icon, :material/<name>:
    summary: str  # what it answers, under its link on the home page
    ready_text: str  # a text it shows once its answers are on screen (the browser harness waits for it)

    @property
    def script(self) -> str:
        """The script's path relative to app/, as st.Page, st.page_link and AppTest want it."""
        return f"pages/{self.key}.py"


PAGES: tuple[AppPage, ...] = (
    AppPage("overview", "概览 Overview", ":material/dashboard:",
            "文件、任务/单位/法规数量、缺口数、牵头任务最多的单位", "牵头任务最多"),
    AppPage("network", "网络 Network", ":material/hub:",
            "单位–任务网络与单位协作网络,可筛选、搜索、下载", "个节点"),
    AppPage("units", "单位 Units", ":material/account_balance:",
            "某单位牵头、参加、负责的任务及其最常合作的单位", "牵头任务最多的单位"),
    AppPage("regulations", "法规 Regulations", ":material/gavel:",
            "被引用的法律法规:哪些任务以其为依据、哪些任务要制定它", "Tasks citing it as basis"),
    AppPage("gaps", "缺口 Gaps", ":material/report:",
            "无牵头单位、仅笼统主体、无完成时限、已过时限的任务", "无牵头单位"),
    AppPage("task", "任务详情 Task", ":material/description:",
            "原文中高亮单位、引用和时限,以及相关任务", "相关任务 Neighbours"),
    AppPage("export", "导出 Export", ":material/download:",
            "任务分工表 CSV / Excel,GraphML(Gephi)", "任务分工表 Task division table"),
    AppPage("compare", "对比 Compare", ":material/compare_arrows:",
            "对标对表:两份方案逐项对应、未承接和新增的任务、牵头单位与时限的变化", "对标对表"),
    AppPage("review", "待核查 Review", ":material/fact_check:",
            "提取时未能读出的分工表述、单位和编号:信任缺口清单之前先核对原文", "待核查"),
)

_BY_KEY = {p.key: p for p in PAGES}


def page(key: str) -> AppPage:
    """The registered page `key` (KeyError: no such page)."""
    return _BY_KEY[key]
