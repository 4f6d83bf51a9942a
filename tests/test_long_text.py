"""Texts up to the documented limit (ingest.read.MAX_TEXT_BYTES, 20 MB) extract: spaCy's own
guard of 1,000,000 characters (error E088, meant for its parser and NER, which this
pipeline does not run) stopped a 3 MB plan with a traceback."""
from __future__ import annotations

import json

from conftest import run_cli

PLAN = "某市工作方案\n一、重点任务\n1.推进依法行政。2024年底前完成。(牵头单位:市司法局;参加单位:市财政局)\n"


def test_a_text_of_over_a_million_characters_extracts(tmp_path, capsys):
    path = tmp_path / "long_plan.txt"
    path.write_text(PLAN + ("附表说明:本表数据仅供参考。" * 6 + "\n") * 12000, encoding="utf-8")
    assert len(path.read_text(encoding="utf-8")) > 1_000_000
    code, out, err = run_cli(capsys, "extract", str(path), "--format", "json")
    assert code == 0, err[-2000:]
    [task] = json.loads(out)["tasks"]
    assert [(a["unit"], a["role"]) for a in task["assignments"]] == [("市司法局", "lead"), ("市财政局", "participant")]
