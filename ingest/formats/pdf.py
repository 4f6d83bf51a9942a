"""PDF with a text layer -> text (pdfplumber).

* Lines come in reading order (top to bottom, left to right; one text column assumed).
* Running heads and feet are dropped: a line near the top or bottom edge of the page
  that repeats (digits ignored) on at least half of the pages, and page numbers
  ("- 3 -", "—3—", "第3页 共9页", "3/9", "3") as the first or last line of a page.
* Lines broken by the page width are joined back into paragraphs: a line that reaches
  the right edge of the text block is continued by the next line unless the next line
  starts with a numbering label or is indented (a first-line indent), or -- in a
  document without first-line indents -- the line ends a sentence.
* A task-division table (found by pdfplumber's table finder, header with role words)
  becomes numbered task lines, as in .docx (`ingest.formats.tables`).
* A space is read where the gap between two characters exceeds 0.35 of the font size
  (pdfplumber's x_tolerance_ratio), so justified CJK lines read without stray spaces
  while real spaces (索 引 号) stay.
"""
from __future__ import annotations

import logging
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from plangraph.ingest.formats.errors import InputError
from plangraph.ingest.formats.tables import header_roles, table_lines
from plangraph.ingest.formats.text import is_cjk
from plangraph.ingest.numbering import starts_numbered

MAX_PAGES = 5000
# Fraction of the page height that counts as top / bottom margin for running heads.
EDGE_BAND = 0.12

_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－－_·•]*(?:第\s*)?(?:\d{1,4}|[ivxlcdm]{1,6}|[IVXLCDM]{1,6})(?:\s*页)?"
    r"(?:\s*[/／]\s*\d{1,4}|\s*[,，]?\s*共\s*\d{1,4}\s*页)?[\s\-—–－_·•]*$"
    r"|^(?:page|Page|PAGE)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$"
)
_SENTENCE_END = re.compile(r"[。！？!?；;：:…]['\"’”）)」』】〕]*$")


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int
    block: bool = False  # a table line: never joined with its neighbours


