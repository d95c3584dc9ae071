"""Entry points of the web worker: plain data in, plain data out, no UI logic.

Arrays arrive as buffers (memoryviews of the page's typed arrays) plus their shape and
leave as NumPy arrays, which the bridge hands back as flat typed arrays. Long
operations are generators: they yield progress records and ``return`` the result.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable, Generator
from typing import Any

import numpy as np

from . import __version__, _generators, datasets
from ._kmeans import KMeans, MiniBatchKMeans, kmeans_plusplus, lloyd_steps

Record = dict[str, Any]


def _points(buffer: Any, n_features: int = 2, dtype: str = "float64") -> np.ndarray:
    """A (n, n_features) view of a flat buffer sent by the page."""
    flat = np.frombuffer(buffer, dtype=dtype)
    if n_features < 1 or flat.size % n_features:
        raise ValueError(
            f"points has {flat.size} values, not a multiple of n_features={n_features}."
        )
    return flat.reshape(-1, n_features)


def drain(operation: Any) -> tuple[list[Record], Any]:
    """Run an operation natively to its end: its progress records and its result.

    A long operation is a generator whose ``return`` value is the result; a plain
    operation's result is returned as it is, with no records.
    """
    if not isinstance(operation, Generator):
        return [], operation
    records = []
    while True:
        try:
            records.append(next(operation))
        except StopIteration as stop:
            return records, stop.value


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
    "circles": lambda n, centers, std, noise, seed: _generators.make_circles(
        n, noise=noise, factor=0.5, random_state=seed
    ),
    "anisotropic": lambda n, centers, std, noise, seed: _generators.make_anisotropic_blobs(
        n, centers=centers, random_state=seed
    ),
    "varied": lambda n, centers, std, noise, seed: _generators.make_varied_blobs(
        n, random_state=seed
    ),
    "uniform": lambda n, centers, std, noise, seed: _generators.make_uniform(
        n, random_state=seed
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
    """Initial centers as KMeans would choose them for one run.

    "random" picks ``n_clusters`` distinct points with ``RandomState(seed).permutation``,
    which is exactly the chapter's ``find_clusters(X, k, rseed=seed)``.
    """
    X = _points(points, n_features)
    k = int(n_clusters)
    if not 1 <= k <= X.shape[0]:
        raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={k}.")
    if init == "random":
        index = np.random.RandomState(int(random_state)).permutation(X.shape[0])[:k]
        centers = X[index]
    elif init == "k-means++":
        centers, _ = kmeans_plusplus(X, k, random_state=int(random_state))
    else:
        raise ValueError(
            f"init={init!r} is not a seeding method; expected 'k-means++' or 'random'."
        )
    return {"centers": np.asarray(centers, dtype=np.float64)}


def fit(
    points: Any,
    n_features: int = 2,
    n_clusters: int = 8,
    init: str | Any = "k-means++",
    init_centers: Any = None,
    n_init: int | str = "auto",
    max_iter: int = 300,
    tol: float = 1e-4,
    random_state: int | None = 0,
    method: str = "kmeans",
    batch_size: int = 1024,
) -> Generator[Record, None, Record]:
    """Fit k-means (Lloyd, or mini-batch), yielding progress; return labels and centers.

    ``init_centers`` (a flat buffer of n_clusters * n_features values) overrides
    ``init`` when given, as the page does for hand-placed or shared initial centers.
    """
    X = _points(points, n_features)
    if init_centers is not None:
        init = _points(init_centers, n_features).copy()
    common = dict(n_clusters=int(n_clusters), init=init, n_init=n_init, random_state=random_state)
    start = time.perf_counter()
    if method == "kmeans":
        model = KMeans(max_iter=int(max_iter), tol=float(tol), **common)
        yield from model.fit_steps(X)
    elif method == "minibatch":
        model = MiniBatchKMeans(max_iter=int(max_iter), batch_size=int(batch_size), **common)
        model.fit(X)
    else:
        raise ValueError(f"method={method!r} is not a k-means method; expected 'kmeans' or "
                         "'minibatch'.")
    elapsed = time.perf_counter() - start
    per_init = getattr(model, "inertia_per_init_", [model.inertia_])
    return {
        "labels": model.labels_.astype(np.int32),
        "centers": model.cluster_centers_.astype(np.float64),
        "inertia": float(model.inertia_),
        "n_iter": int(model.n_iter_),
        "inertia_per_init": np.asarray(per_init, dtype=np.float64),
        "best_init": int(getattr(model, "best_init_", 0)),
        "seconds": elapsed,
    }


def steps(
    points: Any,
    init_centers: Any,
    n_features: int = 2,
    max_iter: int = 300,
    tol: float = 1e-4,
) -> Generator[Record, None, Record]:
    """Every E and M step of Lloyd's algorithm from the given centers, for animation.

    The first record is the initial state (phase "init"); then "assign" and "update"
    records alternate, as :func:`kmeanslab.lloyd_steps` yields them.
    """
    X = _points(points, n_features)
    centers = _points(init_centers, n_features).copy()
    yield {"phase": "init", "iteration": 0, "centers": centers.copy()}
    last: Record = {}
    for record in lloyd_steps(X, centers, max_iter=int(max_iter), tol=float(tol)):
        last = {k: (v.astype(np.int32) if k == "labels" else v) for k, v in record.items()}
        yield last
    return {"records": int(last.get("iteration", 0))}


#: The operations of the other panels, by module: each module is imported on the first call
#: of one of its operations, not when the worker starts (tests check these names against
#: each module's own ``OPERATIONS``).
LAZY_OPERATIONS: dict[str, tuple[str, ...]] = {
    "app_image": ("image_quantize", "image_png", "image_bench"),
    "app_digits": ("digits_load", "digits_kmeans", "digits_tsne", "digits_predict",
                   "digits_bench_sklearn_tsne"),
    "app_bench": ("bench_kmeans",),
    "app_analysis": ("points_elbow", "points_silhouette", "points_spectral",
                     "points_compare_sklearn", "points_adjusted_rand"),
}


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """``module.OPERATIONS[name]``, looked up (and the module imported) when first called."""

    def operation(*args: Any, **kwargs: Any) -> Any:
        target = importlib.import_module(f".{module}", __package__).OPERATIONS[name]
        return target(*args, **kwargs)

    operation.__name__ = operation.__qualname__ = name
    operation.__doc__ = f"Runs kmeanslab.{module}.OPERATIONS[{name!r}] (imported on first use)."
    return operation


OPERATIONS: dict[str, Callable[..., Any]] = {
    "info": info,
    "generate": generate,
    "init_centers": init_centers,
    "fit": fit,
    "steps": steps,
    **{name: _lazy(module, name) for module, names in LAZY_OPERATIONS.items() for name in names},
}
