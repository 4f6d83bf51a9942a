"""The embedded store: a networkx MultiDiGraph saved as gzipped JSON in a data folder.

No server, the default. The file is ``home/graph.json.gz`` in our own node/edge list
format (JSON, never pickle). Saving is atomic: a temp file in the same folder, fsync,
os.replace, fsync of the folder. A document is written into a copy of the graph which
only replaces the live one after the file is safely saved, so a failure at any step
leaves memory and disk as they were. Writers take an flock on ``home/.graph.lock`` and
reload first if another process saved meanwhile; readers reload when the file changed.

Node ids are ``<Label>:<key>``; node attributes are the record properties plus
``label``; edge attributes are the record properties plus ``type``.

Opening the file is most of a first query's time (1,000 plans: 1.2 s), so it is parsed
with orjson and ISA-L and the graph's dicts are filled directly (`_graph`); answers come
from per-document indexes built on first use, each only as far as the question needs.
Each save also writes ``home/documents.json``, the documents' summaries stamped with the
graph file they come from: a store opened with ``load_in_background=True`` (the app)
answers `documents()` from it while the graph is still being read in a thread.
"""
from __future__ import annotations

import bisect
import contextlib
import datetime as _dt
import fcntl
import functools
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import orjson
from isal import igzip, isal_zlib

from graph.model import (
    ROLES,
    ROLE_TYPES,
    STATIC_GAP_KINDS,
    TYPE_ROLES,
    CoEdge,
    Deliverable,
    DocumentRecords,
    DocumentSummary,
    IngestResult,
    RegulationRow,
    TaskCitation,
    TaskLink,
    TaskRow,
    UnitRole,
    UnitWorkload,
    gap_flag,
    merge_shared_props,
    task_key,
)
from graph.store import (
    GAP_KINDS,
    GraphStore,
    StoreError,
    as_of_date,
    check_kind,
    check_page,
    collector_paused,
    deliverable_rows,
    doc_filter,
    document_summary,
    matches_title,
    page,
    regulation_row,
    sort_regulations,
    sort_workload,
    task_link,
    task_row,
    unit_matches,
    unit_needles,
    unit_role,
    unit_role_sort_key,
    unit_workload,
)

FILE_NAME = "graph.json.gz"
SUMMARY_NAME = "documents.json"  # Document nodes without their text, for documents() before the graph is read
FORMAT_ID = "plangraph.graph/2"  # /2: tasks carry their units, citations and gap flags
OLD_FORMATS = ("plangraph.graph/1",)


def nid(label: str, key: str) -> str:
    return f"{label}:{key}"


class _Ids:
    """Small integer ids for unit names, so that adding up the documents' parts is a numpy
    bincount, not a Python loop over 100k+ items; a pair of units (a, b) is the one number
    a << 32 | b. Ids only grow; reset with the indexes on reload."""

    def __init__(self) -> None:
        self.units: list[str] = []
        self._unit: dict[str, int] = {}

    def unit(self, name: str) -> int:
        i = self._unit.get(name)
        if i is None:
            i = self._unit[name] = len(self.units)
            self.units.append(name)
        return i


_PAIR_SHIFT = 32
_PAIR_LOW = (1 << _PAIR_SHIFT) - 1


def _ids_array(values: list[int]) -> np.ndarray:
    return np.fromiter(values, dtype=np.int64, count=len(values))


def _count(arrays: list[np.ndarray], size: int) -> np.ndarray:
    """How often each id occurs in all the arrays together."""
    return np.bincount(np.concatenate(arrays), minlength=size) if arrays else np.zeros(size, dtype=np.int64)


def _gunzip(raw: bytes) -> bytes:
    """The one gzip member of a graph file, with ISA-L (2x faster than zlib); a truncated
    file or trailing bytes are errors."""
    d = isal_zlib.decompressobj(31)  # 31: gzip header and trailer
    data = d.decompress(raw)
    if not d.eof or d.unused_data:
        raise EOFError("the compressed data is truncated or followed by other bytes")
    return data


