"""The app's view helpers (the two escapings, highlighting, task links) and the `plangraph app` command."""
from __future__ import annotations

import sys

import pytest

from plangraph.app.escaping import html_text, markdown_literal
from plangraph.app.highlight import highlight_spans, highlighted_task_html
from plangraph.app.tables import task_label, task_numbers, task_url
from plangraph.graph.rows import DeadlineInfo, TaskCitation, TaskRow, UnitRole
from plangraph import cli, cli_app

TEXT = "1.完善制度<b>x</b>。依据《行政处罚法》,2023年底前完成。(牵头单位:市司法局)"


def make_row(offset: int = 100) -> TaskRow:
    s = TEXT.index("2023年底前")
    return TaskRow(document_id="d", task_id="2.1.1", ordinal=0, heading="完善制度", text=TEXT, section="2.1",
                   section_title="制度", labels=[], start=offset, end=offset + len(TEXT),
                   deadlines=[DeadlineInfo("2023年底前", "2023-12-31", None, offset + s, offset + s + 7)],
                   lead=["常德市司法局"], participants=[], responsible=[], basis=["行政处罚法"], produces=[])


def test_markdown_literal_shows_markup_and_markdown_literally():
    out = markdown_literal("<script>alert(1)</script> **bold** [x](http://e) $x$ # h")
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "\\*\\*bold\\*\\*" in out and "\\[x\\]\\(http\\:" in out and "\\$x\\$" in out
    assert markdown_literal("一行\n二行") == "一行  \n二行"  # a Markdown line break


def test_html_text_is_safe_in_text_and_attributes():
    out = html_text('<img src=x onerror="alert(1)"> & \'q\'')
    assert out == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#x27;q&#x27;"
    assert "**" in html_text("**bold**")  # Markdown means nothing in HTML: left as it is


def test_highlighted_task_html_marks_spans_and_escapes_text():
    row = make_row()
    unit_start = 100 + TEXT.index("市司法局")
    cite_start = 100 + TEXT.index("《行政处罚法》")
    units = [UnitRole("常德市司法局", "lead", False, "市司法局", "市司法局", "d", "2.1.1", unit_start, unit_start + 4)]
    cites = [TaskCitation(row, "行政处罚法", "basis", "行政处罚法", "《行政处罚法》", cite_start, cite_start + 7)]
    html = highlighted_task_html(row, units, cites)
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert 'title="牵头:常德市司法局">市司法局</mark>' in html
    assert 'title="依据:行政处罚法">《行政处罚法》</mark>' in html
    assert 'title="时限:2023-12-31">2023年底前</mark>' in html
    # overlapping or out-of-range spans are dropped, never garble the text
    bad = units + [UnitRole("x", "lead", False, "x", "x", "d", "2.1.1", unit_start + 1, unit_start + 3),
                   UnitRole("y", "lead", False, "y", "y", "d", "2.1.1", 10_000, 10_004)]
    spans = highlight_spans(row, bad, cites)
    assert len(spans) == 3 and all(s < e for s, e, _, _ in spans)


def test_task_url_and_numbers():
    row = make_row()
    assert task_url(row) == "task?doc=d&task=2.1.1"
    assert task_numbers([row, row]) == "1、1"
    assert task_label(row) == "1. 完善制度"


def test_plangraph_app_command(monkeypatch, tmp_path, capsys):
    """The command line the server runs with (the real start is in tests/test_app_serving.py)."""
    calls = []
    monkeypatch.setattr(cli_app.os, "execve", lambda exe, cmd, env: calls.append((cmd, env)))
    monkeypatch.delenv("PLANGRAPH_APP_PASSWORD", raising=False)
    assert cli.main(["app", "--home", str(tmp_path), "--port", "8765", "--store", "neo4j", "--headless"]) == 0
    cmd, env = calls[0]
    assert cmd[:4] == [sys.executable, "-m", "plangraph.app_server", "run"] and cmd[4].endswith("app/Home.py")
    assert cmd[cmd.index("--server.port") + 1] == "8765" and "--server.headless" in cmd
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"  # this machine only, unless asked
    assert env["PLANGRAPH_HOME"] == str(tmp_path.resolve()) and env["PLANGRAPH_STORE"] == "neo4j"
    assert "warning" not in capsys.readouterr().err
    for argv in (["app", "--address", "0.0.0.0"], ["app", "--", "--server.address", "0.0.0.0"]):
        calls.clear()
        assert cli.main(argv) == 0
        cmd = calls[0][0]
        assert cmd.count("--server.address") == 1 and cmd[cmd.index("--server.address") + 1] == "0.0.0.0"
        err = capsys.readouterr().err
        assert "warning: serving beyond this machine on 0.0.0.0" in err and "PLANGRAPH_APP_PASSWORD" in err


def test_plangraph_app_rejects_bad_store():
    with pytest.raises(SystemExit):
        cli.main(["app", "--store", "sqlite"])
