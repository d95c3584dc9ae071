"""Entry points of the web worker: plain data in, plain data out, no UI logic.

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

from . import __version__, app_digits, app_image, datasets
from ._kmeans import KMeans, lloyd_steps

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
    "blobs": lambda n, centers, cluster_std, noise, seed: datasets.make_blobs(
        n, centers=centers, cluster_std=cluster_std, random_state=seed
    ),
    "moons": lambda n, centers, cluster_std, noise, seed: datasets.make_moons(
        n, noise=noise, random_state=seed
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
) -> Generator[Record, None, Record]:
    """Fit k-means, yielding a record per Lloyd iteration; return labels and centers.

    ``init_centers`` (a flat buffer of n_clusters * n_features values) overrides
    ``init`` when given, as the page does for hand-placed or shared initial centers.
    """
    X = _points(points, n_features)
    if init_centers is not None:
        init = _points(init_centers, n_features).copy()
    model = KMeans(
        n_clusters=int(n_clusters), init=init, n_init=n_init, max_iter=int(max_iter),
        tol=float(tol), random_state=random_state,
    )
    start = time.perf_counter()
    yield from model.fit_steps(X)
    elapsed = time.perf_counter() - start
    return {
        "labels": model.labels_.astype(np.int32),
        "centers": model.cluster_centers_,
        "inertia": float(model.inertia_),
        "n_iter": int(model.n_iter_),
        "inertia_per_init": np.asarray(model.inertia_per_init_, dtype=np.float64),
        "best_init": int(model.best_init_),
        "seconds": elapsed,
    }


def steps(
    points: Any,
    init_centers: Any,
    n_features: int = 2,
    max_iter: int = 300,
    tol: float = 1e-4,
) -> Generator[Record, None, Record]:
    """Every E and M step of Lloyd's algorithm from the given centers, for animation."""
    X = _points(points, n_features)
    centers = _points(init_centers, n_features).copy()
    last: Record = {}
    for record in lloyd_steps(X, centers, max_iter=int(max_iter), tol=float(tol)):
        last = {k: (v.astype(np.int32) if k == "labels" else v) for k, v in record.items()}
        yield last
    return last


OPERATIONS: dict[str, Callable[..., Any]] = {
    "info": info,
    "generate": generate,
    "fit": fit,
    "steps": steps,
    **app_image.OPERATIONS,
    **app_digits.OPERATIONS,
}
