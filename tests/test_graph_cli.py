"""The graph commands end to end: ingest, queries (table and JSON), export, errors."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from conftest import connect_neo4j_store, make_tiny_extraction
from conftest import run_cli as run
from shared_corpus import CHANGDE
from plangraph.ingest import batch
from plangraph.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fake_extract(monkeypatch):
    """Files whose name starts with `tiny` give the tiny plan (id = stem); others go to the
    real pipeline. The fake is in this process: commands that use it run with --jobs 1."""
    real = batch.extract

    def extract(raw):
        p = Path(raw.path)
        if p.name.startswith("tiny"):
            return make_tiny_extraction(p.stem)
        return real(raw)

    monkeypatch.setattr(batch, "extract", extract)


def snapshot_of(home: Path) -> tuple:
    """What the embedded store in `home` holds, through the query API."""
    from plangraph.graph.store import open_store
    with open_store("embedded", home) as store:
        return store.documents(), store.tasks(), store.workload(), store.regulations()


def tiny_files(folder: Path, *names: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in names:
        p = folder / f"{n}.txt"
        p.write_text(f"{n}: a placeholder, the fake extractor gives the tiny plan\n", encoding="utf-8")
        paths.append(str(p))
    return paths


def test_ingest_lines_skip_and_force(tmp_path, home, fake_extract, capsys):
    [a] = tiny_files(tmp_path / "one", "tiny_a")
    tiny_files(tmp_path / "plans", "tiny_b", "tiny_c")
    (tmp_path / "plans" / "notes.source").write_text("x")
    rc, out, _err = run(capsys, "ingest", "--jobs", "1", a, str(tmp_path / "plans"))
    assert rc == 0
    lines = out.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("ok ") for line in lines)
    assert "tiny_b (new): 6 tasks, 7 units, 3 regulations" in out
    rc, out, _err = run(capsys, "ingest", "--jobs", "1", a)
    assert rc == 0 and out.startswith("skipped ") and "unchanged" in out
    rc, out, _err = run(capsys, "ingest", "--jobs", "1", "--force", a)
    assert rc == 0 and "tiny_a (replaced)" in out
    rc, out, _err = run(capsys, "ingest", str(tmp_path / "plans" / "notes.source"))
    assert rc == 0 and "skipped" in out and "not a plan file" in out


def test_bad_input_fails_cleanly_and_leaves_store(tmp_path, home, fake_extract, capsys):
    [good] = tiny_files(tmp_path, "tiny_good")
    assert run(capsys, "ingest", good)[0] == 0
    stored = snapshot_of(home)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02PK\x00" * 200)
    rc, out, err = run(capsys, "ingest", "--jobs", "1", str(empty), str(binary), str(tmp_path / "missing.txt"))
    assert rc == 1 and out == ""
    failed = err.strip().splitlines()
    assert len(failed) == 3 and all(line.startswith("failed ") for line in failed)
    assert snapshot_of(home) == stored
    rc, out, err = run(capsys, "ingest", "--jobs", "1", str(empty), good, "--force")
    assert rc == 1 and "ok " in out and "failed " in err


def test_query_commands(tmp_path, home, fake_extract, capsys):
    run(capsys, "ingest", "--jobs", "1", *tiny_files(tmp_path, "tiny_a", "tiny_b"))

    rc, out, _ = run(capsys, "documents")
    assert rc == 0 and "tiny_a" in out and "某市示范工作方案" in out
    rc, out, _ = run(capsys, "documents", "--format", "json")
    assert [d["document_id"] for d in json.loads(out)] == ["tiny_a", "tiny_b"]

    rc, out, _ = run(capsys, "units", "--format", "json", "--doc", "tiny_a")
    units = json.loads(out)
    assert units[0] == {"unit": "市司法局", "collective": False, "lead": 2, "participant": 1, "responsible": 0,
                        "guide": 0, "total": 3, "documents": 1,
                        "kind": "government_department", "kind_label": "政府部门", "level": "市"}
    rc, out, _ = run(capsys, "units", "--top", "2")
    assert rc == 0 and len(out.strip().splitlines()) == 4  # header, rule, two rows
    assert out.split()[:3] == ["unit", "kind", "level"] and "政府部门" in out

    rc, out, _ = run(capsys, "regulations", "--title", "处罚", "--format", "json")
    [reg] = json.loads(out)
    assert (reg["key"], reg["basis_count"], reg["documents"]) == ("行政处罚法", 4, 2)
    assert (reg["level"], reg["status"], reg["form_label"], reg["issuer_level"]) == ("法律", "resolved", "法律", "国家")
    rc, out, _ = run(capsys, "regulations")
    assert rc == 0 and "政府督查工作条例" in out
    assert out.split()[:5] == ["regulation", "level", "status", "form", "issuer"] and "行政法规" in out

    rc, out, _ = run(capsys, "deliverables", "--format", "json", "--doc", "tiny_a")
    [d] = json.loads(out)
    assert (d["task"]["task_id"], d["title"], d["units"], [x["text"] for x in d["deadlines"]]) == \
        ("2.1.1", "某市行政执法办法", ["市司法局"], ["2022年底前"])
    rc, out, _ = run(capsys, "deliverables")
    assert rc == 0 and "《某市行政执法办法》" in out and "规章制度" in out
    rc, out, _ = run(capsys, "deliverables", "--no-deadline", "--format", "json")
    assert json.loads(out) == []

    rc, out, _ = run(capsys, "tasks", "--unit", "市司法局", "--role", "lead", "--format", "json")
    assert [(t["document_id"], t["task_id"]) for t in json.loads(out)] == \
        [("tiny_a", "2.1.1"), ("tiny_a", "2.2.5"), ("tiny_b", "2.1.1"), ("tiny_b", "2.2.5")]
    rc, out, _ = run(capsys, "tasks", "--unit", "市司法局", "--doc", "tiny_b")
    assert rc == 0 and "2.2.4" in out and "tiny_a" not in out
    rc, out, _ = run(capsys, "tasks", "--regulation", "《中华人民共和国行政处罚法》", "--format", "json")
    assert [c["task"]["task_id"] for c in json.loads(out)] == ["2.1.1", "2.1.1"]
    rc, out, err = run(capsys, "tasks", "--unit", "司法")
    assert rc == 1 and "市司法局" in err and len(err.strip().splitlines()) == 1
    rc, out, err = run(capsys, "tasks", "--unit", "市发改委", "--format", "json")  # as written → canonical
    assert rc == 0 and [t["task_id"] for t in json.loads(out)] == ["2.2.4", "2.2.4"] and "市发展改革委" in err

    rc, out, _ = run(capsys, "gaps", "--kind", "no_lead", "--kind", "deadline_passed", "--as-of", "2024-01-01",
                     "--format", "json", "--doc", "tiny_a")
    gaps = json.loads(out)
    assert list(gaps) == ["no_lead", "deadline_passed"]
    assert [t["task_id"] for t in gaps["no_lead"]] == ["2.1.2", "2.2.3"]
    assert [t["task_id"] for t in gaps["deadline_passed"]] == ["2.1.1"]
    rc, out, _ = run(capsys, "gaps", "--as-of", "2024-01-01")
    assert rc == 0 and "collective_only: 2 tasks" in out and "unassigned: 2 tasks" in out
    assert "deliverable_no_deadline: 0 tasks" in out and "unresolved_citation: 0 tasks" in out
    rc, out, _ = run(capsys, "gaps", "--kind", "unresolved_citation", "--kind", "deliverable_no_deadline",
                     "--format", "json")
    assert rc == 0 and json.loads(out) == {"deliverable_no_deadline": [], "unresolved_citation": []}

    rc, out, _ = run(capsys, "network", "--skip-collective", "--format", "json")
    assert {"a": "市发展改革委", "b": "市司法局", "weight": 2} in json.loads(out)


def test_exports(tmp_path, home, fake_extract, capsys):
    run(capsys, "ingest", "--jobs", "1", *tiny_files(tmp_path, "tiny_a"))
    out_csv = tmp_path / "table.csv"
    assert run(capsys, "export", "--format", "csv", "-o", str(out_csv))[0] == 0
    rows = list(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8-sig"))))
    assert rows[0][:11] == ["文件", "任务编号", "序号", "任务", "牵头单位", "参加单位", "责任单位", "指导单位", "完成时限",
                            "法律依据", "制定文件"]
    assert len(rows) == 7
    r = rows[2]
    assert r[1:10] == ["2.1.1", "1", "完善执法制度", "市司法局", "市政府各部门", "", "", "2022年底前", "《行政处罚法》"]

    out_xml = tmp_path / "g.graphml"
    assert run(capsys, "export", "--format", "graphml", "-o", str(out_xml))[0] == 0
    g = nx.read_graphml(out_xml)
    assert (g.nodes["Unit:市司法局"]["label"], g.nodes["Unit:市司法局"]["node_type"]) == ("市司法局", "Unit")
    assert (g.nodes["Unit:市司法局"]["kind"], g.nodes["Unit:市司法局"]["level"]) == ("government_department", "市")
    reg = g.nodes["Regulation:行政处罚法"]
    assert (reg["level"], reg["status"], reg["form_label"]) == ("法律", "resolved", "法律")
    assert g.number_of_nodes() == 1 + 2 + 6 + 7 + 3

    rc, out, _ = run(capsys, "export", "--format", "json")
    data = json.loads(out)
    nodes = {n["id"]: n["properties"] for n in data["nodes"]}
    assert nodes["Unit:各区县政府"]["kind_label"] == "人民政府" and nodes["Unit:各区县政府"]["levels"] == ["区县"]
    assert (nodes["Regulation:某市行政执法办法"]["status"], nodes["Regulation:某市行政执法办法"]["form_class"]) == \
        ("form", "rules")
    assert len(data["nodes"]) == 19 and {e["type"] for e in data["edges"]} == \
        {"CONTAINS", "LEADS", "PARTICIPATES_IN", "RESPONSIBLE_FOR", "CITES"}


def test_errors_are_one_line(tmp_path, home, capsys, monkeypatch):
    rc, _out, err = run(capsys, "gaps", "--as-of", "31/12/2022")
    assert rc == 2 and err.count("\n") == 1
    rc, _out, err = run(capsys, "tasks", "--role", "lead")
    assert rc == 2 and "--unit" in err
    home.mkdir(parents=True, exist_ok=True)
    (home / "plangraph.sqlite").write_bytes(b"garbage" * 100)
    rc, _out, err = run(capsys, "documents")
    assert rc == 2 and err.count("\n") == 1 and "store file" in err
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    rc, _out, err = run(capsys, "documents", "--store", "neo4j")
    assert rc == 2 and err.count("\n") == 1 and "Neo4j" in err
    rc, out, err = run(capsys, "ingest", "--store", "neo4j", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))
    assert rc == 2 and out == "" and err.count("\n") == 1 and "Neo4j" in err


@pytest.mark.neo4j
def test_neo4j_store_from_the_cli(tmp_path, home, fake_extract, capsys):
    connect_neo4j_store().clear_all_for_tests()
    rc, out, _ = run(capsys, "ingest", "--store", "neo4j", "--jobs", "1", *tiny_files(tmp_path, "tiny_a"))
    assert rc == 0 and "ok " in out
    rc, out, _ = run(capsys, "gaps", "--store", "neo4j", "--kind", "collective_only", "--format", "json")
    assert [t["task_id"] for t in json.loads(out)["collective_only"]] == ["2.2.3"]
    assert not (home / "plangraph.sqlite").exists()


def test_changde_gaps_from_the_cli(home, corpus_extractions, monkeypatch, capsys):
    """`plangraph ingest` on the project's copy of the Changde plan, then `plangraph gaps`."""
    copy = Path(__file__).resolve().parent.parent / "data" / f"{CHANGDE}.txt"
    if not copy.exists():
        pytest.skip("no project copy of the Changde plan")
    monkeypatch.setattr(batch, "extract", lambda raw: corpus_extractions[Path(raw.path).stem])
    rc, out, _ = run(capsys, "ingest", str(copy))
    assert rc == 0 and f"{CHANGDE} (new): " in out
    rc, out, _ = run(capsys, "gaps", "--kind", "no_lead", "--format", "json")
    assert sorted(int(t["task_id"].rsplit(".", 1)[1]) for t in json.loads(out)["no_lead"]) == \
        [19, 20, 24, 25, 26, 29, 30, 47, 64, 66, 67, 68, 69, 70]


