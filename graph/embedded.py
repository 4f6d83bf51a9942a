"""The embedded store: the graph in one SQLite file, ``home/plangraph.sqlite`` (no server).

The standard library's sqlite3 in WAL mode. Each write (`write_documents`, `delete_documents`)
is one transaction: a reader in another process (the app while the CLI ingests) sees a
document whole or not at all, and a killed writer leaves the last committed state. Readers
do not wait for writers; writers take turns (SQLite's lock, held only while one commits).

Tables (one row per node or edge of graph.records; list values as JSON text):
  documents  id, title, doc_number, issuer, date, source, sha256, extractor, format,
             fingerprint, counts n_*, warnings, deadlines, extra
  document_texts id, text (apart: listing documents never reads their texts)
  sections   key, document_id, id, title, ordinal, extra
  tasks      key, document_id, ordinal, id, section_key, heading, text, start, end,
             section, section_title, labels, deadlines, deadline_dates, deadline_texts,
             deadline_first, lead, participants, responsible, guides, basis, produces, extra
  units      name, collective, kind, kind_label, level, levels, extra
  regulations key, canonical, canonical_title, level, status, form_class, form_label,
             issuer_level, publish_date, valid_from, extra
  assignments document_id, ordinal (of the task), unit, role, written, mention, collective,
             start, end
  citations  document_id, ordinal (NULL: outside every task), position, regulation,
             relation, title, mention, start, end, issuer_prefix
  deadlines  document_id, ordinal (NULL: outside every task), position, text, date,
             recurring, start, end
  task_gaps  kind, document_id, ordinal: the static gap flags (graph.gaps)
  unit_load, unit_pair: workload and co-responsibility over every document
             (graph.aggregates), kept up to date by every write
  regulation_load, regulation_title: per regulation its citing tasks and documents, and per
             (regulation, title as cited, relation) its citations, over every document
             (graph.aggregates), kept up to date by every write; a store of an older
             PlanGraph gets them built when opened
  implements document_id, implemented_id, title, task_id, via: (:Document)-[:IMPLEMENTS]->
             (:Document), kept by every write and removal (graph.implements)
  matches    a_document, a_ordinal, b_document, b_ordinal (B's task carries out A's), score,
             method, mode, text, units, citations, key_terms, term_weights (JSON lists)
  compared   a, b, basis, method, mode, min_score, pairs, linked: the pairs `plangraph link` linked
  findings   document_id, position, kind, task_id (NULL: outside every task), text, start,
             end: what the extractor could not read (ingest/review.py); a store of an older
             PlanGraph gets the table when opened, its documents' findings not recorded
             (their `n_findings` is missing) until they are ingested again
  meta       format, version (the change counter), gap_flags (the static kinds the flags
             were written with: a kind added to graph.gaps makes the next open rewrite them),
             links (LINKS_FORMAT: a store of an older PlanGraph gets the link tables, its
             documents' title keys and IMPLEMENTS edges on its next open),
             regulation_totals (REGULATION_TOTALS_FORMAT: the regulation totals are complete)
`extra` holds any other property of the records (JSON), so a node reads back exactly as
written. An embedded store of an older PlanGraph (``graph.json.gz``) is imported once, when
the SQLite file does not exist yet (graph.legacy).
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import json
import os
import re
import sqlite3
import sys
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from plangraph.graph.aggregates import LOAD_FIELDS, Totals, co_edges, regulation_rows, workload_rows
from plangraph.graph.errors import StoreError, StoreUnavailable
from plangraph.graph import gaps
from plangraph.graph.gaps import as_of_date, check_kind, gap_flag, static_gaps
from plangraph.graph.records import (
    GAP_BASES,
    KEY_SEP,
    ROLE_PROPS,
    ROLE_TYPES,
    DocumentRecords,
    MATCH_PROPS,
    LinkedPair,
    compared_props,
    merge_shared_props,
    task_facts,
    task_key,
)
from plangraph.graph.rows import (
    DOCUMENT_FIELDS,
    FINDING_FIELDS,
    LINK_FIELDS,
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
    implements_row,
    match_row,
    finding_count_table,
    finding_row,
    sort_citations,
    task_link,
    task_row,
    unit_matches,
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

FILE_NAME = "plangraph.sqlite"
FORMAT_ID = "plangraph.sqlite/1"
BUSY_TIMEOUT_S = 60.0  # a writer waits this long for another writer's commit


# ---------------------------------------------------------------- tables of nodes

class _NodeTable:
    """A node table: its columns (name, type) in the records' property names, and `extra`
    (JSON) for any other property. JSON columns hold lists; BOOL columns 0/1."""

    def __init__(self, name: str, label: str, columns: Sequence[tuple[str, str]], key: str,
                 hidden: Sequence[str] = ()):
        """hidden: columns that are not properties of the node (a task's section_key)."""
        self.name, self.label, self.key = name, label, key
        self.hidden = set(hidden)
        self.columns = tuple(c for c, _ in columns)
        self.types = dict(columns)
        self.json = {c for c, t in columns if t == "JSON"}
        self.bools = {c for c, t in columns if t == "BOOL"}

    def ddl(self, constraints: str = "") -> str:
        cols = ", ".join(f'"{c}" {"INTEGER" if t == "BOOL" else "TEXT" if t == "JSON" else t}'
                         + (" PRIMARY KEY" if c == self.key else "") for c, t in self.types.items())
        return f"CREATE TABLE {self.name} ({cols}, extra TEXT{', ' + constraints if constraints else ''})"

    def values(self, props: dict[str, Any], skip: Iterable[str] = ()) -> list[Any]:
        """The row of `props`: the columns, then extra (props not in a column, nor in skip)."""
        row = []
        for c in self.columns:
            v = props.get(c)
            if c in self.json and v is not None:
                v = json.dumps(v, ensure_ascii=False)
            elif c in self.bools and v is not None:
                v = int(bool(v))
            row.append(v)
        rest = {k: v for k, v in props.items() if k not in self.types and k not in skip}
        row.append(json.dumps(rest, ensure_ascii=False) if rest else None)
        return row

    def props(self, row: sqlite3.Row | Sequence[Any]) -> dict[str, Any]:
        """The properties a row of `select()` holds, as written."""
        out: dict[str, Any] = {}
        for c, v in zip(self.columns, row):
            if v is None or c in self.hidden:
                continue
            if c in self.json:
                v = json.loads(v)
            elif c in self.bools:
                v = bool(v)
            out[c] = v
        extra = row[len(self.columns)]
        if extra:
            out.update(json.loads(extra))
        return out

    def select(self, alias: str = "") -> str:
        p = f"{alias}." if alias else ""
        return ", ".join([f'{p}"{c}"' for c in self.columns] + [f"{p}extra"])

    def insert(self, verb: str = "INSERT") -> str:
        cols = ", ".join([f'"{c}"' for c in self.columns] + ["extra"])
        return f"{verb} INTO {self.name} ({cols}) VALUES ({', '.join('?' * (len(self.columns) + 1))})"


DOCUMENTS = _NodeTable("documents", "Document", [
    ("id", "TEXT"), ("title", "TEXT"), ("doc_number", "TEXT"), ("issuer", "TEXT"), ("date", "TEXT"),
    ("source", "TEXT"), ("sha256", "TEXT"), ("extractor", "TEXT"), ("format", "TEXT"), ("fingerprint", "TEXT"),
    ("n_sections", "INTEGER"), ("n_tasks", "INTEGER"), ("n_units", "INTEGER"), ("n_regulations", "INTEGER"),
    ("n_assignments", "INTEGER"), ("n_citations", "INTEGER"), ("warnings", "JSON"), ("deadlines", "TEXT")],
    key="id")  # its text is in document_texts: a row read for a list must not walk 100 kB of text
SECTIONS = _NodeTable("sections", "Section", [
    ("key", "TEXT"), ("document_id", "TEXT NOT NULL"), ("id", "TEXT"), ("title", "TEXT"), ("ordinal", "INTEGER")],
    key="key")
TASKS = _NodeTable("tasks", "Task", [
    ("key", "TEXT"), ("document_id", "TEXT NOT NULL"), ("ordinal", "INTEGER NOT NULL"), ("id", "TEXT"),
    ("heading", "TEXT"), ("text", "TEXT"), ("start", "INTEGER"), ("end", "INTEGER"), ("section", "TEXT"),
    ("section_title", "TEXT"), ("labels", "JSON"), ("deadlines", "TEXT"), ("deadline_dates", "JSON"),
    ("deadline_texts", "JSON"), ("deadline_first", "TEXT"), ("lead", "JSON"), ("participants", "JSON"),
    ("responsible", "JSON"), ("guides", "JSON"), ("basis", "JSON"), ("produces", "JSON"), ("section_key", "TEXT")],
    key="key", hidden=["section_key"])
UNITS = _NodeTable("units", "Unit", [
    ("name", "TEXT"), ("collective", "BOOL"), ("kind", "TEXT"), ("kind_label", "TEXT"), ("level", "TEXT"),
    ("levels", "JSON")], key="name")
REGULATIONS = _NodeTable("regulations", "Regulation", [
    ("key", "TEXT"), ("canonical", "TEXT"), ("canonical_title", "TEXT"), ("level", "TEXT"), ("status", "TEXT"),
    ("form_class", "TEXT"), ("form_label", "TEXT"), ("issuer_level", "TEXT"), ("publish_date", "TEXT"),
    ("valid_from", "TEXT")], key="key")

SCHEMA = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    DOCUMENTS.ddl(),
    "CREATE TABLE document_texts (id TEXT PRIMARY KEY, text TEXT NOT NULL)",
    SECTIONS.ddl(),
    TASKS.ddl("UNIQUE (document_id, ordinal)"),
    UNITS.ddl(),
    REGULATIONS.ddl(),
    "CREATE TABLE assignments (document_id TEXT NOT NULL, ordinal INTEGER NOT NULL, unit TEXT NOT NULL, "
    "role TEXT NOT NULL, written TEXT, mention TEXT, collective INTEGER, start INTEGER, \"end\" INTEGER)",
    "CREATE TABLE citations (document_id TEXT NOT NULL, ordinal INTEGER, position INTEGER, regulation TEXT NOT NULL, "
    "relation TEXT, title TEXT, mention TEXT, start INTEGER, \"end\" INTEGER, issuer_prefix TEXT)",
    "CREATE TABLE deadlines (document_id TEXT NOT NULL, ordinal INTEGER, position INTEGER, text TEXT, date TEXT, "
    "recurring TEXT, start INTEGER, \"end\" INTEGER)",
    "CREATE TABLE task_gaps (kind TEXT NOT NULL, document_id TEXT NOT NULL, ordinal INTEGER NOT NULL, "
    "PRIMARY KEY (kind, document_id, ordinal)) WITHOUT ROWID",
    "CREATE TABLE unit_load (unit TEXT PRIMARY KEY, " + ", ".join(f"{f} INTEGER NOT NULL" for f in LOAD_FIELDS) + ")",
    "CREATE TABLE unit_pair (a TEXT NOT NULL, b TEXT NOT NULL, weight INTEGER NOT NULL, PRIMARY KEY (a, b)) "
    "WITHOUT ROWID",
    "CREATE INDEX sections_document ON sections (document_id)",
    "CREATE INDEX tasks_deadline ON tasks (deadline_first)",
    "CREATE INDEX tasks_order_deadline ON tasks (document_id, ordinal, deadline_first)",
    "CREATE INDEX assignments_task ON assignments (document_id, ordinal)",
    "CREATE INDEX assignments_unit ON assignments (unit, document_id, ordinal)",
    "CREATE INDEX assignments_unit_role ON assignments (unit, role, document_id, ordinal)",
    "CREATE INDEX assignments_written ON assignments (written)",
    "CREATE INDEX citations_task ON citations (document_id, ordinal)",
    "CREATE INDEX citations_regulation ON citations (regulation)",
    "CREATE INDEX citations_relation ON citations (relation, document_id, ordinal)",
    "CREATE INDEX deadlines_task ON deadlines (document_id, ordinal)",
    "CREATE INDEX regulations_status ON regulations (status)",
]

