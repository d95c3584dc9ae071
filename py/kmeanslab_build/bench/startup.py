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
from pathlib import Path

from . import print_table, startup_ab
from .startup_visits import counting_server, one_round, plain_round, warm_up, web_root

#: set by build.py from --tricks: each round then also measures the page with each
#: start-up trick left out (the worker's ``?startup=`` switches, see engine.js)
tricks = False
TRICKS = ("no-early-worker", "no-early", "no-snapshot", "no-shipped-snapshot", "no-pycache",
          "no-wasm-gz", "snapshot-inline", "fetch-beside")
TARGETS = {"first_ratio": 1.0, "cached_ratio": 0.4, "first_mb": 20.0}
#: set by build.py from --against: another build's dist/ to alternate with (startup_ab)
against: Path | None = None


def run(ctx) -> None:
    """Measure ``ctx.repeat`` rounds: the plain baseline, then a first and a cached visit."""
    if against is not None:
        startup_ab.run(ctx, against)
        return
    with tempfile.TemporaryDirectory(prefix="kmeanslab-bench-root-") as tmp:
        server = counting_server(web_root(Path(ctx.dist), Path(tmp)))
        try:
            browser_type = ctx.page.context.browser.browser_type
            warm_up(browser_type, server)
            rounds = []
            variants: dict[str, list[dict[str, float]]] = {t: [] for t in TRICKS}
            for i in range(ctx.repeat):
                # The baseline and the page take turns, each going first every other
                # round: on a shared machine the load drifts within a round too.
                if i % 2:
                    ours = one_round(browser_type, server)
                    plain = plain_round(browser_type, server)
                else:
                    plain = plain_round(browser_type, server)
                    ours = one_round(browser_type, server)
                rounds.append({**plain, **ours})
                for trick in TRICKS if tricks else ():
                    variants[trick].append(one_round(browser_type, server, trick))
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
