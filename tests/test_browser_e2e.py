"""End to end: the real Streamlit server (subprocess, free port, headless, temp PLANGRAPH_HOME)
driven by Debian's headless chromium through Playwright.

Opens every page, checks what a user must see, downloads the CSV export, screenshots each
page to test-output/screenshots/ and writes each page's render time to
test-output/page_times.json (printed; no timing assertions: the machine is shared).
A second server holds a plan whose task text carries <script> and <img onerror>: no dialog may
fire and the text must show literally.
"""
from __future__ import annotations

import csv
import io
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_harness import (  # noqa: E402
    CHROMIUM, OUTPUT, PAGE_VISITS, REVIEW_NUMBER_LINE, REVIEW_PLAN_TEXT, REVIEW_UNREAD, VIEWPORT, XSS_PLAN_TEXT,
    chromium, hover_node, ingest_plan_text, save_times, screenshot, streamlit_server, visit, wait_for_app,
    wait_for_network)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing: run `make browser`")]

DOC = "changde_fazhi_2021-2025"
NO_LEAD = [19, 20, 24, 25, 26, 29, 30, 47, 64, 66, 67, 68, 69, 70]
TASK_19 = f"task?doc={DOC}&task=2.5.19"


def is_unit(name: str, written: str) -> bool:
    """The graph's canonical name for what the plan writes as `written` (aliases folded, the
    document's region written in: 市政府办 → 常德市政府办公室)."""
    from plangraph.ingest.units import canonical_unit
    return name in {written, canonical_unit(written), canonical_unit(written, "常德市")}


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


class Watch:
    """A page that records dialogs (dismissing them) and page errors."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="zh-CN")
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def close(self) -> None:
        self.context.close()


def text_after(page, prefix: str) -> str:
    """The rest of the first paragraph starting with `prefix`."""
    el = page.locator('[data-testid="stMarkdownContainer"] p', has_text=prefix).first
    el.wait_for(state="visible")
    return el.inner_text().split(prefix, 1)[1]


def test_every_page_renders_what_a_user_needs(browser, tmp_path_factory):
    home = tmp_path_factory.mktemp("e2e_home")  # empty: the first visit ingests the bundled plan
    started = time.perf_counter()
    times: dict[str, dict[str, float]] = {"first_visit": {}, "second_visit": {}}
    with streamlit_server(home, log=OUTPUT / "streamlit-e2e.log") as base:
        server_start = time.perf_counter() - started
        w = Watch(browser)
        page = w.page
        for pass_name in ("first_visit", "second_visit"):
            for p in PAGE_VISITS:
                path = TASK_19 if p.name == "task" else p.path
                times[pass_name][p.name] = round(visit(page, base, path, p.expect), 3)
                if pass_name == "first_visit":
                    screenshot(page, p.name)  # before check_page: it hovers and zooms the network
                    check_page(page, p.name)
        csv_rows = download_csv(page, base)
        network_file = download_network(page, base)
        w.close()
    offline = check_network_offline(browser, network_file)
    times["server_start"] = round(server_start, 3)
    save_times(times)
    print("\npage render times (s): first visit (home includes the first-start ingest) / second visit")
    for name in times["first_visit"]:
        print(f"  {name:12s} {times['first_visit'][name]:6.2f} {times['second_visit'][name]:6.2f}")
    print(f"  server start {server_start:.2f}")
    assert not w.dialogs and not w.errors, (w.dialogs, w.errors)
    assert_quiet_log(OUTPUT / "streamlit-e2e.log")

    assert offline["nodes"] > 50 and offline["library"], offline
    assert offline["asked"] == [], offline  # the file asked for nothing beyond itself

    assert len(csv_rows) >= 100
    header = csv_rows[0]
    task1 = next(r for r in csv_rows[1:] if r[header.index("任务编号")] == "2.1.1")
    assert task1[header.index("序号")] == "1"
    leads = task1[header.index("牵头单位")].split("、")
    assert len(leads) == 2 and is_unit(leads[0], "市委编办") and is_unit(leads[1], "市政府办"), leads


def check_page(page, name: str) -> None:
    """What a user must see on each page of the Changde plan."""
    if name == "home":
        assert page.get_by_text("102 项任务").first.is_visible()
    elif name == "overview":
        top = text_after(page, "牵头任务最多:").split("(")[0]
        assert is_unit(top, "市司法局"), top
        assert page.get_by_text("无牵头单位").first.is_visible()
    elif name == "network":
        frame = wait_for_network(page)
        # vis-network came from the app's static files (cached by the browser), not the page
        assert frame.evaluate("[...document.scripts].some(s => s.src.endsWith('/app/static/vis-network.min.js'))")
        assert "单位类型" in frame.locator("#pg-legend").inner_text()
        assert frame.evaluate("nodes.length") > 50
        unit = frame.evaluate("nodes.getIds().find(id => id.startsWith('u:') && id.endsWith('司法局'))")
        tip = hover_node(page, frame, unit)
        assert "牵头" in tip and "项" in tip, tip
    elif name == "units":
        top = text_after(page, "牵头任务最多的单位:").split("(")[0]
        assert is_unit(top, "市司法局"), top
    elif name == "regulations":
        assert page.get_by_text("Tasks that will produce it").first.is_visible()
    elif name == "gaps":
        assert page.get_by_text(f"无牵头单位 ({len(NO_LEAD)})").first.is_visible()
        assert text_after(page, "任务号:") == "、".join(map(str, NO_LEAD))
    elif name == "task":
        assert page.get_by_text("19. 加大政府规章备案审查力度").first.is_visible()
        assert page.locator(".pg-source mark").count() >= 3  # units, citations highlighted
    elif name == "compare":  # one plan in this store
        assert page.get_by_text("对比需要两份文件").first.is_visible()
    elif name == "review":  # the extractor read every statement of this plan
        assert page.get_by_text("没有提取时未能读出的地方").first.is_visible()


def download_csv(page, base: str) -> list[list[str]]:
    visit(page, base, "export", "任务分工表 Task division table")
    with page.expect_download() as info:
        page.get_by_role("button", name="下载 CSV").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def download_network(page, base: str) -> Path:
    """The network page's download: the drawing as one HTML file."""
    visit(page, base, "network", "个节点")
    with page.expect_download() as info:
        page.get_by_role("button", name="下载网络 HTML(离线可用)").click()
    path = OUTPUT / "network-download.html"
    info.value.save_as(path)
    return path


