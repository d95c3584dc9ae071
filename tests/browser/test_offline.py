"""Offline: a second visit works with no network; a new build replaces the old cache."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from canvas_pixels import cluster_colors
from playwright.sync_api import expect

from conftest import READY_TIMEOUT_MS, ROOT, guard_page

pytestmark = pytest.mark.browser

#: Resolves with the kmeanslab cache name once the service worker controls the page, its
#: cache is the only one (none of ``old``) and Python's start-up snapshot and byte code are
#: saved there.
OFFLINE_READY_JS = """async (old) => {
  old = old || [];
  const deadline = performance.now() + 60000;
  for (;;) {
    const names = (await caches.keys()).filter((n) => n.startsWith('kmeanslab-'));
    const keys = names.length === 1 ? await (await caches.open(names[0])).keys() : [];
    const saved = ['/snapshot-', '/pycache-'].every((k) => keys.some((r) => r.url.includes(k)
      && r.url.endsWith('.bin')));
    if (navigator.serviceWorker.controller && saved && !old.includes(names[0])) return names[0];
    if (performance.now() > deadline) {
      const reg = await navigator.serviceWorker.getRegistration();
      const sw = (w) => w ? w.state : 'none';
      throw new Error(`not offline-ready: caches ${names}, snapshot saved ${saved}, `
        + `controlled ${Boolean(navigator.serviceWorker.controller)}, installing `
        + `${sw(reg?.installing)}, waiting ${sw(reg?.waiting)}, active ${sw(reg?.active)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}"""
CACHES_JS = "async () => (await caches.keys()).filter((n) => n.startsWith('kmeanslab-'))"


def ready(page):
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)


def run_k(page, k: int) -> None:
    page.get_by_label("k (clusters)", exact=True).fill(str(k))
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#points-summary")).to_contain_text(f"{k} clusters of", timeout=60_000)


def test_reload_offline_and_cluster(page, context, base_url):
    page.goto(base_url + "index.html#points")
    ready(page)
    note = page.locator("#offline-note")
    saved = "the three panels, the sample photos and the digits work offline."
    expect(note).to_contain_text(f"Saved on this device: {saved}", timeout=READY_TIMEOUT_MS)
    expect(note).to_contain_text("Compare with scikit-learn")  # not used yet: not saved
    page.evaluate(OFFLINE_READY_JS)
    context.set_offline(True)
    page.reload()
    ready(page)
    assert page.evaluate("window.kmeanslab.engine.timings.snapshot") is True
    # ... and NumPy's and kmeanslab's byte code from the first visit (no recompiling)
    assert page.evaluate("window.kmeanslab.engine.timings.pycache") is True
    assert page.evaluate("window.kmeanslab.engine.timings.wheels.js_unpacked") == 2
    # NumPy's shared libraries were compiled by the wheels' helper, not one by one in loadPackage
    assert page.evaluate("window.kmeanslab.engine.timings.wheels.precompiled") >= 15
    # the core files came from the cache by the service worker's static routes, without
    # waiting for its fetch handler (Chromium)
    sources = page.evaluate("""() => Object.fromEntries(performance.getEntriesByType('resource')
      .map((e) => [e.name.split('/').pop(), e.workerFinalSourceType]))""")
    assert sources["engine.js"] == "cache", sources
    run_k(page, 3)
    assert len(cluster_colors(page, "#points-canvas")) == 3
    # Offline, the footer says so, and a sample photo opens (saved at install, not on use).
    expect(page.locator("#offline-note")).to_contain_text("You are offline.")
    page.get_by_role("link", name="Image").click()
    page.get_by_role("button", name="china.jpg").click()
    expect(page.locator(".image-summary")).to_contain_text("china.jpg:", timeout=60_000)
    expect(page.get_by_role("status")).not_to_have_class("status is-error")


def _build_variant(tmp: Path, name: str, note: str) -> Path:
    """A build of site/ with one CSS comment changed: same app, a new content hash."""
    from kmeanslab_build.assemble import build

    site = tmp / f"site-{name}"
    shutil.copytree(ROOT / "site", site)
    with open(site / "css" / "app.css", "a", encoding="utf-8") as css:
        css.write(f"\n/* {note} */\n")
    return build(tmp / f"dist-{name}", allow_download=False, site_dir=site).out


def test_new_build_replaces_the_old_cache(browser, tmp_path, watch):
    from kmeanslab_build.serve import make_server

    first, second = (_build_variant(tmp_path, n, n) for n in ("a", "b"))
    live = tmp_path / "live"
    os.symlink(first, live)
    server = make_server(live, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html#points"
    context = browser.new_context()
    try:
        page = context.new_page()
        guard_page(page, watch)
        page.goto(url)
        ready(page)
        old = page.evaluate(OFFLINE_READY_JS)
        live.unlink()
        os.symlink(second, live)  # deploy the new build
        # A reload keeps the old build (the new one installs beside it and waits, so a
        # reload never waits on it): the footer offers the update.
        page.reload()
        ready(page)
        update = page.get_by_role("button", name="Update now")
        expect(update).to_be_visible(timeout=READY_TIMEOUT_MS)
        assert page.evaluate(CACHES_JS).count(old) == 1  # the old build is still whole
        with page.expect_navigation(timeout=60_000):
            update.click()
        ready(page)
        new = page.evaluate(OFFLINE_READY_JS, [old])  # the old cache is gone
        assert page.evaluate(CACHES_JS) == [new]
        run_k(page, 2)
        watch.check()
    finally:
        context.close()
        server.shutdown()
        server.server_close()
