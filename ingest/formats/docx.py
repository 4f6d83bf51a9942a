"""Word .docx -> text: body paragraphs and tables in document order (python-docx).

* Paragraph text is the text of its runs (hyperlinks and tracked insertions included,
  tracked deletions, text boxes, headers, footers and footnotes left out); Word's
  automatic list numbering is written out as a label ("一、", "（一）", "1.").
* A task-division table becomes numbered task lines (`ingest.formats.tables`); other
  tables give one tab-separated line per row.

The archive is checked before python-docx parses it, so that bad input fails fast with an
InputError and in bounded memory: a zip that is not a Word document, more uncompressed bytes
than MAX_UNPACKED, an XML part larger than MAX_DOCUMENT_XML, or more than MAX_XML_ELEMENTS
XML elements in all parts together (counted by streaming each part through expat, which
holds no tree; python-docx holds a tree of every part, ~150 bytes per element). A 120 KB
zip that unpacks to 80 MB of empty paragraphs is refused in well under a second.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.parsers import expat

from plangraph.ingest.formats.errors import InputError
from plangraph.ingest.formats.tables import table_lines

# Zip bomb guards. ~20 MB of text (ingest.read's limit) in a heavily formatted document is
# about 200 MB of XML and 1.5 million elements; parsed, 2 million elements take ~300 MB.
MAX_DOCUMENT_XML = 200 * 1024 * 1024  # one XML part, uncompressed
MAX_UNPACKED = 400 * 1024 * 1024  # every member together, uncompressed (images are read too)
MAX_XML_ELEMENTS = 2_000_000  # in every XML part together
MAX_ZIP_MEMBERS = 20_000
_XML_SUFFIXES = (".xml", ".rels")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_docx_archive(path: Path, what: str) -> None:
    """InputError unless `path` is a zip archive holding a Word main document part."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
    except Exception as err:  # zipfile raises BadZipFile, NotImplementedError, struct.error ...
        raise InputError(f"{what}: not a valid .docx (damaged zip archive: {type(err).__name__})") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise InputError(f"{what}: zip archive with {len(infos)} members, not a Word document")
    if "word/document.xml" not in names:
        if "OFD.xml" in names:
            kind = "an OFD document (not supported; export it as PDF or .docx)"
        elif "xl/workbook.xml" in names:
            kind = "an Excel workbook"
        elif "ppt/presentation.xml" in names:
            kind = "a PowerPoint presentation"
        elif "content.xml" in names and "mimetype" in names:
            kind = "an OpenDocument file (save it as .docx)"
        else:
            kind = "a zip archive"
        raise InputError(f"{what}: this is {kind}, not a Word .docx plan")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNPACKED:
        raise InputError(f"{what}: unpacks to {unpacked // 2**20} MB, over the {MAX_UNPACKED // 2**20} MB limit "
                         "for a .docx")
    for info in infos:
        if info.filename.endswith(_XML_SUFFIXES) and info.file_size > MAX_DOCUMENT_XML:
            raise InputError(f"{what}: the part {info.filename} is {info.file_size // 2**20} MB uncompressed, "
                             f"over the {MAX_DOCUMENT_XML // 2**20} MB limit")
    _count_elements(path, [i for i in infos if i.filename.endswith(_XML_SUFFIXES)], what)


class _TooMany(Exception):
    pass


def _count_elements(path: Path, parts: list[zipfile.ZipInfo], what: str) -> None:
    """InputError when the XML parts hold more than MAX_XML_ELEMENTS elements together;
    streamed (a megabyte at a time, no tree), stopping at the limit."""
    count = 0

    def start(_name: str, _attrs: dict) -> None:
        nonlocal count
        count += 1
        if count > MAX_XML_ELEMENTS:
            raise _TooMany

    try:
        with zipfile.ZipFile(path) as archive:
            for info in parts:
                parser = expat.ParserCreate()
                parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
                parser.StartElementHandler = start
                with archive.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        parser.Parse(chunk, False)
                parser.Parse(b"", True)
    except _TooMany:
        raise InputError(f"{what}: more than {MAX_XML_ELEMENTS:,} XML elements (a document this large, or a zip "
                         "bomb), over the limit for a .docx") from None
    except expat.ExpatError as err:
        raise InputError(f"{what}: damaged Word document (XML: {err})") from None
    except Exception as err:  # zipfile raises BadZipFile, CRC errors, zlib errors ...
        raise InputError(f"{what}: not a valid .docx (damaged zip archive: {type(err).__name__})") from None


