"""Neo4j writes: plain functions that take a transaction and graph.model records.

graph.neo4j_store.Neo4jStore calls these inside one managed write transaction
(`session.execute_write`), so any error rolls the whole write back. Every value reaches
Cypher as a parameter (document text is data); the only strings composed into query text
are the fixed labels and relationship types of graph.model and this module.

A write (write_documents, delete_document) also increments the store's change counter,
`(:PlanGraphState {id: 'state'}).version`, in the same transaction (read_version).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import neo4j

from graph.model import ROLE_TYPES, DocumentRecords, merge_shared_props

BATCH = 1000  # rows per UNWIND statement
ROLE_PATTERN = "|".join(ROLE_TYPES.values())  # fixed names from graph.model, never data
SHARED_KEY = {"Unit": "name", "Regulation": "key"}  # shared labels -> key property (fixed names)
STATE_ID = "state"

# Constraints the write path needs besides the store's own (graph.neo4j_store.SCHEMA).
SCHEMA = [
    "CREATE CONSTRAINT plangraph_state_id IF NOT EXISTS FOR (n:PlanGraphState) REQUIRE n.id IS UNIQUE",
]


# ------------------------------------------------------------------ the change counter

def bump_version(tx: neo4j.ManagedTransaction) -> None:
    """Increment the store's change counter (inside the write's own transaction)."""
    tx.run("MERGE (s:PlanGraphState {id: $id}) SET s.version = coalesce(s.version, 0) + 1",
           id=STATE_ID).consume()


def read_version(tx: neo4j.ManagedTransaction) -> str:
    """The change counter as a string, "0" when nothing was ever written."""
    rec = tx.run("MATCH (s:PlanGraphState {id: $id}) RETURN s.version AS v", id=STATE_ID).single()
    return str(rec["v"]) if rec is not None and rec["v"] is not None else "0"


def clear_some(tx: neo4j.ManagedTransaction, limit: int = 5000) -> int:
    """Delete up to `limit` PlanGraph nodes, the change counter too (tests only); how many.
    In slices: one transaction for a 1,000-plan graph outgrows the server's memory pool."""
    return tx.run("MATCH (n) WHERE n:Document OR n:Section OR n:Task OR n:Unit OR n:Regulation OR n:PlanGraphState "
                  "WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS n", limit=limit).single()["n"]


# ------------------------------------------------------------------ writes

def _unwind(tx: neo4j.ManagedTransaction, query: str, rows: list[dict[str, Any]], **params: Any) -> None:
    """Run `query` (which UNWINDs $rows) over `rows`, BATCH rows per statement."""
    for i in range(0, len(rows), BATCH):
        tx.run(query, rows=rows[i:i + BATCH], **params).consume()


def write_documents(tx: neo4j.ManagedTransaction, batch: Sequence[DocumentRecords]) -> list[bool]:
    """Write every document of `batch`, replacing earlier versions, and bump the change
    counter; per document: it was in the store before. Each statement UNWINDs the rows of
    all the documents; the caller's transaction makes it all or nothing. A document id
    given twice is written twice, in order (the later version wins)."""
    replaced: list[bool] = []
    for part in _distinct_runs(batch):
        replaced += _write_batch(tx, part)
    bump_version(tx)
    return replaced


def delete_document(tx: neo4j.ManagedTransaction, document_id: str) -> bool:
    """Remove a document's subgraph and the Units/Regulations left without edges."""
    found = bool(existing_documents(tx, [document_id]))
    if found:
        units, regs = remove_documents(tx, [document_id])
        prune(tx, units, regs)
    bump_version(tx)
    return found


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


def _write_batch(tx: neo4j.ManagedTransaction, batch: list[DocumentRecords]) -> list[bool]:
    """Documents with distinct ids: remove the old versions of those already stored, write
    all of them, then drop the Units/Regulations only the old versions used."""
    ids = [r.document_id for r in batch]
    old = existing_documents(tx, ids)
    units, regs = remove_documents(tx, [i for i in ids if i in old]) if old else ([], [])
    write_shared(tx, "Unit", [n for r in batch for n in r.units])
    write_shared(tx, "Regulation", [n for r in batch for n in r.regulations])
    write_tasks(tx, batch)
    write_assignments(tx, batch)
    write_citations(tx, batch)
    if old:
        prune(tx, units, regs)
    return [i in old for i in ids]


def existing_documents(tx: neo4j.ManagedTransaction, ids: list[str]) -> set[str]:
    """Which of these document ids are in the store (one query)."""
    return set(tx.run("UNWIND $ids AS id MATCH (d:Document {id: id}) RETURN d.id AS id", ids=ids).value("id"))


def remove_documents(tx: neo4j.ManagedTransaction, ids: list[str]) -> tuple[list[str], list[str]]:
    """Delete these Documents with their Sections and Tasks; return the names of the Units
    and the keys of the Regulations they used (candidates for `prune`)."""
    units = tx.run(f"UNWIND $ids AS id MATCH (u:Unit)-[:{ROLE_PATTERN}]->(:Task {{document_id: id}}) "
                   "RETURN collect(DISTINCT u.name) AS names", ids=ids).single()["names"]
    regs = tx.run("UNWIND $ids AS id MATCH (:Task {document_id: id})-[:CITES]->(g:Regulation) RETURN g.key AS key "
                  "UNION UNWIND $ids AS id MATCH (:Document {id: id})-[:CITES]->(g:Regulation) RETURN g.key AS key",
                  ids=ids).value("key")
    tx.run("UNWIND $ids AS id MATCH (t:Task {document_id: id}) DETACH DELETE t", ids=ids).consume()
    tx.run("UNWIND $ids AS id MATCH (s:Section {document_id: id}) DETACH DELETE s", ids=ids).consume()
    tx.run("UNWIND $ids AS id MATCH (d:Document {id: id}) DETACH DELETE d", ids=ids).consume()
    return units, regs


def prune(tx: neo4j.ManagedTransaction, units: list[str], regs: list[str]) -> None:
    """Delete those Units and Regulations that no longer have any edge."""
    tx.run("UNWIND $names AS name MATCH (u:Unit {name: name}) WHERE NOT EXISTS { (u)--() } DELETE u",
           names=units).consume()
    tx.run("UNWIND $keys AS key MATCH (g:Regulation {key: key}) WHERE NOT EXISTS { (g)--() } DELETE g",
           keys=regs).consume()


# Shared nodes: read what is there, combine with graph.model.merge_shared_props (exactly
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
    _unwind(tx, "UNWIND $rows AS row CREATE (d:Document) SET d = row", [r.document.props for r in batch])
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
