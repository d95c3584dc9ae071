"""Start-up: a start-up snapshot that cannot be stored is not made again for that build."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from conftest import READY_TIMEOUT_MS, first_visit, guard_page

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
        page = first_visit(context, watch, base_url, QUOTA)
        # (the first visit started from the build's bare snapshot, and the one with the
        # packages made aside afterwards could not be stored)
        assert page.evaluate("window.kmeanslab.engine.timings.snapshotFrom") == "shipped"
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
        assert page.evaluate("window.kmeanslab.engine.timings.snapshotFrom") == "shipped"
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
        page = first_visit(context, watch, base_url)
        # and k-means runs (NumPy and kmeanslab were loaded without the helper)
        page.get_by_role("button", name="Run", exact=True).click()
        expect(page.locator("#status")).to_contain_text("inertia", timeout=READY_TIMEOUT_MS)
        watch.check()
    finally:
        context.close()


#: Holds back the page's message that hands the Python worker its wheels' helper port, as
#: a busy browser did now and then (traced: 1 start in 3), so that the worker is ready to
#: hand out the wheels before the port is there (3 s: after the wasm is in, on any machine
#: that runs these tests; within worker.js's PORT_WAIT_MS of 5 s).
LATE_PORT_JS = """(() => {
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    if (message?.type === "kmeanslab:wheels-port") {
      setTimeout(() => post.call(this, message, ...rest), 3000);
      return undefined;
    }
    return post.call(this, message, ...rest);
  };
})();"""


def test_the_wheels_go_to_the_pages_helper_even_when_its_port_comes_late(browser, base_url,
                                                                        watch):
    """A first visit's wheels are unpacked by the helper the page started while parsing,
    not by one the busy Python worker would start late, even when the port's message
    arrives after the lock file was read; and on a first visit that helper leaves NumPy's
    shared libraries to loadPackage (compiling them beside the runtime's start took cores
    from it)."""
    context = browser.new_context(service_workers="block")
    try:
        context.add_init_script(LATE_PORT_JS)
        page = first_visit(context, watch, base_url)
        wheels = page.evaluate("window.kmeanslab.engine.timings.wheels")
        assert wheels["helper"] == "page", wheels
        assert wheels["js_unpacked"] == 2, wheels  # (NumPy and kmeanslab, from the helper)
        assert "precompiled" not in wheels, wheels
        page.get_by_role("button", name="Run", exact=True).click()
        expect(page.locator("#status")).to_contain_text("inertia", timeout=READY_TIMEOUT_MS)
        watch.check()
    finally:
        context.close()


def test_a_first_visit_fetches_the_wheels_once_the_runtime_is_in(browser, base_url, watch):
    """On a first visit the wasm (its gzipped copy), which the runtime's start waits for,
    does not share the network with the wheels and the byte code (4.3 MB, needed only
    after that start): those are asked for once it has arrived."""
    context = browser.new_context(service_workers="block")
    try:
        done = {}
        context.on("requestfinished", lambda r: done.setdefault(r.url.rsplit("/", 1)[-1], r))
        page = first_visit(context, watch, base_url)
        assert "pyodide.asm.wasm" not in done, sorted(done)  # (the 10 MB one: not needed)
        wasm = done["pyodide.asm.wasmz"].timing
        wasm_in = wasm["startTime"] + wasm["responseEnd"]  # (ms since the epoch)
        later = [name for name in done if name.startswith(("numpy-", "kmeanslab-", "pycache-"))]
        assert len(later) == 3, sorted(done)
        for name in later:
            assert done[name].timing["startTime"] >= wasm_in, (name, done[name].timing, wasm)
        assert page.evaluate("window.kmeanslab.engine.timings.wheels.js_unpacked") == 2
        watch.check()
    finally:
        context.close()


#: In the Python worker: the modules of kmeanslab and NumPy imported at start-up, and those
#: of them whose byte code file is valid for their source as Python checks it (the source's
#: time and size in the .pyc header), so the import read it instead of compiling.
PYC_VALID_JS = """() => self.pyodide.runPython(`
import os, struct, sys
mods = [m for n, m in list(sys.modules.items())
        if n.split('.')[0] in ('kmeanslab', 'numpy') and getattr(m, '__file__', '')
        and m.__file__.endswith('.py')]
def valid(m):
    try:
        head = open(m.__cached__, 'rb').read(16)
    except OSError:
        return False
    st = os.stat(m.__file__)
    flags, mtime, size = struct.unpack('<III', head[4:16])
    return flags == 0 and mtime == int(st.st_mtime) and size == st.st_size & 0xFFFFFFFF
[len(mods), sum(valid(m) for m in mods), [m.__name__ for m in mods if not valid(m)]]
`).toJs()"""


def test_a_first_visit_imports_the_byte_code_the_build_shipped(browser, base_url, dist_dir, watch):
    """The build made NumPy's and kmeanslab's .pyc files with the page's own Python
    (py/kmeanslab_build/pycache.py): a first visit, with nothing cached, fetches them and
    imports from them, and the service worker keeps them for offline visits."""
    lock = json.loads((dist_dir / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    name = lock["kmeanslab_pycache"]["file_name"]
    assert (dist_dir / "pyodide" / name).is_file()
    assert f'"pyodide/{name}"' in (dist_dir / "sw.js").read_text(encoding="utf-8")
    context = browser.new_context(service_workers="block")
    try:
        page = first_visit(context, watch, base_url)
        timings = page.evaluate("window.kmeanslab.engine.timings")
        assert timings["pycacheFrom"] == "shipped", timings
        assert timings["pycache"] is True, timings
        python = next(w for w in page.workers if w.url.split("?")[0].endswith("/js/worker.js"))
        imported, valid, invalid = python.evaluate(PYC_VALID_JS)
        assert imported > 50 and valid == imported, invalid
        watch.check()
    finally:
        context.close()


def test_a_stalled_byte_code_download_does_not_hold_the_start(browser, dist_dir, watch):
    """The shipped byte code saves about half a second of compiling: if its download
    stalls (a flaky network), the start stops waiting for it soon after it is needed and
    compiles from source, instead of staying on "Loading" for as long as the request hangs."""
    import threading

    from kmeanslab_build.serve import DistHandler, make_server

    lock = json.loads((dist_dir / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    name = lock["kmeanslab_pycache"]["file_name"]
    release, asked = threading.Event(), threading.Event()

    class Stalling(DistHandler):  # (Playwright's routes do not reach a worker's requests)
        def do_GET(self):
            if self.path.split("?")[0].endswith(name):
                asked.set()
                release.wait(120)  # hangs until the test ends
            return super().do_GET()

    server = make_server(dist_dir, "127.0.0.1", 0, handler=Stalling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        guard_page(page, watch)
        page.goto(f"http://{host}:{port}/index.html#points")
        expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                       timeout=READY_TIMEOUT_MS)
        assert asked.is_set(), "the byte code was not asked for"
        timings = page.evaluate("window.kmeanslab.engine.timings")
        assert timings["pycacheFrom"] is None, timings
        watch.check()
    finally:
        context.close()
        release.set()
        server.shutdown()
        server.server_close()