def _graph(nodes: list, edges: list) -> nx.MultiDiGraph:
    """The graph that add_nodes_from / add_edges_from would build from the file's
    [id, attrs] and [u, v, attrs] entries (same node order and attributes, edge keys
    0, 1, … per node pair), written straight into networkx's adjacency dicts: ten times
    faster, and the parsed attribute dicts are used as they are, not copied."""
    g = nx.MultiDiGraph()
    node, succ, pred = g._node, g._succ, g._pred
    try:
        for n, attrs in nodes:
            if type(n) is not str or type(attrs) is not dict:
                raise ValueError
            if n in node:
                node[n].update(attrs)
            else:
                node[n], succ[n], pred[n] = attrs, {}, {}
    except (TypeError, ValueError):
        raise ValueError("a node entry is not [id, {attributes}]") from None
    try:
        for u, v, attrs in edges:
            if type(u) is not str or type(v) is not str or type(attrs) is not dict:
                raise ValueError
            out = succ.get(u)
            if out is None:  # an edge's end that no node entry names, as add_edge does
                node[u], out, pred[u] = {}, {}, {}
                succ[u] = out
            keys = out.get(v)
            if keys is None:
                into = pred.get(v)
                if into is None:
                    node[v], succ[v], into = {}, {}, {}
                    pred[v] = into
                out[v] = into[u] = {0: attrs}
            else:
                keys[len(keys)] = attrs
    except (TypeError, ValueError):
        raise ValueError("an edge entry is not [from id, to id, {attributes}]") from None
    return g


_OWNED_LABELS = ("Task", "Section")


def _owned_nodes(g: nx.MultiDiGraph, doc: str) -> list[str]:
    """The Document node and its Sections and Tasks, found by following CONTAINS edges
    (not by scanning the graph: a folder of plans would cost O(N²)). Reads networkx's
    dicts directly, as the hot loops here do: its views cost an object per lookup."""
    attrs, succ = g._node, g._succ
    owned, frontier = [doc], [doc]
    while frontier:
        node = frontier.pop()
        for child, keys in succ[node].items():
            if attrs[child].get("label") in _OWNED_LABELS and any(e.get("type") == "CONTAINS"
                                                                   for e in keys.values()):
                owned.append(child)
                frontier.append(child)
    return owned


# role -> the Task property that lists its units (graph.model stores each unit once per role)
_ROLE_PROPS = {"lead": "lead", "participant": "participants", "responsible": "responsible"}


@dataclass
class _DocumentLinks:
    """The units and citations of one document's tasks, for the aggregates (workload,
    partners, regulations, deliverables); built on first use, as gap counts and task pages
    never need them. The units are read from the Task properties, not from the edges:
    the same names (graph.model writes both from one list), for about half the cost."""
    # Arrays of _Ids, added up across documents with one bincount each:
    role_units: dict[str, np.ndarray]  # role -> unit id, per task with it
    unit_tasks: np.ndarray  # unit id, per task it is assigned to
    units: np.ndarray  # unit ids assigned in this document
    pairs: np.ndarray  # a << 32 | b for unit ids a, b (a's name < b's), per task with both
    citations: list[tuple[str, str, str, str]]  # (reg, title, relation, task key | "")
    produces: list[tuple[str, str, str, str, int, int]]
    # (task key, reg key, title, mention, start, end) per produces citation in a task

    @classmethod
    def build(cls, g: nx.MultiDiGraph, idx: "_DocumentIndex", ids: _Ids) -> "_DocumentLinks":
        role_units: dict[str, list[int]] = {r: [] for r in ROLES}
        unit_tasks: list[int] = []
        pairs: list[int] = []
        citations: list[tuple[str, str, str, str]] = []
        produces: list[tuple[str, str, str, str, int, int]] = []
        for a in idx.props:
            named: set[str] = set()
            for role, prop in _ROLE_PROPS.items():
                names = a.get(prop) or []
                role_units[role].extend(map(ids.unit, names))
                named.update(names)
            units = [ids.unit(n) for n in sorted(named)]
            unit_tasks.extend(units)
            pairs.extend(x << _PAIR_SHIFT | y for i, x in enumerate(units) for y in units[i + 1:])
            if a.get("basis") or a.get("produces"):  # else it cites nothing
                cls._citations(g, nid("Task", a["key"]), a["key"], citations, produces)
        cls._citations(g, idx.node, "", citations, produces)
        per_task = _ids_array(unit_tasks)
        return cls({r: _ids_array(v) for r, v in role_units.items()}, per_task, np.unique(per_task),
                   _ids_array(pairs), citations, produces)

    @staticmethod
    def _citations(g: nx.MultiDiGraph, node: str, tkey: str, citations: list, produces: list) -> None:
        """Add the CITES edges of a Task (tkey: its key) or of the Document (tkey "")."""
        for rn, keys in g._succ[node].items():
            for e in keys.values():
                if e.get("type") == "CITES":
                    rkey = g._node[rn]["key"]
                    citations.append((rkey, e["title"], e["relation"], tkey))
                    if tkey and e["relation"] == "produces":
                        produces.append((tkey, rkey, e["title"], e["mention"], e["start"], e["end"]))