# The links between plans (graph.records: LinkedPair, match_props, compared_props). IF NOT
# EXISTS: also run on a store file of an older PlanGraph (_upgrade_links).
LINKS_FORMAT = "1"
# A MATCHES row: its pair's method and mode are read from the pair's COMPARED row (the same
# for every link of the pair: a million links would repeat them a million times).
MATCH_COLUMNS = ("score", "text", "units", "citations", "key_terms", "term_weights")
MATCH_JSON = {"key_terms", "term_weights"}
PAIR_COLUMNS = ("method", "mode")  # of compared, on every MATCHES edge (graph.records.match_props)
COMPARED_COLUMNS = ("basis", "method", "mode", "min_score", "pairs", "linked")
TITLE_KEY = "json_extract(extra, '$.title_key')"  # a Document's title_key (indexed expression)
LINK_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS implements (document_id TEXT NOT NULL, implemented_id TEXT NOT NULL, title TEXT, "
    "task_id TEXT, via TEXT, PRIMARY KEY (document_id, implemented_id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS implements_implemented ON implements (implemented_id)",
    "CREATE TABLE IF NOT EXISTS matches (a_document TEXT NOT NULL, b_document TEXT NOT NULL, "
    "a_ordinal INTEGER NOT NULL, b_ordinal INTEGER NOT NULL, score REAL NOT NULL, text REAL, units REAL, "
    "citations REAL, key_terms TEXT, term_weights TEXT, "
    "PRIMARY KEY (a_document, b_document, a_ordinal, b_ordinal)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS matches_b ON matches (b_document, b_ordinal)",
    "CREATE TABLE IF NOT EXISTS compared (a TEXT NOT NULL, b TEXT NOT NULL, basis TEXT NOT NULL, method TEXT, "
    "mode TEXT, min_score REAL, pairs INTEGER, linked TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS compared_b ON compared (b, a)",
    "CREATE INDEX IF NOT EXISTS compared_basis ON compared (basis, b)",
    f"CREATE INDEX IF NOT EXISTS documents_title_key ON documents ({TITLE_KEY})",
]
assert set(MATCH_COLUMNS + PAIR_COLUMNS) == set(MATCH_PROPS), "a MATCHES property needs its column"
LINK_WRITE_ROWS = 50_000  # MATCHES rows per executemany (a progress report after each)
LINK_WRITE_CACHE_KB = 262_144  # page cache while writing links: the matches index is written out of order
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')


def _json_terms(terms: Sequence[str]) -> str:
    """A list of key terms as JSON text, without json.dumps' cost per call when no term needs
    escaping (jieba words never do): `link --all` writes a million of them."""
    if _NEEDS_ESCAPE.search("".join(terms)):
        return json.dumps(list(terms), ensure_ascii=False)
    return '["' + '","'.join(terms) + '"]' if terms else "[]"


def _json_floats(values: Sequence[float]) -> str:
    """A list of floats as JSON text (repr of a finite float is JSON)."""
    return "[" + ",".join(map(repr, map(float, values))) + "]"
# The findings have a table of their own; a store made before it gets it when opened.
FINDINGS_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS findings (document_id TEXT NOT NULL, position INTEGER NOT NULL, kind TEXT NOT NULL, "
    "task_id TEXT, text TEXT, start INTEGER, \"end\" INTEGER, PRIMARY KEY (document_id, position)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS findings_task ON findings (document_id, task_id)",
    "CREATE INDEX IF NOT EXISTS findings_kind ON findings (kind, document_id, position)",
]
SCHEMA += FINDINGS_SCHEMA
# The regulation totals (graph.aggregates); a store made before them gets them when opened.
REGULATION_TOTALS_FORMAT = "1"
REGULATION_TOTALS_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS regulation_load (regulation TEXT PRIMARY KEY, tasks INTEGER NOT NULL, "
    "documents INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS regulation_title (regulation TEXT NOT NULL, title TEXT NOT NULL, "
    "relation TEXT NOT NULL, mentions INTEGER NOT NULL, PRIMARY KEY (regulation, title, relation)) WITHOUT ROWID",
]
SCHEMA += REGULATION_TOTALS_SCHEMA
# Indexes added after stores were made (a store without one gets it when opened): the
# deliverables in task order, a regulation's citations in tasks in tasks_citing's order,
# the unit pairs in co_responsibility's order (heaviest first, then by name: no sort of the
# pairs of equal weight); each covers its answer, so it reads the index, not the rows.
LATER_INDEXES = {
    "unit_pair_order": "CREATE INDEX IF NOT EXISTS unit_pair_order ON unit_pair (weight DESC, a, b)",
    "citations_produces": "CREATE INDEX IF NOT EXISTS citations_produces ON citations "
                          "(document_id, ordinal, regulation, start, title) "
                          "WHERE relation = 'produces' AND ordinal IS NOT NULL",
    "citations_in_tasks": "CREATE INDEX IF NOT EXISTS citations_in_tasks ON citations "
                          "(regulation, document_id, ordinal, start, relation, title) WHERE ordinal IS NOT NULL",
}
SCHEMA += list(LATER_INDEXES.values())
# Indexes older stores have and no question reads any more (a later index replaced them):
# dropped when such a store is opened, so writes no longer keep them up.
RETIRED_INDEXES = ("unit_pair_weight",)
# A document's citations as graph.aggregates.Totals.of reads them (the task as document/ordinal).
_CITATION_TOTALS = ("SELECT document_id, CASE WHEN ordinal IS NOT NULL THEN document_id || '/' || ordinal END, "
                    "regulation, title, relation FROM citations")
_ASSIGNMENT_TOTALS = "SELECT document_id, document_id || '/' || ordinal, unit, role FROM assignments"

# The documents whose basis cites one of the regulations given (a JSON list). `+relation`
# keeps SQLite from reading them through the relation index: that walks every basis
# citation of the store (28 ms at 10,000 plans, on every write); by regulation it reads
# only theirs.
_BASIS_CITING = ("SELECT DISTINCT document_id FROM citations WHERE +relation = 'basis' "
                 "AND regulation IN (SELECT value FROM json_each(?))")

_ROLE_OF_TYPE = {v: k for k, v in ROLE_TYPES.items()}
_LOAD_SET = ", ".join(f"{f} = {f} + excluded.{f}" for f in LOAD_FIELDS)

F = TypeVar("F", bound=Callable[..., Any])


def _ids(values: Iterable[str]) -> str:
    """A list parameter: JSON text, read in SQL with json_each."""
    return json.dumps(list(values), ensure_ascii=False)


