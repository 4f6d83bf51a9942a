"""Child process of tests/test_ingest_killed.py: ingest a plan, stop in the middle of the
write, announce it, and wait to be killed (SIGKILL: no cleanup code of ours runs).

usage: python ingest_child.py KIND HOME PLAN MARKER POINT TOKEN
  KIND    embedded | neo4j
  HOME    the embedded store's folder (ignored for neo4j)
  PLAN    the plan file to extract and ingest
  MARKER  written (atomically, JSON) once the write is under way; then we sleep
  POINT   where to stop:
            half_written_temp  embedded: half the gzip bytes are in the temp file (fsynced)
            before_replace     embedded: the temp file is complete, os.replace not yet done
            open_transaction   neo4j: old subgraph deleted and new nodes/edges written by the
                               UNWIND batches, inside the one uncommitted transaction
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


def stop_mid_temp_file(home: str, marker: str) -> None:
    """os.fdopen(temp fd, 'wb') returns a file whose write() puts half the bytes in, then stops."""
    real_fdopen = os.fdopen
    prefix = os.path.join(os.path.realpath(home), ".graph.")

    def fdopen(fd, mode="r", *args, **kwargs):
        fh = real_fdopen(fd, mode, *args, **kwargs)
        path = os.readlink(f"/proc/self/fd/{fd}")
        if mode != "wb" or not path.startswith(prefix):
            return fh

        class HalfWriter:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return fh.__exit__(*exc)

            def fileno(self):
                return fh.fileno()

            def flush(self):
                fh.flush()

            def write(self, data):
                half = len(data) // 2
                fh.write(data[:half])
                fh.flush()
                os.fsync(fh.fileno())
                announce(marker, point="half_written_temp", temp_file=path, written=half, total=len(data))

        return HalfWriter()

    os.fdopen = fdopen


def stop_before_replace(home: str, marker: str) -> None:
    real_replace = os.replace
    target = os.path.realpath(os.path.join(home, "graph.json.gz"))

    def replace(src, dst, *args, **kwargs):
        if os.path.realpath(dst) == target:
            announce(marker, point="before_replace", temp_file=os.fspath(src), size=os.path.getsize(src))
        return real_replace(src, dst, *args, **kwargs)

    os.replace = replace


def stop_in_transaction(marker: str, token: str) -> None:
    import neo4j

    from graph import neo4j_write

    real_tx = neo4j_write.write_documents
    real_assignments = neo4j_write.write_assignments

    ids: list[str] = []

    @neo4j.unit_of_work(metadata={"plangraph_kill_test": token})
    def write_tx(tx, batch):
        ids[:] = [r.document_id for r in batch]
        return real_tx(tx, batch)

    def write_assignments(tx, *args, **kwargs):
        real_assignments(tx, *args, **kwargs)
        seen = tx.run("MATCH (t:Task) WHERE t.document_id IN $ids RETURN count(t) AS n, collect(t.heading) AS headings",
                      ids=ids).single()
        announce(marker, point="open_transaction", tasks_in_tx=seen["n"], headings_in_tx=sorted(seen["headings"]))

    neo4j_write.write_documents = write_tx
    neo4j_write.write_assignments = write_assignments


def main(argv: list[str]) -> int:
    kind, home, plan, marker, point, token = argv
    from graph.store import open_store
    from ingest.pipeline import extract_file

    extraction = extract_file(plan)
    if point == "half_written_temp":
        stop_mid_temp_file(home, marker)
    elif point == "before_replace":
        stop_before_replace(home, marker)
    elif point == "open_transaction":
        stop_in_transaction(marker, token)
    else:
        raise SystemExit(f"unknown stop point {point!r}")
    with open_store(kind, home) as store:
        store.ingest(extraction)
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
