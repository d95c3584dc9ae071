"""Worker entry points of the Points panel: generate, seed, fit and step k-means.

Arrays arrive as buffers (memoryviews of the page's typed arrays) plus their shape and
leave as NumPy arrays, which the bridge hands back as flat typed arrays. Long
operations are generators: they yield progress records and ``return`` the result.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Generator
from typing import Any

import numpy as np

from .. import __version__, datasets
from ..cluster import MiniBatchKMeans, RandomSwapKMeans, lloyd_steps
from ..cluster._centroid import _centroid_index
from ._restarts import kept_run, kept_start, restart_inits

Record = dict[str, Any]


def _points(buffer: Any, n_features: int = 2, dtype: str = "float64") -> np.ndarray:
    """A (n, n_features) view of a flat buffer sent by the page."""
    flat = np.frombuffer(buffer, dtype=dtype)
    if n_features < 1 or flat.size % n_features:
        raise ValueError(
            f"points has {flat.size} values, not a multiple of n_features={n_features}."
        )
    return flat.reshape(-1, n_features)


def info() -> Record:
    """Versions of what runs in the worker."""
    return {
        "kmeanslab": __version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
    }


GENERATORS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "blobs": lambda n, centers, std, noise, seed: datasets.make_blobs(
        n, centers=centers, cluster_std=std, random_state=seed
    ),
    "moons": lambda n, centers, std, noise, seed: datasets.make_moons(
        n, noise=noise, random_state=seed
    ),
    "circles": lambda n, centers, std, noise, seed: datasets.make_circles(
        n, noise=noise, factor=0.5, random_state=seed
    ),
    "anisotropic": lambda n, centers, std, noise, seed: datasets.make_anisotropic_blobs(
        n, centers=centers, random_state=seed
    ),
    "varied": lambda n, centers, std, noise, seed: datasets.make_varied_blobs(
        n, random_state=seed
    ),
    "uniform": lambda n, centers, std, noise, seed: datasets.make_uniform(
        n, random_state=seed
    ),
    # "noise" is the overlap of the blobs here (0 to 1)
    "many": lambda n, centers, std, noise, seed: datasets.make_many_blobs(
        max(n, centers), centers, overlap=min(max(noise, 0.0), 1.0), random_state=seed
    ),
}


def generate(
    kind: str = "blobs",
    n_samples: int = 300,
    centers: int = 4,
    cluster_std: float = 0.6,
    noise: float = 0.05,
    random_state: int = 0,
) -> Record:
    """Generate a 2-d dataset; returns the points and their true groups."""
    if kind not in GENERATORS:
        raise ValueError(f"kind={kind!r} is not a dataset; expected one of {sorted(GENERATORS)}.")
    X, y = GENERATORS[kind](int(n_samples), int(centers), float(cluster_std), float(noise),
                            int(random_state))
    return {"points": np.asarray(X, dtype=np.float64), "truth": np.asarray(y, dtype=np.int32)}


def init_centers(
    points: Any,
    n_clusters: int = 8,
    init: str = "k-means++",
    random_state: int = 0,
    n_features: int = 2,
) -> Record:
    """The first restart's initial centers (:func:`restart_inits`): ``{"centers"}``."""
    X = _points(points, n_features)
    return {"centers": restart_inits(X, n_clusters, init, 1, random_state)[0]}


def fit(
    points: Any,
    n_features: int = 2,
    n_clusters: int = 8,
    init: str | Any = "k-means++",
    init_centers: Any = None,
    n_init: int | str = 1,
    max_iter: int = 300,
    tol: float = 1e-4,
    random_state: int | None = 0,
    method: str = "kmeans",
    batch_size: int = 1024,
    truth: Any = None,
) -> Generator[Record, None, Record]:
    """Fit k-means (Lloyd, mini-batch, or Lloyd with random swaps), yielding progress;
    return labels and centers.

    Lloyd's restarts start from :func:`restart_inits` (or from ``init_centers``, a flat
    buffer of n_clusters * n_features values, as the page sends hand-placed centers), as
    :func:`steps` does, so Run and Step by step agree; random swap starts from the first
    restart's centers. ``truth`` (an Int32Array of the true group of each point) adds
    ``n_true``, ``clusters_found`` (n_true minus the centroid index against the
    groups' means) and ``ari`` (the adjusted Rand index against the groups).
    Random swap records carry ``kind``, the swap counts, and on a kept swap the
    centers, the labels and the center that jumped (:meth:`RandomSwapKMeans.fit_steps`);
    its result adds the swap history and plain k-means' answer from the same seeding.
    """
    X = _points(points, n_features)
    k = int(n_clusters)
    runs = 1 if n_init == "auto" else int(n_init)
    start = time.perf_counter()
    if method == "kmeans":
        if init_centers is not None:
            k = len(_points(init_centers, n_features))
        model, _ = yield from kept_run(X, k, init, init_centers, runs, random_state, max_iter,
                                       tol, n_features=n_features)
    elif method == "random_swap":
        first = (_points(init_centers, n_features).copy() if init_centers is not None
                 else restart_inits(X, k, init, 1, random_state)[0])
        model = RandomSwapKMeans(n_clusters=k, init=first, random_state=random_state)
        extra = yield from _swap_records(model.fit_steps(X))
    elif method == "minibatch":
        if init_centers is not None:
            init = _points(init_centers, n_features).copy()
        model = MiniBatchKMeans(n_clusters=k, init=init, n_init=n_init,
                                random_state=random_state, max_iter=int(max_iter),
                                batch_size=int(batch_size))
        model.fit(X)
    else:
        raise ValueError(f"method={method!r} is not a k-means method; expected 'kmeans', "
                         "'minibatch' or 'random_swap'.")
    elapsed = time.perf_counter() - start
    per_init = getattr(model, "inertia_per_init_", [model.inertia_])
    result = {
        "labels": model.labels_.astype(np.int32),
        "centers": model.cluster_centers_.astype(np.float64),
        "inertia": float(model.inertia_),
        "n_iter": int(model.n_iter_),
        "inertia_per_init": np.asarray(per_init, dtype=np.float64),
        "best_init": int(getattr(model, "best_init_", 0)),
        "seconds": elapsed,
    }
    if method == "random_swap":
        result.update(extra)
    if truth is not None:
        result.update(_clusters_found(X, truth, model.cluster_centers_))
        # scored here, not by a second call: one worker round trip less per Run
        result["ari"] = _adjusted_rand(truth, result["labels"])
        if method == "random_swap":
            plain = _clusters_found(X, truth, result["plain_centers"])
            result["plain_clusters_found"] = plain["clusters_found"]
    return result


