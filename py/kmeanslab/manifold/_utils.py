"""t-SNE's input similarities: nearest neighbours, per-point bandwidths calibrated to the
perplexity (scikit-learn's ``_binary_search_perplexity``, run on all rows at once), and the
symmetrized joint probabilities ``P`` as a sparse list of edges."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np

_MACHINE_EPSILON = np.finfo(np.double).eps
_ROWS_PER_RECORD = 512


def nearest_neighbors(X: np.ndarray, n_neighbors: int, chunk: int = 256
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Squared Euclidean distances and indices of each row's nearest other rows.

    Returns
    -------
    dist2 : ndarray of shape (n_samples, n_neighbors), ascending per row
    index : ndarray of shape (n_samples, n_neighbors), dtype intp
    """
    return _drain(_neighbors_steps(X, n_neighbors, chunk))


def _drain(gen: Generator[Any, None, Any]) -> Any:
    """Run a generator to its end and return its value."""
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def _neighbors_steps(X: np.ndarray, n_neighbors: int, chunk: int = 256
                     ) -> Generator[int, None, tuple[np.ndarray, np.ndarray]]:
    """:func:`nearest_neighbors`, yielding the rows done after each chunk."""
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    k = int(n_neighbors)
    if not 1 <= k < n:
        raise ValueError(f"n_neighbors={k} must be from 1 to n_samples - 1 = {n - 1}.")
    sq = np.einsum("ij,ij->i", X, X)
    dist2 = np.empty((n, k))
    index = np.empty((n, k), dtype=np.intp)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        D = X[start:stop] @ X.T
        D *= -2.0
        D += sq[start:stop, None]
        D += sq[None, :]
        np.maximum(D, 0.0, out=D)
        rows = np.arange(stop - start)
        D[rows, rows + start] = np.inf  # not its own neighbour
        part = np.argpartition(D, k - 1, axis=1)[:, :k]
        d = np.take_along_axis(D, part, axis=1)
        order = np.argsort(d, axis=1, kind="stable")
        dist2[start:stop] = np.take_along_axis(d, order, axis=1)
        index[start:stop] = np.take_along_axis(part, order, axis=1)
        yield stop
    return dist2, index


def conditional_probabilities(dist2: np.ndarray, perplexity: float, tol: float = 1e-5,
                              max_iter: int = 100) -> np.ndarray:
    """Row-wise Gaussian probabilities over neighbours with the given perplexity.

    The same bisection on the precision ``beta`` as scikit-learn's
    ``_binary_search_perplexity`` (entropy in nats, tolerance ``tol``), run on all rows
    at once. Distances are shifted by each row's smallest before ``exp``, which leaves
    the probabilities and the entropy unchanged and avoids underflow.
    """
    d = dist2 - dist2[:, :1]
    n = d.shape[0]
    target = np.log(perplexity)
    beta = np.ones(n)
    lo = np.full(n, -np.inf)
    hi = np.full(n, np.inf)
    active = np.ones(n, dtype=bool)
    P = np.empty_like(d)
    for _ in range(max_iter):
        P = np.exp(-d * beta[:, None])
        s = P.sum(axis=1)
        P /= s[:, None]
        H = np.log(s) + beta * (d * P).sum(axis=1)
        diff = H - target
        active &= np.abs(diff) > tol
        if not active.any():
            break
        up = active & (diff > 0)
        down = active & (diff <= 0)
        lo[up] = beta[up]
        beta[up] = np.where(np.isinf(hi[up]), beta[up] * 2.0, (beta[up] + hi[up]) / 2.0)
        hi[down] = beta[down]
        beta[down] = np.where(np.isinf(lo[down]), beta[down] / 2.0, (beta[down] + lo[down]) / 2.0)
    return P


def joint_probabilities(X: np.ndarray, perplexity: float, n_neighbors: int | None = None
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Symmetric sparse ``P`` as edges ``(rows, cols, values)``, values summing to 1.

    Uses ``min(n - 1, 3 * perplexity + 1)`` neighbours, as scikit-learn does.
    Edges are sorted by row; both ``(i, j)`` and ``(j, i)`` are listed.
    """
    return _drain(_joint_steps(X, perplexity, n_neighbors))


def _joint_steps(X: np.ndarray, perplexity: float, n_neighbors: int | None = None
                 ) -> Generator[int, None, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """:func:`joint_probabilities`, yielding the rows whose neighbours are known."""
    n = X.shape[0]
    k = min(n - 1, int(3.0 * perplexity + 1)) if n_neighbors is None else int(n_neighbors)
    dist2, index = yield from _neighbors_steps(X, k)
    # The bisection is row by row, so it runs in chunks with a record between them: the
    # caller can be cancelled within one chunk (each ~20 ms natively for 512 rows).
    P = np.empty_like(dist2)
    for start in range(0, n, _ROWS_PER_RECORD):
        stop = min(start + _ROWS_PER_RECORD, n)
        P[start:stop] = conditional_probabilities(dist2[start:stop], perplexity)
        yield stop
    rows = np.repeat(np.arange(n, dtype=np.intp), k)
    cols = index.ravel()
    vals = P.ravel()
    # P + P^T: list both directions, merge duplicates.
    r = np.concatenate([rows, cols])
    c = np.concatenate([cols, rows])
    v = np.concatenate([vals, vals])
    key = r.astype(np.int64) * n + c
    order = np.argsort(key, kind="stable")
    key, v = key[order], v[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    v = np.add.reduceat(v, first)
    key = key[first]
    r = (key // n).astype(np.intp)
    c = (key % n).astype(np.intp)
    v /= max(v.sum(), _MACHINE_EPSILON)
    return r, c, v
