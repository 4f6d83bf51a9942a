"""The graph store API: one interface, two stores with the same answers.

    from graph.store import open_store
    store = open_store("embedded", home)      # or open_store("neo4j") (NEO4J_* variables)
    store.ingest(extraction) -> IngestResult  # replaces that document's subgraph, atomically

Stores (`GraphStore` subclasses): `graph.embedded.EmbeddedStore(home)` (networkx,
``home/graph.json.gz``, the default; other processes' writes are picked up on the next
query) and `graph.neo4j_store.Neo4jStore(driver=None, database=None)` (NEO4J_* variables
via graph.neo4j_config). Both are context managers (`close()`); `ping()` checks the store.

Writes
  ingest(extraction, skip_unchanged=False) -> IngestResult(document_id, tasks, units,
                                                regulations, replaced, unchanged)
  fingerprint(document_id) -> str | None      hash of the stored records
  write_document(records: DocumentRecords) -> IngestResult   (records from build_graph_records)
  delete_document(document_id) -> bool
Queries (all but the per-document ones take `document_ids: list[str] | None` to restrict
to some documents; results are dataclasses from graph.model, sorted as stated, equal
across stores; unit names are canonical names; treat them as read-only, a store may share
them between calls). Lists of task rows take `limit` / `offset` for one page of that order:
a province's plans have 50k tasks, more than a screen or a quick answer should carry;
`documents()` and `gap_counts()` give the totals)
  documents(document_ids=None) -> list[DocumentSummary]            by document_id
  document_text(document_id) -> str | None                         offsets point into it
  tasks(document_ids=None, limit=None, offset=0) -> list[TaskRow]  by (document_id, ordinal)
  task(document_id, task_id) -> TaskRow | None
  task_links(document_ids=None) -> list[TaskLink]                  by (document_id, ordinal)
                   the tasks' ids, sections and units without their text (for drawings)
  tasks_of_unit(unit, roles=None, document_ids=None, limit=None, offset=0) -> list[TaskRow]
                   unit = the name a user types, through resolve_unit (市司法局 → 常德市司法局)
  resolve_unit(name, document_ids=None) -> str | None              the canonical name meant:
                   an exact canonical name (any document) wins; else the ONE unit whose
                   canonical name ends with the name, or that some document wrote so (as
                   written; also tried alias-folded, 市发改委 → 市发展改革委); None: no match;
                   StoreError listing them (one line) when several match
  find_units(name, document_ids=None) -> list[str]                 those candidates, sorted
  has_unit(name) -> bool                                           exact canonical name
  units_of_task(document_id, task_id) -> list[UnitRole]            by (start, role, unit)
  regulations(title_contains=None, document_ids=None) -> list[RegulationRow]
                                                                   by (-total, key)
  tasks_citing(regulation, relation=None, document_ids=None) -> list[TaskCitation]
                   regulation = any title (normalised to the key); by (document_id, ordinal, start)
  deliverables(document_ids=None) -> list[Deliverable]             by (document_id, ordinal, start)
                   one per (task, regulation) the task `produces` (出台《常德市…办法》)
  orphans(kind, as_of=None, document_ids=None, limit=None, offset=0) -> list[TaskRow]
                   kinds: GAP_KINDS =
                   ORPHAN_KINDS + CITATION_GAP_KINDS (also in graph.gaps), task rows for all:
                   no_lead: has units, none leads | collective_only: has units, all collective |
                   unassigned: no unit | no_deadline | deadline_passed: a dated limit < as_of
                   (as_of: 'YYYY-MM-DD' or date, default today) |
                   deliverable_no_deadline: has a produces citation and no time limit |
                   unresolved_citation: cites (in any relation) a Regulation whose status is
                   "unknown" (not a known statute, no recognisable form); citations outside
                   every task are not gaps of any task
  gap_counts(as_of=None, document_ids=None) -> dict[str, int]      kind -> len(orphans(kind))
  version() -> str                                                 changes on every write
  workload(document_ids=None) -> list[UnitWorkload]                by (-total, -lead, unit)
  co_responsibility(document_ids=None, include_collective=True, min_weight=1) -> list[CoEdge]
                                                                   by (-weight, a, b)
  to_networkx(document_ids=None) -> networkx.MultiDiGraph          for export / drawing
                   node ids '<Label>:<key>', attrs = properties + label; edge attrs + type
  unit_names() -> list[str]
Helpers: graph.gaps.find_gaps(store, kinds=None, as_of=None, document_ids=None) -> {kind: rows};
  graph.export.export(store, 'graphml'|'csv'|'json', document_ids=None) -> bytes,
  graph.export.division_table(store, document_ids) -> rows of the 任务分工表.
Result rows: TaskRow(document_id, task_id, ordinal, heading, text, section, section_title,
  labels, start, end, deadlines: list[DeadlineInfo], lead, participants, responsible,
  basis, produces) with `.number` (last number of the id) and `.to_dict()`;
  TaskLink(document_id, task_id, ordinal, section, section_title, lead, participants,
  responsible) with `.number`;
  UnitRole(unit, role, collective, as_written, mention, document_id, task_id, start, end,
  kind, level);
  TaskCitation(task: TaskRow, regulation, relation, title, mention, start, end);
  RegulationRow(key, title, titles, basis_count, produces_count, tasks, documents,
  canonical_title, level, status, form_class, form_label, issuer_level, publish_date) `.total`;
  UnitWorkload(unit, collective, lead, participant, responsible, total, documents, kind,
  kind_label, level);
  Deliverable(task: TaskRow, regulation, title, mention, start, end, units, deadlines,
  form_label, status)  units = the task's lead + responsible units, else all its units;
  CoEdge(a, b, weight); DocumentSummary(document_id, title, doc_number, issuer, date,
  source, sha256, sections, tasks, units, regulations, assignments, citations).
Unit and regulation facts (None when not known):
  kind: ingest.units vocabulary (government_department, party, court, …; kind_label 政府部门 …);
  level (units): 国家/省/市/区县/乡镇 from the name's prefix and the issuing document's level,
  None when the mentions disagree; regulation level: 宪法/法律/行政法规/地方性法规/部门规章/
  司法解释 (status resolved only); status: resolved (a statute in data/law_titles.tsv) | form
  (classified by its form: form_class law/regulation/rules/normative/plan/agreement,
  form_label 法律/法规/规章制度/规范性文件/规划方案/协议安排) | unknown; issuer_level: 国家/省/
  市/区县 of the issuer (statute, issuer prefix 国务院《…》 or title). A unit shared by documents
  keeps every level its mentions gave, a regulation its best resolution (graph.model.
  merge_shared_props), whatever the order documents were written in.
Errors: StoreError (one-line message: bad store file, unreachable server, bad argument).
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from graph.model import (
    ROLES,
    CoEdge,
    DeadlineInfo,
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
    build_graph_records,
    regulation_key,
    unit_key,
)

STORE_KINDS = ("embedded", "neo4j")
# Gaps in who answers for a task and when (the five the app's gap page was built on) …
ORPHAN_KINDS = ("no_lead", "collective_only", "unassigned", "no_deadline", "deadline_passed")
# … and in what a task cites or is to produce.
CITATION_GAP_KINDS = ("deliverable_no_deadline", "unresolved_citation")
GAP_KINDS = ORPHAN_KINDS + CITATION_GAP_KINDS  # every kind `orphans` accepts
ROLE_ORDER = {r: i for i, r in enumerate(ROLES)}


class StoreError(Exception):
    """A store problem shown to the user as one line (no traceback)."""


def default_home() -> Path:
    """PLANGRAPH_HOME, else ~/.local/share/plangraph."""
    env = os.environ.get("PLANGRAPH_HOME")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "plangraph"


def open_store(kind: str = "embedded", home: str | Path | None = None, **kwargs: Any) -> "GraphStore":
    """Open the embedded store in `home` (default: default_home()) or the Neo4j store;
    `kwargs` go to the store's constructor (e.g. load_in_background=True, embedded)."""
    if kind == "embedded":
        from graph.embedded import EmbeddedStore
        return EmbeddedStore(Path(home) if home is not None else default_home(), **kwargs)
    if kind == "neo4j":
        from graph.neo4j_store import Neo4jStore
        return Neo4jStore(**kwargs)
    raise StoreError(f"unknown store kind: {kind!r} (use one of {', '.join(STORE_KINDS)})")


