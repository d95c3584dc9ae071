"""k-means speed: kmeanslab vs scikit-learn (lloyd) vs a plain NumPy Lloyd loop.

Same data, same initial centers, n_init=1, natively and in the page. The implementations
take turns fit by fit (after one untimed warm-up fit each) and each time is the median
over ``--repeat`` turns, also given as a ratio to scikit-learn's in the same place and run.
"""

from __future__ import annotations

import numpy as np

from . import BenchContext, median_ms, print_table

IMPLS = ("kmeanslab", "sklearn", "plain")


def workloads() -> dict[str, tuple[np.ndarray, int]]:
    """The issue's three workloads: (X, k)."""
    from sklearn.datasets import load_digits, load_sample_image, make_blobs

    blobs, _ = make_blobs(100_000, centers=8, random_state=0)
    china = load_sample_image("china.jpg").reshape(-1, 3).astype(np.float64) / 255
    digits = load_digits().data.astype(np.float64)
    return {"blobs 100k x 2, k=8": (blobs, 8), "china.jpg pixels, k=16": (china, 16),
            "digits 1797 x 64, k=10": (digits, 10)}


def initial_centers(X: np.ndarray, k: int) -> np.ndarray:
    from kmeanslab import kmeans_plusplus

    return kmeans_plusplus(X, k, random_state=0)[0]


def native(X: np.ndarray, C: np.ndarray, impl: str) -> tuple[float, float, int]:
    """One timed fit here: (ms, inertia, n_iter)."""
    from kmeanslab.app.bench import IMPLEMENTATIONS

    fit = IMPLEMENTATIONS[impl]
    ms, (inertia, n_iter) = median_ms(lambda: fit(X, C, 300), 1)
    return ms, inertia, n_iter


def page(ctx: BenchContext, X: np.ndarray, C: np.ndarray, impl: str) -> tuple[float, float, int]:
    """One timed fit in the page's worker: (ms, inertia, n_iter)."""
    r = ctx.page_call("bench_kmeans", {
        "points": X.ravel().tolist(), "n_features": X.shape[1],
        "init_centers": C.ravel().tolist(), "impl": impl, "repeat": 1,
    })
    return r["ms"], r["inertia"], r["n_iter"]


def alternating(measure, repeat: int) -> dict[str, tuple[float, float, int]]:
    """Median ms per implementation, the implementations taking turns run by run (the
    machines are shared: a slow spell then hits every implementation alike)."""
    times: dict[str, list[float]] = {impl: [] for impl in IMPLS}
    last: dict[str, tuple[float, int]] = {}
    for impl in IMPLS:  # warm-up (imports, first-call costs), not timed
        measure(impl)
    for _ in range(repeat):
        for impl in IMPLS:
            ms, inertia, n_iter = measure(impl)
            times[impl].append(ms)
            last[impl] = (inertia, n_iter)
    return {impl: (float(np.median(times[impl])), *last[impl]) for impl in IMPLS}


def run(ctx: BenchContext) -> None:
    ms_load = ctx.load_packages(["scikit-learn"])
    print(f"(scikit-learn loaded into the page in {ms_load:.0f} ms)")
    rows = []
    for name, (X, k) in workloads().items():
        C = initial_centers(X, k)
        for place in ("page", "native"):
            if place == "native":
                results = alternating(lambda impl, X=X, C=C: native(X, C, impl), ctx.repeat)
            else:
                results = alternating(lambda impl, X=X, C=C: page(ctx, X, C, impl), ctx.repeat)
            base = results["sklearn"][0]
            for impl, (ms, inertia, n_iter) in results.items():
                rel = inertia / results["sklearn"][1] - 1
                rows.append([name, place, impl, ms, f"{ms / base:.2f}x", n_iter,
                             f"{inertia:.6g}", f"{rel:+.1e}"])
    print_table("k-means, same initial centers, n_init=1 (median ms, alternating runs)",
                ["workload", "where", "implementation", "ms", "vs sklearn", "iterations",
                 "inertia", "inertia vs sklearn"], rows)
