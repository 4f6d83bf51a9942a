"""Neo4j writes: plain functions that take a transaction and graph.records records.

graph.neo4j_store.Neo4jStore calls these inside one managed write transaction
(`session.execute_write`), so any error rolls the whole write back. Every value reaches
Cypher as a parameter (document text is data); the only strings composed into query text
are the fixed labels and relationship types of graph.records and this module.

A write (write_documents, delete_document) first increments the store's change counter,
`(:PlanGraphState {id: 'state'}).version` (read_version): that locks the counter node, so
writers take turns, and it is committed with the write.

Store-wide totals are kept up to date by every write, in the same transaction: per unit
(:UnitLoad {unit, lead, participant, responsible, guide, total, documents}) and per pair of
units carrying out one task (:UnitPair {a, b, weight}), as graph.aggregates defines them.
Per regulation (:RegulationLoad {key, tasks, documents}) and per regulation, title as cited
and relation (:RegulationTitle {key, title, relation, mentions}), as graph.aggregates
defines them too. With them, `workload()`, `co_responsibility()` and `regulations()` over a
province's plans read a few thousand small nodes instead of aggregating every assignment and
citation edge. A write adds what its documents contribute (`Totals.of`) and takes away what
the versions it replaces or deletes contributed. A database whose totals are missing or of
an older format (no `totals` mark of this TOTALS_FORMAT on its counter node) is answered
from the assignments, and the next write builds the totals first (`ensure_totals`).

The store-wide answers read most are also kept whole on the counter node, each as one
string (the answer lists, `write_answer_lists`): workload()'s rows (`loads_json`), every
pair in co_responsibility()'s order (`pairs_json`), the collective units' names
(`collective_json`) and every Document's summary (`summaries_joined`, for documents()). A
read is then one string instead of thousands of nodes. Each write that changes a document
rewrites them; they are valid while `lists_version` equals the counter and `lists_format`
is LISTS_FORMAT (each write of this module carries the version forward; a writer that does
not know the lists leaves them behind, and the totals answer). A bulk run (a folder ingest)
leaves them invalid and writes them once at its end (`refresh_answer_lists`), not once per
batch.

Each Document also keeps what documents() shows of it (graph.rows.DOCUMENT_FIELDS) as one
string, `summary_json` (`summary_value`; a JSON list in SUMMARY_FORMAT 1, the values split by
a control character since): a thousand Documents read as a thousand strings instead of fourteen
properties each. It is written with the Document, so re-ingest and removal keep it right;
Documents written before it or in an older format (no `summaries` mark of this SUMMARY_FORMAT on
the counter node) get theirs at the next write (`ensure_summaries`), and are read from their
properties or their JSON until then.

What the extractor could not read is written with each document (`write_findings`): a
(:Finding) node per finding, from the Task it lies in or from its Document
(-[:HAS_FINDING]->), deleted with the document (`remove_findings`).

The counter node also records which static gap flags (graph.gaps) the Tasks carry
(`gap_flags`); a store written with other kinds gets its flags rewritten (`rewrite_gap_flags`),
and whether the Documents carry their title_key and IMPLEMENTS edges (`links`); a store of an
older PlanGraph gets them (`upgrade_links`).

Links between plans: every document write (re)makes the IMPLEMENTS edges of the documents it
writes and of those whose basis may name them (`link_implements`, graph.implements' rule);
removing a document's Tasks and Document (DETACH DELETE) removes its MATCHES, COMPARED and
IMPLEMENTS. `write_link_batch` writes linked pairs (graph.records.LinkedPair) whole.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import astuple
from typing import Any

import neo4j

from plangraph.graph.aggregates import LOAD_FIELDS, Totals, co_edges, workload_rows
from plangraph.graph import gaps
from plangraph.graph.gaps import gap_flag, static_gaps
from plangraph.graph.rows import DOCUMENT_FIELDS, UnitWorkload
from plangraph.graph.records import (
    ROLE_TYPES,
    TYPE_ROLES,
    DocumentRecords,
    LinkedPair,
    compared_props,
    match_props,
    merge_shared_props,
    task_facts,
    task_key,
)

BATCH = 1000  # rows per UNWIND statement
ROLE_PATTERN = "|".join(ROLE_TYPES.values())  # fixed names from graph.records, never data
SHARED_KEY = {"Unit": "name", "Regulation": "key"}  # shared labels -> key property (fixed names)
STATE_ID = "state"
TOTALS_FORMAT = 3  # (:PlanGraphState).totals: the totals are complete (2: with guide; 3: regulations)
TOTALS_LABELS = ("UnitLoad", "UnitPair", "RegulationLoad", "RegulationTitle")
LINKS_FORMAT = 1  # (:PlanGraphState).links: Documents carry title_key and their IMPLEMENTS edges
SUMMARY_FORMAT = 2  # (:PlanGraphState).summaries: every Document carries its summary, split by SUMMARY_MARK
LISTS_FORMAT = 1  # (:PlanGraphState).lists_format: the answer lists hold UnitWorkload and CoEdge rows
UNIT_FACTS = ("name", "collective", "kind", "kind_label", "level")  # what a workload row shows of a Unit
SUMMARY_PROPERTY = "summary_json"  # a Document's DOCUMENT_FIELDS as one string (summary_value; JSON in format 1)

# Constraints the write path needs besides the store's own (graph.neo4j_store.SCHEMA).
SCHEMA = [
    "CREATE CONSTRAINT plangraph_state_id IF NOT EXISTS FOR (n:PlanGraphState) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT plangraph_unit_load IF NOT EXISTS FOR (n:UnitLoad) REQUIRE n.unit IS UNIQUE",
    "CREATE CONSTRAINT plangraph_unit_pair IF NOT EXISTS FOR (n:UnitPair) REQUIRE (n.a, n.b) IS UNIQUE",
    "CREATE CONSTRAINT plangraph_regulation_load IF NOT EXISTS FOR (n:RegulationLoad) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT plangraph_regulation_title IF NOT EXISTS FOR (n:RegulationTitle) "
    "REQUIRE (n.key, n.title, n.relation) IS UNIQUE",
    "CREATE INDEX plangraph_document_title_key IF NOT EXISTS FOR (n:Document) ON (n.title_key)",
]


def _gap_flags() -> str:
    """(:PlanGraphState).gap_flags: the static gap kinds the Tasks carry flags of."""
    return json.dumps(list(gaps.STATIC_GAP_KINDS))


# ------------------------------------------------------------------ the change counter

def bump_version(tx: neo4j.ManagedTransaction) -> bool:
    """Increment the store's change counter (first in the write's own transaction, so it
    holds the counter's lock: writers take turns) and mark the gap flags it writes as
    today's (Neo4jStore rewrote any others before its first write); whether the totals
    are complete."""
    rec = tx.run("MERGE (s:PlanGraphState {id: $id}) WITH s, coalesce(s.version, 0) AS v "
                 "SET s.version = v + 1, s.gap_flags = $flags, s.links = $links, "
                 "s.lists_version = CASE WHEN s.lists_version = v THEN v + 1 END "  # the answer lists stay valid
                 "RETURN s.totals AS totals", id=STATE_ID, flags=_gap_flags(), links=LINKS_FORMAT).single()
    return rec["totals"] == TOTALS_FORMAT


def read_version(tx: neo4j.ManagedTransaction) -> str:
    """The change counter as a string, "0" when nothing was ever written."""
    rec = tx.run("MATCH (s:PlanGraphState {id: $id}) RETURN s.version AS v", id=STATE_ID).single()
    return str(rec["v"]) if rec is not None and rec["v"] is not None else "0"


def totals_ready(tx: neo4j.ManagedTransaction) -> bool:
    """Whether the UnitLoad/UnitPair totals are complete (see the module docstring)."""
    rec = tx.run("MATCH (s:PlanGraphState {id: $id}) RETURN s.totals AS totals", id=STATE_ID).single()
    return rec is not None and rec["totals"] == TOTALS_FORMAT


def clear_some(tx: neo4j.ManagedTransaction, limit: int = 5000) -> int:
    """Delete up to `limit` PlanGraph nodes, the change counter and totals too (tests only);
    how many. In slices: one transaction for a 1,000-plan graph outgrows the server's memory pool."""
    return tx.run("MATCH (n) WHERE n:Document OR n:Section OR n:Task OR n:Unit OR n:Regulation OR n:PlanGraphState "
                  "OR n:UnitLoad OR n:UnitPair OR n:RegulationLoad OR n:RegulationTitle OR n:Finding "
                  "WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS n", limit=limit).single()["n"]


