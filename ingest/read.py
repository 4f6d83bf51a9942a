"""Read a plan file into text: decode bytes, normalise newlines, nothing else changed.

Offsets everywhere count characters of the text this returns (SCHEMA.md: CRLF and CR
read as LF).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class InputError(Exception):
    """A file we cannot read as a plan; the message is shown to the user as one line."""


@dataclass
class RawDocument:
    path: str
    text: str
    format: str = "txt"
    metadata: dict[str, str] = field(default_factory=dict)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or GB18030; refuse binary data."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("binary file, not a text plan")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError("cannot decode the file as UTF-8 or GB18030")


def read_document(path: str | Path) -> RawDocument:
    p = Path(path)
    if not p.exists():
        raise InputError(f"no such file: {path}")
    if p.is_dir():
        raise InputError(f"is a folder, not a file: {path}")
    data = p.read_bytes()
    if not data.strip():
        raise InputError(f"empty file: {path}")
    return RawDocument(path=str(path), text=normalise_newlines(decode(data)))
