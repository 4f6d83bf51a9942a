"""Child process of tests/test_ingest_killed.py: ingest a plan, stop in the middle of the
write, announce it, and wait to be killed (SIGKILL: no cleanup code of ours runs).

usage: python ingest_child.py KIND HOME PLAN MARKER POINT TOKEN
  KIND    embedded | neo4j
  HOME    the embedded store's folder (ignored for neo4j)
  PLAN    the plan file to extract and ingest
  MARKER  written (atomically, JSON) once the write is under way; then we sleep
  POINT   where to stop:
            open_transaction   inside the store's one write transaction, after the old
                               version was deleted and the new rows written (embedded:
                               SQLite; neo4j: the UNWIND batches), uncommitted
  TOKEN   neo4j: transaction metadata {"plangraph_kill_test": TOKEN}, so the parent can see
          the transaction in SHOW TRANSACTIONS and wait for the server to roll it back
Exit codes: 3 the ingest finished (the stop point was never reached); 4 nobody killed us.
"""
from __future__ import annotations

import json
import os
import sys
import time

SLEEP = 300  # the parent kills us within seconds; bounded so an orphan does not linger


def announce(marker: str, **info: object) -> None:
    """Write the marker atomically (the parent may kill us the moment it appears), then wait."""
    part = marker + ".part"
    with open(part, "w", encoding="utf-8") as fh:
        json.dump(info, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.rename(part, marker)
    time.sleep(SLEEP)
    sys.exit(4)


def stop_in_sqlite_transaction(marker: str) -> None:
    from plangraph.graph.embedded import EmbeddedStore

    real = EmbeddedStore._write_citations

    def write_citations(self, con, records):
        real(self, con, records)
        n, headings = con.execute("SELECT count(*), json_group_array(heading) FROM tasks WHERE document_id = ?",
                                  (records.document_id,)).fetchone()
        announce(marker, point="open_transaction", tasks_in_tx=n, headings_in_tx=sorted(json.loads(headings)),
                 in_transaction=con.in_transaction)

    EmbeddedStore._write_citations = write_citations


def stop_in_transaction(marker: str, token: str) -> None:
    import neo4j

    from plangraph.graph import neo4j_write

    real_tx = neo4j_write.write_documents
    real_assignments = neo4j_write.write_assignments

    ids: list[str] = []

    @neo4j.unit_of_work(metadata={"plangraph_kill_test": token})
    def write_tx(tx, batch, *args):
        ids[:] = [r.document_id for r in batch]
        return real_tx(tx, batch, *args)

    def write_assignments(tx, *args, **kwargs):
        real_assignments(tx, *args, **kwargs)
        seen = tx.run("MATCH (t:Task) WHERE t.document_id IN $ids RETURN count(t) AS n, collect(t.heading) AS headings",
                      ids=ids).single()
        announce(marker, point="open_transaction", tasks_in_tx=seen["n"], headings_in_tx=sorted(seen["headings"]))

    neo4j_write.write_documents = write_tx
    neo4j_write.write_assignments = write_assignments


def main(argv: list[str]) -> int:
    kind, home, plan, marker, point, token = argv
    from plangraph.graph.store import open_store
    from plangraph.ingest.pipeline import extract_file

    extraction = extract_file(plan)
    if point == "open_transaction" and kind == "embedded":
        stop_in_sqlite_transaction(marker)
    elif point == "open_transaction":
        stop_in_transaction(marker, token)
    else:
        raise SystemExit(f"unknown stop point {point!r}")
    with open_store(kind, home) as store:
        store.ingest(extraction)
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