# ------------------------------------------------------------------ store-wide totals

def stored_assignments(tx: neo4j.ManagedTransaction, ids: list[str] | None) -> list[tuple[str, str, str, str]]:
    """(document_id, task key, unit, role) of these stored documents (None: of all), for
    Totals.of. One record of lists: a row per assignment costs the driver 15 µs each."""
    where = "t.document_id IS NOT NULL" if ids is None else "t.document_id IN $ids"
    rows = tx.run(f"MATCH (t:Task) WHERE {where} MATCH (u:Unit)-[r:{ROLE_PATTERN}]->(t) "
                  "RETURN collect([t.document_id, t.key, u.name, type(r)]) AS rows", ids=ids).single()["rows"]
    return [(doc, task, unit, TYPE_ROLES[rel]) for doc, task, unit, rel in rows]


def stored_citations(tx: neo4j.ManagedTransaction, ids: list[str] | None) -> list[tuple[str, str | None, str, str, str]]:
    """(document_id, task key or None, regulation, title, relation) of these stored
    documents' citations (None: of all), for Totals.of; one record of lists."""
    if ids is None:
        query = "MATCH (x)-[c:CITES]->(g:Regulation) WITH c.document_id AS id, CASE WHEN x:Task THEN x.key END AS task, " \
                "g.key AS reg, c"
    else:  # from the documents' Tasks and Documents (indexed), not from every citation
        query = ("CALL { UNWIND $ids AS id MATCH (t:Task {document_id: id})-[c:CITES]->(g:Regulation) "
                 "RETURN id, t.key AS task, g.key AS reg, c UNION ALL UNWIND $ids AS id "
                 "MATCH (:Document {id: id})-[c:CITES]->(g:Regulation) RETURN id, null AS task, g.key AS reg, c } "
                 "WITH id, task, reg, c")
    rows = tx.run(f"{query} RETURN collect([id, task, reg, c.title, c.relation]) AS rows", ids=ids).single()["rows"]
    return [tuple(r) for r in rows]


