"""The start-up benchmark's visits: a local server that counts the bytes it sends, the
plain Pyodide page, and one build's first and cached visit in a fresh browser profile
(used by :mod:`.startup` and :mod:`.startup_ab`)."""

from __future__ import annotations

import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from ..serve import DistHandler, make_server
from .runner import LAUNCH_ARGS, chromium_path

TIMEOUT_MS = 120_000
#: The plain baseline: a page whose worker loads Pyodide and NumPy the documented way.
PLAIN_FILES = {
    "index.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>plain Pyodide</title>
<script type="module" src="main.js"></script></head><body>plain Pyodide</body></html>
""",
    "main.js": """const worker = new Worker("worker.js");
worker.onmessage = (event) => {
  performance.mark("plain-ready");
  window.plainTimings = event.data;
  document.documentElement.dataset.state = "ready";
};
""",
    "worker.js": """importScripts("../pyodide/pyodide.js");
(async () => {
  const t0 = performance.now();
  const pyodide = await loadPyodide({ indexURL: "../pyodide/" });
  const t1 = performance.now();
  await pyodide.loadPackage("numpy");
  pyodide.runPython("import numpy");
  postMessage({ runtime: t1 - t0, numpy: performance.now() - t1 });
})();
""",
}

#: Paint and ready times of this navigation, in ms from its start.
MARKS_JS = """() => {
  const paint = performance.getEntriesByType('paint');
  const at = (name) => paint.find((e) => e.name === name)?.startTime ?? null;
  const ready = performance.getEntriesByName('kmeanslab-ready')[0];
  return {first_paint: at('first-paint'), first_contentful_paint: at('first-contentful-paint'),
          ready: ready ? ready.startTime : null, timings: window.kmeanslab.engine.timings};
}"""
#: Resolves once the service worker is active and the start-up snapshot (when the page
#: makes one: the argument) and the byte code are in its cache.
OFFLINE_READY_JS = """async (saves) => {
  for (const t0 = Date.now(); Date.now() - t0 < 60000;) {
    const names = (await caches.keys()).filter((n) => n.startsWith('kmeanslab-'));
    for (const name of names) {
      const keys = await (await caches.open(name)).keys();
      const saved = saves.every((kind) => keys.some((r) => r.url.includes(`/${kind}-`)
        && r.url.endsWith('.bin')));
      if (navigator.serviceWorker.controller && saved) {
        return keys.length;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the service worker did not save ${saves.join(' and ')} within 60 s`);
}"""


class CountingHandler(DistHandler):
    """DistHandler that adds each response body's size to ``server.bytes_sent``."""

    def copyfile(self, source, outputfile) -> None:
        """Send the file and count its bytes."""
        start = source.tell()
        super().copyfile(source, outputfile)
        with self.server.lock:
            self.server.bytes_sent += source.tell() - start


def counting_server(dist: Path):
    """A started local server of ``dist`` that counts the bytes of its responses."""
    server = make_server(dist, "127.0.0.1", 0, handler=CountingHandler)
    server.dist = Path(dist)
    server.bytes_sent = 0
    server.lock = threading.Lock()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def visit(page, url: str | None) -> dict[str, Any]:
    if url is None:
        page.reload()
    else:
        page.goto(url)
    page.locator("html[data-state=ready]").wait_for(state="attached", timeout=TIMEOUT_MS)
    return page.evaluate(MARKS_JS)


def web_root(dist: Path, tmp: Path) -> Path:
    """``dist/`` (linked, not copied) plus the plain baseline page in ``bench-plain/``."""
    root = tmp / "root"
    root.mkdir()
    for entry in dist.iterdir():
        (root / entry.name).symlink_to(entry.resolve())
    (root / "bench-plain").mkdir()
    for name, text in PLAIN_FILES.items():
        (root / "bench-plain" / name).write_text(text, encoding="utf-8")
    return root


def plain_round(browser_type, server) -> dict[str, float]:
    """The plain page's first visit (fresh profile) and a reload from the HTTP cache."""
    url = f"http://127.0.0.1:{server.server_address[1]}/bench-plain/index.html"
    profile = tempfile.TemporaryDirectory(prefix="kmeanslab-bench-plain-")
    context = browser_type.launch_persistent_context(
        profile.name, executable_path=chromium_path(), args=LAUNCH_ARGS
    )
    ready_js = "() => performance.getEntriesByName('plain-ready')[0].startTime"
    try:
        page = context.pages[0] if context.pages else context.new_page()
        server.bytes_sent = 0
        page.goto(url)
        page.locator("html[data-state=ready]").wait_for(state="attached", timeout=TIMEOUT_MS)
        first, first_mb = page.evaluate(ready_js), server.bytes_sent / 1e6
        first_runtime = page.evaluate("() => window.plainTimings.runtime")
        page.reload()
        page.locator("html[data-state=ready]").wait_for(state="attached", timeout=TIMEOUT_MS)
        return {"plain_first": first, "plain_cached": page.evaluate(ready_js),
                "plain_mb": first_mb, "plain_runtime": first_runtime}
    finally:
        context.close()
        profile.cleanup()


def warm_up(browser_type, server) -> None:
    """One plain-page round from ``server`` (its build's Pyodide files), discarded: the
    first visit of a bench run was slow (the plain page, first in round 1 of four runs,
    4.1-4.6 s against 2.8-3.3 s in the other rounds: the first browser launched, files
    not yet in the system's cache), and whichever page went first paid for it."""
    plain_round(browser_type, server)


def ships_pycache(dist: Path) -> bool:
    """Whether the build in ``dist`` ships its start-up byte code (builds from 2026-11-27
    on), which its service worker then caches: the cached visit waits for it."""
    try:
        lock = json.loads((Path(dist) / "pyodide" / "pyodide-lock.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return "kmeanslab_pycache" in lock


def one_round(browser_type, server, skip: str = "") -> dict[str, float]:
    """A first visit of ``server``'s build in a fresh profile, then, once its service
    worker has cached what the build saves, a cached visit (a reload)."""
    query = f"?startup={skip}" if skip else ""
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html{query}"
    profile = tempfile.TemporaryDirectory(prefix="kmeanslab-bench-profile-")
    context = browser_type.launch_persistent_context(
        profile.name, executable_path=chromium_path(), args=LAUNCH_ARGS
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        server.bytes_sent = 0
        first = visit(page, url)
        first_bytes = server.bytes_sent
        saves = [kind for kind in ("snapshot", "pycache") if f"no-{kind}" not in skip
                 and not (kind == "pycache" and (skip == "no-early"
                                                 or not ships_pycache(server.dist)))]
        n_cached = page.evaluate(OFFLINE_READY_JS, saves)
        offline_bytes = server.bytes_sent
        time.sleep(0.5)  # let the service worker finish writing before the reload
        server.bytes_sent = 0
        cached = visit(page, None)
        return {
            "first_paint": first["first_contentful_paint"] or first["first_paint"],
            "first_ready": first["ready"],
            "first_runtime": first["timings"]["runtime"],
            "first_packages": first["timings"]["packages"],
            "first_import": first["timings"]["import"],
            "first_mb": first_bytes / 1e6,
            "installed_mb": offline_bytes / 1e6,
            "cached_files": n_cached,
            "cached_paint": cached["first_contentful_paint"] or cached["first_paint"],
            "cached_ready": cached["ready"],
            "cached_runtime": cached["timings"]["runtime"],
            "cached_packages": cached["timings"]["packages"],
            "cached_import": cached["timings"]["import"],
            "cached_snapshot": cached["timings"].get("snapshot"),
            "cached_packages_in_snapshot": cached["timings"].get("snapshotPackages"),
            "cached_pycache": cached["timings"].get("pycache"),
            "cached_mb": server.bytes_sent / 1e6,
        }
    finally:
        context.close()
        profile.cleanup()
