"""`plangraph compare A B` end to end on both stores: table, JSON, the 对标对表 CSV, modes,
bad input, and no extraction stack imported."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from conftest import STORE_PARAMS, connect_neo4j_store
from conftest import run_cli as run
from plangraph.graph.compare import compare_plans
from plangraph.graph.compare_input import plan_from_extraction
from plangraph.graph.compare_sheet import SHEET_HEADER, STATUS
from plangraph.cli import main
from shared_corpus import require_corpus

A_ID, B_ID = "09_shandong_digital_action_plan_2021", "10_jinan_digital_pioneer_city_2021"


@pytest.fixture(params=STORE_PARAMS)
def kind(request, home, corpus_extractions) -> str:
    """A store of this kind holding the Shandong and Jinan plans."""
    require_corpus()
    if request.param == "embedded":
        from plangraph.graph.store import open_store
        store = open_store("embedded", home)
    else:
        store = connect_neo4j_store()
        store.clear_all_for_tests()
    with store:
        for doc in (A_ID, B_ID):
            store.ingest(corpus_extractions[doc])
    return request.param


def test_json_is_the_comparison_of_the_two_plans(kind, corpus_extractions, capsys):
    rc, out, err = run(capsys, "compare", A_ID, B_ID, "--format", "json", "--store", kind)
    assert rc == 0 and err == ""
    data = json.loads(out)
    expected = compare_plans(plan_from_extraction(corpus_extractions[A_ID]),
                             plan_from_extraction(corpus_extractions[B_ID]))
    assert data == json.loads(json.dumps(expected.to_json()))
    assert list(data) == ["a", "b", "pairs", "a_only", "b_only"] and data["a"] == A_ID and data["b"] == B_ID
    pairs = {(p["a"]["heading"], p["b"]["heading"]) for p in data["pairs"]}
    assert ("实施智能制造提升行动", "深化企业数字化转型") in pairs
    assert "全面做好疫情精准防控" in [t["heading"] for t in data["a_only"]]  # no city task on the epidemic
    rc, out, _ = run(capsys, "compare", A_ID, B_ID, "--format", "json", "--store", kind, "--mode", "one-to-many")
    many = json.loads(out)["pairs"]
    assert rc == 0 and len(many) > len(data["pairs"])
    uppers = [p["a"]["task_id"] for p in many]
    assert max(uppers.count(x) for x in uppers) > 1


def test_table_lists_pairs_and_both_remainders(kind, capsys):
    rc, out, _ = run(capsys, "compare", A_ID, B_ID, "--store", kind)
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"A {A_ID}: 数字山东2021行动方案 (21 tasks)")
    assert lines[2].startswith("one-to-one: ") and "tasks of A not taken up" in lines[2]
    assert "A task" in lines[4] and "shared units" in lines[4]
    assert any(line.startswith("not taken up (A only): ") for line in lines)
    assert any(line.startswith("added (B only): ") for line in lines)
    assert "智能制造" in out and "不再牵头:山东省农业农村厅" in out


def test_csv_is_the_sheet(kind, capsysbinary):
    rc = main(["compare", A_ID, B_ID, "--format", "csv", "--store", kind])
    out, err = capsysbinary.readouterr()
    assert rc == 0 and err == b""
    assert out.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"))))
    assert rows[0] == SHEET_HEADER
    statuses = [r[0] for r in rows[1:]]
    assert statuses.count(STATUS["pair"]) >= 10 and statuses.count(STATUS["a_only"]) >= 1
    assert statuses == sorted(statuses, key=[STATUS["pair"], STATUS["a_only"], STATUS["b_only"]].index)
    pair = next(r for r in rows[1:] if r[SHEET_HEADER.index("上级任务")] == "加快发展特色数字农业")
    assert pair[SHEET_HEADER.index("下级任务")] == "推动数字赋能现代农业"
    assert "农业农村局" in pair[SHEET_HEADER.index("共同单位")]
    assert pair[SHEET_HEADER.index("牵头单位变化")] == "不再牵头:山东省农业农村厅"


def test_bad_input_is_one_line_and_exit_2(home, capsys, corpus_extractions):
    require_corpus()
    from plangraph.graph.store import open_store
    with open_store("embedded", home) as store:
        store.ingest(corpus_extractions[A_ID])
    rc, out, err = run(capsys, "compare", A_ID, "no_such_plan")
    assert rc == 2 and out == "" and err.count("\n") == 1 and "no document 'no_such_plan'" in err
    rc, out, err = run(capsys, "compare", A_ID, A_ID)
    assert rc == 2 and out == "" and err.count("\n") == 1 and "two different documents" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", A_ID, "x", "--min-score", "high"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        main(["compare", A_ID, "x", "--mode", "many-to-many"])


def test_min_score_drops_weaker_pairs(home, capsys, corpus_extractions):
    require_corpus()
    from plangraph.graph.store import open_store
    with open_store("embedded", home) as store:
        for doc in (A_ID, B_ID):
            store.ingest(corpus_extractions[doc])
    rc, out, _ = run(capsys, "compare", A_ID, B_ID, "--format", "json", "--min-score", "0.3")
    pairs = json.loads(out)["pairs"]
    assert rc == 0 and pairs and all(p["score"] >= 0.3 for p in pairs)
    rc, out, _ = run(capsys, "compare", A_ID, B_ID, "--format", "json")
    assert len(json.loads(out)["pairs"]) > len(pairs)


def test_compare_imports_no_extraction_stack(home, corpus_extractions):
    """A query command: spaCy stays out (jieba tokenises, on first use)."""
    require_corpus()
    from plangraph.graph.store import open_store
    with open_store("embedded", home) as store:
        for doc in (A_ID, B_ID):
            store.ingest(corpus_extractions[doc])
    code = ("import sys; from plangraph.cli import main; rc = main(['compare', %r, %r, '--format', 'json']);"
            "print('spacy' in sys.modules, 'plangraph.ingest.segment' in sys.modules, rc, file=sys.stderr)") % (A_ID, B_ID)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PLANGRAPH_HOME": str(home)})
    assert proc.stderr.strip().splitlines()[-1] == "False False 0"
    assert json.loads(proc.stdout)["a"] == A_ID