def add_totals(tx: neo4j.ManagedTransaction, delta: Totals) -> None:
    """Add `delta` to the stored totals; a unit or pair that falls to zero is deleted."""
    sets = ", ".join(f"l.{f} = coalesce(l.{f}, 0) + row.d[{i}]" for i, f in enumerate(LOAD_FIELDS))
    _unwind(tx, f"UNWIND $rows AS row MERGE (l:UnitLoad {{unit: row.unit}}) SET {sets} "
                "WITH l WHERE l.total <= 0 DELETE l",
            [{"unit": u, "d": c} for u, c in delta.units.items()])
    _unwind(tx, "UNWIND $rows AS row MERGE (p:UnitPair {a: row.a, b: row.b}) "
                "SET p.weight = coalesce(p.weight, 0) + row.d WITH p WHERE p.weight <= 0 DELETE p",
            [{"a": a, "b": b, "d": w} for (a, b), w in delta.pairs.items()])
    _unwind(tx, "UNWIND $rows AS row MERGE (l:RegulationLoad {key: row.key}) "
                "SET l.tasks = coalesce(l.tasks, 0) + row.d[0], l.documents = coalesce(l.documents, 0) + row.d[1] "
                "WITH l WHERE l.documents <= 0 DELETE l",
            [{"key": g, "d": c} for g, c in delta.regulations.items()])
    _unwind(tx, "UNWIND $rows AS row MERGE (t:RegulationTitle {key: row.key, title: row.title, relation: row.relation}) "
                "SET t.mentions = coalesce(t.mentions, 0) + row.d WITH t WHERE t.mentions <= 0 DELETE t",
            [{"key": g, "title": title, "relation": rel, "d": n} for (g, title, rel), n in delta.titles.items()])


def stored_workload(tx: neo4j.ManagedTransaction) -> list[UnitWorkload]:
    """workload() of the whole store, from the complete totals: two label scans joined here
    (a Unit lookup per UnitLoad costs the server more than reading every Unit); lists, not
    maps: a third less to decode."""
    fields = ", ".join(f"l.{f}" for f in LOAD_FIELDS)
    loads, units = tx.run(
        f"CALL {{ MATCH (l:UnitLoad) RETURN collect([l.unit, [{fields}]]) AS loads }} "
        f"CALL {{ MATCH (u:Unit) RETURN collect([{', '.join('u.' + f for f in UNIT_FACTS)}]) AS units }} "
        "RETURN loads, units").single().values()
    props = {facts[0]: dict(zip(UNIT_FACTS, facts)) for facts in units}
    return workload_rows({name: counts for name, counts in loads if name in props}, lambda names: props)


def stored_unit_pairs(tx: neo4j.ManagedTransaction, min_weight: int = 1) -> list[tuple[str, str, int]]:
    """(a, b, weight) of every UnitPair at least min_weight heavy, in no order."""
    rows = tx.run("MATCH (p:UnitPair) WHERE p.weight >= $min RETURN collect([p.a, p.b, p.weight]) AS rows",
                  min=max(1, int(min_weight))).single()["rows"]
    return [tuple(r) for r in rows]


def lists_changed(tx: neo4j.ManagedTransaction, lists: bool) -> None:
    """After a write that changed documents: the answer lists written again, or (lists
    false: a bulk run puts them off) left invalid."""
    if lists:
        write_answer_lists(tx)
    else:
        tx.run("MATCH (s:PlanGraphState {id: $id}) SET s.lists_version = null", id=STATE_ID).consume()


def refresh_answer_lists(tx: neo4j.ManagedTransaction) -> bool:
    """Write the answer lists if they are not valid (a bulk run put them off) and the
    totals are complete; whether they were written. The counter node is locked first (a
    property set), so no writer changes the totals between their read and the mark of
    validity."""
    rec = tx.run("MATCH (s:PlanGraphState {id: $id}) WHERE s.totals = $format "
                 "AND coalesce(s.lists_version <> s.version OR s.lists_format <> $lists, true) "
                 "SET s.lists_version = null RETURN count(s) AS n",
                 id=STATE_ID, format=TOTALS_FORMAT, lists=LISTS_FORMAT).single()
    if not rec["n"]:
        return False
    write_answer_lists(tx)
    return True


def write_answer_lists(tx: neo4j.ManagedTransaction) -> None:
    """workload() and co_responsibility() of the whole store, each as one JSON list of its
    rows' values (UnitWorkload, CoEdge fields in order), the names of the collective units
    (what co_responsibility(include_collective=False) leaves out), and every Document's
    summary joined in one string (documents(); null when one of them is not in the split
    form: summary_rows reads those), on the counter node, valid for the change counter's
    present value (ANSWER_LISTS)."""
    workload = stored_workload(tx)
    loads = [list(astuple(w)) for w in workload]
    pairs = [[e.a, e.b, e.weight] for e in co_edges(stored_unit_pairs(tx))]
    collective = [w.unit for w in workload if w.collective]
    summaries = sorted(tx.run(f"MATCH (d:Document) RETURN collect([d.id, d.{SUMMARY_PROPERTY}]) AS rows")
                       .single()["rows"])
    split = all(isinstance(v, str) and v.startswith(SUMMARY_MARK) for _, v in summaries)
    joined = "".join(v for _, v in summaries) if split else None
    tx.run("MATCH (s:PlanGraphState {id: $id}) SET s.loads_json = $loads, s.pairs_json = $pairs, "
           "s.collective_json = $collective, s.summaries_joined = $joined, s.lists_version = s.version, "
           "s.lists_format = $format REMOVE s.pairs_version", id=STATE_ID, loads=_json(loads), pairs=_json(pairs),
           collective=_json(collective), joined=joined, format=LISTS_FORMAT).consume()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


