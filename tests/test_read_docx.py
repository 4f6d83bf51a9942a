"""Word .docx: paragraphs and tables in order, task-division tables, list numbering, bad files."""
from __future__ import annotations

import zipfile

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from plangraph.ingest.formats import docx as docx_reader
from plangraph.ingest.pipeline import extract_file
from plangraph.ingest.read import InputError, read_document


def save(document, tmp_path, name="plan.docx"):
    path = tmp_path / name
    document.save(str(path))
    return path


def test_paragraphs_and_tables_in_order(tmp_path):
    d = docx.Document()
    d.add_paragraph("某市工作方案")
    d.add_paragraph("一、总体目标")
    t = d.add_table(rows=2, cols=3)
    for r, row in enumerate([["指标", "2020年", "2025年"], ["覆盖率", "60%", "90%"]]):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    d.add_paragraph("二、保障措施")
    section = d.sections[0]
    section.header.paragraphs[0].text = "页眉文字"
    section.footer.paragraphs[0].text = "- 1 -"
    raw = read_document(save(d, tmp_path))
    assert raw.format == "docx"
    assert raw.text == "某市工作方案\n一、总体目标\n指标\t2020年\t2025年\n覆盖率\t60%\t90%\n二、保障措施"


def task_table_document():
    d = docx.Document()
    d.add_paragraph("某市法治政府建设任务分工表")
    d.add_paragraph("一、重点任务")
    rows = [
        ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
        ["二、制度建设", "", "", "", ""],  # merged across: a heading row
        ["1", "完善执法制度。出台《某市行政执法办法》。", "市司法局", "市财政局\n市人社局", "2022年底前"],
        ["2", "加强执法培训。", "市委编办", "", "长期坚持"],
        ["3", "推进数字执法。", "", "市大数据局", "2023年6月底前"],  # lead merged down from row 2
    ]
    t = d.add_table(rows=len(rows), cols=5)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text:
                lines = text.split("\n")
                t.cell(r, c).text = lines[0]
                for line in lines[1:]:
                    t.cell(r, c).add_paragraph(line)
    t.cell(1, 0).merge(t.cell(1, 4))
    t.cell(3, 2).merge(t.cell(4, 2))
    d.add_paragraph("三、保障措施")
    return d


def test_task_table_becomes_task_lines(tmp_path):
    raw = read_document(save(task_table_document(), tmp_path))
    assert raw.text.split("\n") == [
        "某市法治政府建设任务分工表",
        "一、重点任务",
        "二、制度建设",
        "1．完善执法制度。出台《某市行政执法办法》。（牵头单位：市司法局；参加单位：市财政局、市人社局；完成时限：2022年底前）",
        "2．加强执法培训。（牵头单位：市委编办；完成时限：长期坚持）",
        "3．推进数字执法。（牵头单位：市委编办；参加单位：市大数据局；完成时限：2023年6月底前）",
        "三、保障措施",
    ]


def test_task_table_extracts_units_by_role(tmp_path):
    extraction = extract_file(save(task_table_document(), tmp_path))
    got = {t.heading[:6]: sorted((a.unit, a.role) for a in t.assignments) for t in extraction.tasks}
    assert got["完善执法制度"] == [("市人社局", "participant"), ("市司法局", "lead"), ("市财政局", "participant")]
    assert got["加强执法培训"] == [("市委编办", "lead")]
    assert got["推进数字执法"] == [("市大数据局", "participant"), ("市委编办", "lead")]


def test_list_numbering_is_written_out(tmp_path):
    d = docx.Document()
    d.add_paragraph("某市工作方案")
    d.add_paragraph("完善执法制度。", style="List Number")
    d.add_paragraph("加强执法培训。", style="List Number")
    d.add_paragraph("推进数字执法。", style="List Number")
    raw = read_document(save(d, tmp_path))
    assert raw.text == "某市工作方案\n1.完善执法制度。\n2.加强执法培训。\n3.推进数字执法。"


def _add_chinese_numbering(d) -> str:
    """An abstract list 一、 / （一） / 1． and a num pointing at it; returns the numId."""
    numbering = d.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3．"/></w:lvl>'
        "</w:abstractNum>")
    numbering.insert(0, abstract)
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def _numbered(d, text: str, num_id: str, level: int):
    p = d.add_paragraph(text)
    p._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return p


