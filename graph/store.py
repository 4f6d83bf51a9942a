"""The graph store API: one interface, two stores with the same answers.

    from plangraph.graph.store import open_store
    store = open_store("embedded", home)      # or open_store("neo4j") (NEO4J_* variables)
    store.ingest(extraction) -> IngestResult  # replaces that document's subgraph, atomically

Stores (`GraphStore` subclasses): `graph.embedded.EmbeddedStore(home)` (SQLite,
``home/plangraph.sqlite``, the default; no server) and `graph.neo4j_store.Neo4jStore()`
(NEO4J_* variables via graph.neo4j_config). Both are context managers (`close()`);
`ping()` checks the store, `check_writable()` that it takes writes.

The layer's modules: graph.records (what a document writes), graph.rows (the result rows
below), graph.gaps (the gap kinds, one table), graph.aggregates (workload and
co-responsibility, one definition), graph.export (files), this module (the API).

Writes (each all-or-nothing; a reader in another process sees a document whole or not at all)
  ingest(extraction, skip_unchanged=False) -> IngestResult(document_id, tasks, units,
                                                regulations, replaced, unchanged)
  fingerprint(document_id) -> str | None      hash of the stored records
  write_document(records: DocumentRecords) -> IngestResult   (records from build_graph_records)
  write_documents([records…]) -> [IngestResult…]             one transaction for all of them
  with bulk_writes(): …                       many writes in a row; upkeep that only speeds up
                                              reads may wait for the end (Neo4j's answer lists)
  delete_documents([document_id…]) -> [bool…] one transaction: each document with the Units
                                              and Regulations only it used; False: not stored
  Writing or removing a document also (same transaction) keeps the IMPLEMENTS edges of every
  document whose basis names it or that it names (graph.implements), and removes every
  MATCHES touching its tasks and every COMPARED touching it (its task ids may have changed:
  IngestResult.unlinked counts those pairs; link them again).
Links between plans (`plangraph link`; graph.records.LinkedPair, each written whole)
  write_links(pair) -> int                    one transaction: replaces the MATCHES between the
                   two documents' tasks (either way) and their COMPARED edge; the links written
  write_links_many(pairs, drop_bases=(), progress=None) -> int
                   many pairs; first removes every linked pair whose basis is in drop_bases
                   (`link --all` replaces its own earlier results). Embedded: one transaction;
                   Neo4j: the removal in slices, then about LINK_BATCH links per transaction,
                   each pair whole in one of them. progress(pairs written so far)
Queries (all but the per-document ones take `document_ids: list[str] | None` to restrict
to some documents; results are dataclasses from graph.rows, sorted as stated, equal
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
                   unit = the name a user types, through resolve_unit (市司法局 → 常德市司法局);
                   roles: lead, participant, responsible, guide (default all)
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
  tasks_citing(regulation, relation=None, document_ids=None, limit=None, offset=0) -> list[TaskCitation]
                   regulation = any title (normalised to the key); by (document_id, ordinal,
                   start, relation, title); limit / offset: one page of that order
  deliverables(document_ids=None, limit=None, offset=0) -> list[Deliverable]
                   by (document_id, ordinal, start, regulation); one per (task, regulation)
                   the task `produces` (出台《常德市…办法》); limit / offset: one page
  orphans(kind, as_of=None, document_ids=None, limit=None, offset=0) -> list[TaskRow]
                   the tasks with a gap of that kind (graph.gaps.GAP_TABLE: the kinds and
                   their rules); as_of: 'YYYY-MM-DD' or date, default today
  gap_counts(as_of=None, document_ids=None) -> dict[str, int]      kind -> len(orphans(kind))
  findings(document_ids=None, kinds=None, limit=None, offset=0) -> list[FindingRow]
                   by (document_id, position): the places the extractor could not read
                   (ingest/review.py; kinds: ingest.model.FINDING_KINDS, default all)
  findings_of_task(document_id, task_id) -> list[FindingRow]        by position
  finding_counts(document_ids=None) -> dict[str, dict[str, int]]    document id -> kind -> n
                   (every kind) for each document whose findings are stored; a document
                   stored before PlanGraph kept findings is absent (not known is not none)
  version() -> str                                                 changes on every write
  workload(document_ids=None) -> list[UnitWorkload]                by (-total, -lead, unit)
  co_responsibility(document_ids=None, include_collective=True, min_weight=1) -> list[CoEdge]
                                                                   by (-weight, a, b)
                   (graph.aggregates defines both)
  to_networkx(document_ids=None) -> networkx.MultiDiGraph          for export / analysis
                   node ids '<Label>:<key>', attrs = properties + label; edge attrs + type
  unit_names() -> list[str]
  implements(document_ids=None) -> list[ImplementsRow]              by (document_id, implemented_id)
                   the edges with either end in document_ids
  compared(document_ids=None) -> list[ComparedRow]                  by (a, b): the linked pairs,
                   either end in document_ids
  matches(a=None, b=None, document_ids=None, task=None, limit=None, offset=0) -> list[MatchRow]
                   by (a document, a ordinal, b document, b ordinal); a / b: the upper / lower
                   document; document_ids: either task's document in them; task: (document_id,
                   task_id), its links either way
  key_terms(document_ids=None) -> dict[str, list[list[str]] | None]
                   per document its tasks' key terms (ordinal order) as written at ingest; None
                   when written with other stop words or dictionaries (graph.compare_text.terms_version)
  orphans("not_taken_up", document_ids=B…): A's tasks that a lower plan B (in document_ids)
                   linked with A on a basis of graph.records.GAP_BASES has no MATCHES to
Helpers: graph.gaps.find_gaps(store, kinds=None, as_of=None, document_ids=None) -> {kind: rows};
  graph.export.export(store, 'graphml'|'csv'|'xlsx'|'json', document_ids=None) -> bytes,
  graph.export.division_table(store, document_ids) -> rows of the 任务分工表.
Unit and regulation facts (None when not known):
  kind: ingest.units vocabulary (government_department, party, court, …; kind_label 政府部门 …);
  level (units): 国家/省/市/区县/乡镇 from the name's prefix and the issuing document's level,
  None when the mentions disagree; regulation level: 宪法/法律/行政法规/地方性法规/部门规章/
  司法解释 (status resolved only); status: resolved (a statute in data/law_titles.tsv) | form
  (classified by its form) | unknown; issuer_level: 国家/省/市/区县 of the issuer. A unit shared
  by documents keeps every level its mentions gave, a regulation its best resolution
  (graph.records.merge_shared_props), whatever the order documents were written in.
Errors: StoreError (one-line message: bad store file, unreachable server, bad argument).
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.graph.errors import StoreError
from plangraph.ingest.model import FINDING_KINDS, ROLES

if TYPE_CHECKING:  # the stores import these; this module stays light for the CLI's start
    import networkx as nx

    from plangraph.graph.records import DocumentRecords, LinkedPair
    from plangraph.graph.rows import (
        CoEdge,
        ComparedRow,
        ImplementsRow,
        MatchRow,
        Deliverable,
        DocumentSummary,
        FindingRow,
        IngestResult,
        RegulationRow,
        TaskCitation,
        TaskLink,
        TaskRow,
        UnitRole,
        UnitWorkload,
    )

STORE_KINDS = ("embedded", "neo4j")
AMBIGUOUS_LIST_MAX = 12


def default_home() -> Path:
    """PLANGRAPH_HOME, else ~/.local/share/plangraph."""
    env = os.environ.get("PLANGRAPH_HOME")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "plangraph"


def open_store(kind: str = "embedded", home: str | Path | None = None, **kwargs: Any) -> "GraphStore":
    """Open the embedded store in `home` (default: default_home()) or the Neo4j store;
    `kwargs` go to the store's constructor."""
    if kind == "embedded":
        from plangraph.graph.embedded import EmbeddedStore
        return EmbeddedStore(Path(home) if home is not None else default_home(), **kwargs)
    if kind == "neo4j":
        from plangraph.graph.neo4j_store import Neo4jStore
        return Neo4jStore(**kwargs)
    raise StoreError(f"unknown store kind: {kind!r} (use one of {', '.join(STORE_KINDS)})")