ANSWER_LISTS = (f"OPTIONAL MATCH (s:PlanGraphState {{id: '{STATE_ID}'}}) "
                f"WITH *, s.lists_version = s.version AND s.lists_format = {LISTS_FORMAT} AS valid "
                "WITH *, CASE WHEN valid THEN s.loads_json END AS loads_json, "
                "CASE WHEN valid THEN s.pairs_json END AS pairs_json, "
                "CASE WHEN valid THEN s.collective_json END AS collective_json, "
                "CASE WHEN valid THEN s.summaries_joined END AS summaries_joined")
"""Cypher binding loads_json, pairs_json, collective_json and summaries_joined to
write_answer_lists' lists when they are valid (else null)."""


def workload_list(loads_json: str) -> list[UnitWorkload]:
    """The rows of write_answer_lists' workload list."""
    return [UnitWorkload(*values) for values in json.loads(loads_json)]


def ensure_totals(tx: neo4j.ManagedTransaction, ready: bool) -> None:
    """Build the totals from the stored graph unless `ready` (bump_version's answer), and
    mark them complete. Runs at the start of every write, under the counter's lock."""
    if ready:
        return
    tx.run(f"MATCH (n) WHERE {' OR '.join('n:' + label for label in TOTALS_LABELS)} DETACH DELETE n").consume()
    add_totals(tx, Totals.of(stored_assignments(tx, None), stored_citations(tx, None)))
    tx.run("MATCH (s:PlanGraphState {id: $id}) SET s.totals = $format", id=STATE_ID,
           format=TOTALS_FORMAT).consume()


# ------------------------------------------------------------------ document summaries

# A summary: its values after this mark, each ended by it; a value that holds the mark (never
# seen in practice) makes the whole summary a JSON list instead. Splitting 10,000 of them
# takes a third of the time of one json.loads of them all.
SUMMARY_MARK = "\x1f"


def summary_value(props: dict[str, Any]) -> str:
    """What documents() shows of a Document (DOCUMENT_FIELDS, in that order) as one string."""
    values = ["" if props.get(f) is None else str(props.get(f)) for f in DOCUMENT_FIELDS]
    if any(SUMMARY_MARK in v for v in values):
        return json.dumps([props.get(f) for f in DOCUMENT_FIELDS], ensure_ascii=False)
    return SUMMARY_MARK + "".join(v + SUMMARY_MARK for v in values)


def summary_rows(values: list[str]) -> list[Sequence[Any]]:
    """The DOCUMENT_FIELDS values of summary_value's strings, in that order ("" for none;
    numbers as text or numbers: graph.rows.document_summary takes either). JSON ones
    (SUMMARY_FORMAT 1, or holding the mark) are read with one json.loads for all of them."""
    # Split all at once: each summary of the split form is the mark, then each value followed
    # by the mark; JSON never holds the mark (json.dumps escapes control characters), so
    # fewer rows than summaries means some are JSON.
    rows = list(joined_summary_rows("".join(values)))
    if len(rows) == len(values):  # every one in the split form
        return rows
    rows = [v[1:-1].split(SUMMARY_MARK) for v in values if v.startswith(SUMMARY_MARK)]
    older = [v for v in values if not v.startswith(SUMMARY_MARK)]
    return rows + json.loads("[" + ",".join(older) + "]") if older else rows


def joined_summary_rows(joined: str) -> Iterator[tuple[str, ...]]:
    """The DOCUMENT_FIELDS values of summaries in the split form, joined in one string: a
    row at a time, so 10,000 of them are never all held as rows besides what is made of
    them."""
    flat = iter(joined.split(SUMMARY_MARK))  # each summary: "" (before its first mark), then its values
    return (chunk[1:] for chunk in zip(*[flat] * (len(DOCUMENT_FIELDS) + 1)))


def ensure_summaries(tx: neo4j.ManagedTransaction) -> None:
    """Give every Document without a summary of this SUMMARY_FORMAT its summary, once (a
    store written before them, or in JSON), and mark the store's Documents as carrying them.
    Runs at the start of every write, under the counter's lock (after bump_version)."""
    if tx.run("MATCH (s:PlanGraphState {id: $id}) WHERE s.summaries = $format RETURN count(s) AS n",
              id=STATE_ID, format=SUMMARY_FORMAT).single()["n"]:
        return
    fields = ", ".join(f".{f}" for f in DOCUMENT_FIELDS)  # fixed names from graph.rows
    rows = tx.run(f"MATCH (d:Document) WHERE NOT coalesce(d.{SUMMARY_PROPERTY} STARTS WITH $mark, false) "
                  f"RETURN collect(d {{{fields}}}) AS rows", mark=SUMMARY_MARK).single()["rows"]
    _unwind(tx, f"UNWIND $rows AS row MATCH (d:Document {{id: row.id}}) SET d.{SUMMARY_PROPERTY} = row.value",
            [{"id": props["id"], "value": summary_value(props)} for props in rows])
    tx.run("MATCH (s:PlanGraphState {id: $id}) SET s.summaries = $format", id=STATE_ID,
           format=SUMMARY_FORMAT).consume()


