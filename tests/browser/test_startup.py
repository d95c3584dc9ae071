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
