"""Property-based tests (hypothesis): random and mutated plan text never crashes the
extractor, and every recorded span points at exactly what it records; random and mutated
files never crash the readers (they return a document or raise InputError).

Bounded: ~200 examples per property, no per-example deadline; the whole file runs in well
under a minute.  A failure prints the falsifying text: that is an extraction bug to fix,
not a test to relax.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixture_builders import build_docx, build_html, build_pdf, cjk_font, corpus_files, corpus_text
from plangraph.ingest.pipeline import extract_text
from plangraph.ingest.read import InputError, read_document
from plangraph.ingest.resources import BUNDLED_PLAN

EXAMPLES = int(os.environ.get("PLANGRAPH_FUZZ_EXAMPLES", "200"))  # raise for a longer hunt
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
# the real plans to mutate: the shared corpus, or the bundled plan when the corpus is not here
CORPUS = [corpus_text(p) for p in corpus_files() if p.exists()] or [corpus_text(BUNDLED_PLAN)]

# ---------------------------------------------------------------- plan text strategies

LABELS = ["一、", "二、", "十一、", "（一）", "(二)", "（十二）", "1.", "2．", "3、", "12.", "（1）", "(2)",
          "①", "②", "第一条", "第二章", "附件", "附件1", "1.1", "2.3.4", "一是", "二是", "（一）", "A."]
UNITS = ["市司法局", "市委编办", "各区县(市)政府", "市政府各部门", "市发改委", "国家卫生健康委",
         "各区县(市)人大常委会和政府", "市人大监察和司法委", "相关部门及各地区", "省工业和信息化厅",
         "市审批服务局", "济南高新区管委会"]
ROLES = ["牵头单位：", "牵头单位:", "参加单位：", "责任单位：", "配合单位:", "牵头考核单位：", "负责部门："]
TITLES = ["中华人民共和国行政处罚法", "优化营商环境条例", "湖南省实施<中华人民共和国突发事件应对法>办法",
          "常德市科技型中小微企业信贷风险补偿资金管理办法", "", "《", "》"]
DEADLINES = ["2022年底前", "到2025年底前", "每年3月1日前", "年底前", "6月底完成", "2023年6月", "2099年13月40日前"]
BRACKETS = list("()（）[]【】《》〈〉<>“”\"'{}")
CJK = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=30)
NOISE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@st.composite
def clause(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        units = draw(st.lists(st.sampled_from(UNITS), min_size=0, max_size=4))
        sep = draw(st.sampled_from(["、", "，", ",", "和", "及"]))
        parts.append(draw(st.sampled_from(ROLES)) + sep.join(units) + draw(st.sampled_from(["", "等", "等部门"])))
    inner = draw(st.sampled_from(["；", ";", "，"])).join(parts)
    if draw(st.booleans()):
        inner = draw(st.sampled_from(DEADLINES)) + "，" + inner
    if draw(st.booleans()):
        inner = "、".join(draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=3))) + draw(
            st.sampled_from(["牵头", "负责", "按职责分工负责", "配合"]))
    left, right = draw(st.sampled_from([("（", "）"), ("(", ")"), ("[", "]"), ("【", "】"), ("（", ""), ("", "）")]))
    return left + inner + right


@st.composite
def sentence(draw) -> str:
    pieces = []
    for _ in range(draw(st.integers(1, 5))):
        pieces.append(draw(st.one_of(
            CJK,
            st.sampled_from(TITLES).map(lambda t: f"《{t}》"),
            st.sampled_from(["制定", "出台", "修订", "编制", "起草", "依据", "贯彻"]),
            st.sampled_from(DEADLINES),
            clause(),
            st.sampled_from(["宪法", "民法典", "。", "，", "；", "：", "\t", "　　", " "]),
            NOISE,
        )))
    return "".join(pieces)


@st.composite
def plan_text(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 25))):
        label = draw(st.one_of(st.sampled_from(LABELS), st.just("")))
        lines.append(label + draw(sentence()))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))
    return newline.join(lines)


@st.composite
def nested(draw) -> str:
    depth = draw(st.integers(1, 400))
    left, right = draw(st.sampled_from([("（", "）"), ("《", "》"), ("(", ")"), ("[", "]"), ("“", "”"), ("<", ">")]))
    core = draw(st.one_of(clause(), sentence()))
    closing = draw(st.integers(0, depth))
    prefix = draw(st.sampled_from(LABELS))
    return prefix + left * depth + core + right * closing + "\n" + "\n".join(
        f"{i}." + left * (i % 7) + "任务" + right * ((i + 1) % 5) for i in range(1, draw(st.integers(2, 60))))


@st.composite
def mutated_corpus(draw) -> str:
    text = draw(st.sampled_from(CORPUS))
    start = draw(st.integers(0, max(0, len(text) - 1)))
    text = text[start:start + draw(st.integers(0, 4000))]
    chars = list(text)
    for _ in range(draw(st.integers(0, 40))):
        op = draw(st.sampled_from(["insert_bracket", "delete", "insert_label", "insert_cjk", "insert_clause",
                                   "insert_newline", "swap"]))
        pos = draw(st.integers(0, len(chars)))
        if op == "insert_bracket":
            chars[pos:pos] = [draw(st.sampled_from(BRACKETS))]
        elif op == "delete" and chars:
            del chars[min(pos, len(chars) - 1):pos + draw(st.integers(1, 20))]
        elif op == "insert_label":
            chars[pos:pos] = list(draw(st.sampled_from(["\n", ""])) + draw(st.sampled_from(LABELS)))
        elif op == "insert_cjk":
            chars[pos:pos] = list(draw(CJK))
        elif op == "insert_clause":
            chars[pos:pos] = list(draw(clause()))
        elif op == "insert_newline":
            chars[pos:pos] = [draw(st.sampled_from(["\n", "\r\n", "\r"]))]
        elif op == "swap" and len(chars) > 2:
            other = draw(st.integers(0, len(chars) - 1))
            a = min(pos, len(chars) - 1)
            chars[a], chars[other] = chars[other], chars[a]
    return "".join(chars)


ANY_TEXT = st.one_of(plan_text(), mutated_corpus(), nested(), st.text(max_size=300), sentence())

# ---------------------------------------------------------------- properties


def check_spans(extraction) -> None:
    text = extraction.text
    n = len(text)

    def inside(item, lo=0, hi=n):
        assert 0 <= lo <= item.start <= item.end <= hi <= n, (type(item).__name__, item, lo, hi)

    last_start = -1
    for task in extraction.tasks:
        inside(task)
        assert text[task.start:task.end] == task.text, task.id
        assert task.start >= last_start, "tasks out of order"
        last_start = task.start
        for a in task.assignments:
            inside(a)  # a clause may run past the task's end (reported; not a schema rule)
            assert text[a.start:a.end] == a.mention, (task.id, a)
            assert a.unit and a.role in ("lead", "participant", "responsible"), a
        for c in task.citations:
            inside(c, task.start, task.end)
            assert text[c.start:c.end] == c.mention, (task.id, c)
            assert c.title in c.mention and c.relation in ("basis", "produces"), c
        for d in task.deadlines:
            inside(d, task.start, task.end)
            assert text[d.start:d.end] == d.text, (task.id, d)
    for c in extraction.citations:
        inside(c)
        assert text[c.start:c.end] == c.mention, c
    for d in extraction.deadlines:
        inside(d)
        assert text[d.start:d.end] == d.text, d
    ids = [t.id for t in extraction.tasks]
    assert len(ids) == len(set(ids)), f"duplicate task ids {ids}"
    json.dumps(extraction.to_json(), ensure_ascii=False)


@FUZZ
@given(ANY_TEXT)
def test_extraction_never_crashes_and_spans_match(text):
    extraction = extract_text(text, "<fuzz>")
    assert extraction.text == text.replace("\r\n", "\n").replace("\r", "\n")
    check_spans(extraction)


def test_corpus_spans_match():
    for text in CORPUS:
        check_spans(extract_text(text, "<corpus>"))


# ---------------------------------------------------------------- readers


@lru_cache(maxsize=1)
def seeds() -> dict[str, bytes]:
    """Valid files of each format to mutate (built once, in a temporary folder)."""
    base = Path(tempfile.mkdtemp(prefix="plangraph-seeds-"))
    try:
        text = CORPUS[min(2, len(CORPUS) - 1)][:3000]
        out = {".txt": text.encode("gb18030"), ".html": build_html(text, base / "s.html", {}).read_bytes(),
               ".docx": build_docx(text, base / "s.docx", tables=True).read_bytes()}
        if cjk_font():
            out[".pdf"] = build_pdf(text[:800], base / "s.pdf").read_bytes()
        return out
    finally:
        shutil.rmtree(base, ignore_errors=True)


@settings(max_examples=max(EXAMPLES * 3 // 4, 1), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.data())
def test_readers_return_a_document_or_input_error(tmp_path_factory, data):
    files = seeds()
    suffix = data.draw(st.sampled_from(sorted(files) + [".htm", ""]))
    seed = files.get(suffix, files[".html"] if suffix == ".htm" else files[".txt"])
    how = data.draw(st.sampled_from(["flip", "truncate", "random", "splice"]))
    rng = random.Random(data.draw(st.integers(0, 2**32 - 1)))
    blob = bytearray(seed)
    if how == "flip":
        for _ in range(rng.randrange(1, 30)):
            blob[rng.randrange(len(blob))] = rng.randrange(256)
    elif how == "truncate":
        blob = blob[: rng.randrange(len(blob))]
    elif how == "random":
        blob = bytearray(rng.randbytes(rng.randrange(0, 5000)))
    else:
        other = files[data.draw(st.sampled_from(sorted(files)))]
        cut = rng.randrange(len(blob))
        blob = blob[:cut] + other[rng.randrange(len(other)):]
    path = Path(tmp_path_factory.mktemp("fuzz")) / f"f{suffix}"
    path.write_bytes(bytes(blob))
    try:
        raw = read_document(path)
    except InputError as err:
        assert "\n" not in str(err) and str(err)
        return
    assert isinstance(raw.text, str) and raw.text.strip()
    assert "\r" not in raw.text
    check_spans(extract_text(raw.text, str(path)))


def test_docx_with_mutated_xml_is_an_input_error_or_a_document(tmp_path):
    source = build_docx(CORPUS[0][:2000], tmp_path / "s.docx", tables=True)
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    rng = random.Random(11)
    for i in range(30):
        xml = bytearray(parts["word/document.xml"])
        for _ in range(rng.randrange(1, 10)):
            xml[rng.randrange(len(xml))] = rng.choice(b"<>/\"=&w:")
        path = tmp_path / f"m{i}.docx"
        with zipfile.ZipFile(path, "w") as archive:
            for name, content in parts.items():
                archive.writestr(name, bytes(xml) if name == "word/document.xml" else content)
        try:
            raw = read_document(path)
        except InputError:
            continue
        assert isinstance(raw.text, str)
