"""Seeding k-means: greedy k-means++ (Arthur and Vassilvitskii, 2007, as scikit-learn
runs it) and random rows."""

from __future__ import annotations

import numpy as np

from ..utils._distances import (
    pass_rows,
    sq_dists_to_rows,
)
from ..utils.validation import (
    NONE,
    RANDOM_STATE,
    Interval,
    check_array,
    check_random_state,
    check_sample_weight,
    validate_params,
)
from . import _sparse
from ._k_means_common import _CHUNK


def _dense_and_dists(X):
    """(rows(idx) -> dense rows, dists(s, e, P) -> squared distances of rows s:e to P),
    for dense or scipy.sparse X."""
    if _sparse.is_sparse(X):
        xsq = _sparse.row_sq_norms(X)

        def dists(s, e, P):
            return _sparse.sq_dists_to_rows(X[s:e], xsq[s:e], P)

        return (lambda idx: _sparse.dense_rows(X, idx).astype(X.dtype)), dists
    return (lambda idx: X[idx]), (lambda s, e, P: sq_dists_to_rows(X[s:e], P))


# =========================================================================== k-means++
def _kmeans_plusplus(X, n_clusters, sample_weight, random_state, n_local_trials=None):
    """Greedy k-means++ seeding (scikit-learn's), for validated input.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features), dtype of X
    indices : ndarray of shape (n_clusters,), dtype intp
    """
    n, d = X.shape
    rows, dists = _dense_and_dists(X)
    centers = np.empty((n_clusters, d), dtype=X.dtype)
    indices = np.full(n_clusters, -1, dtype=np.intp)
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    w = sample_weight.astype(np.float64, copy=False)
    first = int(random_state.choice(n, p=w / w.sum()))
    centers[0] = rows([first])[0]
    indices[0] = first
    closest = dists(0, n, rows([first]))[0]
    pot = float(closest @ w)
    direct = n * n_local_trials <= (1 << 22)
    for c in range(1, n_clusters):
        rand_vals = random_state.uniform(size=n_local_trials) * pot
        cand = np.searchsorted(np.cumsum(w * closest), rand_vals).astype(np.intp)
        np.clip(cand, None, n - 1, out=cand)
        if direct:
            dist = dists(0, n, rows(cand))
            np.minimum(closest, dist, out=dist)
            pots = dist @ w
            best = int(np.argmin(pots))
            closest = dist[best]
        else:
            pots = np.zeros(n_local_trials)
            step = pass_rows(d, _CHUNK)
            P = rows(cand)
            for s in range(0, n, step):
                e = min(s + step, n)
                dist = dists(s, e, P)
                np.minimum(closest[s:e], dist, out=dist)
                pots += dist @ w[s:e]
            best = int(np.argmin(pots))
            for s in range(0, n, step):
                e = min(s + step, n)
                dist = dists(s, e, P[[best]])[0]
                np.minimum(closest[s:e], dist, out=closest[s:e])
        pot = float(pots[best])
        centers[c] = rows(cand[[best]])[0]
        indices[c] = cand[best]
    return centers, indices


def kmeans_plusplus(
    X,
    n_clusters: int,
    *,
    sample_weight=None,
    x_squared_norms=None,
    random_state=None,
    n_local_trials: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Initial cluster centers by greedy k-means++ (as scikit-learn's ``kmeans_plusplus``).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data to pick seeds from.
    n_clusters : int
        The number of centers to pick.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples; a point is drawn with probability proportional to its
        weight times its squared distance to the closest center already chosen.
    x_squared_norms : array-like of shape (n_samples,), default=None
        Accepted for compatibility with scikit-learn and ignored (the kernels here do
        not need them).
    random_state : int, numpy.random.Generator or None, default=None
        Seed or generator for the draws.
    n_local_trials : int, default=None
        Candidates tried per center; ``None`` means ``2 + int(ln(n_clusters))``.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    indices : ndarray of shape (n_clusters,), dtype intp
        ``X[indices] == centers``.
    """
    validate_params(
        {
            "n_clusters": [Interval("int", 1, None, "left")],
            "random_state": [RANDOM_STATE],
            "n_local_trials": [Interval("int", 1, None, "left"), NONE],
        },
        {"n_clusters": n_clusters, "random_state": random_state, "n_local_trials": n_local_trials},
        "kmeans_plusplus",
    )
    del x_squared_norms
    X = _sparse.check_sparse(X) if _sparse.is_sparse(X) else check_array(X)
    if X.shape[0] < n_clusters:
        raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={n_clusters}.")
    w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    return _kmeans_plusplus(X, n_clusters, w, check_random_state(random_state), n_local_trials)


def _init_kmeanspp(X, k, w, rng):
    return _kmeans_plusplus(X, k, w, rng)[0]


def _init_random(X, k, w, rng):
    p = w.astype(np.float64) / w.sum(dtype=np.float64)
    seeds = rng.choice(X.shape[0], size=k, replace=False, p=p)
    return _dense_and_dists(X)[0](seeds)


_INIT_METHODS = {"k-means++": _init_kmeanspp, "random": _init_random}
