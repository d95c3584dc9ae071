"""Worker entry points for ``python build.py bench``: time k-means implementations in the page.

Shipped with the site so the benchmark measures exactly what visitors run; the page
itself never calls these. scikit-learn must be loaded into Pyodide first.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..cluster import KMeans


def plain_lloyd(X: np.ndarray, centers: np.ndarray, max_iter: int = 300,
                tol: float = 1e-4) -> tuple[np.ndarray, float, int]:
    """The textbook vectorized Lloyd loop: all n*k distances by the ||x||^2 - 2x.c + ||c||^2
    identity every iteration, argmin, mean per cluster. The baseline to beat."""
    tol = tol * float(np.mean(np.var(X, axis=0)))
    x2 = np.einsum("ij,ij->i", X, X)[:, None]
    k = centers.shape[0]
    labels = np.zeros(X.shape[0], dtype=np.intp)
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        d = x2 - 2.0 * (X @ centers.T) + np.einsum("ij,ij->i", centers, centers)[None, :]
        labels = np.argmin(d, axis=1).astype(np.intp)
        counts = np.bincount(labels, minlength=k).astype(X.dtype)
        sums = np.stack([np.bincount(labels, X[:, j], minlength=k) for j in range(X.shape[1])], 1)
        new = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centers)
        shift = float(((new - centers) ** 2).sum())
        centers = new
        if shift <= tol:
            break
    d = ((X - centers[labels]) ** 2).sum()
    return labels, float(d), n_iter


def _kmeanslab(X, C, max_iter):
    m = KMeans(C.shape[0], init=C, n_init=1, max_iter=max_iter).fit(X)
    return m.inertia_, m.n_iter_


def _sklearn(X, C, max_iter):
    from sklearn.cluster import KMeans as SKKMeans

    m = SKKMeans(C.shape[0], init=C, n_init=1, max_iter=max_iter, algorithm="lloyd").fit(X)
    return m.inertia_, m.n_iter_


def _plain(X, C, max_iter):
    _, inertia, n_iter = plain_lloyd(X, C.copy(), max_iter)
    return inertia, n_iter


IMPLEMENTATIONS: dict[str, Callable[..., tuple[float, int]]] = {
    "kmeanslab": _kmeanslab,
    "sklearn": _sklearn,
    "plain": _plain,
}


#: data sent once by ``python build.py bench grid`` and fitted many times: key -> (X, C)
_KEPT: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def bench_kmeans(points: Any = None, n_features: int = 2, init_centers: Any = None,
                 impl: str = "kmeanslab", repeat: int = 3, max_iter: int = 300,
                 dtype: str = "float64", keep: str | None = None) -> dict[str, Any]:
    """Median ms of ``repeat`` fits of one implementation from the same initial centers.

    ``points`` arrive as float64 (float32 values are exact there) and are fitted as
    ``dtype`` ("float64" or "float32"). With ``keep``, the data is kept under that key and
    a later call with the same ``keep`` and no ``points`` fits it again (``keep=""``
    forgets everything kept). The result also names the path kmeanslab chose.
    """
    if keep == "":
        _KEPT.clear()
        return {}
    if points is None:
        X, C = _KEPT[keep]
    else:
        X = np.frombuffer(points, dtype=np.float64).astype(np.dtype(dtype))
        X = X.reshape(-1, int(n_features))
        C = np.frombuffer(init_centers, dtype=np.float64).reshape(-1, int(n_features))
        if keep is not None:
            _KEPT[keep] = (X, C)
    from ..cluster._lloyd import choose_path

    path = choose_path(X, C.shape[0])
    if int(repeat) == 0:  # only keep the data
        return {"path": path}
    fit = IMPLEMENTATIONS[impl]
    times = []
    t_all = time.perf_counter()
    for _ in range(int(repeat)):
        t0 = time.perf_counter()
        inertia, n_iter = fit(X, C, int(max_iter))
        times.append((time.perf_counter() - t0) * 1000)
    mean_ms = (time.perf_counter() - t_all) * 1000 / int(repeat)
    # (mean_ms: the page's clock ticks in 0.1 ms, so short fits are timed as a batch)
    return {"ms": float(np.median(times)), "mean_ms": mean_ms,
            "inertia": float(inertia), "n_iter": int(n_iter), "path": path}