# ------------------------------------------------------------------ writes

def _unwind(tx: neo4j.ManagedTransaction, query: str, rows: list[dict[str, Any]], **params: Any) -> None:
    """Run `query` (which UNWINDs $rows) over `rows`, BATCH rows per statement."""
    for i in range(0, len(rows), BATCH):
        tx.run(query, rows=rows[i:i + BATCH], **params).consume()


def write_documents(tx: neo4j.ManagedTransaction, batch: Sequence[DocumentRecords],
                    lists: bool = True) -> list[int | None]:
    """Write every document of `batch`, replacing earlier versions, and bump the change
    counter; per document: None when it was not in the store before, else how many linked
    pairs its old version was in (removed with its tasks). Each statement UNWINDs the rows of
    all the documents; the caller's transaction makes it all or nothing. A document id
    given twice is written twice, in order (the later version wins). lists false: the
    answer lists are left invalid, for refresh_answer_lists at the end of a bulk run."""
    ensure_totals(tx, bump_version(tx))
    ensure_summaries(tx)
    replaced: list[int | None] = []
    for part in _distinct_runs(batch):
        replaced += _write_batch(tx, part)
    lists_changed(tx, lists)
    return replaced


def delete_documents(tx: neo4j.ManagedTransaction, document_ids: Sequence[str],
                     lists: bool = True) -> list[bool]:
    """Remove these documents' subgraphs and the Units/Regulations left without edges; per
    id: it was stored. lists: as write_documents; when none was stored, lists true makes
    answer lists that are not valid valid again."""
    ensure_totals(tx, bump_version(tx))
    ensure_summaries(tx)
    found = existing_documents(tx, list(document_ids))
    if found:
        old, regs = remove_documents(tx, sorted(found))
        add_totals(tx, Totals().minus(old))
        prune(tx, list(old.units), regs)
        lists_changed(tx, lists)
    elif lists:
        refresh_answer_lists(tx)
    return [d in found for d in document_ids]


def _distinct_runs(batch: Sequence[DocumentRecords]) -> list[list[DocumentRecords]]:
    """Split the batch where a document id comes again (each part has distinct ids)."""
    parts: list[list[DocumentRecords]] = [[]]
    seen: set[str] = set()
    for r in batch:
        if r.document_id in seen:
            parts.append([])
            seen = set()
        parts[-1].append(r)
        seen.add(r.document_id)
    return [p for p in parts if p]


def _write_batch(tx: neo4j.ManagedTransaction, batch: list[DocumentRecords]) -> list[int | None]:
    """Documents with distinct ids: remove the old versions of those already stored, write
    all of them, then drop the Units/Regulations only the old versions used."""
    ids = [r.document_id for r in batch]
    old = existing_documents(tx, ids)
    unlinked = linked_pairs(tx, sorted(old)) if old else {}
    gone, regs = remove_documents(tx, [i for i in ids if i in old]) if old else (Totals(), [])
    write_shared(tx, "Unit", [n for r in batch for n in r.units])
    write_shared(tx, "Regulation", [n for r in batch for n in r.regulations])
    write_tasks(tx, batch)
    write_assignments(tx, batch)
    write_citations(tx, batch)
    write_findings(tx, batch)
    add_totals(tx, Totals.of_records(batch).minus(gone))
    link_implements(tx, ids)
    if old:
        prune(tx, list(gone.units), regs)
    return [unlinked.get(i, 0) if i in old else None for i in ids]


def existing_documents(tx: neo4j.ManagedTransaction, ids: list[str]) -> set[str]:
    """Which of these document ids are in the store (one query)."""
    return set(tx.run("UNWIND $ids AS id MATCH (d:Document {id: id}) RETURN d.id AS id", ids=ids).value("id"))


def remove_documents(tx: neo4j.ManagedTransaction, ids: list[str]) -> tuple[Totals, list[str]]:
    """Delete these Documents with their Sections and Tasks; return what they contributed
    to the totals (its units: the candidates for `prune`) and the keys of the Regulations
    they cited (candidates too)."""
    gone = Totals.of(stored_assignments(tx, ids), stored_citations(tx, ids))
    regs = list(gone.regulations)
    tx.run("UNWIND $ids AS id MATCH (t:Task {document_id: id}) DETACH DELETE t", ids=ids).consume()
    tx.run("UNWIND $ids AS id MATCH (s:Section {document_id: id}) DETACH DELETE s", ids=ids).consume()
    tx.run("UNWIND $ids AS id MATCH (d:Document {id: id}) DETACH DELETE d", ids=ids).consume()
    remove_findings(tx, ids)
    return gone, regs


def prune(tx: neo4j.ManagedTransaction, units: list[str], regs: list[str]) -> None:
    """Delete those Units and Regulations that no longer have any edge."""
    tx.run("UNWIND $names AS name MATCH (u:Unit {name: name}) WHERE NOT EXISTS { (u)--() } DELETE u",
           names=units).consume()
    tx.run("UNWIND $keys AS key MATCH (g:Regulation {key: key}) WHERE NOT EXISTS { (g)--() } DELETE g",
           keys=regs).consume()