def as_of_date(value: str | _dt.date | None) -> str:
    """An ISO date string for deadline comparisons (default: today)."""
    if value is None:
        return _dt.date.today().isoformat()
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    try:
        return _dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise StoreError(f"not a date (want YYYY-MM-DD): {value!r}") from None


def check_kind(kind: str) -> str:
    if kind not in GAP_KINDS:
        raise StoreError(f"unknown gap kind: {kind!r} (use one of {', '.join(GAP_KINDS)})")
    return kind


def unit_needles(name: str) -> list[str]:
    """The names a typed unit name is looked up under: as typed (spaces and width folded),
    and with its aliases folded (市发改委 → 市发展改革委; no central folding)."""
    out: list[str] = []
    typed = unit_key(name)
    try:
        from ingest.units import canonical_unit, normalize_unit
        candidates = [typed, normalize_unit(typed), canonical_unit(typed, document_level="市")]
    except Exception:  # pragma: no cover - the knowledge modules are part of the project
        candidates = [typed]
    for c in candidates:
        if c and c not in out:
            out.append(c)
    return out


AMBIGUOUS_LIST_MAX = 12


def doc_filter(document_ids: Iterable[str] | None) -> list[str] | None:
    """None means all documents; an empty list means none."""
    return None if document_ids is None else sorted(set(document_ids))


