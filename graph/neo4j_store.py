"""The Neo4j store: the same graph model in Neo4j, through the official driver.

Connection from graph.neo4j_config (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD,
NEO4J_DATABASE). Uniqueness constraints and indexes are created on first use.
A document is written in ONE transaction: delete its old subgraph, UNWIND-batch the
new nodes and edges, delete Units/Regulations left without edges; any error rolls the
whole document back. Every value reaches Cypher as a parameter (document text is data);
the only strings composed into queries are the fixed relationship types of graph.model.
Result assembly and ordering are shared with the embedded store (graph.store helpers).
"""
from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import networkx as nx
import neo4j
from neo4j.exceptions import DriverError, Neo4jError

from graph import neo4j_write
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
    regulation_row,
    sort_co_edges,
    sort_regulations,
    sort_tasks,
    sort_workload,
    task_row,
    unit_needles,
    unit_role,
    unit_role_sort_key,
    unit_workload,
)

LABELS = ("Document", "Section", "Task", "Unit", "Regulation")
KEY_PROPERTY = {"Document": "id", "Section": "key", "Task": "key", "Unit": "name", "Regulation": "key"}
ROLE_PATTERN = "|".join(ROLE_TYPES.values())  # fixed names from graph.model, never data

SCHEMA = [
    "CREATE CONSTRAINT plangraph_document_id IF NOT EXISTS FOR (n:Document) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT plangraph_section_key IF NOT EXISTS FOR (n:Section) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT plangraph_task_key IF NOT EXISTS FOR (n:Task) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT plangraph_unit_name IF NOT EXISTS FOR (n:Unit) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT plangraph_regulation_key IF NOT EXISTS FOR (n:Regulation) REQUIRE n.key IS UNIQUE",
    "CREATE INDEX plangraph_task_document IF NOT EXISTS FOR (n:Task) ON (n.document_id)",
    "CREATE INDEX plangraph_section_document IF NOT EXISTS FOR (n:Section) ON (n.document_id)",
]

# Appended after a query that ends with `WITH DISTINCT t` (t: Task): one row per task.
TASK_RETURN = f"""
OPTIONAL MATCH (s:Section)-[:CONTAINS]->(t)
RETURN properties(t) AS props, s.title AS section_title,
       COLLECT {{ MATCH (u:Unit)-[r:{ROLE_PATTERN}]->(t) RETURN [u.name, type(r), r.start] }} AS units,
       COLLECT {{ MATCH (t)-[c:CITES]->(g:Regulation) RETURN [g.key, c.title, c.relation, c.start] }} AS cites
"""

F = TypeVar("F", bound=Callable[..., Any])


