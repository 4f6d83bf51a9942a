"""The embedded store: a networkx MultiDiGraph saved as gzipped JSON in a data folder.

No server, the default. The file is ``home/graph.json.gz`` in our own node/edge list
format (JSON, never pickle). Saving is atomic: a temp file in the same folder, fsync,
os.replace, fsync of the folder. A document is written into a copy of the graph which
only replaces the live one after the file is safely saved, so a failure at any step
leaves memory and disk as they were. Writers take an flock on ``home/.graph.lock`` and
reload first if another process saved meanwhile; readers reload when the file changed.

Node ids are ``<Label>:<key>``; node attributes are the record properties plus
``label``; edge attributes are the record properties plus ``type``.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import gzip
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from graph.model import (
    ROLE_TYPES,
    TYPE_ROLES,
    CoEdge,
    Deliverable,
    DocumentRecords,
    DocumentSummary,
    IngestResult,
    RegulationRow,
    TaskCitation,
    TaskRow,
    UnitRole,
    UnitWorkload,
    merge_shared_props,
    task_key,
)
from graph.store import (
    GraphStore,
    StoreError,
    as_of_date,
    check_kind,
    deliverable_rows,
    doc_filter,
    matches_title,
    orphan_match,
    regulation_row,
    sort_co_edges,
    sort_regulations,
    sort_tasks,
    sort_workload,
    task_row,
    unit_matches,
    unit_needles,
    unit_role,
    unit_role_sort_key,
    unit_workload,
)

FILE_NAME = "graph.json.gz"
FORMAT_ID = "plangraph.graph/1"


def nid(label: str, key: str) -> str:
    return f"{label}:{key}"


class EmbeddedStore(GraphStore):
    kind = "embedded"

    def __init__(self, home: str | Path):
        self.home = Path(home).expanduser()
        self.path = self.home / FILE_NAME
        self._lock_path = self.home / ".graph.lock"
        self.g: nx.MultiDiGraph = nx.MultiDiGraph()
        self._stamp: tuple | None = None
        self._pending: list[DocumentRecords] | None = None  # records written since the last save, in bulk mode
        self._refresh()

    # ------------------------------------------------------------ persistence
    def _file_stamp(self) -> tuple | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _refresh(self) -> None:
        """Reload when the file changed on disk (another process wrote it)."""
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return
        self.g = self._load() if stamp is not None else nx.MultiDiGraph()
        self._stamp = stamp

    def _load(self) -> nx.MultiDiGraph:
        try:
            data = json.loads(gzip.decompress(self.path.read_bytes()).decode("utf-8"))
        except (OSError, EOFError, ValueError) as err:
            raise StoreError(f"cannot read the graph file {self.path}: {err}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT_ID:
            raise StoreError(f"not a PlanGraph graph file: {self.path}")
        g = nx.MultiDiGraph()
        for node, attrs in data.get("nodes", []):
            g.add_node(node, **attrs)
        for u, v, attrs in data.get("edges", []):
            g.add_edge(u, v, **attrs)
        return g

    def _save(self, g: nx.MultiDiGraph) -> None:
        data = {
            "format": FORMAT_ID,
            "nodes": [[n, attrs] for n, attrs in g.nodes(data=True)],
            "edges": [[u, v, attrs] for u, v, attrs in g.edges(data=True)],
        }
        raw = gzip.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                            compresslevel=6, mtime=0)
        self.home.mkdir(parents=True, exist_ok=True)
        # writers hold the lock, so a temp file seen now was left by a writer that died
        for stale in self.home.glob(".graph.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()
        fd, tmp = tempfile.mkstemp(dir=self.home, prefix=".graph.", suffix=".tmp")
        try:
            try:  # mkstemp makes 0600; keep the old file's mode, else an ordinary 0644
                mode = self.path.stat().st_mode & 0o777
            except FileNotFoundError:
                mode = 0o644
            os.fchmod(fd, mode)
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        with contextlib.suppress(OSError):
            dfd = os.open(self.home, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        self._stamp = self._file_stamp()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            fh = open(self._lock_path, "a+b")
        except OSError as err:
            raise StoreError(f"cannot use the data folder {self.home}: {err.strerror or err}") from None
        with fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    # ------------------------------------------------------------ writes
    SAVE_EVERY = 200  # in bulk mode, documents between saves (bounds the work a crash loses)

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """Hold the lock and save once at the end (and every SAVE_EVERY documents).

        Saving rewrites the whole file, so one save per document makes a folder of N plans
        cost O(N²). A document that fails is undone by reloading the last saved graph and
        replaying the documents written since; a killed process leaves the file as it was
        at the last save, so every document keeps its previous or its new version, whole.
        """
        if self._pending is not None:  # already in bulk mode
            yield
            return
        with self._locked():
            self._refresh()
            self._pending = []
            try:
                yield
                if self._pending:
                    self._save(self.g)
            finally:
                self._pending = None

    def write_document(self, records: DocumentRecords) -> IngestResult:
        if self._pending is not None:
            return self._write_in_bulk(records)
        with self._locked():
            self._refresh()
            g = self.g.copy()
            replaced = self._apply(g, records)
            self._save(g)
            self.g = g
        return self._result(records, replaced)

    def _write_in_bulk(self, records: DocumentRecords) -> IngestResult:
        try:
            replaced = self._apply(self.g, records)
        except BaseException:
            self.g = self._load() if self.path.exists() else nx.MultiDiGraph()
            for done in self._pending:
                self._apply(self.g, done)
            raise
        self._pending.append(records)
        if len(self._pending) >= self.SAVE_EVERY:
            self._save(self.g)
            self._pending = []
        return self._result(records, replaced)

    @staticmethod
    def _result(records: DocumentRecords, replaced: bool) -> IngestResult:
        return IngestResult(records.document_id, len(records.tasks), len(records.units),
                            len(records.regulations), replaced)

    def _apply(self, g: nx.MultiDiGraph, records: DocumentRecords) -> bool:
        """Replace the document's subgraph in `g`; True when an earlier version was there."""
        replaced, candidates = self._remove_document(g, records.document_id)
        self._write_document_node(g, records)
        self._write_sections(g, records)
        self._write_tasks(g, records)
        self._write_units(g, records)
        self._write_regulations(g, records)
        self._write_assignments(g, records)
        self._write_citations(g, records)
        self._prune(g, candidates)
        return replaced

    def delete_document(self, document_id: str) -> bool:
        with self._locked():
            self._refresh()
            g = self.g.copy()
            found, candidates = self._remove_document(g, document_id)
            if not found:
                return False
            self._prune(g, candidates)
            self._save(g)
            self.g = g
        return True

    @staticmethod
    def _remove_document(g: nx.MultiDiGraph, doc_id: str) -> tuple[bool, set[str]]:
        """Drop Document, its Sections and Tasks; return the shared neighbours to re-check.

        The document's own nodes are found by following CONTAINS edges from it, not by
        scanning the graph: a folder of plans would otherwise cost O(N²)."""
        doc = nid("Document", doc_id)
        if doc not in g:
            return False, set()
        owned, frontier = [doc], [doc]
        while frontier:
            node = frontier.pop()
            for child, edges in g.succ[node].items():
                if any(e.get("type") == "CONTAINS" for e in edges.values()) and \
                        g.nodes[child].get("label") in ("Task", "Section"):
                    owned.append(child)
                    frontier.append(child)
        candidates: set[str] = set()
        for n in owned:
            for nb in list(g.predecessors(n)) + list(g.successors(n)):
                if g.nodes[nb].get("label") in ("Unit", "Regulation"):
                    candidates.add(nb)
        g.remove_nodes_from(owned)
        return True, candidates

    @staticmethod
    def _prune(g: nx.MultiDiGraph, candidates: set[str]) -> None:
        g.remove_nodes_from([n for n in candidates if n in g and g.degree(n) == 0])

    def _write_document_node(self, g: nx.MultiDiGraph, r: DocumentRecords) -> None:
        g.add_node(nid("Document", r.document.key), label="Document", **r.document.props)

    def _write_sections(self, g: nx.MultiDiGraph, r: DocumentRecords) -> None:
        doc = nid("Document", r.document.key)
        for s in r.sections:
            g.add_node(nid("Section", s.key), label="Section", **s.props)
            g.add_edge(doc, nid("Section", s.key), type="CONTAINS")

    def _write_tasks(self, g: nx.MultiDiGraph, r: DocumentRecords) -> None:
        doc = nid("Document", r.document.key)
        for t in r.tasks:
            g.add_node(nid("Task", t.key), label="Task", **t.props)
            parent = nid("Section", t.section_key) if t.section_key else doc
            g.add_edge(parent, nid("Task", t.key), type="CONTAINS")

    @staticmethod
    def _merge_shared(g: nx.MultiDiGraph, node: str, label: str, props: dict[str, Any]) -> None:
        """Shared nodes: graph.model.merge_shared_props of what is there and the new props."""
        if node in g:
            attrs = g.nodes[node]
            old = {k: v for k, v in attrs.items() if k != "label"}
            attrs.clear()
            attrs.update(merge_shared_props(label, old, props))
            attrs["label"] = label
        else:
            g.add_node(node, label=label, **props)

    def _write_units(self, g: nx.MultiDiGraph, r: DocumentRecords) -> None:
        for u in r.units:
            self._merge_shared(g, nid("Unit", u.key), "Unit", u.props)

    def _write_regulations(self, g: nx.MultiDiGraph, r: DocumentRecords) -> None:
        for reg in r.regulations:
            self._merge_shared(g, nid("Regulation", reg.key), "Regulation", reg.props)

    def _write_assignments(self, g: nx.MultiDiGraph, r: DocumentRecords) -> None:
        for a in r.assignments:
            g.add_edge(nid("Unit", a.unit), nid("Task", a.task_key), type=a.rel_type, **a.props)

    def _write_citations(self, g: nx.MultiDiGraph, r: DocumentRecords) -> None:
        for c in r.citations:
            src = nid("Task", c.source_key) if c.source_key else nid("Document", r.document.key)
            g.add_edge(src, nid("Regulation", c.regulation), type="CITES", **c.props)

    # ------------------------------------------------------------ read helpers
    def _nodes(self, label: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for n, a in self.g.nodes(data=True):
            if a.get("label") == label:
                yield n, a

    def _task_nodes(self, docs: list[str] | None) -> Iterator[tuple[str, dict[str, Any]]]:
        wanted = None if docs is None else set(docs)
        for n, a in self._nodes("Task"):
            if wanted is None or a["document_id"] in wanted:
                yield n, a

    def _unit_edges(self, task_node: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(unit node, edge attrs) for each Unit->Task edge."""
        for u, _v, e in self.g.in_edges(task_node, data=True):
            if e.get("type") in TYPE_ROLES:
                yield u, e

    def _task_row(self, n: str, a: dict[str, Any]) -> TaskRow:
        section_title = ""
        for p in self.g.predecessors(n):
            pa = self.g.nodes[p]
            if pa.get("label") == "Section":
                section_title = pa.get("title", "")
        units = [(self.g.nodes[u]["name"], TYPE_ROLES[e["type"]], e["start"]) for u, e in self._unit_edges(n)]
        cites = [(self.g.nodes[v]["key"], e["title"], e["relation"], e["start"])
                 for _u, v, e in self.g.out_edges(n, data=True) if e.get("type") == "CITES"]
        return task_row(a, section_title, units, cites)

    # ------------------------------------------------------------ queries
    def documents(self, document_ids: Sequence[str] | None = None) -> list[DocumentSummary]:
        self._refresh()
        docs = doc_filter(document_ids)
        counts: dict[str, dict[str, Any]] = {}
        for n, a in self._nodes("Document"):
            if docs is None or a["id"] in docs:
                counts[a["id"]] = {"attrs": a, "sections": 0, "tasks": 0, "units": set(), "regs": set(),
                                   "assignments": 0, "citations": 0}
        for n, a in self.g.nodes(data=True):  # one pass over nodes and edges, not one per document
            c = counts.get(a.get("document_id"))
            if c is not None and a.get("label") in ("Section", "Task"):
                c["sections" if a["label"] == "Section" else "tasks"] += 1
        for u, v, e in self.g.edges(data=True):
            c = counts.get(e.get("document_id"))
            if c is None:
                continue
            if e.get("type") in TYPE_ROLES:
                c["units"].add(u)
                c["assignments"] += 1
            elif e.get("type") == "CITES":
                c["regs"].add(v)
                c["citations"] += 1
        out = []
        for doc_id, c in counts.items():
            a = c["attrs"]
            out.append(DocumentSummary(
                document_id=doc_id, title=a.get("title", ""), doc_number=a.get("doc_number", ""),
                issuer=a.get("issuer", ""), date=a.get("date", ""), source=a.get("source", ""),
                sha256=a.get("sha256", ""), sections=c["sections"], tasks=c["tasks"], units=len(c["units"]),
                regulations=len(c["regs"]), assignments=c["assignments"], citations=c["citations"],
                extractor=a.get("extractor", "")))
        return sorted(out, key=lambda d: d.document_id)

    def fingerprint(self, document_id: str) -> str | None:
        self._refresh()
        a = self.g.nodes.get(nid("Document", document_id))
        return None if a is None else a.get("fingerprint")

    def document_text(self, document_id: str) -> str | None:
        self._refresh()
        a = self.g.nodes.get(nid("Document", document_id))
        return None if a is None else a.get("text", "")

    def tasks(self, document_ids: Sequence[str] | None = None) -> list[TaskRow]:
        self._refresh()
        return sort_tasks(self._task_row(n, a) for n, a in self._task_nodes(doc_filter(document_ids)))

    def task(self, document_id: str, task_id: str) -> TaskRow | None:
        self._refresh()
        n = nid("Task", task_key(document_id, task_id))
        return self._task_row(n, self.g.nodes[n]) if n in self.g else None

    def tasks_of_unit(self, unit: str, roles: Sequence[str] | None = None,
                      document_ids: Sequence[str] | None = None) -> list[TaskRow]:
        self._refresh()
        types = {ROLE_TYPES[r] for r in self._check_roles(roles)}
        docs = doc_filter(document_ids)
        name = self.resolve_unit(unit, docs)
        if name is None:
            return []
        un = nid("Unit", name)
        found = {v for _u, v, e in self.g.out_edges(un, data=True) if e.get("type") in types}
        rows = [self._task_row(v, self.g.nodes[v]) for v in found
                if docs is None or self.g.nodes[v]["document_id"] in docs]
        return sort_tasks(rows)

    def has_unit(self, name: str) -> bool:
        self._refresh()
        return nid("Unit", name) in self.g

    def find_units(self, name: str, document_ids: Sequence[str] | None = None) -> list[str]:
        self._refresh()
        needles = unit_needles(name)
        if not needles:
            return []
        docs = doc_filter(document_ids)
        wanted = None if docs is None else set(docs)
        out = []
        for n, a in self._nodes("Unit"):
            edges = [e for _u, _t, e in self.g.out_edges(n, data=True)
                     if e.get("type") in TYPE_ROLES and (wanted is None or e["document_id"] in wanted)]
            if edges and unit_matches(a["name"], {e["unit"] for e in edges}, needles):
                out.append(a["name"])
        return sorted(out)

    def units_of_task(self, document_id: str, task_id: str) -> list[UnitRole]:
        self._refresh()
        n = nid("Task", task_key(document_id, task_id))
        if n not in self.g:
            return []
        out = [unit_role(self.g.nodes[u], TYPE_ROLES[e["type"]], e, self.g.nodes[n]["id"])
               for u, e in self._unit_edges(n)]
        return sorted(out, key=unit_role_sort_key)

    def _citations(self, docs: list[str] | None) -> dict[str, list[tuple]]:
        """Regulation key -> [(title, relation, 1, [document_id], [task key])], one per citation."""
        wanted = None if docs is None else set(docs)
        out: dict[str, list] = {}
        for u, v, e in self.g.edges(data=True):
            if e.get("type") != "CITES" or (wanted is not None and e["document_id"] not in wanted):
                continue
            src = self.g.nodes[u]
            tasks = [src["key"]] if src.get("label") == "Task" else []
            out.setdefault(self.g.nodes[v]["key"], []).append(
                (e["title"], e["relation"], 1, [e["document_id"]], tasks))
        return out

    def regulations(self, title_contains: str | None = None,
                    document_ids: Sequence[str] | None = None) -> list[RegulationRow]:
        self._refresh()
        rows = [regulation_row(k, c, self.g.nodes[nid("Regulation", k)])
                for k, c in self._citations(doc_filter(document_ids)).items()]
        return sort_regulations(r for r in rows if matches_title(r, title_contains))

    def tasks_citing(self, regulation: str, relation: str | None = None,
                     document_ids: Sequence[str] | None = None) -> list[TaskCitation]:
        self._refresh()
        relation = self._check_relation(relation)
        key = self._regulation_query_key(regulation)
        rn = nid("Regulation", key)
        if rn not in self.g:
            return []
        docs = doc_filter(document_ids)
        rows: dict[str, TaskRow] = {}
        out = []
        for t, _v, e in self.g.in_edges(rn, data=True):
            ta = self.g.nodes[t]
            if e.get("type") != "CITES" or ta.get("label") != "Task":
                continue
            if (relation and e["relation"] != relation) or (docs is not None and e["document_id"] not in docs):
                continue
            if t not in rows:
                rows[t] = self._task_row(t, ta)
            out.append(TaskCitation(task=rows[t], regulation=key, relation=e["relation"], title=e["title"],
                                    mention=e["mention"], start=e["start"], end=e["end"]))
        return sorted(out, key=lambda c: (c.task.document_id, c.task.ordinal, c.start, c.relation, c.title))

    def deliverables(self, document_ids: Sequence[str] | None = None) -> list[Deliverable]:
        self._refresh()
        docs = doc_filter(document_ids)
        wanted = None if docs is None else set(docs)
        cites, rows = [], {}
        for u, v, e in self.g.edges(data=True):
            if e.get("type") != "CITES" or e.get("relation") != "produces":
                continue
            ta = self.g.nodes[u]
            if ta.get("label") != "Task" or (wanted is not None and e["document_id"] not in wanted):
                continue
            if ta["key"] not in rows:
                rows[ta["key"]] = self._task_row(u, ta)
            ga = self.g.nodes[v]
            cites.append((ta["key"], ga["key"], e["title"], e["mention"], e["start"], e["end"], ga))
        return deliverable_rows(cites, rows)

    def orphans(self, kind: str, as_of: str | _dt.date | None = None,
                document_ids: Sequence[str] | None = None) -> list[TaskRow]:
        self._refresh()
        check_kind(kind)
        day = as_of_date(as_of)
        rows = []
        for n, a in self._task_nodes(doc_filter(document_ids)):
            edges = [e for _u, e in self._unit_edges(n)]
            cites = [(e, self.g.nodes[v]) for _u, v, e in self.g.out_edges(n, data=True) if e.get("type") == "CITES"]
            if orphan_match(kind, [bool(e["collective"]) for e in edges], {TYPE_ROLES[e["type"]] for e in edges},
                            len(a.get("deadline_texts") or []), list(a.get("deadline_dates") or []), day,
                            produces=sum(1 for e, _g in cites if e["relation"] == "produces"),
                            unknown_citations=sum(1 for _e, g in cites if g.get("status") == "unknown")):
                rows.append(self._task_row(n, a))
        return sort_tasks(rows)

    def workload(self, document_ids: Sequence[str] | None = None) -> list[UnitWorkload]:
        self._refresh()
        docs = doc_filter(document_ids)
        wanted = None if docs is None else set(docs)
        out = []
        for n, a in self._nodes("Unit"):
            per_role: dict[str, set[str]] = {"lead": set(), "participant": set(), "responsible": set()}
            d: set[str] = set()
            for _u, t, e in self.g.out_edges(n, data=True):
                if e.get("type") not in TYPE_ROLES:
                    continue
                if wanted is not None and e["document_id"] not in wanted:
                    continue
                per_role[TYPE_ROLES[e["type"]]].add(t)
                d.add(e["document_id"])
            total = set().union(*per_role.values())
            if total:
                out.append(unit_workload(a, len(per_role["lead"]), len(per_role["participant"]),
                                         len(per_role["responsible"]), len(total), len(d)))
        return sort_workload(out)

    def co_responsibility(self, document_ids: Sequence[str] | None = None,
                          include_collective: bool = True, min_weight: int = 1) -> list[CoEdge]:
        self._refresh()
        weights: dict[tuple[str, str], int] = {}
        for n, _a in self._task_nodes(doc_filter(document_ids)):
            names = sorted({self.g.nodes[u]["name"] for u, _e in self._unit_edges(n)
                            if include_collective or not self.g.nodes[u].get("collective", False)})
            for i, x in enumerate(names):
                for y in names[i + 1:]:
                    weights[(x, y)] = weights.get((x, y), 0) + 1
        return sort_co_edges(CoEdge(a, b, w) for (a, b), w in weights.items() if w >= min_weight)

    def to_networkx(self, document_ids: Sequence[str] | None = None) -> nx.MultiDiGraph:
        self._refresh()
        docs = doc_filter(document_ids)
        if docs is None:
            return self.g.copy()
        wanted = set(docs)
        keep: set[str] = set()
        for n, a in self.g.nodes(data=True):
            if a.get("label") == "Document" and a["id"] in wanted:
                keep.add(n)
            elif a.get("label") in ("Section", "Task") and a.get("document_id") in wanted:
                keep.add(n)
        out = nx.MultiDiGraph()
        for n in keep:
            out.add_node(n, **self.g.nodes[n])
        for u, v, e in self.g.edges(data=True):
            if u in keep and v in keep:
                out.add_edge(u, v, **e)
            elif (u in keep or v in keep) and e.get("document_id") in wanted:
                for x in (u, v):
                    if x not in out:
                        out.add_node(x, **self.g.nodes[x])
                out.add_edge(u, v, **e)
        return out