class GraphStore(ABC):
    """The query API both stores implement; see the module docstring."""

    kind: str = "?"

    # ------------------------------------------------------------ lifecycle
    def close(self) -> None:
        return None

    def ping(self) -> None:
        """Raise StoreError unless the store can be used (Neo4j: the server answers)."""
        return None

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ writes
    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """Many `ingest` calls in a row (a folder). Each document stays all-or-nothing; a
        store may defer its slow step until the end (the embedded store saves its file every
        500 documents instead of once per document). For Neo4j, `write_documents` is the
        batched path (`plangraph ingest` writes 50 documents per transaction)."""
        yield

    def ingest(self, extraction, skip_unchanged: bool = False) -> IngestResult:
        """Write one extraction, replacing any earlier version of the same document.

        skip_unchanged: when the store already holds exactly these records, write nothing.
        """
        records = build_graph_records(extraction)
        if skip_unchanged and self.fingerprint(records.document_id) == records.document.props["fingerprint"]:
            return IngestResult(records.document_id, len(records.tasks), len(records.units),
                                len(records.regulations), replaced=False, unchanged=True)
        return self.write_document(records)

    @abstractmethod
    def fingerprint(self, document_id: str) -> str | None:
        """The stored document's records fingerprint (None: not stored)."""

    @abstractmethod
    def write_document(self, records: DocumentRecords) -> IngestResult:
        """All-or-nothing: on any error the store is as it was before."""

    def write_documents(self, batch: Sequence[DocumentRecords]) -> list[IngestResult]:
        """Write several documents, in order (default: one `write_document` each; Neo4j
        writes the whole batch in one transaction, all or nothing)."""
        return [self.write_document(r) for r in batch]

    @abstractmethod
    def delete_document(self, document_id: str) -> bool:
        """Remove a document's subgraph and the Units/Regulations left without edges."""

    # ------------------------------------------------------------ queries
    @abstractmethod
    def documents(self, document_ids: Sequence[str] | None = None) -> list[DocumentSummary]: ...

    @abstractmethod
    def document_text(self, document_id: str) -> str | None: ...

    @abstractmethod
    def tasks(self, document_ids: Sequence[str] | None = None, limit: int | None = None,
              offset: int = 0) -> list[TaskRow]: ...

    @abstractmethod
    def task(self, document_id: str, task_id: str) -> TaskRow | None: ...

    def task_links(self, document_ids: Sequence[str] | None = None) -> list[TaskLink]:
        """The tasks without their text, in tasks() order. From the task rows; a store whose
        rows are costly to read answers it itself."""
        return [TaskLink.of(row) for row in self.tasks(document_ids)]

    @abstractmethod
    def tasks_of_unit(self, unit: str, roles: Sequence[str] | None = None,
                      document_ids: Sequence[str] | None = None, limit: int | None = None,
                      offset: int = 0) -> list[TaskRow]: ...

    @abstractmethod
    def units_of_task(self, document_id: str, task_id: str) -> list[UnitRole]: ...

    @abstractmethod
    def find_units(self, name: str, document_ids: Sequence[str] | None = None) -> list[str]:
        """Canonical names (sorted) of the units that `name` may mean: the canonical name
        is one of `unit_needles(name)` or ends with one, or some assignment wrote the unit
        so (as written). With document_ids: only units assigned in those documents."""

    @abstractmethod
    def has_unit(self, name: str) -> bool:
        """A Unit with exactly this canonical name is in the store."""

    def resolve_unit(self, name: str, document_ids: Sequence[str] | None = None) -> str | None:
        """The canonical name a user means by `name` (市司法局 → 常德市司法局).

        An exact canonical name (in any document) wins; else the one unit `find_units`
        gives; None when no unit matches; StoreError (one line, listing them) when several do.
        """
        needles = unit_needles(name)
        for n in needles:
            if self.has_unit(n):
                return n
        found = self.find_units(name, document_ids) if needles else []
        if len(found) == 1:
            return found[0]
        if not found:
            return None
        shown = "、".join(found[:AMBIGUOUS_LIST_MAX]) + (" …" if len(found) > AMBIGUOUS_LIST_MAX else "")
        raise StoreError(f"unit name {unit_key(name)!r} matches {len(found)} units, give the full name: {shown}")

    @abstractmethod
    def regulations(self, title_contains: str | None = None,
                    document_ids: Sequence[str] | None = None) -> list[RegulationRow]: ...

    @abstractmethod
    def tasks_citing(self, regulation: str, relation: str | None = None,
                     document_ids: Sequence[str] | None = None) -> list[TaskCitation]: ...

    @abstractmethod
    def deliverables(self, document_ids: Sequence[str] | None = None) -> list[Deliverable]:
        """One row per (task, regulation) the task is to produce; by (document_id, ordinal, start)."""

    @abstractmethod
    def orphans(self, kind: str, as_of: str | _dt.date | None = None,
                document_ids: Sequence[str] | None = None, limit: int | None = None,
                offset: int = 0) -> list[TaskRow]:
        """Tasks with a gap (a page of them with limit/offset). no_lead: has units, none
        leads; collective_only: has units, all mentions collective; unassigned: no unit at
        all; no_deadline: no time limit;
        deadline_passed: some dated time limit is before `as_of` (default today);
        deliverable_no_deadline: produces a document and has no time limit;
        unresolved_citation: cites a regulation whose status is unknown."""

    @abstractmethod
    def gap_counts(self, as_of: str | _dt.date | None = None,
                   document_ids: Sequence[str] | None = None) -> dict[str, int]:
        """Kind -> how many tasks `orphans(kind, as_of, document_ids)` gives, every kind."""

    @abstractmethod
    def version(self) -> str:
        """Changes whenever the store's content may have changed (a cache key)."""

    @abstractmethod
    def workload(self, document_ids: Sequence[str] | None = None) -> list[UnitWorkload]: ...

    @abstractmethod
    def co_responsibility(self, document_ids: Sequence[str] | None = None,
                          include_collective: bool = True, min_weight: int = 1) -> list[CoEdge]: ...

    @abstractmethod
    def to_networkx(self, document_ids: Sequence[str] | None = None) -> nx.MultiDiGraph: ...

    @abstractmethod
    def unit_names(self) -> list[str]:
        """Every unit's canonical name, sorted."""

    # ------------------------------------------------------------ shared helpers
    @staticmethod
    def _check_roles(roles: Sequence[str] | str | None) -> list[str]:
        if roles is None:
            return list(ROLES)
        if isinstance(roles, str):
            roles = [roles]
        bad = [r for r in roles if r not in ROLES]
        if bad:
            raise StoreError(f"unknown role: {bad[0]!r} (use one of {', '.join(ROLES)})")
        return list(roles)

    @staticmethod
    def _check_relation(relation: str | None) -> str | None:
        if relation is not None and relation not in ("basis", "produces"):
            raise StoreError(f"unknown relation: {relation!r} (use basis or produces)")
        return relation

    @staticmethod
    def _regulation_query_key(regulation: str) -> str:
        key = regulation_key(regulation)
        if not key:
            raise StoreError(f"empty regulation title: {regulation!r}")
        return key


