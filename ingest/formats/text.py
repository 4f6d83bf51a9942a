"""Bytes -> str for plain-text plans: BOM, UTF-8, GB18030 (GBK, GB2312), then detection.

Nothing is changed in the decoded text except: a BOM is not part of the text, and a
final multibyte character cut off by truncation is dropped (with a warning).  Newlines
are normalised by the caller (`ingest.read.normalise_newlines`).

Order of decisions (first that holds wins):
1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE, GB18030) names the encoding;
2. a known binary signature (PNG, JPEG, zip, PDF, OLE2 .doc, ...) or NUL bytes -> not text
   (unless charset-normalizer is confident the NULs are BOM-less UTF-16/32);
3. valid UTF-8 (a truncated last character and at most 0.1 % bad bytes tolerated);
4. valid GB18030, a superset of GBK and GB2312 (same tolerance), unless the result is
   full of private-use characters and charset-normalizer finds a better fit (Big5);
5. charset-normalizer, restricted to encodings a Chinese plan may come in (Big5, UTF-16/32);
6. otherwise an error.  Decoded text with many control characters is refused as binary.
"""
from __future__ import annotations

import codecs
import re
import threading
import unicodedata
from dataclasses import dataclass, field

from plangraph.ingest.formats.errors import InputError

# At most this fraction of the bytes may be undecodable (each replaced by U+FFFD, with a
# warning); more than that means a wrong encoding or a damaged/binary file.
MAX_BAD_FRACTION = 0.001
# Decoded text with more C0 control characters (other than tab, newline, CR, FF, VT)
# than this fraction is not a text document.
MAX_CONTROL_FRACTION = 0.005
# control characters other than \t \n \v \f \r, and DEL
CONTROL_CHAR = re.compile("[\x00-\x08\x0e-\x1f\x7f]")

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: FF FE 00 00
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (b"\x84\x31\x95\x33", "gb18030"),
)

# Signatures of formats that are certainly not a text plan, for a clear message.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "a zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old binary Office file (.doc/.xls/.wps)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"{\\rtf", "an RTF document (save it as .docx or .txt)"),
)

# charset-normalizer's answers we trust for a Chinese plan when UTF-8 and GB18030 fail.
DETECTABLE = {"big5", "big5hkscs", "cp950", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be",
              "utf-16", "utf-32", "hz"}

# GB18030 text with more private-use characters than this is probably not GB18030.
MAX_PRIVATE_USE = 0.002

# Where a plan's characters lie: ASCII and Latin-1, general punctuation, number forms and
# enclosed numbers (Ⅳ ①), box drawing (tables), CJK symbols and punctuation, enclosed CJK
# (㈠), CJK ideographs (with extension A and compatibility forms), vertical and full-width
# forms. Any byte pairs decode as UTF-16, mostly into Hangul, Yi, rare scripts and unassigned
# code points, so UTF-16/32 without a byte-order mark is believed only for at least
# MIN_DETECTED_CHARS characters of which MIN_PLAN_CHAR_SHARE lie here (16 random
# characters: about 1 in a million; 4 could be any four ideographs).
PLAN_CHAR_RANGES = ((0x09, 0x0D), (0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2150, 0x218F),
                    (0x2460, 0x24FF), (0x2500, 0x257F), (0x3000, 0x303F), (0x3200, 0x32FF),
                    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE10, 0xFE4F),
                    (0xFF00, 0xFFEF))
MIN_PLAN_CHAR_SHARE = 0.9
MIN_DETECTED_CHARS = 16

_TRUNCATION_REASONS = ("unexpected end of data", "incomplete multibyte sequence", "truncated data")
_local = threading.local()


def _count_errors(err: UnicodeDecodeError) -> tuple[str, int]:
    _local.errors.append((err.start, err.end, err.reason))
    return "\ufffd", err.end


codecs.register_error("plangraph-count", _count_errors)


@dataclass
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Attempt:
    encoding: str
    text: str
    bad_bytes: int  # undecodable bytes in the middle
    truncated: bool  # a cut-off final character was dropped

    def acceptable(self, size: int) -> bool:
        return self.bad_bytes <= int(size * MAX_BAD_FRACTION)


def _attempt(data: bytes, encoding: str) -> _Attempt:
    try:
        return _Attempt(encoding, data.decode(encoding), 0, False)
    except UnicodeDecodeError:
        pass
    _local.errors = []
    try:
        text = data.decode(encoding, "plangraph-count")
        errors = _local.errors
    finally:
        _local.errors = []
    truncated = False
    if errors:
        start, end, reason = errors[-1]
        if end == len(data) and end - start < 4 and reason in _TRUNCATION_REASONS and text.endswith("\ufffd"):
            text = text[:-1]
            errors = errors[:-1]
            truncated = True
    bad = sum(end - start for start, end, _ in errors)
    return _Attempt(encoding, text, bad, truncated)