class _CountWarnings(logging.Handler):
    """Collects pdfminer's complaints about a damaged file instead of printing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def read_pdf(path: Path, what: str, max_chars: int) -> tuple[str, dict[str, str], list[str]]:
    """(text, metadata, warnings) of a PDF file."""
    logger = logging.getLogger("pdfminer")
    handler = _CountWarnings()
    saved = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        text, metadata, warnings = _read_pdf(path, what, max_chars)
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved
    if handler.count:
        warnings.append(f"{what}: the PDF is damaged in places ({handler.count} problems); some text may be missing")
    return text, metadata, warnings


def _read_pdf(path: Path, what: str, max_chars: int) -> tuple[str, dict[str, str], list[str]]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    warnings: list[str] = []
    try:
        pdf = pdfplumber.open(str(path))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise InputError(f"{what}: the PDF is password-protected") from None
    except Exception as err:  # pdfminer raises many kinds for a damaged file
        if "password" in str(err).lower() or "encrypt" in str(err).lower():
            raise InputError(f"{what}: the PDF is password-protected") from None
        raise InputError(f"{what}: damaged or unreadable PDF ({type(err).__name__})") from None
    try:
        try:
            pages = list(pdf.pages)
            metadata = _metadata(pdf.metadata or {})
        except Exception as err:
            raise InputError(f"{what}: damaged or unreadable PDF ({type(err).__name__})") from None
        if len(pages) > MAX_PAGES:
            raise InputError(f"{what}: {len(pages)} pages, over the {MAX_PAGES}-page limit")
        page_lines: list[list[Line]] = []
        heights: list[float] = []
        total = 0
        roles: list[str] | None = None
        for number, page in enumerate(pages):
            try:
                lines, roles = _page_lines(page, number, roles)
                height = float(page.height or 842)
            except Exception as err:  # one damaged page: keep the others
                warnings.append(f"{what}: page {number + 1} could not be read ({type(err).__name__}); skipped")
                lines, roles, height = [], None, 842.0
            finally:
                try:
                    page.flush_cache()
                except Exception:
                    pass
            page_lines.append(lines)
            heights.append(height)
            total += sum(len(line.text) for line in lines)
            if total > max_chars:
                raise InputError(f"{what}: more than {max_chars // 2**20} MB of text, over the limit")
    finally:
        try:
            pdf.close()
        except Exception:  # closing walks the pages again and may fail on a damaged file
            stream = getattr(pdf, "stream", None)
            if stream is not None:
                stream.close()
    if not any(page_lines):
        raise InputError(f"{what}: the PDF has no text layer (a scan?); OCR it first")
    kept = _drop_running_lines(page_lines, heights)
    return "\n".join(_paragraphs(kept)), metadata, warnings


def _metadata(info: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    title = info.get("Title")
    if isinstance(title, bytes):
        title = None
    if isinstance(title, str) and title.strip() and any(is_cjk(c) for c in title):
        out["title"] = " ".join(title.split())
    return out


def _page_lines(page, number: int, roles: list[str] | None) -> tuple[list[Line], list[str] | None]:
    """Text lines of one page, task tables rendered as lines; also the roles of an open table."""
    blocks: list[Line] = []
    boxes = []
    carried, roles = roles, None
    try:
        tables = page.find_tables()
    except Exception:
        tables = []
    for table in tables:
        rows = [[c or "" for c in row] for row in table.extract()]
        if not rows:
            continue
        if any(header_roles(row) for row in rows[:3]):
            use = None  # the header is in this table: table_lines finds it
        elif carried and len(rows[0]) == len(carried) and table.bbox[1] < page.height * 0.3:
            use = carried  # a task table continued from the previous page
        else:
            continue
        lines, roles = table_lines(rows, use)
        carried = roles
        x0, top, x1, bottom = table.bbox
        boxes.append(table.bbox)
        for text in lines:
            blocks.append(Line(text, x0, x1, top, top, 0.0, number, block=True))
    view = page
    if boxes:
        def outside(obj, boxes=boxes) -> bool:
            cx = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
            cy = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
            return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)
        view = page.filter(outside)
    lines: list[Line] = []
    for raw in view.extract_text_lines(strip=True, return_chars=True, x_tolerance_ratio=0.35):
        chars = [c for c in raw.get("chars", []) if str(c.get("text", "")).strip()]
        text = raw["text"]
        if not text.strip() or not chars:
            continue
        size = statistics.median(float(c.get("size") or 0) for c in chars) or 10.0
        lines.append(Line(text, float(chars[0]["x0"]), float(chars[-1]["x1"]), float(raw["top"]),
                          float(raw["bottom"]), size, number))
    lines.extend(blocks)
    lines.sort(key=lambda line: (round(line.top, 1), line.x0))  # stable: table rows keep order
    return lines, roles


def _running_keys(text: str) -> list[str]:
    """What makes two edge lines "the same running head": the same text, or the same text
    but for its numbers ("第3页", "2022年第5期") -- not for numbered plan items, whose
    text differs only in the number ("12.加强第12项工作")."""
    exact = re.sub(r"\s+", "", text)
    keys = ["=" + exact]
    if not starts_numbered(text):
        keys.append("#" + re.sub(r"\d+", "#", exact))
    return keys


def _drop_running_lines(pages: list[list[Line]], heights: list[float]) -> list[Line]:
    """Lines of all pages in order, running heads/feet and page numbers removed."""
    def edge_lines(lines: list[Line], height: float) -> list[Line]:
        top = [l for l in lines[:2] if l.top < height * EDGE_BAND and not l.block]
        bottom = [l for l in lines[-2:] if l.bottom > height * (1 - EDGE_BAND) and not l.block]
        return top + [l for l in bottom if l not in top]

    counts: dict[str, int] = {}
    for lines, height in zip(pages, heights):
        for key in {k for l in edge_lines(lines, height) for k in _running_keys(l.text)}:
            counts[key] = counts.get(key, 0) + 1
    with_text = sum(1 for lines in pages if lines)
    repeated = {key for key, n in counts.items() if n >= 2 and n >= with_text / 2}
    out: list[Line] = []
    for lines, height in zip(pages, heights):
        drop = set()
        for line in edge_lines(lines, height):
            if any(key in repeated for key in _running_keys(line.text)):
                drop.add(id(line))
        for line in (lines[:1] + lines[-1:]) if lines else []:
            if _PAGE_NUMBER.match(line.text.strip()) and not line.block:
                drop.add(id(line))
        out.extend(l for l in lines if id(l) not in drop)
    return out


def _paragraphs(lines: list[Line]) -> list[str]:
    text_lines = [l for l in lines if not l.block]
    if not text_lines:
        return [l.text for l in lines]
    sizes = [l.size for l in text_lines if l.size > 0]
    size = statistics.median(sizes) if sizes else 10.0
    # The text block: the most common left edge, and the right edge most wide lines reach.
    lefts = [round(l.x0) for l in text_lines]
    left = min(statistics.multimode(lefts))
    wide = sorted(l.x1 for l in text_lines if l.x1 - l.x0 > size * 8) or sorted(l.x1 for l in text_lines)
    right = wide[int(len(wide) * 0.9)] if len(wide) > 2 else wide[-1]
    indented_starts = sum(1 for l in text_lines if size * 1.5 <= l.x0 - left <= size * 4.5)
    uses_indent = indented_starts >= max(2, len(text_lines) // 20)

    out: list[str] = []
    prev: Line | None = None
    for line in lines:
        text = line.text.strip()
        if prev is not None and not line.block and not prev.block and out and _continues(
                prev, line, left, right, size, uses_indent):
            out[-1] = _join(out[-1], text, right - prev.x1, max(prev.size, 1.0))
        else:
            out.append(text)
        prev = line
    return out


def _continues(prev: Line, line: Line, left: float, right: float, size: float, uses_indent: bool) -> bool:
    """Whether `line` continues the paragraph `prev` ends (see the module docstring)."""
    unit = max(line.size or size, 1.0)
    if line.page == prev.page and line.top - prev.bottom > 2.5 * unit:  # a gap between blocks
        return False
    label = starts_numbered(line.text)
    ends_sentence = _SENTENCE_END.search(prev.text) is not None
    if _centred(prev, left, right, unit) or (
            _centred(line, left, right, unit)
            and abs((prev.x0 - left) - (right - prev.x1)) < 0.8 * unit):
        # a long centred heading (a title) wrapped onto a second centred line
        return (_centred(line, left, right, unit) and abs(line.size - prev.size) < 0.5
                and prev.x1 - prev.x0 >= right - left - 5 * unit and not ends_sentence and not label
                and line.page == prev.page)
    if prev.x1 < right - 2 * unit:  # the previous line ended before the right edge
        return False
    if line.x0 - left > 0.9 * unit:  # indented: a new paragraph
        return False
    if uses_indent:
        # indentation marks paragraphs: an unindented line continues, even if it happens
        # to start like a label ("一、应用便捷…" after a line broken mid-list)
        return not (label and ends_sentence)
    return not label and not ends_sentence


def _centred(line: Line, left: float, right: float, unit: float) -> bool:
    lgap, rgap = line.x0 - left, right - line.x1
    return lgap > 2 * unit and abs(lgap - rgap) < 2 * unit


def _join(a: str, b: str, gap: float = 0.0, unit: float = 10.0) -> str:
    """Join a line broken by the page width: no space, except between two ASCII words when
    the line broke at a space (it stopped short of the right edge)."""
    if (a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum()
            and gap >= 0.9 * unit):
        return a + " " + b
    return a + b
