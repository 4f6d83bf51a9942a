"""Where PlanGraph's Neo4j store connects: settings from the environment, and a driver.

Environment (all optional):
  NEO4J_URI       default bolt://127.0.0.1:<PLANGRAPH_NEO4J_PORT or 7687>, the local
                  server that `plangraph neo4j start` runs
  NEO4J_USER      default neo4j
  NEO4J_PASSWORD  default none: no authentication (the local server has auth disabled)
  NEO4J_DATABASE  default neo4j (Community edition has this one user database)
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the driver is imported when a connection is made: query commands start fast
    import neo4j

DEFAULT_PORT = 7687
DEFAULT_USER = "neo4j"
DEFAULT_DATABASE = "neo4j"


def default_port() -> int:
    """The local server's Bolt port: env PLANGRAPH_NEO4J_PORT, else 7687."""
    raw = os.environ.get("PLANGRAPH_NEO4J_PORT", "").strip()
    if not raw:
        return DEFAULT_PORT
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"PLANGRAPH_NEO4J_PORT must be a port number, not {raw!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"PLANGRAPH_NEO4J_PORT out of range: {port}")
    return port


def local_uri(port: int | None = None) -> str:
    """The Bolt URI of the local server on `port` (default: `default_port()`)."""
    return f"bolt://127.0.0.1:{port or default_port()}"


@dataclass(frozen=True)
class Neo4jSettings:
    """How to reach Neo4j. `password=None` means no authentication."""

    uri: str
    user: str
    password: str | None
    database: str

    @property
    def auth(self) -> tuple[str, str] | None:
        """Basic-auth tuple for the driver, or None when no password is set."""
        return (self.user, self.password) if self.password else None


def neo4j_settings() -> Neo4jSettings:
    """Read NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE (with defaults)."""
    return Neo4jSettings(
        uri=os.environ.get("NEO4J_URI", "").strip() or local_uri(),
        user=os.environ.get("NEO4J_USER", "").strip() or DEFAULT_USER,
        password=os.environ.get("NEO4J_PASSWORD") or None,
        database=os.environ.get("NEO4J_DATABASE", "").strip() or DEFAULT_DATABASE,
    )


def open_driver(settings: Neo4jSettings | None = None, **driver_options: object) -> "neo4j.Driver":
    """A driver for `settings` (default: `neo4j_settings()`); basic auth only if a password is set.

    The driver connects lazily: call `verify_connectivity()` to check the server answers.
    """
    import neo4j
    settings = settings or neo4j_settings()
    return neo4j.GraphDatabase.driver(settings.uri, auth=settings.auth, **driver_options)