@contextlib.contextmanager
def collector_paused(collect_after: bool = False) -> Iterator[None]:
    """Pause Python's cycle collector while an answer or a graph is made of many objects.

    Every 700 new objects the collector walks the young ones, and now and then the whole
    heap: reading a province's graph, or one store-wide answer of tens of thousands of
    values, would pay for walks that find nothing (the objects are lists, dicts and
    dataclasses without cycles). `collect_after`: one full collection at the end, for
    objects that stay alive (a loaded graph), so they reach the oldest generation in a
    single walk instead of three. The switch is process-wide: another thread's garbage just
    waits, and only the caller that paused turns the collector back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            if collect_after:
                gc.collect()


def task_row(props: dict[str, Any]) -> TaskRow:
    """A TaskRow from a Task node's properties, identically for both stores (the units and
    citations are stored on the Task by graph.model.build_graph_records)."""
    raw_deadlines = props.get("deadlines") or "[]"
    deadlines = [DeadlineInfo(**d) for d in json.loads(raw_deadlines)] if isinstance(raw_deadlines, str) else []
    return TaskRow(
        document_id=props["document_id"], task_id=props["id"], ordinal=int(props.get("ordinal", 0)),
        heading=props.get("heading", ""), text=props.get("text", ""),
        section=props.get("section", "") or "", section_title=props.get("section_title", "") or "",
        labels=list(props.get("labels") or []), start=int(props.get("start", 0)), end=int(props.get("end", 0)),
        deadlines=deadlines, lead=list(props.get("lead") or []), participants=list(props.get("participants") or []),
        responsible=list(props.get("responsible") or []), basis=list(props.get("basis") or []),
        produces=list(props.get("produces") or []))


def task_link(props: dict[str, Any]) -> TaskLink:
    """A TaskLink from a Task node's properties (the fields task_row reads for them)."""
    return TaskLink(document_id=props["document_id"], task_id=props["id"], ordinal=int(props.get("ordinal") or 0),
                    section=props.get("section", "") or "", section_title=props.get("section_title", "") or "",
                    lead=list(props.get("lead") or []), participants=list(props.get("participants") or []),
                    responsible=list(props.get("responsible") or []))


