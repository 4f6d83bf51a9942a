"""Every corpus plan, rewritten as GB18030 / UTF-16 / BOM text, a saved gov.cn-like page,
a Word file (paragraphs, and with its bracketed tasks as a task-division table) and a PDF,
extracts to the same tasks with the same (unit, role) assignments as the plain text.

Fixtures are built in tmp directories by tests/fixture_builders.py from the corpus texts.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from fixture_builders import (build_docx, build_html, build_pdf, cjk_font, corpus_files, corpus_text,
                              plan_blocks, write_encoded)
from plangraph.ingest.pipeline import extract_file, extract_raw, extract_text
from plangraph.ingest.read import read_document
from shared_corpus import require_corpus

DOCS = corpus_files()
IDS = [p.stem.split("_")[0] for p in DOCS]


def squeeze(line: str) -> str:
    return re.sub(r"[ \t\u3000]+", " ", line).strip()


def shape(extraction) -> list[tuple[str, list[tuple[str, str]]]]:
    """Task ids in order, each with its set of (unit, role) assignments."""
    return [(t.id, sorted({(a.unit, a.role) for a in t.assignments})) for t in extraction.tasks]


@pytest.fixture(scope="module")
def plain() -> dict[Path, tuple[str, list]]:
    require_corpus()
    out = {}
    for path in DOCS:
        text = corpus_text(path)
        out[path] = (text, shape(extract_text(text, str(path))))
    return out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("roundtrip")


def test_corpus_present():
    require_corpus()
    assert len(DOCS) >= 7 and all(p.exists() for p in DOCS)


@pytest.mark.parametrize("encoding,newline", [
    ("gb18030", "\n"), ("gbk", "\r\n"), ("utf-8-sig", "\n"), ("utf-16", "\r\n"),
    ("utf-16-be+bom", "\n"), ("utf-8", "\r"),
], ids=["gb18030-lf", "gbk-crlf", "utf8bom-lf", "utf16le-crlf", "utf16be-lf", "utf8-cr"])
@pytest.mark.parametrize("doc", DOCS, ids=IDS)
def test_encodings_give_the_same_text(doc, encoding, newline, workdir, plain):
    text, _ = plain[doc]
    try:
        path = write_encoded(text, workdir / f"{doc.stem}.{encoding}.txt", encoding, newline)
    except UnicodeEncodeError:
        pytest.skip(f"{encoding} cannot encode this text")
    raw = read_document(path)
    assert raw.format == "txt"
    assert raw.text == text  # offsets identical: nothing but the newlines changed
    assert raw.warnings == []


def test_gb18030_extraction_equals_plain(workdir, plain):
    doc = DOCS[0]
    text, expected = plain[doc]
    path = write_encoded(text, workdir / "plan_gb.txt", "gb18030", "\r\n")
    assert shape(extract_file(path)) == expected


@pytest.mark.parametrize("doc", DOCS, ids=IDS)
@pytest.mark.parametrize("tables", [False, True], ids=["paragraphs", "task-table"])
def test_docx_extraction_equals_plain(doc, tables, workdir, plain):
    text, expected = plain[doc]
    if tables and not any(kind == "table" for kind, _ in plan_blocks(text, True)):
        pytest.skip("no bracketed task lines to put in a table")
    path = build_docx(text, workdir / f"{doc.stem}.{int(tables)}.docx", tables=tables)
    raw = read_document(path)
    assert raw.format == "docx"
    assert shape(extract_raw(raw)) == expected


@pytest.mark.parametrize("doc", DOCS, ids=IDS)
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_html_extraction_equals_plain(doc, encoding, workdir, plain):
    text, expected = plain[doc]
    title = next(line for line in text.split("\n") if line.strip() and not line.strip().endswith("：")).strip()
    meta = {"title": title, "issuer": "示例市人民政府办公室", "doc_number": "示政办发〔2022〕9号",
            "date_cn": "2022年06月20日", "index_no": "11430700MB1234567X/2022-00001"}
    path = build_html(text, workdir / f"{doc.stem}.{encoding}.html", meta, encoding=encoding,
                      tables=encoding == "gb18030")
    raw = read_document(path)
    assert raw.format == "html"
    assert raw.metadata["title"] == title
    assert raw.metadata["issuer"] == "示例市人民政府办公室"
    assert raw.metadata["doc_number"] == "示政办发〔2022〕9号"
    assert raw.metadata["date"] == "2022-06-20"
    assert raw.metadata["index_no"] == "11430700MB1234567X/2022-00001"
    for junk in ("脚本单位", "导航单位", "页脚脚本", "用户登录", "版权所有", "扫一扫", "索引号", "责任编辑"):
        assert junk not in raw.text or junk in text
    assert shape(extract_raw(raw)) == expected


@pytest.mark.skipif(cjk_font() is None, reason="no CJK TrueType font: apt-get install fonts-wqy-microhei")
@pytest.mark.parametrize("doc", DOCS, ids=IDS)
def test_pdf_extraction_equals_plain(doc, workdir, plain):
    text, expected = plain[doc]
    path = build_pdf(text, workdir / f"{doc.stem}.pdf")
    raw = read_document(path)
    assert raw.format == "pdf"
    assert "示例市人民政府办公室文件" not in raw.text  # running head
    assert "- 2 -" not in raw.text  # page numbers
    # The text layer keeps every paragraph: the same lines as the plain text, except blank
    # lines and the kind and number of spaces (a PDF draws U+3000 and " " as the same gap).
    assert [squeeze(line) for line in raw.text.split("\n")] == [
        squeeze(line) for line in text.split("\n") if line.strip()]
    assert shape(extract_raw(raw)) == expected