def test_changde_units_regulations_deliverables_from_the_cli(home, corpus_extractions, monkeypatch, capsys):
    """The Changde plan: kind/level of units, level/status/form of regulations, deliverables."""
    monkeypatch.setattr(batch, "extract", lambda raw: corpus_extractions[Path(raw.path).stem])
    assert run(capsys, "ingest", str(Path(__file__).resolve().parent.parent / "data" / f"{CHANGDE}.txt"))[0] == 0

    rc, out, _ = run(capsys, "units")
    lines = out.splitlines()
    assert rc == 0 and lines[0].split()[:4] == ["unit", "kind", "level", "collective"]
    row = next(line.split() for line in lines if line.startswith("常德市司法局 "))
    assert row[1:3] == ["政府部门", "市"]
    rc, out, _ = run(capsys, "units", "--format", "json")
    coll = [u for u in json.loads(out) if u["unit"] == "各区县(市)政府"]
    assert coll and coll[0]["collective"] is True and coll[0]["level"] == "区县"

    rc, out, _ = run(capsys, "regulations")
    lines = out.splitlines()
    assert rc == 0 and lines[0].split()[:4] == ["regulation", "level", "status", "form"]
    row = next(line.split() for line in lines if line.startswith("重大行政决策程序暂行条例 "))
    assert row[1:3] == ["行政法规", "resolved"]

    rc, out, _ = run(capsys, "deliverables", "--format", "json")
    got = {d["title"]: d for d in json.loads(out)}
    assert "常德市公共数据管理办法" in got and got["常德市公共数据管理办法"]["units"]
    rc, out, _ = run(capsys, "deliverables")
    assert rc == 0 and "《常德市公共数据管理办法》" in out
    def made(*page: str) -> list[tuple[str, str]]:
        rc, out, _ = run(capsys, "deliverables", *page, "--format", "json")
        return [(d["task"]["task_id"], d["regulation"]) for d in json.loads(out)] if rc == 0 else []
    whole = made()
    assert len(whole) > 3 and made("--limit", "2", "--offset", "1") == whole[1:3]
    rc, out, _ = run(capsys, "deliverables", "--no-deadline", "--limit", "1", "--format", "json")
    assert rc == 0 and [d["deadlines"] for d in json.loads(out)] == [[]]
    rc, out, _ = run(capsys, "tasks", "--regulation", "宪法", "--format", "json")
    cites = [(c["task"]["task_id"], c["start"]) for c in json.loads(out)]
    rc, out, _ = run(capsys, "tasks", "--regulation", "宪法", "--offset", "1", "--limit", "1", "--format", "json")
    assert len(cites) > 1 and [(c["task"]["task_id"], c["start"]) for c in json.loads(out)] == cites[1:2]

    rc, out, err = run(capsys, "tasks", "--unit", "市司法局", "--role", "lead", "--format", "json")
    assert rc == 0 and "常德市司法局" in err
    assert json.loads(out) and all("常德市司法局" in t["lead"] for t in json.loads(out))