_GAP_FLAGS = {k: gap_flag(k) for k in STATIC_GAP_KINDS}


@dataclass
class _DocumentIndex:
    """One document's tasks in ordinal order with their gaps, built on first use and
    dropped when that document is written again. Queries over many documents add these
    parts up instead of walking the whole graph. Only what the document owns is kept here;
    shared node properties (a unit's kind, a regulation's status) are read at query time."""
    document_id: str
    node: str  # the Document node
    props: list[dict[str, Any]]  # the Task nodes' properties, by ordinal
    gaps: dict[str, list[int]]  # static gap kind -> positions of its tasks
    by_deadline: list[tuple[str, int]]  # sorted (earliest date, position)
    links: _DocumentLinks | None = None  # EmbeddedStore._links builds it (it takes unit ids)
    _rows: list[TaskRow] | None = None
    _task_links: list[TaskLink] | None = None
    _written: set[tuple[str, str]] | None = None

    @functools.cached_property
    def position(self) -> dict[str, int]:
        """Task key -> index in props (and rows); for looking up single tasks, so not
        built for counts and pages."""
        return {a["key"]: i for i, a in enumerate(self.props)}

    @property
    def rows(self) -> list[TaskRow]:
        """The task rows, by ordinal; built when first asked for (counts and aggregates
        never need them, and building 50k rows is most of indexing a big store)."""
        if self._rows is None:
            self._rows = [task_row(a) for a in self.props]
        return self._rows

    @property
    def task_links(self) -> list[TaskLink]:
        """The tasks' TaskLinks, by ordinal, built once like rows: the network page asks for
        every document's, and building 50k of them again is 0.1–0.5 s (the cycle collector
        walks the whole graph while they are made)."""
        if self._task_links is None:
            self._task_links = [task_link(a) for a in self.props]
        return self._task_links

    def written(self, g: nx.MultiDiGraph) -> set[tuple[str, str]]:
        """(unit, name as written) of every assignment, from the edges (the Task keeps only
        the unit); for the unit lookup, built on first use."""
        if self._written is None:
            attrs, pred = g._node, g._pred
            self._written = {(attrs[u]["name"], e["unit"]) for a in self.props
                             for u, keys in pred[nid("Task", a["key"])].items()
                             for e in keys.values() if e.get("type") in TYPE_ROLES}
        return self._written

    def passed(self, day: str) -> list[tuple[str, int]]:
        """(date, position) of the tasks with a dated time limit before `day` (the
        deadline_passed gap: the earliest dated limit, Task.deadline_first, is before it)."""
        return self.by_deadline[:bisect.bisect_left(self.by_deadline, (day, -1))]

    @classmethod
    def build(cls, document_id: str, tasks: list[dict[str, Any]]) -> "_DocumentIndex":
        """From the properties of the document's Task nodes, in any order."""
        props = sorted(tasks, key=lambda a: a.get("ordinal", 0))
        return cls(
            document_id=document_id, node=nid("Document", document_id), props=props,
            gaps={k: [i for i, a in enumerate(props) if a.get(flag)] for k, flag in _GAP_FLAGS.items()},
            by_deadline=sorted((a["deadline_first"], i) for i, a in enumerate(props) if a.get("deadline_first")))


def _rows_page(selected: Iterable[tuple[_DocumentIndex, Sequence[int]]], limit: int | None,
               offset: int) -> list[TaskRow]:
    """page() of the rows of the selected tasks ((index, positions) per document, in the
    answer's order), building rows only for the documents the page reaches: the first
    page of 50k tasks needs a few documents' rows, not all."""
    out: list[TaskRow] = []
    for idx, positions in selected:
        if limit is not None and len(out) >= limit:
            break
        if offset >= len(positions):
            offset -= len(positions)
            continue
        rows = idx.rows
        end = None if limit is None else offset + limit - len(out)
        out.extend(rows[i] for i in positions[offset:end])
        offset = 0
    return out


