"""Each kind of rule has one home (README "How it works"): adding one is one row there.

- a role word: one row of data/role_words.tsv (here in a copy named by PLANGRAPH_DATA);
- a numbering style: one row of ingest/numbering.py STYLES.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from plangraph.ingest import numbering
from plangraph.ingest.pipeline import extract_text

ROOT = Path(__file__).resolve().parent.parent


def test_a_role_word_is_one_row_of_role_words_tsv(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text("某县方案\n一、任务\n1.推进甲工作。（统筹单位：某县农业局；协理单位：某县水务局）\n", encoding="utf-8")

    def extract(data_dir: Path) -> list:
        """`plangraph extract` in a process that reads its rules from `data_dir`."""
        env = {**os.environ, "PLANGRAPH_DATA": str(data_dir)}
        proc = subprocess.run([sys.executable, "-m", "plangraph", "extract", str(plan), "--format", "json"],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return [(a["unit"], a["role"]) for t in json.loads(proc.stdout)["tasks"] for a in t["assignments"]]

    shipped = extract_text(plan.read_text(encoding="utf-8"))
    assert [a for t in shipped.tasks for a in t.assignments] == []  # words the shipped rules do not know
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    with (data / "role_words.tsv").open("a", encoding="utf-8") as fh:
        fh.write("统筹单位\tlabel\tlead\n协理单位\tlabel\tparticipant\n")
    assert extract(data) == [("某县农业局", "lead"), ("某县水务局", "participant")]


def test_a_numbering_style_is_one_row_of_styles(monkeypatch):
    text = "某县方案\n一、任务\n［1］推进甲工作。（牵头单位：某县农业局）\n［2］推进乙工作。\n二、保障\n［1］加强领导。\n"
    assert [t.id for t in extract_text(text).tasks] == ["1", "2"]  # ［1］ is no style yet
    square = numbering.Style("arabic_square", re.compile(r"[［\[](\d{1,3})[］\]]"), "arabic", rank=4)
    monkeypatch.setattr(numbering, "STYLES", (*numbering.STYLES, square))
    tasks = extract_text(text).tasks
    assert [(t.id, t.heading) for t in tasks] == [("1.1", "推进甲工作"), ("1.2", "推进乙工作"), ("2.1", "加强领导")]
    assert [(a.unit, a.role) for a in tasks[0].assignments] == [("某县农业局", "lead")]
    assert numbering.starts_numbered("［3］推进丙工作")