def test_reingesting_unchanged_files_skips_extraction(tmp_path, home, capsys, monkeypatch):
    """A folder ingested again: files whose text (and the extractor) did not change are skipped
    before extraction; a changed file is extracted and replaces its document."""
    folder = tmp_path / "plans"
    folder.mkdir()
    plan = "某市工作方案\n一、任务\n1.推进某项工作。（牵头单位：市司法局）\n2.推进另一项。（牵头单位：市财政局）\n"
    for name in ("a", "b", "c"):
        (folder / f"{name}.txt").write_text(plan.replace("某项", f"{name}项"), encoding="utf-8")
    rc, out, _ = run(capsys, "ingest", str(folder), "--jobs", "2")  # two extraction processes
    assert rc == 0 and out.count("ok ") == 3

    (folder / "b.txt").write_text(plan.replace("某项", "改过的项"), encoding="utf-8")
    extracted = []
    real = batch.extract
    monkeypatch.setattr(batch, "extract", lambda raw: extracted.append(Path(raw.path).name) or real(raw))
    rc, out, _ = run(capsys, "ingest", str(folder), "--jobs", "1")
    assert rc == 0 and extracted == ["b.txt"]
    assert out.count(": unchanged (") == 2 and "b (replaced)" in out
    rc, out, _ = run(capsys, "tasks", "--doc", "b", "--format", "json")
    assert "改过的项" in out