# Shared nodes: read what is there, combine with graph.records.merge_shared_props (exactly
# as the embedded store does; the documents of a batch that share one are combined the
# same way, in batch order), write the result back; all inside the write's transaction.
def write_shared(tx: neo4j.ManagedTransaction, label: str, nodes: list) -> None:
    prop = SHARED_KEY[label]  # fixed names from this module, never data
    merged: dict[str, dict[str, Any]] = {}
    for n in nodes:
        merged[n.key] = merge_shared_props(label, merged.get(n.key), n.props)
    keys = list(merged)
    old: dict[str, dict[str, Any]] = {}
    for i in range(0, len(keys), BATCH):
        for rec in tx.run(f"UNWIND $keys AS k MATCH (n:{label} {{{prop}: k}}) RETURN k, properties(n) AS p",
                          keys=keys[i:i + BATCH]):
            old[rec["k"]] = dict(rec["p"])
    rows = [{"key": k, "props": merge_shared_props(label, old.get(k), props)} for k, props in merged.items()]
    _unwind(tx, f"UNWIND $rows AS row MERGE (n:{label} {{{prop}: row.key}}) SET n = row.props", rows)


def write_tasks(tx: neo4j.ManagedTransaction, batch: list[DocumentRecords]) -> None:
    """Documents, Sections and Tasks with their CONTAINS edges (each node and its edge in
    one statement)."""
    _unwind(tx, f"UNWIND $rows AS row CREATE (d:Document) SET d = row.props, d.{SUMMARY_PROPERTY} = row.summary",
            [{"props": r.document.props, "summary": summary_value(r.document.props)} for r in batch])
    _unwind(tx, "UNWIND $rows AS row MATCH (d:Document {id: row.doc}) "
                "CREATE (d)-[:CONTAINS]->(s:Section) SET s = row.props",
            [{"doc": r.document_id, "props": s.props} for r in batch for s in r.sections])
    _unwind(tx, "UNWIND $rows AS row MATCH (s:Section {key: row.section}) "
                "CREATE (s)-[:CONTAINS]->(t:Task) SET t = row.props",
            [{"section": t.section_key, "props": t.props} for r in batch for t in r.tasks if t.section_key])
    _unwind(tx, "UNWIND $rows AS row MATCH (d:Document {id: row.doc}) "
                "CREATE (d)-[:CONTAINS]->(t:Task) SET t = row.props",
            [{"doc": r.document_id, "props": t.props} for r in batch for t in r.tasks if not t.section_key])


def write_assignments(tx: neo4j.ManagedTransaction, batch: list[DocumentRecords]) -> None:
    for role, rel_type in ROLE_TYPES.items():
        rows = [{"unit": a.unit, "task": a.task_key, "props": a.props}
                for r in batch for a in r.assignments if a.role == role]
        _unwind(tx, "UNWIND $rows AS row MATCH (u:Unit {name: row.unit}) MATCH (t:Task {key: row.task}) "
                    f"CREATE (u)-[e:{rel_type}]->(t) SET e = row.props", rows)


def write_citations(tx: neo4j.ManagedTransaction, batch: list[DocumentRecords]) -> None:
    _unwind(tx, "UNWIND $rows AS row MATCH (t:Task {key: row.src}) MATCH (g:Regulation {key: row.reg}) "
                "CREATE (t)-[e:CITES]->(g) SET e = row.props",
            [{"src": c.source_key, "reg": c.regulation, "props": c.props}
             for r in batch for c in r.citations if c.source_key])
    _unwind(tx, "UNWIND $rows AS row MATCH (d:Document {id: row.doc}) MATCH (g:Regulation {key: row.reg}) "
                "CREATE (d)-[e:CITES]->(g) SET e = row.props",
            [{"doc": r.document_id, "reg": c.regulation, "props": c.props}
             for r in batch for c in r.citations if not c.source_key])


def write_findings(tx: neo4j.ManagedTransaction, batch: list[DocumentRecords]) -> None:
    """What the extractor could not read: a Finding from the Task it lies in, else from its
    Document. A document whose findings are not known (records.findings None) writes none."""
    found = [(r, f) for r in batch for f in r.findings or []]
    _unwind(tx, "UNWIND $rows AS row MATCH (t:Task {key: row.task}) "
                "CREATE (t)-[:HAS_FINDING]->(f:Finding) SET f = row.props",
            [{"task": f.task_key, "props": f.props} for _r, f in found if f.task_key])
    _unwind(tx, "UNWIND $rows AS row MATCH (d:Document {id: row.doc}) "
                "CREATE (d)-[:HAS_FINDING]->(f:Finding) SET f = row.props",
            [{"doc": r.document_id, "props": f.props} for r, f in found if not f.task_key])


def remove_findings(tx: neo4j.ManagedTransaction, ids: list[str]) -> None:
    """Delete these documents' Findings."""
    tx.run("UNWIND $ids AS id MATCH (f:Finding {document_id: id}) DETACH DELETE f", ids=ids).consume()


# ------------------------------------------------------------------ links between plans