@dataclass
class _SharedIndex:
    """Store-wide lookups, rebuilt after any write (one pass over the nodes)."""
    documents: list[str]  # document ids, sorted
    units: list[str]  # Unit node ids
    regulations: list[str]  # Regulation node ids
    tasks: dict[str, list[dict[str, Any]]]  # document id -> its Task nodes' properties
    _written: dict[str, set[str]] | None = None

    @classmethod
    def build(cls, g: nx.MultiDiGraph) -> "_SharedIndex":
        by_label: dict[str, list[str]] = {"Document": [], "Unit": [], "Regulation": []}
        tasks: dict[str, list[dict[str, Any]]] = {}
        for n, a in g._node.items():
            label = a.get("label")
            if label == "Task":  # a document's tasks, as Neo4j finds them (t.document_id)
                tasks.setdefault(a.get("document_id"), []).append(a)
            else:
                nodes = by_label.get(label)
                if nodes is not None:
                    nodes.append(n)
        return cls(sorted(g._node[n]["id"] for n in by_label["Document"]), by_label["Unit"],
                   by_label["Regulation"], tasks)

    def written(self, store: "EmbeddedStore") -> dict[str, set[str]]:
        """Unit -> every name some document wrote it as (all documents)."""
        if self._written is None:
            self._written = {}
            for idx in store._indexes(None):
                for u, w in idx.written(store.g):
                    self._written.setdefault(u, set()).add(w)
        return self._written