def read_docx(path: Path, what: str) -> tuple[str, dict[str, str], list[str]]:
    """(text, metadata, warnings) of a .docx file."""
    check_docx_archive(path, what)
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as err:
        raise InputError(f"{what}: not a readable Word document ({type(err).__name__})") from None
    except Exception as err:  # lxml syntax errors and the like: damaged XML
        raise InputError(f"{what}: damaged Word document ({type(err).__name__}: {err})") from None
    numbering = _Numbering(document)
    lines: list[str] = []
    for kind, element in _body_blocks(document.element.body):
        if kind == "p":
            lines.append(numbering.label(element) + _paragraph_text(element))
        else:
            lines.extend(table_lines(_table_rows(element, numbering))[0])
    metadata: dict[str, str] = {}
    warnings: list[str] = []
    return "\n".join(lines), metadata, warnings


def _body_blocks(container):
    """('p' | 'tbl', element) in document order, looking inside content controls."""
    for child in container.iterchildren():
        if child.tag == W + "p":
            yield "p", child
        elif child.tag == W + "tbl":
            yield "tbl", child
        elif child.tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if content is not None:
                yield from _body_blocks(content)


def _paragraph_text(p) -> str:
    out: list[str] = []
    for run in p.iter(W + "r"):
        if _skipped(run, p):
            continue
        for node in run.iterchildren():
            tag = node.tag
            if tag == W + "t":
                out.append(node.text or "")
            elif tag in (W + "tab", W + "ptab"):
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                out.append("\n")
            elif tag == W + "noBreakHyphen":
                out.append("-")
    return "".join(out).rstrip("\n")


def _skipped(run, p) -> bool:
    """A run inside a deletion, a moved-away range, a text box or a field code result we skip."""
    node = run.getparent()
    while node is not None and node is not p:
        if node.tag in (W + "del", W + "moveFrom", W + "txbxContent"):
            return True
        node = node.getparent()
    return False


def _table_rows(tbl, numbering: "_Numbering") -> list[list[str]]:
    """Rows of cell texts on the table grid: merged cells repeat their text."""
    rows: list[list[str]] = []
    above: dict[int, str] = {}
    for tr in tbl.iterchildren(W + "tr"):
        row: list[str] = []
        col = 0
        trpr = tr.find(W + "trPr")
        before = _int_attr(trpr.find(W + "gridBefore") if trpr is not None else None, 0)
        for _ in range(before):
            row.append("")
            col += 1
        for tc in _row_cells(tr):
            tcpr = tc.find(W + "tcPr")
            span = _int_attr(tcpr.find(W + "gridSpan") if tcpr is not None else None, 1)
            vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
            if vmerge is not None and vmerge.get(W + "val", "continue") == "continue":
                text = above.get(col, "")
            else:
                text = _cell_text(tc, numbering)
            for _ in range(max(span, 1)):
                above[col] = text
                row.append(text)
                col += 1
        rows.append(row)
    return rows


def _row_cells(tr):
    for child in tr.iterchildren():
        if child.tag == W + "tc":
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if content is not None:
                yield from _row_cells(content)


def _cell_text(tc, numbering: "_Numbering") -> str:
    lines: list[str] = []
    for kind, element in _body_blocks(tc):
        if kind == "p":
            lines.append(numbering.label(element) + _paragraph_text(element))
        else:  # a table inside a cell: its rows as lines
            lines.extend("\t".join(c for c in row if c) for row in _table_rows(element, numbering))
    return "\n".join(line for line in lines if line.strip())


def _int_attr(el, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(W + "val"))
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------- list numbering

_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"


