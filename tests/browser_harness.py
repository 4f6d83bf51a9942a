"""Drive the real Streamlit server with Debian's headless chromium (no browser download).

Reusable outside the tests (benchmarks):

    from tests.browser_harness import streamlit_server, chromium, visit, PAGE_VISITS
    with streamlit_server(home) as base_url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        for p in PAGE_VISITS:
            seconds = visit(page, base_url, p.path, p.expect)

`visit` returns the seconds from navigation until the app's script run has finished and the
expected text is visible (on the Network page: until the graph layout has settled).
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from plangraph.app.page_registry import PAGES  # noqa: E402
from plangraph.cli_app import app_env, streamlit_command  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
VIEWPORT = {"width": 1440, "height": 1000}


@dataclass(frozen=True)
class PageVisit:
    name: str  # file name stem for screenshots and timings
    path: str  # url path ("" = Home)
    expect: str  # text a user must see once the page has rendered


# Home, then every page of the app's registry (app/page_registry.py), in its order.
PAGE_VISITS = [PageVisit("home", "", "从这里开始"), *(PageVisit(p.key, p.key, p.ready_text) for p in PAGES)]


# A plan whose task text (and headings) carry markup: it must show literally everywhere.
XSS_PLAN_TEXT = (
    "某市法治建设工作方案\n"
    "一、重点任务\n"
    "(一)制度建设\n"
    "1.完善执法制度<script>alert(1)</script>。依据《行政处罚法》,2023年底前完成。"
    "(牵头单位:市司法局;参加单位:市政府各部门)\n"
    "2.加强政府督查<img src=x onerror=alert(1)>。(责任单位:市政府办、市司法局)\n"
    "3.推进数字执法。2030年底前建成平台。(牵头单位:市发展改革委;参加单位:市司法局)\n"
)


# A plan `plangraph check` has two findings in, with markup around and inside them: an
# unread statement (主抓 is no role word the extractor knows) and a numbered-looking line.
REVIEW_PLAN_TEXT = (
    "某县河道治理工作方案\n"
    "一、重点任务\n"
    "（一）水环境治理\n"
    "1.开展河道清淤。2024年底前完成。（牵头单位：某县水务局；参加单位：某县财政局）\n"
    "2.整治入河排污口<script>alert(1)</script>。（某县水务局、某县环保局主抓）\n"
    "3.建设污水管网。2025年底前建成。（牵头单位：某县住建局）\n"
    "5.1亿元用于<img src=x onerror=alert(1)>河道治理。\n"
)
REVIEW_UNREAD = "（某县水务局、某县环保局主抓）"  # the unread statement, in task 1.1.2
REVIEW_NUMBER_LINE = "5.1亿元用于<img src=x onerror=alert(1)>河道治理。"  # in task 1.1.3


def ingest_plan_text(home: str | Path, text: str, name: str) -> str:
    """Write `text` as <name>.txt, extract it and ingest it into the embedded store in `home`;
    returns the document id."""
    from plangraph.graph.store import open_store
    from plangraph.ingest.batch import ingest_paths
    folder = Path(home) / "plans"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    with open_store("embedded", home) as store:
        [result] = ingest_paths(store, [str(path)], jobs=1)
    if result.status != "ok":
        raise RuntimeError(result.line())
    return result.document_id


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + "/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except OSError:
        return False


@contextlib.contextmanager
def streamlit_server(home: str | Path, port: int | None = None, env: dict[str, str] | None = None,
                     timeout: float = 120.0, log: Path | None = None, address: str = "127.0.0.1") -> Iterator[str]:
    """Start `streamlit run app/Home.py` headless on a free port with PLANGRAPH_HOME=home,
    serving on `address` (0.0.0.0: every network); yield its base URL (through 127.0.0.1);
    stop it (its own process group) afterwards."""
    port = port or free_port()
    cmd = streamlit_command(port, headless=True, address=address, extra=[
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false", "--global.developmentMode", "false",
        "--client.toolbarMode", "minimal"])
    full_env = app_env(str(home))
    full_env.update(env or {})
    log_path = log or Path(tempfile.mkstemp(prefix="streamlit-", suffix=".log")[1])
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    base_url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(cmd, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                cwd=str(ROOT), start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(base_url):
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited ({proc.returncode}); log:\n{Path(log_path).read_text()[-3000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit not healthy after {timeout}s; log:\n{Path(log_path).read_text()[-3000:]}")
                time.sleep(0.25)
            yield base_url
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def chromium(playwright=None) -> Iterator:
    """Debian's chromium, headless, via Playwright (executable_path: nothing is downloaded)."""
    from playwright.sync_api import sync_playwright
    with contextlib.ExitStack() as stack:
        pw = playwright or stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        stack.callback(browser.close)
        yield browser


