"""PDF with a text layer: reading order, running heads/feet dropped, lines re-joined,
task tables, and PDFs that cannot be read."""
from __future__ import annotations

import pytest

from fixture_builders import build_pdf, cjk_font
from plangraph.ingest.formats.pdf import Line, _continues, _join
from plangraph.ingest.pipeline import extract_raw
from plangraph.ingest.read import InputError, read_document

pytestmark = pytest.mark.skipif(cjk_font() is None, reason="no CJK TrueType font: apt-get install fonts-wqy-microhei")

PARA = ("为贯彻落实《法治政府建设实施纲要(2021-2025年)》，在新发展阶段持续深入推进依法行政，全面推进法治政府建设，"
        "结合我市实际，制定本工作方案。")


def new_pdf(footer=None, header=None):
    from fpdf import FPDF

    class Doc(FPDF):
        def header(self):
            if header:
                self.set_font("cjk", size=9)
                self.set_xy(self.l_margin, 8)
                self.cell(0, 6, header(self.page_no()), align="C")
                self.set_xy(self.l_margin, self.t_margin)
            self.set_font("cjk", size=12)

        def footer(self):
            if footer:
                self.set_font("cjk", size=10)
                self.set_xy(self.l_margin, -14)
                self.cell(0, 6, footer(self.page_no()), align="C")
            self.set_font("cjk", size=12)

    pdf = Doc(format="A4")
    path, index = cjk_font()
    pdf.add_font("cjk", fname=path, collection_font_number=index)
    pdf.add_font("cjk", style="B", fname=path, collection_font_number=index)  # table headings
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_page()
    pdf.set_font("cjk", size=12)
    return pdf


def wrap(pdf, text: str, indent: float = 0.0):
    """Write `text` broken at the page width, character by character (like Word for CJK)."""
    width = pdf.w - pdf.l_margin - pdf.r_margin
    current, offset = "", indent
    for ch in text:
        if pdf.get_string_width(current + ch) > width - offset:
            pdf.set_x(pdf.l_margin + offset)
            pdf.cell(width - offset, 8, current, new_x="LMARGIN", new_y="NEXT")
            current, offset = "", 0.0
        current += ch
    pdf.set_x(pdf.l_margin + offset)
    pdf.cell(width - offset, 8, current, new_x="LMARGIN", new_y="NEXT")


def test_running_heads_and_page_numbers_dropped(tmp_path):
    pdf = new_pdf(footer=lambda n: f"第 {n} 页 共 3 页", header=lambda n: "常德市人民政府办公室")
    lines = [f"{i}.加强第{i}项工作。（牵头单位：市司法局）" for i in range(1, 90)]
    for line in lines:
        wrap(pdf, line)
    path = tmp_path / "p.pdf"
    pdf.output(str(path))
    raw = read_document(path)
    assert raw.format == "pdf"
    assert raw.text.split("\n") == lines


@pytest.mark.parametrize("footer", ["- {n} -", "—{n}—", "{n}", "{n}/9", "Page {n}"])
def test_page_number_styles(tmp_path, footer):
    pdf = new_pdf(footer=lambda n: footer.format(n=n))
    wrap(pdf, "一、总体要求")
    pdf.add_page()
    wrap(pdf, "二、重点任务")
    path = tmp_path / "p.pdf"
    pdf.output(str(path))
    assert read_document(path).text == "一、总体要求\n二、重点任务"


def test_lines_rejoined_without_indents(tmp_path):
    pdf = new_pdf()
    wrap(pdf, "某市法治政府建设工作方案")
    wrap(pdf, PARA * 2)  # several lines
    wrap(pdf, "一、总体要求")
    wrap(pdf, "1.优化政府机构设置。" + PARA + "（牵头单位：市委编办；参加单位：各区县(市)政府）")
    wrap(pdf, "2.推动政府事权规范化。")
    path = tmp_path / "p.pdf"
    pdf.output(str(path))
    assert read_document(path).text.split("\n") == [
        "某市法治政府建设工作方案", PARA * 2, "一、总体要求",
        "1.优化政府机构设置。" + PARA + "（牵头单位：市委编办；参加单位：各区县(市)政府）",
        "2.推动政府事权规范化。"]


def test_corpus_plan_with_indents(tmp_path):
    text = "常德市法治政府建设工作方案\n一、总体要求\n（一）指导思想。" + PARA * 3 + "\n1.优化政府机构设置。" + PARA
    path = build_pdf(text, tmp_path / "p.pdf", running_head="")  # one page: no running head to spot
    assert read_document(path).text == text


def line(text, x0, x1, top, page=0, size=12.0):
    return Line(text, x0, x1, top, top + size, size, page)