def test_multilevel_chinese_numbering(tmp_path):
    d = docx.Document()
    num = _add_chinese_numbering(d)
    _numbered(d, "总体要求", num, 0)
    _numbered(d, "指导思想。", num, 1)
    _numbered(d, "重点任务", num, 0)
    _numbered(d, "制度建设", num, 1)
    _numbered(d, "完善执法制度。（牵头单位：市司法局）", num, 2)
    _numbered(d, "加强执法培训。（牵头单位：市委编办）", num, 2)
    _numbered(d, "能力提升", num, 1)
    _numbered(d, "推进数字执法。（牵头单位：市大数据局）", num, 2)
    raw = read_document(save(d, tmp_path))
    assert raw.text.split("\n") == ["一、总体要求", "（一）指导思想。", "二、重点任务", "（一）制度建设",
                                    "1．完善执法制度。（牵头单位：市司法局）", "2．加强执法培训。（牵头单位：市委编办）",
                                    "（二）能力提升", "1．推进数字执法。（牵头单位：市大数据局）"]
    ids = [t.id for t in extract_file(raw.path).tasks]
    assert ids == ["1.1", "2.1.1", "2.1.2", "2.2.1"]


def test_tracked_changes_content_controls_and_breaks(tmp_path):
    d = docx.Document()
    p = d.add_paragraph("1.完善")
    p._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="1" w:author="a"><w:r><w:t>执法</w:t></w:r></w:ins>'))
    p._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="2" w:author="a"><w:r><w:delText>删除</w:delText></w:r></w:del>'))
    p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t>制度。</w:t><w:br/><w:t>第二行</w:t><w:tab/><w:t>x</w:t></w:r>'))
    body = d.element.body
    sdt = parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtContent><w:p><w:r><w:t>2.控件中的段落。</w:t></w:r></w:p>'
                    "</w:sdtContent></w:sdt>")
    body.insert(body.index(p._p) + 1, sdt)
    raw = read_document(save(d, tmp_path))
    assert raw.text == "1.完善执法制度。\n第二行\tx\n2.控件中的段落。"


def test_damaged_docx(tmp_path):
    path = tmp_path / "bad.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><w:body>一、未闭合")
    with pytest.raises(InputError) as info:
        read_document(path)
    assert "Word document" in str(info.value) or "docx" in str(info.value)


def test_truncated_docx(tmp_path):
    good = save(task_table_document(), tmp_path, "good.docx")
    bad = tmp_path / "bad.docx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputError, match="docx|zip"):
        read_document(bad)


def test_oversized_document_part(tmp_path, monkeypatch):
    monkeypatch.setattr(docx_reader, "MAX_DOCUMENT_XML", 100)
    with pytest.raises(InputError, match="over the"):
        read_document(save(task_table_document(), tmp_path))


def test_old_doc_named_docx(tmp_path):
    path = tmp_path / "plan.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    with pytest.raises(InputError, match="not a .docx"):
        read_document(path)


def test_empty_docx(tmp_path):
    with pytest.raises(InputError, match="no text"):
        read_document(save(docx.Document(), tmp_path))


def _bomb(path, paragraphs: int, part: str = "word/document.xml") -> None:
    """A small .docx whose `part` unpacks to `paragraphs` empty paragraphs."""
    import io
    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                text = data.decode("utf-8")
                tag = "<w:body>" if part == "word/document.xml" else "</w:styles>"
                filler = "<w:p/>" * paragraphs if tag == "<w:body>" else "<w:style/>" * paragraphs
                data = (text.replace(tag, tag + filler, 1) if tag == "<w:body>"
                        else text.replace(tag, filler + tag, 1)).encode("utf-8")
            out.writestr(info.filename, data)


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml"])
def test_a_docx_that_unpacks_to_millions_of_elements_is_refused_in_bounded_memory(tmp_path, part):
    """The issue's file: a 150 KB .docx of 80 MB of empty paragraphs took 67 s and 2.1 GB.
    Refused by the element count before any parse, in a process that stays small."""
    import subprocess
    import sys
    bomb = tmp_path / "bomb.docx"
    _bomb(bomb, 13_000_000, part)
    assert bomb.stat().st_size < 1_000_000
    script = ("import sys\nfrom ingest.read import read_document, InputError\n"
              "try:\n    read_document(sys.argv[1])\nexcept InputError as err:\n    print(err)\n"
              "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"  # peak RSS since exec
              "print(int(hwm.split()[1]) // 1024)\n")
    done = subprocess.run([sys.executable, "-c", script, str(bomb)], capture_output=True, text=True, timeout=120)
    message, peak_mb = done.stdout.strip().splitlines()
    assert "XML elements" in message and "bomb.docx" in message, done.stderr
    assert int(peak_mb) <= 500, f"{peak_mb} MB"


def test_a_docx_unpacking_to_more_than_the_limit_is_refused(tmp_path, monkeypatch):
    path = save(task_table_document(), tmp_path)
    monkeypatch.setattr(docx_reader, "MAX_UNPACKED", 1000)
    with pytest.raises(InputError, match="unpacks to"):
        read_document(path)