def unit_needles(name: str) -> list[str]:
    """The names a typed unit name is looked up under: as typed (spaces and width folded),
    and with its aliases folded (市发改委 → 市发展改革委; no central folding)."""
    from plangraph.graph.records import unit_key
    from plangraph.ingest.units import canonical_unit, normalize_unit
    typed = unit_key(name)
    out: list[str] = []
    for c in (typed, normalize_unit(typed), canonical_unit(typed, document_level="市")):
        if c and c not in out:
            out.append(c)
    return out


def doc_filter(document_ids: Iterable[str] | None) -> list[str] | None:
    """None means all documents; an empty list means none."""
    return None if document_ids is None else sorted(set(document_ids))


def check_page(limit: int | None, offset: int) -> tuple[int | None, int]:
    """Validate a page request: limit None (all) or >= 0, offset >= 0."""
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise StoreError(f"limit must be a whole number >= 0, not {limit!r}")
    if not isinstance(offset, int) or offset < 0:
        raise StoreError(f"offset must be a whole number >= 0, not {offset!r}")
    return limit, offset


def check_choices(asked: Sequence[str] | str | None, allowed: Sequence[str], what: str) -> list[str]:
    """The values asked for, in `allowed`'s order (None: all of them); StoreError naming an
    unknown one (`what` it is: "role")."""
    if asked is None:
        return list(allowed)
    if isinstance(asked, str):
        asked = [asked]
    bad = [v for v in asked if v not in allowed]
    if bad:
        raise StoreError(f"unknown {what}: {bad[0]!r} (use one of {', '.join(allowed)})")
    return [v for v in allowed if v in asked]


