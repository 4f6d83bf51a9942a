"""Plain-text plans: encodings, newlines, and bad input refused with a one-line InputError."""
from __future__ import annotations

import os
import random
import tracemalloc
import zipfile

import pytest

from plangraph.ingest.read import MAX_TEXT_BYTES, InputError, decode, iter_documents, normalise_newlines, read_document

PLAN = ("常德市法治政府建设工作方案(2021-2025年)\n一、总体要求\n"
        "1.优化政府机构设置。2022年底前完成。(牵头单位:市委编办;参加单位:各区县(市)政府)\n"
        "2.推进“放管服”改革,落实《优化营商环境条例》。[牵头单位:市司法局]\n") * 20


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(path) -> str:
    with pytest.raises(InputError) as info:
        read_document(path)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message and message
    return message


@pytest.mark.parametrize("encoding,prefix", [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""), ("gbk", b""), ("gb2312", b""),
    ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-32-le", b"\xff\xfe\x00\x00"),
    ("gb18030", b"\x84\x31\x95\x33"),
])
def test_encodings(tmp_path, encoding, prefix):
    raw = read_document(write(tmp_path, "plan.txt", prefix + PLAN.encode(encoding)))
    assert raw.text == PLAN
    assert raw.format == "txt" and raw.warnings == [] and raw.metadata == {}


def test_utf16_without_bom_is_detected(tmp_path):
    raw = read_document(write(tmp_path, "plan.txt", PLAN.encode("utf-16-le")))
    assert raw.text == PLAN


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_small_binary_files_that_decode_as_utf16_are_refused(tmp_path, encoding):
    """Any byte pairs decode as UTF-16: without a byte-order mark it is believed only when
    the characters are a plan's (CJK, ASCII, punctuation). A real plan of a few lines in
    UTF-16 without a mark still reads."""
    rng = random.Random(7)
    for i in range(200):
        data = bytearray(rng.getrandbits(8) for _ in range(rng.choice([8, 16, 32, 64, 512])))
        data[3] = 0  # a NUL byte, as UTF-16 text and most binaries have
        path = write(tmp_path, f"blob{i}.txt", bytes(data))
        assert "binary" in refused(path)
    short = "关于推进法治政府建设的实施方案\n一、(一)完善依法行政制度体系。(牵头单位:市司法局)\n"
    assert read_document(write(tmp_path, "short.txt", short.encode(encoding))).text == short


def test_gb18030_four_byte_characters(tmp_path):
    text = "1.保护𠀀𪚥字库。(牵头单位:市文旅广体局)\n" * 30
    assert read_document(write(tmp_path, "p.txt", text.encode("gb18030"))).text == text


def test_big5_is_detected(tmp_path):
    text = "臺北市政府工作計畫\n一、總體要求\n（一）推動數位政府建設，強化資訊安全。\n（二）落實法治政府，提升行政效能。\n" * 10
    raw = read_document(write(tmp_path, "p.txt", text.encode("big5")))
    assert raw.text == text


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_newlines_read_as_lf_and_nothing_else_changes(tmp_path, newline):
    text = "　　一、总体要求  \n\n\t(一)指导思想。\x0c\n用户登录\n"
    raw = read_document(write(tmp_path, "p.txt", text.replace("\n", newline).encode("utf-8")))
    assert raw.text == text  # no line dropped, no space stripped
    assert normalise_newlines("a\r\nb\rc\n") == "a\nb\nc\n"


def test_decode_keeps_its_name():
    assert decode("中文".encode("gb18030")) == "中文"
    assert decode(b"\xef\xbb\xbfabc") == "abc"


def test_truncated_gb18030_last_character_dropped_with_warning(tmp_path):
    data = (PLAN + "终").encode("gb18030")[:-1]  # cut into the last 2-byte character
    raw = read_document(write(tmp_path, "p.txt", data))
    assert raw.text == PLAN
    assert len(raw.warnings) == 1 and "truncated" in raw.warnings[0]


def test_truncated_utf8_and_four_byte_gb18030(tmp_path):
    raw = read_document(write(tmp_path, "a.txt", (PLAN + "终").encode("utf-8")[:-2]))
    assert raw.text == PLAN and raw.warnings
    raw = read_document(write(tmp_path, "b.txt", (PLAN + "𠀀").encode("gb18030")[:-2]))
    assert raw.text == PLAN and raw.warnings


