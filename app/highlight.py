"""A task's source text as HTML with its units, citations and deadlines marked (the Task page).

Every piece of document text goes through `app.escaping.html_text`: it is data, never markup.
"""
from __future__ import annotations

from collections.abc import Sequence

from plangraph.app.escaping import html_text
from plangraph.app.labels import RELATION_LABELS, ROLE_LABELS
from plangraph.graph.rows import TaskCitation, TaskRow, UnitRole

HIGHLIGHT_STYLES = {
    "lead": "background:#ffd9d9;border-bottom:2px solid #d62728",
    "participant": "background:#dce9ff;border-bottom:2px solid #1f77b4",
    "responsible": "background:#ffe6cc;border-bottom:2px solid #ff7f0e",
    "guide": "background:#eee6f5;border-bottom:2px dashed #9467bd",
    "basis": "background:#e0f3da;border-bottom:2px solid #2ca02c",
    "produces": "background:#efe1ff;border-bottom:2px solid #9467bd",
    "deadline": "background:#fff3a3;border-bottom:2px solid #bcbd22",
}
HIGHLIGHT_LABELS = {"lead": "牵头单位", "participant": "参加单位", "responsible": "责任单位", "guide": "指导单位",
                    "basis": "依据的法规", "produces": "要制定的文件", "deadline": "完成时限"}


def highlight_spans(row: TaskRow, units: Sequence[UnitRole], cites: Sequence[TaskCitation]) -> list[tuple[int, int, str, str]]:
    """(start, end, style key, tooltip) relative to row.text, sorted, without overlaps
    (the earlier, then longer span wins)."""
    raw: list[tuple[int, int, str, str]] = []
    for u in units:
        raw.append((u.start, u.end, u.role, f"{ROLE_LABELS.get(u.role, u.role)}:{u.unit}"))
    for c in cites:
        raw.append((c.start, c.end, c.relation, f"{RELATION_LABELS.get(c.relation, c.relation)}:{c.title}"))
    for d in row.deadlines:
        raw.append((d.start, d.end, "deadline", f"时限:{d.date or d.recurring or d.text}"))
    n = len(row.text)
    spans, last_end = [], 0
    for s, e, style, tip in sorted(((s - row.start, e - row.start, style, t) for s, e, style, t in raw),
                                   key=lambda x: (x[0], -(x[1] - x[0]))):
        if s < last_end or s < 0 or e > n or e <= s:
            continue
        spans.append((s, e, style, tip))
        last_end = e
    return spans


def highlighted_task_html(row: TaskRow, units: Sequence[UnitRole], cites: Sequence[TaskCitation]) -> str:
    """The task's source text as HTML with its units, citations and deadlines marked, under
    a legend of the marks."""
    text = row.text
    out, pos = [], 0
    for s, e, style, tip in highlight_spans(row, units, cites):
        out.append(html_text(text[pos:s]))
        out.append(f'<mark style="{HIGHLIGHT_STYLES.get(style, "")};padding:0 1px;color:inherit" '
                   f'title="{html_text(tip)}">{html_text(text[s:e])}</mark>')
        pos = e
    out.append(html_text(text[pos:]))
    legend = " ".join(f'<mark style="{HIGHLIGHT_STYLES[k]};padding:0 3px;color:inherit">{v}</mark>'
                      for k, v in HIGHLIGHT_LABELS.items())
    return (f'<div style="font-size:0.85rem;margin-bottom:0.4rem">{legend}</div>'
            f'<div class="pg-source" style="white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;'
            f'line-height:1.9;font-size:1.05rem;'
            f'padding:0.8rem 1rem;border:1px solid #e6e6e6;border-radius:0.5rem;background:#fcfcfc">'
            f'{"".join(out)}</div>')