def check_roles(roles: Sequence[str] | str | None) -> list[str]:
    """The roles asked for (None: every role); StoreError for an unknown one."""
    return check_choices(roles, ROLES, "role")


def check_relation(relation: str | None) -> str | None:
    if relation is not None and relation not in ("basis", "produces"):
        raise StoreError(f"unknown relation: {relation!r} (use basis or produces)")
    return relation


def check_bases(bases: Iterable[str]) -> list[str]:
    """Link bases (graph.records.LINK_BASES); StoreError for an unknown one."""
    from plangraph.graph.records import LINK_BASES
    out = list(bases)
    bad = [b for b in out if b not in LINK_BASES]
    if bad:
        raise StoreError(f"unknown link basis: {bad[0]!r} (use one of {', '.join(LINK_BASES)})")
    return out


def check_pairs(pairs: Iterable["LinkedPair"], tasks_of: Callable[[list[str]], dict[str, set[str]]]) -> list["LinkedPair"]:
    """The pairs to write, checked before anything is written: `tasks_of(document ids)` gives
    the stored task ids of each stored document; StoreError naming the first document or
    task that is not stored. A pair given twice: the later wins."""
    latest: dict[frozenset[str], "LinkedPair"] = {}
    for p in pairs:
        latest.pop(frozenset((p.a, p.b)), None)
        latest[frozenset((p.a, p.b))] = p
    out = list(latest.values())
    stored = tasks_of(sorted({d for p in out for d in (p.a, p.b)}))
    for p in out:
        for doc in (p.a, p.b):
            if doc not in stored:
                raise StoreError(f"no document {doc!r} in the store (see `plangraph documents`)")
        for m in p.links:
            for doc, task in ((m.a_document, m.a_task), (m.b_document, m.b_task)):
                if task not in stored[doc]:
                    raise StoreError(f"no task {task!r} in document {doc!r}")
    return out


def check_finding_kinds(kinds: Sequence[str] | str | None) -> list[str]:
    """The finding kinds asked for, in table order (None: every kind); StoreError for an unknown one."""
    return check_choices(kinds, FINDING_KINDS, "finding kind")


def regulation_query_key(regulation: str) -> str:
    """The key a regulation asked for by any of its titles is stored under."""
    from plangraph.graph.records import regulation_key
    key = regulation_key(regulation)
    if not key:
        raise StoreError(f"empty regulation title: {regulation!r}")
    return key


