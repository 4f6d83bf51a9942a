"""`plangraph app`: run the Streamlit explorer (app/Home.py) on the embedded or Neo4j store.

The explorer is served on 127.0.0.1 unless asked otherwise (`--address`, or Streamlit's own
`--server.address` after `--`); served beyond this machine, it prints a warning, and the
app turns its write actions (import, remove) off unless PLANGRAPH_APP_PASSWORD is set.
The command becomes the server process (exec): a signal to it (SIGTERM from a service
manager, Ctrl-C) stops the server, and nothing is left holding the port.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

APP_ENTRY = Path(importlib.util.find_spec("plangraph.app").origin).parent / "Home.py"  # installed or checkout
LOCAL_ADDRESS = "127.0.0.1"
PASSWORD_ENV = "PLANGRAPH_APP_PASSWORD"


def is_local(address: str | None) -> bool:
    """Whether a Streamlit server.address serves this machine only ('' or None: every interface)."""
    a = (address or "").strip().lower()
    return a == "localhost" or a == "::1" or a.startswith("127.")


def _address_in(extra: list[str]) -> str | None:
    """The --server.address among Streamlit options, if given."""
    for i, arg in enumerate(extra):
        if arg == "--server.address" and i + 1 < len(extra):
            return extra[i + 1]
        if arg.startswith("--server.address="):
            return arg.split("=", 1)[1]
    return None


def streamlit_command(port: int | None = None, headless: bool = False, extra: list[str] | None = None,
                      address: str | None = None) -> list[str]:
    """The `streamlit run` command line for the explorer (with this Python), through
    plangraph.app_server, which also warms the store up as the server starts. It serves on
    `address`, else a --server.address in `extra`, else 127.0.0.1."""
    extra = list(extra or [])
    given = _address_in(extra)
    cmd = [sys.executable, "-m", "plangraph.app_server", "run", str(APP_ENTRY),
           "--browser.gatherUsageStats", "false",
           "--server.enableStaticServing", "true"]  # app/static: vis-network for the network page
    if given is None:
        cmd += ["--server.address", address or LOCAL_ADDRESS]
    if port is not None:
        cmd += ["--server.port", str(port)]
    if headless:
        cmd += ["--server.headless", "true"]
    return cmd + extra


# Streamlit runs each page visit in a thread of its own, and glibc's malloc gives threads
# arenas of their own that keep what they freed: two arenas keep the server's memory near what
# it holds (bench/README.md, "App server memory"). A value the user set is kept.
MALLOC_ARENAS = "2"


def app_env(home: str | None = None, store: str | None = None) -> dict[str, str]:
    """The environment for the server: PLANGRAPH_HOME / PLANGRAPH_STORE passed through, and
    glibc's MALLOC_ARENA_MAX unless set."""
    env = dict(os.environ)
    env.setdefault("MALLOC_ARENA_MAX", MALLOC_ARENAS)
    if home:
        env["PLANGRAPH_HOME"] = str(Path(home).expanduser().resolve())
    if store:
        env["PLANGRAPH_STORE"] = store
    return env


def run_app(args: argparse.Namespace) -> int:
    if not APP_ENTRY.exists():
        print(f"plangraph app: {APP_ENTRY} not found", file=sys.stderr)
        return 2
    extra = list(args.streamlit_args or [])
    if args.address and _address_in(extra) is not None:
        print("plangraph app: give --address or -- --server.address, not both", file=sys.stderr)
        return 2
    cmd = streamlit_command(args.port, args.headless, extra, args.address)
    env = app_env(args.home, args.store)
    address = _address_in(cmd)
    where = env.get("PLANGRAPH_HOME", "~/.local/share/plangraph")
    print(f"plangraph app: store {args.store or env.get('PLANGRAPH_STORE', 'embedded')}, home {where}, "
          f"serving on {address}", file=sys.stderr)
    if not is_local(address):
        writes = "on with the password in PLANGRAPH_APP_PASSWORD" if env.get(PASSWORD_ENV) else \
            f"off (set {PASSWORD_ENV} to allow them with a password)"
        print(f"plangraph app: warning: serving beyond this machine on {address}: anyone who can reach it can "
              f"read the plans; import and remove are {writes}", file=sys.stderr)
    sys.stderr.flush()
    try:
        os.execve(sys.executable, cmd, env)  # this process becomes the server
    except OSError as err:
        print(f"plangraph app: cannot start the server: {err.strerror or err}", file=sys.stderr)
        return 2
    return 0  # not reached


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("app", help="run the explorer in the browser (Streamlit)",
                       description="Run the PlanGraph explorer (streamlit run app/Home.py) on 127.0.0.1. On first "
                                   "start the embedded store gets the bundled Changde plan.")
    p.add_argument("--home", metavar="DIR", help="embedded store folder (env PLANGRAPH_HOME; "
                                                 "default ~/.local/share/plangraph)")
    p.add_argument("--port", type=int, metavar="N", help="port to serve on (Streamlit's default 8501)")
    p.add_argument("--address", metavar="ADDR",
                   help="address to serve on (default 127.0.0.1, this machine only; 0.0.0.0: every network, "
                        f"then import and remove need {PASSWORD_ENV})")
    p.add_argument("--store", choices=("embedded", "neo4j"),
                   help="store selected at start (Neo4j from the NEO4J_* variables); the sidebar can switch")
    p.add_argument("--headless", action="store_true", help="do not open a browser")
    p.add_argument("streamlit_args", nargs="*", metavar="-- STREAMLIT_OPTION",
                   help="further `streamlit run` options after --, e.g. -- --server.runOnSave true")
    p.set_defaults(func=run_app)
