"""The 任务分工表 exports keep document text inert: no spreadsheet formula ever runs."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from plangraph.graph.export import CSV_HEADER, export
from plangraph.ingest.pipeline import extract_text

PLAN = ("某市工作方案\n一、任务\n1.=HYPERLINK(\"example.invalid\",\"点击\")。内容。（牵头单位：市司法局）\n"
        "2.@SUM(A1)推进工作。（牵头单位：市财政局；参加单位：市审计局）\n")


def test_csv_and_xlsx_keep_formula_like_text_as_text(store):
    store.ingest(extract_text(PLAN, "formula_plan.txt"))
    rows = list(csv.reader(io.StringIO(export(store, "csv").decode("utf-8-sig"))))
    assert rows[0] == CSV_HEADER
    headings = [r[CSV_HEADER.index("任务")] for r in rows[1:]]
    assert headings == ["'=HYPERLINK(\"example.invalid\",\"点击\")", "'@SUM(A1)推进工作"]

    ws = load_workbook(io.BytesIO(export(store, "xlsx"))).active
    assert [c.value for c in ws[1]] == CSV_HEADER
    cell = ws.cell(row=2, column=CSV_HEADER.index("任务") + 1)
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"example.invalid\",\"点击\")"
    leads = ws.cell(row=3, column=CSV_HEADER.index("牵头单位") + 1).value
    assert "市财政局" in leads and ws.max_row == 3


def test_graphml_reads_the_same_in_igraph_and_networkx(store, tmp_path):
    """Gephi and igraph read GraphML too: `label` is what a person calls a node, its kind is
    `node_type`, and no attribute is named `id` (igraph puts it over the node ids)."""
    import igraph
    import networkx as nx

    from conftest import make_tiny_extraction
    store.ingest(make_tiny_extraction())
    data = export(store, "graphml")
    assert b'attr.name="id"' not in data
    g = nx.read_graphml(io.BytesIO(data))
    (tmp_path / "g.graphml").write_bytes(data)  # igraph reads files
    ig = igraph.Graph.Read_GraphML(str(tmp_path / "g.graphml"))
    assert (ig.vcount(), ig.ecount()) == (g.number_of_nodes(), g.number_of_edges()) == (19, 23)
    assert sorted(ig.vs["id"]) == sorted(g.nodes) and len(set(ig.vs["id"])) == ig.vcount()
    labels = dict(zip(ig.vs["id"], ig.vs["label"]))
    assert labels["Unit:市司法局"] == "市司法局"
    assert labels["Task:tiny_plan::2.1.1"] == "完善执法制度"
    assert labels["Document:tiny_plan"] == "某市示范工作方案"
    assert labels["Regulation:行政处罚法"] == "中华人民共和国行政处罚法"
    kinds = dict(zip(ig.vs["id"], ig.vs["node_type"]))
    assert {kinds[n] for n in kinds} == {"Document", "Section", "Task", "Unit", "Regulation"}
    assert g.nodes["Task:tiny_plan::2.1.1"]["task_id"] == "2.1.1"
    assert g.nodes["Document:tiny_plan"]["document_id"] == "tiny_plan"
    assert {labels[ig.vs[e.source]["id"]] for e in ig.es if e["type"] == "LEADS"} >= {"市司法局", "市发展改革委"}
