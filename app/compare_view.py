"""The Compare page's side-by-side table: each matched pair of tasks in one row, what changed
marked (units no longer named struck through on A's side, units added on B's side, the time
limit and citations when they differ), the key terms both share marked in the full texts;
and its lists of tasks without a counterpart (`plan_task_table`).

Every piece of document text goes through `app.escaping.html_text`: it is data, never markup.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from plangraph.app.escaping import html_text
from plangraph.graph.compare import Comparison, PlanTask, TaskPair
from plangraph.graph.compare_sheet import describe

STYLE = """<style>
table.pg-compare {border-collapse:collapse;width:100%;font-size:0.9rem}
table.pg-compare th, table.pg-compare td {border:1px solid #e3e3e3;padding:6px 8px;vertical-align:top;text-align:left}
table.pg-compare th {background:#f6f6f6}
.pg-compare .id {color:#666;font-size:0.8rem}
.pg-compare .units {font-size:0.82rem;color:#444;margin-top:3px}
.pg-compare del {background:#ffe1e1;color:#9b1c1c}
.pg-compare ins {background:#dcf5dc;color:#1c6b1c;text-decoration:none}
.pg-compare mark {background:#fff3a3;color:inherit;padding:0}
.pg-compare .diff {display:block;margin:2px 0;padding:1px 4px;border-radius:3px;font-size:0.82rem}
.pg-compare .diff.lead {background:#ffe1e1} .pg-compare .diff.units {background:#dce9ff}
.pg-compare .diff.deadline {background:#fff3a3} .pg-compare .diff.citations {background:#efe1ff}
.pg-compare details {font-size:0.85rem;color:#333;margin-top:4px}
</style>"""
DIFF_LABELS = {"lead": "牵头", "units": "单位", "deadline": "时限", "citations": "引用"}


def highlight_terms(text: str, terms: Iterable[str]) -> str:
    """`text` escaped, with every occurrence of the terms marked (longest first, case-blind)."""
    words = sorted({t for t in terms if t}, key=lambda t: (-len(t), t))
    if not words:
        return html_text(text)
    pattern = re.compile("|".join(map(re.escape, words)), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(html_text(text[pos:m.start()]))
        out.append(f"<mark>{html_text(m.group(0))}</mark>")
        pos = m.end()
    out.append(html_text(text[pos:]))
    return "".join(out)


def _units_html(task: PlanTask, marked: set[str], tag: str) -> str:
    """The task's units, lead first; those in `marked` wrapped in <del> or <ins>."""
    parts = []
    for u in task.units:
        label = html_text(u) + ("(牵头)" if u in task.lead else "")
        parts.append(f"<{tag}>{label}</{tag}>" if u in marked else label)
    return "、".join(parts) or "(未列单位)"


def _task_cell(task: PlanTask, marked: set[str], tag: str, terms: list[str]) -> str:
    limits = "、".join(html_text(d.text) for d in task.deadlines)
    return (f'<span class="id">{html_text(task.task_id)}</span> <b>{html_text(task.heading)}</b>'
            f'<div class="units">{_units_html(task, marked, tag)}</div>'
            + (f'<div class="units">时限:{limits}</div>' if limits else "")
            + f"<details><summary>原文</summary>{highlight_terms(task.text.strip(), terms)}</details>")


def _pair_row(p: TaskPair) -> str:
    diff = p.differences
    removed = set(diff["units"]["removed"]) | set(diff["lead"]["removed"])
    added = set(diff["units"]["added"]) | set(diff["lead"]["added"])
    terms = [k["term"] for k in p.evidence["key_terms"]]
    words = describe(diff)
    changes = "".join(f'<span class="diff {k}">{DIFF_LABELS[k]}:{html_text(v)}</span>' for k, v in words.items() if v)
    shared_units = "、".join(html_text(u["function"]) for u in p.evidence["shared_units"])
    shared_cites = "、".join(f"《{html_text(c['b'])}》" for c in p.evidence["shared_citations"])
    why = (f"关键词:{html_text('、'.join(terms)) or '—'}"
           + (f"<br>共同单位:{shared_units}" if shared_units else "")
           + (f"<br>共同引用:{shared_cites}" if shared_cites else "")
           + f'<br><span class="id">文本 {p.evidence["text"]:.3f} · 单位 {p.evidence["units"]:.3f}'
             f' · 引用 {p.evidence["citations"]:.3f}</span>')
    return (f"<tr><td>{_task_cell(p.a, removed, 'del', terms)}</td><td>{_task_cell(p.b, added, 'ins', terms)}</td>"
            f"<td><b>{p.score:.3f}</b></td><td>{why}</td><td>{changes or '—'}</td></tr>")


def pairs_html(result: Comparison) -> str:
    """The matched pairs as one HTML table (A | B | score | evidence | differences)."""
    head = "".join(f"<th>{h}</th>" for h in ("上级/前一版任务 A", "下级/后一版任务 B", "匹配度", "依据 Evidence",
                                             "差异 Differences"))
    rows = "".join(_pair_row(p) for p in result.pairs)
    return f'{STYLE}<table class="pg-compare"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def plan_task_table(tasks: Sequence[PlanTask]):
    """Tasks of a comparison (the ones not taken up, the ones added) as a DataFrame for st.dataframe."""
    import pandas as pd
    return pd.DataFrame({
        "任务号": [t.task_id for t in tasks],
        "任务": [t.heading for t in tasks],
        "牵头单位": ["、".join(t.lead) for t in tasks],
        "其他单位": ["、".join(u for u in t.units if u not in t.lead) for t in tasks],
        "完成时限": ["、".join(d.text for d in t.deadlines) for t in tasks],
        "任务内容": [t.text.strip() for t in tasks],
    })