def test_tasks_and_gaps_page_through_a_big_store(home, corpus_extractions, monkeypatch, capsys):
    """--limit/--offset: what a user types to read 50k tasks a screen at a time; the gap
    header keeps the total."""
    copy = Path(__file__).resolve().parent.parent / "data" / f"{CHANGDE}.txt"
    if not copy.exists():
        pytest.skip("no project copy of the Changde plan")
    monkeypatch.setattr(batch, "extract", lambda raw: corpus_extractions[Path(raw.path).stem])
    assert run(capsys, "ingest", str(copy))[0] == 0
    rc, out, _ = run(capsys, "tasks", "--format", "json")
    every = [t["task_id"] for t in json.loads(out)]
    rc, out, _ = run(capsys, "tasks", "--limit", "10", "--offset", "5", "--format", "json")
    assert rc == 0 and [t["task_id"] for t in json.loads(out)] == every[5:15]
    rc, out, _ = run(capsys, "gaps", "--kind", "no_lead", "--limit", "4", "--offset", "2")
    assert rc == 0 and out.startswith("no_lead: 14 tasks (showing 3–6)")
    assert len([line for line in out.splitlines() if line.startswith(CHANGDE)]) == 4
    rc, out, _ = run(capsys, "gaps", "--kind", "no_lead", "--limit", "4", "--offset", "2", "--format", "json")
    assert [int(t["task_id"].rsplit(".", 1)[1]) for t in json.loads(out)["no_lead"]] == [24, 25, 26, 29]
    with pytest.raises(SystemExit) as bad:  # argparse: usage line, exit 2
        main(["tasks", "--limit", "-3"])
    err = capsys.readouterr().err
    assert bad.value.code == 2 and "whole number" in err and "Traceback" not in err


