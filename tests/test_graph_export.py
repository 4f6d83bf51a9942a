"""The 任务分工表 exports keep document text inert: no spreadsheet formula ever runs."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from graph.export import CSV_HEADER, export
from ingest.pipeline import extract_text

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
