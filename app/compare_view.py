"""The Compare page's side-by-side table: each matched pair of tasks in one row, what changed
marked (units no longer named struck through on A's side, units added on B's side, the time
limit and citations when they differ), the key terms both share marked in the full texts.

Every piece of document text goes through html.escape: it is data, never markup.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable

from graph.compare import Comparison, PlanTask, TaskPair
from graph.compare_sheet import describe

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


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def highlight_terms(text: str, terms: Iterable[str]) -> str:
    """`text` escaped, with every occurrence of the terms marked (longest first, case-blind)."""
    words = sorted({t for t in terms if t}, key=lambda t: (-len(t), t))
    if not words:
        return esc(text)
    pattern = re.compile("|".join(map(re.escape, words)), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(esc(text[pos:m.start()]))
        out.append(f"<mark>{esc(m.group(0))}</mark>")
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def _units_html(task: PlanTask, marked: set[str], tag: str) -> str:
    """The task's units, lead first; those in `marked` wrapped in <del> or <ins>."""
    parts = []
    for u in task.units:
        label = esc(u) + ("(牵头)" if u in task.lead else "")
        parts.append(f"<{tag}>{label}</{tag}>" if u in marked else label)
    return "、".join(parts) or "(未列单位)"


def _task_cell(task: PlanTask, marked: set[str], tag: str, terms: list[str]) -> str:
    limits = "、".join(esc(d.text) for d in task.deadlines)
    return (f'<span class="id">{esc(task.task_id)}</span> <b>{esc(task.heading)}</b>'
            f'<div class="units">{_units_html(task, marked, tag)}</div>'
            + (f'<div class="units">时限:{limits}</div>' if limits else "")
            + f"<details><summary>原文</summary>{highlight_terms(task.text.strip(), terms)}</details>")


def _pair_row(p: TaskPair) -> str:
    diff = p.differences
    removed = set(diff["units"]["removed"]) | set(diff["lead"]["removed"])
    added = set(diff["units"]["added"]) | set(diff["lead"]["added"])
    terms = [k["term"] for k in p.evidence["key_terms"]]
    words = describe(diff)
    changes = "".join(f'<span class="diff {k}">{DIFF_LABELS[k]}:{esc(v)}</span>' for k, v in words.items() if v)
    shared_units = "、".join(esc(u["function"]) for u in p.evidence["shared_units"])
    shared_cites = "、".join(f"《{esc(c['b'])}》" for c in p.evidence["shared_citations"])
    why = (f"关键词:{esc('、'.join(terms)) or '—'}"
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
