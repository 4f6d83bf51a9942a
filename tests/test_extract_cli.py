"""`plangraph extract` as a user runs it: JSON per SCHEMA.md, and bad input handled."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "data" / "changde_fazhi_2021-2025.txt"


def run(*args: str, capsys=None) -> subprocess.CompletedProcess:
    """`plangraph ARGS`: in this process through conftest.run_cli when given `capsys` (the
    extraction stack is loaded once for the file), else as its own `python -m plangraph`
    process, where the test is about what a user's shell sees."""
    if capsys is None:
        return subprocess.run([sys.executable, "-m", "plangraph", *args], capture_output=True, text=True,
                              cwd=ROOT, timeout=120)
    code, out, err = run_cli(capsys, *args)
    return subprocess.CompletedProcess(args, code, out, err)


def test_json_follows_the_schema():
    proc = run("extract", str(PLAN), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["schema"] == "plangraph.extract/1"
    assert out["document"]["title"] == "常德市法治政府建设工作方案(2021-2025年)"
    assert out["document"]["issuer"] == "中共常德市委全面依法治市委员会"
    assert out["document"]["date"] == "2022-06-20"
    first = next(t for t in out["tasks"] if t["id"] == "2.1.1")
    assert first["labels"] == ["二、", "(一)", "1."] and first["heading"] == "优化政府机构设置"
    assert set(first["assignments"][0]) >= {"unit", "mention", "role", "collective", "start", "end", "canonical"}
    text = PLAN.read_text(encoding="utf-8")
    for task in out["tasks"]:
        assert text[task["start"]:task["end"]] == task["text"]
        for a in task["assignments"]:
            assert text[a["start"]:a["end"]] == a["mention"]


def test_text_format_is_readable(capsys):
    proc = run("extract", str(PLAN), capsys=capsys)
    assert proc.returncode == 0
    assert "2.1.1" in proc.stdout and "lead:市委编办" in proc.stdout


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.txt", "no such file"),
    (lambda d: (d / "empty.txt").write_text("") and d / "empty.txt" or d / "empty.txt", "empty"),
    (lambda d: (d / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8) and d / "bin.txt", ""),
    (lambda d: d, "folder"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, make, message, capsys):
    path = make(tmp_path)
    proc = run("extract", str(path), "--format", "json", capsys=None if message == "no such file" else capsys)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("plangraph extract:")
    assert message in lines[0]
    assert "Traceback" not in proc.stderr


def test_several_files_are_written_to_a_folder_by_one_process(tmp_path, capsys):
    second = tmp_path / "另一方案.txt"
    second.write_text("某县工作方案\n一、重点任务\n1.推进甲工作。（牵头单位：某县农业局）\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run("extract", str(PLAN), str(second), "--out", str(out), capsys=capsys)
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.name for p in out.glob("*.json"))
    assert written == sorted([PLAN.stem + ".json", "另一方案.json"])
    single = json.loads(run("extract", str(second), "--format", "json", capsys=capsys).stdout)
    assert json.loads((out / "另一方案.json").read_text(encoding="utf-8")) == single


def test_several_files_without_a_folder_or_with_clashing_names_are_refused(tmp_path, capsys):
    proc = run("extract", str(PLAN), str(PLAN), "--format", "json", capsys=capsys)
    assert proc.returncode == 2 and "--out" in proc.stderr
    copy = tmp_path / "sub" / PLAN.name
    copy.parent.mkdir()
    copy.write_bytes(PLAN.read_bytes())
    proc = run("extract", str(PLAN), str(copy), "--out", str(tmp_path / "out"), capsys=capsys)
    assert proc.returncode == 2 and PLAN.stem in proc.stderr and "Traceback" not in proc.stderr


UNREAD_PLAN = ("某县工作方案\n一、重点任务\n1.推进甲工作。（牵头单位：某县农业局）\n"
               "2.推进乙工作。（某县水务局、某县环保局主抓）\n3.推进丙工作。（牵头单位：某县教育局）\n")


def test_check_names_a_statement_that_gave_no_unit(tmp_path, capsys):
    plan = tmp_path / "plan.txt"
    plan.write_text(UNREAD_PLAN, encoding="utf-8")
    proc = run("check", str(plan), "--format", "json", capsys=capsys)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["document"]["title"] == "某县工作方案"
    statement = "（某县水务局、某县环保局主抓）"
    start = UNREAD_PLAN.index(statement)
    assert out["findings"] == [{"kind": "unread_statement", "text": statement, "start": start,
                                "end": start + len(statement), "task_id": "1.2"}]
    text = run("check", str(plan), capsys=capsys).stdout
    assert "1 finding(s)" in text and "unread_statement" in text and "task 1.2" in text


def test_check_of_a_missing_file_is_one_line_and_exit_2(tmp_path, capsys):
    proc = run("check", str(tmp_path / "missing.txt"), capsys=capsys)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
