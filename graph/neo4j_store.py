"""The Neo4j store: the same graph model in Neo4j, through the official driver.

Connection from graph.neo4j_config (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD,
NEO4J_DATABASE). Uniqueness constraints and indexes are created on first use.
A document is written in ONE transaction: delete its old subgraph, UNWIND-batch the
new nodes and edges, delete Units/Regulations left without edges; any error rolls the
whole document back. Every value reaches Cypher as a parameter (document text is data);
the only strings composed into queries are the fixed relationship types of graph.records.
Result assembly and ordering are shared with the embedded store (graph.store helpers).
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import gc
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

import neo4j
from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from plangraph.graph import gaps, neo4j_write
from plangraph.graph.aggregates import Totals, co_edges, regulation_rows, workload_rows
from plangraph.graph.errors import StoreError, StoreUnavailable
from plangraph.graph.gaps import as_of_date, check_kind, gap_flag
from plangraph.graph.records import GAP_BASES, ROLE_TYPES, TYPE_ROLES, DocumentRecords, LinkedPair, task_key
from plangraph.graph.rows import (
    DOCUMENT_FIELDS,
    FINDING_FIELDS,
    LINK_FIELDS,
    REGULATION_INFO,
    TASK_FIELDS,
    CoEdge,
    ComparedRow,
    Deliverable,
    DocumentSummary,
    ImplementsRow,
    FindingRow,
    IngestResult,
    MatchRow,
    RegulationRow,
    TaskCitation,
    TaskLink,
    TaskRow,
    UnitRole,
    UnitWorkload,
    compared_row,
    deliverable_rows,
    document_summary,
    finding_count_table,
    finding_row,
    implements_row,
    match_row,
    sort_citations,
    sort_findings,
    sort_matches,
    sort_tasks,
    task_link,
    task_row,
    unit_role,
    unit_role_sort_key,
)
from plangraph.graph.store import (
    GraphStore,
    check_bases,
    check_finding_kinds,
    check_page,
    check_pairs,
    check_relation,
    check_roles,
    doc_filter,
    regulation_query_key,
    unit_needles,
)

if TYPE_CHECKING:
    import networkx as nx

LABELS = ("Document", "Section", "Task", "Unit", "Regulation")
KEY_PROPERTY = {"Document": "id", "Section": "key", "Task": "key", "Unit": "name", "Regulation": "key"}
ROLE_PATTERN = "|".join(ROLE_TYPES.values())  # fixed names from graph.records, never data

SCHEMA = [
    "CREATE CONSTRAINT plangraph_document_id IF NOT EXISTS FOR (n:Document) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT plangraph_section_key IF NOT EXISTS FOR (n:Section) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT plangraph_task_key IF NOT EXISTS FOR (n:Task) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT plangraph_unit_name IF NOT EXISTS FOR (n:Unit) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT plangraph_regulation_key IF NOT EXISTS FOR (n:Regulation) REQUIRE n.key IS UNIQUE",
    "CREATE INDEX plangraph_task_document IF NOT EXISTS FOR (n:Task) ON (n.document_id)",
    "CREATE INDEX plangraph_section_document IF NOT EXISTS FOR (n:Section) ON (n.document_id)",
    "CREATE INDEX plangraph_task_order IF NOT EXISTS FOR (n:Task) ON (n.document_id, n.ordinal)",
    "CREATE INDEX plangraph_task_deadline IF NOT EXISTS FOR (n:Task) ON (n.deadline_first)",
    "CREATE INDEX plangraph_regulation_status IF NOT EXISTS FOR (n:Regulation) ON (n.status)",
] + [
    f"CREATE INDEX plangraph_task_{gap_flag(k)} IF NOT EXISTS FOR (n:Task) ON (n.{gap_flag(k)})"
    for k in gaps.STATIC_GAP_KINDS
] + [  # find_units: the names as written
    f"CREATE INDEX plangraph_{rel.lower()}_unit IF NOT EXISTS FOR ()-[r:{rel}]-() ON (r.unit)"
    for rel in ROLE_TYPES.values()
]

# What the extractor could not read (graph.neo4j_write.write_findings): Findings by document, in order.
FINDINGS_SCHEMA = [
    "CREATE INDEX plangraph_finding_order IF NOT EXISTS FOR (n:Finding) ON (n.document_id, n.position)",
    "CREATE INDEX plangraph_finding_kind IF NOT EXISTS FOR (n:Finding) ON (n.kind)",
]
SCHEMA += FINDINGS_SCHEMA


def schema_name(statement: str) -> str:
    """The name a SCHEMA statement gives ("CREATE INDEX <name> IF NOT EXISTS …")."""
    return statement.split()[2]


def _projection(fields: tuple[str, ...]) -> str:
    """A Cypher map projection's fields (fixed names from graph.rows)."""
    return ", ".join(f".{f}" for f in fields)


TASK_PROJECTION = _projection(TASK_FIELDS)  # what a task row reads of a Task
FINDING_PROJECTION = _projection(FINDING_FIELDS)  # what a finding row reads of a Finding
LINK_PROJECTION = _projection(LINK_FIELDS)  # what a task link reads (no text)
DOCUMENT_VALUES = ", ".join(f"d.{f}" for f in DOCUMENT_FIELDS)  # a Document without its text
REGULATION_PROJECTION = ", ".join(f"g.{f}" for f in REGULATION_INFO)  # what a regulation row shows (a list)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while an answer is made of many objects: every 700
    new objects it walks the young ones, and now and then the whole heap, finding nothing
    (rows are lists, dicts and dataclasses without cycles). Process-wide: only the caller
    that paused it turns it back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


F = TypeVar("F", bound=Callable[..., Any])


def _store_call(fn: F) -> F:
    """Every public store method: driver and server errors become one-line StoreErrors (no
    traceback for the CLI), and Python's cycle collector waits while the answer is decoded
    and built (a store-wide answer is tens of thousands of values; its walks of the young
    objects and of the app's heap were a third of deliverables()' slowest calls)."""
    @functools.wraps(fn)
    def wrapper(self: "Neo4jStore", *args: Any, **kwargs: Any) -> Any:
        try:
            with collector_paused():
                return fn(self, *args, **kwargs)
        except StoreError:
            raise
        except (DriverError, Neo4jError, OSError) as err:
            msg = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            gone = isinstance(err, (ServiceUnavailable, SessionExpired, OSError))
            raise (StoreUnavailable if gone else StoreError)(f"Neo4j at {self.uri}: {msg}") from err
    return wrapper  # type: ignore[return-value]


