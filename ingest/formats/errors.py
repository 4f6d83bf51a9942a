"""The one exception readers raise (re-exported as `ingest.read.InputError`)."""
from __future__ import annotations


def one_line(message: str) -> str:
    """Whitespace runs -> one space, other unprintable characters escaped: safe to print."""
    line = " ".join(str(message).split())
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in line)


class InputError(Exception):
    """A file we cannot read as a plan; the message is shown to the user as one line."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))
