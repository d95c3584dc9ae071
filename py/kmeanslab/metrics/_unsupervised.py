"""Silhouette coefficients (scikit-learn's ``silhouette_samples`` / ``silhouette_score``).

For a point i of cluster A, with a(i) its mean distance to the other members of A and
b(i) the smallest mean distance to the members of another cluster,
s(i) = (b(i) - a(i)) / max(a(i), b(i)); s(i) = 0 when A has one member.

The pairwise Euclidean distances are computed a block of rows at a time with
elementwise per-dimension differences (no matrix products: those are slow in Pyodide,
which has no BLAS, and the difference form is also exact for near-duplicate points),
and reduced at once to per-cluster sums with ``np.add.reduceat`` over the columns
sorted by cluster. Memory stays at a few blocks of ``CHUNK_ELEMENTS`` floats whatever
the number of points.
"""

from __future__ import annotations

import numbers
from collections.abc import Generator

import numpy as np

__all__ = ["silhouette_samples", "silhouette_samples_steps", "silhouette_score"]

#: Elements of one block of the distance matrix (8 MB of float64).
CHUNK_ELEMENTS = 1 << 20


def _check_X_labels(X: object, labels: object) -> tuple[np.ndarray, np.ndarray, int]:
    """Validate; return float64 X, labels encoded to 0..k-1 (intp), and k."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        raise ValueError(
            f"X must be 2-d of shape (n_samples, n_features), got shape {X.shape}; "
            "reshape 1-d data with X.reshape(-1, 1)."
        )
    if X.ndim != 2:
        raise ValueError(f"X must be 2-d of shape (n_samples, n_features), got {X.shape}.")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinity.")
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-d, got shape {labels.shape}.")
    if len(labels) != len(X):
        raise ValueError(
            f"labels has {len(labels)} entries but X has {len(X)} samples; they must match."
        )
    _, codes = np.unique(labels, return_inverse=True)
    codes = codes.reshape(-1).astype(np.intp, copy=False)
    n_labels = int(codes.max()) + 1 if len(codes) else 0
    n_samples = len(X)
    if not 1 < n_labels < n_samples:
        raise ValueError(
            f"Number of labels is {n_labels}. Valid values are 2 to n_samples - 1 "
            f"(inclusive): silhouette needs at least 2 clusters and fewer clusters "
            f"than the {n_samples} samples."
        )
    return X, codes, n_labels


def _cluster_distance_sums(X: np.ndarray, codes: np.ndarray, n_labels: int) -> np.ndarray:
    """(n_samples, n_labels): sum of distances from each point to each cluster's points."""
    steps = _cluster_distance_sums_steps(X, codes, n_labels)
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def _cluster_distance_sums_steps(
    X: np.ndarray, codes: np.ndarray, n_labels: int
) -> Generator[float, None, np.ndarray]:
    """Like :func:`_cluster_distance_sums`, yielding the fraction done after each block."""
    n, d = X.shape
    order = np.argsort(codes, kind="stable").astype(np.intp)
    counts = np.bincount(codes, minlength=n_labels)
    starts = np.zeros(n_labels, dtype=np.intp)
    np.cumsum(counts[:-1], out=starts[1:])
    cols = np.ascontiguousarray(X[order].T)  # (d, n): each dimension contiguous
    rows = np.ascontiguousarray(X.T)
    sums = np.empty((n, n_labels), dtype=np.float64)
    step = max(1, min(n, CHUNK_ELEMENTS // max(n, 1)))
    acc = np.empty(step * n, dtype=np.float64)
    tmp = np.empty(step * n, dtype=np.float64)
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        D = acc[: (hi - lo) * n].reshape(hi - lo, n)
        T = tmp[: (hi - lo) * n].reshape(hi - lo, n)
        np.subtract(rows[0, lo:hi, None], cols[0][None, :], out=D)
        np.square(D, out=D)
        for j in range(1, d):
            np.subtract(rows[j, lo:hi, None], cols[j][None, :], out=T)
            np.square(T, out=T)
            D += T
        np.sqrt(D, out=D)
        sums[lo:hi] = np.add.reduceat(D, starts, axis=1)
        yield hi / n
    return sums


def _silhouette_from_sums(sums: np.ndarray, codes: np.ndarray) -> np.ndarray:
    n, n_labels = sums.shape
    counts = np.bincount(codes, minlength=n_labels).astype(np.float64)
    rows = np.arange(n, dtype=np.intp)
    own = counts[codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        intra = sums[rows, codes] / (own - 1)
        means = sums / counts
    means[rows, codes] = np.inf
    inter = means.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sil = (inter - intra) / np.maximum(intra, inter)
    sil[own == 1] = 0.0  # singleton clusters score 0, as in scikit-learn
    return np.nan_to_num(sil)


def silhouette_samples_steps(
    X: object, labels: object
) -> Generator[float, None, np.ndarray]:
    """:func:`silhouette_samples` as a generator yielding the fraction done (0..1).

    Each step is one block of ``CHUNK_ELEMENTS`` distances (a few ms), so a caller
    can report progress and stop early; the samples are the generator's return value.
    """
    X, codes, n_labels = _check_X_labels(X, labels)
    sums = yield from _cluster_distance_sums_steps(X, codes, n_labels)
    return _silhouette_from_sums(sums, codes)


def silhouette_samples(X: object, labels: object) -> np.ndarray:
    """Silhouette coefficient of each sample (Euclidean distance).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
        Cluster of each sample; any hashable values, at least 2 and at most
        n_samples - 1 distinct ones.

    Returns
    -------
    ndarray of shape (n_samples,), float64
        Values in [-1, 1]; 0 for members of single-point clusters.
    """
    X, codes, n_labels = _check_X_labels(X, labels)
    return _silhouette_from_sums(_cluster_distance_sums(X, codes, n_labels), codes)


def sample_indices(
    n_samples: int, sample_size: int | None, random_state: object = None
) -> np.ndarray | None:
    """Indices of the random subsample ``silhouette_score`` uses (None: all points).

    A permutation from ``np.random.default_rng(random_state)`` cut at ``sample_size``,
    so the same seed gives the same subsample.
    """
    if sample_size is None:
        return None
    if isinstance(sample_size, bool) or not isinstance(sample_size, numbers.Integral):
        raise TypeError(f"sample_size must be None or an int, got {sample_size!r}.")
    if not 1 <= sample_size:
        raise ValueError(f"sample_size={sample_size} should be >= 1.")
    if sample_size >= n_samples:
        return None
    rng = np.random.default_rng(random_state)
    return np.sort(rng.permutation(n_samples)[:sample_size]).astype(np.intp)


def silhouette_score(
    X: object,
    labels: object,
    *,
    sample_size: int | None = None,
    random_state: int | np.random.Generator | None = None,
) -> float:
    """Mean silhouette coefficient over all samples (or a random subsample).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
    sample_size : int or None, default=None
        If given and smaller than n_samples, score only this many points drawn
        without replacement (distances among them only, as scikit-learn does);
        the cost then falls from n_samples^2 to sample_size^2.
    random_state : int, Generator or None
        Seed of the subsample.

    Returns
    -------
    float
    """
    X_arr = np.asarray(X, dtype=np.float64)
    labels_arr = np.asarray(labels)
    idx = sample_indices(len(X_arr), sample_size, random_state)
    if idx is not None:
        if len(labels_arr) != len(X_arr):
            raise ValueError(
                f"labels has {len(labels_arr)} entries but X has {len(X_arr)} samples; "
                "they must match."
            )
        X_arr, labels_arr = X_arr[idx], labels_arr[idx]
    return float(np.mean(silhouette_samples(X_arr, labels_arr)))