def wait_for_app(page, timeout_ms: float = 90_000) -> None:
    """Until the current script run has finished (Streamlit marks it on the stApp element)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           state="attached", timeout=timeout_ms)


def network_frame(page):
    """The Frame holding the pyvis network (st.iframe)."""
    handle = page.wait_for_selector('iframe[title="PlanGraph 网络图"]', timeout=60_000)
    return handle.content_frame()


def wait_for_network(page, timeout_ms: float = 60_000):
    """Until the network's layout has settled (set by app/network.py's script); returns the frame."""
    frame = network_frame(page)
    frame.wait_for_function("window.pgStable === true", timeout=timeout_ms)
    return frame


def hover_node(page, frame, node_id: str, timeout_ms: float = 15_000) -> str:
    """Move the mouse onto one network node; returns the tooltip's text as the user sees it."""
    handle = page.wait_for_selector('iframe[title="PlanGraph 网络图"]')
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    corner = frame.evaluate("""() => { const r = document.getElementById('mynetwork').getBoundingClientRect();
                                        return {x: r.left + 3, y: r.top + 3}; }""")
    tip = frame.locator("div.vis-tooltip")
    page.mouse.move(box["x"] + corner["x"], box["y"] + corner["y"])  # an empty corner: a tooltip closes
    if tip.count():
        tip.wait_for(state="hidden", timeout=timeout_ms)
    frame.evaluate("id => network.focus(id, {scale: 1.2, animation: false})", node_id)
    frame.wait_for_timeout(200)
    point = frame.evaluate("""id => {
        const p = network.canvasToDOM(network.getPositions([id])[id]);
        const r = document.getElementById('mynetwork').getBoundingClientRect();
        return {x: r.left + p.x, y: r.top + p.y}; }""", node_id)
    x, y = box["x"] + point["x"], box["y"] + point["y"]
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y, steps=5)
    tip.wait_for(state="visible", timeout=timeout_ms)
    return tip.inner_text()


def visit(page, base_url: str, path: str, expect: str | None = None, timeout_ms: float = 90_000) -> float:
    """Open one app page by URL; seconds until it has rendered (see the module docstring)."""
    start = time.perf_counter()
    page.goto(f"{base_url}/{path}", wait_until="domcontentloaded", timeout=timeout_ms)
    wait_for_app(page, timeout_ms)
    if expect:
        page.get_by_text(expect).first.wait_for(state="visible", timeout=timeout_ms)
        wait_for_app(page, timeout_ms)
    if path.split("?")[0] == "network":
        wait_for_network(page, timeout_ms)
    return time.perf_counter() - start


def screenshot(page, name: str, folder: Path = SCREENSHOTS, max_height: int = 6000) -> Path:
    """The whole page: Streamlit scrolls inside its main section, so the viewport is grown to
    the content's height for the shot, then restored."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    size = page.viewport_size or VIEWPORT
    measure = """() => { const el = document.querySelector('[data-testid="stMainBlockContainer"]');
                         return el ? Math.ceil(el.getBoundingClientRect().height + 120) : 0; }"""
    height, deadline = -1, time.monotonic() + 5
    while time.monotonic() < deadline:  # charts and tables lay out after the script run ends
        page.wait_for_timeout(300)
        now = page.evaluate(measure)
        if now == height:
            break
        height = now
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": min(int(height), max_height)})
        page.wait_for_timeout(400)
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


def save_times(times: dict, path: Path = OUTPUT / "page_times.json") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(times, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


__all__ = ["PageVisit", "PAGE_VISITS", "XSS_PLAN_TEXT", "REVIEW_PLAN_TEXT", "REVIEW_UNREAD", "REVIEW_NUMBER_LINE",
           "ingest_plan_text", "CHROMIUM", "CHROMIUM_ARGS", "free_port", "streamlit_server", "chromium",
           "wait_for_app", "wait_for_network", "network_frame", "hover_node", "visit", "screenshot", "save_times",
           "OUTPUT", "SCREENSHOTS", "VIEWPORT"]
