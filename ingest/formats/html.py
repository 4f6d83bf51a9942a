"""Saved web pages (.html/.htm, .mhtml) -> the article text and the page's metadata.

* Decoding: byte-order mark, else the page's declared charset (GB2312/GBK read as
  GB18030, their superset), else the same detection as plain text.
* The article body: the first known content container of Chinese government sites
  (gov.cn ``#UCAP-CONTENT``, ``.pages_content``, Hanweb ``#zoom``, TRS ``.TRS_Editor`` ...);
  failing that, the block holding most paragraph text outside links.  Scripts, styles,
  navigation, headers, footers, forms and share widgets are dropped.
* Page metadata tables (索引号 / 发文机关 / 发文字号 / 成文日期 / 标题 ...) become
  `metadata` ("index_no", "issuer", "doc_number", "date" (ISO), "title", ...) and are
  not part of the text.  The title line is put first when the body lacks it.
* Text: one line per block element; whitespace collapsed as a browser would (a line
  break between two CJK characters disappears); a data table gives one line per row,
  cells separated by tabs, and a task-division table gives numbered task lines.

Parsing uses BeautifulSoup over lxml; nothing in the page is fetched or executed.
"""
from __future__ import annotations

import email
import email.policy
import re

from plangraph.ingest.formats.errors import InputError
from plangraph.ingest.formats.tables import table_lines
from plangraph.ingest.clean import page_metadata_labels
from plangraph.ingest.formats.text import Decoded, _attempt, _finish, decode_bytes, is_cjk
from plangraph.ingest.numerals import chinese_to_int

_META_CHARSET = re.compile(rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]{2,30})""", re.I)
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
                    "gb_2312-80": "gb18030", "euc-cn": "gb18030", "big5": "big5hkscs", "utf8": "utf-8"}

# Content containers of government CMSs, most specific first.
CONTENT_SELECTORS = (
    "#UCAP-CONTENT", ".pages_content", "#zoom", "#Zoom", ".TRS_Editor", ".trs_editor_view",
    ".TRS_UEDITOR", "#content_body", ".article-content", ".article_content", ".art_con",
    ".artcon", "#ArticleContent", ".zw", "#zw", ".view.TRS_UEDITOR", ".content_text",
    ".news_content", "#fontzoom", ".main-txt", "#xxgk_content", "article",
)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
              "canvas", "nav", "header", "footer", "form", "button", "select", "input",
              "textarea", "map", "audio", "video", "head", "link", "meta")
_JUNK_CLASS = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumb|crumb|footer|foot|header|top-?bar|share|bdshare|"
    r"qrcode|ewm|erweima|print|login|search|sidebar|side|related|copyright|toolbar|weixin|"
    r"position|location|dqwz|tools?)([\s_-]|$)", re.I)
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5",
          "h6", "table", "tr", "section", "article", "main", "blockquote", "pre", "hr",
          "center", "caption", "figure", "figcaption", "address", "aside", "tbody", "thead",
          "tfoot", "body", "html", "form", "fieldset", "details", "summary", "td", "th"}
_WS = re.compile(r"[ \t\n\r\f]+")

META_LABELS = page_metadata_labels()  # label (spaces removed) -> metadata key
_LABEL = re.compile(r"^\s*(" + "|".join(sorted(META_LABELS, key=len, reverse=True)) + r")\s*[:：]\s*(.*)$")
_DATE_KEYS = ("date", "published")


def decode_html(data: bytes, what: str) -> Decoded:
    from plangraph.ingest.formats.text import BOMS

    if any(data.startswith(bom) for bom, _ in BOMS):
        return decode_bytes(data, what)
    m = _META_CHARSET.search(data[:8192])
    if m:
        declared = m.group(1).decode("ascii").lower()
        declared = _CHARSET_ALIASES.get(declared, declared)
        try:
            import codecs
            codecs.lookup(declared)
        except LookupError:
            declared = None
        if declared and declared not in ("iso-8859-1", "latin-1", "windows-1252", "cp1252", "ascii", "us-ascii"):
            attempt = _attempt(data, declared)
            if attempt.acceptable(len(data)):
                return _finish(attempt, len(data), what)
    return decode_bytes(data, what)


def read_mhtml(data: bytes, what: str) -> tuple[str, dict[str, str], list[str]]:
    """A page saved as a web archive (.mht/.mhtml): read its first HTML part."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset()
            if charset and not re.search(rb"charset", payload[:4096], re.I):
                payload = f'<meta charset="{charset}">'.encode("ascii", "ignore") + payload
            return read_html(payload, what)
    raise InputError(f"{what}: web archive without an HTML page")


