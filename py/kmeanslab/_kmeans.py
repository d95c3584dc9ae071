"""K-means clustering in pure NumPy, with scikit-learn's API and semantics.

The exact Lloyd algorithm (same fixed point and convergence rule as scikit-learn's
``algorithm="lloyd"``) is run with distance bounds that prove most labels unchanged
without computing any distance:

* large data (``n_samples * n_clusters > 2**18``): Hamerly's bounds, kept lazily through
  cumulative center drifts (a skipped point costs one gather and two comparisons per
  iteration), plus each point's runner-up center and a bound on the third closest, so
  most undecided points are settled by two exact distances instead of ``n_clusters``;
* small data: Elkan's per-center lower bounds, with few NumPy calls per iteration.

Cluster sums are updated incrementally from the points that changed label, and data with
many repeated rows (images: 8-bit colors) is fitted on its distinct rows with summed
weights, which is the same problem.

Everything is written for Pyodide too: one thread, no BLAS (few and small matrix
products), ``np.intp`` labels and indices (int32 on wasm32), bounded memory (chunks).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from ._distances import (
    SMALL_D,
    NearestKernel,
    inertia_exact,
    pass_rows,
    sq_dist_to_assigned,
    sq_dists_to_rows,
)
from ._elkan import ELKAN_MAX_ENTRIES, lloyd_elkan, round_offset
from ._grid import GRID_MAX_D, GRID_MAX_K, GRID_MIN_ROWS, GridFilter
from ._validation import (
    ARRAY_LIKE,
    NONE,
    RANDOM_STATE,
    ConvergenceWarning,
    Interval,
    StrOptions,
    check_array,
    check_is_fitted,
    check_n_features,
    check_random_state,
    check_sample_weight,
    validate_params,
)

__all__ = ["KMeans", "MiniBatchKMeans", "kmeans_plusplus", "lloyd_steps"]

_CHUNK = 1 << 15  # rows per chunk for passes over the whole data


# =========================================================================== helpers
class ColumnStats(NamedTuple):
    """What :func:`_column_stats` returns (float64 throughout)."""

    mean: np.ndarray  # per-feature mean
    mean_variance: float  # mean per-feature variance
    radius: float  # upper bound of the distance of any row to the mean
    # (X - offset, squared row norms of it, offset) when kept; offset: see round_offset
    centered: tuple | None = None


def _column_stats(X, keep_centered: bool = False) -> ColumnStats:
    """Per-feature mean, mean per-feature variance, and an upper bound of the distance of
    any row to the mean, in chunks.

    Narrow data is reduced column by column: a reduction over axis 0 of an ``(n, 3)``
    array is tens of times slower than three contiguous column passes in Pyodide. With
    ``keep_centered``, wide data that fits one chunk also returns its rows shifted by
    :func:`~kmeanslab._elkan.round_offset` and their squared norms, which the small-data
    loop needs anyway.
    """
    n, d = X.shape
    step = pass_rows(d, 1 << 18)
    narrow = d <= 8
    mean = np.zeros(d)
    for s in range(0, n, step):
        block = X[s : s + step]
        if narrow:
            for j in range(d):
                mean[j] += float(block[:, j].sum(dtype=np.float64))
        else:
            mean += np.einsum("ij->j", block, dtype=np.float64)
    mean /= n
    ssq = np.zeros(d)
    r2 = 0.0
    centered = None
    keep = keep_centered and not narrow and n <= step
    if keep:  # one pass: rows shifted by the rounded offset, from which the stats follow
        # the spread that sets the rounding is guessed from 64 rows: their variance is at
        # most about n / 64 times the data's, so the offset stays within a few spreads of
        # the mean (mild cancellation); a sample of equal rows means shifting by a row
        spread = float(np.sqrt(np.mean(X[:: max(n // 64, 1)].var(axis=0, dtype=np.float64))))
        offset = round_offset(mean, spread, X[0])
        diff = X - offset
        rowsq = np.einsum("ij,ij->i", diff, diff)
        delta = mean - offset
        dd = float(delta @ delta)
        # the mean per-feature variance is the mean squared distance to the mean over d
        ssq = np.full(d, (float(rowsq.sum()) - n * dd) / d)
        r2 = (math.sqrt(float(rowsq.max())) + math.sqrt(dd)) ** 2
        centered = (diff, rowsq, offset)
    for s in range(0, 0 if keep else n, step):
        block = X[s : s + step]
        if not narrow:  # wide data: whole rows at once
            diff = block - mean
            ssq += np.einsum("ij,ij->j", diff, diff)
            r2 = max(r2, float(np.einsum("ij,ij->i", diff, diff).max()))
            continue
        rowsq = None
        for j in range(d):  # narrow data: long contiguous passes, column by column
            col = block[:, j] - mean[j]
            np.multiply(col, col, out=col)
            ssq[j] += float(col.sum(dtype=np.float64))
            if rowsq is None:
                rowsq = col
            else:
                rowsq += col
        r2 = max(r2, float(rowsq.max()))
    # the largest row distance, a hair up for its rounding
    radius = math.sqrt(r2) * (1 + 1e-12) + 1e-300
    return ColumnStats(mean, float(np.mean(ssq / n)), radius, centered)


def _tolerance(X, tol, mean_variance=None) -> float:
    """Absolute tolerance: ``tol`` times the mean per-feature variance (like scikit-learn)."""
    if tol == 0:
        return 0.0
    if mean_variance is None:
        mean_variance = _column_stats(X)[1]
    return float(mean_variance * tol)


def _label_sums(X, ws, labels, k, offset):
    """Per-cluster sums of ``w (x - offset)``, of ``w`` and of ``w ||x - offset||^2``.

    ``ws=None`` means unit weights.
    """
    d = X.shape[1]
    W = np.bincount(labels, weights=ws, minlength=k).astype(np.float64)
    if d <= 8:  # column by column: long contiguous passes, no (m, d) temporaries
        S = np.empty((k, d))
        rowsq = None
        for j in range(d):
            col = X[:, j] - offset[j]
            S[:, j] = np.bincount(labels, weights=col if ws is None else col * ws, minlength=k)
            np.multiply(col, col, out=col)
            if rowsq is None:
                rowsq = col
            else:
                rowsq += col
    else:  # rows sorted by label, summed per label (np.add.at is far slower)
        Xs = X - offset
        rowsq = np.einsum("ij,ij->i", Xs, Xs)
        if ws is not None:
            Xs *= ws[:, None]
        order = np.argsort(labels, kind="stable")
        counts = np.bincount(labels, minlength=k)
        starts = np.zeros(k, dtype=np.intp)
        np.cumsum(counts[:-1], out=starts[1:])
        S = np.zeros((k, d))
        nz = counts > 0
        if nz.any():
            S[nz] = np.add.reduceat(Xs[order], starts[nz], axis=0)
    Q = np.bincount(labels, weights=rowsq if ws is None else rowsq * ws, minlength=k)
    return S, W, Q


class _Sums:
    """Cluster statistics relative to ``offset``: weighted sums, weights, squared norms."""

    def __init__(self, X, w, labels, k, offset):
        self.X, self.k, self.offset = X, k, offset
        self.w = None if bool(np.all(w == 1)) else w  # None: unit weights
        if labels is not None:  # None: the caller fills S, W, Q and counts
            self.full(labels)

    def full(self, labels):
        n, d = self.X.shape
        k = self.k
        self.S, self.W, self.Q = np.zeros((k, d)), np.zeros(k), np.zeros(k)
        step = pass_rows(d, 1 << 17)
        for s in range(0, n, step):
            ws = None if self.w is None else self.w[s : s + step]
            S, W, Q = _label_sums(self.X[s : s + step], ws, labels[s : s + step], k, self.offset)
            self.S += S
            self.W += W
            self.Q += Q
        self.counts = np.bincount(labels, minlength=k).astype(np.intp)

    _SMALL_MOVE = 1 << 12  # moves * n_clusters up to which wide data uses a small product

    def move(self, idx, old, new):
        """Points ``idx`` left clusters ``old`` for clusters ``new``."""
        Xi = self.X[idx]
        ws = np.ones(idx.size) if self.w is None else self.w[idx].astype(np.float64)
        m = idx.size
        if Xi.shape[1] > SMALL_D and m * self.k <= self._SMALL_MOVE:
            # few rows of wide data: one (k, m) x (m, d) product of signed weights, far
            # cheaper in Pyodide than the sort and reduceat of _label_sums
            Xs = Xi - self.offset
            M = np.zeros((self.k, m))
            ar = np.arange(m, dtype=np.intp)
            M[new, ar] = ws
            M[old, ar] -= ws
            self.S += M @ Xs
            self.W += np.bincount(new, weights=ws, minlength=self.k)
            self.W -= np.bincount(old, weights=ws, minlength=self.k)
            self.Q += M @ np.einsum("ij,ij->i", Xs, Xs)
        else:
            S, W, Q = _label_sums(
                np.concatenate([Xi, Xi]), np.concatenate([ws, -ws]),
                np.concatenate([new, old]), self.k, self.offset,
            )
            self.S += S
            self.W += W
            self.Q += Q
        self.counts += np.bincount(new, minlength=self.k) - np.bincount(old, minlength=self.k)
        gone = self.counts == 0
        if gone.any():  # exact zeros, no drift, for emptied clusters
            self.S[gone], self.W[gone], self.Q[gone] = 0.0, 0.0, 0.0

    def inertia(self, centers):
        """Weighted inertia of the current labels with respect to ``centers``."""
        cc = centers - self.offset
        val = self.Q.sum() - 2.0 * np.einsum("ij,ij->", self.S, cc)
        val += np.dot(self.W, np.einsum("ij,ij->i", cc, cc))
        return max(float(val), 0.0)

    def relocate_empty(self, centers_old, labels):
        """scikit-learn's relocation: each empty cluster takes the point farthest from its
        center. Returns the moved point indices (their labels are updated in place)."""
        empty = np.flatnonzero(self.W <= 0)
        if empty.size == 0:
            return empty
        dist = sq_dist_to_assigned(self.X, centers_old, labels)
        n_empty = empty.size
        far = np.argpartition(dist, -n_empty)[: -n_empty - 1 : -1].astype(np.intp)
        for new_id, idx in zip(empty, far, strict=True):
            one = np.array([idx], dtype=np.intp)
            self.move(one, labels[one], np.array([new_id], dtype=np.intp))
            labels[idx] = new_id
        return far

    def centers(self, previous):
        """Means of the clusters; clusters without weight keep ``previous``."""
        out = previous.copy()
        ok = self.W > 0
        out[ok] = self.offset + self.S[ok] / self.W[ok, None]
        return out


_HASH_MUL = np.uint64(0x9E3779B97F4A7C15)


def _row_keys(X):
    """A 64-bit hash of every row's bit pattern (equal rows, equal keys)."""
    U = X.view(np.uint64 if X.dtype.itemsize == 8 else np.uint32)
    key = U[:, 0].astype(np.uint64) * _HASH_MUL
    for j in range(1, X.shape[1]):
        key ^= U[:, j].astype(np.uint64) + _HASH_MUL + (key << np.uint64(6)) + (key >> np.uint64(2))
    return key


