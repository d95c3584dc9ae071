"""Start-up, cached visits: what an earlier visit saved is used, and replaced when damaged."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import READY_TIMEOUT_MS, first_visit

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


@pytest.fixture(scope="module")
def cached(browser, base_url):
    """A first visit, until the snapshot and the byte code are saved; then the saved byte
    code is damaged (cut short) and the page reloaded: a cached visit. Yields the page,
    the cache's name, the byte code's URL and its size before the damage."""
    from conftest import PageWatch

    watch = PageWatch()
    context = browser.new_context()
    try:
        page = first_visit(context, watch, base_url)
        name, url, size = page.evaluate(SAVED_JS)
        page.evaluate(DAMAGE_JS, [name, url])
        page.reload()
        expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                       timeout=READY_TIMEOUT_MS)
        yield page, name, url, size
        watch.check()
    finally:
        context.close()


def test_damaged_saved_byte_code_is_replaced(cached):
    """A saved byte-code bundle that fails its check (cut short) is not kept: that visit
    takes the build's bundle instead, and saves it in the damaged one's place, so the
    visits after it read byte code again."""
    page, name, url, size = cached
    timings = page.evaluate("window.kmeanslab.engine.timings")
    assert timings["snapshot"] is True, timings
    assert timings["pycache"] is True and timings["pycacheFrom"] == "shipped", timings
    assert page.evaluate(RESAVED_JS, [name, url, size]) == size


#: In the Python worker, on the cached visit: NumPy's libraries (some loaded only now, by
#: lazy imports), kmeanslab modules the start did not import (read from the written
#: files), and a fit.
WORKS_JS = """() => self.pyodide.runPython(`
import sys
fresh = 'kmeanslab.image' not in sys.modules
import numpy as np, numpy.fft, numpy.linalg
from kmeanslab.cluster import KMeans
from kmeanslab.datasets import make_blobs
from kmeanslab.image import quantize
X, _ = make_blobs(n_samples=3000, centers=5, random_state=0)
km = KMeans(5, n_init=1, random_state=0).fit(X)
r = np.random.default_rng(1).normal(size=(50, 50))
[fresh, round(float(km.inertia_), 6), int(km.n_iter_),
 float(np.linalg.det(r @ r.T + np.eye(50))), float(np.fft.fft(np.arange(8.0))[1].imag)]
`).toJs()"""


def test_a_cached_visit_starts_with_numpy_and_kmeanslab_imported(cached):
    """The snapshot made after the first visit holds NumPy and kmeanslab loaded and
    imported: the cached visit loads NumPy's shared libraries where the snapshot expects
    them and imports nothing, and everything works as after an import: lazy imports, NumPy's
    libraries, a fit (the numbers are those of the same calls natively) and a Run."""
    page = cached[0]
    timings = page.evaluate("window.kmeanslab.engine.timings")
    assert timings["snapshot"] is True and timings["snapshotPackages"] is True, timings
    assert timings["wheels"]["precompiled"] >= 15, timings
    python = next(w for w in page.workers if w.url.split("?")[0].endswith("/js/worker.js"))
    fresh, inertia, n_iter, det, fft = python.evaluate(WORKS_JS)
    assert fresh is True
    assert (inertia, n_iter) == (5377.870944, 12)
    assert det == pytest.approx(6.533175e68, rel=1e-6) and fft == pytest.approx(9.656854)
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#status")).to_contain_text("inertia", timeout=READY_TIMEOUT_MS)


#: Shifts the first library's recorded table base in the saved snapshot's header
#: (startup/snapshot.js's packing): a record that no longer fits this interpreter.
MISPLACE_JS = """async (name) => {
  const cache = await caches.open(name);
  const url = (await cache.keys()).map((r) => r.url).find((u) => u.includes('/snapshot-'));
  const buffer = await (await cache.match(url)).arrayBuffer();
  const view = new DataView(buffer);
  const size = view.getUint32(4, true);
  const meta = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, size)));
  meta.dynlibs[0].tableBase += 1;
  const head = new TextEncoder().encode(JSON.stringify(meta));
  const at = Math.ceil((8 + head.length) / 16) * 16;
  const out = new Uint8Array(at + buffer.byteLength - Math.ceil((8 + size) / 16) * 16);
  new DataView(out.buffer).setUint32(0, view.getUint32(0, true), true);
  new DataView(out.buffer).setUint32(4, head.length, true);
  out.set(head, 8);
  out.set(new Uint8Array(buffer, Math.ceil((8 + size) / 16) * 16), at);
  await cache.put(url, new Response(out));
  return url;
}"""


def test_a_snapshot_whose_libraries_do_not_fit_starts_afresh(cached):
    """(Last in this module: it changes the saved snapshot.) If the libraries cannot be
    placed where the snapshot expects them, that interpreter is not used: the worker
    starts afresh, loads the packages as on a first visit and works; the snapshot is
    dropped, the failure noted, and the snapshot made next holds the bare interpreter
    (one that holds the packages would fail again on every other visit)."""
    page, name = cached[0], cached[1]
    url = page.evaluate(MISPLACE_JS, name)
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                   timeout=READY_TIMEOUT_MS)
    timings = page.evaluate("window.kmeanslab.engine.timings")
    assert timings["snapshot"] is True and timings["snapshotPackages"] is False, timings
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#status")).to_contain_text("inertia", timeout=READY_TIMEOUT_MS)
    assert page.evaluate(f"async () => Boolean(await caches.match({url!r}))") is False
    page.wait_for_function(NOTED_JS, timeout=60_000)
    page.reload()  # (makes the next snapshot: noted, a bare one)
    expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                   timeout=READY_TIMEOUT_MS)
    _restarts_from_a_bare_snapshot(page)


def _restarts_from_a_bare_snapshot(page):
    """Once the snapshot is saved, a reload starts from it, and it holds the bare
    interpreter (the packages load and import as on a first visit)."""
    page.evaluate(SAVED_JS)
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                   timeout=READY_TIMEOUT_MS)
    timings = page.evaluate("window.kmeanslab.engine.timings")
    assert timings["snapshot"] is True and timings["snapshotPackages"] is False, timings


#: True once a failed restore of the packages' snapshot is noted in the build's cache.
NOTED_JS = """async () => {
  for (const name of await caches.keys()) {
    const keys = (await (await caches.open(name)).keys()).map((r) => r.url);
    if (keys.some((u) => u.includes('/startup-no-package-snapshot-'))) return true;
  }
  return false;
}"""


#: The origin's storage quota for the next test (bytes): room for what the service worker
#: caches at install, the byte code and the bare interpreter's snapshot (about 43 MB in
#: all), not for the snapshot with the packages (about 36 MB instead of 21 MB).
QUOTA = 50_000_000


def test_where_the_package_snapshot_does_not_fit_the_bare_one_is_saved(browser, base_url, watch):
    """On a device short of storage the snapshot with NumPy and kmeanslab imported cannot
    be stored: the bare interpreter's is stored instead, so cached visits still skip most
    of Python's start (they load and import the packages as before)."""
    context = browser.new_context()
    try:
        page = first_visit(context, watch, base_url, QUOTA)
        _restarts_from_a_bare_snapshot(page)
        watch.check()
    finally:
        context.close()
