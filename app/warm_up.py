"""What a first visit would wait for, done before the server answers (plangraph.app_server)."""
from __future__ import annotations

from plangraph.app.drawings import NETWORK_DEFAULTS, network_drawing
from plangraph.app.queries import (Selection, default_store_kind, documents, documents_all, get_store, home_dir,
                                   store_version)
from plangraph.graph.store import GraphStore


def warm_up(kind: str | None = None, home: str | None = None) -> GraphStore:
    """Open the store the sidebar opens first, import the pages' libraries while the embedded
    graph is read, fill the query cache with what every first page shows (the sidebar's
    documents), ask the store-wide questions of every document (so the graph is indexed,
    or Neo4j's connection is open and its queries are compiled), and make the drawing the
    network page opens with, the one page answer that takes seconds on a province's plans
    (it asks workload() and documents() itself). The compare page's libraries are loaded too."""
    kind = kind or default_store_kind()
    home = home or home_dir()
    store = get_store(kind, home)
    import altair  # noqa: F401 - the pages' own imports, done once per process
    import pandas  # noqa: F401

    from plangraph.graph.compare_text import load_libraries
    load_libraries(cutting=False)  # the compare page's libraries; it reads the stored key terms

    version = store_version(kind, home)
    if not documents_all(kind, home, version):  # a first start: the first page ingests the bundled plan
        return store
    documents(Selection(kind, home, None, version))  # the home page's line (the sidebar's list: above)
    store.gap_counts()
    store.regulations()
    network_drawing(Selection(kind, home, None, version), "unit_task", **NETWORK_DEFAULTS)
    return store
