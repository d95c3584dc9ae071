"""Shared pieces of the exact-Lloyd paths: column statistics, cluster sums, the
convergence tolerance, and the row collapse of repeated data (images: 8-bit colors).

Everything is written for Pyodide too: one thread, no BLAS, ``np.intp`` labels and
indices (int32 on wasm32), bounded memory (chunks).
"""

from __future__ import annotations

import contextlib
import math
from typing import NamedTuple

import numpy as np

from ..utils._distances import (
    SMALL_D,
    pass_rows,
    sq_dist_to_assigned,
)
from ..utils._threads import NATIVE, map_ordered, one_blas_thread
from ..utils.validation import check_array
from ._elkan import round_offset
from ._relocation import Copies, relocation_targets

_CHUNK = 1 << 15  # rows per chunk for passes over the whole data
_ONE_HOT_ROWS = 1 << 13  # rows per one-hot block of the native cluster sums (k x 8192)


# =========================================================================== helpers
class ColumnStats(NamedTuple):
    """What :func:`_column_stats` returns (float64 throughout)."""

    mean: np.ndarray  # per-feature mean
    mean_variance: float  # mean per-feature variance
    radius: float  # upper bound of the distance of any row to the mean
    # (X - offset, squared row norms of it, offset) when kept; offset: see round_offset
    centered: tuple | None = None
    # the original rows behind each row, when repeated rows were folded (_repeated_rows)
    copies: Copies | None = None


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
    if keep_centered and not narrow and n <= step:
        return _centered_stats(X)
    mean = np.zeros(d)

    def col_sums(s):
        block = X[s : s + step]
        if narrow:
            return np.array([block[:, j].sum(dtype=np.float64) for j in range(d)])
        return np.einsum("ij->j", block, dtype=np.float64)

    # chunks over threads natively (kmeanslab.utils._threads), added in row order
    for part in map_ordered(col_sums, range(0, n, step)):
        mean += part
    mean /= n
    ssq = np.zeros(d)
    r2 = 0.0

    def spread(s):
        block = X[s : s + step]
        if not narrow:  # wide data: whole rows at once
            diff = block - mean
            return np.einsum("ij,ij->j", diff, diff), float(np.einsum("ij,ij->i", diff, diff).max())
        rowsq = None
        part = np.empty(d)
        for j in range(d):  # narrow data: long contiguous passes, column by column
            col = block[:, j] - mean[j]
            np.multiply(col, col, out=col)
            part[j] = col.sum(dtype=np.float64)
            if rowsq is None:
                rowsq = col
            else:
                rowsq += col
        return part, float(rowsq.max())

    for part, r2_part in map_ordered(spread, range(0, n, step)):
        ssq += part
        r2 = max(r2, r2_part)
    # the largest row distance, a hair up for its rounding
    radius = math.sqrt(r2) * (1 + 1e-12) + 1e-300
    return ColumnStats(mean, float(np.mean(ssq / n)), radius)


