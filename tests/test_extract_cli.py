"""`plangraph extract` as a user runs it: JSON per SCHEMA.md, and bad input handled."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "data" / "changde_fazhi_2021-2025.txt"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plangraph", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


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


def test_text_format_is_readable():
    proc = run("extract", str(PLAN))
    assert proc.returncode == 0
    assert "2.1.1" in proc.stdout and "lead:市委编办" in proc.stdout


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.txt", "no such file"),
    (lambda d: (d / "empty.txt").write_text("") and d / "empty.txt" or d / "empty.txt", "empty"),
    (lambda d: (d / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8) and d / "bin.txt", ""),
    (lambda d: d, "folder"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, make, message):
    path = make(tmp_path)
    proc = run("extract", str(path), "--format", "json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("plangraph extract:")
    assert message in lines[0]
    assert "Traceback" not in proc.stderr