# ---------------------------------------------------------------- document identity, remove

PLAN_TEXT = "某市{year}年工作方案\n一、重点任务\n1.推进{year}年的工作。2023年底前完成。(牵头单位:市司法局;参加单位:市财政局)\n"


def write_plan(path: Path, year: int) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PLAN_TEXT.format(year=year), encoding="utf-8")
    return str(path)


def test_the_same_file_name_in_two_folders_or_formats_keeps_both(tmp_path, home, capsys):
    a = write_plan(tmp_path / "2021" / "方案.txt", 2021)
    b = write_plan(tmp_path / "2022" / "方案.txt", 2022)
    c = str(tmp_path / "2022" / "方案.html")
    Path(c).write_text(f"<html><body><p>{PLAN_TEXT.format(year=2023)}</p></body></html>".replace("\n", "<br>"),
                       encoding="utf-8")
    rc, out, err = run(capsys, "ingest", "--jobs", "1", a, b, c)
    assert rc == 0 and out.count("ok ") == 3, (out, err)
    assert "方案~2 (new)" in out and "方案~3 (new)" in out
    warnings = [line for line in err.splitlines() if line.startswith("warning ")]
    assert len(warnings) == 2 and all("another file already has the id 方案" in w for w in warnings)
    rc, out, _ = run(capsys, "documents", "--format", "json")
    docs = {d["document_id"]: d["source"] for d in json.loads(out)}
    assert docs == {"方案": str(Path(a).resolve()), "方案~2": str(Path(b).resolve()), "方案~3": str(Path(c).resolve())}
    rc, out, _ = run(capsys, "documents")
    assert str(Path(b).resolve()) in out  # the table shows where each document came from
    # each file again: the same document, not a new one
    write_plan(Path(b), 2024)
    rc, out, _ = run(capsys, "ingest", "--jobs", "1", a, b)
    assert "skipped " in out and "方案~2 (replaced)" in out and len(json.loads(
        run(capsys, "documents", "--format", "json")[1])) == 3


