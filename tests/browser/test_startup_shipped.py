"""Start-up, first visits: the build's shipped bare snapshot and gzipped wasm are used, a
later visit starts from the fuller snapshot made aside, and a stalled or broken download
of either costs time, never the start."""

from __future__ import annotations

import json
import threading

import pytest
from playwright.sync_api import expect

from conftest import READY_TIMEOUT_MS, first_visit, guard_page

pytestmark = pytest.mark.browser

#: Resolves with how saving the fuller snapshot went ({outcome, message}).
SNAPSHOT_STORE_JS = """() => new Promise((resolve) => {
  const engine = window.kmeanslab.engine;
  if (engine.snapshotStore) resolve(engine.snapshotStore);
  else engine.addEventListener('snapshot', (e) => resolve(e.detail), { once: true });
})"""
#: In the Python worker: the UTC offset of local time (s) and the local hour, by Python.
PY_LOCAL_TIME_JS = """() => self.pyodide.runPython(`
import datetime, time
[time.localtime().tm_gmtoff, datetime.datetime.now().hour]
`).toJs()"""


def _python(page):
    return next(w for w in page.workers if w.url.split("?")[0].endswith("/js/worker.js"))


def _lock(dist_dir):
    return json.loads((dist_dir / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))


def test_a_first_visit_starts_from_the_shipped_snapshot_and_saves_a_fuller_one(
        browser, base_url, watch):
    """The first visit starts from the build's snapshot, clusters, and keeps the visitor's
    own time zone (the snapshot was made on a machine in UTC); the snapshot with NumPy and
    kmeanslab made aside afterwards is what the next visit starts from."""
    context = browser.new_context(timezone_id="Asia/Kolkata")  # (UTC+05:30, no DST)
    requested = []
    context.on("request", lambda r: requested.append(r.url.split("?")[0]))
    try:
        page = first_visit(context, watch, base_url)
        timings = page.evaluate("window.kmeanslab.engine.timings")
        assert timings["snapshotFrom"] == "shipped", timings
        assert timings["snapshotPackages"] is False, timings
        offset, hour = _python(page).evaluate(PY_LOCAL_TIME_JS)
        assert offset == 19800
        assert hour in {page.evaluate("new Date().getHours()"),
                        page.evaluate("(new Date().getHours() + 23) % 24")}  # (an hour turning)
        page.get_by_role("button", name="Run", exact=True).click()
        expect(page.locator("#points-summary")).to_contain_text("clusters of",
                                                                timeout=READY_TIMEOUT_MS)
        stored = page.evaluate(SNAPSHOT_STORE_JS)
        assert stored["outcome"] == "stored", stored
        # only the wasm's gzipped copy was downloaded: the snapshot's maker (a worker of its
        # own) was handed the compiled runtime, not left to fetch the 10 MB wasm itself
        assert any(u.endswith("/pyodide/pyodide.asm.wasmz") for u in requested), requested
        assert not any(u.endswith("/pyodide/pyodide.asm.wasm") for u in requested), requested

        page.reload()
        expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                       timeout=READY_TIMEOUT_MS)
        timings = page.evaluate("window.kmeanslab.engine.timings")
        assert timings["snapshotFrom"] == "saved", timings
        assert timings["snapshotPackages"] is True, timings
        watch.check()
    finally:
        context.close()


#: In the Python worker: whether importlib.metadata has been imported.
METADATA_IMPORTED_JS = """() => self.pyodide.runPython(
  "import sys; 'importlib.metadata' in sys.modules")"""


def test_a_fresh_start_loads_numpy_without_importlib_metadata(browser, base_url, watch):
    """Without a snapshot (here: the shipped one left out), loading NumPy does not import
    importlib.metadata just to clear its cache (early-wheels.js's lighter reset; kmeanslab
    never needs it). The snapshots hold it, warmed on purpose."""
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        guard_page(page, watch)
        page.goto(base_url + "index.html?startup=no-shipped-snapshot#points")
        expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                       timeout=READY_TIMEOUT_MS)
        assert page.evaluate("window.kmeanslab.engine.timings.snapshot") is False
        assert _python(page).evaluate(METADATA_IMPORTED_JS) is False
        watch.check()
    finally:
        context.close()


