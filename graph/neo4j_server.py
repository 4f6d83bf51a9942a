"""Run PlanGraph's own Neo4j 5.26 Community server, without Docker.

The server is the Maven module in `neo4j-server/` (embedded Neo4j with the Bolt
connector on 127.0.0.1, auth disabled). `start()` builds it when needed (the first
build downloads ~160 MB of jars into ~/.m2), launches java detached from this
process, and waits until Bolt answers. State lives in `state_dir()`:

  neo4j.pid    pid of the running server (plain number)
  server.json  its port, URI and data dir
  neo4j.log    java's stdout/stderr (Neo4j's own logs are in <data_dir>/logs/)
  build.log    output of the last `mvn package`
  data/        default data dir (the Neo4j home: data/ and logs/ inside)
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from plangraph.graph.neo4j_config import default_port, local_uri

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SERVER_DIR = PROJECT_ROOT / "neo4j-server"
MAIN_CLASS = "org.plangraph.neo4j.LocalNeo4j"
START_TIMEOUT = 180.0
STOP_TIMEOUT = 30.0
JVM_FLAGS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dfile.encoding=UTF-8",
    "-XX:+ExitOnOutOfMemoryError",
)

_children: dict[int, subprocess.Popen] = {}  # servers launched by this process (reaped here)


class Neo4jServerError(RuntimeError):
    """The local server could not be built, started or stopped.

    `summary` is one line; `log_tail` holds the last lines of the relevant log.
    """

    def __init__(self, summary: str, log_tail: str = "") -> None:
        self.summary = summary
        self.log_tail = log_tail
        super().__init__(summary + (f"\n--- log tail ---\n{log_tail}" if log_tail else ""))


@dataclass(frozen=True)
class ServerStatus:
    """What `status()` found. `running`: our java process is alive; `ready`: Bolt answers."""

    running: bool
    ready: bool
    pid: int | None
    port: int | None
    uri: str | None
    data_dir: Path | None
    log: Path


# ---------------------------------------------------------------- paths

def state_dir() -> Path:
    """`$PLANGRAPH_HOME/neo4j`, else `<project root>/.neo4j` (created on demand)."""
    home = os.environ.get("PLANGRAPH_HOME", "").strip()
    return Path(home).expanduser() / "neo4j" if home else PROJECT_ROOT / ".neo4j"


def _pid_file() -> Path:
    return state_dir() / "neo4j.pid"


def _info_file() -> Path:
    return state_dir() / "server.json"


def log_file() -> Path:
    """java's stdout/stderr of the server."""
    return state_dir() / "neo4j.log"


