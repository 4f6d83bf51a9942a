"""graph/gaps.py GAP_TABLE is the one place a gap kind is defined: one row added there, and
nothing else, is a choice and a line of `plangraph gaps`, a label, count and list in the app,
and an answer of both stores, also of a store written before the row existed."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import make_tiny_extraction, run_cli
from plangraph.graph import gaps
from plangraph.graph.gaps import GapKind

APP = str(Path(__file__).resolve().parents[1] / "app" / "Home.py")

# The row a developer would add: tasks whose every named unit leads them (in the tiny plan: 2.2.5).
LEAD_ONLY = GapKind("lead_only", "只有牵头单位", "every unit named leads it",
                    lambda f: bool(f.units) and all(role == "lead" for role, _ in f.units))


@pytest.fixture
def add_gap_kind(monkeypatch):
    """Call it to give GAP_TABLE the LEAD_ONLY row, as if it were written there: the table and
    every list graph.gaps derives from it (the stores, the CLI and the app read them at run time)."""
    def add() -> GapKind:
        table = (*gaps.GAP_TABLE, LEAD_ONLY)
        monkeypatch.setattr(gaps, "GAP_TABLE", table)
        for name, value in gaps.derived(table).items():
            monkeypatch.setattr(gaps, name, value)
        return LEAD_ONLY
    return add


def test_both_stores_answer_it_also_when_written_before_it(store, add_gap_kind):
    """A store written before the kind existed rewrites its flags when opened again, instead of
    answering 0; documents written after get the flag with the rest."""
    store.ingest(make_tiny_extraction())
    add_gap_kind()
    if store.kind == "embedded":
        from plangraph.graph.embedded import EmbeddedStore
        again = EmbeddedStore(store.home)
    else:
        from conftest import connect_neo4j_store
        again = connect_neo4j_store()
    try:
        assert [t.task_id for t in again.orphans("lead_only")] == ["2.2.5"]
        assert again.gap_counts()["lead_only"] == 1
        assert again.gap_counts()["no_lead"] == 2  # the other kinds as before
        again.ingest(make_tiny_extraction("plan_b"))
        assert again.gap_counts()["lead_only"] == 2
    finally:
        again.close()


def test_the_cli_offers_and_answers_it(home, capsys, add_gap_kind):
    from plangraph.graph.embedded import EmbeddedStore
    with EmbeddedStore(home) as s:
        s.ingest(make_tiny_extraction())
    with pytest.raises(SystemExit):  # not a kind before its row exists
        run_cli(capsys, "gaps", "--kind", "lead_only")
    assert "invalid choice: 'lead_only'" in capsys.readouterr().err
    add_gap_kind()
    with pytest.raises(SystemExit):
        run_cli(capsys, "gaps", "--help")
    assert "lead_only" in capsys.readouterr().out
    rc, out, _ = run_cli(capsys, "gaps", "--kind", "lead_only")
    assert rc == 0 and out.splitlines()[0] == "lead_only: 1 tasks — every unit named leads it"
    assert "2.2.5" in out
    rc, out, _ = run_cli(capsys, "gaps")  # every kind, the new one last, as in the table
    assert rc == 0 and [line.split(":")[0] for line in out.splitlines() if " tasks" in line] == list(gaps.GAP_KINDS)


def test_the_app_labels_counts_and_lists_it(monkeypatch, tmp_path, add_gap_kind):
    from plangraph.graph.embedded import EmbeddedStore
    add_gap_kind()
    home = tmp_path / "home"
    with EmbeddedStore(home) as s:
        s.ingest(make_tiny_extraction())
    monkeypatch.setenv("PLANGRAPH_HOME", str(home))
    monkeypatch.setenv("PLANGRAPH_STORE", "embedded")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    metric = next(m for m in at.metric if m.label == "只有牵头单位")
    assert metric.value == "1" and metric.proto.help == "every unit named leads it"
    at.switch_page("pages/gaps.py").run()
    assert not at.exception, at.exception
    kinds = at.multiselect(key="gaps_kinds")
    assert kinds.options[-1] == "只有牵头单位" and kinds.value[-1] == "lead_only"  # offered and chosen
    heads = [h.value for h in at.subheader]
    assert heads[-1] == "只有牵头单位 (1)"
    assert at.dataframe[-1].value["任务号"].tolist() == [5]  # task 2.2.5