def check_network_offline(browser, path: Path) -> dict:
    """Open the downloaded drawing from disk with every request beyond the file refused: what
    it drew, whether vis-network was there, and what it asked for."""
    context = browser.new_context(viewport=VIEWPORT)
    asked: list[str] = []

    def refuse(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()
    context.route("**/*", refuse)
    page = context.new_page()
    try:
        page.goto(path.resolve().as_uri())
        page.wait_for_function("window.pgStable === true", timeout=60_000)
        return {"nodes": page.evaluate("nodes.length"), "asked": asked,
                "library": page.evaluate("typeof vis !== 'undefined' && typeof vis.Network === 'function'")}
    finally:
        context.close()


def test_markup_in_task_text_shows_literally_and_never_runs(browser, tmp_path_factory):
    home = tmp_path_factory.mktemp("xss_home")
    ingest_plan_text(home, XSS_PLAN_TEXT, "xss_plan")
    with streamlit_server(home, log=OUTPUT / "streamlit-xss.log") as base:
        w = Watch(browser)
        page = w.page
        for p in PAGE_VISITS:
            visit(page, base, p.path)
            wait_for_app(page)

        visit(page, base, "task?doc=xss_plan&task=1.1.1", "相关任务 Neighbours")
        assert "<script>alert(1)</script>" in page.locator(".pg-source").inner_text()
        assert page.get_by_text("完善执法制度<script>alert(1)</script>").first.is_visible()
        screenshot(page, "xss-task")
        visit(page, base, "task?doc=xss_plan&task=1.1.2", "相关任务 Neighbours")
        assert "<img src=x onerror=alert(1)>" in page.locator(".pg-source").inner_text()
        assert page.locator('img[src="x"]').count() == 0

        visit(page, base, "network", "个节点")
        frame = wait_for_network(page)
        for task_id, literal in (("1.1.1", "<script>alert(1)</script>"), ("1.1.2", "<img src=x onerror=alert(1)>")):
            tip = hover_node(page, frame, f"t:xss_plan::{task_id}")
            assert literal in tip, tip
        assert frame.locator('img[src="x"]').count() == 0
        screenshot(page, "xss-network")
        page.wait_for_timeout(500)  # a late onerror would fire by now
        w.close()
    assert not w.dialogs, w.dialogs
    assert not w.errors, w.errors
    assert_quiet_log(OUTPUT / "streamlit-xss.log")  # this server warmed up with a plan in its store


def test_review_page_shows_what_could_not_be_read_and_links_its_task(browser, tmp_path_factory):
    """A plan ingested here whose statement （某县水务局、某县环保局主抓） the extractor cannot read:
    the Review page shows it marked in its text, markup around and in the findings shows
    literally, and its task's link opens the task page, which shows it too."""
    home = tmp_path_factory.mktemp("review_home")
    ingest_plan_text(home, REVIEW_PLAN_TEXT, "river")
    with streamlit_server(home, log=OUTPUT / "streamlit-review.log") as base:
        w = Watch(browser)
        page = w.page
        visit(page, base, "review", "待核查之处 Findings")
        table = page.locator("table.pg-review")
        table.wait_for(state="visible")
        rows = table.locator("tbody tr")
        assert rows.count() == 2
        unread = rows.filter(has=page.locator('mark.pg-finding', has_text=REVIEW_UNREAD))
        assert unread.count() == 1 and "未读出的分工表述" in unread.inner_text()
        assert "整治入河排污口<script>alert(1)</script>。" in unread.inner_text()  # its context, literally
        number = rows.nth(1).locator("mark.pg-finding").inner_text()
        assert number == REVIEW_NUMBER_LINE  # markup inside the finding, literally
        assert table.locator("script").count() == 0 and page.locator('img[src="x"]').count() == 0
        screenshot(page, "review")
        unread.get_by_role("link").click()  # the task's heading links to its page
        page.wait_for_url("**/task?doc=river&task=1.1.2", timeout=60_000)
        wait_for_app(page)
        page.get_by_text("本任务中有 1 处未能读出").first.wait_for(state="visible")
        assert page.locator("table.pg-review mark.pg-finding").inner_text() == REVIEW_UNREAD
        screenshot(page, "review-task")
        page.wait_for_timeout(500)  # a late onerror would fire by now
        w.close()
    assert not w.dialogs and not w.errors, (w.dialogs, w.errors)
    assert_quiet_log(OUTPUT / "streamlit-review.log")


def test_compare_page_side_by_side_and_its_sheet(browser, tmp_path_factory):
    """Two real plans: the pairs table, the unmatched lists, the 对标对表 CSV as downloaded."""
    from plangraph.graph.store import open_store
    from plangraph.ingest.pipeline import extract_file
    from shared_corpus import CORPUS, require_corpus
    require_corpus()
    home = tmp_path_factory.mktemp("compare_home")
    with open_store("embedded", home) as store:
        for name in ("09_shandong_digital_action_plan_2021", "10_jinan_digital_pioneer_city_2021"):
            store.ingest(extract_file(CORPUS / "dev" / f"{name}.txt"))
    with streamlit_server(home, log=OUTPUT / "streamlit-compare.log") as base:
        w = Watch(browser)
        page = w.page
        seconds = visit(page, base, "compare", "对应任务 Matched pairs")
        table = page.locator("table.pg-compare")
        table.wait_for(state="visible")
        assert table.locator("tbody tr").count() >= 10
        row = table.locator("tbody tr", has_text="加快发展特色数字农业")
        assert "推动数字赋能现代农业" in row.inner_text()
        assert row.locator("del", has_text="山东省农业农村厅").count() == 1  # not named by the city
        assert page.get_by_text("未承接 Not taken up").first.is_visible()
        screenshot(page, "compare")
        with page.expect_download() as info:
            page.get_by_role("button", name="下载 CSV").click()
        data = Path(info.value.path()).read_bytes()
        w.close()
    print(f"\ncompare page: {seconds:.2f} s (first visit after the server warmed up)")
    assert not w.dialogs and not w.errors, (w.dialogs, w.errors)
    assert_quiet_log(OUTPUT / "streamlit-compare.log")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert data.startswith(b"\xef\xbb\xbf") and rows[0][:3] == ["状态", "上级任务编号", "上级任务"]
    pair = next(r for r in rows if r[2] == "加快发展特色数字农业")
    assert pair[0] == "对应" and pair[6] == "推动数字赋能现代农业"


def test_compare_page_shows_markup_literally(browser, tmp_path_factory):
    home = tmp_path_factory.mktemp("xss_compare_home")
    ingest_plan_text(home, XSS_PLAN_TEXT, "xss_plan")
    ingest_plan_text(home, XSS_PLAN_TEXT.replace("2030年底前", "2029年底前"), "xss_plan_next")
    with streamlit_server(home, log=OUTPUT / "streamlit-xss-compare.log") as base:
        w = Watch(browser)
        page = w.page
        visit(page, base, "compare", "对应任务 Matched pairs")
        table = page.locator("table.pg-compare")
        for details in table.locator("details").all():
            details.locator("summary").click()  # open every 原文
        text = table.inner_text()
        assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
        assert table.locator("img").count() == 0 and table.locator("script").count() == 0
        assert "时限提前:2030年底前 → 2029年底前" in text
        screenshot(page, "xss-compare")
        page.wait_for_timeout(500)  # a late onerror would fire by now
        w.close()
    assert not w.dialogs and not w.errors, (w.dialogs, w.errors)
    assert_quiet_log(OUTPUT / "streamlit-xss-compare.log")


def assert_quiet_log(path: Path) -> None:
    """The server printed no traceback or warning, its warm-up included (plangraph.app_server)."""
    log = path.read_text(encoding="utf-8")
    assert "Traceback" not in log and "WARNING" not in log, log[-2000:]


def manage_buttons(page) -> list[str]:
    """The write actions the sidebar's (open) Manage section offers this visitor."""
    page.wait_for_timeout(300)
    names = [n for n in ("导入内置常德方案", "删除文件 Remove documents") if page.get_by_text(n).count()]
    return names


@pytest.mark.parametrize("address", ["127.0.0.1", "0.0.0.0"])
def test_write_actions_on_this_machine_and_beyond_it(browser, tmp_path_factory, address):
    """Served on 127.0.0.1 the explorer offers import and remove; served on every network it
    offers them only after the PLANGRAPH_APP_PASSWORD is typed in the sidebar."""
    home = tmp_path_factory.mktemp(f"serve_{address.replace('.', '_')}")
    ingest_plan_text(home, XSS_PLAN_TEXT, "xss_plan")
    env = {"PLANGRAPH_APP_PASSWORD": "开门-sesame"}
    with streamlit_server(home, address=address, env=env, log=OUTPUT / f"streamlit-serve-{address}.log") as base:
        w = Watch(browser)
        page = w.page
        visit(page, base, "", "从这里开始")
        page.get_by_text("管理 Manage").first.click()  # open the section: a rerun fills it
        password = page.locator('input[type="password"]')
        if address == "127.0.0.1":
            page.get_by_text("删除文件 Remove documents").first.wait_for(state="visible")
            wait_for_app(page)
            assert manage_buttons(page) == ["导入内置常德方案", "删除文件 Remove documents"]
            assert password.count() == 0
        else:
            password.wait_for(state="visible")
            wait_for_app(page)
            assert manage_buttons(page) == []
            password.fill("wrong")
            password.press("Enter")
            wait_for_app(page)
            page.get_by_text("密码不正确").first.wait_for(state="visible")
            assert manage_buttons(page) == []
            password.fill("开门-sesame")
            password.press("Enter")
            wait_for_app(page)
            page.get_by_text("导入内置常德方案").first.wait_for(state="visible")
            assert manage_buttons(page) == ["导入内置常德方案", "删除文件 Remove documents"]
        screenshot(page, f"serve-{address}")
        w.close()
    assert not w.errors, w.errors


def test_a_long_unbroken_string_wraps_in_the_source_view(browser, tmp_path_factory):
    home = tmp_path_factory.mktemp("long_home")
    long_plan = XSS_PLAN_TEXT.replace("加强政府督查", "加强政府督查" + "ABCDEFGHIJ" * 60)
    ingest_plan_text(home, long_plan, "long_plan")
    with streamlit_server(home, log=OUTPUT / "streamlit-long.log") as base:
        w = Watch(browser)
        page = w.page
        visit(page, base, "task?doc=long_plan&task=1.1.2", "相关任务 Neighbours")
        source = page.locator(".pg-source")
        assert "ABCDEFGHIJ" * 60 in source.inner_text()
        overflow = source.evaluate("el => el.scrollWidth - el.clientWidth")
        assert overflow <= 1, f"the source view is {overflow}px wider than its box"
        screenshot(page, "long-string-task")
        w.close()