def document_summary(props: dict[str, Any]) -> DocumentSummary:
    """A DocumentSummary from a Document node's properties (counts stored at write time)."""
    return DocumentSummary(
        document_id=props["id"], title=props.get("title", ""), doc_number=props.get("doc_number", ""),
        issuer=props.get("issuer", ""), date=props.get("date", ""), source=props.get("source", ""),
        sha256=props.get("sha256", ""), sections=int(props.get("n_sections", 0)),
        tasks=int(props.get("n_tasks", 0)), units=int(props.get("n_units", 0)),
        regulations=int(props.get("n_regulations", 0)), assignments=int(props.get("n_assignments", 0)),
        citations=int(props.get("n_citations", 0)), extractor=props.get("extractor", ""))


def sort_tasks(rows: Iterable[TaskRow]) -> list[TaskRow]:
    return sorted(rows, key=lambda r: (r.document_id, r.ordinal))


def _text(value: Any) -> str | None:
    """A node property for a result row: "" and missing become None."""
    return None if value in (None, "") else str(value)


REGULATION_INFO = ("canonical_title", "level", "status", "form_class", "form_label", "issuer_level",
                   "publish_date")


def regulation_row(key: str, cites: Iterable[tuple[str, str, int, Iterable[str], Iterable[str]]],
                   props: dict[str, Any] | None = None) -> RegulationRow:
    """cites: (title as cited, relation, mentions, document ids, task keys), one or more per
    (title, relation); stores may pre-aggregate or pass one tuple per citation.
    props: the Regulation node's properties (its resolution)."""
    counts: dict[str, int] = {}
    basis = produces = 0
    tasks: set[str] = set()
    docs: set[str] = set()
    for title, relation, n, doc_ids, task_keys in cites:
        counts[title] = counts.get(title, 0) + n
        if relation == "produces":
            produces += n
        else:
            basis += n
        docs.update(doc_ids)
        tasks.update(t for t in task_keys if t)
    title = min(counts, key=lambda t: (-counts[t], len(t), t)) if counts else key
    props = props or {}
    return RegulationRow(key=key, title=title, titles=sorted(counts), basis_count=basis,
                         produces_count=produces, tasks=len(tasks), documents=len(docs),
                         **{f: _text(props.get(f)) for f in REGULATION_INFO})