def chinese_number(n: int, digits: str = _CN_DIGITS, ten: str = "十") -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return digits[n]
    if n < 20:
        return ten + (digits[n - 10] if n > 10 else "")
    if n < 100:
        return digits[n // 10] + ten + (digits[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        if rest == 0:
            tail = ""
        elif rest < 10:
            tail = digits[0] + digits[rest]
        else:
            tail = digits[rest // 10] + ten + (digits[rest % 10] if rest % 10 else "")
        return digits[n // 100] + "百" + tail
    return str(n)


def _roman(n: int) -> str:
    vals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
            (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for value, letters in vals:
        while n >= value:
            out += letters
            n -= value
    return out


def format_number(n: int, fmt: str) -> str:
    if fmt in ("decimal", "", None):
        return str(n)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "ideographDigital", "koreanCounting"):
        return chinese_number(n)
    if fmt == "chineseLegalSimplified":
        return chinese_number(n, _CN_LEGAL, "拾")
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return "甲乙丙丁戊己庚辛壬癸"[n - 1]
    if fmt == "ideographZodiac" and 1 <= n <= 12:
        return "子丑寅卯辰巳午未申酉戌亥"[n - 1]
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).upper() if fmt == "upperRoman" else _roman(n)
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


class _Numbering:
    """Counts Word list paragraphs and renders their labels (numbering.xml)."""

    def __init__(self, document) -> None:
        self.styles: dict[str, object] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractNumId, overrides)
        self.levels: dict[tuple[str, int], tuple[int, str, str, str]] = {}  # start, fmt, text, suff
        self.counters: dict[str, list[int | None]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            root = None
        if root is not None:
            for abstract in root.iterchildren(W + "abstractNum"):
                aid = abstract.get(W + "abstractNumId")
                for lvl in abstract.iterchildren(W + "lvl"):
                    self.levels[(aid, _safe_int(lvl.get(W + "ilvl"), 0))] = _level(lvl)
            for num in root.iterchildren(W + "num"):
                abstract_id = num.find(W + "abstractNumId")
                overrides: dict[int, int] = {}
                for override in num.iterchildren(W + "lvlOverride"):
                    start = override.find(W + "startOverride")
                    if start is not None:
                        overrides[_safe_int(override.get(W + "ilvl"), 0)] = _safe_int(start.get(W + "val"), 1)
                    lvl = override.find(W + "lvl")
                    if lvl is not None and abstract_id is not None:
                        key = ("num" + num.get(W + "numId", ""), _safe_int(override.get(W + "ilvl"), 0))
                        self.levels[key] = _level(lvl)
                if abstract_id is not None:
                    self.nums[num.get(W + "numId")] = (abstract_id.get(W + "val"), overrides)
        try:
            for style in document.styles.element.iterchildren(W + "style"):
                self.styles[style.get(W + "styleId")] = style
        except AttributeError:
            pass

    def _num_pr(self, p):
        ppr = p.find(W + "pPr")
        num_pr = ppr.find(W + "numPr") if ppr is not None else None
        num_id = ilvl = None
        if num_pr is not None:
            num_id = _val(num_pr.find(W + "numId"))
            ilvl = _val(num_pr.find(W + "ilvl"))
        if num_id is None and ppr is not None:
            style_el = ppr.find(W + "pStyle")
            style_id = style_el.get(W + "val") if style_el is not None else None
            seen = set()
            while style_id and style_id not in seen and num_id is None:
                seen.add(style_id)
                style = self.styles.get(style_id)
                if style is None:
                    break
                sppr = style.find(W + "pPr")
                snum = sppr.find(W + "numPr") if sppr is not None else None
                if snum is not None:
                    num_id = _val(snum.find(W + "numId"))
                    if ilvl is None:
                        ilvl = _val(snum.find(W + "ilvl"))
                based = style.find(W + "basedOn")
                style_id = based.get(W + "val") if based is not None else None
        return num_id, _safe_int(ilvl, 0)

    def label(self, p) -> str:
        if not self.nums:
            return ""
        num_id, ilvl = self._num_pr(p)
        if num_id is None or num_id not in self.nums or not 0 <= ilvl < 9:
            return ""
        abstract_id, overrides = self.nums[num_id]
        key = ("num" + num_id) if overrides else abstract_id
        counters = self.counters.get(key)
        if counters is None:
            counters = self.counters[key] = [None] * 9

        def level(i: int) -> tuple[int, str, str, str]:
            return self.levels.get(("num" + num_id, i)) or self.levels.get((abstract_id, i)) or (1, "decimal", "", "tab")

        def start(i: int) -> int:
            return overrides.get(i, level(i)[0])

        counters[ilvl] = start(ilvl) if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        _, fmt, text, suff = level(ilvl)
        if fmt in ("bullet", "none") or not text:
            return ""

        def substitute(m: re.Match[str]) -> str:
            i = int(m.group(1)) - 1
            if not 0 <= i < 9:
                return ""
            n = counters[i] if counters[i] is not None else start(i)
            return format_number(n, level(i)[1])

        out = re.sub(r"%(\d)", substitute, text)
        if out and suff != "nothing" and (out[-1].isalnum() and not out[-1].isdigit()):
            out += " "
        return out


def _level(lvl) -> tuple[int, str, str, str]:
    start = _safe_int(_val(lvl.find(W + "start")), 1)
    fmt = _val(lvl.find(W + "numFmt")) or "decimal"
    text = _val(lvl.find(W + "lvlText")) or ""
    suff = _val(lvl.find(W + "suff")) or "tab"
    return start, fmt, text, suff


def _val(el) -> str | None:
    return None if el is None else el.get(W + "val")


def _safe_int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
