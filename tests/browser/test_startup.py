"""Start-up: a start-up snapshot that cannot be stored is not made again for that build."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import READY_TIMEOUT_MS, guard_page

pytestmark = pytest.mark.browser

#: The origin's storage quota for this test (bytes): room for what the service worker
#: caches at install (about 18 MB) and the byte code (2.4 MB), not for the start-up
#: snapshot (about 21 MB) as well, so that storing the snapshot fails as on a full device.
QUOTA = 25_000_000
#: Resolves with how saving the snapshot went ({outcome, message}), once the worker said.
SNAPSHOT_STORE_JS = """() => new Promise((resolve) => {
  const engine = window.kmeanslab.engine;
  if (engine.snapshotStore) resolve(engine.snapshotStore);
  else engine.addEventListener('snapshot', (e) => resolve(e.detail), { once: true });
})"""
#: In the Python worker: whether importlib.metadata has been imported.
METADATA_IMPORTED_JS = """() => self.pyodide.runPython(
  "import sys; 'importlib.metadata' in sys.modules")"""
#: The URLs saved in this build's cache.
CACHED_JS = """async () => {
  const names = (await caches.keys()).filter((n) => n.startsWith('kmeanslab-'));
  return names.length ? (await (await caches.open(names[0])).keys()).map((r) => r.url) : [];
}"""


def test_a_snapshot_that_failed_to_store_is_not_made_again(browser, base_url, watch):
    context = browser.new_context()
    try:
        page = context.new_page()
        guard_page(page, watch)
        cdp = context.new_cdp_session(page)
        cdp.send("Storage.overrideQuotaForOrigin",
                 {"origin": base_url.rstrip("/"), "quotaSize": QUOTA})
        page.goto(base_url + "index.html#points")
        expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                       timeout=READY_TIMEOUT_MS)
        # (and, on this first visit, loading NumPy did not import importlib.metadata just
        # to clear its cache: early-wheels.js's lighter reset; kmeanslab never needs it)
        python = next(w for w in page.workers if w.url.split("?")[0].endswith("/js/worker.js"))
        assert python.evaluate(METADATA_IMPORTED_JS) is False
        first = page.evaluate(SNAPSHOT_STORE_JS)
        assert first["outcome"] == "failed", first
        assert "QuotaExceeded" in first["message"], first
        cached = page.evaluate(CACHED_JS)
        assert any("/startup-no-snapshot-" in url for url in cached), cached
        assert not any("/snapshot-" in url for url in cached), cached

        # A later first start of the same build (no snapshot saved) makes none: no second
        # interpreter that would fail the same way.
        page.reload()
        expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                       timeout=READY_TIMEOUT_MS)
        assert page.evaluate("window.kmeanslab.engine.timings.snapshot") is False
        again = page.evaluate(SNAPSHOT_STORE_JS)
        assert again["outcome"] == "failed-before", again
        assert "QuotaExceeded" in again["message"], again
        watch.check()
    finally:
        context.close()


def test_a_wheel_helper_that_never_starts_does_not_freeze_the_start(browser, base_url, watch):
    """The page starts the wheels' helper; if its script never arrives (a flaky network),
    nothing reports that to the Python worker: it gives up on it after a while and
    Pyodide downloads the wheels itself, so the page still becomes ready."""
    context = browser.new_context(service_workers="block")
    try:
        # the page's helper replaced by a worker that runs nothing: silent, as one whose
        # script never arrived (Playwright's routes do not reach worker scripts)
        context.add_init_script("""(() => {
          const Real = window.Worker;
          window.Worker = function (url, options) {
            if (String(url).includes("unzip-worker.js")) {
              url = URL.createObjectURL(new Blob([""], { type: "text/javascript" }));
            }
            return new Real(url, options);
          };
        })();""")
        page = context.new_page()
        guard_page(page, watch)
        page.goto(base_url + "index.html#points")
        expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                       timeout=READY_TIMEOUT_MS)
        # and k-means runs (NumPy and kmeanslab were loaded without the helper)
        page.get_by_role("button", name="Run", exact=True).click()
        expect(page.locator("#status")).to_contain_text("inertia", timeout=READY_TIMEOUT_MS)
        watch.check()
    finally:
        context.close()