def _deduplicate(X, w, n_clusters):
    """Collapse repeated rows (common in images: 8-bit colors) into weighted ones.

    Weighted k-means on the distinct rows is exactly k-means on the original data, and
    costs proportionally less. Returns ``(X_unique, w_unique, inverse)`` with
    ``X_unique[inverse] == X``, or None when there are too few repeats to pay off (a
    sample of rows decides before any sorting of the whole data).
    """
    n = X.shape[0]
    if n < 16384:
        return None
    sample = _row_keys(X[:: n // 4096])
    if np.unique(sample).size > 0.95 * sample.size:
        return None
    key = _row_keys(X)
    order = np.argsort(key)
    ks = key[order]
    del key
    start = np.empty(n, dtype=bool)
    start[0] = True
    np.not_equal(ks[1:], ks[:-1], out=start[1:])
    del ks
    n_unique = int(np.count_nonzero(start))
    if n_unique > 0.9 * n or n_unique < n_clusters:
        return None
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.cumsum(start, dtype=np.intp) - 1
    X_unique = X[order[start]]
    del order, start
    # equal keys must mean equal rows (hash collisions); narrow data column by column,
    # which in Pyodide is several times faster than gathering whole rows
    if X.shape[1] <= SMALL_D:
        step = 1 << 18
        for j in range(X.shape[1]):
            col = np.ascontiguousarray(X_unique[:, j])
            for s in range(0, n, step):
                if not np.array_equal(col[inverse[s : s + step]], X[s : s + step, j]):
                    return None
    else:
        step = pass_rows(X.shape[1], _CHUNK)
        for s in range(0, n, step):
            if not np.array_equal(X_unique[inverse[s : s + step]], X[s : s + step]):
                return None
    w_unique = np.bincount(inverse, weights=w, minlength=n_unique).astype(X.dtype)
    return X_unique, w_unique, inverse


def _pairwise_half_min(C):
    """Half the distance from each center to its closest other center."""
    k = C.shape[0]
    if k < 2:
        return np.full(k, np.inf)
    Cs = C - C.mean(axis=0)
    csq = np.einsum("ij,ij->i", Cs, Cs)
    D = csq[:, None] + csq[None, :] - 2.0 * (Cs @ Cs.T)
    np.fill_diagonal(D, np.inf)
    return 0.5 * np.sqrt(np.maximum(D.min(axis=1), 0.0))


def _is_same_clustering(labels1, labels2, k) -> bool:
    """True if the two labelings are equal up to a permutation of the cluster ids."""
    mapping = np.full(k, -1, dtype=np.intp)
    mapping[labels1] = labels2
    return bool(np.array_equal(mapping[labels1], labels2))


# =========================================================================== k-means++
def _kmeans_plusplus(X, n_clusters, sample_weight, random_state, n_local_trials=None):
    """Greedy k-means++ seeding (scikit-learn's), for validated input.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features), dtype of X
    indices : ndarray of shape (n_clusters,), dtype intp
    """
    n, d = X.shape
    centers = np.empty((n_clusters, d), dtype=X.dtype)
    indices = np.full(n_clusters, -1, dtype=np.intp)
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    w = sample_weight.astype(np.float64, copy=False)
    first = int(random_state.choice(n, p=w / w.sum()))
    centers[0] = X[first]
    indices[0] = first
    closest = sq_dists_to_rows(X, X[[first]])[0]
    pot = float(closest @ w)
    direct = n * n_local_trials <= (1 << 22)
    for c in range(1, n_clusters):
        rand_vals = random_state.uniform(size=n_local_trials) * pot
        cand = np.searchsorted(np.cumsum(w * closest), rand_vals).astype(np.intp)
        np.clip(cand, None, n - 1, out=cand)
        if direct:
            dist = sq_dists_to_rows(X, X[cand])
            np.minimum(closest, dist, out=dist)
            pots = dist @ w
            best = int(np.argmin(pots))
            closest = dist[best]
        else:
            pots = np.zeros(n_local_trials)
            step = pass_rows(d, _CHUNK)
            for s in range(0, n, step):
                e = min(s + step, n)
                dist = sq_dists_to_rows(X[s:e], X[cand])
                np.minimum(closest[s:e], dist, out=dist)
                pots += dist @ w[s:e]
            best = int(np.argmin(pots))
            for s in range(0, n, step):
                e = min(s + step, n)
                dist = sq_dists_to_rows(X[s:e], X[cand[[best]]])[0]
                np.minimum(closest[s:e], dist, out=closest[s:e])
        pot = float(pots[best])
        centers[c] = X[cand[best]]
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
    X = check_array(X)
    if X.shape[0] < n_clusters:
        raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={n_clusters}.")
    w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    return _kmeans_plusplus(X, n_clusters, w, check_random_state(random_state), n_local_trials)


def _init_kmeanspp(X, k, w, rng):
    return _kmeans_plusplus(X, k, w, rng)[0]


def _init_random(X, k, w, rng):
    p = w.astype(np.float64) / w.sum(dtype=np.float64)
    seeds = rng.choice(X.shape[0], size=k, replace=False, p=p)
    return X[seeds]


_INIT_METHODS = {"k-means++": _init_kmeanspp, "random": _init_random}


# =========================================================================== Lloyd cores
class _Bounds:
    """Distance bounds of every point, kept lazily through cumulative center drifts.

    Each point i has a label a, a runner-up label ``lab2[i]`` (its second closest center
    when last computed) and, from the time t0 its bounds were set: u >= d(x, c_a),
    lo <= d(x, c_j) for every j != a, and l3 <= d(x, c_j) for every j not in {a, lab2}.
    Stored are ``ub = u - P0[a]``, ``gap = (lo + D0) - ub`` and ``l3 = l3 + D0``, where P
    (per center) sums the center's moves and D sums the largest move of each iteration.
    Now ``u_now <= ub + P[a]``, ``lo_now >= gap + ub - D`` and ``l3_now >= l3 - D``, so
    ``gap - P[a] >= D`` proves that the label is unchanged (Hamerly's test, one gather
    and two elementwise passes per iteration); nothing per point is updated when the
    centers move. The runner-up and third bound let most of the remaining points be
    decided from two exact distances instead of ``n_clusters``.
    """

    def __init__(self, n, k):
        self.ub = np.empty(n)
        self.gap = np.empty(n)
        self.l3 = np.empty(n)
        self.lab2 = np.empty(n, dtype=np.intp)
        self.P = np.zeros(k)
        self.D = 0.0
        self._mask = np.empty(n, dtype=bool)

    def set(self, idx, labels, u, lo):
        """New bounds ``u`` (own center) and ``lo`` (any other) for points ``idx``."""
        ub = u - self.P[labels]
        self.ub[idx] = ub
        self.gap[idx] = (lo + self.D) - ub

    def set_all(self, idx, lab1, lab2, d1, d2, d3, half_min):
        """Bounds from exact squared distances to the three closest centers."""
        u = np.sqrt(d1, dtype=np.float64)
        lo = np.sqrt(d2, dtype=np.float64)
        np.maximum(lo, half_min[lab1], out=lo)
        self.set(idx, lab1, u, lo)
        self.l3[idx] = np.sqrt(d3, dtype=np.float64) + self.D
        self.lab2[idx] = lab2

    def flagged(self, labels):
        """Indices of the points whose label the bounds cannot prove."""
        t = self.P[labels]  # np.take is many times slower in Pyodide
        np.subtract(self.gap, t, out=t)
        np.less(t, self.D, out=self._mask)
        return np.flatnonzero(self._mask)

    def drift(self, moves, margin):
        self.P += moves + margin
        self.D += float(moves.max()) + margin

    def forget(self, idx, labels):
        """Points ``idx`` sit exactly on their (new) center; nothing else is known."""
        self.ub[idx] = -self.P[labels[idx]]
        self.gap[idx] = -np.inf
        self.l3[idx] = -np.inf


_FULL_PASS_FRACTION = 0.5  # above this fraction of flagged points, recompute everything


def _full_estep(X, labels, kern, bounds, half_min, first=False):
    """E step computing every distance, chunk by chunk. Returns the number of changes."""
    n = X.shape[0]
    c = kern.chunk
    lab2 = np.empty(c, dtype=np.intp)
    old = np.empty(c, dtype=np.intp)
    d1, d2, d3 = (np.empty(c, dtype=X.dtype) for _ in range(3))
    n_changed = n if first else 0
    for s in range(0, n, c):
        e = min(s + c, n)
        m = e - s
        if not first:
            old[:m] = labels[s:e]
        kern.nearest3_block(X[s:e], labels[s:e], lab2[:m], d1[:m], d2[:m], d3[:m])
        bounds.set_all(slice(s, e), labels[s:e], lab2[:m], d1[:m], d2[:m], d3[:m], half_min)
        if not first:
            n_changed += int(np.count_nonzero(old[:m] != labels[s:e]))
    return n_changed


def _bounded_estep(X, labels, C, kern, bounds, half_min, on_change, chunk=None):
    """E step with distance bounds. Updates labels and bounds in place.

    Returns ``(n_changed, full)``. When ``full`` is False, ``on_change(indices,
    old_labels, new_labels)`` has received every change, chunk by chunk; when True (too
    many points were flagged, so every distance was recomputed) it has not.

    Flagged points are processed ``chunk`` at a time: Hamerly's second test (with the
    current s); then the exact distances to their center and runner-up, which settle
    most of them; the rest get all their distances computed.
    """
    b = bounds
    chunk = chunk or pass_rows(X.shape[1], _CHUNK)
    F_all = b.flagged(labels)
    if F_all.size > _FULL_PASS_FRACTION * X.shape[0]:
        return _full_estep(X, labels, kern, b, half_min), True
    n_changed = 0
    D = b.D
    for s in range(0, F_all.size, chunk):
        F = F_all[s : s + chunk]
        labF = labels[F]
        ubF = b.ub[F]
        ucur = ubF + b.P[labF]
        bound = b.gap[F] + ubF - D
        np.maximum(half_min[labF], bound, out=bound)
        b.gap[F] = (bound + D) - ubF  # s may beat the stale lower bound: keep it
        keep = np.flatnonzero(ucur >= bound)  # equality may be a tie: look closer
        if keep.size == 0:
            continue
        G, a = F[keep], labF[keep]
        r = b.lab2[G]
        XG = X[G]
        da = np.sqrt(sq_dist_to_assigned(XG, C, a), dtype=np.float64)
        dr = np.sqrt(sq_dist_to_assigned(XG, C, r), dtype=np.float64)
        l3 = b.l3[G] - D
        sa = half_min[a]
        # the label stays: closer than the runner-up and than every other center
        stay = ((da < dr) & (da < l3)) | (da < sa)
        # the runner-up takes over
        swap = (dr < da) & ((dr < l3) | (dr < half_min[r]))
        swap &= ~stay
        rest = ~(stay | swap)
        if stay.any():
            i = np.flatnonzero(stay)
            lo = np.maximum(np.minimum(dr[i], l3[i]), sa[i])
            b.set(G[i], a[i], da[i], lo)
        if swap.any():
            i = np.flatnonzero(swap)
            Gi, ai, ri = G[i], a[i], r[i]
            lo = np.maximum(np.minimum(da[i], l3[i]), half_min[ri])
            b.set(Gi, ri, dr[i], lo)
            labels[Gi] = ri
            b.lab2[Gi] = ai
            n_changed += i.size
            on_change(Gi, ai, ri)
        if rest.any():
            i = np.flatnonzero(rest)
            Gi, ai = G[i], a[i]
            new, lab2, d1, d2, d3 = kern.nearest3(XG[i])
            b.set_all(Gi, new, lab2, d1, d2, d3, half_min)
            labels[Gi] = new
            moved = np.flatnonzero(new != ai)
            if moved.size:
                n_changed += moved.size
                on_change(Gi[moved], ai[moved], new[moved])
    return n_changed, False


class _Hamerly:
    """Per-point bounds (:class:`_Bounds`): memory O(n), for large data."""

    def __init__(self, X, labels, kern, half_min):
        self.X = X
        self.b = _Bounds(X.shape[0], kern.k)
        _full_estep(X, labels, kern, self.b, half_min, first=True)

    def estep(self, labels, C, kern, half_min, on_change):
        return _bounded_estep(self.X, labels, C, kern, self.b, half_min, on_change)

    def drift(self, moves, margin, labels):
        self.b.drift(moves, margin)

    def forget(self, idx, labels):
        self.b.forget(idx, labels)


class _GridState:
    """Flat-grid filtering (:class:`~kmeanslab._grid.GridFilter`) for large data of at
    most ``GRID_MAX_D`` dimensions: cells provably nearest to one center are assigned
    wholesale, and the cluster sums come from the cells' sums."""

    def __init__(self, X, labels, kern, w, stats):
        offset, radius = stats.mean, stats.radius
        self.g = GridFilter(X, None if bool(np.all(w == 1)) else w, offset, radius)
        self.g.estep(labels, kern.centers, kern, first=True)

    def estep(self, labels, C, kern, half_min, on_change):
        # every label is recomputed (cheaply): the caller refills the sums
        return self.g.estep(labels, C, kern), True

    def fill_sums(self, sums):
        self.g.fill_sums(sums)

    def drift(self, moves, margin, labels):
        pass

    def forget(self, idx, labels):
        pass


def _use_grid(X, k) -> bool:
    n, d = X.shape
    return d <= GRID_MAX_D and n >= GRID_MIN_ROWS and k <= GRID_MAX_K


# n * k up to which Elkan's bounds pay off (a module global here so tests can force a path)
_ELKAN_MAX_ENTRIES = ELKAN_MAX_ENTRIES
# n * (d + 3) up to which the small-data loop may hold its two float64 copies of the data
# (32 MB each); longer wide data goes through the chunked Hamerly path
_ELKAN_MAX_DATA = 1 << 22


def _use_elkan(n, d, k) -> bool:
    return n * k <= _ELKAN_MAX_ENTRIES and n * (d + 3) <= _ELKAN_MAX_DATA


def _lloyd_bounded(X, sample_weight, centers_init, max_iter, tol, stats):
    """One exact Lloyd run (scikit-learn's convergence rule) with distance bounds.

    Generator: yields ``(iteration, inertia)`` after every iteration (inertia of the
    E-step labels with respect to the centers they were assigned to); its return value
    is ``(labels, inertia, centers, n_iter)``.
    """
    n = X.shape[0]
    k = centers_init.shape[0]
    grid = _use_grid(X, k)
    if not grid and _use_elkan(n, X.shape[1], k):
        return (yield from lloyd_elkan(X, sample_weight, centers_init, max_iter, tol, stats))
    dtype = X.dtype
    offset, radius = stats.mean, stats.radius
    margin = 16.0 * float(np.finfo(dtype).eps) * (radius + 1e-300)
    w = sample_weight
    C = np.ascontiguousarray(centers_init, dtype=dtype)

    kern = NearestKernel(C)
    labels = np.empty(n, dtype=np.intp)
    if grid:
        state = _GridState(X, labels, kern, w, stats)
        sums = _Sums(X, w, None, k, offset)
        state.fill_sums(sums)
    else:
        state = _Hamerly(X, labels, kern, _pairwise_half_min(C.astype(np.float64)))
        sums = _Sums(X, w, labels, k, offset)
    n_changed = n
    strict = False
    relocated_prev = False
    centers64 = C.astype(np.float64)
    it = 0
    for it in range(max_iter):
        if it > 0:
            half_min = None if grid else _pairwise_half_min(centers64)
            n_changed, full = state.estep(labels, C, kern, half_min, sums.move)
            if full:
                if grid:
                    state.fill_sums(sums)
                else:
                    sums.full(labels)
        inertia = sums.inertia(centers64)
        moved = sums.relocate_empty(C, labels)
        relocated = moved.size > 0
        new64 = sums.centers(centers64)
        if relocated:
            new64[labels[moved]] = X[moved]  # a relocated center sits on its point
        C_new = new64.astype(dtype)
        moves = np.sqrt(np.einsum("ij,ij->i", C_new - C, C_new - C, dtype=np.float64))
        shift_tot = float(np.dot(moves, moves))
        yield it, inertia
        C, centers64 = C_new, C_new.astype(np.float64)
        if it > 0 and n_changed == 0 and not relocated_prev and not relocated:
            strict = True
            break
        state.drift(moves, margin, labels)
        if relocated:
            state.forget(moved, labels)
        kern.set_centers(C)
        if shift_tot <= tol:
            break
        relocated_prev = relocated
    if not strict:
        half_min = None if grid else _pairwise_half_min(centers64)
        state.estep(labels, C, kern, half_min, lambda *args: None)
    inertia = inertia_exact(X, C, labels, w.astype(np.float64, copy=False))
    return labels, inertia, C, it + 1


def _lloyd_steps(X, w, C, max_iter, tol):
    """Plain Lloyd, record by record (see :func:`lloyd_steps`)."""
    k = C.shape[0]
    w64 = w.astype(np.float64, copy=False)
    offset = _column_stats(X)[0]
    prev = None
    converged = False
    for it in range(max_iter):
        labels, d1 = NearestKernel(C).nearest(X)
        inertia = float(np.dot(d1.astype(np.float64, copy=False), w64))
        if prev is not None and np.array_equal(labels, prev):
            yield {"phase": "assign", "iteration": it, "labels": labels, "centers": C.copy(),
                   "inertia": inertia, "converged": True}
            return
        yield {"phase": "assign", "iteration": it, "labels": labels.copy(), "centers": C.copy(),
               "inertia": inertia}
        sums = _Sums(X, w, labels, k, offset)
        moved = sums.relocate_empty(C, labels)
        new = sums.centers(C.astype(np.float64))
        if moved.size:
            new[labels[moved]] = X[moved]
        C_new = new.astype(X.dtype)
        shift = float(np.sum((C_new.astype(np.float64) - C) ** 2))
        inertia = inertia_exact(X, C_new, labels, w64)
        yield {"phase": "update", "iteration": it, "labels": labels.copy(), "centers": C_new.copy(),
               "shift": shift, "inertia": inertia}
        C = C_new
        prev = labels
        if shift <= tol:
            converged = True
            break
    labels, d1 = NearestKernel(C).nearest(X)
    inertia = float(np.dot(d1.astype(np.float64, copy=False), w64))
    yield {"phase": "assign", "iteration": it + 1, "labels": labels, "centers": C.copy(),
           "inertia": inertia, "converged": converged}


def lloyd_steps(
    X, centers, *, sample_weight=None, max_iter: int = 300, tol: float = 1e-4
) -> Iterator[dict]:
    """Run Lloyd's algorithm from ``centers`` and yield its state after every step.

    Made for teaching animations: every E step (assignment) and every M step (center
    update) is a record. Plain, exact and unoptimised, for small and medium data.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    centers : array-like of shape (n_clusters, n_features)
        The initial centers.
    sample_weight : array-like of shape (n_samples,), default=None
    max_iter : int, default=300
        Maximum number of E/M iterations.
    tol : float, default=1e-4
        Stop when the total squared center shift is at most ``tol`` times the mean
        per-feature variance of X (as :class:`KMeans`).

    Yields
    ------
    dict
        After an E step: ``{"phase": "assign", "iteration": i, "labels": intp array,
        "centers": the centers used, "inertia": float}``. After an M step:
        ``{"phase": "update", "iteration": i, "labels": the same labels (a point moved by
        an empty-cluster relocation carries its new cluster), "centers": the new centers,
        "shift": total squared center shift, "inertia": inertia of those labels with
        respect to the new centers}``. The last record is always an ``"assign"`` record
        (labels are the nearest of its centers) and only it has ``"converged"``: True when
        the labels stopped changing or the shift fell within ``tol``, False when
        ``max_iter`` ran out. Inertia never increases from one record to the next.
    """
    validate_params(
        {
            "max_iter": [Interval("int", 1, None, "left")],
            "tol": [Interval("real", 0, None, "left")],
        },
        {"max_iter": max_iter, "tol": tol},
        "lloyd_steps",
    )
    X = check_array(X)
    C = _check_init_array(centers, X, np.asarray(centers).shape[0] if np.ndim(centers) else 0)
    w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    return _lloyd_steps(X, w, C, max_iter, _tolerance(X, tol))


def _check_init_array(init, X, n_clusters):
    arr = np.asarray(init)
    expected = (n_clusters, X.shape[1])
    if arr.ndim != 2 or arr.shape != expected:
        raise ValueError(
            f"init array has shape {arr.shape}; expected {expected} = (n_clusters, n_features)."
        )
    return check_array(arr, name="init", copy=True).astype(X.dtype, copy=False)


# =========================================================================== estimators
class _BaseKMeans:
    """Shared parameter handling and the post-fit API (predict, transform, score)."""

    _parameter_constraints: dict = {
        "n_clusters": [Interval("int", 1, None, "left")],
        "init": [StrOptions({"k-means++", "random"}), ARRAY_LIKE],
        "n_init": [StrOptions({"auto"}), Interval("int", 1, None, "left")],
        "max_iter": [Interval("int", 1, None, "left")],
        "tol": [Interval("real", 0, None, "left")],
        "random_state": [RANDOM_STATE],
    }
    _default_n_init = 10

    # -- parameters --------------------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict:
        """Parameters of this estimator (as scikit-learn's ``get_params``)."""
        return {name: getattr(self, name) for name in self._parameter_constraints}

    def set_params(self, **params):
        """Set parameters (as scikit-learn's ``set_params``); returns self."""
        for name, value in params.items():
            if name not in self._parameter_constraints:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {sorted(self._parameter_constraints)}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items()
                         if not isinstance(v, np.ndarray))
        return f"{type(self).__name__}({args})"

    def _validate_params(self):
        validate_params(self._parameter_constraints, self.get_params(), type(self).__name__)

    def _check_params_vs_input(self, X):
        """Checks needing the data; returns (n_init, init) with init validated."""
        if X.shape[0] < self.n_clusters:
            raise ValueError(
                f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}."
            )
        init = self.init
        is_array = not isinstance(init, str)
        if is_array:
            init = _check_init_array(init, X, self.n_clusters)
        if self.n_init == "auto":
            n_init = self._default_n_init if (init is not None and not is_array
                                              and init == "random") else 1
        else:
            n_init = self.n_init
        if is_array and n_init != 1:
            warnings.warn(
                "Explicit initial center position passed: performing only one init in "
                f"{type(self).__name__} instead of n_init={n_init}.",
                RuntimeWarning,
                stacklevel=3,
            )
            n_init = 1
        return n_init, init

    def _init_centroids(self, X, init, rng, w):
        if isinstance(init, str):
            return _INIT_METHODS[init](X, self.n_clusters, w, rng)
        return init.copy()

    # -- after fit ---------------------------------------------------------------------
    def _check_test_data(self, X):
        check_is_fitted(self)
        X = check_array(X)
        check_n_features(self, X)
        return X.astype(self.cluster_centers_.dtype, copy=False)

    def predict(self, X) -> np.ndarray:
        """Index (np.intp) of the closest cluster center for each sample of X."""
        X = self._check_test_data(X)
        return NearestKernel(self.cluster_centers_).nearest(X)[0]

    def fit_predict(self, X, y=None, sample_weight=None) -> np.ndarray:
        """Fit, then return ``labels_``."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def transform(self, X) -> np.ndarray:
        """Euclidean distances of each sample to every center, shape (n_samples, n_clusters)."""
        X = self._check_test_data(X)
        return self._transform(X)

    def _transform(self, X):
        kern = NearestKernel(self.cluster_centers_)
        out = np.empty((X.shape[0], self.n_clusters), dtype=X.dtype)
        for s in range(0, X.shape[0], kern.chunk):
            e = min(s + kern.chunk, X.shape[0])
            kern.sq_dists_block(X[s:e], out[s:e])
        return np.sqrt(out, out=out)

    def fit_transform(self, X, y=None, sample_weight=None) -> np.ndarray:
        """Fit, then return the distances of X to the centers."""
        self.fit(X, sample_weight=sample_weight)
        return self._transform(check_array(X).astype(self.cluster_centers_.dtype, copy=False))

    def score(self, X, y=None, sample_weight=None) -> float:
        """Opposite of the inertia of X with respect to the fitted centers."""
        X = self._check_test_data(X)
        w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        labels, d1 = NearestKernel(self.cluster_centers_).nearest(X)
        return -float(np.dot(d1.astype(np.float64), w.astype(np.float64)))


class KMeans(_BaseKMeans):
    """K-means clustering (exact Lloyd with Hamerly bounds), scikit-learn's API.

    Parameters
    ----------
    n_clusters : int, default=8
        The number of clusters (centers).
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features), \
default="k-means++"
        Greedy k-means++ seeding, ``n_clusters`` distinct samples drawn with probability
        proportional to their weight, or the initial centers themselves.
    n_init : "auto" or int, default="auto"
        Number of runs from different seeds; the one with the lowest inertia is kept.
        "auto" means 1 for "k-means++" or an array, 10 for "random".
    max_iter : int, default=300
        Maximum number of Lloyd iterations per run.
    tol : float, default=1e-4
        A run stops when the total squared center shift of an iteration is at most
        ``tol`` times the mean per-feature variance of X (or when no label changes).
    random_state : int, numpy.random.Generator or None, default=None
        Seed or generator for the initialization; fixed for reproducible results.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features), dtype of X (float32 or
        float64)
    labels_ : ndarray of shape (n_samples,), dtype np.intp
    inertia_ : float
        Weighted sum of squared distances of the samples to their closest center.
    n_iter_ : int
        Lloyd iterations of the kept run.
    n_features_in_ : int
    inertia_per_init_ : ndarray of shape (n_init,)
        Final inertia of each run, in the order they were run.
    best_init_ : int
        Index of the kept run in ``inertia_per_init_``.
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init="k-means++",
        n_init="auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y=None, sample_weight=None) -> KMeans:
        """Compute the k-means clustering of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            float32 data stays float32; anything else becomes float64.
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : KMeans
        """
        for _ in self.fit_steps(X, y, sample_weight):
            pass
        return self

    def fit_steps(self, X, y=None, sample_weight=None) -> Iterator[dict]:
        """Fit like :meth:`fit`, yielding a progress record after every Lloyd iteration.

        Input is validated when this is called; the fit happens as the returned generator
        is consumed and the fitted attributes are set when it is exhausted (an abandoned
        generator leaves the estimator as it was).

        Yields
        ------
        dict
            ``{"run": r, "n_runs": n_init, "iteration": i, "inertia": float}`` with ``r``
            and ``i`` counted from 0; inertia is that of the iteration's assignment with
            respect to the centers it was made with (as scikit-learn's verbose output).
        """
        self._validate_params()
        X = check_array(X)
        n_init, init = self._check_params_vs_input(X)
        w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        return self._fit_steps(X, w, n_init, init)

    def _fit_steps(self, X, w, n_init, init):
        # (seeding a Generator from OS entropy costs a few ms in Pyodide: only if needed)
        rng = check_random_state(self.random_state) if isinstance(init, str) else None
        n, n_features = X.shape
        small_wide = n_features > SMALL_D and _use_elkan(n, n_features, self.n_clusters)
        stats = _column_stats(X, keep_centered=small_wide)
        tol = _tolerance(X, self.tol, stats.mean_variance)
        dedup = _deduplicate(X, w, self.n_clusters)
        inverse = None
        if dedup is not None:
            X, w, inverse = dedup
            stats = stats._replace(centered=None)
        best = None
        per_init = np.empty(n_init)
        for run in range(n_init):
            centers_init = self._init_centroids(X, init, rng, w)
            core = _lloyd_bounded(X, w, centers_init, self.max_iter, tol, stats)
            while True:
                try:
                    it, inertia = next(core)
                except StopIteration as stop:
                    labels, inertia, centers, n_iter = stop.value
                    break
                yield {"run": run, "n_runs": n_init, "iteration": it, "inertia": inertia}
            per_init[run] = inertia
            if best is None or (
                inertia < best[1] and not _is_same_clustering(labels, best[0], self.n_clusters)
            ):
                best = (labels, inertia, centers, n_iter, run)
        labels, inertia, centers, n_iter, run = best
        if inverse is not None:
            labels = labels[inverse]
        # (a count, not np.unique: sorting 100k labels costs milliseconds in Pyodide)
        distinct = int(np.count_nonzero(np.bincount(labels, minlength=self.n_clusters)))
        if distinct < self.n_clusters:
            warnings.warn(
                f"Number of distinct clusters ({distinct}) found smaller than "
                f"n_clusters ({self.n_clusters}). Possibly due to duplicate points in X.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.cluster_centers_ = centers
        self.labels_ = labels
        self.inertia_ = float(inertia)
        self.n_iter_ = int(n_iter)
        self.n_features_in_ = n_features
        self.inertia_per_init_ = per_init
        self.best_init_ = int(run)


class MiniBatchKMeans(_BaseKMeans):
    """Mini-batch k-means (scikit-learn's algorithm), for large data and color quantization.

    Parameters
    ----------
    n_clusters : int, default=8
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features), \
default="k-means++"
        Seeding, run on a random subset of ``3 * batch_size`` samples.
    max_iter : int, default=100
        Maximum number of passes over the data (epochs).
    batch_size : int, default=1024
    random_state : int, numpy.random.Generator or None, default=None
    tol : float, default=0.0
        Early stop when the squared center change of a step is at most ``tol`` times the
        mean per-feature variance (0 disables it).
    max_no_improvement : int or None, default=10
        Early stop after this many steps without improvement of the smoothed batch
        inertia (None disables it).
    n_init : "auto" or int, default="auto"
        Number of seedings tried (each scored on the same validation subset); "auto" is
        1 for "k-means++" or an array, 3 for "random".
    reassignment_ratio : float, default=0.01
        Centers whose accumulated weight is below this fraction of the largest are
        re-seeded from the batch from time to time.

    Attributes
    ----------
    cluster_centers_, labels_ (np.intp), inertia_, n_iter_ (epochs), n_steps_,
    n_features_in_
    """

    _parameter_constraints: dict = {
        **_BaseKMeans._parameter_constraints,
        "batch_size": [Interval("int", 1, None, "left")],
        "max_no_improvement": [Interval("int", 0, None, "left"), NONE],
        "reassignment_ratio": [Interval("real", 0, None, "left")],
    }
    _default_n_init = 3

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init="k-means++",
        max_iter: int = 100,
        batch_size: int = 1024,
        random_state=None,
        tol: float = 0.0,
        max_no_improvement: int | None = 10,
        n_init="auto",
        reassignment_ratio: float = 0.01,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.random_state = random_state
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio

    def _sizes(self, n):
        batch = min(self.batch_size, n)
        init_size = 3 * batch
        if init_size < self.n_clusters:
            init_size = 3 * self.n_clusters
        return batch, min(init_size, n)

    def _init_subset(self, X, init, rng, w, init_size):
        if isinstance(init, str) and init_size < X.shape[0]:
            idx = rng.integers(0, X.shape[0], init_size).astype(np.intp)
            return self._init_centroids(X[idx], init, rng, w[idx])
        return self._init_centroids(X, init, rng, w)

    def fit(self, X, y=None, sample_weight=None) -> MiniBatchKMeans:
        """Compute the centers on X by mini-batches; returns self."""
        for _ in self.fit_steps(X, y, sample_weight):
            pass
        return self

    def fit_steps(self, X, y=None, sample_weight=None) -> Iterator[dict]:
        """Fit like :meth:`fit`, yielding ``{"step": i, "n_steps": n_steps, "inertia":
        mean batch inertia}`` after every mini-batch step (validation happens now)."""
        self._validate_params()
        X = check_array(X)
        n_init, init = self._check_params_vs_input(X)
        w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        return self._fit_steps(X, w, n_init, init)

    def _fit_steps(self, X, w, n_init, init):
        n = X.shape[0]
        rng = check_random_state(self.random_state)
        batch, init_size = self._sizes(n)
        tol = _tolerance(X, self.tol)
        valid = rng.integers(0, n, init_size).astype(np.intp)
        X_valid, w_valid = X[valid], w[valid].astype(np.float64)
        best = None
        for _ in range(n_init):
            centers = self._init_subset(X, init, rng, w, init_size)
            _, d1 = NearestKernel(centers).nearest(X_valid)
            inertia = float(np.dot(d1.astype(np.float64), w_valid))
            if best is None or inertia < best[1]:
                best = (centers, inertia)
        centers = best[0].copy()
        self._counts = np.zeros(self.n_clusters, dtype=X.dtype)
        self._n_since_last_reassign = 0
        ewa = {"ewa": None, "ewa_min": None, "no_improvement": 0}
        n_steps = (self.max_iter * n) // batch
        w64 = w.astype(np.float64)
        uniform = bool(np.all(w64 == w64[0]))
        cdf = None if uniform else np.cumsum(w64 / w64.sum())
        unit = np.ones(batch, dtype=X.dtype)
        i = 0
        for i in range(n_steps):
            if uniform:
                idx = rng.integers(0, n, batch).astype(np.intp)
            else:
                idx = np.searchsorted(cdf, rng.random(batch) * cdf[-1]).astype(np.intp)
                np.clip(idx, None, n - 1, out=idx)
            old = centers.copy() if tol > 0 else None
            batch_inertia = self._step(X[idx], unit, centers, rng)
            diff = 0.0 if old is None else float(np.sum((centers - old) ** 2))
            yield {"step": i, "n_steps": n_steps, "inertia": batch_inertia / batch}
            if self._converged(i, n, batch, diff, batch_inertia, tol, ewa):
                break
        self.cluster_centers_ = centers
        self.n_features_in_ = X.shape[1]
        self.n_steps_ = i + 1
        self.n_iter_ = int(np.ceil((i + 1) * batch / n))
        self.labels_, d1 = NearestKernel(centers).nearest(X)
        self.inertia_ = float(np.dot(d1.astype(np.float64), w64))

    def _step(self, Xb, wb, centers, rng) -> float:
        """One mini-batch update of ``centers`` (in place); returns the batch inertia."""
        k = self.n_clusters
        labels, d1 = NearestKernel(centers).nearest(Xb)
        wb64 = wb.astype(np.float64)
        inertia = float(np.dot(d1.astype(np.float64), wb64))
        S, W, _ = _label_sums(Xb, wb64, labels, k, np.zeros(Xb.shape[1]))
        counts = self._counts.astype(np.float64)
        hit = W > 0
        total = counts[hit] + W[hit]
        centers[hit] = (centers[hit] * counts[hit, None] + S[hit]) / total[:, None]
        self._counts[hit] = total
        self._n_since_last_reassign += Xb.shape[0]
        if (self._counts == 0).any() or self._n_since_last_reassign >= 10 * k:
            self._n_since_last_reassign = 0
            if self.reassignment_ratio > 0:
                self._reassign(Xb, centers, rng)
        return inertia

    def _reassign(self, Xb, centers, rng):
        to_reassign = self._counts < self.reassignment_ratio * self._counts.max()
        if to_reassign.sum() > 0.5 * Xb.shape[0]:
            keep = np.argsort(self._counts)[int(0.5 * Xb.shape[0]) :]
            to_reassign[keep] = False
        n_reassigns = int(to_reassign.sum())
        if n_reassigns:
            picks = rng.choice(Xb.shape[0], size=n_reassigns, replace=False)
            centers[to_reassign] = Xb[picks]
            self._counts[to_reassign] = np.min(self._counts[~to_reassign])

    def _converged(self, step, n, batch, diff, batch_inertia, tol, st) -> bool:
        batch_inertia /= batch
        if step == 0:  # the first step's inertia is that of the initialization
            return False
        if st["ewa"] is None:
            st["ewa"] = batch_inertia
        else:
            alpha = min(batch * 2.0 / (n + 1), 1.0)
            st["ewa"] = st["ewa"] * (1 - alpha) + batch_inertia * alpha
        if tol > 0.0 and diff <= tol:
            return True
        if st["ewa_min"] is None or st["ewa"] < st["ewa_min"]:
            st["no_improvement"] = 0
            st["ewa_min"] = st["ewa"]
        else:
            st["no_improvement"] += 1
        return (
            self.max_no_improvement is not None
            and st["no_improvement"] >= self.max_no_improvement
        )

    def partial_fit(self, X, y=None, sample_weight=None) -> MiniBatchKMeans:
        """Update the centers with one mini-batch X (initializing them on the first call)."""
        self._validate_params()
        X = check_array(X)
        fitted = hasattr(self, "cluster_centers_")
        if fitted:
            check_n_features(self, X)
            X = X.astype(self.cluster_centers_.dtype, copy=False)
        w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        if not fitted:
            self._rng = check_random_state(self.random_state)
            _, init = self._check_params_vs_input(X)
            _, init_size = self._sizes(X.shape[0])
            self.cluster_centers_ = self._init_subset(X, init, self._rng, w, init_size)
            self._counts = np.zeros(self.n_clusters, dtype=X.dtype)
            self._n_since_last_reassign = 0
            self.n_features_in_ = X.shape[1]
            self.n_steps_ = 0
        self._step(X, w, self.cluster_centers_, self._rng)
        self.labels_, d1 = NearestKernel(self.cluster_centers_).nearest(X)
        self.inertia_ = float(np.dot(d1.astype(np.float64), w.astype(np.float64)))
        self.n_steps_ += 1
        return self