def linked_pairs(tx: neo4j.ManagedTransaction, ids: list[str]) -> dict[str, int]:
    """Per document id: how many linked pairs (COMPARED edges) it is in."""
    rows = tx.run("UNWIND $ids AS id MATCH (d:Document {id: id}) RETURN id, COUNT { (d)-[:COMPARED]-() } AS n",
                  ids=ids)
    return {r["id"]: r["n"] for r in rows}


def link_implements(tx: neo4j.ManagedTransaction, written: list[str]) -> None:
    """(Re)make the IMPLEMENTS edges of the documents just written and of those whose basis
    may name them (graph.implements: the rule both stores follow)."""
    from plangraph.graph.implements import NOTICE_END, implements_edges, may_name, plan_title_key
    keys = [k for k in tx.run("UNWIND $ids AS id MATCH (d:Document {id: id}) RETURN d.title_key AS k",
                              ids=written).value("k") if k]
    citing: list[str] = []
    if keys:
        regs = [k for k in tx.run("MATCH (g:Regulation) WHERE g.key IN $keys OR g.key ENDS WITH $end RETURN g.key AS k",
                                  keys=keys, end=NOTICE_END).value("k") if may_name(k, keys)]
        citing = tx.run("UNWIND $regs AS k MATCH (:Regulation {key: k})<-[c:CITES {relation: 'basis'}]-() "
                        "RETURN DISTINCT c.document_id AS d", regs=regs).value("d")
    affected = sorted(set(written) | set(citing))
    cites: dict[str, list[tuple[str, str | None, int | None, int]]] = {d: [] for d in affected}
    for rec in tx.run("""
            UNWIND $ids AS id MATCH (d:Document {id: id})-[c:CITES {relation: 'basis'}]->(:Regulation)
            RETURN id, c.title AS title, null AS task, null AS ordinal, c.start AS start
            UNION ALL
            UNWIND $ids AS id MATCH (t:Task {document_id: id})-[c:CITES {relation: 'basis'}]->(:Regulation)
            RETURN id, c.title AS title, t.id AS task, t.ordinal AS ordinal, c.start AS start""", ids=affected):
        cites[rec["id"]].append((rec["title"], rec["task"], rec["ordinal"], rec["start"]))
    named = sorted({plan_title_key(c[0]) for cs in cites.values() for c in cs} - {""})
    documents = [(r["id"], r["title"]) for r in tx.run(
        "UNWIND $ids AS id MATCH (d:Document {id: id}) RETURN d.id AS id, d.title AS title UNION "
        "UNWIND $named AS k MATCH (d:Document {title_key: k}) RETURN d.id AS id, d.title AS title",
        ids=affected, named=named)]
    tx.run("UNWIND $ids AS id MATCH (:Document {id: id})-[r:IMPLEMENTS]->() DELETE r", ids=affected).consume()
    _unwind(tx, "UNWIND $rows AS row MATCH (d:Document {id: row.doc}) MATCH (p:Document {id: row.impl}) "
                "CREATE (d)-[r:IMPLEMENTS]->(p) SET r = row.props",
            [{"doc": doc, "impl": impl, "props": {"title": title, "task_id": task, "via": via}}
             for doc, impl, title, task, via in implements_edges(documents, cites)])


def links_current(tx: neo4j.ManagedTransaction) -> bool:
    """Whether the Documents carry title_key and IMPLEMENTS edges (an empty store does)."""
    rec = tx.run("MATCH (s:PlanGraphState {id: $id}) RETURN s.links AS links", id=STATE_ID).single()
    if rec is not None and rec["links"] == LINKS_FORMAT:
        return True
    return tx.run("MATCH (d:Document) RETURN count(d) AS n").single()["n"] == 0


def upgrade_links(tx: neo4j.ManagedTransaction) -> None:
    """A store of an older PlanGraph: each Document's title_key, then every IMPLEMENTS edge."""
    from plangraph.graph.records import document_link_props
    bump_version(tx)  # marks the links current
    docs = [(r["id"], r["title"]) for r in tx.run("MATCH (d:Document) RETURN d.id AS id, d.title AS title")]
    _unwind(tx, "UNWIND $rows AS row MATCH (d:Document {id: row.id}) SET d.title_key = row.key",
            [{"id": doc, "key": document_link_props(title)["title_key"]} for doc, title in docs])
    link_implements(tx, [doc for doc, _ in docs])