def build_log_file() -> Path:
    """Output of the last Maven build."""
    return state_dir() / "build.log"


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = _ANSI.sub("", path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _build_errors(path: Path, lines: int = 20) -> str:
    """The first [ERROR] lines of a Maven log (the cause; its last lines are boilerplate)."""
    text = _tail(path, 10_000)
    errors = [line for line in text.splitlines() if line.startswith("[ERROR]") and line.strip() != "[ERROR]"]
    return "\n".join(errors[:lines]) or _tail(path)


@contextmanager
def _locked() -> Iterator[None]:
    """Serialise start/stop between processes (e.g. two test runs at once)."""
    folder = state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------- build

def _find_java() -> str:
    java_home = os.environ.get("JAVA_HOME", "").strip()
    candidate = Path(java_home) / "bin" / "java" if java_home else None
    if candidate and candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which("java")
    if not found:
        raise Neo4jServerError("java not found: install a JDK 17 or 21 (Debian: apt-get install openjdk-17-jdk-headless)")
    return found


def _classpath() -> str:
    target = SERVER_DIR / "target"
    return f"{target / 'classes'}{os.pathsep}{target / 'lib' / '*'}"


def _build_stamp() -> Path:
    return SERVER_DIR / "target" / "plangraph-build.stamp"


def needs_build() -> bool:
    """True when target/ is missing or older than the pom or any source file."""
    stamp = _build_stamp()
    if not stamp.is_file() or not (SERVER_DIR / "target" / "lib").is_dir():
        return True
    inputs = [SERVER_DIR / "pom.xml", *(p for p in (SERVER_DIR / "src").rglob("*") if p.is_file())]
    newest = max(p.stat().st_mtime for p in inputs)
    return newest > stamp.stat().st_mtime


def build(force: bool = False) -> bool:
    """Run `mvn -q -B package` in neo4j-server/ if needed; return True if it ran."""
    if not (SERVER_DIR / "pom.xml").is_file():
        raise Neo4jServerError(f"the Neo4j launcher (neo4j-server/) is not here ({SERVER_DIR}): it comes with "
                               "PlanGraph's source checkout. Run `plangraph neo4j start` from a checkout, or point "
                               "NEO4J_URI at your own Neo4j server")
    if not force and not needs_build():
        return False
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jServerError("mvn not found: install Maven 3.8+ (Debian: apt-get install maven)")
    _find_java()
    log = build_log_file()
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as out:
        result = subprocess.run([mvn, "-q", "-B", "package"], cwd=SERVER_DIR, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False)
    if result.returncode != 0:
        raise Neo4jServerError(f"building neo4j-server failed (mvn exit {result.returncode}; log: {log})",
                               _build_errors(log))
    _build_stamp().touch()
    return True


# ---------------------------------------------------------------- processes

def _alive(pid: int) -> bool:
    """Whether `pid` is a live (not zombie) server process of ours."""
    child = _children.get(pid)
    if child is not None:  # launched by this process: poll() also reaps it
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (not Linux): trust kill(0)
    state = stat.rsplit(")", 1)[-1].split()[0] if ")" in stat else ""
    return MAIN_CLASS.encode() in cmdline and state != "Z"


def _read_state() -> tuple[int | None, dict]:
    try:
        pid = int(_pid_file().read_text().strip())
    except (OSError, ValueError):
        pid = None
    try:
        info = json.loads(_info_file().read_text())
    except (OSError, ValueError):
        info = {}
    return pid, info


def _clear_state() -> None:
    for path in (_pid_file(), _info_file()):
        path.unlink(missing_ok=True)


def answers(uri: str, timeout: float = 3.0) -> bool:
    """True when a Bolt server at `uri` accepts a connection (no auth sent)."""
    import neo4j
    import neo4j.exceptions
    try:
        with neo4j.GraphDatabase.driver(uri, auth=None, connection_timeout=timeout,
                                        max_connection_lifetime=60) as driver:
            driver.verify_connectivity()
        return True
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError):
        return False


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _server_tail(data_dir: Path | None) -> str:
    """This start's java output without stack frames, then Neo4j's last warnings and errors."""
    text = _tail(log_file(), 2_000)
    run = text[text.rfind("\n--- ") + 1:] if "\n--- " in text else text
    keep = [line for line in run.splitlines()
            if not re.match(r"\s+(at |\.\.\. \d+ more)", line) and not line.startswith("--- ")]
    parts = ["\n".join(keep[-15:])]
    if data_dir is not None:
        debug = data_dir / "logs" / "debug.log"
        problems = [line for line in _tail(debug, 400).splitlines() if " WARN " in line or " ERROR " in line]
        if problems:
            parts.append(f"--- {debug} (warnings/errors) ---\n" + "\n".join(problems[-8:]))
    return "\n".join(p for p in parts if p)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.2)
    return not _alive(pid)


# ---------------------------------------------------------------- public API

