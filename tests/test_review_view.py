"""The findings' HTML (app/review_view.py): the finding marked in its line, the text escaped."""
from __future__ import annotations

from plangraph.app.review_view import AROUND, LONG, context_html, findings_table
from plangraph.graph.rows import FindingRow


def test_the_finding_is_marked_with_the_rest_of_its_line_around_it():
    text = "上一行\n1.推进<b>甲</b>。（某局主抓）其后\n下一行"
    s = text.index("（")
    e = text.index("）") + 1
    html = context_html(text, s, e)
    assert html == "1.推进&lt;b&gt;甲&lt;/b&gt;。<mark class=\"pg-finding\">（某局主抓）</mark>其后"


def test_a_long_line_is_cut_and_a_long_finding_shows_its_ends():
    line = "甲" * 100 + "（某局主抓）" + "乙" * 100
    s = line.index("（")
    html = context_html(line, s, s + 6)
    assert html.startswith("…" + "甲" * AROUND + "<mark") and html.endswith("乙" * AROUND + "…")
    task = "任" * (LONG + 50)
    html = context_html(task, 0, len(task))
    assert '<span class="gap">…</span>' in html and len(html) < len(task)


def test_the_table_escapes_every_piece_of_document_text():
    evil = '"><script>alert(1)</script>'
    text = f"1.任务{evil}。（某局主抓）\n"
    row = FindingRow(document_id=f"doc{evil}", position=0, kind="unread_statement", text="（某局主抓）",
                     start=text.index("（"), end=text.index("）") + 1, task_id=f"1{evil}", task_heading=f"任务{evil}")
    html = findings_table([row], {row.document_id: text}, {row.document_id: f"标题{evil}"})
    assert evil not in html and "<script>" not in html
    assert html.count("&lt;script&gt;") == 5  # title, document id, task heading, task id, source text
    assert 'href="task?doc=doc%22%3E%3Cscript%3E' in html  # the link's parameters are URL-encoded
    outside = FindingRow("d", 1, "unlabelled_number", "5.1亿元", 0, 5, None)
    assert "任务之外" in findings_table([outside], {"d": "5.1亿元用于"}, {}, show_document=False)