def _swap_records(steps: Generator[Record, None, None]) -> Generator[Record, None, Record]:
    """The page's records of a random swap fit; returns plain k-means' answer."""
    plain: Record = {}
    for record in steps:
        out = {k: (v.astype(np.int32) if k == "labels" else v) for k, v in record.items()}
        if record["kind"] == "start":
            plain = {"plain_labels": out["labels"], "plain_centers": out["centers"],
                     "plain_inertia": out["inertia"]}
        if record["kind"] != "final":
            yield out
        last = record
    return {**plain, "swaps_tried": last["swaps_tried"],
            "swaps_accepted": last["swaps_accepted"]}


def _adjusted_rand(truth: Any, labels: np.ndarray) -> float:
    """Adjusted Rand index of ``labels`` against the true groups ``truth``."""
    from ..metrics._classification import adjusted_rand_score

    y = np.frombuffer(truth, dtype=np.int32) if not isinstance(truth, np.ndarray) else truth
    return float(adjusted_rand_score(y, labels))


def _clusters_found(X: np.ndarray, truth: Any, centers: np.ndarray) -> Record:
    """How many true groups the centers found: groups minus the centroid index."""
    y = np.frombuffer(truth, dtype=np.int32) if not isinstance(truth, np.ndarray) else truth
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"truth has {y.shape[0]} labels for {X.shape[0]} points.")
    y = y.astype(np.intp)
    groups = np.flatnonzero(np.bincount(y[y >= 0]))
    keep = y >= 0
    counts = np.bincount(y[keep], minlength=groups.max() + 1)[groups]
    means = np.stack([np.bincount(y[keep], weights=X[keep, f])[groups] / counts
                      for f in range(X.shape[1])], axis=1)
    ci = _centroid_index(np.asarray(centers, dtype=np.float64), means)
    return {"n_true": int(groups.size), "clusters_found": int(groups.size - ci)}


def steps(
    points: Any,
    init_centers: Any = None,
    n_features: int = 2,
    max_iter: int = 300,
    tol: float = 1e-4,
    n_clusters: int | None = None,
    init: str = "k-means++",
    n_init: int = 1,
    random_state: int = 0,
) -> Generator[Record, None, Record]:
    """Every E and M step of Lloyd's algorithm from the start Run keeps, for animation.

    The start is ``init_centers`` (a flat buffer) or, without it, the kept one of
    :func:`restart_inits` (``n_clusters``, ``init``, ``n_init``, ``random_state``): with
    several restarts they are all fitted first, yielding ``{"phase": "restarts", "run",
    "n_runs", "iteration", "inertia"}``. Then the initial state (phase "init") and the
    "assign" and "update" records of :func:`kmeanslab.lloyd_steps`; the last one carries
    ``n_iter``, counted as ``KMeans.n_iter_``. Returns ``{"records", "n_iter",
    "inertia", "best_init", "inertia_per_init"}``.
    """
    X = _points(points, n_features)
    if init_centers is None and n_clusters is None:
        raise ValueError("steps needs init_centers or n_clusters.")
    centers, best, per_init = yield from kept_start(X, n_clusters, init, init_centers, n_init,
                                                     random_state, max_iter, tol, n_features)
    yield {"phase": "init", "iteration": 0, "centers": centers.copy()}
    last: Record = {}
    count = 0
    for record in lloyd_steps(X, centers, max_iter=int(max_iter), tol=float(tol)):
        last = {key: (v.astype(np.int32) if key == "labels" else v)
                for key, v in record.items()}
        count += 1
        yield last
    if per_init is None:
        per_init = [last["inertia"]]
    return {"records": count, "n_iter": int(last["n_iter"]), "inertia": float(last["inertia"]),
            "best_init": int(best), "inertia_per_init": np.asarray(per_init, dtype=np.float64)}


def points_sklearn_kmeans(
    points: Any,
    n_clusters: int = 8,
    n_init: int = 10,
    random_state: int = 0,
    truth: Any = None,
    n_features: int = 2,
) -> Record:
    """scikit-learn's ``KMeans(n_init=...)`` on the points, for the in-page benchmark of
    random swap (scikit-learn must be loaded into the page first).

    Returns ``{"inertia", "seconds"}``, plus ``n_true`` and ``clusters_found`` with
    ``truth``.
    """
    try:
        from sklearn.cluster import KMeans as SkKMeans
    except ImportError:
        raise ValueError("scikit-learn is not loaded in the page; load it first.") from None
    X = _points(points, n_features)
    start = time.perf_counter()
    model = SkKMeans(int(n_clusters), n_init=int(n_init), random_state=int(random_state)).fit(X)
    result: Record = {"inertia": float(model.inertia_), "seconds": time.perf_counter() - start}
    if truth is not None:
        result.update(_clusters_found(X, truth, model.cluster_centers_))
    return result