def start(port: int | None = None, data_dir: str | Path | None = None,
          timeout: float = START_TIMEOUT, heap: str | None = None) -> str:
    """Start the server (building it first if needed) and return its Bolt URI.

    Returns at once when a server started by us is already running and answering.
    `port` defaults to env PLANGRAPH_NEO4J_PORT or 7687; `data_dir` to `state_dir()/data`;
    `heap` (JVM -Xmx) to env PLANGRAPH_NEO4J_HEAP or 1g.
    """
    explicit_port = port is not None or bool(os.environ.get("PLANGRAPH_NEO4J_PORT", "").strip())
    port = port or default_port()
    data = Path(data_dir).expanduser().resolve() if data_dir else (state_dir() / "data").resolve()
    with _locked():
        pid, info = _read_state()
        if pid is not None and _alive(pid):
            running_uri = info.get("uri") or local_uri(port)
            if explicit_port and info.get("port") not in (None, port):
                raise Neo4jServerError(f"neo4j is already running at {running_uri} (pid {pid}); "
                                       "stop it first with `plangraph neo4j stop`")
            if data_dir and info.get("data_dir") not in (None, str(data)):
                raise Neo4jServerError(f"neo4j is already running with data dir {info.get('data_dir')} "
                                       f"(pid {pid}); stop it first with `plangraph neo4j stop`")
            _wait_ready(pid, running_uri, timeout, Path(info["data_dir"]) if info.get("data_dir") else None)
            return running_uri
        _clear_state()
        if _port_taken(port):
            raise Neo4jServerError(f"port {port} on 127.0.0.1 is already in use, but not by a server recorded "
                                   f"in {state_dir()}; stop that process or set PLANGRAPH_NEO4J_PORT")
        build()
        java = _find_java()
        try:
            data.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise Neo4jServerError(f"cannot create data dir {data}: {err.strerror or err}") from None
        heap = heap or os.environ.get("PLANGRAPH_NEO4J_HEAP", "").strip() or "1g"
        cmd = [java, f"-Xmx{heap}", "-Xms256m", *JVM_FLAGS, "-cp", _classpath(), MAIN_CLASS, str(port), str(data)]
        uri = local_uri(port)
        log = log_file()
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {uri}: {' '.join(cmd)}\n")
            out.flush()
            child = subprocess.Popen(cmd, cwd=state_dir(), stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        _children[child.pid] = child
        _pid_file().write_text(f"{child.pid}\n")
        _info_file().write_text(json.dumps({"pid": child.pid, "port": port, "uri": uri,
                                            "data_dir": str(data)}, indent=1) + "\n")
        try:
            _wait_ready(child.pid, uri, timeout, data)
        except Neo4jServerError:
            _terminate(child.pid)
            _clear_state()
            raise
        return uri


def _wait_ready(pid: int, uri: str, timeout: float, data_dir: Path | None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if not _alive(pid):
            child = _children.pop(pid, None)
            code = child.returncode if child is not None else "unknown"
            raise Neo4jServerError(f"neo4j exited during start-up (exit {code}; log: {log_file()})",
                                   _server_tail(data_dir))
        if answers(uri):
            return
        if time.monotonic() >= deadline:
            raise Neo4jServerError(f"neo4j did not answer at {uri} within {timeout:.0f} s (log: {log_file()})",
                                   _server_tail(data_dir))
        time.sleep(0.5)


def _terminate(pid: int, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM, wait up to `timeout`, then SIGKILL."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if _wait_gone(pid, timeout):
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    if not _wait_gone(pid, 10.0):
        raise Neo4jServerError(f"neo4j (pid {pid}) did not exit even after SIGKILL")


def stop(timeout: float = STOP_TIMEOUT) -> int | None:
    """Stop the server started by us; return its pid, or None if none was running."""
    with _locked():
        pid, _info = _read_state()
        if pid is None or not _alive(pid):
            _clear_state()
            return None
        _terminate(pid, timeout)
        _children.pop(pid, None)
        _clear_state()
        return pid


def status() -> ServerStatus:
    """Whether our server runs, its pid/port/URI, and whether Bolt answers."""
    pid, info = _read_state()
    running = pid is not None and _alive(pid)
    uri = info.get("uri") if running else None
    data = info.get("data_dir") if running else None
    return ServerStatus(
        running=running,
        ready=bool(running and uri and answers(uri)),
        pid=pid if running else None,
        port=info.get("port") if running else None,
        uri=uri,
        data_dir=Path(data) if data else None,
        log=log_file(),
    )