def stored_pairs(tx: neo4j.ManagedTransaction, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Which of these (A, B) pairs, either way round, are linked (COMPARED B -> A), as stored."""
    rows = [{"a": x, "b": y} for a, b in pairs for x, y in ((a, b), (b, a))]
    return [(r["a"], r["b"]) for r in tx.run(
        "UNWIND $rows AS p MATCH (:Document {id: p.b})-[:COMPARED]->(:Document {id: p.a}) RETURN p.a AS a, p.b AS b",
        rows=rows)]


def unlink_some(tx: neo4j.ManagedTransaction, bases: list[str], limit: int = 1000) -> int:
    """Remove up to `limit` linked pairs whose basis is one of `bases`, with their MATCHES
    (in slices: a store-wide `link --all` has a million of them); how many pairs."""
    pairs = [(r["a"], r["b"]) for r in tx.run(
        "MATCH (b:Document)-[c:COMPARED]->(a:Document) WHERE c.basis IN $bases RETURN a.id AS a, b.id AS b LIMIT $limit",
        bases=bases, limit=limit)]
    if pairs:
        bump_version(tx)
        unlink(tx, pairs)
    return len(pairs)


def unlink(tx: neo4j.ManagedTransaction, pairs: list[tuple[str, str]]) -> None:
    """Remove the links of these stored pairs (A, B): the MATCHES from B's tasks to A's, and the COMPARED."""
    rows = [{"a": a, "b": b} for a, b in pairs]
    _unwind(tx, "UNWIND $rows AS p MATCH (:Task {document_id: p.b})-[m:MATCHES]->(t:Task) "
                "WHERE t.document_id = p.a DELETE m", rows)
    _unwind(tx, "UNWIND $rows AS p MATCH (:Document {id: p.b})-[c:COMPARED]->(:Document {id: p.a}) DELETE c", rows)


def write_link_batch(tx: neo4j.ManagedTransaction, pairs: list[LinkedPair]) -> int:
    """Replace the links of these pairs of documents (checked by the caller: their documents
    and tasks are stored; a pair or link that finds no node rolls the batch back)."""
    from plangraph.graph.errors import StoreError
    bump_version(tx)
    unlink(tx, stored_pairs(tx, [(p.a, p.b) for p in pairs]))
    rows = [{"a": task_key(m.a_document, m.a_task), "b": task_key(m.b_document, m.b_task), "props": match_props(p, m)}
            for p in pairs for m in p.links]
    made = 0
    for i in range(0, len(rows), BATCH * 10):
        made += tx.run("UNWIND $rows AS row MATCH (ta:Task {key: row.a}) MATCH (tb:Task {key: row.b}) "
                       "CREATE (tb)-[m:MATCHES]->(ta) SET m = row.props RETURN count(m) AS n",
                       rows=rows[i:i + BATCH * 10]).single()["n"]
    docs = tx.run("UNWIND $rows AS row MATCH (a:Document {id: row.a}) MATCH (b:Document {id: row.b}) "
                  "CREATE (b)-[c:COMPARED]->(a) SET c = row.props RETURN count(c) AS n",
                  rows=[{"a": p.a, "b": p.b, "props": compared_props(p)} for p in pairs]).single()["n"]
    if made != len(rows) or docs != len(pairs):
        raise StoreError("a document or task of the links is no longer in the store (removed meanwhile?); "
                         "nothing of this batch was written")
    return made


# ------------------------------------------------------------------ gap flags

def gap_flags_current(tx: neo4j.ManagedTransaction) -> bool:
    """Whether the Tasks carry the flags of today's static gap kinds (an empty store does)."""
    rec = tx.run("MATCH (s:PlanGraphState {id: $id}) RETURN s.gap_flags AS flags", id=STATE_ID).single()
    if rec is not None and rec["flags"] == _gap_flags():
        return True
    return tx.run("MATCH (t:Task) RETURN count(t) AS n").single()["n"] == 0


def rewrite_gap_flags(tx: neo4j.ManagedTransaction) -> None:
    """Decide every task's static gaps again from its stored edges and time limits (the
    store was written with other gap kinds), with the documents' counts, and mark them."""
    rec = tx.run("MATCH (s:PlanGraphState {id: $id}) RETURN s.gap_flags AS flags", id=STATE_ID).single()
    old = json.loads(rec["flags"]) if rec is not None and rec["flags"] else []
    bump_version(tx)  # marks today's kinds
    rows = tx.run(f"""
        MATCH (t:Task)
        OPTIONAL MATCH (:Unit)-[r:{ROLE_PATTERN}]->(t)
        WITH t, collect([type(r), r.collective]) AS units
        OPTIONAL MATCH (t)-[c:CITES]->(:Regulation)
        WITH t, units, collect(c.relation) AS relations
        RETURN collect([t.key, t.document_id, units, size(coalesce(t.deadline_texts, [])), relations])
               AS rows""").single()["rows"]
    flags = []
    counts = {doc: dict.fromkeys(gaps.STATIC_GAP_KINDS, 0)
              for doc in tx.run("MATCH (d:Document) RETURN d.id AS id").value("id")}
    for key, doc, units, deadlines, relations in rows:
        facts = task_facts([(TYPE_ROLES[t], bool(c)) for t, c in units if t is not None], deadlines, relations)
        found = static_gaps(facts)
        flags.append({"key": key, "flags": {gap_flag(k): v for k, v in found.items()}})
        for k, v in found.items():
            counts.setdefault(doc, dict.fromkeys(gaps.STATIC_GAP_KINDS, 0))[k] += v
    for kind in old:  # kinds no longer in graph.gaps: their flags go
        if kind not in gaps.STATIC_GAP_KINDS and kind.isidentifier():
            tx.run(f"MATCH (t:Task) REMOVE t.gap_{kind}").consume()
            tx.run(f"MATCH (d:Document) REMOVE d.n_gap_{kind}").consume()
    _unwind(tx, "UNWIND $rows AS row MATCH (t:Task {key: row.key}) SET t += row.flags", flags)
    _unwind(tx, "UNWIND $rows AS row MATCH (d:Document {id: row.id}) SET d += row.counts",
            [{"id": doc, "counts": {f"n_{gap_flag(k)}": n for k, n in c.items()}} for doc, c in counts.items()])