@pytest.mark.parametrize("prev,nxt,indents,joined", [
    # full line, no sentence end, next not a label: joined
    (line("坚持依法行政，全面推进", 70, 520, 100), line("法治政府建设。", 70, 200, 120), False, True),
    # the previous line is short: a paragraph end
    (line("坚持依法行政。", 70, 300, 100), line("法治政府建设。", 70, 200, 120), False, False),
    # a sentence end without indents to tell: a new paragraph (the rule of the issue)
    (line("坚持依法行政，全面推进。", 70, 520, 100), line("法治政府建设。", 70, 200, 120), False, False),
    # with first-line indents, an unindented next line continues even after 。
    (line("坚持依法行政，全面推进。", 70, 520, 100), line("法治政府建设。", 70, 200, 120), True, True),
    # the next line starts with a numbering label
    (line("坚持依法行政，全面推进", 70, 520, 100), line("2.法治政府建设。", 70, 200, 120), False, False),
    (line("坚持依法行政，全面推进", 70, 520, 100), line("（二）法治政府建设。", 70, 200, 120), False, False),
    # the next line is indented
    (line("坚持依法行政，全面推进", 70, 520, 100), line("法治政府建设。", 94, 200, 120), True, False),
    # across a page break
    (line("坚持依法行政，全面推进", 70, 520, 760, page=0), line("法治政府建设。", 70, 200, 70, page=1), True, True),
])
def test_join_rules(prev, nxt, indents, joined):
    assert _continues(prev, nxt, left=70, right=522, size=12.0, uses_indent=indents) is joined


def test_join_spacing():
    assert _join("法治", "政府") == "法治政府"
    assert _join("https://www.gov", "cn", gap=0.0, unit=12) == "https://www.govcn"
    assert _join("the State", "Council", gap=40.0, unit=12) == "the State Council"


def test_task_table(tmp_path):
    pdf = new_pdf()
    wrap(pdf, "一、重点任务")
    rows = [("序号", "工作任务", "牵头单位", "配合单位", "完成时限"),
            ("1", "完善执法制度", "市司法局", "市财政局", "2022年底前"),
            ("2", "加强执法培训", "市委编办", "", "长期坚持")]
    with pdf.table(col_widths=(12, 60, 30, 30, 28), text_align="LEFT") as table:
        for row in rows:
            r = table.row()
            for cell in row:
                r.cell(cell)
    wrap(pdf, "二、保障措施")
    path = tmp_path / "p.pdf"
    pdf.output(str(path))
    raw = read_document(path)
    assert raw.text.split("\n") == [
        "一、重点任务",
        "1．完善执法制度（牵头单位：市司法局；参加单位：市财政局；完成时限：2022年底前）",
        "2．加强执法培训（牵头单位：市委编办；完成时限：长期坚持）",
        "二、保障措施",
    ]
    got = {t.id: sorted((a.unit, a.role) for a in t.assignments) for t in extract_raw(raw).tasks}
    assert got["1.1"] == [("市司法局", "lead"), ("市财政局", "participant")]


def test_no_text_layer(tmp_path):
    pdf = new_pdf()
    pdf.rect(20, 20, 100, 100, style="F")  # a "scan": shapes only
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(InputError, match="no text layer"):
        read_document(path)


def test_damaged_and_truncated_pdf(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage\n")
    with pytest.raises(InputError, match="PDF"):
        read_document(bad)
    path = build_pdf("一、总体要求\n" + PARA * 20, tmp_path / "good.pdf")
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    try:
        raw = read_document(cut)
    except InputError as err:
        assert "\n" not in str(err)
    else:  # pdfminer may recover part of a cut file: then the text is what it recovered
        assert isinstance(raw.text, str)


def test_password_protected_pdf(tmp_path):
    pdf = new_pdf()
    wrap(pdf, "一、总体要求")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    with pytest.raises(InputError, match="password"):
        read_document(path)


def test_pdf_suffix_on_something_else(tmp_path):
    path = tmp_path / "plan.pdf"
    path.write_text("一、总体要求", encoding="utf-8")
    with pytest.raises(InputError, match="not a PDF"):
        read_document(path)


def test_task_table_over_several_pages(tmp_path):
    pdf = new_pdf(footer=lambda n: f"- {n} -")
    wrap(pdf, "一、重点任务")
    rows = [("序号", "工作任务", "牵头单位", "配合单位", "完成时限")]
    rows += [(str(i), f"推进第{i}项改革任务", "市司法局", "市财政局", "2022年底前") for i in range(1, 61)]
    with pdf.table(col_widths=(12, 60, 30, 30, 28), text_align="LEFT", repeat_headings=0) as table:
        for row in rows:
            r = table.row()
            for cell in row:
                r.cell(cell)
    path = tmp_path / "p.pdf"
    pdf.output(str(path))
    assert pdf.page_no() >= 2
    lines = read_document(path).text.split("\n")
    assert lines == ["一、重点任务"] + [
        f"{i}．推进第{i}项改革任务（牵头单位：市司法局；参加单位：市财政局；完成时限：2022年底前）" for i in range(1, 61)]