def unit_workload(props: dict[str, Any], lead: int, participant: int, responsible: int, total: int,
                  documents: int) -> UnitWorkload:
    return UnitWorkload(unit=props["name"], collective=bool(props.get("collective", False)), lead=lead,
                        participant=participant, responsible=responsible, total=total, documents=documents,
                        kind=_text(props.get("kind")), kind_label=_text(props.get("kind_label")),
                        level=_text(props.get("level")))


def unit_role(unit_props: dict[str, Any], role: str, edge: dict[str, Any], task_id: str) -> UnitRole:
    return UnitRole(unit=unit_props["name"], role=role, collective=bool(edge["collective"]),
                    as_written=edge["unit"], mention=edge["mention"], document_id=edge["document_id"],
                    task_id=task_id, start=edge["start"], end=edge["end"],
                    kind=_text(unit_props.get("kind")), level=_text(unit_props.get("level")))


def unit_matches(canonical: str, written: Iterable[str], needles: Sequence[str]) -> bool:
    """The find_units rule for one unit (canonical name, names as written in the documents)."""
    return any(canonical.endswith(n) for n in needles) or any(w in needles for w in written)


def deliverable_rows(cites: Iterable[tuple[str, str, str, str, int, int, dict[str, Any]]],
                     rows: dict[str, TaskRow]) -> list[Deliverable]:
    """cites: (task key, regulation key, title, mention, start, end, regulation props (only
    form_label and status are read)), one per produces citation; rows: task key -> TaskRow.
    One Deliverable per (task, regulation), from its first citation in the task."""
    first: dict[tuple[str, str], tuple] = {}
    for tkey, rkey, title, mention, start, end, props in cites:
        k = (tkey, rkey)
        if k not in first or (start, title) < first[k][:2]:
            first[k] = (start, title, mention, end, props)
    out = []
    for (tkey, rkey), (start, title, mention, end, props) in first.items():
        t = rows[tkey]
        units = list(dict.fromkeys(t.lead + t.responsible)) or list(dict.fromkeys(t.participants))
        out.append(Deliverable(task=t, regulation=rkey, title=title, mention=mention, start=start, end=end,
                               units=units, deadlines=list(t.deadlines), form_label=_text(props.get("form_label")),
                               status=_text(props.get("status"))))
    return sorted(out, key=lambda d: (d.task.document_id, d.task.ordinal, d.start, d.regulation))


def sort_regulations(rows: Iterable[RegulationRow]) -> list[RegulationRow]:
    return sorted(rows, key=lambda r: (-r.total, r.key))


def matches_title(row: RegulationRow, needle: str | None) -> bool:
    """Substring match on the key (normalised needle) or on any title as cited."""
    if not needle:
        return True
    nkey = regulation_key(needle)
    return (bool(nkey) and nkey in row.key) or any(needle in t for t in row.titles)


def sort_workload(rows: Iterable[UnitWorkload]) -> list[UnitWorkload]:
    return sorted(rows, key=lambda w: (-w.total, -w.lead, w.unit))


def sort_co_edges(rows: Iterable[CoEdge]) -> list[CoEdge]:
    return sorted(rows, key=lambda e: (-e.weight, e.a, e.b))


def unit_role_sort_key(u: UnitRole) -> tuple:
    return (u.start, ROLE_ORDER.get(u.role, 9), u.unit, u.end)


def check_page(limit: int | None, offset: int) -> tuple[int | None, int]:
    """Validate a page request: limit None (all) or >= 0, offset >= 0."""
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise StoreError(f"limit must be a whole number >= 0, not {limit!r}")
    if not isinstance(offset, int) or offset < 0:
        raise StoreError(f"offset must be a whole number >= 0, not {offset!r}")
    return limit, offset


def page(rows: list, limit: int | None, offset: int) -> list:
    """rows[offset:offset+limit] (limit None: to the end)."""
    limit, offset = check_page(limit, offset)
    return rows[offset:] if limit is None else rows[offset:offset + limit]


__all__ = [
    "GraphStore", "StoreError", "open_store", "default_home", "STORE_KINDS", "ORPHAN_KINDS",
    "CITATION_GAP_KINDS", "GAP_KINDS", "as_of_date", "check_kind", "doc_filter", "task_row", "sort_tasks",
    "regulation_row", "sort_regulations", "sort_workload", "sort_co_edges", "matches_title", "unit_needles",
    "deliverable_rows", "collector_paused", "check_page", "page", "document_summary",
]