def _write_atomically(path: Path, data: bytes, durable: bool) -> None:
    """Write `data` to a temp file beside `path` and rename it over `path`, so readers see
    the old file or the new one, never a part. `durable`: fsync the file and the folder
    first. Keeps the old file's mode (mkstemp makes 0600), else an ordinary 0644."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".graph.", suffix=".tmp")
    try:
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
        with contextlib.suppress(OSError):
            dfd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)


class EmbeddedStore(GraphStore):
    kind = "embedded"

    def __init__(self, home: str | Path, load_in_background: bool = False):
        """Reads the graph file now; `load_in_background`: in a thread, so a first page can
        show the documents (from the summary file) while the graph is read and indexed;
        queries that need the graph wait for it."""
        self.home = Path(home).expanduser()
        self.path = self.home / FILE_NAME
        self._lock_path = self.home / ".graph.lock"
        self.g: nx.MultiDiGraph = nx.MultiDiGraph()
        self._stamp: tuple | None = None
        self._pending: list[DocumentRecords] | None = None  # records written since the last save, in bulk mode
        self._doc_index: dict[str, _DocumentIndex] = {}
        self._index_lock = threading.RLock()
        self._ids = _Ids()
        self._shared: _SharedIndex | None = None
        self._writes = 0  # writes by this object (version(): bulk mode changes memory before the file)
        if load_in_background:
            threading.Thread(target=self._load_quietly, name="plangraph-graph-load", daemon=True).start()
        else:
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
        with self._index_lock:
            if stamp != self._stamp:
                self.g = self._load() if stamp is not None else nx.MultiDiGraph()
                self._stamp = stamp
                self._forget(changed=False)
                if stamp is not None and self._read_summary(stamp) is None:
                    with contextlib.suppress(OSError):  # a graph saved by an older PlanGraph; a read-only folder
                        self._save_summary(self.g)

    def _load_quietly(self) -> None:
        """The background load: read the graph, then build what store-wide questions use
        (every document's index and unit links), so the pages after the first find it ready."""
        with contextlib.suppress(StoreError):  # the next query reads the file again and says what is wrong
            self._refresh()
            self._links(self._indexes(None))

    def _summaries_before_load(self) -> dict[str, dict[str, Any]] | None:
        """Document id -> Document properties from the summary file, while the graph is not
        read yet and the summary belongs to the graph file there now; else None."""
        if self._stamp is not None or self._writes:
            return None
        stamp = self._file_stamp()
        return None if stamp is None else self._read_summary(stamp)

    def _read_summary(self, stamp: tuple) -> dict[str, dict[str, Any]] | None:
        """The summary file's documents if it was written for the graph file with `stamp`."""
        try:
            data = orjson.loads((self.home / SUMMARY_NAME).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT_ID or data.get("graph") != list(stamp):
            return None
        docs = data.get("documents")
        if not isinstance(docs, list) or not all(isinstance(d, dict) and isinstance(d.get("id"), str) for d in docs):
            return None
        return {d["id"]: d for d in docs}

    def _save_summary(self, g: nx.MultiDiGraph) -> None:
        """The summary file for the graph file just saved (see the module docstring). Not
        fsynced: a summary lost in a crash no longer matches the graph file and is ignored."""
        docs = [{k: v for k, v in a.items() if k != "text"} for _, a in g.nodes(data=True)
                if a.get("label") == "Document"]
        _write_atomically(self.home / SUMMARY_NAME, orjson.dumps(
            {"format": FORMAT_ID, "graph": list(self._stamp or ()), "documents": docs}), durable=False)

    def _load(self) -> nx.MultiDiGraph:
        """The graph in the file; StoreError when it cannot be read."""
        with collector_paused(collect_after=True):  # a million lists and dicts that stay alive
            return self._read()

    def _read(self) -> nx.MultiDiGraph:
        try:
            data = orjson.loads(_gunzip(self.path.read_bytes()))
        except (OSError, EOFError, ValueError, isal_zlib.error) as err:
            raise StoreError(f"cannot read the graph file {self.path}: {err}") from None
        if isinstance(data, dict) and data.get("format") in OLD_FORMATS:
            raise StoreError(f"the graph file {self.path} was written by an older PlanGraph: ingest the plans "
                             f"again into an empty folder (or delete the file and run plangraph ingest)")
        if not isinstance(data, dict) or data.get("format") != FORMAT_ID:
            raise StoreError(f"not a PlanGraph graph file: {self.path}")
        try:
            return _graph(data.get("nodes", []), data.get("edges", []))
        except (TypeError, ValueError) as err:
            raise StoreError(f"cannot read the graph file {self.path}: malformed ({err})") from None

    def _save(self, g: nx.MultiDiGraph) -> None:
        data = {
            "format": FORMAT_ID,
            "nodes": [[n, attrs] for n, attrs in g.nodes(data=True)],
            "edges": [[u, v, attrs] for u, v, attrs in g.edges(data=True)],
        }
        # orjson writes what json.dumps(ensure_ascii=False, separators=(",", ":")) did, 4x
        # faster; ISA-L's level 1 is 3x faster than zlib's and as small
        raw = igzip.compress(orjson.dumps(data), compresslevel=1, mtime=0)
        self.home.mkdir(parents=True, exist_ok=True)
        # writers hold the lock, so a temp file seen now was left by a writer that died
        for stale in self.home.glob(".graph.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()
        _write_atomically(self.path, raw, durable=True)
        self._stamp = self._file_stamp()
        self._save_summary(g)

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
    SAVE_EVERY = 500  # in bulk mode, documents between saves (bounds the work a crash loses)

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
            self._swap(g, records.document_id)
        return self._result(records, replaced)

    def _write_in_bulk(self, records: DocumentRecords) -> IngestResult:
        try:
            replaced = self._apply(self.g, records)
        except BaseException:
            self.g = self._load() if self.path.exists() else nx.MultiDiGraph()
            for done in self._pending:
                self._apply(self.g, done)
            self._forget()
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
        self._forget(records.document_id)
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
            self._swap(g, document_id)
        return True

    @staticmethod
    def _remove_document(g: nx.MultiDiGraph, doc_id: str) -> tuple[bool, set[str]]:
        """Drop Document, its Sections and Tasks; return the shared neighbours to re-check."""
        doc = nid("Document", doc_id)
        if doc not in g:
            return False, set()
        owned = _owned_nodes(g, doc)
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

    # ------------------------------------------------------------ indexes
    def _swap(self, g: nx.MultiDiGraph, document_id: str) -> None:
        """Make the saved copy `g` the live graph and drop what the write made stale, in one
        step under the index lock: indexes are built from self.g under that lock, so a
        session asking while the copy was being written cannot leave one from the old graph."""
        with self._index_lock:
            self.g = g
            self._forget(document_id)

    def _forget(self, document_id: str | None = None, changed: bool = True) -> None:
        """Drop the indexes a write makes stale: one document's (None: every document's)
        and the store-wide ones (labels, names as written), which any write may change.
        changed=False: the graph was only read (again) from its file, whose stamp is in
        version() already, so answers cached under that version stay good."""
        with self._index_lock:
            if document_id is None:
                self._doc_index.clear()
                self._ids = _Ids()
            else:
                self._doc_index.pop(document_id, None)
            self._shared = None
            if changed:
                self._writes += 1

    def _shared_index(self) -> _SharedIndex:
        shared = self._shared
        if shared is None:
            with self._index_lock:  # built from self.g under the lock, as _swap replaces it
                if self._shared is None:
                    self._shared = _SharedIndex.build(self.g)
                shared = self._shared
        return shared

    def _index(self, document_id: str) -> _DocumentIndex | None:
        idx = self._doc_index.get(document_id)
        if idx is None:
            with self._index_lock:  # the app's sessions share one store: one builder
                idx = self._doc_index.get(document_id)
                if idx is None:
                    if nid("Document", document_id) not in self.g:
                        return None
                    tasks = self._shared_index().tasks.get(document_id, [])
                    idx = self._doc_index[document_id] = _DocumentIndex.build(document_id, tasks)
        return idx

    def _links(self, indexes: list[_DocumentIndex]) -> list[_DocumentLinks]:
        """The indexes' links, built where missing, under the lock: the app's sessions
        share one store, and two builders at once could give two units the same id."""
        if any(idx.links is None for idx in indexes):
            with self._index_lock:
                for idx in indexes:
                    if idx.links is None:
                        idx.links = _DocumentLinks.build(self.g, idx, self._ids)
        return [idx.links for idx in indexes]

    def _indexes(self, document_ids: Sequence[str] | None) -> list[_DocumentIndex]:
        """The indexes of the chosen documents (None: all), in document id order."""
        docs = doc_filter(document_ids)
        ids = self._shared_index().documents if docs is None else docs
        return [idx for idx in map(self._index, ids) if idx is not None]

    def _row(self, task_node: str) -> TaskRow:
        a = self.g.nodes[task_node]
        idx = self._index(a["document_id"])
        return idx.rows[idx.position[a["key"]]]

    def _unresolved_task_nodes(self) -> set[str]:
        """Tasks citing a Regulation whose status is unknown (shared nodes: at query time)."""
        out: set[str] = set()
        for rn in self._shared_index().regulations:
            if self.g.nodes[rn].get("status") == "unknown":
                out.update(t for t, _v, e in self.g.in_edges(rn, data=True)
                           if e.get("type") == "CITES" and self.g.nodes[t].get("label") == "Task")
        return out

    # ------------------------------------------------------------ queries
    def version(self) -> str:
        stamp = self._file_stamp()
        return f"{'-'.join(map(str, stamp)) if stamp else 'empty'}:{self._writes}"

    def documents(self, document_ids: Sequence[str] | None = None) -> list[DocumentSummary]:
        docs = doc_filter(document_ids)
        early = self._summaries_before_load()
        if early is not None:
            return [document_summary(early[i]) for i in (sorted(early) if docs is None else docs) if i in early]
        self._refresh()
        ids = self._shared_index().documents if docs is None else docs
        out = []
        for doc_id in ids:
            a = self.g.nodes.get(nid("Document", doc_id))
            if a is not None:
                out.append(document_summary(a))
        return out

    def fingerprint(self, document_id: str) -> str | None:
        self._refresh()
        a = self.g.nodes.get(nid("Document", document_id))
        return None if a is None else a.get("fingerprint")

    def document_text(self, document_id: str) -> str | None:
        self._refresh()
        a = self.g.nodes.get(nid("Document", document_id))
        return None if a is None else a.get("text", "")

    def tasks(self, document_ids: Sequence[str] | None = None, limit: int | None = None,
              offset: int = 0) -> list[TaskRow]:
        self._refresh()
        check_page(limit, offset)
        return _rows_page(((idx, range(len(idx.props))) for idx in self._indexes(document_ids)), limit, offset)

    def task_links(self, document_ids: Sequence[str] | None = None) -> list[TaskLink]:
        """Straight from the Task properties, as task_row reads them: a drawing of 50k
        tasks needs no rows (building them is most of the time of tasks())."""
        self._refresh()
        return [link for idx in self._indexes(document_ids) for link in idx.task_links]

    def task(self, document_id: str, task_id: str) -> TaskRow | None:
        self._refresh()
        n = nid("Task", task_key(document_id, task_id))
        return self._row(n) if n in self.g else None

    def tasks_of_unit(self, unit: str, roles: Sequence[str] | None = None,
                      document_ids: Sequence[str] | None = None, limit: int | None = None,
                      offset: int = 0) -> list[TaskRow]:
        self._refresh()
        check_page(limit, offset)
        types = {ROLE_TYPES[r] for r in self._check_roles(roles)}
        docs = doc_filter(document_ids)
        name = self.resolve_unit(unit, docs)
        if name is None:
            return []
        wanted = None if docs is None else set(docs)
        found = [v for v, edges in self.g.succ[nid("Unit", name)].items()
                 if any(e.get("type") in types and (wanted is None or e["document_id"] in wanted)
                        for e in edges.values())]
        attrs = self.g.nodes
        found.sort(key=lambda v: (attrs[v]["document_id"], attrs[v]["ordinal"]))  # sort_tasks' order
        return [self._row(v) for v in page(found, limit, offset)]

    def has_unit(self, name: str) -> bool:
        self._refresh()
        return nid("Unit", name) in self.g

    def find_units(self, name: str, document_ids: Sequence[str] | None = None) -> list[str]:
        self._refresh()
        needles = unit_needles(name)
        if not needles:
            return []
        docs = doc_filter(document_ids)
        if docs is None:
            written = self._shared_index().written(self)
        else:
            written = {}
            for idx in self._indexes(docs):
                for u, w in idx.written(self.g):
                    written.setdefault(u, set()).add(w)
        return sorted(u for u, names in written.items() if unit_matches(u, names, needles))

    def units_of_task(self, document_id: str, task_id: str) -> list[UnitRole]:
        self._refresh()
        n = nid("Task", task_key(document_id, task_id))
        if n not in self.g:
            return []
        out = [unit_role(self.g.nodes[u], TYPE_ROLES[e["type"]], e, self.g.nodes[n]["id"])
               for u, _v, e in self.g.in_edges(n, data=True) if e.get("type") in TYPE_ROLES]
        return sorted(out, key=unit_role_sort_key)

    def regulations(self, title_contains: str | None = None,
                    document_ids: Sequence[str] | None = None) -> list[RegulationRow]:
        self._refresh()
        counted: dict[tuple[str, str, str], tuple[list[int], set[str], set[str]]] = {}
        indexes = self._indexes(document_ids)
        for idx, links in zip(indexes, self._links(indexes)):  # pre-aggregated per (key, title, relation)
            for key, title, relation, task in links.citations:
                entry = counted.get((key, title, relation))
                if entry is None:
                    entry = counted[(key, title, relation)] = ([0], set(), set())
                entry[0][0] += 1
                entry[1].add(idx.document_id)
                entry[2].add(task)
        cites: dict[str, list[tuple]] = {}
        for (key, title, relation), (n, docs, tasks) in counted.items():
            cites.setdefault(key, []).append((title, relation, n[0], docs, tasks))
        rows = [regulation_row(k, c, self.g.nodes[nid("Regulation", k)]) for k, c in cites.items()]
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
        out = []
        for t, _v, e in self.g.in_edges(rn, data=True):
            if e.get("type") != "CITES" or self.g.nodes[t].get("label") != "Task":
                continue
            if (relation and e["relation"] != relation) or (docs is not None and e["document_id"] not in docs):
                continue
            out.append(TaskCitation(task=self._row(t), regulation=key, relation=e["relation"], title=e["title"],
                                    mention=e["mention"], start=e["start"], end=e["end"]))
        return sorted(out, key=lambda c: (c.task.document_id, c.task.ordinal, c.start, c.relation, c.title))

    def deliverables(self, document_ids: Sequence[str] | None = None) -> list[Deliverable]:
        self._refresh()
        cites, rows = [], {}
        indexes = self._indexes(document_ids)
        for idx, links in zip(indexes, self._links(indexes)):
            for tkey, rkey, title, mention, start, end in links.produces:
                rows[tkey] = idx.rows[idx.position[tkey]]
                cites.append((tkey, rkey, title, mention, start, end, self.g.nodes[nid("Regulation", rkey)]))
        return deliverable_rows(cites, rows)

    def orphans(self, kind: str, as_of: str | _dt.date | None = None,
                document_ids: Sequence[str] | None = None, limit: int | None = None,
                offset: int = 0) -> list[TaskRow]:
        self._refresh()
        check_kind(kind)
        check_page(limit, offset)
        day = as_of_date(as_of)
        indexes = self._indexes(document_ids)
        if kind == "unresolved_citation":
            chosen = {idx.document_id for idx in indexes}
            attrs = self.g.nodes
            found = sorted((t for t in self._unresolved_task_nodes() if attrs[t]["document_id"] in chosen),
                           key=lambda t: (attrs[t]["document_id"], attrs[t]["ordinal"]))  # sort_tasks' order
            return [self._row(t) for t in page(found, limit, offset)]
        if kind == "deadline_passed":
            selected = ((idx, sorted(i for _d, i in idx.passed(day))) for idx in indexes)
        else:
            selected = ((idx, idx.gaps[kind]) for idx in indexes)
        return _rows_page(selected, limit, offset)

    def gap_counts(self, as_of: str | _dt.date | None = None,
                   document_ids: Sequence[str] | None = None) -> dict[str, int]:
        self._refresh()
        day = as_of_date(as_of)
        indexes = self._indexes(document_ids)
        out = {k: sum(len(idx.gaps[k]) for idx in indexes) for k in STATIC_GAP_KINDS}
        out["deadline_passed"] = sum(len(idx.passed(day)) for idx in indexes)
        chosen = {idx.document_id for idx in indexes}
        out["unresolved_citation"] = sum(1 for t in self._unresolved_task_nodes()
                                         if self.g.nodes[t]["document_id"] in chosen)
        return {k: out[k] for k in GAP_KINDS}

    def workload(self, document_ids: Sequence[str] | None = None) -> list[UnitWorkload]:
        self._refresh()
        links = self._links(self._indexes(document_ids))
        size = len(self._ids.units)
        per_role = {r: _count([x.role_units[r] for x in links], size) for r in ROLES}
        totals = _count([x.unit_tasks for x in links], size)
        documents = _count([x.units for x in links], size)
        return sort_workload(
            unit_workload(self.g.nodes[nid("Unit", self._ids.units[u])], int(per_role["lead"][u]),
                          int(per_role["participant"][u]), int(per_role["responsible"][u]), int(totals[u]),
                          int(documents[u]))
            for u in np.flatnonzero(totals))

    def co_responsibility(self, document_ids: Sequence[str] | None = None,
                          include_collective: bool = True, min_weight: int = 1) -> list[CoEdge]:
        self._refresh()
        links = self._links(self._indexes(document_ids))
        pairs, weights = np.unique(np.concatenate([x.pairs for x in links] or [_ids_array([])]), return_counts=True)
        keep = weights >= max(1, min_weight)
        names = self._ids.units
        edges = ((names[p >> _PAIR_SHIFT], names[p & _PAIR_LOW], w)
                 for p, w in zip(pairs[keep].tolist(), weights[keep].tolist()))
        if not include_collective:  # a shared property, so decided now, not in the index
            edges = ((a, b, w) for a, b, w in edges if not (self._collective(a) or self._collective(b)))
        ordered = sorted((-w, a, b) for a, b, w in edges)  # graph.store.sort_co_edges' order, on tuples
        return [CoEdge(a, b, -neg) for neg, a, b in ordered]

    def _collective(self, unit: str) -> bool:
        return bool(self.g.nodes[nid("Unit", unit)].get("collective", False))

    def unit_names(self) -> list[str]:
        self._refresh()
        return sorted(self.g.nodes[n]["name"] for n in self._shared_index().units)

    def to_networkx(self, document_ids: Sequence[str] | None = None) -> nx.MultiDiGraph:
        self._refresh()
        docs = doc_filter(document_ids)
        if docs is None:
            return self.g.copy()
        wanted = set(docs)
        keep: set[str] = set()  # the documents' own nodes, found from each Document node
        for doc_id in docs:
            node = nid("Document", doc_id)
            if node in self.g:
                keep.update(_owned_nodes(self.g, node))
        out = nx.MultiDiGraph()
        for n in keep:
            out.add_node(n, **self.g.nodes[n])

        def add_edge(u: str, v: str, e: dict[str, Any]) -> None:
            for x in (u, v):
                if x not in out:
                    out.add_node(x, **self.g.nodes[x])
            out.add_edge(u, v, **e)

        for n in keep:  # edges inside, and the documents' edges to shared Units / Regulations
            for _n, v, e in self.g.out_edges(n, data=True):
                if v in keep or e.get("document_id") in wanted:
                    add_edge(n, v, e)
            for u, _n, e in self.g.in_edges(n, data=True):
                if u not in keep and e.get("document_id") in wanted:
                    add_edge(u, n, e)
        return out