def _centered_stats(X) -> ColumnStats:
    """:func:`_column_stats` of wide data in one chunk, with its rows shifted.

    Three passes over the data: the shift by the offset (a copy the small-data loop keeps),
    the shifted rows' squared norms (kept too) and their column sums; the mean, the mean
    per-feature variance and the radius follow from these (in the page a pass over 3,000
    x 64 costs 70-160 us: the mean of the unshifted data first was a fourth).
    """
    n, d = X.shape
    # the offset is the mean of 64 rows spread over the data, rounded by their spread
    # (see round_offset): its variance is at most about n / 64 times the data's, so the
    # offset stays within a few spreads of the mean (mild cancellation); a sample of
    # equal rows means shifting by a row
    sample = X[:: max(n // 64, 1)]
    s_mean = np.einsum("ij->j", sample, dtype=np.float64) / sample.shape[0]
    s_diff = sample - s_mean
    spread = math.sqrt(float(np.einsum("ij,ij->", s_diff, s_diff)) / s_diff.size)
    offset = round_offset(s_mean, spread, X[0])
    # the shifted rows and their squared norms are written straight into the first d + 1
    # columns of the rows whose per-cluster sums the small-data loop keeps (see
    # _elkan._State.XA, which takes the buffer as ``diff.base``): one (n, d) float64 copy
    # fewer (in the page 120-250 us at 3,000 x 64)
    buf = np.empty((n, d + 3))
    diff = buf[:, :d]
    np.subtract(X, offset, out=diff)  # float64 (the offset is)
    rowsq = buf[:, d]
    np.einsum("ij,ij->i", diff, diff, out=rowsq)
    delta = np.einsum("ij->j", diff) / n  # the mean less the offset
    dd = float(delta @ delta)
    # the mean per-feature variance is the mean squared distance to the mean over d
    mean_variance = max(float(rowsq.sum()) - n * dd, 0.0) / (n * d)
    r2 = (math.sqrt(float(rowsq.max())) + math.sqrt(dd)) ** 2
    radius = math.sqrt(r2) * (1 + 1e-12) + 1e-300  # a hair up for its rounding
    return ColumnStats(offset + delta, mean_variance, radius, (diff, rowsq, offset))


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
    elif NATIVE and (k <= 32 or d >= 32):
        # natively, one (k, m) x (m, d) product of one-hot weights: BLAS beats the sort
        # and reduceat below 1.4-5x at k <= 32 or d >= 32 (16,384 rows, one thread)
        S, Q = np.zeros((k, d)), np.zeros(k)
        step = _ONE_HOT_ROWS  # bounds the (k, step) one-hot block
        for s in range(0, X.shape[0], step):
            Xs = X[s : s + step] - offset
            m = Xs.shape[0]
            M = np.zeros((k, m))
            M[labels[s : s + step], np.arange(m, dtype=np.intp)] = (
                1.0 if ws is None else ws[s : s + step])
            S += M @ Xs
            Q += M @ np.einsum("ij,ij->i", Xs, Xs)
        return S, W, Q
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

        def part(s):
            ws = None if self.w is None else self.w[s : s + step]
            return _label_sums(self.X[s : s + step], ws, labels[s : s + step], k, self.offset)

        # wide data's sums are matrix products natively: one BLAS thread each (_threads);
        # the parts are added in row order, so the threads' timing cannot change a bit
        with one_blas_thread() if d > SMALL_D else contextlib.nullcontext():
            parts = map_ordered(part, range(0, n, step))
        for S, W, Q in parts:
            self.S += S
            self.W += W
            self.Q += Q
        self.counts = np.bincount(labels, minlength=k).astype(np.intp)

    _SMALL_MOVE = 1 << 12  # moves * n_clusters up to which wide data uses a small product

    def move(self, idx, old, new):
        """Points ``idx`` left clusters ``old`` for clusters ``new``."""
        if self.X.shape[1] <= SMALL_D:
            self._move_narrow(idx, old, new)
            return
        Xi = self.X[idx]
        ws = np.ones(idx.size) if self.w is None else self.w[idx].astype(np.float64)
        m = idx.size
        if m * self.k <= self._SMALL_MOVE:
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
        self._recount(np.bincount(new, minlength=self.k) - np.bincount(old, minlength=self.k))

    def _move_narrow(self, idx, old, new):
        """:meth:`move` for narrow data: column by column, the arrivals' and departures'
        sums by two ``bincount`` each, without copies of the rows or unit weights.
        (Against one ``bincount`` of the rows stacked twice with weights +-1: 1.4x
        faster for 50 moved rows, 1.9x for 5,000, 5x for 30,000: 100,000 x 3, k=16.)"""
        k = self.k
        ws = None if self.w is None else self.w[idx].astype(np.float64)
        dS = np.empty((k, self.X.shape[1]))
        rowsq = None
        for j in range(self.X.shape[1]):
            col = self.X[:, j][idx] - self.offset[j]  # (float64: the offset is)
            wcol = col if ws is None else col * ws
            dS[:, j] = np.bincount(new, wcol, k) - np.bincount(old, wcol, k)
            np.multiply(col, col, out=col)
            if rowsq is None:
                rowsq = col
            else:
                rowsq += col
        dcounts = np.bincount(new, minlength=k) - np.bincount(old, minlength=k)
        if ws is None:
            self.W += dcounts
        else:
            rowsq *= ws
            self.W += np.bincount(new, ws, k) - np.bincount(old, ws, k)
        self.S += dS
        self.Q += np.bincount(new, rowsq, k) - np.bincount(old, rowsq, k)
        self._recount(dcounts)

    def _recount(self, dcounts):
        self.counts += dcounts
        gone = self.counts == 0
        if gone.any():  # exact zeros, no drift, for emptied clusters
            self.S[gone], self.W[gone], self.Q[gone] = 0.0, 0.0, 0.0

    def inertia(self, centers):
        """Weighted inertia of the current labels with respect to ``centers``."""
        cc = centers - self.offset
        val = self.Q.sum() - 2.0 * np.einsum("ij,ij->", self.S, cc)
        val += np.dot(self.W, np.einsum("ij,ij->i", cc, cc))
        return max(float(val), 0.0)

    def relocate_empty(self, centers_old, labels, copies=None):
        """scikit-learn's relocation: each empty cluster takes the point farthest from its
        center (one copy of a folded row: ``copies``, see `relocation_targets`).

        Returns ``(far, new, old)``: the moved row indices (their labels are updated in
        place; a folded row taken twice is listed twice), the clusters they went to and the
        clusters they left."""
        empty = np.flatnonzero(self.W <= 0)
        if empty.size == 0:
            return empty, empty, empty
        # (float64 differences whatever X's dtype, as the other paths rank the
        # candidates: float32 squares tie rows 1e-7 apart, which the paths then split)
        dist = sq_dist_to_assigned(self.X, np.asarray(centers_old, dtype=np.float64), labels,
                                   np.empty(labels.shape[0]))
        far = relocation_targets(dist, self.w, empty.size, copies)
        new = empty[: far.size]
        old = labels[far]
        for new_id, idx in zip(new, far, strict=True):
            one = np.array([idx], dtype=np.intp)
            self.move(one, labels[one], np.array([new_id], dtype=np.intp))
            labels[idx] = new_id
        return far, new, old

    def centers(self, previous):
        """Means of the clusters; clusters without weight keep ``previous``."""
        out = previous.copy()
        ok = self.W > 0
        out[ok] = self.offset + self.S[ok] / self.W[ok, None]
        return out


def _pairwise_half_min(C):
    """Half the distance from each center to its closest other center (float64).

    By the dot-product identity around the centers' mean, except for the pairs it may
    have rounded by more than 2**-24 of their squared distance (centers close together
    next to their distance from the mean): those by differences, since an overestimate
    here would let Hamerly's test keep wrong labels.
    """
    k, d = C.shape
    if k < 2:
        return np.full(k, np.inf)
    Cs = C - C.mean(axis=0)
    csq = np.einsum("ij,ij->i", Cs, Cs)
    # OpenBLAS threads products above 2**18 multiply-adds; under load its threads spin
    with one_blas_thread() if k * k * d > 1 << 18 else contextlib.nullcontext():
        G = Cs @ Cs.T
    D = csq[:, None] + csq[None, :] - 2.0 * G
    tau = 2.0**24 * (d + 4) * float(np.finfo(np.float64).eps)
    r, c = np.nonzero(D <= tau * (csq[:, None] + csq[None, :]))
    if r.size:
        diff = C[r] - C[c]
        D[r, c] = np.einsum("ij,ij->i", diff, diff)
    np.fill_diagonal(D, np.inf)
    return 0.5 * np.sqrt(np.maximum(D.min(axis=1), 0.0))


def _is_same_clustering(labels1, labels2, k) -> bool:
    """True if the two labelings are equal up to a permutation of the cluster ids."""
    mapping = np.full(k, -1, dtype=np.intp)
    mapping[labels1] = labels2
    return bool(np.array_equal(mapping[labels1], labels2))


def _check_init_array(init, X, n_clusters, name="init"):
    """The initial centers as an array of X's dtype.

    Raises
    ------
    ValueError
        For a wrong shape, with scikit-learn's message ("The shape of the initial
        centers ... does not match ...") and the shape that was expected.
    """
    if hasattr(init, "toarray"):  # scipy.sparse
        init = init.toarray()
    arr = np.asarray(init)
    if arr.shape == (n_clusters, X.shape[1]):  # (the usual case: no message to build)
        if arr.dtype is X.dtype:  # (X's float dtype already: a copy, if finite)
            out = arr.copy()
            if bool(np.isfinite(out).all()):
                return out
        return check_array(arr, name=name, copy=True).astype(X.dtype, copy=False)
    expected = (n_clusters, X.shape[1])
    detail = f"init array has shape {arr.shape}; expected {expected} = (n_clusters, n_features)"
    if arr.ndim != 2 or arr.shape[0] != n_clusters:
        raise ValueError(
            f"The shape of the initial centers {arr.shape} does not match the number of "
            f"clusters {n_clusters}: {detail}."
        )
    if arr.shape[1] != X.shape[1]:
        raise ValueError(
            f"The shape of the initial centers {arr.shape} does not match the number of "
            f"features of the data {X.shape[1]}: {detail}."
        )
    return check_array(arr, name=name, copy=True).astype(X.dtype, copy=False)
