"""The network page's drawings, made once per selection and filters and shared by every session.

A drawing is the one page answer that takes seconds on a province's plans, so it is a
`st.cache_resource` (one shared object, not a copy per hit) and `app.warm_up` makes the one
the network page opens with before the server answers.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from plangraph.app.labels import ROLE_LABELS
from plangraph.app.queries import Selection, get_store, units_info

# The network page's filters as it opens (its widgets start from these values), so the drawing
# it opens with can be made before anyone asks (app.warm_up).
NETWORK_DEFAULTS: dict[str, Any] = {"sections": [], "roles": list(ROLE_LABELS), "units": set(), "highlight": [],
                                    "include_collective": False}


@st.cache_resource(show_spinner=False, max_entries=32)
def _drawing(kind: str, home: str, version: str, docs: tuple[str, ...] | None, graph: str,
             options: tuple) -> Any:
    """The drawing `network_drawing` shows; `version` is part of the key (a write makes a new one)."""
    from plangraph.app import network
    # Straight from the store, not through the query cache: this drawing is cached itself (one
    # shared object, not a copy), warm_up makes the first one before Streamlit's runtime and
    # its data caches exist, and a copy of ~50k rows through the query cache (pickle, then
    # unpickle on every hit) costs as much as the query. Links, not rows: over 250 tasks the
    # drawing merges them into sections and needs no text.
    store = get_store(kind, home)
    ids = None if docs is None else list(docs)
    load = store.workload(document_ids=ids)
    info = units_info(load)
    if graph == "co":
        return network.co_network(store.co_responsibility(document_ids=ids), load, info, **dict(options))

    def full_rows(links: list) -> list:
        rows = {(r.document_id, r.task_id): r
                for r in store.tasks(document_ids=sorted({t.document_id for t in links}))}
        return [rows[(t.document_id, t.task_id)] for t in links]

    links = store.task_links(document_ids=ids)
    titles = {d.document_id: d.title or d.document_id for d in store.documents()}
    return network.unit_task_network(links, info, doc_titles=titles, full_rows=full_rows, **dict(options))


def network_drawing(sel: Selection, graph: str, **options: Any):
    """A drawn network (app.network.NetworkResult), cached per selection and filters.
    graph: "unit_task" (options: sections, roles, units, highlight, include_collective,
    max_tasks, max_units, max_groups, max_edges; over max_tasks tasks it is an aggregate and
    `note` says so; `sections` of the result lists the selection's section titles, for the
    filter) or "co" (units, highlight, include_collective, min_weight, max_edges)."""
    frozen = tuple(sorted((k, tuple(sorted(v)) if isinstance(v, (list, set, tuple)) else v)
                          for k, v in options.items()))
    return _drawing(sel.kind, sel.home, sel.version, sel.docs, graph, frozen)
