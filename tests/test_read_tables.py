"""Task-division tables as text lines (shared by the .docx, .html and .pdf readers)."""
from __future__ import annotations

from plangraph.ingest.formats.tables import header_roles, table_lines
from plangraph.ingest.numbering import starts_numbered


def test_header_roles():
    assert header_roles(["序号", "工作任务", "牵头单位", "配合单位", "责任单位", "完成时限", "备注"]) == [
        "seq", "content", "lead", "participant", "responsible", "deadline", "other"]
    assert header_roles(["序 号", "重点工作", "责任单位（牵头）", "协办单位", "时间节点"]) == [
        "seq", "content", "lead", "participant", "deadline"]
    assert header_roles(["具体措施", "牵头单位及配合单位"]) == ["content", "mixed"]
    assert header_roles(["工作任务", "市级牵头领导", "责任单位"]) == ["content", "other", "responsible"]
    assert header_roles(["指标", "2020年", "2025年"]) is None  # no unit column: a data table
    assert header_roles(["1", "推进某项工作", "市司法局牵头"]) is None  # a data row, not a header


def test_rows_become_numbered_task_lines():
    rows = [["某市任务分工表", "某市任务分工表", "某市任务分工表", "某市任务分工表"],
            ["序号", "工作任务", "牵头单位", "责任单位"],
            ["（一）制度建设", "", "", ""],
            ["", "完善执法制度\n健全程序", "市司法局", "市财政局\n市人社局、"],
            ["", "2.已编号的任务", "", "各区县(市)政府"],
            ["序号", "工作任务", "牵头单位", "责任单位"],  # header repeated after a page break
            ["7", "按序号编号的任务", "市委编办", ""]]
    lines, roles = table_lines(rows)
    assert roles == ["seq", "content", "lead", "responsible"]
    assert lines == ["某市任务分工表", "（一）制度建设",
                     "1．完善执法制度健全程序（牵头单位：市司法局；责任单位：市财政局、市人社局）",
                     "2.已编号的任务（责任单位：各区县(市)政府）",
                     "7．按序号编号的任务（牵头单位：市委编办）"]


def test_category_column_and_extra_columns():
    rows = [["领域", "重点任务", "牵头单位", "备注"],
            ["数字政府", "建设一体化平台", "省大数据局", "2022年启动"],
            ["数字政府", "推进一网通办", "省政府办公厅", ""],
            ["数字经济", "培育数据要素市场", "省发展改革委", ""]]
    lines, _ = table_lines(rows)
    assert lines == ["数字政府", "1．建设一体化平台；备注：2022年启动（牵头单位：省大数据局）",
                     "2．推进一网通办（牵头单位：省政府办公厅）", "数字经济",
                     "3．培育数据要素市场（牵头单位：省发展改革委）"]


def test_mixed_unit_column_passes_through():
    lines, _ = table_lines([["工作任务", "牵头单位/配合单位"], ["加强培训", "市委组织部牵头，市人社局配合"]])
    assert lines == ["1．加强培训（市委组织部牵头，市人社局配合）"]


def test_plain_table_rows_tab_separated():
    lines, roles = table_lines([["指标", "2020年", "2025年"], ["覆盖率", "60%", ""]])
    assert roles is None and lines == ["指标\t2020年\t2025年", "覆盖率\t60%"]


def test_numbering_labels():
    for label in ("一、", "（一）", "(二)", "1.", "1．", "2、", "（3）", "①", "第一条", "1.2.3．"):
        assert starts_numbered(label + "任务"), label
    for text in ("2022年底前", "1.5亿元", "市司法局", "一是"):
        assert not starts_numbered(text), text