def read_html(data: bytes, what: str) -> tuple[str, dict[str, str], list[str]]:
    """(text, metadata, warnings) of a saved web page."""
    from bs4 import BeautifulSoup

    decoded = decode_html(data, what)
    try:
        soup = BeautifulSoup(decoded.text, "lxml")
    except Exception as err:  # lxml copes with nearly anything; be safe
        raise InputError(f"{what}: cannot parse the page ({type(err).__name__})") from None
    metadata = _page_metadata(soup)
    _remove_metadata_tables(soup)
    root = _content_root(soup)
    lines = _block_lines(root)
    title = metadata.get("title")
    if title and lines:
        head = "".join("".join(lines[:4]).split())
        if "".join(title.split()) not in head:
            lines.insert(0, title)
    elif title and not lines:
        lines = [title]
    return "\n".join(lines), metadata, decoded.warnings


# ---------------------------------------------------------------- metadata

def iso_date(text: str) -> str | None:
    """'2018年11月07日', '2018-11-07 10:00', '二〇二二年六月二十日' -> '2018-11-07'."""
    m = re.search(r"(\d{4})\s*[年\-/.．]\s*(\d{1,2})\s*[月\-/.．]\s*(\d{1,2})", text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = re.search(r"([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日", text)
        if not m:
            return None
        y, mo, d = (chinese_to_int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1900 <= y <= 2200):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _clean(text: str) -> str:
    """An element's text on one line, whitespace as a browser shows it."""
    return " ".join(_collapse(text).split())


def _page_metadata(soup) -> dict[str, str]:
    found: dict[str, str] = {}
    for cell in _label_cells(soup):
        text = _compact(cell.get_text(" "))
        m = _LABEL.match(text) or _LABEL.match(text + "：")
        if not m:
            continue
        key = META_LABELS[m.group(1)]
        value = _clean(m.group(2)) if m.group(2).strip() else _value_after(cell)
        if value and key not in found and not _LABEL.match(_compact(value)):
            found[key] = value
    for key in _DATE_KEYS:
        if key in found:
            iso = iso_date(found[key])
            if iso:
                found[key] = iso
            else:
                del found[key]
    metas = {(m.get("name") or m.get("property") or "").lower(): _clean(m.get("content") or "")
             for m in soup.find_all("meta")}
    if "title" not in found:
        title = metas.get("articletitle") or metas.get("og:title") or ""
        if not title:
            h1 = soup.find("h1")
            title = _clean(h1.get_text()) if h1 else ""
        if not title and soup.title:
            title = re.split(r"\s*(?:_|\s-\s|\||｜|—{1,2})\s*", _clean(soup.title.get_text()))[0]
        if title:
            found["title"] = title
    if "published" not in found:
        for name in ("pubdate", "publishdate", "firstpublishedtime", "article:published_time"):
            iso = iso_date(metas.get(name, ""))
            if iso:
                found["published"] = iso
                break
    if "issuer" not in found and metas.get("contentsource") and "政府网" not in metas["contentsource"]:
        found["source"] = found.get("source") or metas["contentsource"]
    return {k: v for k, v in found.items() if v}


def _compact(text: str) -> str:
    """Label text with the spaces that pad 标  题 / 索 引 号 removed."""
    text = text.replace("\xa0", " ").replace("\u3000", " ").strip()
    m = re.match(r"^([^:：]{1,12})([:：].*)?$", text, re.S)
    if not m:
        return text
    return re.sub(r"\s+", "", m.group(1)) + (m.group(2) or "")


def _label_cells(soup):
    """Small elements whose text starts with a metadata label."""
    for el in soup.find_all(["td", "th", "li", "dt", "dd", "span", "p", "div", "b", "strong", "label", "em"]):
        text = el.get_text(" ", strip=True)
        if not text or len(text) > 200:
            continue
        if _LABEL.match(_compact(text)) or _LABEL.match(_compact(text) + "："):
            if el.find(["td", "li", "p", "div", "table"]) is None or el.name in ("td", "th"):
                yield el


def _value_after(cell) -> str:
    """The value of a label cell with nothing after the label: the next cell's text."""
    node = cell
    for _ in range(3):
        sibling = node.find_next_sibling()
        if sibling is not None:
            return _clean(sibling.get_text())
        text = "".join(s for s in node.next_siblings if isinstance(s, str)).strip()
        if text:
            return _clean(text)
        node = node.parent
        if node is None or node.name in ("tr", "table", "ul", "body"):
            break
    return ""


def _is_metadata_table(table) -> bool:
    labels = set()
    for cell in table.find_all(["td", "th", "li", "span", "b", "strong"]):
        m = _LABEL.match(_compact(cell.get_text(" ", strip=True)) + "：") or _LABEL.match(
            _compact(cell.get_text(" ", strip=True)))
        if m:
            labels.add(META_LABELS[m.group(1)])
    return len(labels) >= 3


def _remove_metadata_tables(soup) -> None:
    for table in soup.find_all(["table", "ul", "dl", "div"]):
        if table.decomposed:
            continue
        if table.name == "div" and table.find(["p", "table"]) is not None:
            continue
        if len(table.get_text(strip=True)) < 600 and _is_metadata_table(table):
            if table.find(("table", "ul")) is not None and table.name == "table":
                inner = [t for t in table.find_all("table") if _is_metadata_table(t)]
                if inner:
                    continue  # remove the innermost instead
            table.decompose()


# ---------------------------------------------------------------- article body

def _content_root(soup):
    for tag in soup.find_all(_DROP_TAGS):
        if tag.name in ("header", "footer", "nav", "form") and tag.find(id="UCAP-CONTENT"):
            continue
        tag.decompose()
    for selector in CONTENT_SELECTORS:
        try:
            found = soup.select(selector)
        except Exception:
            continue
        found = [f for f in found if len(f.get_text(strip=True)) >= 50]
        if found:
            return max(found, key=lambda f: len(f.get_text(strip=True)))
    body = soup.body or soup
    for tag in body.find_all(True):
        if tag.decomposed:
            continue
        ident = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
        if ident.strip() and _JUNK_CLASS.search(ident) and len(tag.find_all("p")) < 3:
            tag.decompose()
    scores: dict[int, float] = {}
    nodes: dict[int, object] = {}
    for p in body.find_all(["p", "br"]) + [d for d in body.find_all("div") if d.find(["div", "p", "table"]) is None]:
        holder = p.parent if p.name in ("p", "br") else p
        if holder is None:
            continue
        text = p.get_text(strip=True) if p.name != "br" else ""
        links = sum(len(a.get_text(strip=True)) for a in p.find_all("a")) if p.name != "br" else 0
        weight = max(len(text) - 2 * links, 0) + (5 if p.name == "br" else 0)
        for up, factor in ((holder, 1.0), (holder.parent, 0.5)):
            if up is not None:
                scores[id(up)] = scores.get(id(up), 0) + weight * factor
                nodes[id(up)] = up
    if not scores:
        return body
    best = nodes[max(scores, key=scores.get)]
    return best


def _block_lines(root) -> list[str]:
    from bs4 import NavigableString, Tag
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = _collapse("".join(current))
        current.clear()
        if text:
            lines.append(text)

    def walk(node, pre: bool = False) -> None:
        for child in node.children:
            if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                current.append(str(child) if not pre else str(child).replace("\n", "\x00"))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name == "br":
                current.append("\x00")
                continue
            if name == "table" and child.find("table") is None:
                flush()
                lines.extend(_table(child))
                continue
            block = name in _BLOCK
            if block:
                flush()
            walk(child, pre or name == "pre")
            if block:
                flush()

    walk(root)
    flush()
    return lines


def _collapse(text: str) -> str:
    """Browser whitespace: runs collapse to one space, but vanish between CJK characters
    when they contain a line break; explicit breaks (\\x00) become line breaks."""
    out = []
    for segment in text.split("\x00"):
        segment = segment.replace("\xa0", " ")

        def repl(m: re.Match[str]) -> str:
            before = segment[m.start() - 1] if m.start() > 0 else ""
            after = segment[m.end()] if m.end() < len(segment) else ""
            if "\n" in m.group(0) and before and after and is_cjk(before) and is_cjk(after):
                return ""
            return " "

        out.append(_WS.sub(repl, segment).strip(" "))
    return "\n".join(s for s in out if s.strip())


def _table(table) -> list[str]:
    rows: list[list[str]] = []
    spans: dict[int, tuple[int, str]] = {}  # column -> (rows left, text) for rowspan
    for tr in table.find_all("tr"):
        row: list[str] = []
        col = 0
        cells = tr.find_all(["td", "th"], recursive=False)
        queue = list(cells)
        while queue or col in spans:
            if col in spans:
                left, text = spans[col]
                row.append(text)
                if left <= 1:
                    del spans[col]
                else:
                    spans[col] = (left - 1, text)
                col += 1
                continue
            cell = queue.pop(0)
            text = "\n".join(_block_lines(cell))
            colspan = _span(cell.get("colspan"))
            rowspan = _span(cell.get("rowspan"))
            for _ in range(colspan):
                if rowspan > 1:
                    spans[col] = (rowspan - 1, text)
                row.append(text)
                col += 1
        rows.append(row)
    return table_lines(rows)[0]


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 100))
    except (TypeError, ValueError):
        return 1
