"""Split the text into lines and mark the ones that are web-page or file junk.

Nothing is deleted: junk lines are flagged, so offsets into the text stay valid.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from plangraph.ingest.resources import load_tsv
from plangraph.ingest.vocab import vocabulary
from plangraph.ingest.whitespace import SPACE, remove_spaces, strip_spaces

# gov.cn and similar pages put a metadata table above the article: "索 引 号：", "发文字号：" …
# (data/page_metadata.tsv, shared with the HTML reader).
_META_LINE = re.compile(rf"^{SPACE}*([\u4e00-\u9fff](?:[\u4e00-\u9fff]|{SPACE}){{0,8}})[:：]{SPACE}*(.*)$")


@lru_cache(maxsize=1)
def page_metadata_labels() -> dict[str, str]:
    """Page metadata label (spaces removed) -> metadata key, from data/page_metadata.tsv."""
    return {r["label"]: r["key"] for r in load_tsv("page_metadata.tsv")}


# "附件：" opening the list of attachments under a notice
ATTACHMENT_LIST = re.compile(SPACE + "*附件" + SPACE + "*[:：]" + SPACE + "*")


@dataclass
class Line:
    start: int
    end: int  # offset of the line's end (before "\n")
    text: str
    junk: str | None = None  # why this line is not plan text


def split_lines(text: str) -> list[Line]:
    lines, pos = [], 0
    for raw in text.split("\n"):
        lines.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return lines


def _meta_key(label: str) -> str | None:
    return page_metadata_labels().get(remove_spaces(label))


def mark_junk(lines: list[Line]) -> dict[str, str]:
    """Flag junk lines in place; return the page metadata table found on the way."""
    vocab = vocabulary()
    metadata: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = strip_spaces(line.text)
        for pattern, reason in vocab.junk_patterns:
            if pattern.search(stripped):
                line.junk = reason
                break
        m = _META_LINE.match(line.text)
        key = _meta_key(m.group(1)) if m else None
        if key and line.junk is None and len(stripped) < 80:
            line.junk = "page metadata"
            value = m.group(2).strip()
            # the value often stands on the next line ("发文字号：\n国发〔2018〕38号")
            if not value and i + 1 < len(lines) and not _meta_key_line(lines[i + 1].text):
                nxt = lines[i + 1]
                value = nxt.text.strip()
                if len(value) < 60:
                    nxt.junk = "page metadata"
                    i += 1
                else:
                    value = ""
            if value and key not in metadata:
                metadata[key] = value
        i += 1
    _mark_attachment_lists(lines)
    return metadata


def _mark_attachment_lists(lines: list[Line]) -> None:
    """Flag the list of attachments under a notice ("附件：1．XX任务分工表" / "2．YY表"): its
    numbers are titles, not items of the plan, and would make the task before them a parent."""
    from plangraph.ingest.numbering import match_label  # numbering reads no line flags; a late import keeps clean.py first

    for i, line in enumerate(lines):
        m = ATTACHMENT_LIST.match(line.text)
        if line.junk is not None or not m:
            continue
        first = match_label(line.text[m.end():], 0) if line.text[m.end():].strip() else None
        if line.text[m.end():].strip() and (first is None or first.number != 1):
            continue  # 附件：某某清单 (one attachment named): its content follows
        line.junk = "attachment list"
        expected = 2 if first else 1
        for nxt in lines[i + 1:]:
            if not nxt.text.strip():
                continue
            label = match_label(nxt.text, 0)
            if label is None or label.number != expected or "。" in nxt.text or len(strip_spaces(nxt.text)) > 60:
                break
            nxt.junk = "attachment list"
            expected += 1


def _meta_key_line(text: str) -> bool:
    m = _META_LINE.match(text)
    return bool(m and _meta_key(m.group(1)))
