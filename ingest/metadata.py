"""Document metadata from the head of the text: title, 发文字号, issuer, date.

Sources, best first: a page metadata table (gov.cn: 发文机关, 成文日期 …), the covering
notice ("X关于印发《Y》的通知" + signature + date), and the plan's own title line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from plangraph.ingest.clean import Line
from plangraph.ingest.whitespace import SPACE, strip_spaces

DOC_NUMBER = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,12}[〔［\[【(（]\s*\d{4}\s*[〕］\]】)）]\s*\d{1,4}\s*号")
DATE_LINE = re.compile(rf"^{SPACE}*(\d{{4}})\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日{SPACE}*$")
DATE_ANY = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
NOTICE = re.compile(r"^(?P<issuer>.{2,40}?)关于(?:印发|转发|下发)?《(?P<title>[^》]{2,80})》的通知$")
ISSUER_BEFORE_GUANYU = re.compile(r"^(?P<issuer>[\u4e00-\u9fff（）()]{2,40}?)关于")
TITLE_ENDINGS = ("方案", "规划", "意见", "通知", "办法", "计划", "纲要", "要点", "措施", "决定",
                 "细则", "规定", "清单", "分工", "行动", "指引", "条例", "报告", "安排")
TITLE_TAIL = re.compile(r"[(（][^()（）]{1,20}[)）]$")


@dataclass
class DocumentMeta:
    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    date: str | None = None


def iso_date(y: str, m: str, d: str) -> str | None:
    y_, m_, d_ = int(y), int(m), int(d)
    if 1 <= m_ <= 12 and 1 <= d_ <= 31:
        return f"{y_:04d}-{m_:02d}-{d_:02d}"
    return None


def _looks_like_title(text: str) -> bool:
    core = TITLE_TAIL.sub("", text)
    return 4 <= len(text) <= 80 and "。" not in text and "，" not in text and core.endswith(TITLE_ENDINGS)


def read_metadata(lines: list[Line], body_start: int, page_meta: dict[str, str]) -> DocumentMeta:
    """Metadata from lines before `body_start` (the first numbered item), plus the page table."""
    meta = DocumentMeta()
    head = [ln for ln in lines if ln.end < body_start and ln.junk is None and ln.text.strip()]
    texts = [strip_spaces(ln.text) for ln in head]

    if page_meta.get("doc_number"):
        meta.doc_number = page_meta["doc_number"]
    if page_meta.get("issuer"):
        meta.issuer = page_meta["issuer"]
    if page_meta.get("date"):
        m = DATE_ANY.search(page_meta["date"])
        meta.date = iso_date(*m.groups()) if m else None

    notice_title = None
    for t in texts[:6]:
        m = NOTICE.match(t)
        if m:
            notice_title = m.group("title")
            meta.issuer = meta.issuer or m.group("issuer")
            break

    if meta.doc_number is None:
        for t in texts[:12]:
            m = DOC_NUMBER.search(t)
            if m and len(t) < 40:
                meta.doc_number = m.group(0)
                break

    # signature and date: a short line followed by a date line
    for i, t in enumerate(texts):
        m = DATE_LINE.match(t)
        if m:
            meta.date = meta.date or iso_date(*m.groups())
            if i > 0 and meta.issuer is None and len(texts[i - 1]) <= 40 and "。" not in texts[i - 1]:
                meta.issuer = texts[i - 1]
            break
    if meta.date is None:
        tail = [ln.text.strip() for ln in lines if ln.start >= body_start and ln.junk is None and ln.text.strip()]
        for t in reversed(tail[-6:]):
            m = DATE_LINE.match(t)
            if m:
                meta.date = iso_date(*m.groups())
                break

    plain_titles = [t for t in texts if _looks_like_title(t) and not NOTICE.match(t)]
    if notice_title and any(t.replace(" ", "") == notice_title.replace(" ", "") for t in texts):
        meta.title = notice_title
    elif page_meta.get("title"):
        meta.title = page_meta["title"]
    elif plain_titles:
        meta.title = plain_titles[0]
    elif notice_title:
        meta.title = notice_title
    else:
        first = next((t for t in texts if 4 <= len(t) <= 60 and not any(p in t for p in "。，,；;")
                      and not t.endswith((":", "："))), None)
        meta.title = first
    if meta.issuer is None and meta.title:
        m = ISSUER_BEFORE_GUANYU.match(meta.title)
        if m:
            meta.issuer = m.group("issuer")
    return meta