def _finish(attempt: _Attempt, size: int, what: str) -> Decoded:
    warnings: list[str] = []
    if attempt.truncated:
        warnings.append(f"{what}: the file ends in the middle of a character (truncated?); "
                        "the incomplete last character was dropped")
    if attempt.bad_bytes:
        warnings.append(f"{what}: {attempt.bad_bytes} undecodable byte(s) in {attempt.encoding} "
                        "were replaced by U+FFFD")
    _refuse_control_characters(attempt.text, what)
    return Decoded(attempt.text, attempt.encoding, warnings)


def _refuse_control_characters(text: str, what: str) -> None:
    if not text:
        return
    sample = text[:200_000]
    controls = len(CONTROL_CHAR.findall(sample))
    if "\x00" in sample or controls > len(sample) * MAX_CONTROL_FRACTION:
        raise InputError(f"{what}: binary data, not a text plan")


def _plan_char_share(text: str) -> float:
    """The share of `text` (a sample) in PLAN_CHAR_RANGES."""
    sample = text[:20_000]
    if not sample:
        return 1.0
    inside = sum(1 for ch in sample if any(lo <= ord(ch) <= hi for lo, hi in PLAN_CHAR_RANGES))
    return inside / len(sample)


def _private_use_share(text: str) -> float:
    sample = text[:100_000]
    if not sample:
        return 0.0
    return sum(1 for ch in sample if "\ue000" <= ch <= "\uf8ff") / len(sample)


def signature(data: bytes) -> str | None:
    """What a binary file is, from its first bytes; None when no signature matches."""
    for magic, name in SIGNATURES:
        if data.startswith(magic):
            return name
    return None


def _detect(data: bytes) -> str | None:
    """charset-normalizer's best guess among DETECTABLE encodings, or None."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    name = codecs.lookup(best.encoding).name
    return name if name in DETECTABLE else None


def decode_bytes(data: bytes, what: str = "file") -> Decoded:
    """Decode a text file's bytes; InputError if they are not text in a known encoding.

    `what` names the file in messages.
    """
    size = len(data)
    for bom, encoding in BOMS:
        if data.startswith(bom):
            attempt = _attempt(data[len(bom):], encoding)
            if not attempt.acceptable(size):
                raise InputError(f"{what}: starts with a {encoding} byte-order mark but "
                                 f"{attempt.bad_bytes} bytes are not valid {encoding}")
            return _finish(attempt, size, what)

    kind = signature(data)
    if kind:
        raise InputError(f"{what}: this is {kind}, not a text plan")
    if b"\x00" in data[:65536]:
        encoding = _detect(data)
        if encoding and encoding.startswith(("utf-16", "utf-32")):
            attempt = _attempt(data, encoding)
            if attempt.acceptable(size) and len(attempt.text) >= MIN_DETECTED_CHARS \
                    and _plan_char_share(attempt.text) >= MIN_PLAN_CHAR_SHARE:
                return _finish(attempt, size, what)
        raise InputError(f"{what}: binary data (contains NUL bytes), not a text plan")

    utf8 = _attempt(data, "utf-8")
    if utf8.acceptable(size):
        return _finish(utf8, size, what)
    gb = _attempt(data, "gb18030")
    if gb.acceptable(size):
        if _private_use_share(gb.text) > MAX_PRIVATE_USE:
            # GB18030 decodes almost any byte pairs; private-use characters in the result
            # say it is really another double-byte encoding (Big5 ...)
            encoding = _detect(data)
            if encoding and encoding != "gb18030":
                other = _attempt(data, encoding)
                if other.acceptable(size) and _private_use_share(other.text) < _private_use_share(gb.text):
                    return _finish(other, size, what)
        return _finish(gb, size, what)
    encoding = _detect(data)
    if encoding:
        attempt = _attempt(data, encoding)
        if attempt.acceptable(size):
            return _finish(attempt, size, what)
    best = min((utf8, gb), key=lambda a: a.bad_bytes)
    share = best.bad_bytes / max(size, 1)
    raise InputError(f"{what}: not readable text: {share:.1%} of the bytes are not valid in "
                     f"{best.encoding} (the best of UTF-8, GB18030 and detected encodings); "
                     "the file is damaged, binary or in an unknown encoding")


def is_cjk(ch: str) -> bool:
    """A character of East Asian width W or F (Han, kana, full-width punctuation)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")
