"""What the extractor could not read (ingest/review.py), as the 待核查 Review page and the task
page show it: each finding's kind, document and task (linked to the task page) and the text
around it with the finding marked.

Every piece of document text goes through html.escape: it is data, never markup.
"""
from __future__ import annotations

import html
import urllib.parse
from collections.abc import Mapping, Sequence

from plangraph.graph.rows import FindingRow
from plangraph.ingest.model import FINDING_TABLE, FINDINGS

KIND_LABELS = {k.name: f"{k.zh} {k.en}" for k in FINDING_TABLE}  # 未读出的分工表述 statement not read
KIND_ZH = {k.name: k.zh for k in FINDING_TABLE}
KIND_HELP = {k.name: f"{k.en}: {k.description}" for k in FINDING_TABLE}
AROUND = 40  # characters of context on each side of a finding
LONG = 160  # a finding longer than this (a whole task) shows its start and end only

STYLE = """<style>
table.pg-review {border-collapse:collapse;width:100%;font-size:0.9rem}
table.pg-review th, table.pg-review td {border:1px solid #e3e3e3;padding:6px 8px;vertical-align:top;text-align:left}
table.pg-review th {background:#f6f6f6;white-space:nowrap}
.pg-review .kind {white-space:nowrap} .pg-review .kind small {color:#666}
.pg-review .doc, .pg-review .id {color:#666;font-size:0.8rem}
.pg-review .context {white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;line-height:1.8}
.pg-review mark.pg-finding {background:#ffd8a8;border-bottom:2px solid #e8590c;color:inherit;padding:0 1px}
.pg-review .gap {color:#999}
</style>"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def task_href(document_id: str, task_id: str) -> str:
    """The task page's relative URL (as app.tables.task_url makes it)."""
    return "task?" + urllib.parse.urlencode({"doc": document_id, "task": task_id})


def context_html(text: str, start: int, end: int, around: int = AROUND) -> str:
    """text[start:end] marked, with up to `around` characters on each side (from the same
    line); a long finding (a whole task) is cut in its middle. All of it escaped."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    left = max(line_start, start - around)
    right = min(line_end, end + around)
    found = text[start:end]
    if len(found) > LONG:
        marked = f"{esc(found[:LONG // 2])}<span class=\"gap\">…</span>{esc(found[-LONG // 4:])}"
    else:
        marked = esc(found)
    return ("…" if left > line_start else "") + esc(text[left:start]) + \
        f'<mark class="pg-finding">{marked}</mark>' + esc(text[end:right]) + ("…" if right < line_end else "")


def findings_table(rows: Sequence[FindingRow], texts: Mapping[str, str | None], titles: Mapping[str, str],
                   show_document: bool = True, show_task: bool = True) -> str:
    """An HTML table of findings: kind, document, task (a link to the task page), the text
    around each (texts: document id -> its text; a missing text shows the finding alone)."""
    head = "<tr><th>类型 Kind</th>" + ("<th>文件 Document</th>" if show_document else "") + \
        ("<th>任务 Task</th>" if show_task else "") + "<th>原文 Source text</th></tr>"
    body = []
    for f in rows:
        kind = FINDINGS.get(f.kind)
        kind_cell = (f'<span class="kind" title="{esc(kind.description)}">{esc(kind.zh)}<br><small>{esc(kind.en)}'
                     f'</small></span>') if kind else esc(f.kind)
        if not show_task:
            task_cell = ""
        elif f.task_id:
            task_cell = (f'<td><a href="{esc(task_href(f.document_id, f.task_id))}">{esc(f.task_heading or f.task_id)}'
                         f'</a><div class="id">{esc(f.task_id)}</div></td>')
        else:
            task_cell = '<td><span class="gap">(任务之外 outside every task)</span></td>'
        text = texts.get(f.document_id)
        context = context_html(text, f.start, f.end) if text else f'<mark class="pg-finding">{esc(f.text)}</mark>'
        doc_cell = (f'<td>{esc(titles.get(f.document_id, f.document_id))}<div class="doc">{esc(f.document_id)}</div>'
                    "</td>") if show_document else ""
        body.append(f'<tr data-kind="{esc(f.kind)}"><td>{kind_cell}</td>{doc_cell}{task_cell}'
                    f'<td class="context">{context}<div class="id">原文位置 {f.start}–{f.end}</div></td></tr>')
    return f'{STYLE}<table class="pg-review"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


__all__ = ["KIND_LABELS", "KIND_ZH", "KIND_HELP", "context_html", "findings_table", "task_href"]