class Neo4jStore(GraphStore):
    kind = "neo4j"

    # How long one write keeps retrying a server that does not answer (the driver's default
    # is 30 s, per transaction): then it fails and the ingest reports the rest at once.
    RETRY_S = 10.0

    def __init__(self, driver: neo4j.Driver | None = None, database: str | None = None,
                 settings: Any = None, connection_timeout: float = 5.0):
        from plangraph.graph.neo4j_config import neo4j_settings, open_driver
        try:
            self.settings = settings or neo4j_settings()
        except ValueError as err:
            raise StoreError(str(err)) from None
        self.uri = self.settings.uri
        self.database = database or self.settings.database
        self._owns_driver = driver is None
        try:
            self.driver = driver or open_driver(self.settings, connection_timeout=connection_timeout,
                                                max_transaction_retry_time=self.RETRY_S,
                                                connection_acquisition_timeout=2 * connection_timeout)
        except (DriverError, ValueError) as err:
            raise StoreError(f"Neo4j at {self.uri}: {err}") from None
        self._schema_ready = False
        self._totals_ready = False
        self._bulk = False  # inside bulk_writes()

    def close(self) -> None:
        if self._owns_driver:
            self.driver.close()

    @_store_call
    def ping(self) -> None:
        """Raise StoreError unless the server answers."""
        self.driver.verify_connectivity()

    # ------------------------------------------------------------ plumbing
    def _session(self, **config: Any) -> neo4j.Session:
        # Notifications off: "relationship type does not exist" on an empty database is noise.
        return self.driver.session(database=self.database, notifications_min_severity="OFF", **config)

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        self._ensure_schema()
        with self._session(default_access_mode=neo4j.READ_ACCESS) as s:
            return s.execute_read(lambda tx: list(tx.run(query, params)))

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        with self._session() as s:
            # One look at what exists, then only the missing ones: each CREATE … IF NOT EXISTS
            # is a schema transaction of its own (~0.5 s for all of them on a first page).
            present = set(s.run("SHOW INDEXES YIELD name RETURN collect(name) AS names").single()["names"])
            present |= set(s.run("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names").single()["names"])
            for stmt in SCHEMA + neo4j_write.SCHEMA:
                if schema_name(stmt) not in present:
                    s.run(stmt).consume()
            if not s.execute_read(neo4j_write.gap_flags_current):  # written with other gap kinds
                s.execute_write(neo4j_write.rewrite_gap_flags)
            if not s.execute_read(neo4j_write.links_current):  # written by an older PlanGraph
                s.execute_write(neo4j_write.upgrade_links)
        self._schema_ready = True

    @_store_call
    def clear_all_for_tests(self) -> None:
        """Delete every PlanGraph node. Tests only: Community edition has one database."""
        with self._session() as s:
            while s.execute_write(neo4j_write.clear_some):
                pass
        self._totals_ready = False

    # ------------------------------------------------------------ writes (graph.neo4j_write)
    @_store_call
    def write_document(self, records: DocumentRecords) -> IngestResult:
        return self.write_documents([records])[0]

    @_store_call
    def write_documents(self, batch: Sequence[DocumentRecords]) -> list[IngestResult]:
        """Many documents in ONE transaction: all written, or (any error) none."""
        batch = list(batch)
        if not batch:
            return []
        self._ensure_schema()
        with self._session() as s:
            replaced = s.execute_write(neo4j_write.write_documents, batch, not self._bulk)
        return [IngestResult(r.document_id, len(r.tasks), len(r.units), len(r.regulations), found is not None,
                             unlinked=found or 0) for r, found in zip(batch, replaced)]

    @contextlib.contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """The answer lists (graph.neo4j_write) are written once, at the end, not with every
        batch; meanwhile workload() and co_responsibility() read the totals, documents()
        each Document. If the server is gone by then, the next write or bulk run writes them."""
        outer, self._bulk = self._bulk, True
        try:
            yield
        finally:
            self._bulk = outer
            if not outer:
                with contextlib.suppress(StoreError):
                    self._refresh_answer_lists()

    @_store_call
    def _refresh_answer_lists(self) -> None:
        """In an explicit transaction: not retried, so a server that is gone fails at once."""
        with self._session() as s, s.begin_transaction() as tx:
            neo4j_write.refresh_answer_lists(tx)
            tx.commit()

    @_store_call
    def delete_documents(self, document_ids: Sequence[str]) -> list[bool]:
        self._ensure_schema()
        with self._session() as s:
            return s.execute_write(neo4j_write.delete_documents, list(document_ids), not self._bulk)

    # Links: about this many MATCHES per write transaction (each pair whole in one of them).
    LINK_BATCH = 50_000

    @_store_call
    def write_links_many(self, pairs: Iterable[LinkedPair], drop_bases: Sequence[str] = (),
                         progress: Callable[[int], None] | None = None) -> int:
        drop = check_bases(drop_bases)
        self._ensure_schema()
        checked = check_pairs(pairs, self._task_ids)
        batches: list[list[LinkedPair]] = [[]]
        size = 0
        for p in checked:
            if size >= self.LINK_BATCH:
                batches.append([])
                size = 0
            batches[-1].append(p)
            size += len(p.links)
        written = done = 0
        with self._session() as s:
            while drop and s.execute_write(neo4j_write.unlink_some, drop):
                pass
            for batch in batches:
                if batch:
                    written += s.execute_write(neo4j_write.write_link_batch, batch)
                    done += len(batch)
                    if progress is not None:
                        progress(done)
        return written

    def _task_ids(self, docs: list[str]) -> dict[str, set[str]]:
        """Stored document -> its task ids."""
        rows = self._one("UNWIND $docs AS id MATCH (d:Document {id: id}) "
                         "RETURN collect([id, COLLECT { MATCH (t:Task {document_id: id}) RETURN t.id }]) AS rows",
                         docs=docs)
        return {doc: set(ids) for doc, ids in rows}

    @_store_call
    def implements(self, document_ids: Sequence[str] | None = None) -> list[ImplementsRow]:
        rows = self._one("MATCH (d:Document)-[r:IMPLEMENTS]->(p:Document) WHERE $docs IS NULL OR d.id IN $docs "
                         "OR p.id IN $docs RETURN collect([d.id, p.id, properties(r)]) AS rows",
                         docs=doc_filter(document_ids))
        return sorted((implements_row(*row) for row in rows), key=lambda r: (r.document_id, r.implemented_id))

    @_store_call
    def compared(self, document_ids: Sequence[str] | None = None) -> list[ComparedRow]:
        rows = self._one("MATCH (b:Document)-[c:COMPARED]->(a:Document) WHERE $docs IS NULL OR a.id IN $docs "
                         "OR b.id IN $docs RETURN collect([a.id, b.id, properties(c)]) AS rows",
                         docs=doc_filter(document_ids))
        return sorted((compared_row(*row) for row in rows), key=lambda r: (r.a, r.b))

    @_store_call
    def matches(self, a: str | None = None, b: str | None = None, document_ids: Sequence[str] | None = None,
                task: tuple[str, str] | None = None, limit: int | None = None, offset: int = 0) -> list[MatchRow]:
        limit, offset = check_page(limit, offset)
        docs = doc_filter(document_ids)
        if task is not None:  # one task, either end (a UNION, so each side uses the key's index)
            match = ("CALL { MATCH (ta:Task {key: $key})<-[m:MATCHES]-(tb:Task) RETURN ta, m, tb "
                     "UNION MATCH (ta:Task)<-[m:MATCHES]-(tb:Task {key: $key}) RETURN ta, m, tb }")
        elif a is not None:
            match = "MATCH (ta:Task {document_id: $a})<-[m:MATCHES]-(tb:Task)"
        elif b is not None:
            match = "MATCH (ta:Task)<-[m:MATCHES]-(tb:Task {document_id: $b})"
        elif docs is not None:
            match = ("MATCH (x:Task) WHERE x.document_id IN $docs MATCH (x)-[m:MATCHES]-(:Task) WITH DISTINCT m "
                     "MATCH (tb:Task)-[m]->(ta:Task)")
        else:
            match = "MATCH (ta:Task)<-[m:MATCHES]-(tb:Task)"
        query = (f"{match} WITH ta, m, tb WHERE ($a IS NULL OR ta.document_id = $a) "
                 "AND ($b IS NULL OR tb.document_id = $b) "
                 "AND ($docs IS NULL OR ta.document_id IN $docs OR tb.document_id IN $docs) "
                 "WITH ta, m, tb ORDER BY ta.document_id, ta.ordinal, tb.document_id, tb.ordinal SKIP $offset"
                 + ("" if limit is None else " LIMIT $limit")
                 + f" RETURN collect([ta {{{TASK_PROJECTION}}}, tb {{{TASK_PROJECTION}}}, properties(m)]) AS rows")
        rows = self._one(query, a=a, b=b, docs=docs, key=task_key(*task) if task else None, offset=offset,
                         limit=limit)
        return sort_matches(match_row(task_row(pa), task_row(pb), props) for pa, pb, props in rows)

    @_store_call
    def key_terms(self, document_ids: Sequence[str] | None = None) -> dict[str, list[list[str]] | None]:
        from plangraph.graph.compare_text import terms_version
        docs = doc_filter(document_ids)
        where = "d.id IS NOT NULL" if docs is None else "d.id IN $docs"
        versions = self._one(f"MATCH (d:Document) WHERE {where} RETURN collect([d.id, d.terms_version]) AS rows",
                             docs=docs)
        current = terms_version()
        out: dict[str, list[list[str]] | None] = {doc: ([] if v == current else None) for doc, v in versions}
        rows = self._one("MATCH (t:Task) WHERE t.document_id IN $fresh WITH t ORDER BY t.document_id, t.ordinal "
                         "RETURN collect([t.document_id, t.key_terms]) AS rows",
                         fresh=[d for d, v in out.items() if v is not None])
        for doc, terms in rows:
            if out[doc] is not None:
                if terms is None:
                    out[doc] = None
                else:
                    out[doc].append(list(terms))
        return out

    @_store_call
    def version(self) -> str:
        """The store's change counter: changes with every committed write ("0": never written)."""
        with self._session(default_access_mode=neo4j.READ_ACCESS) as s:
            return s.execute_read(neo4j_write.read_version)

    # ------------------------------------------------------------ queries
    # Task rows come from the Task's own properties (graph.records stores its units, titles
    # and static gap flags there), so a page of rows is one index-backed read.
    # An answer of more task rows than this is read in parts of this many: a projection of
    # every task of 10,000 plans (514k) as one list is more than a 1 GB server lets one
    # transaction hold.
    TASK_ROWS_PER_READ = 20_000

    def _task_rows(self, match: str, limit: int | None = None, offset: int = 0, **params: Any) -> list[TaskRow]:
        """`match` binds t (one row per task); one page in (document_id, ordinal) order.
        Up to TASK_ROWS_PER_READ rows come in one round trip; a longer answer brings the
        tasks' keys, then their rows in parts."""
        limit, offset = check_page(limit, offset)
        rows, keys = self._read(
            match + " WITH t ORDER BY t.document_id, t.ordinal SKIP $offset"
            + ("" if limit is None else " LIMIT $limit") + " WITH collect(t) AS ts "
            f"RETURN CASE WHEN size(ts) <= $whole THEN [t IN ts | t {{{TASK_PROJECTION}}}] END AS rows, "
            "CASE WHEN size(ts) > $whole THEN [t IN ts | t.key] END AS keys",
            offset=offset, limit=limit, whole=self.TASK_ROWS_PER_READ, **params)[0].values()
        out = [task_row(props) for props in rows or ()]
        for i in range(0, len(keys or ()), self.TASK_ROWS_PER_READ):
            out += map(task_row, self._one(f"UNWIND $keys AS key MATCH (t:Task {{key: key}}) "
                                           f"RETURN collect(t {{{TASK_PROJECTION}}}) AS rows",
                                           keys=keys[i:i + self.TASK_ROWS_PER_READ]))
        # sorted again in Python: Cypher orders strings by UTF-16 units, Python by code points
        return sort_tasks(out)

    @staticmethod
    def _doc_clause(docs: list[str] | None, var: str = "t") -> str:
        """A fixed WHERE condition on `var`.document_id (None: every document), index-friendly."""
        return f"{var}.document_id IS NOT NULL" if docs is None else f"{var}.document_id IN $docs"

    @_store_call
    def documents(self, document_ids: Sequence[str] | None = None) -> list[DocumentSummary]:
        return sorted(map(document_summary, self._summary_values(doc_filter(document_ids))),
                      key=attrgetter("document_id"))

    def _summary_values(self, docs: list[str] | None) -> Iterable[Sequence[Any]]:
        """Each document's DOCUMENT_FIELDS values: of every document, the answer lists' one
        string when it is valid (graph.neo4j_write.write_answer_lists); else each Document's
        summary_json, or its properties when written before them."""
        if docs is None:
            joined = self._read(f"{neo4j_write.ANSWER_LISTS} RETURN summaries_joined")[0]["summaries_joined"]
            if joined is not None:
                return neo4j_write.joined_summary_rows(joined)
        where = "d.id IS NOT NULL" if docs is None else "d.id IN $docs"
        summary = f"d.{neo4j_write.SUMMARY_PROPERTY}"
        unsummed = f"CASE WHEN {summary} IS NULL THEN [{DOCUMENT_VALUES}] END"  # collect() skips nulls
        stored, older = self._read(f"MATCH (d:Document) WHERE {where} RETURN collect({summary}) AS stored, "
                                   f"collect({unsummed}) AS older", docs=docs)[0].values()
        return neo4j_write.summary_rows(stored) + older

    @_store_call
    def fingerprint(self, document_id: str) -> str | None:
        recs = self._read("MATCH (d:Document {id: $id}) RETURN d.fingerprint AS f", id=document_id)
        return recs[0]["f"] if recs else None

    @_store_call
    def document_text(self, document_id: str) -> str | None:
        recs = self._read("MATCH (d:Document {id: $id}) RETURN d.text AS text", id=document_id)
        return (recs[0]["text"] or "") if recs else None

    @_store_call
    def tasks(self, document_ids: Sequence[str] | None = None, limit: int | None = None,
              offset: int = 0) -> list[TaskRow]:
        docs = doc_filter(document_ids)
        if docs is None and limit is not None and offset > 0:  # a page deep in: seek to it, do not SKIP
            return self._task_rows(self._TASKS_FROM, limit, offset=0, start=offset)
        return self._task_rows(f"MATCH (t:Task) WHERE {self._doc_clause(docs)}", limit, offset, docs=docs)

    # Binds t to the tasks from position $start on, in task order, without walking the tasks
    # before it (SKIP would: 70 ms for the middle of 1,000 plans). The Documents in id order
    # with their task counts (n_tasks, written with the Tasks) give the document the position
    # falls in and how far into it; that document's ordinals give where to begin; the
    # (document_id, ordinal) index is read from there on.
    _TASKS_FROM = """
        CALL { MATCH (d:Document) WHERE d.id IS NOT NULL WITH d ORDER BY d.id
               WITH collect([d.id, CASE WHEN d.n_tasks IS NULL THEN COUNT { (:Task {document_id: d.id}) }
                                        ELSE d.n_tasks END]) AS counts
               RETURN reduce(s = [0, null, 0], x IN counts | CASE WHEN s[1] IS NOT NULL THEN s
                             WHEN s[0] + x[1] > $start THEN [s[0], x[0], $start - s[0]]
                             ELSE [s[0] + x[1], null, 0] END) AS seek }
        WITH seek[1] AS first, seek[2] AS skip
        CALL { WITH first MATCH (x:Task {document_id: first}) WITH x.ordinal AS o ORDER BY o
               RETURN collect(o) AS ordinals }
        WITH first, ordinals[skip] AS from
        MATCH (t:Task) WHERE t.document_id >= first AND t.ordinal IS NOT NULL
        WITH t, first, from ORDER BY t.document_id, t.ordinal
        WHERE t.document_id > first OR t.ordinal >= from"""

    _LINK_DOCUMENTS_PER_READ = 50

    @_store_call
    def task_links(self, document_ids: Sequence[str] | None = None) -> list[TaskLink]:
        """The links read _LINK_DOCUMENTS_PER_READ documents at a time: a drawing of a
        province's plans reads 50k of them, and one list of them all, decoded at once, left
        the app server holding the memory it had taken."""
        docs = doc_filter(document_ids)
        if docs is None:
            docs = self._one("MATCH (d:Document) RETURN collect(d.id) AS rows")
        docs = sorted(set(docs))
        out: list[TaskLink] = []
        for i in range(0, len(docs), self._LINK_DOCUMENTS_PER_READ):
            rows = self._one(f"MATCH (t:Task) WHERE t.document_id IN $docs RETURN collect(t {{{LINK_PROJECTION}}}) AS rows",
                             docs=docs[i:i + self._LINK_DOCUMENTS_PER_READ])
            out += sorted(map(task_link, rows), key=lambda t: (t.document_id, t.ordinal))
        return out

    @_store_call
    def task(self, document_id: str, task_id: str) -> TaskRow | None:
        rows = self._task_rows("MATCH (t:Task {key: $key})", key=task_key(document_id, task_id))
        return rows[0] if rows else None

    @_store_call
    def tasks_of_unit(self, unit: str, roles: Sequence[str] | None = None,
                      document_ids: Sequence[str] | None = None, limit: int | None = None,
                      offset: int = 0) -> list[TaskRow]:
        check_page(limit, offset)
        roles = check_roles(roles)
        rel = "|".join(ROLE_TYPES[r] for r in roles)  # fixed names from graph.records
        docs = doc_filter(document_ids)
        name, plan = self._unit_and_plan(unit, roles, docs, limit, offset)
        if name is None:
            return []
        if plan == "tasks":
            return self._task_rows(f"MATCH (t:Task) WHERE t.document_id IN $docs "
                                   f"AND EXISTS {{ MATCH (:Unit {{name: $unit}})-[:{rel}]->(t) }}",
                                   limit, offset, unit=name, docs=docs)
        if plan == "walk":
            return self._task_rows(f"MATCH (t:Task) WHERE t.document_id IS NOT NULL AND t.ordinal IS NOT NULL "
                                   f"WITH t ORDER BY t.document_id, t.ordinal "
                                   f"WHERE EXISTS {{ MATCH (:Unit {{name: $unit}})-[:{rel}]->(t) }}",
                                   limit, offset, unit=name)
        return self._task_rows(f"MATCH (:Unit {{name: $unit}})-[:{rel}]->(t:Task) WHERE {self._doc_clause(docs)} "
                               "WITH DISTINCT t", limit, offset, unit=name, docs=docs)

    # tasks_of_unit walks the tasks in task order when that reads this many times fewer
    # tasks than the unit's edges (0: never)
    WALK_GAIN = 3.0

    def _unit_and_plan(self, unit: str, roles: list[str], docs: list[str] | None, limit: int | None,
                       offset: int) -> tuple[str | None, str]:
        """The canonical name `unit` means (resolve_unit) and how its tasks are read: "walk"
        (every task in task order, _walk_tasks), "tasks" (these documents' tasks, when they
        hold fewer tasks than the unit has edges: a plan of 50 tasks and the busiest unit's
        40k edges) or "unit" (from the unit's edges). A name stored as typed (or with its
        aliases folded) and the counts that decide are one round trip; any other name is
        resolved as resolve_unit does."""
        if self._may_walk(docs, limit):
            counts = self._WALK_COUNTS
        elif docs is not None and self._totals():
            counts = self._DOCUMENT_COUNTS
        else:
            counts = "RETURN name"
        rec = self._read("CALL { UNWIND range(0, size($needles) - 1) AS i MATCH (u:Unit {name: $needles[i]}) "
                         "WITH i, u ORDER BY i RETURN collect(u.name)[0] AS name } " + counts,
                         needles=unit_needles(unit), docs=docs)[0]
        name = rec["name"]
        if name is None:
            name = self.resolve_unit(unit, docs)
            return name, "walk" if name is not None and self._walk_tasks(name, roles, docs, limit, offset) else "unit"
        if counts is self._WALK_COUNTS:
            return name, "walk" if self._walk_gain(rec["edges"], roles, rec["tasks"], limit, offset) else "unit"
        if counts is self._DOCUMENT_COUNTS:
            return name, "tasks" if (rec["edges"] or 0) > rec["tasks"] else "unit"
        return name, "unit"

    # the documents' tasks (their stored n_tasks) and the edges of the Unit bound to `name`
    _DOCUMENT_COUNTS = ("CALL { UNWIND $docs AS id MATCH (d:Document {id: id}) "
                        "RETURN sum(coalesce(d.n_tasks, 0)) AS tasks } "
                        "OPTIONAL MATCH (l:UnitLoad {unit: name}) RETURN name, tasks, l.total AS edges")

    # the counts _walk_gain weighs, of the Unit bound to `name`: every task (the count
    # store, not a scan) and the unit's edges per role (its UnitLoad)
    _WALK_COUNTS = ("CALL { MATCH (t:Task) RETURN count(t) AS tasks } OPTIONAL MATCH (l:UnitLoad {unit: name}) "
                    "RETURN name, tasks, l {" + ", ".join(f".{r}" for r in ROLE_TYPES) + "} AS edges")

    def _may_walk(self, docs: list[str] | None, limit: int | None) -> bool:
        """Whether a page of a unit's tasks may be walked at all: every document, a limit,
        a gain, and the store-wide totals to weigh it with."""
        return docs is None and limit is not None and bool(self.WALK_GAIN) and self._totals()

    def _walk_gain(self, load: dict[str, Any] | None, roles: list[str], tasks: int, limit: int | None,
                   offset: int) -> bool:
        """The walk reads about (offset + limit) x tasks / the unit's tasks; the sort, the
        unit's edges (per role: their sum bounds the tasks). Walk when that is WALK_GAIN
        times fewer."""
        edges = sum((load or {}).get(r) or 0 for r in roles)
        return edges > 0 and self.WALK_GAIN * (offset + (limit or 0)) * tasks / edges < edges

    def _walk_tasks(self, unit: str, roles: list[str], docs: list[str] | None, limit: int | None,
                    offset: int) -> bool:
        """Whether a page of a unit's tasks is read best by walking every task in task order
        (index) until the page is full, instead of sorting all of the unit's tasks: so for a
        unit named on most tasks (各区县(市)政府: three in four of a province's). The counts
        are the store-wide totals."""
        if not self._may_walk(docs, limit):
            return False
        rec = self._read(f"WITH $unit AS name {self._WALK_COUNTS}", unit=unit)[0]
        return self._walk_gain(rec["edges"], roles, rec["tasks"], limit, offset)

    @_store_call
    def has_unit(self, name: str) -> bool:
        return bool(self._read("MATCH (u:Unit {name: $name}) RETURN count(u) > 0 AS found", name=name)[0]["found"])

    @_store_call
    def find_units(self, name: str, document_ids: Sequence[str] | None = None) -> list[str]:
        needles = unit_needles(name)
        if not needles:
            return []
        docs = doc_filter(document_ids)
        if docs is None:  # every Unit has an edge (they are pruned), so: names, then written forms (indexed)
            written = " UNION ".join(f"MATCH (u:Unit)-[r:{rel}]->(:Task) WHERE r.unit IN $needles RETURN u.name AS name"
                                     for rel in ROLE_TYPES.values())
            query = ("MATCH (u:Unit) WHERE any(n IN $needles WHERE u.name ENDS WITH n) RETURN u.name AS name "
                     f"UNION {written}")
        else:
            query = (f"MATCH (t:Task) WHERE t.document_id IN $docs MATCH (u:Unit)-[r:{ROLE_PATTERN}]->(t) "
                     "WHERE r.unit IN $needles OR any(n IN $needles WHERE u.name ENDS WITH n) "
                     "RETURN DISTINCT u.name AS name")
        return sorted(rec["name"] for rec in self._read(query, needles=needles, docs=docs))

    @_store_call
    def units_of_task(self, document_id: str, task_id: str) -> list[UnitRole]:
        recs = self._read(f"MATCH (u:Unit)-[r:{ROLE_PATTERN}]->(t:Task {{key: $key}}) "
                          "RETURN properties(u) AS u, type(r) AS type, properties(r) AS r, t.id AS task_id",
                          key=task_key(document_id, task_id))
        out = [unit_role(rec["u"], TYPE_ROLES[rec["type"]], rec["r"], rec["task_id"]) for rec in recs]
        return sorted(out, key=unit_role_sort_key)

    @_store_call
    def regulations(self, title_contains: str | None = None,
                    document_ids: Sequence[str] | None = None) -> list[RegulationRow]:
        docs = doc_filter(document_ids)
        if docs is None and self._totals():
            # one round trip: the totals, and what a row shows of each Regulation (a list, not a map)
            titles, loads = self._read(f"""
                CALL {{ MATCH (t:RegulationTitle) RETURN collect([t.key, t.title, t.relation, t.mentions]) AS titles }}
                CALL {{ MATCH (l:RegulationLoad) OPTIONAL MATCH (g:Regulation {{key: l.key}})
                       RETURN collect([l.key, [l.tasks, l.documents], [{REGULATION_PROJECTION}]]) AS loads }}
                RETURN titles, loads""")[0].values()
            counts = {key: n for key, n, _ in loads}
            props = {key: dict(zip(REGULATION_INFO, info)) for key, _, info in loads}
        else:
            with self._session(default_access_mode=neo4j.READ_ACCESS) as s:
                totals = Totals.of((), s.execute_read(neo4j_write.stored_citations, docs))
            titles, counts = [(*k, n) for k, n in totals.titles.items()], totals.regulations
            props = self._regulation_props(list(counts))
        return regulation_rows(titles, counts, props, title_contains)

    def _regulation_props(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """What a row shows of these Regulations (graph.rows.REGULATION_INFO)."""
        rows = self._one(f"UNWIND $keys AS key MATCH (g:Regulation {{key: key}}) "
                         f"RETURN collect([key, [{REGULATION_PROJECTION}]]) AS rows", keys=keys)
        return {key: dict(zip(REGULATION_INFO, info)) for key, info in rows}

    @_store_call
    def tasks_citing(self, regulation: str, relation: str | None = None,
                     document_ids: Sequence[str] | None = None, limit: int | None = None,
                     offset: int = 0) -> list[TaskCitation]:
        limit, offset = check_page(limit, offset)
        relation = check_relation(relation)
        key = regulation_query_key(regulation)
        rows = self._one("""
            MATCH (t:Task)-[c:CITES]->(:Regulation {key: $key})
            WHERE ($rel IS NULL OR c.relation = $rel) AND ($docs IS NULL OR c.document_id IN $docs)
            WITH t, c ORDER BY t.document_id, t.ordinal, c.start, c.relation, c.title SKIP $offset %s
            RETURN collect([t {%s}, c.relation, c.title, c.mention, c.start, c.end]) AS rows
            """ % ("" if limit is None else "LIMIT $limit", TASK_PROJECTION), key=key, rel=relation,
            docs=doc_filter(document_ids), offset=offset, limit=limit)
        tasks = {props["key"]: task_row(props) for props, *_ in rows}
        # sorted again in Python: Cypher orders strings by UTF-16 units, Python by code points
        return sort_citations(TaskCitation(task=tasks[props["key"]], regulation=key, relation=rel, title=title,
                                           mention=mention, start=start, end=end)
                              for props, rel, title, mention, start, end in rows)

    @_store_call
    def deliverables(self, document_ids: Sequence[str] | None = None, limit: int | None = None,
                     offset: int = 0) -> list[Deliverable]:
        limit, offset = check_page(limit, offset)
        docs = doc_filter(document_ids)
        # the Tasks in task order (index), each (task, regulation) with its first citation's
        # start, sorted within the task order as they come: a page stops reading at its end
        rows = self._one("""
            MATCH (t:Task) WHERE %s AND t.ordinal IS NOT NULL
            WITH t ORDER BY t.document_id, t.ordinal
            MATCH (t)-[c:CITES]->(g:Regulation) WHERE c.relation = 'produces'
            WITH t.document_id AS doc, t.ordinal AS ordinal, t, g, min(c.start) AS first
            WITH t, g ORDER BY doc, ordinal, first, g.key SKIP $offset %s
            MATCH (t)-[c:CITES {relation: 'produces'}]->(g)
            RETURN collect([t {%s}, g.key, c.title, c.mention, c.start, c.end, g {.form_label, .status}]) AS rows
            """ % (self._doc_clause(docs), "" if limit is None else "LIMIT $limit", TASK_PROJECTION),
            docs=docs, offset=offset, limit=limit)  # every citation of the page's pairs: deliverable_rows picks
        tasks = {props["key"]: task_row(props) for props, *_ in rows}
        return deliverable_rows(((props["key"], *cite) for props, *cite in rows), tasks)

    @staticmethod
    def _gap_match(kind: str, docs: list[str] | None) -> str:
        """Cypher binding t to the tasks with a gap of `kind` (one row per task). The static
        kinds read the Task's gap_<kind> flag (graph.gaps.GAP_TABLE); deadline_passed: the
        earliest dated limit is before $as_of; unresolved_citation: cites a Regulation whose
        status is unknown. Only fixed names are composed in."""
        where = Neo4jStore._doc_clause(docs)
        if kind == "deadline_passed":
            return f"MATCH (t:Task) WHERE t.deadline_first > '' AND t.deadline_first < $as_of AND {where}"
        if kind == "unresolved_citation":  # from the few unknown Regulations (indexed), not from every Task
            return (f"MATCH (g:Regulation {{status: 'unknown'}}) USING INDEX g:Regulation(status) "
                    f"MATCH (t:Task)-[:CITES]->(g) WHERE {where} WITH DISTINCT t")
        if kind == "not_taken_up":  # A's tasks without a MATCHES from a lower plan B in docs (the gap is B's)
            lower = "lb.id IS NOT NULL" if docs is None else "lb.id IN $docs"
            return (f"MATCH (lb:Document)-[c:COMPARED]->(ua:Document) WHERE c.basis IN {json.dumps(list(GAP_BASES))} "
                    f"AND {lower} MATCH (t:Task {{document_id: ua.id}}) "
                    "WHERE NOT EXISTS { MATCH (t)<-[:MATCHES]-(s:Task) WHERE s.document_id = lb.id } WITH DISTINCT t")
        return f"MATCH (t:Task) WHERE t.{gap_flag(kind)} = true AND {where}"

    @_store_call
    def orphans(self, kind: str, as_of: str | _dt.date | None = None,
                document_ids: Sequence[str] | None = None, limit: int | None = None,
                offset: int = 0) -> list[TaskRow]:
        check_kind(kind)
        docs = doc_filter(document_ids)
        return self._task_rows(self._gap_match(kind, docs), limit, offset, as_of=as_of_date(as_of), docs=docs)

    @_store_call
    def gap_counts(self, as_of: str | _dt.date | None = None,
                   document_ids: Sequence[str] | None = None) -> dict[str, int]:
        docs = doc_filter(document_ids)
        # the static kinds: the counts each Document keeps of its Tasks' flags, summed
        where = "d.id IS NOT NULL" if docs is None else "d.id IN $docs"
        static = ", ".join(f"coalesce(sum(d.n_{gap_flag(k)}), 0) AS {k}" for k in gaps.STATIC_GAP_KINDS)
        calls = " ".join(f"CALL {{ {self._gap_match(k, docs)} RETURN count(t) AS {k} }}"
                         for k in gaps.GAP_KINDS if k not in gaps.STATIC_GAP_KINDS)
        rec = self._read(f"CALL {{ MATCH (d:Document) WHERE {where} RETURN {static} }} {calls} "
                         f"RETURN {', '.join(gaps.GAP_KINDS)}", as_of=as_of_date(as_of), docs=docs)[0]
        return {k: int(rec[k]) for k in gaps.GAP_KINDS}

    # ------------------------------------------------------------ findings
    def _finding_rows(self, match: str, **params: Any) -> list[FindingRow]:
        """`match` binds f (one row per Finding, ordered and paged as asked); each with the
        heading of the Task it lies in."""
        rows = self._one(f"{match} OPTIONAL MATCH (t:Task)-[:HAS_FINDING]->(f) "
                         f"RETURN collect([f {{{FINDING_PROJECTION}}}, t.heading]) AS rows", **params)
        # sorted again in Python: Cypher orders strings by UTF-16 units, Python by code points
        return sort_findings(finding_row(props, heading) for props, heading in rows)

    @_store_call
    def findings(self, document_ids: Sequence[str] | None = None, kinds: Sequence[str] | None = None,
                 limit: int | None = None, offset: int = 0) -> list[FindingRow]:
        limit, offset = check_page(limit, offset)
        docs = doc_filter(document_ids)
        return self._finding_rows(
            f"MATCH (f:Finding) WHERE {self._doc_clause(docs, 'f')} AND f.kind IN $kinds "
            "WITH f ORDER BY f.document_id, f.position SKIP $offset" + ("" if limit is None else " LIMIT $limit"),
            docs=docs, kinds=check_finding_kinds(kinds), offset=offset, limit=limit)

    @_store_call
    def findings_of_task(self, document_id: str, task_id: str) -> list[FindingRow]:
        return self._finding_rows("MATCH (:Task {key: $key})-[:HAS_FINDING]->(f:Finding)",
                                  key=task_key(document_id, task_id))

    @_store_call
    def finding_counts(self, document_ids: Sequence[str] | None = None) -> dict[str, dict[str, int]]:
        docs = doc_filter(document_ids)
        where = "d.id IS NOT NULL" if docs is None else "d.id IN $docs"
        # the reviewed documents, then the findings counted in one scan: a lookup per
        # document cost 100 ms at 10,000 plans, most of which have none
        reviewed, counts = self._read(
            f"CALL {{ MATCH (d:Document) WHERE {where} AND d.n_findings IS NOT NULL RETURN collect(d.id) AS reviewed }} "
            f"CALL {{ MATCH (f:Finding) WHERE {self._doc_clause(docs, 'f')} "
            "WITH f.document_id AS doc, f.kind AS kind, count(*) AS n RETURN collect([doc, kind, n]) AS counts } "
            "RETURN reviewed, counts", docs=docs)[0].values()
        return finding_count_table(reviewed, counts)

    def _totals(self) -> bool:
        """Whether the store-wide totals (graph.neo4j_write, UnitLoad / UnitPair) can answer.
        Once complete they stay so (every write keeps them), so a yes is remembered."""
        if not self._totals_ready:
            self._ensure_schema()
            with self._session(default_access_mode=neo4j.READ_ACCESS) as s:
                self._totals_ready = s.execute_read(neo4j_write.totals_ready)
        return self._totals_ready

    def _one(self, query: str, **params: Any) -> Any:
        """The single value a `RETURN collect(...) AS rows` query gives: one record of lists
        instead of a record per row (the driver spends ~15 µs on each record)."""
        return self._read(query, **params)[0]["rows"]

    def _assignments(self, docs: list[str]) -> Totals:
        """What these documents contribute to the aggregates (graph.aggregates)."""
        with self._session(default_access_mode=neo4j.READ_ACCESS) as s:
            return Totals.of(s.execute_read(neo4j_write.stored_assignments, docs))

    def _unit_props(self, names: list[str]) -> dict[str, dict[str, Any]]:
        rows = self._one("UNWIND $names AS name MATCH (u:Unit {name: name}) RETURN collect([name, properties(u)]) "
                         "AS rows", names=names)
        return dict(rows)

    @_store_call
    def workload(self, document_ids: Sequence[str] | None = None) -> list[UnitWorkload]:
        docs = doc_filter(document_ids)
        if docs is None and self._totals():
            # the answer kept whole (graph.neo4j_write.write_answer_lists), else from the totals
            loads_json = self._read(f"{neo4j_write.ANSWER_LISTS} RETURN loads_json")[0]["loads_json"]
            if loads_json is not None:
                return neo4j_write.workload_list(loads_json)
            with self._session(default_access_mode=neo4j.READ_ACCESS) as s:
                return s.execute_read(neo4j_write.stored_workload)
        return workload_rows(self._assignments(docs).units, self._unit_props)

    @_store_call
    def co_responsibility(self, document_ids: Sequence[str] | None = None,
                          include_collective: bool = True, min_weight: int = 1) -> list[CoEdge]:
        docs = doc_filter(document_ids)
        if docs is None and self._totals():
            # the answer kept whole (graph.neo4j_write.write_answer_lists), else the UnitPair nodes
            pairs_json, collective_json = self._read(
                f"{neo4j_write.ANSWER_LISTS} RETURN pairs_json, collective_json")[0].values()
            if pairs_json is not None:
                names = [] if include_collective else json.loads(collective_json)
                return co_edges(json.loads(pairs_json), min_weight, set(names), ordered=True)
            with self._session(default_access_mode=neo4j.READ_ACCESS) as s:
                pairs = s.execute_read(neo4j_write.stored_unit_pairs, min_weight)
        else:
            pairs = [(a, b, w) for (a, b), w in self._assignments(docs).pairs.items()]
        names = [] if include_collective else self._one(
            "MATCH (u:Unit) WHERE u.collective = true RETURN collect(u.name) AS rows")
        return co_edges(pairs, min_weight, set(names))

    @_store_call
    def unit_names(self) -> list[str]:
        return sorted(self._one("MATCH (u:Unit) RETURN collect(u.name) AS rows"))

    @_store_call
    def to_networkx(self, document_ids: Sequence[str] | None = None) -> "nx.MultiDiGraph":
        """Nodes once each (with their element ids), then edges as pairs of those ids: an
        edge row does not carry its endpoints' properties again. Some documents' subgraph is
        one query (each part a list); every document's is read part by part (a bulk read)."""
        import networkx as nx
        docs = doc_filter(document_ids)
        own = self._doc_clause(docs, "n")
        node_row, edge_row = "[elementId(n), labels(n), properties(n)]", \
            "[elementId(a), elementId(b), type(r), properties(r)]"
        nodes = [f"MATCH (n:Document) WHERE {'n.id IS NOT NULL' if docs is None else 'n.id IN $docs'}",
                 f"MATCH (n:Section) WHERE {own}", f"MATCH (n:Task) WHERE {own}"]
        if docs is None:
            nodes.append("MATCH (n) WHERE n:Unit OR n:Regulation")
            edges = [f"MATCH (a)-[r:CONTAINS|{ROLE_PATTERN}|CITES|IMPLEMENTS|COMPARED|MATCHES]->(b)"]
            # a record per row, not one list: the whole graph does not fit the server's heap as one
            parts = [[rec["row"] for query in nodes for rec in self._read(f"{query} RETURN {node_row} AS row")],
                     [rec["row"] for query in edges for rec in self._read(f"{query} RETURN {edge_row} AS row")]]
        else:
            tasks, documents = "MATCH (t:Task) WHERE t.document_id IN $docs", "MATCH (d:Document) WHERE d.id IN $docs"
            nodes += [f"{tasks} MATCH (n:Unit)-[:{ROLE_PATTERN}]->(t) WITH DISTINCT n",
                      f"{tasks} MATCH (t)-[:CITES]->(n:Regulation) WITH DISTINCT n",
                      f"{documents} MATCH (d)-[:CITES]->(n:Regulation) WITH DISTINCT n"]
            edges = ["MATCH (a:Document) WHERE a.id IN $docs MATCH (a)-[r:CONTAINS|CITES]->(b)",
                     "MATCH (a:Section) WHERE a.document_id IN $docs MATCH (a)-[r:CONTAINS]->(b)",
                     f"MATCH (b:Task) WHERE b.document_id IN $docs MATCH (a:Unit)-[r:{ROLE_PATTERN}]->(b)",
                     "MATCH (a:Task) WHERE a.document_id IN $docs MATCH (a)-[r:CITES]->(b)",
                     "MATCH (a:Document) WHERE a.id IN $docs MATCH (a)-[r:IMPLEMENTS|COMPARED]->(b:Document) "
                     "WHERE b.id IN $docs",
                     "MATCH (a:Task) WHERE a.document_id IN $docs MATCH (a)-[r:MATCHES]->(b:Task) "
                     "WHERE b.document_id IN $docs"]
            # one round trip: each part a CALL giving one list
            calls = [f"CALL {{ {q} RETURN collect({node_row}) AS n{i} }}" for i, q in enumerate(nodes)] + \
                    [f"CALL {{ {q} RETURN collect({edge_row}) AS e{i} }}" for i, q in enumerate(edges)]
            rec = self._read(" ".join(calls) + " RETURN [" + " + ".join(f"n{i}" for i in range(len(nodes)))
                             + "] + [" + " + ".join(f"e{i}" for i in range(len(edges))) + "] AS parts", docs=docs)
            parts = rec[0]["parts"]
        g = nx.MultiDiGraph()
        ids: dict[str, str] = {}
        for eid, labels, props in parts[0]:
            if eid in ids:
                continue
            label = next(x for x in labels if x in KEY_PROPERTY)
            ids[eid] = n = f"{label}:{props[KEY_PROPERTY[label]]}"
            if label == "Document":  # the store's own copy of what documents() shows, not the model's
                props = {k: v for k, v in props.items() if k != neo4j_write.SUMMARY_PROPERTY}
            g.add_node(n, label=label, **props)
        for a, b, rel_type, props in parts[1]:
            g.add_edge(ids[a], ids[b], type=rel_type, **props)
        return g
