"""Cost as work grows: k-means fit time against n, natively and in the page (issue 12).

2-d overlapping blobs, k=8, the same k-means++ initial centers for every implementation,
n_init=1. Each size is timed with the alternating-runs method of :mod:`.kmeans`
(implementations take turns after an untimed warm-up; median over ``--repeat`` turns).
Prints a Markdown table and the fitted log-log slope of ms per iteration against n per
implementation and place (1.0 = one pass over the data per iteration), and writes the raw
results as JSON for ``python build.py figures``.

Native fits run with every thread pool (OpenMP, BLAS) limited to one thread, as in the
page: on this shared 2-core machine under load, scikit-learn's OpenMP threads made a
1,000-point fit take ~500 ms instead of ~3 ms (threads waiting on each other at every
iteration's barrier), which measured the machine's load, not the algorithm's cost in n.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import BenchContext, print_table
from .kmeans import IMPLS, alternating, initial_centers, native, page

#: Sizes timed in this process; the page stops earlier to keep the run short (every
#: point crosses into the page as a JS number list).
NATIVE_SIZES = (1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
PAGE_SIZES = (1_000, 3_000, 10_000, 30_000, 100_000, 300_000)
K = 8
#: From here on the fixed per-call costs (validation, imports, the page's message round
#: trip) are small next to the passes over the data, so the slope above it is the one
#: that says whether an iteration stays one pass over the data.
LARGE_N = 30_000
#: Where the raw results go unless ``--json`` says otherwise (git-ignored).
DEFAULT_JSON = Path(__file__).resolve().parents[3] / ".bench" / "scaling.json"

json_path: Path = DEFAULT_JSON  # set by build.py from --json before run()


def blobs(n: int) -> np.ndarray:
    """``n`` x 2 float64 points from 8 overlapping Gaussian blobs (cluster_std=2.5 in a
    (-10, 10) box, so Lloyd needs a realistic few dozen iterations, not two)."""
    from sklearn.datasets import make_blobs

    return make_blobs(n, centers=K, cluster_std=2.5, random_state=0)[0]


def loglog_slope(n: Sequence[float], y: Sequence[float]) -> float:
    """Least-squares slope of log(y) against log(n): the exponent b of y ~ a * n**b.

    Raises ValueError when fewer than two positive pairs are given.
    """
    n_arr, y_arr = np.asarray(n, dtype=np.float64), np.asarray(y, dtype=np.float64)
    ok = (n_arr > 0) & (y_arr > 0)
    if ok.sum() < 2 or np.unique(n_arr[ok]).size < 2:
        raise ValueError(f"loglog_slope needs at least two distinct positive n with positive "
                         f"y; got n={n_arr.tolist()}, y={y_arr.tolist()}")
    return float(np.polyfit(np.log(n_arr[ok]), np.log(y_arr[ok]), 1)[0])


def slopes(results: list[dict[str, Any]],
           min_n: int = 0) -> dict[tuple[str, str], tuple[float, float]]:
    """(place, impl) -> (slope of ms per fit, slope of ms per iteration) against n, fitted
    on the sizes ``n >= min_n``; pairs with fewer than two such sizes are left out."""
    out = {}
    for place in ("native", "page"):
        for impl in IMPLS:
            rows = [r for r in results
                    if r["place"] == place and r["impl"] == impl and r["n"] >= min_n]
            if len({r["n"] for r in rows}) >= 2:
                n = [r["n"] for r in rows]
                out[(place, impl)] = (loglog_slope(n, [r["ms"] for r in rows]),
                                      loglog_slope(n, [r["ms"] / r["n_iter"] for r in rows]))
    return out


def run(ctx: BenchContext) -> None:
    ms_load = ctx.load_packages(["scikit-learn"])
    print(f"(scikit-learn loaded into the page in {ms_load:.0f} ms)")
    results: list[dict[str, Any]] = []
    rows = []
    for n in NATIVE_SIZES:
        X = blobs(n)
        C = initial_centers(X, K)
        for place in ("page", "native"):
            if place == "page" and n not in PAGE_SIZES:
                continue
            if place == "native":
                from threadpoolctl import threadpool_limits

                with threadpool_limits(1):
                    res = alternating(lambda impl, X=X, C=C: native(X, C, impl), ctx.repeat)
            else:
                res = alternating(lambda impl, X=X, C=C: page(ctx, X, C, impl), ctx.repeat)
            base = res["sklearn"][0]
            for impl, (ms, inertia, n_iter) in res.items():
                results.append({"n": n, "place": place, "impl": impl, "ms": ms,
                                "n_iter": n_iter, "inertia": inertia})
                per = ms * 1e6 / (n * max(n_iter, 1))  # ns per point per iteration
                rows.append([f"{n:,}", place, impl, ms, f"{ms / base:.2f}x", n_iter, per])
            print(f"  n={n:,} {place}: " + ", ".join(f"{i} {v[0]:.1f} ms"
                                                     for i, v in res.items()), flush=True)
    print_table(f"k-means time against n: 2-d blobs, k={K}, same initial centers, n_init=1 "
                "(median ms, alternating runs)",
                ["n", "where", "implementation", "ms", "vs sklearn", "iterations",
                 "ns / point / iteration"], rows)
    fitted, large = slopes(results), slopes(results, LARGE_N)
    print_table("log-log slope against n (1.0 = linear)",
                ["where", "implementation", "ms per fit", "ms per iteration",
                 f"ms per iteration, n >= {LARGE_N:,}"],
                [[p, i, f"{a:.2f}", f"{b:.2f}", f"{large[(p, i)][1]:.2f}"]
                 for (p, i), (a, b) in fitted.items()])
    payload = {
        "suite": "scaling", "k": K, "n_features": 2, "repeat": ctx.repeat,
        "native_threads": 1,
        "data": "make_blobs(n, centers=8, cluster_std=2.5, random_state=0)",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
                   f"{platform.python_version()}",
        "results": results,
        "slopes": [{"place": p, "impl": i, "per_fit": a, "per_iteration": b,
                    "per_iteration_large_n": large[(p, i)][1], "large_n": LARGE_N}
                   for (p, i), (a, b) in fitted.items()],
    }
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"\nwrote {json_path} (draw it with: python build.py figures)")
