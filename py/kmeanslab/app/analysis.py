"""Worker operations of the Points panel's analyses: choosing k, spectral clustering,
comparison with scikit-learn.

Points arrive as a buffer of float64 interleaved x, y. Long operations are generators:
they yield small progress records often (every Lloyd iteration, every block of
distances) so the worker can report progress and cancel, and ``return`` their result.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

import numpy as np

from ..cluster._spectral import SpectralClustering
from ..metrics._unsupervised import sample_indices, silhouette_samples_steps

Record = dict[str, Any]


def _points(buffer: Any, name: str = "points") -> np.ndarray:
    """(n, 2) float64 view of a flat buffer of interleaved x, y."""
    flat = np.frombuffer(buffer, dtype=np.float64)
    if flat.size % 2:
        raise ValueError(f"{name} has {flat.size} values; expected interleaved x, y pairs.")
    X = flat.reshape(-1, 2)
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite coordinates.")
    return X


def _labels(buffer: Any, name: str) -> np.ndarray:
    if isinstance(buffer, np.ndarray):
        return buffer.astype(np.intp, copy=False).reshape(-1)
    return np.frombuffer(buffer, dtype=np.int32).astype(np.intp)


def _k_range(k_min: int, k_max: int, n: int, lowest: int, highest: int) -> np.ndarray:
    k_min, k_max = int(k_min), int(k_max)
    if k_min < lowest:
        raise ValueError(f"k_min={k_min} should be >= {lowest}.")
    if k_max < k_min:
        raise ValueError(f"k_max={k_max} should be >= k_min={k_min}.")
    if k_max > highest:
        raise ValueError(
            f"k_max={k_max} is too large for {n} points; use at most {highest}."
        )
    return np.arange(k_min, k_max + 1, dtype=np.int32)


def _fit_kmeans(
    X: np.ndarray, k: int, n_init: int, random_state: int | None, progress: Record
) -> Generator[Record, None, Any]:
    """Fit kmeanslab's KMeans, yielding ``progress`` plus the current inertia each
    Lloyd iteration; return the fitted model."""
    from ..cluster import KMeans

    model = KMeans(n_clusters=k, n_init=int(n_init), random_state=random_state)
    for record in model.fit_steps(X):
        yield {**progress, "inertia": float(record["inertia"]), "iteration": record["iteration"]}
    return model


def elbow_k(ks: np.ndarray, inertia: np.ndarray) -> int:
    """The elbow of a decreasing inertia curve: the point farthest below its chord.

    The "kneedle" rule on a log scale: k is scaled to [0, 1] and log(inertia) too;
    the chosen k is the one whose point lies farthest below the straight line from the
    first to the last point. The log scale makes the rule look at relative gains (the
    chapter's four blobs give k=4 for k_max from 6 to 10; on a linear scale the huge
    first drop pulls the choice towards small k). With fewer than 3 values of k, or a
    flat curve, it is the first k.
    """
    ks = np.asarray(ks, dtype=np.float64)
    y = np.asarray(inertia, dtype=np.float64)
    if len(ks) < 3 or not np.isfinite(y).all() or y.max() <= 0 or y.min() == y.max():
        return int(ks[0])
    y = np.log(np.maximum(y, 1e-12 * y.max()))
    x = (ks - ks[0]) / (ks[-1] - ks[0])
    y = (y - y.min()) / (y.max() - y.min())
    chord = y[0] + (y[-1] - y[0]) * x
    return int(ks[int(np.argmax(chord - y))])


def points_elbow(
    points: Any, k_min: int = 1, k_max: int = 10, n_init: int = 1, random_state: int | None = 0
) -> Generator[Record, None, Record]:
    """Inertia of k-means for each k in [k_min, k_max], and the elbow (see :func:`elbow_k`).

    Yields ``{"k", "inertia", "done", "total"}``: during each fit (``"iteration"`` set,
    inertia of that iteration) and once per finished k (``done`` counts finished ks).
    Returns ``{"k": int32, "inertia": float64, "suggested_k": int}``.
    """
    X = _points(points)
    ks = _k_range(k_min, k_max, len(X), 1, len(X))
    inertia = np.empty(len(ks), dtype=np.float64)
    for i, k in enumerate(ks.tolist()):
        progress = {"k": k, "done": i, "total": len(ks)}
        model = yield from _fit_kmeans(X, k, n_init, random_state, progress)
        inertia[i] = model.inertia_
        yield {"k": k, "inertia": float(inertia[i]), "done": i + 1, "total": len(ks)}
    return {"k": ks, "inertia": inertia, "suggested_k": elbow_k(ks, inertia)}


def points_silhouette(
    points: Any,
    k_min: int = 2,
    k_max: int = 10,
    chosen_k: int | None = None,
    n_init: int = 1,
    random_state: int | None = 0,
    sample_size: int | None = 5000,
) -> Generator[Record, None, Record]:
    """Mean silhouette of k-means for each k, and per-sample silhouettes for one k.

    k-means is fit on all points; silhouettes are computed on a fixed random subsample
    of ``sample_size`` points when there are more (the same subsample for every k;
    cost ~ sample_size^2 per k). Yields ``{"k", "done", "total", "stage": "kmeans" |
    "silhouette", "fraction"}`` (plus ``"inertia"`` while fitting, ``"mean_silhouette"``
    once per finished k).

    Returns
    -------
    dict
        ``k`` (int32), ``mean_silhouette`` (float64, NaN where k-means found fewer than
        2 distinct clusters), ``suggested_k`` (the k of the highest mean), ``chosen_k``
        (``chosen_k`` or else ``suggested_k``), ``samples`` (float64 silhouette of each
        scored point for chosen_k), ``labels`` (int32 cluster of each scored point, same
        order as ``samples``), ``sample_index`` (int32 index of each scored point in
        ``points``), ``all_labels`` (int32 cluster of every point for chosen_k),
        ``sampled`` (number of scored points).
    """
    X = _points(points)
    n = len(X)
    ks = _k_range(k_min, k_max, n, 2, n - 1)
    if chosen_k is not None:
        chosen_k = int(chosen_k)
        if not 2 <= chosen_k <= n - 1:
            raise ValueError(f"chosen_k={chosen_k} should be between 2 and {n - 1}.")
    idx = sample_indices(n, None if sample_size is None else int(sample_size), random_state)
    if idx is None:
        idx = np.arange(n, dtype=np.intp)
    X_scored = X[idx]
    extra = [chosen_k] if chosen_k is not None and chosen_k not in ks else []
    todo = ks.tolist() + extra
    means = np.full(len(ks), np.nan)
    per_k: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for i, k in enumerate(todo):
        progress = {"k": k, "done": i, "total": len(todo), "stage": "kmeans", "fraction": 0.0}
        model = yield from _fit_kmeans(X, k, n_init, random_state, progress)
        labels = np.asarray(model.labels_, dtype=np.intp)
        samples = np.zeros(len(idx))
        if len(np.unique(labels[idx])) >= 2 and len(np.unique(labels[idx])) < len(idx):
            steps = silhouette_samples_steps(X_scored, labels[idx])
            while True:
                try:
                    fraction = next(steps)
                except StopIteration as stop:
                    samples = stop.value
                    break
                yield {**progress, "stage": "silhouette", "fraction": float(fraction)}
            mean = float(samples.mean())
        else:
            mean = float("nan")
        if i < len(ks):
            means[i] = mean
        if chosen_k is None or k == chosen_k:
            per_k[k] = (samples, labels)
        yield {"k": k, "done": i + 1, "total": len(todo), "stage": "silhouette",
               "fraction": 1.0, "mean_silhouette": mean}
    suggested = int(ks[int(np.nanargmax(means))]) if np.isfinite(means).any() else int(ks[0])
    chosen = suggested if chosen_k is None else chosen_k
    samples, labels = per_k[chosen]
    return {
        "k": ks,
        "mean_silhouette": means,
        "suggested_k": suggested,
        "chosen_k": chosen,
        "samples": np.asarray(samples, dtype=np.float64),
        "labels": labels[idx].astype(np.int32),
        "sample_index": idx.astype(np.int32),
        "all_labels": labels.astype(np.int32),
        "sampled": len(idx),
    }


def points_spectral(
    points: Any, n_clusters: int = 2, n_neighbors: int = 10, random_state: int | None = 0
) -> Generator[Record, None, Record]:
    """Spectral clustering (kNN affinity); yields ``{"stage", "fraction"}`` with stage
    "neighbors" | "embedding" | "kmeans"; returns ``{"labels": int32, "seconds"}``."""
    X = _points(points)
    model = SpectralClustering(
        int(n_clusters), n_neighbors=int(n_neighbors), random_state=random_state
    )
    start = time.perf_counter()
    yield from model.fit_steps(X)
    return {"labels": model.labels_.astype(np.int32), "seconds": time.perf_counter() - start}


def points_compare_sklearn(
    points: Any,
    init_centers: Any = None,
    n_clusters: int = 8,
    max_iter: int = 300,
    tol: float = 1e-4,
    init: str = "k-means++",
    n_init: int = 1,
    random_state: int = 0,
) -> Generator[Record, None, Record]:
    """Lloyd's k-means by kmeanslab and by scikit-learn from the same initial centers:
    ``init_centers`` (a flat buffer), or else the start of the restart the page's Run
    keeps (:func:`kmeanslab.app.points.kept_start`), so the kmeanslab row shows Run's
    inertia and iteration count.

    scikit-learn must be loaded first (it is imported here). Yields ``{"stage"}`` records
    between the fits (and the restarts' progress); returns ``{"kmeanslab": {"inertia",
    "n_iter", "ms"}, "sklearn": {...}, "same_labels": bool, "best_init": int}``.
    """
    try:
        from sklearn.cluster import KMeans as SkKMeans
    except ImportError:
        raise ValueError(
            "scikit-learn is not loaded in the page; load it before comparing."
        ) from None
    from ..cluster import KMeans
    from ._restarts import kept_start

    X = _points(points)
    if init_centers is not None:
        centers = _points(init_centers, "init_centers").copy()
        if len(centers) != int(n_clusters):
            raise ValueError(
                f"init_centers has {len(centers)} centers but n_clusters={int(n_clusters)}."
            )
    centers, best, _ = yield from kept_start(X, int(n_clusters), init, init_centers,
                                             int(n_init), random_state, max_iter, tol)
    results: Record = {"best_init": best}
    labels = {}
    for name, cls, extra in (
        ("kmeanslab", KMeans, {}),
        ("sklearn", SkKMeans, {"algorithm": "lloyd"}),
    ):
        yield {"stage": name}
        model = cls(n_clusters=int(n_clusters), init=centers.copy(), n_init=1,
                    max_iter=int(max_iter), tol=float(tol), **extra)
        start = time.perf_counter()
        model.fit(X)
        ms = (time.perf_counter() - start) * 1000.0
        results[name] = {"inertia": float(model.inertia_), "n_iter": int(model.n_iter_), "ms": ms}
        labels[name] = np.asarray(model.labels_)
    results["same_labels"] = bool(np.array_equal(labels["kmeanslab"], labels["sklearn"]))
    return results


def points_adjusted_rand(labels_a: Any, labels_b: Any) -> Record:
    """Adjusted Rand index of two int32 labelings: ``{"ari": float}``."""
    from ..metrics._classification import adjusted_rand_score

    a, b = _labels(labels_a, "labels_a"), _labels(labels_b, "labels_b")
    if len(a) != len(b):
        raise ValueError(f"labels_a has {len(a)} entries but labels_b has {len(b)}.")
    return {"ari": float(adjusted_rand_score(a, b))}
