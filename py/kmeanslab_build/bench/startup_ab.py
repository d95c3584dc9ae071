"""``bench startup --against OTHER_DIST``: this build's start-up against another build's.

A start-up change gains 50-200 ms, while one first visit moves by about 200 ms from
round to round on a shared 2-core machine; a few rounds of ``bench startup`` cannot tell
such a gain from noise. Here every round makes a first and a cached visit of both builds
and of the plain Pyodide page, each in a fresh browser profile, in an order that rotates
from round to round (the load drifts within a round too), each build from a server of
its own (another origin: nothing is shared between the two). Printed: each round's ready
times, the paired ratio this build / the other, its median, in how many rounds this build
was ready first, and the two-sided sign test's p-value of that count.

The other build is any ``dist/`` folder, such as an earlier commit's::

    git worktree add /tmp/old <commit>
    (cd /tmp/old && python build.py build --out /tmp/old-dist)
    python build.py bench startup --against /tmp/old-dist --repeat 12
"""

from __future__ import annotations

import math
import statistics
import tempfile
from pathlib import Path

from . import print_table
from .startup_visits import counting_server, one_round, plain_round, warm_up, web_root

#: rounds below which the printout warns that the paired test can hardly find anything
MIN_ROUNDS = 12


def check_dist(path: Path) -> Path:
    """``path`` resolved, if it holds a built site; else SystemExit naming ``--against``."""
    path = Path(path).resolve()
    missing = [name for name in ("index.html", "pyodide/pyodide-lock.json")
               if not (path / name).is_file()]
    if missing:
        raise SystemExit(f"--against {path}: not a built dist/ folder (no {', '.join(missing)});"
                         " build one with: python build.py build --out PATH")
    return path


def sign_test(wins: int, n: int) -> float:
    """Two-sided p-value of ``wins`` successes in ``n`` fair coin flips (the sign test)."""
    if n == 0:
        return 1.0
    low = min(wins, n - wins)
    tail = sum(math.comb(n, i) for i in range(low + 1)) / 2**n
    return min(1.0, 2 * tail)


def round_order(i: int) -> list[str]:
    """Who visits in what order in round ``i``: each of the three goes first in turn."""
    order = ["plain", "this", "other"]
    return order[i % 3:] + order[: i % 3]


def run(ctx, against: Path) -> None:
    """``ctx.repeat`` rounds of: the plain page, this build, the build at ``against``."""
    other = check_dist(against)
    with tempfile.TemporaryDirectory(prefix="kmeanslab-bench-ab-") as tmp:
        (Path(tmp) / "this").mkdir()
        (Path(tmp) / "other").mkdir()
        servers = {"this": counting_server(web_root(Path(ctx.dist), Path(tmp) / "this")),
                   "other": counting_server(web_root(other, Path(tmp) / "other"))}
        try:
            browser_type = ctx.page.context.browser.browser_type
            for server in servers.values():
                warm_up(browser_type, server)
            rounds = []
            for i in range(ctx.repeat):
                r = {}
                for who in round_order(i):
                    if who == "plain":
                        r.update(plain_round(browser_type, servers["this"]))
                    else:
                        got = one_round(browser_type, servers[who])
                        r.update({f"{who}_{key}": value for key, value in got.items()})
                rounds.append(r)
        finally:
            for server in servers.values():
                server.shutdown()
                server.server_close()
    _report(rounds, other)


def _report(rounds: list[dict], other: Path) -> None:
    for r in rounds:
        for who in ("this", "other"):
            r[f"{who}_ratio"] = r[f"{who}_first_ready"] / r["plain_first"]
        r["ab_first"] = r["this_first_ready"] / r["other_first_ready"]
        r["ab_cached"] = r["this_cached_ready"] / r["other_cached_ready"]
    print_table(
        f"First visits, this build against {other} (ready, ms; ratios to the round's plain "
        "first visit)",
        ["round", "plain", "this", "other", "this / plain", "other / plain", "this / other",
         "cached: this / other"],
        [[i + 1, r["plain_first"], r["this_first_ready"], r["other_first_ready"],
          r["this_ratio"], r["other_ratio"], r["ab_first"], r["ab_cached"]]
         for i, r in enumerate(rounds)],
    )
    rows = []
    for label, key in (("first visit", "first_ready"), ("cached visit", "cached_ready")):
        this = [r[f"this_{key}"] for r in rounds]
        that = [r[f"other_{key}"] for r in rounds]
        wins = sum(a < b for a, b in zip(this, that, strict=True))
        ties = sum(a == b for a, b in zip(this, that, strict=True))
        paired = [a / b for a, b in zip(this, that, strict=True)]
        rows.append([label, statistics.median(this), statistics.median(that),
                     statistics.median(paired), f"{wins} of {len(rounds) - ties}",
                     sign_test(wins, len(rounds) - ties)])
    print_table(f"Medians of {len(rounds)} alternated rounds (ms)",
                ["", "this build", "other build", "median of this / other",
                 "rounds this was ready first", "sign test p"], rows)
    if len(rounds) < MIN_ROUNDS:
        print(f"\n({len(rounds)} rounds: a first visit moves by about 200 ms from round to "
              f"round here; use --repeat {MIN_ROUNDS} or more to tell 50-200 ms apart.)")
