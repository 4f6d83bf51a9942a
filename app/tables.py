"""Task tables and their pager: how a list of tasks is shown on every page.

st.dataframe shows cell text literally, so document text needs no escaping here. Each row
links to its task's detail page (`task_url`).
"""
from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from typing import Any

import streamlit as st

from plangraph.graph.rows import TaskRow

PAGE_SIZE = 200  # task rows per table page


def pager(total: int, key: str, size: int = PAGE_SIZE) -> int:
    """A page chooser under a long list; returns the offset of the chosen page."""
    pages = max(1, -(-total // size))
    if pages == 1:
        return 0
    page = st.number_input(f"页 Page (共 {pages} 页,每页 {size} 行)", min_value=1, max_value=pages, value=1,
                           step=1, key=key)
    return (int(page) - 1) * size


def task_url(row: TaskRow) -> str:
    """A relative URL to the task detail page (opens the task from any table)."""
    return "task?" + urllib.parse.urlencode({"doc": row.document_id, "task": row.task_id})


def task_label(row: TaskRow) -> str:
    """'19. 加大政府规章备案审查力度': the task's number (else its id) and heading."""
    num = row.number
    return f"{num if num is not None else row.task_id}. {row.heading}" if row.heading else row.task_id


def task_numbers(rows: Sequence[TaskRow]) -> str:
    """'19、20、24' — task numbers as a compact, copyable line."""
    return "、".join(str(r.number if r.number is not None else r.task_id) for r in rows)


def task_table(rows: Sequence[TaskRow], extra: dict[str, Sequence[Any]] | None = None, text: bool = False):
    """Tasks as a DataFrame for st.dataframe; `extra` columns after the standard ones, the
    task's text last when `text`."""
    import pandas as pd
    data: dict[str, list[Any]] = {
        "任务号": [r.number if r.number is not None else r.task_id for r in rows],
        "任务": [r.heading for r in rows],
        "详情": [task_url(r) for r in rows],
        "章节": [r.section_title for r in rows],
        "牵头单位": ["、".join(r.lead) for r in rows],
        "参加单位": ["、".join(r.participants) for r in rows],
        "责任单位": ["、".join(r.responsible) for r in rows],
        "指导单位": ["、".join(r.guides) for r in rows],
        "完成时限": ["、".join(d.text for d in r.deadlines) for r in rows],
    }
    for k, v in (extra or {}).items():
        data[k] = list(v)
    if text:
        data["任务内容"] = [r.text.strip() for r in rows]
    return pd.DataFrame(data)


TASK_COLUMNS = {
    "详情": st.column_config.LinkColumn("详情", display_text="打开 ↗", width="small",
                                      help="在新标签页打开任务详情(原文高亮)"),
    "任务号": st.column_config.TextColumn("任务号", width="small"),
    "任务内容": st.column_config.TextColumn("任务内容", width="large"),
}


def show_tasks(rows: Sequence[TaskRow], extra: dict[str, Sequence[Any]] | None = None,
               text: bool = False, key: str | None = None, height: int | str = "auto") -> None:
    """A task table with a link to each task's detail page; "(无)" when there are none."""
    if not rows:
        st.caption("(无)")
        return
    st.dataframe(task_table(rows, extra, text), hide_index=True, column_config=TASK_COLUMNS,
                 key=key, height=height)


def division_frame(rows: Sequence[Sequence[str]]):
    """Rows of the 任务分工表 (app.queries.division_rows) as a DataFrame with its header."""
    import pandas as pd
    from plangraph.graph.export import CSV_HEADER
    return pd.DataFrame(list(rows), columns=CSV_HEADER)
