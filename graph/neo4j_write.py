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


def clear_all(tx: neo4j.ManagedTransaction) -> None:
    """Delete every PlanGraph node, the change counter too (tests only)."""
    tx.run("MATCH (n) WHERE n:Document OR n:Section OR n:Task OR n:Unit OR n:Regulation OR n:PlanGraphState "
           "DETACH DELETE n").consume()


# ------------------------------------------------------------------ writes

def _unwind(tx: neo4j.ManagedTransaction, query: str, rows: list[dict[str, Any]], **params: Any) -> None:
    for i in range(0, len(rows), BATCH):
        tx.run(query, rows=rows[i:i + BATCH], **params).consume()


def write_documents(tx: neo4j.ManagedTransaction, batch: Sequence[DocumentRecords]) -> list[bool]:
    """Write every document of `batch` (replacing earlier versions); per document: it was
    in the store before."""
    replaced = [_write_one(tx, r) for r in batch]
    bump_version(tx)
    return replaced


def delete_document(tx: neo4j.ManagedTransaction, document_id: str) -> bool:
    """Remove a document's subgraph and the Units/Regulations left without edges."""
    found, units, regs = remove_document(tx, document_id)
    prune(tx, units, regs)
    bump_version(tx)
    return found


def _write_one(tx: neo4j.ManagedTransaction, r: DocumentRecords) -> bool:
    found, units, regs = remove_document(tx, r.document_id)
    write_document_node(tx, r)
    write_sections(tx, r)
    write_tasks(tx, r)
    write_shared(tx, "Unit", r.units)
    write_shared(tx, "Regulation", r.regulations)
    write_assignments(tx, r)
    write_citations(tx, r)
    prune(tx, units, regs)
    return found


def remove_document(tx: neo4j.ManagedTransaction, doc_id: str) -> tuple[bool, list[str], list[str]]:
    """Delete Document, Sections, Tasks; return it existed and the shared neighbours."""
    found = tx.run("MATCH (d:Document {id: $id}) RETURN count(d) AS n", id=doc_id).single()["n"] > 0
    units = tx.run(f"MATCH (u:Unit)-[:{ROLE_PATTERN}]->(t:Task {{document_id: $id}}) "
                   "RETURN collect(DISTINCT u.name) AS names", id=doc_id).single()["names"]
    regs = tx.run("MATCH (t:Task {document_id: $id})-[:CITES]->(g:Regulation) RETURN g.key AS key "
                  "UNION MATCH (:Document {id: $id})-[:CITES]->(g:Regulation) RETURN g.key AS key",
                  id=doc_id).value("key")
    tx.run("MATCH (t:Task {document_id: $id}) DETACH DELETE t", id=doc_id).consume()
    tx.run("MATCH (s:Section {document_id: $id}) DETACH DELETE s", id=doc_id).consume()
    tx.run("MATCH (d:Document {id: $id}) DETACH DELETE d", id=doc_id).consume()
    return found, units, regs


def prune(tx: neo4j.ManagedTransaction, units: list[str], regs: list[str]) -> None:
    tx.run("UNWIND $names AS name MATCH (u:Unit {name: name}) WHERE NOT EXISTS { (u)--() } DELETE u",
           names=units).consume()
    tx.run("UNWIND $keys AS key MATCH (g:Regulation {key: key}) WHERE NOT EXISTS { (g)--() } DELETE g",
           keys=regs).consume()


def write_document_node(tx: neo4j.ManagedTransaction, r: DocumentRecords) -> None:
    tx.run("CREATE (d:Document) SET d = $props", props=r.document.props).consume()


def write_sections(tx: neo4j.ManagedTransaction, r: DocumentRecords) -> None:
    _unwind(tx, "MATCH (d:Document {id: $id}) UNWIND $rows AS row "
                "CREATE (d)-[:CONTAINS]->(s:Section) SET s = row",
            [s.props for s in r.sections], id=r.document_id)


def write_tasks(tx: neo4j.ManagedTransaction, r: DocumentRecords) -> None:
    in_sections = [{"section": t.section_key, "props": t.props} for t in r.tasks if t.section_key]
    direct = [t.props for t in r.tasks if not t.section_key]
    _unwind(tx, "UNWIND $rows AS row MATCH (s:Section {key: row.section}) "
                "CREATE (s)-[:CONTAINS]->(t:Task) SET t = row.props", in_sections)
    _unwind(tx, "MATCH (d:Document {id: $id}) UNWIND $rows AS row "
                "CREATE (d)-[:CONTAINS]->(t:Task) SET t = row", direct, id=r.document_id)


# Shared nodes: read what is there, combine with graph.model.merge_shared_props (exactly
# as the embedded store does), write the result back; all inside the write's transaction.
def write_shared(tx: neo4j.ManagedTransaction, label: str, nodes: list) -> None:
    prop = SHARED_KEY[label]  # fixed names from this module, never data
    keys = [n.key for n in nodes]
    old: dict[str, dict[str, Any]] = {}
    for i in range(0, len(keys), BATCH):
        for rec in tx.run(f"UNWIND $keys AS k MATCH (n:{label} {{{prop}: k}}) RETURN k, properties(n) AS p",
                          keys=keys[i:i + BATCH]):
            old[rec["k"]] = dict(rec["p"])
    rows = [{"key": n.key, "props": merge_shared_props(label, old.get(n.key), n.props)} for n in nodes]
    _unwind(tx, f"UNWIND $rows AS row MERGE (n:{label} {{{prop}: row.key}}) SET n = row.props", rows)


def write_assignments(tx: neo4j.ManagedTransaction, r: DocumentRecords) -> None:
    for role, rel_type in ROLE_TYPES.items():
        rows = [{"unit": a.unit, "task": a.task_key, "props": a.props} for a in r.assignments if a.role == role]
        _unwind(tx, "UNWIND $rows AS row MATCH (u:Unit {name: row.unit}) MATCH (t:Task {key: row.task}) "
                    f"CREATE (u)-[e:{rel_type}]->(t) SET e = row.props", rows)


def write_citations(tx: neo4j.ManagedTransaction, r: DocumentRecords) -> None:
    in_tasks = [{"src": c.source_key, "reg": c.regulation, "props": c.props} for c in r.citations if c.source_key]
    outside = [{"reg": c.regulation, "props": c.props} for c in r.citations if not c.source_key]
    _unwind(tx, "UNWIND $rows AS row MATCH (t:Task {key: row.src}) MATCH (g:Regulation {key: row.reg}) "
                "CREATE (t)-[e:CITES]->(g) SET e = row.props", in_tasks)
    _unwind(tx, "MATCH (d:Document {id: $id}) UNWIND $rows AS row MATCH (g:Regulation {key: row.reg}) "
                "CREATE (d)-[e:CITES]->(g) SET e = row.props", outside, id=r.document_id)
