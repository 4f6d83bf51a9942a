"""`plangraph app`: run the Streamlit explorer (app/Home.py) on the embedded or Neo4j store."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

APP_ENTRY = Path(__file__).resolve().parents[1] / "app" / "Home.py"


def streamlit_command(port: int | None = None, headless: bool = False, extra: list[str] | None = None) -> list[str]:
    """The `streamlit run` command line for the explorer (with this Python), through
    plangraph.app_server, which also warms the store up as the server starts."""
    cmd = [sys.executable, "-m", "plangraph.app_server", "run", str(APP_ENTRY),
           "--browser.gatherUsageStats", "false"]
    if port is not None:
        cmd += ["--server.port", str(port)]
    if headless:
        cmd += ["--server.headless", "true"]
    return cmd + list(extra or [])


def app_env(home: str | None = None, store: str | None = None) -> dict[str, str]:
    """The environment for the server: PLANGRAPH_HOME / PLANGRAPH_STORE passed through."""
    env = dict(os.environ)
    if home:
        env["PLANGRAPH_HOME"] = str(Path(home).expanduser().resolve())
    if store:
        env["PLANGRAPH_STORE"] = store
    return env


def run_app(args: argparse.Namespace) -> int:
    if not APP_ENTRY.exists():
        print(f"plangraph app: {APP_ENTRY} not found", file=sys.stderr)
        return 2
    cmd = streamlit_command(args.port, args.headless, args.streamlit_args)
    env = app_env(args.home, args.store)
    where = env.get("PLANGRAPH_HOME", "~/.local/share/plangraph")
    print(f"plangraph app: store {args.store or env.get('PLANGRAPH_STORE', 'embedded')}, home {where}",
          file=sys.stderr)
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 130


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("app", help="run the explorer in the browser (Streamlit)",
                       description="Run the PlanGraph explorer (streamlit run app/Home.py). On first start "
                                   "the embedded store gets the bundled Changde plan.")
    p.add_argument("--home", metavar="DIR", help="embedded store folder (env PLANGRAPH_HOME; "
                                                 "default ~/.local/share/plangraph)")
    p.add_argument("--port", type=int, metavar="N", help="port to serve on (Streamlit's default 8501)")
    p.add_argument("--store", choices=("embedded", "neo4j"),
                   help="store selected at start (Neo4j from the NEO4J_* variables); the sidebar can switch")
    p.add_argument("--headless", action="store_true", help="do not open a browser")
    p.add_argument("streamlit_args", nargs="*", metavar="-- STREAMLIT_OPTION",
                   help="further `streamlit run` options after --, e.g. -- --server.address 0.0.0.0")
    p.set_defaults(func=run_app)
