"""Start-up, cached visits: what an earlier visit saved is used, and replaced when damaged."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import READY_TIMEOUT_MS, guard_page

pytestmark = pytest.mark.browser

#: Resolves with the URL and size of the saved byte code once the service worker controls
#: the page and the start-up snapshot and the byte code are in its cache.
SAVED_JS = """async () => {
  for (const t0 = Date.now(); Date.now() - t0 < 60000;) {
    const names = (await caches.keys()).filter((n) => n.startsWith('kmeanslab-'));
    if (names.length === 1 && navigator.serviceWorker.controller) {
      const cache = await caches.open(names[0]);
      const keys = (await cache.keys()).map((r) => r.url);
      const pyc = keys.find((u) => u.includes('/pycache-') && u.endsWith('.bin'));
      if (pyc && keys.some((u) => u.includes('/snapshot-') && u.endsWith('.bin'))) {
        return [names[0], pyc, (await (await cache.match(pyc)).arrayBuffer()).byteLength];
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the snapshot and the byte code were not saved within 60 s');
}"""
#: Replaces the saved byte code with its first half (a write cut short).
DAMAGE_JS = """async ([name, url]) => {
  const cache = await caches.open(name);
  const bytes = await (await cache.match(url)).arrayBuffer();
  await cache.put(url, new Response(bytes.slice(0, bytes.byteLength >> 1)));
}"""
#: Resolves with the saved byte code's size once it is ``size`` again (or after 60 s).
RESAVED_JS = """async ([name, url, size]) => {
  let got = null;
  for (const t0 = Date.now(); Date.now() - t0 < 60000;) {
    const hit = await (await caches.open(name)).match(url);
    got = hit ? (await hit.arrayBuffer()).byteLength : null;
    if (got === size) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return got;
}"""


def test_damaged_saved_byte_code_is_replaced(browser, base_url, watch):
    """A saved byte-code bundle that fails its check (cut short) is not kept: that visit
    takes the build's bundle instead, and saves it in the damaged one's place, so the
    visits after it read byte code again."""
    context = browser.new_context()
    try:
        page = context.new_page()
        guard_page(page, watch)
        page.goto(base_url + "index.html#points")
        expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                       timeout=READY_TIMEOUT_MS)
        name, url, size = page.evaluate(SAVED_JS)
        page.evaluate(DAMAGE_JS, [name, url])
        page.reload()
        expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                       timeout=READY_TIMEOUT_MS)
        timings = page.evaluate("window.kmeanslab.engine.timings")
        assert timings["snapshot"] is True, timings
        assert timings["pycache"] is True and timings["pycacheFrom"] == "shipped", timings
        assert page.evaluate(RESAVED_JS, [name, url, size]) == size
        watch.check()
    finally:
        context.close()
