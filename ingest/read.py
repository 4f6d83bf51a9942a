"""Read a plan file into text: .txt (any common Chinese encoding), saved web pages, .docx, .pdf.

`read_document(path) -> RawDocument(path, text, format, metadata, warnings, encoding)`.
Offsets everywhere count characters of `RawDocument.text` (SCHEMA.md: CRLF and CR read as
LF).  For .txt that text is the decoded file and nothing else changed (no line is dropped:
the pipeline drops web-page junk itself); for the other formats it is the text the
reader lays out (one line per paragraph, table rows as lines).

Anything that is not a readable plan raises `InputError` with a one-line message, before
anything is returned: a missing path, a folder, an empty or binary file, a file over the
size limit (checked before reading; at most the limit is ever read), undecodable text.
Document text is data: nothing in it is executed, fetched or interpreted as markup
beyond the format's own structure.

`iter_documents(folder)` reads every plan file under a folder, yielding errors per file.
"""
from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from plangraph.ingest.formats.errors import InputError, one_line
from plangraph.ingest.formats.text import decode_bytes, signature

__all__ = ["InputError", "RawDocument", "decode", "normalise_newlines", "read_document",
           "iter_documents", "MAX_TEXT_BYTES", "MAX_FILE_BYTES", "SUFFIXES"]

# A text file (or saved page) larger than this is refused, and so is extracted text
# larger than this from any format.
MAX_TEXT_BYTES = 20 * 1024 * 1024
# .docx / .pdf / .mhtml files carry images and fonts: a larger file limit.
MAX_FILE_BYTES = 200 * 1024 * 1024

SUFFIXES = {
    ".txt": "txt", ".text": "txt",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
    ".mht": "mhtml", ".mhtml": "mhtml",
    ".docx": "docx", ".pdf": "pdf",
}


@dataclass
class RawDocument:
    path: str
    text: str
    format: str = "txt"  # "txt" | "html" | "docx" | "pdf"
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None  # of a .txt / .html file


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes) -> str:
    """Decode a text file's bytes (BOM, UTF-8, GB18030, UTF-16/32, Big5); refuse binary data."""
    return decode_bytes(data).text


def _label(path: str | Path) -> str:
    return one_line(str(path))


def _read_bounded(p: Path, limit: int, what: str) -> bytes:
    try:
        with p.open("rb") as handle:
            data = handle.read(limit + 1)
    except PermissionError:
        raise InputError(f"{what}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{what}: is a folder, not a file") from None
    except OSError as err:
        raise InputError(f"{what}: cannot read ({err.strerror or type(err).__name__})") from None
    if len(data) > limit:
        raise InputError(f"{what}: larger than the {limit // 2**20} MB limit for this kind of file")
    return data


def _sniff(head: bytes, suffix: str) -> str:
    """The format to read: from the content where it is certain, else from the suffix."""
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024] and suffix == ".pdf":
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"  # checked further by the .docx reader
    if suffix in SUFFIXES and SUFFIXES[suffix] in ("html", "mhtml", "txt"):
        if suffix in (".mht", ".mhtml") or (SUFFIXES[suffix] == "html" and _looks_mime(head)):
            return "mhtml"
        return SUFFIXES[suffix]
    kind = signature(head)
    if suffix == ".pdf":
        raise InputError("not a PDF file (no %PDF- header)" + (f"; this is {kind}" if kind else ""))
    if suffix == ".docx":
        raise InputError("not a .docx file (not a zip archive)" + (f"; this is {kind}" if kind else ""))
    if _looks_mime(head):
        return "mhtml"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")) or (b"<html" in start and b"<body" in start):
        return "html"
    return "txt"  # .doc saved as HTML is caught above; real binaries fail in decoding


def _looks_mime(head: bytes) -> bool:
    lower = head[:4096].lower()
    return b"mime-version:" in lower and b"multipart/related" in lower


def read_document(path: str | Path) -> RawDocument:
    """Read one plan file; InputError (one line) for anything that is not a readable plan."""
    what = _label(path)
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError(f"no such file: {what}") from None
    except PermissionError:
        raise InputError(f"{what}: permission denied") from None
    except (OSError, ValueError) as err:
        raise InputError(f"{what}: cannot read ({getattr(err, 'strerror', None) or type(err).__name__})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{what}: is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{what}: not a regular file")
    if st.st_size == 0:
        raise InputError(f"{what}: empty file")
    if st.st_size > MAX_FILE_BYTES:
        raise InputError(f"{what}: {st.st_size // 2**20} MB, larger than the {MAX_FILE_BYTES // 2**20} MB limit")

    suffix = p.suffix.lower()
    try:
        with p.open("rb") as handle:
            head = handle.read(8192)
    except PermissionError:
        raise InputError(f"{what}: permission denied") from None
    except OSError as err:
        raise InputError(f"{what}: cannot read ({err.strerror or type(err).__name__})") from None
    try:
        fmt = _sniff(head, suffix)
    except InputError as err:
        raise InputError(f"{what}: {err}") from None

    if fmt in ("txt", "html") and st.st_size > MAX_TEXT_BYTES:
        raise InputError(f"{what}: {st.st_size / 2**20:.1f} MB, larger than the "
                         f"{MAX_TEXT_BYTES // 2**20} MB limit for text")
    encoding = None
    if fmt == "txt":
        data = _read_bounded(p, MAX_TEXT_BYTES, what)
        decoded = decode_bytes(data, what)
        text, metadata, warnings, encoding = decoded.text, {}, decoded.warnings, decoded.encoding
    elif fmt == "html":
        from plangraph.ingest.formats.html import read_html

        text, metadata, warnings = read_html(_read_bounded(p, MAX_TEXT_BYTES, what), what)
    elif fmt == "mhtml":
        from plangraph.ingest.formats.html import read_mhtml

        text, metadata, warnings = read_mhtml(_read_bounded(p, MAX_FILE_BYTES, what), what)
        fmt = "html"
    elif fmt == "docx":
        from plangraph.ingest.formats.docx import read_docx

        text, metadata, warnings = read_docx(p, what)
    else:
        from plangraph.ingest.formats.pdf import read_pdf

        text, metadata, warnings = read_pdf(p, what, MAX_TEXT_BYTES)
    if len(text) > MAX_TEXT_BYTES:
        raise InputError(f"{what}: more than {MAX_TEXT_BYTES // 2**20} MB of text, over the limit")
    text = normalise_newlines(text)
    if not text.strip():
        raise InputError(f"{what}: empty file (no text)" if fmt == "txt" else f"{what}: no text found in this {fmt} file")
    return RawDocument(path=str(path), text=text, format=fmt, metadata=metadata,
                       warnings=list(warnings), encoding=encoding)


def iter_documents(folder: str | Path, recursive: bool = True) -> Iterator[tuple[Path, RawDocument | InputError]]:
    """(path, document or the InputError it raised) for every plan file under `folder`,
    in sorted path order; files with other suffixes and hidden files are skipped."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"not a folder: {_label(folder)}")
    pattern = "**/*" if recursive else "*"
    for path in sorted(root.glob(pattern)):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if path.suffix.lower() not in SUFFIXES or not path.is_file():
            continue
        try:
            yield path, read_document(path)
        except InputError as err:
            yield path, err