class _Server:
    """dist/ served with one file answered by ``answer(handler)`` instead (which may
    hang until the test ends: Playwright's routes do not reach a worker's requests)."""

    def __init__(self, dist_dir, name, answer):
        from kmeanslab_build.serve import DistHandler, make_server

        self.asked = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(DistHandler):
            def do_GET(self):
                if self.path.split("?")[0].endswith("/" + name):
                    outer.asked.set()
                    if answer(self, outer.release):
                        return None
                return super().do_GET()

        self.server = make_server(dist_dir, "127.0.0.1", 0, handler=Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}/"

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _stall(handler, release):
    release.wait(120)  # hangs until the test ends
    return False


def _garbage(handler, release):
    body = b"not gzip at all " * 1000
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
    return True


def _missing(handler, release):
    handler.send_error(404)
    return True


def _start_and_cluster(browser, server, watch):
    """Open ``server``'s page (no service worker), wait for "ready", cluster once, and
    check that the server was asked for its odd file; returns the start-up timings.
    (A failed compile or download is a warning in the console, never an error.)"""
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        guard_page(page, watch)
        page.goto(server.url + "index.html#points")
        expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                       timeout=READY_TIMEOUT_MS)
        assert server.asked.is_set(), "the file was not asked for"
        timings = page.evaluate("window.kmeanslab.engine.timings")
        page.get_by_role("button", name="Run", exact=True).click()
        expect(page.locator("#points-summary")).to_contain_text("clusters of",
                                                                timeout=READY_TIMEOUT_MS)
        watch.check()
        return timings
    finally:
        context.close()
        server.close()


def test_a_stalled_snapshot_download_does_not_hold_the_start(browser, dist_dir, watch):
    """A start from the shipped snapshot saves about a second: if its download stalls (a
    flaky network), the start stops waiting for it soon after the wasm is in and starts
    Python afresh, instead of staying on "Loading" for as long as the request hangs."""
    name = _lock(dist_dir)["kmeanslab_snapshot"]["file_name"]
    timings = _start_and_cluster(browser, _Server(dist_dir, name, _stall), watch)
    assert timings["snapshot"] is False and timings["snapshotFrom"] is None, timings


@pytest.mark.parametrize("answer", [_garbage, _missing], ids=["not-gzip", "missing"])
def test_a_gzipped_wasm_that_cannot_be_used_falls_back_to_the_wasm(browser, dist_dir, watch,
                                                                    answer):
    """A host that lost the gzipped copy of the wasm, or mangles it, costs a second
    download (the wasm itself), not the start."""
    _start_and_cluster(browser, _Server(dist_dir, "pyodide.asm.wasmz", answer), watch)


def test_on_a_slow_link_the_snapshot_is_not_downloaded(browser, base_url, watch):
    """At 20 Mbit/s the shipped snapshot's 5.5 MB would take longer to arrive than the
    interpreter's own start takes: the page judges the link by the runtime's downloads
    and starts Python afresh without asking for it (fetched beside the wasm, it made such
    first visits seconds slower)."""
    context = browser.new_context(service_workers="block")
    requested = []
    context.on("request", lambda r: requested.append(r.url.split("?")[0]))
    try:
        page = context.new_page()
        guard_page(page, watch)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        rate = 20e6 / 8  # bytes per second
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": 40, "downloadThroughput": rate,
            "uploadThroughput": rate})
        page.goto(base_url + "index.html#points")
        expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                       timeout=READY_TIMEOUT_MS)
        timings = page.evaluate("window.kmeanslab.engine.timings")
        assert timings["snapshot"] is False and timings["snapshotFrom"] is None, timings
        assert any(u.endswith("/pyodide/pyodide.asm.wasmz") for u in requested), requested
        assert not any(u.endswith(".snapz") for u in requested), requested
        watch.check()
    finally:
        context.close()
