"""The one error the graph layer shows its users."""
from __future__ import annotations


class StoreError(Exception):
    """A store problem shown to the user as one line (no traceback): a bad store file or
    folder, an unreachable server, a bad argument."""


class StoreUnavailable(StoreError):
    """The store stopped answering (Neo4j down, the file locked by another writer for
    too long): a writer gives up on the rest instead of waiting for each document."""
