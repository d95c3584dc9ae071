"""Finding every cluster: the SIPU benchmark sets (``../shared/sipu`` beside the clone).

For each set, 10 seeds each of kmeanslab's KMeans (k-means++, one init),
RandomSwapKMeans (default parameters) and scikit-learn's KMeans with n_init=1 and 10:
mean centroid index against the true clusters, the share of runs with CI = 0, and the
mean time per fit, all in the same run. scikit-learn runs with one thread (as kmeanslab
and the page do; its OpenMP threads only oversubscribe a shared machine). In the page:
the same on s1 (5,000 points, 15 clusters) through the worker's ``fit`` operation.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import numpy as np

from . import BenchContext, print_table

SETS = ("s1", "s4", "a1", "unbalance")
SEEDS = range(10)
_ROOT = Path(__file__).resolve().parents[3]


def sipu_dir() -> Path | None:
    """``shared/sipu`` beside the clone, or beside the folder that holds it."""
    for base in (_ROOT.parent, _ROOT.parent.parent):
        if (base / "shared" / "sipu").is_dir():
            return base / "shared" / "sipu"
    return None


def load(folder: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(folder / f"{name}.data.gz", "rt") as f:
        X = np.loadtxt(f, dtype=np.float64)
    with gzip.open(folder / f"{name}.labels0.gz", "rt") as f:
        y = np.loadtxt(f, dtype=np.int64)
    return X, y


def true_centers(X, y):
    return np.array([X[y == c].mean(axis=0) for c in np.unique(y) if c != 0])


def _methods():
    from sklearn.cluster import KMeans as SkKMeans

    from kmeanslab.cluster import KMeans, RandomSwapKMeans

    return {
        "kmeanslab KMeans": lambda k, s: KMeans(k, random_state=s),
        "RandomSwapKMeans": lambda k, s: RandomSwapKMeans(k, random_state=s),
        "sklearn n_init=1": lambda k, s: SkKMeans(k, n_init=1, random_state=s),
        "sklearn n_init=10": lambda k, s: SkKMeans(k, n_init=10, random_state=s),
    }


def native_table(folder: Path, sets=SETS, seeds=SEEDS) -> list[list]:
    """Rows (set, method, mean CI, success %, mean ms per fit)."""
    from threadpoolctl import threadpool_limits

    from kmeanslab.metrics import centroid_index

    rows = []
    for name in sets:
        X, y = load(folder, name)
        G = true_centers(X, y)
        for label, make in _methods().items():
            cis, t = [], 0.0
            for s in seeds:
                model = make(len(G), s)
                with threadpool_limits(1):
                    t0 = time.perf_counter()
                    model.fit(X)
                    t += time.perf_counter() - t0
                cis.append(centroid_index(model.cluster_centers_, G))
            rows.append([name, label, float(np.mean(cis)),
                         f"{100 * np.mean(np.equal(cis, 0)):.0f}%", t / len(cis) * 1000])
    return rows


def run(ctx: BenchContext) -> None:
    folder = sipu_dir()
    if folder is None:
        print("\nThe SIPU sets are not beside the clone (../shared/sipu): nothing to measure.")
        return
    print_table("SIPU sets, 10 seeds each: mean CI, runs with CI = 0, mean time per fit "
                "(ms), natively", ["set", "method", "mean CI", "CI = 0", "ms"],
                native_table(folder))
    if ctx.page is None:
        return
    X, y = load(folder, "s1")
    G = true_centers(X, y)
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

if __name__ == "__main__":  # the native table alone: python -m kmeanslab_build.bench.sipu
    run(BenchContext(None, 1))
