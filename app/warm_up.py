"""What a first visit would wait for, done before the server answers (plangraph.app_server)."""
from __future__ import annotations

from plangraph.app.drawings import NETWORK_DEFAULTS, network_drawing
from plangraph.app.labels import ROLE_LABELS
from plangraph.app.queries import (Selection, co_responsibility, default_store_kind, documents, documents_all,
                                   gap_counts, gap_tasks, get_store, home_dir, regulations, store_version,
                                   tasks_of_unit, units_by_lead, workload)
from plangraph.app.tables import PAGE_SIZE
from plangraph.graph.store import GraphStore


def warm_up(kind: str | None = None, home: str | None = None) -> GraphStore:
    """Open the store the sidebar opens first, import the pages' libraries while the embedded
    graph is read, and fill the query cache with what the first visit of each page would ask:
    the sidebar's documents, and the store-wide answers the overview, units, network and gaps
    pages open with (asking them also indexes the graph, or opens Neo4j's connection and
    compiles its queries). Then make the drawing the network page opens with, the one page
    answer that takes seconds on a province's plans. The compare page's libraries are loaded
    too."""
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
    everything = Selection(kind, home, None, version)
    documents(everything)  # the home page's line (the sidebar's list: above)
    # the store-wide answers the overview, units, network and gaps pages open with
    load = workload(everything)
    regulations(everything)
    if load:  # the units page opens with the unit that leads most: its tasks per role, its partners
        first = units_by_lead(load)[0]
        for role in ROLE_LABELS:
            if getattr(first, role):
                tasks_of_unit(everything, first.unit, [role], limit=PAGE_SIZE)
        co_responsibility(everything, include_collective=False)
    counts = gap_counts(everything)
    for gap, total in counts.items():
        if total:
            gap_tasks(everything, gap, limit=PAGE_SIZE)
    network_drawing(everything, "unit_task", **NETWORK_DEFAULTS)
    return store