def _translate(fn: F) -> F:
    """Driver and server errors become one-line StoreErrors (no traceback for the CLI)."""
    @functools.wraps(fn)
    def wrapper(self: "Neo4jStore", *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(self, *args, **kwargs)
        except StoreError:
            raise
        except (DriverError, Neo4jError, OSError) as err:
            msg = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise StoreError(f"Neo4j at {self.uri}: {msg}") from err
    return wrapper  # type: ignore[return-value]


class Neo4jStore(GraphStore):
    kind = "neo4j"

    def __init__(self, driver: neo4j.Driver | None = None, database: str | None = None,
                 settings: Any = None, connection_timeout: float = 5.0):
        from graph.neo4j_config import neo4j_settings, open_driver
        try:
            self.settings = settings or neo4j_settings()
        except ValueError as err:
            raise StoreError(str(err)) from None
        self.uri = self.settings.uri
        self.database = database or self.settings.database
        self._owns_driver = driver is None
        try:
            self.driver = driver or open_driver(self.settings, connection_timeout=connection_timeout)
        except (DriverError, ValueError) as err:
            raise StoreError(f"Neo4j at {self.uri}: {err}") from None
        self._schema_ready = False

    def close(self) -> None:
        if self._owns_driver:
            self.driver.close()

    @_translate
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
            for stmt in SCHEMA + neo4j_write.SCHEMA:
                s.run(stmt).consume()
        self._schema_ready = True

    @_translate
    def clear_all_for_tests(self) -> None:
        """Delete every PlanGraph node. Tests only: Community edition has one database."""
        with self._session() as s:
            s.execute_write(neo4j_write.clear_all)

    # ------------------------------------------------------------ writes (graph.neo4j_write)
    @_translate
    def write_document(self, records: DocumentRecords) -> IngestResult:
        return self.write_documents([records])[0]

    @_translate
    def write_documents(self, batch: Sequence[DocumentRecords]) -> list[IngestResult]:
        """Many documents in ONE transaction: all written, or (any error) none."""
        batch = list(batch)
        if not batch:
            return []
        self._ensure_schema()
        with self._session() as s:
            replaced = s.execute_write(neo4j_write.write_documents, batch)
        return [IngestResult(r.document_id, len(r.tasks), len(r.units), len(r.regulations), found)
                for r, found in zip(batch, replaced)]

    @_translate
    def delete_document(self, document_id: str) -> bool:
        self._ensure_schema()
        with self._session() as s:
            return s.execute_write(neo4j_write.delete_document, document_id)

    @_translate
    def version(self) -> str:
        """The store's change counter: changes with every committed write ("0": never written)."""
        with self._session(default_access_mode=neo4j.READ_ACCESS) as s:
            return s.execute_read(neo4j_write.read_version)

    # ------------------------------------------------------------ queries
    def _task_rows(self, query: str, **params: Any) -> list[TaskRow]:
        rows = []
        for rec in self._read(query + TASK_RETURN, **params):
            rows.append(task_row(rec["props"], rec["section_title"],
                                 [(u, TYPE_ROLES[t], s) for u, t, s in rec["units"]],
                                 [tuple(c) for c in rec["cites"]]))
        return sort_tasks(rows)

    def _rows_by_key(self, keys: list[str]) -> dict[str, TaskRow]:
        rows = self._task_rows("UNWIND $keys AS k MATCH (t:Task {key: k}) WITH DISTINCT t", keys=keys)
        return {task_key(r.document_id, r.task_id): r for r in rows}

    @_translate
    def documents(self, document_ids: Sequence[str] | None = None) -> list[DocumentSummary]:
        recs = self._read(f"""
            MATCH (d:Document) WHERE $docs IS NULL OR d.id IN $docs
            RETURN properties(d) AS d,
              COUNT {{ (d)-[:CONTAINS]->(:Section) }} AS sections,
              COUNT {{ MATCH (t:Task {{document_id: d.id}}) }} AS tasks,
              COUNT {{ MATCH (:Unit)-[:{ROLE_PATTERN}]->(t:Task {{document_id: d.id}}) }} AS assignments,
              size(COLLECT {{ MATCH (u:Unit)-[:{ROLE_PATTERN}]->(t:Task {{document_id: d.id}})
                             RETURN DISTINCT u.name }}) AS units,
              COUNT {{ MATCH (t:Task {{document_id: d.id}})-[:CITES]->(:Regulation) }}
                + COUNT {{ (d)-[:CITES]->(:Regulation) }} AS citations,
              COLLECT {{ MATCH (t:Task {{document_id: d.id}})-[:CITES]->(g:Regulation) RETURN DISTINCT g.key }}
                + COLLECT {{ MATCH (d)-[:CITES]->(g:Regulation) RETURN DISTINCT g.key }} AS regs
            """, docs=doc_filter(document_ids))
        out = []
        for rec in recs:
            d = rec["d"]
            out.append(DocumentSummary(
                document_id=d["id"], title=d.get("title", ""), doc_number=d.get("doc_number", ""),
                issuer=d.get("issuer", ""), date=d.get("date", ""), source=d.get("source", ""),
                sha256=d.get("sha256", ""), sections=rec["sections"], tasks=rec["tasks"], units=rec["units"],
                regulations=len(set(rec["regs"])), assignments=rec["assignments"], citations=rec["citations"],
                extractor=d.get("extractor", "")))
        return sorted(out, key=lambda x: x.document_id)

    @_translate
    def fingerprint(self, document_id: str) -> str | None:
        recs = self._read("MATCH (d:Document {id: $id}) RETURN d.fingerprint AS f", id=document_id)
        return recs[0]["f"] if recs else None

    @_translate
    def document_text(self, document_id: str) -> str | None:
        recs = self._read("MATCH (d:Document {id: $id}) RETURN d.text AS text", id=document_id)
        return (recs[0]["text"] or "") if recs else None

    @_translate
    def tasks(self, document_ids: Sequence[str] | None = None) -> list[TaskRow]:
        return self._task_rows("MATCH (t:Task) WHERE $docs IS NULL OR t.document_id IN $docs WITH DISTINCT t",
                               docs=doc_filter(document_ids))

    @_translate
    def task(self, document_id: str, task_id: str) -> TaskRow | None:
        rows = self._task_rows("MATCH (t:Task {key: $key}) WITH DISTINCT t", key=task_key(document_id, task_id))
        return rows[0] if rows else None

    @_translate
    def tasks_of_unit(self, unit: str, roles: Sequence[str] | None = None,
                      document_ids: Sequence[str] | None = None) -> list[TaskRow]:
        types = [ROLE_TYPES[r] for r in self._check_roles(roles)]
        docs = doc_filter(document_ids)
        name = self.resolve_unit(unit, docs)
        if name is None:
            return []
        return self._task_rows(
            f"MATCH (u:Unit {{name: $unit}})-[r:{ROLE_PATTERN}]->(t:Task) "
            "WHERE type(r) IN $types AND ($docs IS NULL OR t.document_id IN $docs) WITH DISTINCT t",
            unit=name, types=types, docs=docs)

    @_translate
    def has_unit(self, name: str) -> bool:
        return bool(self._read("MATCH (u:Unit {name: $name}) RETURN count(u) > 0 AS found", name=name)[0]["found"])

    @_translate
    def find_units(self, name: str, document_ids: Sequence[str] | None = None) -> list[str]:
        needles = unit_needles(name)
        if not needles:
            return []
        recs = self._read(f"""
            MATCH (u:Unit)-[r:{ROLE_PATTERN}]->(:Task)
            WHERE ($docs IS NULL OR r.document_id IN $docs)
              AND (r.unit IN $needles OR any(n IN $needles WHERE u.name ENDS WITH n))
            RETURN DISTINCT u.name AS name""", needles=needles, docs=doc_filter(document_ids))
        return sorted(rec["name"] for rec in recs)

    @_translate
    def units_of_task(self, document_id: str, task_id: str) -> list[UnitRole]:
        recs = self._read(f"MATCH (u:Unit)-[r:{ROLE_PATTERN}]->(t:Task {{key: $key}}) "
                          "RETURN properties(u) AS u, type(r) AS type, properties(r) AS r, t.id AS task_id",
                          key=task_key(document_id, task_id))
        out = [unit_role(rec["u"], TYPE_ROLES[rec["type"]], rec["r"], rec["task_id"]) for rec in recs]
        return sorted(out, key=unit_role_sort_key)

    @_translate
    def regulations(self, title_contains: str | None = None,
                    document_ids: Sequence[str] | None = None) -> list[RegulationRow]:
        recs = self._read("""
            MATCH (x)-[c:CITES]->(g:Regulation) WHERE $docs IS NULL OR c.document_id IN $docs
            WITH g, c.title AS title, c.relation AS relation, count(*) AS n,
                 collect(DISTINCT c.document_id) AS docs,
                 collect(DISTINCT CASE WHEN x:Task THEN x.key END) AS tasks
            RETURN g.key AS key, properties(g) AS props, title, relation, n, docs, tasks
            """, docs=doc_filter(document_ids))
        grouped: dict[str, list[tuple]] = {}
        props: dict[str, dict[str, Any]] = {}
        for rec in recs:
            grouped.setdefault(rec["key"], []).append(
                (rec["title"], rec["relation"], rec["n"], rec["docs"], rec["tasks"]))
            props[rec["key"]] = rec["props"]
        rows = [regulation_row(k, v, props[k]) for k, v in grouped.items()]
        return sort_regulations(r for r in rows if matches_title(r, title_contains))

    @_translate
    def tasks_citing(self, regulation: str, relation: str | None = None,
                     document_ids: Sequence[str] | None = None) -> list[TaskCitation]:
        relation = self._check_relation(relation)
        key = self._regulation_query_key(regulation)
        recs = self._read("""
            MATCH (t:Task)-[c:CITES]->(g:Regulation {key: $key})
            WHERE ($rel IS NULL OR c.relation = $rel) AND ($docs IS NULL OR c.document_id IN $docs)
            RETURN t.key AS task, c AS c
            """, key=key, rel=relation, docs=doc_filter(document_ids))
        rows = self._rows_by_key(sorted({rec["task"] for rec in recs}))
        out = [TaskCitation(task=rows[rec["task"]], regulation=key, relation=rec["c"]["relation"],
                            title=rec["c"]["title"], mention=rec["c"]["mention"],
                            start=rec["c"]["start"], end=rec["c"]["end"]) for rec in recs]
        return sorted(out, key=lambda c: (c.task.document_id, c.task.ordinal, c.start, c.relation, c.title))

    @_translate
    def deliverables(self, document_ids: Sequence[str] | None = None) -> list[Deliverable]:
        recs = self._read("""
            MATCH (t:Task)-[c:CITES {relation: 'produces'}]->(g:Regulation)
            WHERE $docs IS NULL OR c.document_id IN $docs
            RETURN t.key AS task, g.key AS reg, properties(g) AS props, c.title AS title, c.mention AS mention,
                   c.start AS start, c.end AS end""", docs=doc_filter(document_ids))
        rows = self._rows_by_key(sorted({rec["task"] for rec in recs}))
        return deliverable_rows(((rec["task"], rec["reg"], rec["title"], rec["mention"], rec["start"], rec["end"],
                                  rec["props"]) for rec in recs), rows)

    @_translate
    def orphans(self, kind: str, as_of: str | _dt.date | None = None,
                document_ids: Sequence[str] | None = None) -> list[TaskRow]:
        """Same definitions as graph.store.orphan_match, in Cypher."""
        check_kind(kind)
        return self._task_rows(f"""
            MATCH (t:Task) WHERE $docs IS NULL OR t.document_id IN $docs
            WITH t, COLLECT {{ MATCH (:Unit)-[r:{ROLE_PATTERN}]->(t) RETURN coalesce(r.collective, false) }} AS coll,
                    COLLECT {{ MATCH (:Unit)-[r:{ROLE_PATTERN}]->(t) RETURN type(r) }} AS types,
                    COUNT {{ MATCH (t)-[c:CITES]->(:Regulation) WHERE c.relation = 'produces' }} AS produces,
                    COUNT {{ MATCH (t)-[:CITES]->(g:Regulation) WHERE g.status = 'unknown' }} AS unknown
            WITH t, CASE $kind
              WHEN 'no_lead' THEN size(coll) > 0 AND NOT 'LEADS' IN types
              WHEN 'collective_only' THEN size(coll) > 0 AND all(c IN coll WHERE c)
              WHEN 'unassigned' THEN size(coll) = 0
              WHEN 'no_deadline' THEN size(coalesce(t.deadline_texts, [])) = 0
              WHEN 'deadline_passed' THEN any(d IN coalesce(t.deadline_dates, []) WHERE d < $as_of)
              WHEN 'deliverable_no_deadline' THEN produces > 0 AND size(coalesce(t.deadline_texts, [])) = 0
              WHEN 'unresolved_citation' THEN unknown > 0
              ELSE false END AS hit
            WHERE hit
            WITH DISTINCT t""", kind=kind, as_of=as_of_date(as_of), docs=doc_filter(document_ids))

    @_translate
    def workload(self, document_ids: Sequence[str] | None = None) -> list[UnitWorkload]:
        recs = self._read(f"""
            MATCH (u:Unit)-[r:{ROLE_PATTERN}]->(t:Task) WHERE $docs IS NULL OR r.document_id IN $docs
            WITH u, count(DISTINCT CASE WHEN type(r) = 'LEADS' THEN t END) AS lead,
                   count(DISTINCT CASE WHEN type(r) = 'PARTICIPATES_IN' THEN t END) AS participant,
                   count(DISTINCT CASE WHEN type(r) = 'RESPONSIBLE_FOR' THEN t END) AS responsible,
                   count(DISTINCT t) AS total, count(DISTINCT r.document_id) AS documents
            RETURN properties(u) AS u, lead, participant, responsible, total, documents
            """, docs=doc_filter(document_ids))
        return sort_workload(unit_workload(rec["u"], rec["lead"], rec["participant"], rec["responsible"],
                                           rec["total"], rec["documents"]) for rec in recs)

    @_translate
    def co_responsibility(self, document_ids: Sequence[str] | None = None,
                          include_collective: bool = True, min_weight: int = 1) -> list[CoEdge]:
        # Pairs are put in order in Python: Cypher string order (UTF-16) may differ from Python's.
        recs = self._read(f"""
            MATCH (a:Unit)-[:{ROLE_PATTERN}]->(t:Task)<-[:{ROLE_PATTERN}]-(b:Unit)
            WHERE elementId(a) < elementId(b) AND ($docs IS NULL OR t.document_id IN $docs)
              AND ($incl OR NOT (coalesce(a.collective, false) OR coalesce(b.collective, false)))
            WITH a, b, count(DISTINCT t) AS weight WHERE weight >= $min
            RETURN a.name AS a, b.name AS b, weight
            """, docs=doc_filter(document_ids), incl=bool(include_collective), min=int(min_weight))
        return sort_co_edges(CoEdge(*sorted((rec["a"], rec["b"])), rec["weight"]) for rec in recs)

    @_translate
    def to_networkx(self, document_ids: Sequence[str] | None = None) -> nx.MultiDiGraph:
        docs = doc_filter(document_ids)
        g = nx.MultiDiGraph()

        def node_id(labels: list[str], props: dict[str, Any]) -> tuple[str, str]:
            label = next(x for x in labels if x in KEY_PROPERTY)
            return label, f"{label}:{props[KEY_PROPERTY[label]]}"

        def add(labels: list[str], props: dict[str, Any]) -> str:
            label, n = node_id(labels, props)
            if n not in g:
                g.add_node(n, label=label, **props)
            return n

        for rec in self._read("""
                MATCH (n:Document) WHERE $docs IS NULL OR n.id IN $docs RETURN labels(n) AS l, properties(n) AS p
                UNION ALL MATCH (n:Section) WHERE $docs IS NULL OR n.document_id IN $docs
                RETURN labels(n) AS l, properties(n) AS p
                UNION ALL MATCH (n:Task) WHERE $docs IS NULL OR n.document_id IN $docs
                RETURN labels(n) AS l, properties(n) AS p""", docs=docs):
            add(rec["l"], rec["p"])
        if docs is None:
            for rec in self._read("MATCH (n) WHERE n:Unit OR n:Regulation RETURN labels(n) AS l, properties(n) AS p"):
                add(rec["l"], rec["p"])
        for rec in self._read(f"""
                MATCH (a)-[r:CONTAINS]->(b) WHERE (b:Section OR b:Task) AND ($docs IS NULL OR b.document_id IN $docs)
                RETURN labels(a) AS al, properties(a) AS ap, labels(b) AS bl, properties(b) AS bp,
                       type(r) AS type, properties(r) AS rp
                UNION ALL
                MATCH (a)-[r:{ROLE_PATTERN}|CITES]->(b) WHERE $docs IS NULL OR r.document_id IN $docs
                RETURN labels(a) AS al, properties(a) AS ap, labels(b) AS bl, properties(b) AS bp,
                       type(r) AS type, properties(r) AS rp""", docs=docs):
            g.add_edge(add(rec["al"], rec["ap"]), add(rec["bl"], rec["bp"]), type=rec["type"], **rec["rp"])
        return g