def test_the_same_text_under_another_name_is_not_stored_twice(tmp_path, home, capsys):
    a = write_plan(tmp_path / "方案.txt", 2021)
    renamed = tmp_path / "elsewhere" / "改名的方案.txt"
    renamed.parent.mkdir()
    renamed.write_bytes(Path(a).read_bytes())
    copy = tmp_path / "copy.txt"
    copy.write_bytes(Path(a).read_bytes())
    assert run(capsys, "ingest", "--jobs", "1", a)[0] == 0
    rc, out, _ = run(capsys, "ingest", "--jobs", "1", str(renamed))
    assert rc == 0 and out.startswith("skipped ") and "same as 方案" in out and "--force" in out
    rc, out, _ = run(capsys, "ingest", "--jobs", "1", "--force", str(renamed))
    assert rc == 0 and "方案 (replaced)" in out  # extracted again, as the document it is
    rc, out, _ = run(capsys, "documents", "--format", "json")
    assert [d["document_id"] for d in json.loads(out)] == ["方案"]
    # two files with the same text in one run: the second is the first
    other = tmp_path / "new"
    write_plan(other / "x.txt", 2030)
    (other / "y.txt").write_bytes((other / "x.txt").read_bytes())
    rc, out, _ = run(capsys, "ingest", "--jobs", "1", str(other))
    assert "x (new)" in out and "same as x" in out
    assert len(json.loads(run(capsys, "documents", "--format", "json")[1])) == 2


def test_remove_takes_a_document_out_with_what_only_it_used(tmp_path, home, fake_extract, capsys):
    a, b = tiny_files(tmp_path, "tiny_a", "tiny_b")
    assert run(capsys, "ingest", "--jobs", "1", a, b)[0] == 0
    rc, out, err = run(capsys, "remove", "tiny_a", "nothing_like_it")
    assert rc == 2 and "nothing_like_it" in err and "nothing removed" in err and err.count("\n") == 1
    assert len(json.loads(run(capsys, "documents", "--format", "json")[1])) == 2
    rc, out, _ = run(capsys, "remove", "tiny_a")
    assert rc == 0 and out.startswith("removed  tiny_a: 6 tasks")
    rc, out, _ = run(capsys, "documents", "--format", "json")
    assert [d["document_id"] for d in json.loads(out)] == ["tiny_b"]
    rc, out, _ = run(capsys, "remove", b)  # by its file
    assert rc == 0 and "tiny_b" in out
    assert json.loads(run(capsys, "units", "--format", "json")[1]) == []
    assert json.loads(run(capsys, "regulations", "--format", "json")[1]) == []


