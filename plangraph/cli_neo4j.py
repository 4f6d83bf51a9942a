"""`plangraph neo4j {start,stop,status}`: the project's own local Neo4j server."""
from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("neo4j", help="start, stop or check the local Neo4j 5.26 server (no Docker)",
                       description="A local Neo4j Community server on 127.0.0.1 (auth disabled), built with "
                                   "Maven from neo4j-server/. State and logs: $PLANGRAPH_HOME/neo4j or .neo4j/.")
    actions = p.add_subparsers(dest="neo4j_command", required=True)

    start = actions.add_parser("start", help="build if needed, start, wait until Bolt answers")
    start.add_argument("--port", type=int, default=None,
                       help="Bolt port (default: env PLANGRAPH_NEO4J_PORT or 7687)")
    start.add_argument("--data-dir", default=None, help="data dir (default: <state dir>/data)")
    start.add_argument("--timeout", type=float, default=None,
                       help="seconds to wait for Bolt (default: graph.neo4j_server.START_TIMEOUT)")
    start.set_defaults(func=run_start)

    stop = actions.add_parser("stop", help="stop the server (SIGTERM, then SIGKILL)")
    stop.set_defaults(func=run_stop)

    status = actions.add_parser("status", help="say whether the server runs (exit 0 running, 3 not running)")
    status.set_defaults(func=run_status)


def _fail(action: str, err) -> int:
    print(f"plangraph neo4j {action}: {err.summary}", file=sys.stderr)
    for line in err.log_tail.splitlines():
        print(f"  | {line}", file=sys.stderr)
    return 1


def run_start(args: argparse.Namespace) -> int:
    from plangraph.graph import neo4j_server
    from plangraph.graph.neo4j_server import Neo4jServerError
    try:
        uri = neo4j_server.start(port=args.port, data_dir=args.data_dir,
                                 timeout=neo4j_server.START_TIMEOUT if args.timeout is None else args.timeout)
    except (Neo4jServerError, ValueError) as err:
        return _fail("start", err if isinstance(err, Neo4jServerError) else Neo4jServerError(str(err)))
    state = neo4j_server.status()
    print(f"neo4j: running at {uri} (pid {state.pid})")
    return 0


def run_stop(args: argparse.Namespace) -> int:
    from plangraph.graph import neo4j_server
    from plangraph.graph.neo4j_server import Neo4jServerError
    try:
        pid = neo4j_server.stop()
    except Neo4jServerError as err:
        return _fail("stop", err)
    print(f"neo4j: stopped (pid {pid})" if pid else "neo4j: not running")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from plangraph.graph import neo4j_server
    state = neo4j_server.status()
    if not state.running:
        print("neo4j: not running")
        return 3
    if not state.ready:
        print(f"neo4j: process up (pid {state.pid}) but Bolt not answering at {state.uri} (log: {state.log})")
        return 1
    print(f"neo4j: running at {state.uri} (pid {state.pid})")
    return 0
