"""Finding every cluster: the SIPU benchmark sets (``../shared/sipu`` beside the clone),
and fresh sets of the same kinds.

For each set, 10 seeds each of kmeanslab's KMeans (k-means++, one init),
RandomSwapKMeans (default parameters) and scikit-learn's KMeans with n_init=1 and 10:
mean centroid index against the true clusters, the share of runs with CI = 0, the mean
time per fit, and its ratio to scikit-learn's n_init=10, all in the same run. The
methods take turns seed by seed (the order rotates), so that a busy spell of this shared
machine falls on all of them. Every fit runs on one BLAS/OpenMP thread, as kmeanslab and
the page do; its time is the process's CPU time (on one thread, the fit's work: wall
time on this shared machine measured the other agents' load, up to 5x). The generated
sets (:func:`kmeanslab.datasets.make_benchmark_like`, two
instances per kind) stand in for the benchmark's sets kept aside. In the page: s1
(5,000 points, 15 clusters) through the worker's ``fit`` operation.

The Birch sets (100,000 points, 100 clusters; tens of seconds per scikit-learn fit) are
the opt-in suite ``birch`` (:mod:`.birch`), which uses :func:`native_table` here.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from kmeanslab.datasets._benchmark_like import (
    SIPU_SETS,
    _class_means,
    _load_sipu,
    _sipu_folder,
)

from . import BenchContext, print_table

SEEDS = range(10)
# kinds of the benchmark generated afresh (two instances each): those of the sets kept
# aside (the A and S series, Unbalance, a Dim set, G2 sets from little to heavy overlap)
KINDS = ("s1", "s2", "s3", "s4", "a1", "a2", "a3", "unbalance", "dim32", "g2-2-30",
         "g2-64-60", "g2-1024-30")
INSTANCES = 2
_ROOT = Path(__file__).resolve().parents[3]


def sipu_dir() -> Path | None:
    return _sipu_folder(_ROOT)


def _methods():
    from sklearn.cluster import KMeans as SkKMeans

    from kmeanslab.cluster import KMeans, RandomSwapKMeans

    return {
        "kmeanslab KMeans": lambda k, s: KMeans(k, random_state=s),
        "RandomSwapKMeans": lambda k, s: RandomSwapKMeans(k, random_state=s),
        "sklearn n_init=1": lambda k, s: SkKMeans(k, n_init=1, random_state=s),
        "sklearn n_init=10": lambda k, s: SkKMeans(k, n_init=10, random_state=s),
    }


def native_table(datasets, seeds=SEEDS) -> list[list]:
    """``datasets``: (name, X, true centers) triples. Rows (set, method, mean CI,
    CI = 0 share, mean ms per fit, ratio to scikit-learn n_init=10), the methods of a
    set timed in turns."""
    from threadpoolctl import threadpool_limits

    from kmeanslab.metrics import centroid_index

    methods = _methods()
    names = list(methods)
    rows = []
    for name, X, G in datasets:
        cis = {m: [] for m in names}
        secs = dict.fromkeys(names, 0.0)
        for i, s in enumerate(seeds):
            for m in names[i % len(names):] + names[:i % len(names)]:
                model = methods[m](len(G), s)
                with threadpool_limits(1):
                    t0 = time.process_time()
                    model.fit(X)
                    secs[m] += time.process_time() - t0
                cis[m].append(centroid_index(model.cluster_centers_, G))
        base = secs["sklearn n_init=10"]
        for m in names:
            rows.append([name, m, float(np.mean(cis[m])),
                         f"{100 * np.mean(np.equal(cis[m], 0)):.0f}%",
                         secs[m] / len(cis[m]) * 1000, f"{secs[m] / base:.2f}"])
    return rows


def sipu_sets(folder: Path):
    for name in SIPU_SETS:
        X, y = _load_sipu(folder, name)
        yield name, X, _class_means(X, y)


def generated_sets(kinds=KINDS, instances=INSTANCES):
    from kmeanslab.datasets import make_benchmark_like

    for kind in kinds:
        for i in range(instances):
            X, y = make_benchmark_like(kind, random_state=1000 + i)
            yield f"{kind} #{i + 1}", X, _class_means(X, y + 1)


HEADERS = ["set", "method", "mean CI", "CI = 0", "ms", "x sklearn n_init=10"]


def run(ctx: BenchContext) -> None:
    folder = sipu_dir()
    if folder is None:
        print("\nThe SIPU sets are not beside the clone (../shared/sipu): skipping them.")
    else:
        print_table("SIPU sets, 10 seeds each: mean CI, runs with CI = 0, mean time per "
                    "fit (ms), natively", HEADERS, native_table(sipu_sets(folder)))
    print_table(f"Generated sets of the benchmark's kinds ({INSTANCES} per kind, 10 seeds "
                "each), natively", HEADERS, native_table(generated_sets()))
    if ctx.page is None or folder is None:
        return
    page_table(ctx, folder)


def page_table(ctx: BenchContext, folder: Path) -> None:
    """s1 in the page: clusters found and ms per fit, seeds 0-2."""
    X, y = _load_sipu(folder, "s1")
    G = _class_means(X, y)
    common = {"points": X.ravel().tolist(), "n_clusters": len(G), "truth": (y - 1).tolist(),
              "__typed__": {"truth": "Int32Array"}}
    ms_load = ctx.load_packages(["scikit-learn"])
    print(f"\n(scikit-learn loaded into the page in {ms_load:.0f} ms)")
    rows = []
    for label, op, args in (
        ("kmeanslab KMeans n_init=1", "fit", {"method": "kmeans", "n_init": 1}),
        ("kmeanslab KMeans n_init=10", "fit", {"method": "kmeans", "n_init": 10}),
        ("RandomSwapKMeans", "fit", {"method": "random_swap"}),
        ("sklearn KMeans n_init=10", "points_sklearn_kmeans", {"n_init": 10}),
    ):
        found, ms = [], []
        for s in range(3):
            r = ctx.page_call(op, {**common, "random_state": s, **args})
            ms.append(r["seconds"] * 1000)
            found.append(r["clusters_found"])
        rows.append([label, f"{np.mean(found):.1f} of {len(G)}", float(np.mean(ms))])
    print_table("In the page: s1 (5,000 points, 15 clusters), seeds 0-2: clusters found, "
                "mean ms in Python per fit", ["method", "clusters found", "ms"], rows)


if __name__ == "__main__":  # the native tables alone: python -m kmeanslab_build.bench.sipu
    run(BenchContext(None, 1))