@pytest.mark.neo4j
def test_remove_from_neo4j(tmp_path, home, fake_extract, capsys):
    connect_neo4j_store().clear_all_for_tests()
    a, b = tiny_files(tmp_path, "tiny_a", "tiny_b")
    assert run(capsys, "ingest", "--store", "neo4j", "--jobs", "1", a, b)[0] == 0
    rc, out, _ = run(capsys, "remove", "--store", "neo4j", "tiny_a", "tiny_b")
    assert rc == 0 and out.count("removed  ") == 2
    store = connect_neo4j_store()
    assert store.documents() == [] and store.unit_names() == [] and store.workload() == []


# ---------------------------------------------------------------- bad input, one line each

def as_plain_user(cmd: list[str]) -> list[str]:
    """The command without root's power to ignore file permissions (when run as root)."""
    if os.geteuid() != 0:
        return cmd
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot make a folder unreadable")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]


def plangraph_process(*args: str, home: Path, plain: bool = False) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "plangraph", *args]
    env = {**os.environ, "PLANGRAPH_HOME": str(home)}
    env.pop("PLANGRAPH_STORE", None)
    return subprocess.run(as_plain_user(cmd) if plain else cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_usage_errors_for_empty_paths_and_negative_numbers(home, capsys):
    rc, out, err = run(capsys, "ingest", "")
    assert rc == 2 and out == "" and "empty path" in err and err.count("\n") == 1
    for argv in (["units", "--top", "-5"], ["network", "--min-weight", "-3"], ["ingest", "--jobs", "0", "x"]):
        with pytest.raises(SystemExit) as bad:
            main(argv)
        err = capsys.readouterr().err
        assert bad.value.code == 2 and "whole number" in err and "Traceback" not in err, argv


def test_a_home_that_is_a_file_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("PLANGRAPH_STORE", raising=False)
    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("x")
    plan = write_plan(tmp_path / "plan.txt", 2021)
    for argv in (["documents"], ["ingest", plan]):
        rc, out, err = run(capsys, *argv, "--home", str(not_a_folder))
        assert rc == 2 and out == "" and err.count("\n") == 1 and "not a folder" in err, argv


def test_an_unwritable_home_fails_before_anything_is_reported(tmp_path, capsys):
    plan = write_plan(tmp_path / "plan.txt", 2021)
    home = tmp_path / "home"
    assert run(capsys, "ingest", "--jobs", "1", plan, "--home", str(home))[0] == 0
    os.chmod(home / "plangraph.sqlite", 0o444)
    os.chmod(home, 0o555)
    try:
        write_plan(tmp_path / "plan.txt", 2022)  # changed: it would be written
        done = plangraph_process("ingest", "--jobs", "1", plan, home=home, plain=True)
    finally:
        os.chmod(home, 0o755)
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and str(home) in done.stderr, done.stderr
    unmakeable = Path("/proc/plangraph-home") if os.geteuid() == 0 else tmp_path / "ro" / "home"
    if os.geteuid() != 0:
        (tmp_path / "ro").mkdir(mode=0o555)
    done = plangraph_process("ingest", plan, home=unmakeable)
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1, done.stderr


def test_an_unreadable_folder_gets_its_own_line(tmp_path):
    folder = tmp_path / "plans"
    write_plan(folder / "a.txt", 2021)
    write_plan(folder / "locked" / "b.txt", 2022)
    os.chmod(folder / "locked", 0)
    try:
        done = plangraph_process("ingest", "--jobs", "1", str(folder), home=tmp_path / "home", plain=True)
    finally:
        os.chmod(folder / "locked", 0o755)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("ok ") and lines[1] == f"skipped  {folder / 'locked'}: permission denied"


# ---------------------------------------------------------------- plangraph findings

def test_findings_lists_what_could_not_be_read_per_stored_document(tmp_path, home, capsys):
    from browser_harness import REVIEW_NUMBER_LINE, REVIEW_PLAN_TEXT, REVIEW_UNREAD
    plan = tmp_path / "river.txt"
    plan.write_text(REVIEW_PLAN_TEXT, encoding="utf-8")
    assert run(capsys, "ingest", "--jobs", "1", str(plan))[0] == 0
    rc, out, err = run(capsys, "findings")
    assert rc == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "2 finding(s) in 1 document(s)"
    assert lines[1].split() == ["document", "task", "kind", "类型", "start", "end", "text"]
    assert lines[3].split()[:4] == ["river", "1.1.2", "unread_statement", "未读出的分工表述"]
    assert lines[3].endswith(REVIEW_UNREAD) and lines[4].endswith(REVIEW_NUMBER_LINE)
    rc, out, _err = run(capsys, "findings", "--document", "river", "--kind", "unlabelled_number", "--format", "json")
    assert rc == 0
    assert json.loads(out) == [{"document_id": "river", "position": 1, "kind": "unlabelled_number",
                                "text": REVIEW_NUMBER_LINE, "start": REVIEW_PLAN_TEXT.index(REVIEW_NUMBER_LINE),
                                "end": REVIEW_PLAN_TEXT.index(REVIEW_NUMBER_LINE) + len(REVIEW_NUMBER_LINE),
                                "task_id": "1.1.3", "task_heading": "建设污水管网"}]
    rc, out, _err = run(capsys, "findings", "--limit", "1", "--offset", "1")
    assert out.splitlines()[0] == "2 finding(s) in 1 document(s) (showing 2–2)" and len(out.splitlines()) == 4
    rc, out, err = run(capsys, "findings", "--doc", "nothing")
    assert (rc, out) == (2, "") and err == "plangraph findings: not in the store: 'nothing' (see plangraph documents)\n"
    with pytest.raises(SystemExit) as stop:  # argparse: usage and the choices, exit 2
        main(["findings", "--kind", "gap"])
    assert stop.value.code == 2 and "invalid choice: 'gap'" in capsys.readouterr().err


def test_findings_names_documents_stored_before_findings_were_kept(tmp_path, home, fake_extract, capsys):
    import sqlite3
    [a] = tiny_files(tmp_path, "tiny_a")
    assert run(capsys, "ingest", "--jobs", "1", a)[0] == 0
    with sqlite3.connect(home / "plangraph.sqlite") as con:  # as an older PlanGraph left it
        con.execute("DROP TABLE findings")
        con.execute("UPDATE documents SET extra = json_remove(extra, '$.n_findings')")
    rc, out, err = run(capsys, "findings")
    assert rc == 0 and out == "0 finding(s) in 0 document(s)\n"
    assert "1 document(s) stored before findings were kept" in err and err.rstrip().endswith(": tiny_a")


QUERIES = [["--help"], ["documents"], ["units"], ["tasks", "--limit", "3"], ["regulations"], ["deliverables"],
           ["gaps"], ["network"], ["export", "--format", "json"], ["remove", "nothing"], ["findings"]]


@pytest.mark.parametrize("argv", QUERIES, ids=lambda a: a[0])
def test_query_commands_import_no_extraction_stack_nor_driver(argv, tmp_path):
    """A CLI that answers at once: spaCy, jieba (extraction), numpy (comparison) and the Neo4j
    driver are not imported by commands that do not need them."""
    script = ("import sys\nfrom plangraph.cli import main\n"
              "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              "heavy = sorted(m for m in ('spacy', 'jieba', 'neo4j', 'pandas', 'networkx', 'numpy')"
              " if m in sys.modules)\n"
              "print('HEAVY', heavy, file=sys.stderr)\n")
    env = {**os.environ, "PLANGRAPH_HOME": str(tmp_path / "home")}
    env.pop("PLANGRAPH_STORE", None)
    done = subprocess.run([sys.executable, "-c", script, *argv], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    heavy = done.stderr.strip().splitlines()[-1]
    allowed = ["networkx"] if argv[0] == "export" else []
    assert heavy == f"HEAVY {allowed}", done.stderr[-1500:]
