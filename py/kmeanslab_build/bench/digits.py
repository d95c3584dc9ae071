"""Digits: t-SNE (kmeanslab's FFT-interpolated NumPy t-SNE vs scikit-learn's Barnes-Hut)
and k-means on the 1,797 digits, natively and in the page.

Quality is measured natively on every embedding (wherever it was computed):
trustworthiness with 5 neighbours and the accuracy of KMeans(10, n_init=10,
random_state=0) on it after majority matching. Times are medians; ratios are against
scikit-learn's TSNE in the same place and run.
"""

from __future__ import annotations

import time

import numpy as np

from . import BenchContext, median_ms, print_table


def _drain(gen):
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def _quality(X: np.ndarray, y: np.ndarray, E: np.ndarray) -> tuple[float, float]:
    from sklearn.manifold import trustworthiness

    from kmeanslab import KMeans
    from kmeanslab.metrics._matching import matched_accuracy

    labels = KMeans(10, n_init=10, random_state=0).fit(E).labels_
    return trustworthiness(X, E, n_neighbors=5), matched_accuracy(labels, y, "majority")


def _native_tsne(X: np.ndarray, impl: str, repeat: int) -> tuple[float, np.ndarray]:
    if impl == "kmeanslab":
        from kmeanslab.manifold._t_sne import TSNE

        return median_ms(lambda: TSNE(2, init="pca", random_state=0).fit_transform(X), repeat)
    from sklearn.manifold import TSNE as SkTSNE

    return median_ms(lambda: SkTSNE(2, init="pca", random_state=0).fit_transform(X), repeat)


def _page_tsne(ctx: BenchContext, impl: str) -> tuple[float, float, np.ndarray]:
    """Wall ms seen from the page's caller, Python-side ms, and the embedding."""
    op = "digits_tsne" if impl == "kmeanslab" else "digits_bench_sklearn_tsne"
    times, py_times, E = [], [], None
    for _ in range(ctx.repeat):
        t0 = time.perf_counter()
        r = ctx.page_call(op, {})
        times.append((time.perf_counter() - t0) * 1000)
        py_times.append(r["seconds"] * 1000)
        E = np.asarray(r["embedding"], dtype=np.float64).reshape(-1, 2)
    return float(np.median(times)), float(np.median(py_times)), E


def run(ctx: BenchContext) -> None:
    from kmeanslab.app.digits import digits_kmeans
    from kmeanslab.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    rows = []
    results = {}
    for impl in ("sklearn", "kmeanslab"):
        ms, E = _native_tsne(X, impl, ctx.repeat)
        results[("native", impl)] = (ms, ms, E)
    ms_load = ctx.load_packages(["scikit-learn"])
    print(f"(scikit-learn loaded into the page in {ms_load:.0f} ms)")
    for impl in ("sklearn", "kmeanslab"):
        results[("page", impl)] = _page_tsne(ctx, impl)
    for place in ("page", "native"):
        base = results[(place, "sklearn")][0]
        for impl in ("sklearn", "kmeanslab"):
            ms, py_ms, E = results[(place, impl)]
            trust, acc = _quality(X, y, E)
            rows.append([place, impl, ms, py_ms, f"{ms / base:.2f}x", f"{trust:.4f}",
                         f"{acc:.4f}"])
    print_table("t-SNE of the 1,797 digits, then KMeans(10, n_init=10, random_state=0)",
                ["where", "t-SNE", "wall ms", "Python ms", "vs sklearn", "trust (5 nn)",
                 "accuracy"], rows)

    rows = []
    for preprocess in ("none", "pca"):
        args = {"n_clusters": 10, "n_init": 10, "random_state": 0, "preprocess": preprocess,
                "n_components": 10}
        native_ms, res = median_ms(lambda a=args: _drain(digits_kmeans(**a)), ctx.repeat)
        page_ms, page_res = median_ms(lambda a=args: ctx.page_call("digits_kmeans", a),
                                      ctx.repeat)
        rows.append([preprocess, native_ms, page_ms, f"{page_ms / native_ms:.2f}x",
                     f"{res['accuracy_majority']:.4f}", f"{page_res['accuracy_majority']:.4f}"])
    print_table("digits_kmeans, k=10, n_init=10 (median ms)",
                ["preprocess", "native ms", "page ms", "page / native", "accuracy native",
                 "accuracy page"], rows)
