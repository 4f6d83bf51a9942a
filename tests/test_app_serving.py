"""`plangraph app` as a service manager runs it: one process that a signal stops, port freed."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_harness import _healthy, free_port  # noqa: E402
from test_ingest_stops import alive, descendants  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_plangraph_app_stops_its_server(tmp_path, signum):
    port = free_port()
    env = {**os.environ, "PLANGRAPH_HOME": str(tmp_path / "home")}
    env.pop("PLANGRAPH_STORE", None)
    log = open(tmp_path / "app.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "plangraph", "app", "--headless", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not _healthy(f"http://127.0.0.1:{port}"):
            assert proc.poll() is None, (tmp_path / "app.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the explorer did not start"
            time.sleep(0.25)
        below = descendants(proc.pid)
        assert {server_environment(p).get("MALLOC_ARENA_MAX") for p in below | {proc.pid}} == {"2"}
        proc.send_signal(signum)  # as a service manager or Ctrl-C does, to the process it started
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while not port_free(port) or any(alive(p) for p in below):
            assert time.monotonic() < deadline, f"port {port} still taken or processes left after the signal"
            time.sleep(0.1)
        assert "serving on 127.0.0.1" in (tmp_path / "app.log").read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def server_environment(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().decode("utf-8", "replace")
    return dict(item.split("=", 1) for item in raw.split("\0") if "=" in item)


def test_the_server_keeps_a_malloc_arena_limit_the_user_set(monkeypatch):
    """Two glibc arenas by default (a threaded server keeps its memory near what it holds);
    the user's own MALLOC_ARENA_MAX wins."""
    from plangraph.cli_app import app_env
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert app_env()["MALLOC_ARENA_MAX"] == "2"
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    assert app_env()["MALLOC_ARENA_MAX"] == "8"


def test_the_server_skips_streamlits_repl_check(monkeypatch):
    """The first element a server process sends must not walk every loaded module to learn
    whether it runs in a REPL (0.2 s of the first visitor's page): the server is `streamlit
    run` itself. Fails when a Streamlit release checks some other way, so the fix goes stale
    loudly."""
    from streamlit import delta_generator, env_util

    from plangraph import app_server
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    walked = []
    monkeypatch.setattr(env_util, "is_repl", lambda: walked.append(1) or False)
    app_server._skip_repl_check()
    delta_generator._maybe_print_use_warning()
    assert walked == []
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    delta_generator._maybe_print_use_warning()  # what the flag stands in for: the walk
    assert walked == [1]


def test_the_server_starts_warm_with_its_long_lived_objects_frozen(monkeypatch):
    """plangraph.app_server's start: the warm-up, then Streamlit's REPL check marked done and
    every object made so far out of the cycle collector's walk, then Streamlit's server."""
    import gc

    from streamlit import delta_generator
    from streamlit.web import cli

    from plangraph import app_server
    steps = []
    monkeypatch.setattr(app_server, "warm_up", lambda: steps.append("warm_up") or True)
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    monkeypatch.setattr(cli, "main", lambda **kwargs: steps.append(
        ("streamlit", delta_generator._use_warning_has_been_displayed, gc.get_freeze_count())))
    try:
        app_server.main()
    finally:
        frozen = gc.get_freeze_count()
        gc.unfreeze()  # this test process goes on collecting as before
    assert steps[0] == "warm_up" and steps[1][:2] == ("streamlit", True)
    assert steps[1][2] == frozen > 10_000  # everything loaded by then
