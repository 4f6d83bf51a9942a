"""notebooks/explore_plan.ipynb runs top to bottom (nbclient), so it never rots."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explore_plan.ipynb"


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(v) for v in out.get("data", {}).values())
    return "\n".join(parts)


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_notebook_executes_on_a_fresh_store(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANGRAPH_HOME", str(tmp_path / "home"))  # empty: the bundled plan is ingested
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    text = outputs_text(nb)
    assert "常德市法治政府建设工作方案" in text
    assert "betweenness" in text and "communities, modularity" in text
    assert "无牵头单位 no lead unit: 19、20、24、25、26、29、30、47、64、66、67、68、69、70" in text
