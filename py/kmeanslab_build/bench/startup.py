"""Start-up: first paint, time to "ready" on a first and a cached visit, bytes sent.

A first visit is a fresh persistent browser profile (empty HTTP cache on disk, no service
worker; an off-the-record context would not keep the 10 MB runtime in its small memory
cache); a cached visit reloads that profile once its service worker is active and
Python's start-up snapshot is saved. Bytes are counted by the server (response
bodies), so they include what the page, its worker and its service worker download.

Each round also starts a plain Pyodide page in a fresh profile of its own (``loadPyodide``,
``loadPackage("numpy")``, ``import numpy``, nothing else, from the same files and server),
and the page's times are given as ratios to it, round by round: on a shared machine only
such ratios mean anything. Targets (issue 12): a first visit ready within 1.0x the plain
first visit on every round, a cached visit within 0.4x; <= 20 MB sent on a first visit.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from ..serve import DistHandler, make_server
from . import print_table
from .runner import LAUNCH_ARGS, chromium_path

TIMEOUT_MS = 120_000
#: set by build.py from --tricks: each round then also measures the page with each
#: start-up trick left out (the worker's ``?startup=`` switches, see engine.js)
tricks = False
TRICKS = ("no-early-worker", "no-early", "no-snapshot", "no-pycache", "snapshot-inline",
          "fetch-beside")
TARGETS = {"first_ratio": 1.0, "cached_ratio": 0.4, "first_mb": 20.0}

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


def _server(dist: Path):
    server = make_server(dist, "127.0.0.1", 0, handler=CountingHandler)
    server.bytes_sent = 0
    server.lock = threading.Lock()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _visit(page, url: str | None) -> dict[str, Any]:
    if url is None:
        page.reload()
    else:
        page.goto(url)
    page.locator("html[data-state=ready]").wait_for(state="attached", timeout=TIMEOUT_MS)
    return page.evaluate(MARKS_JS)


def _web_root(dist: Path, tmp: Path) -> Path:
    """``dist/`` (linked, not copied) plus the plain baseline page in ``bench-plain/``."""
    root = tmp / "root"
    root.mkdir()
    for entry in dist.iterdir():
        (root / entry.name).symlink_to(entry.resolve())
    (root / "bench-plain").mkdir()
    for name, text in PLAIN_FILES.items():
        (root / "bench-plain" / name).write_text(text, encoding="utf-8")
    return root


def _plain_round(browser_type, server) -> dict[str, float]:
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


def _one_round(browser_type, server, skip: str = "") -> dict[str, float]:
    query = f"?startup={skip}" if skip else ""
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html{query}"
    profile = tempfile.TemporaryDirectory(prefix="kmeanslab-bench-profile-")
    context = browser_type.launch_persistent_context(
        profile.name, executable_path=chromium_path(), args=LAUNCH_ARGS
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        server.bytes_sent = 0
        first = _visit(page, url)
        first_bytes = server.bytes_sent
        saves = [kind for kind in ("snapshot", "pycache") if f"no-{kind}" not in skip
                 and not (kind == "pycache" and skip == "no-early")]
        n_cached = page.evaluate(OFFLINE_READY_JS, saves)
        offline_bytes = server.bytes_sent
        time.sleep(0.5)  # let the service worker finish writing before the reload
        server.bytes_sent = 0
        cached = _visit(page, None)
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


def run(ctx) -> None:
    """Measure ``ctx.repeat`` rounds: the plain baseline, then a first and a cached visit."""
    with tempfile.TemporaryDirectory(prefix="kmeanslab-bench-root-") as tmp:
        server = _server(_web_root(Path(ctx.dist), Path(tmp)))
        try:
            browser_type = ctx.page.context.browser.browser_type
            rounds = []
            variants: dict[str, list[dict[str, float]]] = {t: [] for t in TRICKS}
            for i in range(ctx.repeat):
                # The baseline and the page take turns, each going first every other
                # round: on a shared machine the load drifts within a round too.
                if i % 2:
                    ours = _one_round(browser_type, server)
                    plain = _plain_round(browser_type, server)
                else:
                    plain = _plain_round(browser_type, server)
                    ours = _one_round(browser_type, server)
                rounds.append({**plain, **ours})
                for trick in TRICKS if tricks else ():
                    variants[trick].append(_one_round(browser_type, server, trick))
        finally:
            server.shutdown()
            server.server_close()
    for r in rounds:
        r["first_ratio"] = r["first_ready"] / r["plain_first"]
        r["cached_ratio"] = r["cached_ready"] / r["plain_first"]
    med = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]
           if isinstance(rounds[0][key], (int, float)) and not isinstance(rounds[0][key], bool)}
    print_table(
        f"Start-up of index.html#points, median of {len(rounds)} fresh profiles (ms, MB)",
        ["", "first paint", "ready", "runtime", "packages", "import", "MB sent"],
        [
            ["first visit", med["first_paint"], med["first_ready"], med["first_runtime"],
             med["first_packages"], med["first_import"], med["first_mb"]],
            ["cached visit", med["cached_paint"], med["cached_ready"], med["cached_runtime"],
             med["cached_packages"], med["cached_import"], med["cached_mb"]],
        ],
    )
    print(f"\nThe service worker's install added {med['installed_mb'] - med['first_mb']:.2f} MB "
          f"after ready ({med['cached_files']:.0f} files cached); cached visits started from "
          f"the snapshot: {[r['cached_snapshot'] for r in rounds]}, with NumPy and kmeanslab "
          f"imported in it: {[r['cached_packages_in_snapshot'] for r in rounds]}, with the "
          f"byte-code cache: {[r['cached_pycache'] for r in rounds]}.")
    print_table(
        "Ready, round by round, against the plain Pyodide + NumPy page (ms; ratio to its "
        "first visit; runtime: loadPyodide there, the runtime phase here)",
        ["round", "plain first", "plain runtime", "plain cached", "first visit",
         "first runtime", "ratio", "cached visit", "cached packages+import", "ratio"],
        [[i + 1, r["plain_first"], r["plain_runtime"], r["plain_cached"], r["first_ready"],
          r["first_runtime"], r["first_ratio"], r["cached_ready"],
          r["cached_packages"] + r["cached_import"], r["cached_ratio"]]
         for i, r in enumerate(rounds)],
    )
    if tricks:
        _print_tricks(rounds, variants)
    checks = [
        ("first visit / plain (worst round)", max(r["first_ratio"] for r in rounds),
         TARGETS["first_ratio"], "x"),
        ("cached visit / plain (worst round)", max(r["cached_ratio"] for r in rounds),
         TARGETS["cached_ratio"], "x"),
        ("first visit sent", med["first_mb"], TARGETS["first_mb"], "MB"),
    ]
    print_table("Targets", ["", "measured", "target", "unit", "met"],
                [[name, value, target, unit, "yes" if value <= target else "NO"]
                 for name, value, target, unit in checks])


def _print_tricks(rounds, variants) -> None:
    """Each trick's gain: the page without it, as ratios to the same round's plain page."""
    def ratios(rs, key):
        return [r[key] / p["plain_first"] for r, p in zip(rs, rounds, strict=True)]

    rows = []
    for name, rs in [("all tricks (the page)", rounds)] + [
            (f"without {t.removeprefix('no-')}" if t.startswith("no-") else t, variants[t])
            for t in TRICKS]:
        first, cached = ratios(rs, "first_ready"), ratios(rs, "cached_ready")
        rows.append([name, statistics.median(first), max(first),
                     statistics.median(cached), max(cached)])
    print_table("Each start-up trick left out in turn (ready / the round's plain first visit)",
                ["page", "first median", "first worst", "cached median", "cached worst"], rows)