def test_a_few_bad_bytes_are_replaced_with_a_warning(tmp_path):
    data = bytearray(PLAN.encode("gb18030"))
    data[len(data) // 2:len(data) // 2] = b"\xff"
    raw = read_document(write(tmp_path, "p.txt", bytes(data)))
    assert raw.text.count("\ufffd") == 1
    assert "undecodable" in raw.warnings[0]


def test_garbage_in_the_middle_is_an_error(tmp_path):
    data = PLAN.encode("gb18030")
    half = len(data) // 2
    garbage = bytes(range(0x80, 0x100)) * 4  # no NUL: not caught by the binary check
    message = refused(write(tmp_path, "p.txt", data[:half] + garbage + data[half:]))
    assert "not readable text" in message


def test_mixed_encodings_are_an_error(tmp_path):
    data = PLAN.encode("utf-8") + PLAN.encode("gb18030")
    assert "not readable text" in refused(write(tmp_path, "p.txt", data))


def test_empty_and_blank_files(tmp_path):
    assert "empty file" in refused(write(tmp_path, "empty.txt", b""))
    assert "empty" in refused(write(tmp_path, "blank.txt", " \r\n\t\u3000\n".encode("utf-8")))
    assert "empty" in refused(write(tmp_path, "bom.txt", b"\xef\xbb\xbf"))


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.mark.parametrize("name", ["image.png", "plan.txt", "plan", "plan.html"])
def test_png_is_refused(tmp_path, name):
    message = refused(write(tmp_path, name, PNG))
    assert "PNG image" in message


def test_zip_that_is_not_a_docx(tmp_path):
    for name in ("a.zip", "plan.docx", "plan.txt"):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "一、总体要求")
        assert "zip archive" in refused(path)


@pytest.mark.parametrize("data,what", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "Office"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "executable"),
    (b"{\\rtf1\\ansi \\u19968?}", "RTF"),
    (b"\x1f\x8b\x08\x00" + bytes(50), "gzip"),
    (os.urandom(4096) + b"\x00", "binary"),
])
def test_binaries_are_refused(tmp_path, data, what):
    assert what in refused(write(tmp_path, "plan.doc", data))


def test_random_bytes_are_refused(tmp_path):
    import random
    rng = random.Random(7)
    data = bytes(rng.randrange(1, 256) for _ in range(20000))  # no NUL bytes
    refused(write(tmp_path, "noise.txt", data))


def test_missing_path_and_folder(tmp_path):
    assert "no such file" in refused(tmp_path / "nope.txt")
    assert "folder" in refused(tmp_path)


def test_message_stays_one_line_whatever_the_path(tmp_path):
    message = refused(tmp_path / "evil\nname\x1b[31m.txt")
    assert "\x1b" not in message and "\n" not in message


def test_huge_text_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: no disk or memory needed
        handle.truncate(MAX_TEXT_BYTES + 1)
    tracemalloc.start()
    try:
        message = refused(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "20 MB" in message
    assert peak < 2 * 2**20  # bounded memory: the file was never read


def test_huge_real_text_refused(tmp_path):
    line = "1.加强法治政府建设。(牵头单位:市司法局)\n".encode("utf-8")
    path = write(tmp_path, "huge.txt", line * (MAX_TEXT_BYTES // len(line) + 1))
    assert "20 MB" in refused(path)


def test_just_under_the_limit_is_read(tmp_path):
    line = "1.加强法治政府建设。(牵头单位:市司法局)\n".encode("utf-8")
    data = line * ((MAX_TEXT_BYTES - 10) // len(line))
    raw = read_document(write(tmp_path, "big.txt", data))
    assert len(raw.text) == len(data.decode("utf-8"))


def test_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert "not a regular file" in refused(fifo)


def test_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    path = write(tmp_path, "p.txt", PLAN.encode("utf-8"))
    path.chmod(0)
    assert "permission" in refused(path)


def test_html_without_suffix_is_sniffed(tmp_path):
    page = "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><p>一、总体要求</p>" \
           "<script>var a='脚本';</script></body></html>"
    raw = read_document(write(tmp_path, "saved_page", page.encode("utf-8")))
    assert raw.format == "html" and raw.text == "一、总体要求"


def test_folder_of_plans(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path, "a.txt", PLAN.encode("gb18030"))
    write(tmp_path / "sub", "b.htm", f"<html><body><p>{PLAN}</p></body></html>".encode("utf-8"))
    write(tmp_path, "c.txt", b"")
    write(tmp_path, "notes.md", b"# not a plan")
    write(tmp_path, ".hidden.txt", PLAN.encode("utf-8"))
    results = {p.name: r for p, r in iter_documents(tmp_path)}
    assert set(results) == {"a.txt", "b.htm", "c.txt"}
    assert results["a.txt"].text == PLAN
    assert results["b.htm"].format == "html"
    assert isinstance(results["c.txt"], InputError)
    with pytest.raises(InputError):
        list(iter_documents(tmp_path / "a.txt"))