class GraphStore(ABC):
    """The query API both stores implement; see the module docstring."""

    kind: str = "?"

    # ------------------------------------------------------------ lifecycle
    def close(self) -> None:
        return None

    def ping(self) -> None:
        """Raise StoreError unless the store can be used (Neo4j: the server answers)."""
        return None

    def check_writable(self) -> None:
        """Raise StoreError (one line) unless the store takes writes: checked before an
        ingest reports anything."""
        self.ping()

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ writes
    def ingest(self, extraction, skip_unchanged: bool = False) -> IngestResult:
        """Write one extraction, replacing any earlier version of the same document.

        skip_unchanged: when the store already holds exactly these records, write nothing.
        """
        from plangraph.graph.records import build_graph_records
        from plangraph.graph.rows import IngestResult
        records = build_graph_records(extraction)
        if skip_unchanged and self.fingerprint(records.document_id) == records.document.props["fingerprint"]:
            return IngestResult(records.document_id, len(records.tasks), len(records.units),
                                len(records.regulations), replaced=False, unchanged=True)
        return self.write_document(records)

    @abstractmethod
    def fingerprint(self, document_id: str) -> str | None:
        """The stored document's records fingerprint (None: not stored)."""

    def write_document(self, records: DocumentRecords) -> IngestResult:
        """All-or-nothing: on any error the store is as it was before."""
        return self.write_documents([records])[0]

    @abstractmethod
    def write_documents(self, batch: Sequence[DocumentRecords]) -> list[IngestResult]:
        """Write several documents, in order, in ONE transaction: all written, or (any
        error) none. A document id given twice is written twice (the later version wins)."""

    @contextlib.contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Many writes in a row (a folder ingest): the store may put off upkeep that only
        speeds up reads until the block ends, even by an error or Ctrl-C. Answers stay right
        meanwhile, and other writers are not held up. Nothing is put off unless a store
        says so (Neo4j: its answer lists)."""
        yield

    def delete_document(self, document_id: str) -> bool:
        """Remove a document's subgraph and the Units/Regulations left without edges."""
        return self.delete_documents([document_id])[0]

    @abstractmethod
    def delete_documents(self, document_ids: Sequence[str]) -> list[bool]:
        """Remove these documents in ONE transaction (see delete_document); per id: it was stored."""

    # ------------------------------------------------------------ links between plans
    def write_links(self, pair: LinkedPair) -> int:
        """Replace the links of one pair of documents, all-or-nothing; the MATCHES written."""
        return self.write_links_many([pair])

    @abstractmethod
    def write_links_many(self, pairs: Iterable[LinkedPair], drop_bases: Sequence[str] = (),
                         progress: Callable[[int], None] | None = None) -> int:
        """Write many linked pairs (see the module docstring); the MATCHES written. StoreError
        (nothing of the failing pair written) for a document or task not in the store."""

    @abstractmethod
    def implements(self, document_ids: Sequence[str] | None = None) -> list[ImplementsRow]: ...

    @abstractmethod
    def compared(self, document_ids: Sequence[str] | None = None) -> list[ComparedRow]: ...

    @abstractmethod
    def matches(self, a: str | None = None, b: str | None = None, document_ids: Sequence[str] | None = None,
                task: tuple[str, str] | None = None, limit: int | None = None, offset: int = 0) -> list[MatchRow]: ...

    @abstractmethod
    def key_terms(self, document_ids: Sequence[str] | None = None) -> dict[str, list[list[str]] | None]: ...

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

    @abstractmethod
    def task_links(self, document_ids: Sequence[str] | None = None) -> list[TaskLink]:
        """The tasks without their text, in tasks() order."""

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
        raise StoreError(f"unit name {name.strip()!r} matches {len(found)} units, give the full name: {shown}")

    @abstractmethod
    def regulations(self, title_contains: str | None = None,
                    document_ids: Sequence[str] | None = None) -> list[RegulationRow]: ...

    @abstractmethod
    def tasks_citing(self, regulation: str, relation: str | None = None,
                     document_ids: Sequence[str] | None = None, limit: int | None = None,
                     offset: int = 0) -> list[TaskCitation]:
        """The citations of a regulation in tasks, with their task rows; one page with limit/offset."""

    @abstractmethod
    def deliverables(self, document_ids: Sequence[str] | None = None, limit: int | None = None,
                     offset: int = 0) -> list[Deliverable]:
        """One row per (task, regulation) the task is to produce; by (document_id, ordinal,
        start, regulation); one page with limit/offset."""

    @abstractmethod
    def orphans(self, kind: str, as_of: str | _dt.date | None = None,
                document_ids: Sequence[str] | None = None, limit: int | None = None,
                offset: int = 0) -> list[TaskRow]:
        """Tasks with a gap of `kind` (graph.gaps.GAP_TABLE), a page of them with limit/offset."""

    @abstractmethod
    def gap_counts(self, as_of: str | _dt.date | None = None,
                   document_ids: Sequence[str] | None = None) -> dict[str, int]:
        """Kind -> how many tasks `orphans(kind, as_of, document_ids)` gives, every kind."""

    # ------------------------------------------------------------ findings (ingest/review.py)
    @abstractmethod
    def findings(self, document_ids: Sequence[str] | None = None, kinds: Sequence[str] | None = None,
                 limit: int | None = None, offset: int = 0) -> list[FindingRow]:
        """The places the extractor could not read, by (document_id, position); one page."""

    @abstractmethod
    def findings_of_task(self, document_id: str, task_id: str) -> list[FindingRow]:
        """The findings that lie in one task, by position."""

    @abstractmethod
    def finding_counts(self, document_ids: Sequence[str] | None = None) -> dict[str, dict[str, int]]:
        """Document id -> kind -> how many findings (every kind of FINDING_KINDS), for each
        document whose findings are stored; documents stored before they were kept are absent."""

    @abstractmethod
    def version(self) -> str:
        """Changes whenever the store's content may have changed (a cache key)."""

    @abstractmethod
    def workload(self, document_ids: Sequence[str] | None = None) -> list[UnitWorkload]: ...

    @abstractmethod
    def co_responsibility(self, document_ids: Sequence[str] | None = None,
                          include_collective: bool = True, min_weight: int = 1) -> list[CoEdge]: ...

    @abstractmethod
    def to_networkx(self, document_ids: Sequence[str] | None = None) -> "nx.MultiDiGraph": ...

    @abstractmethod
    def unit_names(self) -> list[str]:
        """Every unit's canonical name, sorted."""


__all__ = ["GraphStore", "StoreError", "open_store", "default_home", "STORE_KINDS", "doc_filter", "check_page",
           "check_roles", "check_relation", "check_finding_kinds", "regulation_query_key", "unit_needles",
           "check_bases", "check_pairs"]