def _in_docs(docs: list[str] | None, column: str = "document_id") -> tuple[str, list[Any]]:
    """A condition on the document id `column` (docs None: every document) and its parameters."""
    if docs is None:
        return "1", []
    return f"{column} IN (SELECT value FROM json_each(?))", [_ids(docs)]


_UNIT_FACTS = "u.name, u.collective, u.kind, u.kind_label, u.level"
ROLE_COLUMNS = set(ROLE_PROPS.values())  # the tasks' JSON lists of units per role


def _unit_facts(row: Sequence[Any]) -> dict[str, Any]:
    """The Unit properties a workload row reads, from a row starting with _UNIT_FACTS."""
    return {"name": row[0], "collective": bool(row[1]), "kind": row[2], "kind_label": row[3], "level": row[4]}


def _sql_call(fn: F) -> F:
    """Every public store method: SQLite errors become one-line StoreErrors."""
    @functools.wraps(fn)
    def wrapper(self: "EmbeddedStore", *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(self, *args, **kwargs)
        except sqlite3.Error as err:
            # "database is locked": another writer held it longer than BUSY_TIMEOUT_S
            error = StoreUnavailable if "locked" in str(err) else StoreError
            raise error(f"the store file {self.path}: {err}") from None
    return wrapper  # type: ignore[return-value]


class EmbeddedStore(GraphStore):
    kind = "embedded"

    def __init__(self, home: str | Path):
        """Opens (creating if needed) ``home/plangraph.sqlite``; StoreError (one line) when
        the folder or the file cannot be used."""
        self.home = Path(home).expanduser()
        self.path = self.home / FILE_NAME
        if self.home.exists() and not self.home.is_dir():
            raise StoreError(f"the data folder {self.home} is a file, not a folder")
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create the data folder {self.home}: {err.strerror or err}") from None
        self._local = threading.local()
        self._connections: list[tuple[weakref.ref, sqlite3.Connection]] = []  # (its thread, connection)
        self._lock = threading.Lock()
        if not self.path.exists():
            self._create()
        self._check()

    # ------------------------------------------------------------ connections
    def _connect(self, path: Path | None = None) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(path or self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                  check_same_thread=False)
            con.execute("PRAGMA synchronous = NORMAL")  # WAL: durable at checkpoints, never corrupt
            con.execute("PRAGMA cache_size = -16000")  # 16 MB of pages per connection
        except sqlite3.Error as err:
            raise StoreError(f"cannot open the store file {path or self.path}: {err}") from None
        return con

    def _con(self) -> sqlite3.Connection:
        """This thread's connection (the app's sessions are threads sharing one store; a
        Streamlit run is a new thread, so the connections of ended threads are closed)."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = self._connect()
            with self._lock:
                ended = [c for t, c in self._connections if t() is None or not t().is_alive()]
                for old in ended:
                    with contextlib.suppress(sqlite3.Error):
                        old.close()
                self._connections = [(t, c) for t, c in self._connections if c not in ended]
                self._connections.append((weakref.ref(threading.current_thread()), con))
        return con

    def close(self) -> None:
        with self._lock:
            for _thread, con in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    con.close()
            self._connections.clear()
        self._local = threading.local()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: its statements see one committed state."""
        con = self._con()
        if con.in_transaction:  # nested in a write or another read
            yield con
            return
        con.execute("BEGIN")
        try:
            yield con
        finally:
            con.execute("COMMIT")

    @staticmethod
    @contextlib.contextmanager
    def _cache(con: sqlite3.Connection, kb: int) -> Iterator[None]:
        """A bigger page cache for one large write, the usual one after."""
        old = con.execute("PRAGMA cache_size").fetchone()[0]
        con.execute(f"PRAGMA cache_size = {-int(kb)}")
        try:
            yield
        finally:
            con.execute(f"PRAGMA cache_size = {int(old)}")

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction that bumps the change counter; rolled back on any error."""
        con = self._con()
        con.execute("BEGIN IMMEDIATE")
        try:
            con.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    # ------------------------------------------------------------ creating, checking, importing
    def _create(self) -> None:
        """A new store file, written whole under a temporary name and linked into place: a
        store is there complete or not at all (also when an older store is imported), and
        of two processes creating it at once, one wins and the other uses its file."""
        from plangraph.graph import legacy
        tmp = self.home / f".{FILE_NAME}.{os.getpid()}.tmp"
        sides = [Path(f"{tmp}{s}") for s in ("-wal", "-shm", "-journal")]
        old = self.home / legacy.FILE_NAME
        imported: list[DocumentRecords] = []
        try:
            for stale in (tmp, *sides):
                stale.unlink(missing_ok=True)
            con = self._connect(tmp)
            try:
                con.execute("PRAGMA journal_mode = WAL")
                con.execute("BEGIN")
                for stmt in SCHEMA + LINK_SCHEMA:
                    con.execute(stmt)
                con.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("format", FORMAT_ID), ("version", "0"), ("gap_flags", json.dumps(list(gaps.STATIC_GAP_KINDS))),
                    ("links", LINKS_FORMAT), ("regulation_totals", REGULATION_TOTALS_FORMAT)])
                imported = legacy.read_records(old) if old.exists() else []
                for records in imported:
                    self._write_one(con, records)
                con.execute("COMMIT")
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                con.close()
            with contextlib.suppress(FileExistsError):
                os.link(tmp, self.path)
                if old.exists():
                    print(f"plangraph: imported {len(imported)} documents from {old} into {self.path} "
                          f"(the old file is not read again)", file=sys.stderr)
        except (OSError, sqlite3.Error) as err:
            raise StoreError(f"cannot create the store file {self.path}: {getattr(err, 'strerror', None) or err}") \
                from None
        finally:
            for path in (tmp, *sides):
                path.unlink(missing_ok=True)

    @_sql_call
    def _check(self) -> None:
        """The file is a PlanGraph store of this format; its gap flags are the current kinds'."""
        try:
            with self._reading() as con:
                meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as err:
            raise StoreError(f"not a PlanGraph store file: {self.path} ({err})") from None
        if meta.get("format") != FORMAT_ID:
            raise StoreError(f"not a PlanGraph store file: {self.path} (format {meta.get('format')!r})")
        if meta.get("links") != LINKS_FORMAT:
            self._upgrade_links()
        if json.loads(meta.get("gap_flags", "[]")) != list(gaps.STATIC_GAP_KINDS):
            self._rewrite_gap_flags()
        if meta.get("regulation_totals") != REGULATION_TOTALS_FORMAT:
            self._build_regulation_totals()
        tables = {r[0] for r in self._con().execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "findings" not in tables:
            self._add_findings_table()
        indexes = {r[0] for r in self._con().execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        retired = sorted(indexes.intersection(RETIRED_INDEXES))
        if set(LATER_INDEXES) - indexes or retired:
            with self._writing() as con:
                for stmt in LATER_INDEXES.values():
                    con.execute(stmt)
                for name in retired:  # fixed names from RETIRED_INDEXES
                    con.execute(f"DROP INDEX IF EXISTS {name}")

    def _add_findings_table(self) -> None:
        """A store of an older PlanGraph: the findings table, empty (its documents have no
        `n_findings`: their findings are not known until they are ingested again)."""
        with self._writing() as con:
            for stmt in FINDINGS_SCHEMA:
                con.execute(stmt)

    def _build_regulation_totals(self) -> None:
        """A store of an older PlanGraph: the regulation totals, from every stored citation."""
        with self._writing() as con:
            if (con.execute("SELECT value FROM meta WHERE key = 'regulation_totals'").fetchone() or [None])[0] \
                    == REGULATION_TOTALS_FORMAT:
                return  # another process did it meanwhile
            for stmt in REGULATION_TOTALS_SCHEMA:
                con.execute(stmt)
            con.execute("DELETE FROM regulation_load")
            con.execute("DELETE FROM regulation_title")
            self._add_totals(con, Totals.of((), con.execute(_CITATION_TOTALS)))
            con.execute("INSERT OR REPLACE INTO meta VALUES ('regulation_totals', ?)", (REGULATION_TOTALS_FORMAT,))

    def _upgrade_links(self) -> None:
        """A store of an older PlanGraph: the link tables, each document's title_key, and the
        IMPLEMENTS edges of every document."""
        from plangraph.graph.records import document_link_props
        with self._writing() as con:
            if (con.execute("SELECT value FROM meta WHERE key = 'links'").fetchone() or [None])[0] == LINKS_FORMAT:
                return  # another process did it meanwhile
            for stmt in LINK_SCHEMA:
                con.execute(stmt)
            for doc, title, extra in con.execute("SELECT id, title, extra FROM documents").fetchall():
                props = json.loads(extra or "{}")
                props["title_key"] = document_link_props(title)["title_key"]
                con.execute("UPDATE documents SET extra = ? WHERE id = ?", (json.dumps(props, ensure_ascii=False), doc))
            self._link_implements(con, [r[0] for r in con.execute("SELECT id FROM documents")])
            con.execute("INSERT OR REPLACE INTO meta VALUES ('links', ?)", (LINKS_FORMAT,))

    def _rewrite_gap_flags(self) -> None:
        """Decide every task's static gaps again from its stored records (the store was
        written with other gap kinds), with the documents' gap counts."""
        with self._writing() as con:
            if json.loads(con.execute("SELECT value FROM meta WHERE key = 'gap_flags'").fetchone()[0]) \
                    == list(gaps.STATIC_GAP_KINDS):
                return  # another process did it meanwhile
            units: dict[tuple[str, int], list[tuple[str, bool]]] = defaultdict(list)
            for doc, ordinal, role, collective in con.execute(
                    "SELECT document_id, ordinal, role, collective FROM assignments"):
                units[(doc, ordinal)].append((role, bool(collective)))
            relations: dict[tuple[str, int], list[str]] = defaultdict(list)
            for doc, ordinal, relation in con.execute(
                    "SELECT document_id, ordinal, relation FROM citations WHERE ordinal IS NOT NULL"):
                relations[(doc, ordinal)].append(relation)
            con.execute("DELETE FROM task_gaps")
            counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(gaps.STATIC_GAP_KINDS, 0))
            rows = []
            for doc, ordinal, texts in con.execute("SELECT document_id, ordinal, deadline_texts FROM tasks").fetchall():
                facts = task_facts(units.get((doc, ordinal), []), len(json.loads(texts or "[]")),
                                   relations.get((doc, ordinal), []))
                for kind, hit in static_gaps(facts).items():
                    if hit:
                        rows.append((kind, doc, ordinal))
                        counts[doc][kind] += 1
            con.executemany("INSERT INTO task_gaps VALUES (?, ?, ?)", rows)
            for doc, extra in con.execute("SELECT id, extra FROM documents").fetchall():
                props = {k: v for k, v in json.loads(extra or "{}").items() if not k.startswith("n_gap_")}
                props.update({f"n_{gap_flag(k)}": n for k, n in counts[doc].items()})
                con.execute("UPDATE documents SET extra = ? WHERE id = ?", (json.dumps(props, ensure_ascii=False), doc))
            con.execute("UPDATE meta SET value = ? WHERE key = 'gap_flags'", (json.dumps(list(gaps.STATIC_GAP_KINDS)),))

    @_sql_call
    def check_writable(self) -> None:
        try:
            con = self._con()
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
        except sqlite3.Error as err:
            raise StoreError(f"cannot write to the store file {self.path}: {err}") from None

    # ------------------------------------------------------------ writes
    @_sql_call
    def fingerprint(self, document_id: str) -> str | None:
        row = self._con().execute("SELECT fingerprint FROM documents WHERE id = ?", (document_id,)).fetchone()
        return None if row is None else row[0]

    @_sql_call
    def write_documents(self, batch: Sequence[DocumentRecords]) -> list[IngestResult]:
        batch = list(batch)
        if not batch:
            return []
        with self._writing() as con:
            replaced = [self._write_one(con, r) for r in batch]
        return [IngestResult(r.document_id, len(r.tasks), len(r.units), len(r.regulations), found is not None,
                             unlinked=found or 0) for r, found in zip(batch, replaced)]

    @_sql_call
    def delete_documents(self, document_ids: Sequence[str]) -> list[bool]:
        with self._writing() as con:
            found = []
            for doc in document_ids:
                old = self._remove(con, doc)
                if old is not None:
                    self._prune(con, *old[:2])
                found.append(old is not None)
            return found

    def _write_one(self, con: sqlite3.Connection, r: DocumentRecords) -> int | None:
        """Replace one document inside the caller's transaction; None: it was not stored
        before, else how many linked pairs its old version was in (removed with it).
        These steps are separate methods so a test can make one fail."""
        old = self._remove(con, r.document_id)
        self._write_shared(con, r)
        self._write_tasks(con, r)
        self._write_assignments(con, r)
        self._write_citations(con, r)
        self._write_findings(con, r)
        self._add_totals(con, Totals.of_records([r]))
        self._link_implements(con, [r.document_id])
        if old is None:
            return None
        self._prune(con, *old[:2])
        return old[2]

    def _remove(self, con: sqlite3.Connection, doc: str) -> tuple[set[str], set[str], int] | None:
        """Delete a document's rows, its links, and its part of the totals; the Units and
        Regulations it used (to prune) and how many linked pairs it was in, or None when it
        was not stored."""
        if con.execute("SELECT 1 FROM documents WHERE id = ?", (doc,)).fetchone() is None:
            return None
        old = Totals.of(con.execute(f"{_ASSIGNMENT_TOTALS} WHERE document_id = ?", (doc,)),
                        con.execute(f"{_CITATION_TOTALS} WHERE document_id = ?", (doc,)).fetchall())
        self._add_totals(con, Totals().minus(old))
        regulations = set(old.regulations)
        for table in ("assignments", "citations", "deadlines", "tasks", "sections"):
            con.execute(f"DELETE FROM {table} WHERE document_id = ?", (doc,))
        con.execute("DELETE FROM task_gaps WHERE kind IN (SELECT value FROM json_each(?)) AND document_id = ?",
                    (_ids(gaps.STATIC_GAP_KINDS), doc))
        con.execute("DELETE FROM documents WHERE id = ?", (doc,))
        con.execute("DELETE FROM document_texts WHERE id = ?", (doc,))
        unlinked = con.execute("SELECT count(*) FROM compared WHERE a = ? OR b = ?", (doc, doc)).fetchone()[0]
        con.execute("DELETE FROM compared WHERE a = ?", (doc,))
        con.execute("DELETE FROM compared WHERE b = ?", (doc,))
        con.execute("DELETE FROM matches WHERE a_document = ?", (doc,))
        con.execute("DELETE FROM matches WHERE b_document = ?", (doc,))
        con.execute("DELETE FROM implements WHERE document_id = ?", (doc,))
        con.execute("DELETE FROM implements WHERE implemented_id = ?", (doc,))
        self._delete_findings(con, doc)
        return set(old.units), regulations, unlinked

    @staticmethod
    def _prune(con: sqlite3.Connection, units: set[str], regulations: set[str]) -> None:
        """Delete those Units and Regulations that no document uses any more."""
        con.execute("DELETE FROM units WHERE name IN (SELECT value FROM json_each(?)) "
                    "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.unit = units.name)", (_ids(units),))
        con.execute("DELETE FROM regulations WHERE key IN (SELECT value FROM json_each(?)) "
                    "AND NOT EXISTS (SELECT 1 FROM citations c WHERE c.regulation = regulations.key)",
                    (_ids(regulations),))

    @staticmethod
    def _merge(con: sqlite3.Connection, table: _NodeTable, nodes: list) -> None:
        """Shared nodes: graph.records.merge_shared_props of what is there and the new props."""
        if not nodes:
            return
        keys = [n.key for n in nodes]
        old = {row[0]: table.props(row[1:]) for row in con.execute(
            f'SELECT "{table.key}", {table.select()} FROM {table.name} '
            f'WHERE "{table.key}" IN (SELECT value FROM json_each(?))', (_ids(keys),))}
        con.executemany(table.insert("INSERT OR REPLACE"),
                        [table.values(merge_shared_props(table.label, old.get(n.key), n.props)) for n in nodes])

    def _write_shared(self, con: sqlite3.Connection, r: DocumentRecords) -> None:
        self._merge(con, UNITS, r.units)
        self._merge(con, REGULATIONS, r.regulations)

    def _write_tasks(self, con: sqlite3.Connection, r: DocumentRecords) -> None:
        """The Document, its Sections and Tasks, their time limits and gap flags."""
        doc = r.document_id
        con.execute(DOCUMENTS.insert(), DOCUMENTS.values(r.document.props, skip=["text"]))
        con.execute("INSERT INTO document_texts VALUES (?, ?)", (doc, r.document.props.get("text", "")))
        con.executemany(SECTIONS.insert(), [SECTIONS.values(s.props) for s in r.sections])
        con.executemany(TASKS.insert(), [TASKS.values({**t.props, "section_key": t.section_key}, skip=[gap_flag(k) for k in gaps.STATIC_GAP_KINDS])
                                         for t in r.tasks])
        con.executemany("INSERT INTO task_gaps VALUES (?, ?, ?)",
                        [(k, doc, t.props["ordinal"]) for t in r.tasks for k in gaps.STATIC_GAP_KINDS
                         if t.props.get(gap_flag(k))])
        rows = [(doc, None, i, d["text"], d["date"], d["recurring"], d["start"], d["end"])
                for i, d in enumerate(json.loads(r.document.props.get("deadlines") or "[]"))]
        rows += [(doc, t.props["ordinal"], i, d["text"], d["date"], d["recurring"], d["start"], d["end"])
                 for t in r.tasks for i, d in enumerate(json.loads(t.props.get("deadlines") or "[]"))]
        con.executemany("INSERT INTO deadlines VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def _write_assignments(self, con: sqlite3.Connection, r: DocumentRecords) -> None:
        ordinal = {t.key: t.props["ordinal"] for t in r.tasks}
        con.executemany("INSERT INTO assignments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (r.document_id, ordinal[a.task_key], a.unit, a.role, a.props["unit"], a.props["mention"],
             int(bool(a.props["collective"])), a.props["start"], a.props["end"]) for a in r.assignments])

    def _write_citations(self, con: sqlite3.Connection, r: DocumentRecords) -> None:
        ordinal = {t.key: t.props["ordinal"] for t in r.tasks}
        con.executemany("INSERT INTO citations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (r.document_id, ordinal[c.source_key] if c.source_key else None, i, c.regulation, c.props["relation"],
             c.props["title"], c.props["mention"], c.props["start"], c.props["end"], c.props["issuer_prefix"])
            for i, c in enumerate(r.citations)])

    def _write_findings(self, con: sqlite3.Connection, r: DocumentRecords) -> None:
        """What the extractor could not read (none written when not known: r.findings None)."""
        con.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)", [
            (r.document_id, f.props["position"], f.props["kind"], f.props["task_id"] or None, f.props["text"],
             f.props["start"], f.props["end"]) for f in r.findings or []])

    @staticmethod
    def _delete_findings(con: sqlite3.Connection, doc: str) -> None:
        con.execute("DELETE FROM findings WHERE document_id = ?", (doc,))

    @staticmethod
    def _link_implements(con: sqlite3.Connection, written: Sequence[str]) -> None:
        """(Re)make the IMPLEMENTS edges of the documents just written and of those whose
        basis may name them (graph.implements: one rule for both stores)."""
        from plangraph.graph.implements import implements_edges, may_name, plan_title_key
        titles = dict(con.execute(f"SELECT id, {TITLE_KEY} FROM documents WHERE id IN "
                                  "(SELECT value FROM json_each(?))", (_ids(written),)).fetchall())
        keys = [k for k in titles.values() if k]
        regulations = [r[0] for r in con.execute(
            "SELECT key FROM regulations WHERE key IN (SELECT value FROM json_each(?)) OR key LIKE ?",
            (_ids(keys), "%" + "的通知")) if may_name(r[0], keys)] if keys else []
        citing = {r[0] for r in con.execute(_BASIS_CITING, (_ids(regulations),))} if regulations else set()
        affected = sorted(set(titles) | citing)
        cites: dict[str, list[tuple[str, str | None, int | None, int]]] = {d: [] for d in affected}
        for doc, title, task_id, ordinal, start in con.execute(
                "SELECT c.document_id, c.title, t.id, c.ordinal, c.start FROM citations c LEFT JOIN tasks t "
                "ON t.document_id = c.document_id AND t.ordinal = c.ordinal WHERE c.relation = 'basis' "
                "AND c.document_id IN (SELECT value FROM json_each(?))", (_ids(affected),)):
            cites[doc].append((title, task_id, ordinal, start))
        named = sorted({plan_title_key(c[0]) for cs in cites.values() for c in cs} - {""})
        documents = con.execute(f"SELECT id, title FROM documents WHERE id IN (SELECT value FROM json_each(?)) "
                                f"OR {TITLE_KEY} IN (SELECT value FROM json_each(?))",
                                (_ids(affected), _ids(named))).fetchall()
        con.execute("DELETE FROM implements WHERE document_id IN (SELECT value FROM json_each(?))", (_ids(affected),))
        con.executemany("INSERT INTO implements VALUES (?, ?, ?, ?, ?)", implements_edges(documents, cites))

    @staticmethod
    def _task_ordinals(con: sqlite3.Connection, docs: list[str]) -> dict[str, dict[str, int]]:
        """Stored document -> its task ids -> ordinals."""
        out: dict[str, dict[str, int]] = {d: {} for d, in con.execute(
            "SELECT id FROM documents WHERE id IN (SELECT value FROM json_each(?))", (_ids(docs),))}
        for doc, tid, ordinal in con.execute("SELECT document_id, id, ordinal FROM tasks WHERE document_id IN "
                                             "(SELECT value FROM json_each(?))", (_ids(out),)):
            out[doc][tid] = ordinal
        return out

    @staticmethod
    def _unlink(con: sqlite3.Connection, pairs: Iterable[tuple[str, str]]) -> None:
        """Remove the links of these document pairs (as stored: A, B)."""
        pairs = list(pairs)
        con.executemany("DELETE FROM matches WHERE a_document = ? AND b_document = ?", pairs)
        con.executemany("DELETE FROM compared WHERE a = ? AND b = ?", pairs)

    @_sql_call
    def write_links_many(self, pairs: Iterable[LinkedPair], drop_bases: Sequence[str] = (),
                         progress: Callable[[int], None] | None = None) -> int:
        drop = check_bases(drop_bases)
        written = 0
        with self._writing() as con, self._cache(con, LINK_WRITE_CACHE_KB):
            ordinals: dict[str, dict[str, int]] = {}

            def tasks_of(docs: list[str]) -> dict[str, dict[str, int]]:
                ordinals.update(self._task_ordinals(con, docs))
                return ordinals
            checked = sorted(check_pairs(pairs, tasks_of), key=lambda p: (p.a, p.b))
            stored = {(a, b): basis for a, b, basis in con.execute("SELECT a, b, basis FROM compared")}
            new = {frozenset((p.a, p.b)) for p in checked}
            self._unlink(con, [k for k, basis in stored.items() if basis in drop or frozenset(k) in new])
            rows: list[tuple[Any, ...]] = []
            done = 0
            for p in checked:
                a, b = ordinals[p.a], ordinals[p.b]
                rows += sorted((p.a, p.b, a[m.a_task], b[m.b_task], m.score, m.text, m.units, m.citations,
                                _json_terms(m.key_terms), _json_floats(m.term_weights)) for m in p.links)
                done += 1
                if len(rows) >= LINK_WRITE_ROWS or done == len(checked):
                    con.executemany(f"INSERT OR REPLACE INTO matches VALUES ({', '.join('?' * (4 + len(MATCH_COLUMNS)))})",
                                    rows)
                    written += len(rows)
                    rows = []
                    if progress is not None:
                        progress(done)
            con.executemany(f"INSERT INTO compared VALUES (?, ?, {', '.join('?' * len(COMPARED_COLUMNS))})",
                            [(p.a, p.b, *(compared_props(p)[c] for c in COMPARED_COLUMNS)) for p in checked])
        return written

    @staticmethod
    def _add_totals(con: sqlite3.Connection, delta: Totals) -> None:
        """Add `delta` to the stored totals; a unit or pair that falls to zero is deleted."""
        names = ", ".join(LOAD_FIELDS)
        con.executemany(f"INSERT INTO unit_load (unit, {names}) VALUES (?, {', '.join('?' * len(LOAD_FIELDS))}) "
                        f"ON CONFLICT (unit) DO UPDATE SET {_LOAD_SET}",
                        [(u, *c) for u, c in delta.units.items()])
        con.executemany("INSERT INTO unit_pair VALUES (?, ?, ?) ON CONFLICT (a, b) DO UPDATE "
                        "SET weight = weight + excluded.weight", [(a, b, w) for (a, b), w in delta.pairs.items()])
        con.executemany("INSERT INTO regulation_load VALUES (?, ?, ?) ON CONFLICT (regulation) DO UPDATE "
                        "SET tasks = tasks + excluded.tasks, documents = documents + excluded.documents",
                        [(g, *c) for g, c in delta.regulations.items()])
        con.executemany("INSERT INTO regulation_title VALUES (?, ?, ?, ?) ON CONFLICT (regulation, title, relation) "
                        "DO UPDATE SET mentions = mentions + excluded.mentions",
                        [(*k, n) for k, n in delta.titles.items()])
        if delta.units:
            con.execute("DELETE FROM unit_load WHERE total <= 0")
        if delta.pairs:
            con.execute("DELETE FROM unit_pair WHERE weight <= 0")
        if delta.regulations:
            con.execute("DELETE FROM regulation_load WHERE documents <= 0")
        if delta.titles:
            con.execute("DELETE FROM regulation_title WHERE mentions <= 0")

    # ------------------------------------------------------------ reading rows
    _TASK_COLUMNS = ", ".join(f't."{c}"' for c in TASK_FIELDS)
    _LINK_COLUMNS = ", ".join(f'"{c}"' for c in LINK_FIELDS)

    # A task row's fields as one JSON array (the JSON columns and the deadlines nested as JSON).
    _TASK_JSON = "json_array(" + ", ".join(
        f"coalesce(json(\"{c}\"), '[]')" if c in TASKS.json or c == "deadlines" else f'"{c}"' for c in TASK_FIELDS) + ")"

    @classmethod
    def _rows(cls, con: sqlite3.Connection, query: str, params: Sequence[Any] = ()) -> list[TaskRow]:
        """Task rows of a query selecting _TASK_COLUMNS (from tasks t), in (document_id,
        ordinal) order: SQLite makes one JSON array of all of them, decoded at once (a
        json.loads per list of every row cost more than the query)."""
        raw = con.execute(f"SELECT json_group_array({cls._TASK_JSON}) FROM ({query})", params).fetchone()[0]
        rows = [task_row(dict(zip(TASK_FIELDS, values))) for values in json.loads(raw or "[]")]
        return sorted(rows, key=lambda r: (r.document_id, r.ordinal))

    @staticmethod
    def _page(limit: int | None, offset: int) -> str:
        limit, offset = check_page(limit, offset)
        return f" LIMIT {-1 if limit is None else int(limit)} OFFSET {int(offset)}"

    # ------------------------------------------------------------ queries
    @_sql_call
    def version(self) -> str:
        row = self._con().execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return str(row[0]) if row else "0"

    @_sql_call
    def documents(self, document_ids: Sequence[str] | None = None) -> list[DocumentSummary]:
        where, params = _in_docs(doc_filter(document_ids), "id")
        cols = ", ".join(f'"{c}"' for c in DOCUMENT_FIELDS)
        return [document_summary(row) for row in self._con().execute(
            f"SELECT {cols} FROM documents WHERE {where} ORDER BY id", params)]

    @_sql_call
    def document_text(self, document_id: str) -> str | None:
        row = self._con().execute("SELECT text FROM document_texts WHERE id = ?", (document_id,)).fetchone()
        return None if row is None else (row[0] or "")

    @_sql_call
    def tasks(self, document_ids: Sequence[str] | None = None, limit: int | None = None,
              offset: int = 0) -> list[TaskRow]:
        where, params = _in_docs(doc_filter(document_ids), "t.document_id")
        return self._rows(self._con(), f"SELECT {self._TASK_COLUMNS} FROM tasks t WHERE {where} "
                                       f"ORDER BY t.document_id, t.ordinal{self._page(limit, offset)}", params)

    @_sql_call
    def task(self, document_id: str, task_id: str) -> TaskRow | None:
        rows = self._rows(self._con(), f"SELECT {self._TASK_COLUMNS} FROM tasks t WHERE t.key = ?",
                          [task_key(document_id, task_id)])
        return rows[0] if rows else None

    _LINKS_PER_READ = 2000

    @_sql_call
    def task_links(self, document_ids: Sequence[str] | None = None) -> list[TaskLink]:
        """The links as JSON arrays made by SQLite and decoded at once, a few thousand per
        read: a drawing of a province's plans reads 50k of them; row by row each list was a
        json.loads, and all at once the decoded text left the process ~80 MB larger."""
        where, params = _in_docs(doc_filter(document_ids))
        fields = ", ".join(f"coalesce(json(\"{c}\"), '[]')" if c in ROLE_COLUMNS else f'"{c}"' for c in LINK_FIELDS)
        con = self._con()
        out: list[TaskLink] = []
        after = ("", -1)
        while True:
            raw = con.execute(f"SELECT json_group_array(json_array({fields})) FROM (SELECT {self._LINK_COLUMNS} "
                              f"FROM tasks WHERE {where} AND (document_id, ordinal) > (?, ?) "
                              f"ORDER BY document_id, ordinal LIMIT {self._LINKS_PER_READ})", [*params, *after]
                              ).fetchone()[0]
            rows = json.loads(raw or "[]")
            out += [task_link(dict(zip(LINK_FIELDS, row))) for row in rows]
            if len(rows) < self._LINKS_PER_READ:
                return out
            after = (out[-1].document_id, out[-1].ordinal)

    def _tasks_by_position(self, con: sqlite3.Connection, positions: Iterable[Sequence[Any]]
                           ) -> dict[tuple[str, int], TaskRow]:
        """(document_id, ordinal) -> the task row there, for these positions."""
        at = json.dumps(sorted({(doc, ordinal) for doc, ordinal in positions}), ensure_ascii=False)
        return {(t.document_id, t.ordinal): t for t in self._tasks_at(
            con, "SELECT value ->> 0 AS document_id, value ->> 1 AS ordinal FROM json_each(?) ORDER BY 1, 2", [at])}

    def _tasks_at(self, con: sqlite3.Connection, positions: str, params: Sequence[Any]) -> list[TaskRow]:
        """The task rows at the (document_id, ordinal) pairs `positions` selects, in its order
        (`positions` orders them by document_id, ordinal and pages them)."""
        return self._rows(con, f"SELECT {self._TASK_COLUMNS} FROM ({positions}) p JOIN tasks t "
                               "ON t.document_id = p.document_id AND t.ordinal = p.ordinal "
                               "ORDER BY p.document_id, p.ordinal", params)

    @_sql_call
    def tasks_of_unit(self, unit: str, roles: Sequence[str] | None = None,
                      document_ids: Sequence[str] | None = None, limit: int | None = None,
                      offset: int = 0) -> list[TaskRow]:
        page = self._page(limit, offset)
        roles = check_roles(roles)
        docs = doc_filter(document_ids)
        with self._reading() as con:
            name = self.resolve_unit(unit, docs)
            if name is None:
                return []
            where, params = _in_docs(docs)
            source = "assignments"
            if len(roles) < len(ROLE_TYPES):  # (unit, role, …) index: a role the unit never has costs nothing
                source = "assignments INDEXED BY assignments_unit_role"
                where, params = f"role IN (SELECT value FROM json_each(?)) AND {where}", [_ids(roles), *params]
            return self._tasks_at(con, f"SELECT DISTINCT document_id, ordinal FROM {source} WHERE unit = ? "
                                       f"AND {where} ORDER BY document_id, ordinal{page}", [name, *params])

    @_sql_call
    def has_unit(self, name: str) -> bool:
        return self._con().execute("SELECT 1 FROM units WHERE name = ?", (name,)).fetchone() is not None

    @_sql_call
    def find_units(self, name: str, document_ids: Sequence[str] | None = None) -> list[str]:
        needles = unit_needles(name)
        if not needles:
            return []
        docs = doc_filter(document_ids)
        con = self._con()
        if docs is None:
            ending = " OR ".join("substr(name, -length(?)) = ?" for _ in needles)
            found = {r[0] for r in con.execute(f"SELECT name FROM units WHERE {ending}",
                                               [x for n in needles for x in (n, n)])}
            found |= {r[0] for r in con.execute("SELECT DISTINCT unit FROM assignments "
                                                "WHERE written IN (SELECT value FROM json_each(?))", (_ids(needles),))}
            return sorted(found)
        written: dict[str, set[str]] = defaultdict(set)
        for unit, w in con.execute("SELECT DISTINCT unit, written FROM assignments WHERE "
                                       f"{_in_docs(docs)[0]}", (_ids(docs),)):
            written[unit].add(w)
        return sorted(u for u, names in written.items() if unit_matches(u, names, needles))

    @_sql_call
    def units_of_task(self, document_id: str, task_id: str) -> list[UnitRole]:
        with self._reading() as con:
            row = con.execute("SELECT ordinal, id FROM tasks WHERE key = ?",
                              (task_key(document_id, task_id),)).fetchone()
            if row is None:
                return []
            ordinal, tid = row
            out = []
            for u_row in con.execute(f"SELECT a.role, a.written, a.mention, a.collective, a.start, a.\"end\", "
                                     f"{UNITS.select('u')} FROM assignments a JOIN units u ON u.name = a.unit "
                                     "WHERE a.document_id = ? AND a.ordinal = ?", (document_id, ordinal)):
                role, written, mention, collective, start, end = u_row[:6]
                edge = {"unit": written, "mention": mention, "collective": bool(collective),
                        "document_id": document_id, "start": start, "end": end}
                out.append(unit_role(UNITS.props(u_row[6:]), role, edge, tid))
        return sorted(out, key=unit_role_sort_key)

    @staticmethod
    def _unit_facts(con: sqlite3.Connection, names: list[str]) -> dict[str, dict[str, Any]]:
        """Name -> what a workload row shows of the unit (graph.rows.unit_workload)."""
        return {row[0]: _unit_facts(row) for row in con.execute(
            f"SELECT {_UNIT_FACTS} FROM units u WHERE u.name IN (SELECT value FROM json_each(?))", (_ids(names),))}

    @_sql_call
    def regulations(self, title_contains: str | None = None,
                    document_ids: Sequence[str] | None = None) -> list[RegulationRow]:
        docs = doc_filter(document_ids)
        with self._reading() as con:
            if docs is None:  # the store-wide totals
                titles = con.execute("SELECT regulation, title, relation, mentions FROM regulation_title").fetchall()
                counts = {g: (tasks, n) for g, tasks, n in con.execute("SELECT * FROM regulation_load")}
            else:
                totals = Totals.of((), con.execute(f"{_CITATION_TOTALS} WHERE {_in_docs(docs)[0]}", (_ids(docs),)))
                titles = [(*k, n) for k, n in totals.titles.items()]
                counts = totals.regulations
            props = {row[0]: REGULATIONS.props(row) for row in con.execute(
                f"SELECT {REGULATIONS.select()} FROM regulations WHERE key IN (SELECT value FROM json_each(?))",
                (_ids(counts),))}
        return regulation_rows(titles, counts, props, title_contains)

    @_sql_call
    def tasks_citing(self, regulation: str, relation: str | None = None,
                     document_ids: Sequence[str] | None = None, limit: int | None = None,
                     offset: int = 0) -> list[TaskCitation]:
        page = self._page(limit, offset)
        relation = check_relation(relation)
        key = regulation_query_key(regulation)
        where, params = _in_docs(doc_filter(document_ids))
        with self._reading() as con:
            cites = con.execute("SELECT document_id, ordinal, relation, title, mention, start, \"end\" FROM citations "
                                "WHERE regulation = ? AND ordinal IS NOT NULL AND (? IS NULL OR relation = ?) "
                                f"AND {where} ORDER BY document_id, ordinal, start, relation, title{page}",
                                [key, relation, relation, *params]).fetchall()
            rows = self._tasks_by_position(con, [c[:2] for c in cites])
        return sort_citations(TaskCitation(task=rows[(c[0], c[1])], regulation=key, relation=c[2], title=c[3],
                                           mention=c[4], start=c[5], end=c[6]) for c in cites)

    @_sql_call
    def deliverables(self, document_ids: Sequence[str] | None = None, limit: int | None = None,
                     offset: int = 0) -> list[Deliverable]:
        page = self._page(limit, offset)
        where, params = _in_docs(doc_filter(document_ids))
        with self._reading() as con:  # each (task, regulation) with its first citation (graph.rows.deliverable_rows)
            cites = con.execute(  # the page's (task, regulation) pairs, then every citation of each
                "SELECT c.document_id, c.ordinal, c.regulation, c.title, c.mention, c.start, c.\"end\", g.form_label, "
                "g.status FROM (SELECT document_id, ordinal, regulation, min(start) AS first FROM citations "
                "INDEXED BY citations_produces WHERE relation = 'produces' AND ordinal IS NOT NULL "
                f"AND {where} GROUP BY document_id, ordinal, regulation "
                f"ORDER BY document_id, ordinal, first, regulation{page}) p "
                "JOIN citations c INDEXED BY citations_produces ON c.document_id = p.document_id "
                "AND c.ordinal = p.ordinal AND c.regulation = p.regulation AND c.relation = 'produces' "
                "AND c.ordinal IS NOT NULL JOIN regulations g ON g.key = c.regulation", params).fetchall()
            rows = self._tasks_by_position(con, [c[:2] for c in cites])
        return deliverable_rows((((c[0], c[1]), *c[2:7], {"form_label": c[7], "status": c[8]}) for c in cites), rows)

    def _gap_positions(self, kind: str, docs: list[str] | None, day: str) -> tuple[str, list[Any]]:
        """SQL selecting (document_id, ordinal) of the tasks with a gap of `kind`, ordered."""
        where, params = _in_docs(docs)
        if kind == "deadline_passed":  # in task order through the index that holds both: no sort
            return ("SELECT document_id, ordinal FROM tasks INDEXED BY tasks_order_deadline WHERE deadline_first > '' "
                    f"AND deadline_first < ? AND {where} ORDER BY document_id, ordinal", [day, *params])
        if kind == "unresolved_citation":
            return ("SELECT DISTINCT document_id, ordinal FROM citations WHERE ordinal IS NOT NULL AND regulation IN "
                    f"(SELECT key FROM regulations WHERE status = 'unknown') AND {where} ORDER BY document_id, ordinal",
                    params)
        if kind == "not_taken_up":  # A's tasks without a MATCHES from a lower plan B in docs (the gap is B's)
            lower, params = _in_docs(docs, "c.b")
            return ("SELECT DISTINCT t.document_id AS document_id, t.ordinal AS ordinal FROM compared c "
                    "JOIN tasks t ON t.document_id = c.a WHERE c.basis IN (SELECT value FROM json_each(?)) "
                    f"AND {lower} AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.a_document = c.a "
                    "AND m.a_ordinal = t.ordinal AND m.b_document = c.b) ORDER BY t.document_id, t.ordinal",
                    [_ids(GAP_BASES), *params])
        return (f"SELECT document_id, ordinal FROM task_gaps WHERE kind = ? AND {where} ORDER BY document_id, ordinal",
                [kind, *params])

    @_sql_call
    def orphans(self, kind: str, as_of: str | _dt.date | None = None,
                document_ids: Sequence[str] | None = None, limit: int | None = None,
                offset: int = 0) -> list[TaskRow]:
        positions, params = self._gap_positions(check_kind(kind), doc_filter(document_ids), as_of_date(as_of))
        return self._tasks_at(self._con(), positions + self._page(limit, offset), params)

    @_sql_call
    def gap_counts(self, as_of: str | _dt.date | None = None,
                   document_ids: Sequence[str] | None = None) -> dict[str, int]:
        day = as_of_date(as_of)
        docs = doc_filter(document_ids)
        out = {}
        with self._reading() as con:
            sums = ", ".join(f"coalesce(sum(json_extract(extra, '$.n_{gap_flag(k)}')), 0)" for k in gaps.STATIC_GAP_KINDS)
            doc_where, doc_params = _in_docs(docs, "id")
            static = con.execute(f"SELECT {sums} FROM documents WHERE {doc_where}", doc_params).fetchone()
            out.update(zip(gaps.STATIC_GAP_KINDS, map(int, static)))
            where, params = _in_docs(docs)
            out["deadline_passed"] = con.execute(  # counted in the date index, not in task order
                f"SELECT count(*) FROM tasks WHERE deadline_first > '' AND deadline_first < ? AND {where}",
                [day, *params]).fetchone()[0]
            for kind in gaps.GAPS:
                if kind not in out:
                    positions, p = self._gap_positions(kind, docs, day)
                    out[kind] = con.execute(f"SELECT count(*) FROM ({positions})", p).fetchone()[0]
        return {k: out[k] for k in gaps.GAPS}

    # ------------------------------------------------------------ findings
    # Each row with the heading of its task (the tasks' primary key, composed as graph.records.task_key).
    _FINDING_COLUMNS = ", ".join(f'f."{c}"' for c in FINDING_FIELDS)
    _FINDING_ROWS = (f"SELECT {_FINDING_COLUMNS}, t.heading "
                     "FROM findings f LEFT JOIN tasks t ON t.key = f.document_id || ? || f.task_id")

    @classmethod
    def _finding_rows(cls, con: sqlite3.Connection, where: str, params: Sequence[Any],
                      page: str = "") -> list[FindingRow]:
        """Finding rows WHERE `where` (params after the key separator), in (document_id, position) order."""
        rows = con.execute(f"{cls._FINDING_ROWS} WHERE {where} ORDER BY f.document_id, f.position{page}",
                           [KEY_SEP, *params])
        return [finding_row(dict(zip(FINDING_FIELDS, row)), row[-1]) for row in rows]

    @_sql_call
    def findings(self, document_ids: Sequence[str] | None = None, kinds: Sequence[str] | None = None,
                 limit: int | None = None, offset: int = 0) -> list[FindingRow]:
        page = self._page(limit, offset)
        where, params = _in_docs(doc_filter(document_ids), "f.document_id")
        return self._finding_rows(self._con(), f"f.kind IN (SELECT value FROM json_each(?)) AND {where}",
                                  [_ids(check_finding_kinds(kinds)), *params], page)

    @_sql_call
    def findings_of_task(self, document_id: str, task_id: str) -> list[FindingRow]:
        return self._finding_rows(self._con(), "f.document_id = ? AND f.task_id = ?", [document_id, task_id])

    @_sql_call
    def finding_counts(self, document_ids: Sequence[str] | None = None) -> dict[str, dict[str, int]]:
        docs = doc_filter(document_ids)
        with self._reading() as con:
            where, params = _in_docs(docs, "id")
            reviewed = [doc for (doc,) in con.execute(
                f"SELECT id FROM documents WHERE json_extract(extra, '$.n_findings') IS NOT NULL AND {where}", params)]
            where, params = _in_docs(docs)
            counts = con.execute(f"SELECT document_id, kind, count(*) FROM findings WHERE {where} "
                                 "GROUP BY document_id, kind", params).fetchall()
        return finding_count_table(reviewed, counts)

    @_sql_call
    def workload(self, document_ids: Sequence[str] | None = None) -> list[UnitWorkload]:
        docs = doc_filter(document_ids)
        with self._reading() as con:
            if docs is None:  # the store-wide totals, with what a row shows of each unit
                loads = con.execute(f"SELECT {_UNIT_FACTS}, {', '.join('l.' + f for f in LOAD_FIELDS)} "
                                    "FROM unit_load l JOIN units u ON u.name = l.unit").fetchall()
                facts = {row[0]: _unit_facts(row) for row in loads}
                return workload_rows({row[0]: row[5:] for row in loads}, lambda names: facts)
            units = Totals.of(con.execute("SELECT document_id, document_id || '/' || ordinal, unit, role FROM "
                                          f"assignments WHERE {_in_docs(docs)[0]}", (_ids(docs),))).units
            return workload_rows(units, lambda names: self._unit_facts(con, names))

    @_sql_call
    def co_responsibility(self, document_ids: Sequence[str] | None = None,
                          include_collective: bool = True, min_weight: int = 1) -> list[CoEdge]:
        docs = doc_filter(document_ids)
        with self._reading() as con:
            if docs is None:  # in co_edges' order: SQLite's BINARY collation orders UTF-8 by code point, as Python
                pairs = con.execute("SELECT a, b, weight FROM unit_pair WHERE weight >= ? ORDER BY weight DESC, a, b",
                                    (max(1, int(min_weight)),)).fetchall()
            else:
                totals = Totals.of(con.execute("SELECT document_id, document_id || '/' || ordinal, unit, role FROM "
                                               f"assignments WHERE {_in_docs(docs)[0]}", (_ids(docs),)))
                pairs = [(a, b, w) for (a, b), w in totals.pairs.items()]
            collective = () if include_collective else \
                {r[0] for r in con.execute("SELECT name FROM units WHERE collective = 1")}
        return co_edges(pairs, min_weight, collective, ordered=docs is None)

    @_sql_call
    def implements(self, document_ids: Sequence[str] | None = None) -> list[ImplementsRow]:
        docs = doc_filter(document_ids)
        either = "1" if docs is None else \
            "(document_id IN (SELECT value FROM json_each(?1)) OR implemented_id IN (SELECT value FROM json_each(?1)))"
        return [implements_row(doc, impl, {"title": title, "task_id": task_id, "via": via})
                for doc, impl, title, task_id, via in self._con().execute(
                    f"SELECT * FROM implements WHERE {either} ORDER BY document_id, implemented_id",
                    [] if docs is None else [_ids(docs)])]

    @_sql_call
    def compared(self, document_ids: Sequence[str] | None = None) -> list[ComparedRow]:
        docs = doc_filter(document_ids)
        either = "1" if docs is None else "(a IN (SELECT value FROM json_each(?1)) OR b IN (SELECT value FROM json_each(?1)))"
        return [compared_row(row[0], row[1], dict(zip(COMPARED_COLUMNS, row[2:]))) for row in self._con().execute(
            f"SELECT a, b, {', '.join(COMPARED_COLUMNS)} FROM compared WHERE {either} ORDER BY a, b",
            [] if docs is None else [_ids(docs)])]

    # A MATCHES row with its pair's method and mode: (a doc, a ordinal, b doc, b ordinal, props…)
    _MATCH_SELECT = ("m.a_document, m.a_ordinal, m.b_document, m.b_ordinal, "
                     + ", ".join(f"m.{c}" for c in MATCH_COLUMNS) + ", " + ", ".join(f"c.{c}" for c in PAIR_COLUMNS))

    @staticmethod
    def _match_props(values: Sequence[Any]) -> dict[str, Any]:
        """The MATCHES edge's properties (graph.records.match_props) from _MATCH_SELECT's values after the positions."""
        props = {c: (json.loads(v) if c in MATCH_JSON and v else v) for c, v in zip(MATCH_COLUMNS, values)}
        props.update(zip(PAIR_COLUMNS, values[len(MATCH_COLUMNS):]))
        return props

    @_sql_call
    def matches(self, a: str | None = None, b: str | None = None, document_ids: Sequence[str] | None = None,
                task: tuple[str, str] | None = None, limit: int | None = None, offset: int = 0) -> list[MatchRow]:
        page = self._page(limit, offset)
        docs = doc_filter(document_ids)
        where, params = ["1"], []
        if a is not None:
            where.append("m.a_document = ?")
            params.append(a)
        if b is not None:
            where.append("m.b_document = ?")
            params.append(b)
        if docs is not None:
            where.append("(m.a_document IN (SELECT value FROM json_each(?)) "
                         "OR m.b_document IN (SELECT value FROM json_each(?)))")
            params += [_ids(docs), _ids(docs)]
        with self._reading() as con:
            if task is not None:
                found = con.execute("SELECT ordinal FROM tasks WHERE key = ?", (task_key(*task),)).fetchone()
                if found is None:
                    return []
                where.append("((m.a_document = ? AND m.a_ordinal = ?) OR (m.b_document = ? AND m.b_ordinal = ?))")
                params += [task[0], found[0], task[0], found[0]]
            links = con.execute(f"SELECT {self._MATCH_SELECT} FROM matches m JOIN compared c ON c.a = m.a_document "
                                f"AND c.b = m.b_document WHERE {' AND '.join(where)} "
                                f"ORDER BY m.a_document, m.a_ordinal, m.b_document, m.b_ordinal{page}", params).fetchall()
            rows = self._tasks_by_position(con, [*(r[:2] for r in links), *(r[2:4] for r in links)])
        out = []
        for r in links:
            out.append(match_row(rows[(r[0], r[1])], rows[(r[2], r[3])], self._match_props(r[4:])))
        return out

    @_sql_call
    def key_terms(self, document_ids: Sequence[str] | None = None) -> dict[str, list[list[str]] | None]:
        from plangraph.graph.compare_text import terms_version
        where, params = _in_docs(doc_filter(document_ids), "id")
        current = terms_version()
        with self._reading() as con:
            out: dict[str, list[list[str]] | None] = {
                doc: ([] if version == current else None) for doc, version in con.execute(
                    f"SELECT id, json_extract(extra, '$.terms_version') FROM documents WHERE {where}", params)}
            fresh = [d for d, v in out.items() if v is not None]
            raw = con.execute("SELECT json_group_array(json_array(document_id, json(coalesce(extra ->> '$.key_terms', "
                              "'null')))) FROM (SELECT document_id, extra FROM tasks WHERE document_id IN "
                              "(SELECT value FROM json_each(?)) ORDER BY document_id, ordinal)",
                              (_ids(fresh),)).fetchone()[0]
        for doc, terms in json.loads(raw or "[]"):
            if out[doc] is not None:
                if terms is None:
                    out[doc] = None
                else:
                    out[doc].append(terms)
        return out

    @_sql_call
    def unit_names(self) -> list[str]:
        return [r[0] for r in self._con().execute("SELECT name FROM units ORDER BY name")]

    @_sql_call
    def to_networkx(self, document_ids: Sequence[str] | None = None) -> "nx.MultiDiGraph":
        """The graph of graph.records: node ids '<Label>:<key>', attributes its properties
        and `label`; edge attributes their properties and `type`."""
        import networkx as nx
        docs = doc_filter(document_ids)
        where, params = _in_docs(docs)
        g = nx.MultiDiGraph()
        with self._reading() as con:
            doc_where, doc_params = _in_docs(docs, "id")
            for row in con.execute(f"SELECT {DOCUMENTS.select('d')}, x.text FROM documents d JOIN document_texts x "
                                   f"ON x.id = d.id WHERE {doc_where.replace('id IN', 'd.id IN')}", doc_params):
                props = DOCUMENTS.props(row[:-1])
                props["text"] = row[-1]
                g.add_node(f"Document:{props['id']}", label="Document", **props)
            for row in con.execute(f"SELECT {SECTIONS.select()} FROM sections WHERE {where}", params):
                props = SECTIONS.props(row)
                g.add_node(f"Section:{props['key']}", label="Section", **props)
                g.add_edge(f"Document:{props['document_id']}", f"Section:{props['key']}", type="CONTAINS")
            flagged: dict[tuple[str, int], set[str]] = defaultdict(set)
            for kind, doc, ordinal in con.execute("SELECT kind, document_id, ordinal FROM task_gaps WHERE kind IN "
                                                  f"(SELECT value FROM json_each(?)) AND {where}",
                                                  [_ids(gaps.STATIC_GAP_KINDS), *params]):
                flagged[(doc, ordinal)].add(kind)
            keys: dict[tuple[str, int], str] = {}
            for row in con.execute(f"SELECT section_key, {TASKS.select()} FROM tasks WHERE {where}", params):
                props = TASKS.props(row[1:])
                have = flagged.get((props["document_id"], props["ordinal"]), set())
                props.update({gap_flag(k): k in have for k in gaps.STATIC_GAP_KINDS})
                node = f"Task:{props['key']}"
                keys[(props["document_id"], props["ordinal"])] = node
                g.add_node(node, label="Task", **props)
                parent = f"Section:{row[0]}" if row[0] else f"Document:{props['document_id']}"
                g.add_edge(parent, node, type="CONTAINS")
            for row in con.execute(f"SELECT {UNITS.select()} FROM units WHERE name IN "
                                   f"(SELECT DISTINCT unit FROM assignments WHERE {where})", params):
                props = UNITS.props(row)
                g.add_node(f"Unit:{props['name']}", label="Unit", **props)
            for row in con.execute(f"SELECT {REGULATIONS.select()} FROM regulations WHERE key IN "
                                   f"(SELECT DISTINCT regulation FROM citations WHERE {where})", params):
                props = REGULATIONS.props(row)
                g.add_node(f"Regulation:{props['key']}", label="Regulation", **props)
            for doc, ordinal, unit, role, written, mention, collective, start, end in con.execute(
                    f"SELECT * FROM assignments WHERE {where}", params):
                g.add_edge(f"Unit:{unit}", keys[(doc, ordinal)], type=ROLE_TYPES[role], document_id=doc, unit=written,
                           mention=mention, collective=bool(collective), start=start, end=end)
            for doc, ordinal, _pos, reg, relation, title, mention, start, end, prefix in con.execute(
                    f"SELECT * FROM citations WHERE {where}", params):
                source = keys[(doc, ordinal)] if ordinal is not None else f"Document:{doc}"
                g.add_edge(source, f"Regulation:{reg}", type="CITES", document_id=doc, relation=relation,
                           title=title, mention=mention, start=start, end=end, issuer_prefix=prefix)
            # links between plans: those with both ends in the selection
            both, both_params = (("1", []) if docs is None else
                                 ("{0} IN (SELECT value FROM json_each(?1)) AND {1} IN (SELECT value FROM json_each(?1))",
                                  [_ids(docs)]))
            for doc, impl, title, task_id, via in con.execute(
                    f"SELECT * FROM implements WHERE {both.format('document_id', 'implemented_id')}", both_params):
                g.add_edge(f"Document:{doc}", f"Document:{impl}", type="IMPLEMENTS", title=title, task_id=task_id,
                           via=via)
            for row in con.execute(f"SELECT a, b, {', '.join(COMPARED_COLUMNS)} FROM compared "
                                   f"WHERE {both.format('a', 'b')}", both_params):
                g.add_edge(f"Document:{row[1]}", f"Document:{row[0]}", type="COMPARED",
                           **dict(zip(COMPARED_COLUMNS, row[2:])))
            for row in con.execute(f"SELECT {self._MATCH_SELECT} FROM matches m JOIN compared c ON c.a = m.a_document "
                                   f"AND c.b = m.b_document WHERE {both.format('m.a_document', 'm.b_document')}",
                                   both_params):
                g.add_edge(keys[(row[2], row[3])], keys[(row[0], row[1])], type="MATCHES", **self._match_props(row[4:]))
        return g


__all__ = ["EmbeddedStore", "FILE_NAME", "FORMAT_ID"]
