"""An ingest that is stopped: by SIGKILL, SIGTERM or Ctrl-C, or by a Neo4j server that goes away.

Real processes: `python -m plangraph ingest` on a folder of small plans with two extraction
workers, signalled once it has reported some documents. Afterwards no process of that
ingest may be left, the next ingest must run to its end, and every document reported `ok`
must be in the store.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import connect_neo4j_store, make_tiny_extraction

ROOT = Path(__file__).resolve().parents[1]
WAIT = 120.0
PLANS = 80  # enough that the ingest is still running when the test signals it


def small_plans(folder: Path, n: int) -> list[Path]:
    """n small plans, each with its own text (identical texts would be "same as" each other)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"plan_{i:03d}.txt"
        p.write_text(f"某市第{i}号工作方案\n一、重点任务\n"
                     f"1.推进第{i}项工作。2023年底前完成。(牵头单位:市司法局;参加单位:市财政局)\n"
                     f"2.加强第{i}项督查。(责任单位:市政府办)\n", encoding="utf-8")
        paths.append(p)
    return paths


def plangraph(*args: str, home: Path, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PLANGRAPH_HOME": str(home)}
    env.pop("PLANGRAPH_STORE", None)
    return subprocess.Popen([sys.executable, "-m", "plangraph", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def descendants(pid: int) -> set[int]:
    """Every living process below `pid` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def read_lines_until(proc: subprocess.Popen, ok_lines: int, out: list[str]) -> None:
    """Collect stdout lines until `ok_lines` ok lines came (or the output ends)."""
    deadline = time.monotonic() + WAIT
    while sum(line.startswith("ok ") for line in out) < ok_lines:
        line = proc.stdout.readline()
        if not line:
            pytest.fail(f"ingest ended before {ok_lines} documents: {proc.stderr.read()[-2000:]}")
        out.append(line)
        assert time.monotonic() < deadline


def stored_ids(home: Path) -> set[str]:
    from plangraph.graph.store import open_store
    with open_store("embedded", home) as store:
        return {d.document_id for d in store.documents()}


def ingest_under_way(tmp_path: Path, ok_lines: int) -> tuple[subprocess.Popen, list[str], set[int], Path]:
    """An ingest of PLANS plans with two workers that has reported `ok_lines` documents: the
    process, its output so far, the processes below it, the store's home."""
    small_plans(tmp_path / "plans", PLANS)
    home = tmp_path / "home"
    proc = plangraph("ingest", "--jobs", "2", str(tmp_path / "plans"), home=home)
    out: list[str] = []
    read_lines_until(proc, ok_lines, out)
    return proc, out, descendants(proc.pid), home


@pytest.mark.slow
def test_after_sigkill_nothing_is_left_running_and_the_next_ingest_proceeds(tmp_path):
    proc, _out, below, home = ingest_under_way(tmp_path, 3)
    assert below, "the ingest runs extraction workers"
    proc.kill()
    proc.wait(timeout=WAIT)
    gone_by(below, 15)
    again = plangraph("ingest", "--jobs", "1", str(tmp_path / "plans"), home=home)  # no lock left behind
    try:
        stdout, stderr = again.communicate(timeout=WAIT)
    finally:
        if again.poll() is None:
            again.kill()
    assert again.returncode == 0, stderr[-2000:]
    assert len(stored_ids(home)) == PLANS


@pytest.mark.slow
@pytest.mark.parametrize("signum, code, word", [(signal.SIGTERM, 143, "stopped (SIGTERM)"),
                                               (signal.SIGINT, 130, "interrupted")])
def test_a_stopped_ingest_keeps_every_document_it_reported(tmp_path, signum, code, word):
    proc, out, below, home = ingest_under_way(tmp_path, 5)
    proc.send_signal(signum)
    proc.wait(timeout=WAIT)  # then read: communicate() would skip what readline() buffered
    out += proc.stdout.read().splitlines(keepends=True)
    stderr = proc.stderr.read()
    assert proc.returncode == code, stderr[-2000:]
    assert "Traceback" not in stderr
    reported = [m.group(1) for line in out if (m := re.match(r"ok\s+\S+: (\S+) \((?:new|replaced)\)", line))]
    assert len(reported) >= 5
    message = [line for line in stderr.splitlines() if line.startswith("plangraph ingest:")]
    assert len(message) == 1 and word in message[0], stderr[-2000:]
    saved = int(re.search(r"(\d+) documents saved", message[0]).group(1))
    late = re.search(r"not reported above: ([^;)]+)", message[0])  # committed as the signal came
    late_ids = late.group(1).split(", ") if late else []
    assert not set(late_ids) & set(reported)  # a document is either reported or named here
    assert saved == len(reported) + len(late_ids) and "was in progress" in message[0] and "plan_" in message[0]
    assert set(reported) | set(late_ids) <= stored_ids(home)
    gone_by(below, 15)


def gone_by(pids: set[int], seconds: float) -> None:
    """Every process in `pids` has ended within `seconds` (multiprocessing's resource tracker
    ends a moment after the ingest, when it sees its pipe close)."""
    deadline = time.monotonic() + seconds
    while any(alive(p) for p in pids):
        assert time.monotonic() < deadline, f"left running: {[p for p in pids if alive(p)]}"
        time.sleep(0.1)


# ---------------------------------------------------------------- Neo4j going away


class Proxy:
    """A TCP relay to the Neo4j server that the test can cut: the server "dies" for the
    ingest, without stopping the real server other tests use."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.open = True
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.open:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        """The server is gone: nothing is accepted or relayed any more."""
        self.open = False
        self.server.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


@pytest.mark.neo4j
def test_an_ingest_gives_up_soon_when_neo4j_goes_away(tmp_path, monkeypatch, capsys):
    """Each file not written gets its own failed line, at once; exit 1; no retry storm."""
    from plangraph.graph.neo4j_config import neo4j_settings
    from plangraph.ingest import batch
    from plangraph.cli import main
    connect_neo4j_store().clear_all_for_tests()
    settings = neo4j_settings()
    host, port = settings.uri.rsplit("//", 1)[1].rsplit(":", 1)
    proxy = Proxy((host, int(port)))
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{proxy.port}")
    monkeypatch.setattr(batch, "NEO4J_BATCH", 2)
    folder = tmp_path / "plans"
    folder.mkdir()
    names = [f"tiny_{i:02d}" for i in range(30)]
    for n in names:
        (folder / f"{n}.txt").write_text(f"{n}\n", encoding="utf-8")

    def extract(raw):
        if Path(raw.path).stem == "tiny_03":
            proxy.cut()  # the server dies after the first batch is written
        return make_tiny_extraction(Path(raw.path).stem)

    monkeypatch.setattr(batch, "extract", extract)
    started = time.monotonic()
    rc = main(["ingest", "--store", "neo4j", "--jobs", "1", str(folder)])
    took = time.monotonic() - started
    out, err = capsys.readouterr()
    failed = [line for line in err.splitlines() if line.startswith("failed ")]
    assert rc == 1 and "Traceback" not in err
    assert out.count("ok ") == 2 and len(failed) == 28, (out, err)
    assert all("not written" in line and "Neo4j" in line for line in failed)
    assert took < 40, f"{took:.0f} s"
    monkeypatch.undo()
    assert {d.document_id for d in connect_neo4j_store().documents()} == {"tiny_00", "tiny_01"}
