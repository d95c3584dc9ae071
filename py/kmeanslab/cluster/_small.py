"""Exact Lloyd for small and mid-size data: every distance at every iteration, then,
once few labels change, Hamerly's bounds.

At a few hundred points a fit costs next to no arithmetic: its time is the fixed cost of
each NumPy call (a few microseconds natively, several times that in Pyodide), so bounds
that save distances but add calls (:mod:`._elkan`, :mod:`._hamerly`) lose to the
textbook loop there. Narrow fits below the hand-over size with ``n_samples * n_clusters *
n_features <= EXACT_MAX`` run :mod:`._small_exact` (exact differences, fewer calls than
the textbook loop); the others make as few calls per iteration as the textbook one:

* the data is held transposed, shifted by a rounded mean
  (:func:`~kmeanslab.cluster._elkan.round_offset`: integer data stays integer, so exact
  ties stay exact and go to the lowest center index), and its ``(n_clusters, n_samples)``
  block of squared distances comes from ``-2 c.x + ||c||^2`` by one matrix product
  (``einsum`` in Pyodide, whose NumPy has no BLAS; natively on one BLAS thread), the
  points' norms added to the minima only; narrow data (``n_features <= SMALL_D``) in
  float64 whatever its dtype; the reported inertia is by differences, and the caller's
  polishing check covers the identity's cancellation; narrow data with up to 64 clusters
  takes its nearest centers from a keyed block (:mod:`._small_keys`: no ``argmin``
  along the short axis, near-ties by exact differences);
* all cluster sums (weighted coordinates, weights, weighted squared norms) come from one
  ``bincount`` over ``(column, cluster)`` cells.

On mid-size data (``n_samples * n_clusters >= 2**14``) the loop hands over to Hamerly's
bounds (Hamerly, "Making k-means even faster", SDM 2010: the exact distance to the own
center above, to the second closest below) at the first iteration whose labels changed
for at most ``_HANDOVER_SHARE`` of the points: that iteration's full block gives the
bounds for free, a fit that converges in a few iterations never pays for them, and one
that takes many (bounds settle most points only once few labels change) computes
distances for the undecided points only (:mod:`._small_bounds`), with cluster sums
updated from the points that moved and the inertia from the sums.

The fixed point, the convergence rule (labels of consecutive E steps equal, or the total
squared center shift at most ``tol``), empty-cluster relocation and the reported inertia
are scikit-learn's ``lloyd``'s, as in :mod:`._elkan`. Which data takes this path is
decided in :func:`kmeanslab.cluster._lloyd.choose_path`.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from ..utils._distances import SMALL_D
from ..utils._ties import exact_near_ties, has_twins
from ._elkan import round_offset
from ._k_means_common import ColumnStats
from ._small_bounds import _FULL_PASS, _bounded_estep, _bounds_from, _drift, _nearest_rows  # noqa: F401
from ._small_exact import _bincount, _einsum, _lloyd_exact, _min, _relocated_means, _weighted_sum
from ._small_keys import SmallKeys, use_keys

_HAS_BLAS = sys.platform != "emscripten"  # (Pyodide's NumPy is built without BLAS)
#: n_samples * n_clusters * n_features up to which narrow data takes exact differences
#: (below the hand-over size: :mod:`._small_exact`). Was 2**13; from 2**16 1,000 x 2, k=8
#: and 3,000 x 2, k=2 gain the loop's few calls and lose the polishing check and the BLAS
#: switch (whole fit / plain loop natively 1.02 -> 0.83 and 1.09 -> 0.76)
EXACT_MAX = 1 << 16


class _Small:
    """The data of one small fit in the layouts the loop wants (shared by its runs).

    Also computes the column statistics the fit needs (:attr:`stats`, as
    :func:`~kmeanslab.cluster._k_means_common._column_stats` would, from the same
    transposed copy: a few calls instead of a pass per column).
    """

    def __init__(self, X, w, n_clusters=None, unit_weights=False):
        n, d = X.shape
        self.n, self.d = n, d
        self.narrow = d <= SMALL_D
        # tiny narrow fits take exact differences: no polishing check and no BLAS switch
        # after the fit (their fixed costs, 40-60 us natively and more in Pyodide, were
        # a third of a 300-point fit), and the block is too small for the identity's one
        # product to gain much over d passes
        self.exact = (self.narrow and n_clusters is not None and n * n_clusters * d <= EXACT_MAX
                      and n * n_clusters < _HANDOVER_MIN_ENTRIES)
        # (unit_weights: the caller knows; np.all(w == 1) is two calls)
        self.w = None if unit_weights or bool(np.all(w == 1)) else w.astype(np.float64)
        # rows summed per cluster by one bincount: the shifted coordinates (weighted), the
        # weights and the weighted squared norms; cell (row r, cluster j) is r * k + j.
        # Unweighted, its first d rows are the data itself, transposed: (d, n), C order,
        # float64. (Tiny exact fits never take the inertia from the sums: no squared-norm
        # row, and no radius: it serves the polishing check and the bounds only.)
        self.rows = d + 1 if self.exact else d + 2
        XA = np.empty((self.rows, n))
        XT = XA[:d]
        XT[...] = X.T
        mean = np.add.reduce(XT, 1) / n  # (ndarray.sum's Python wrapper: a call in Pyodide)
        Xc = XT - mean[:, None]
        if self.exact:
            mean_variance = float(_einsum("ij,ij->", Xc, Xc)) / (n * d)
            radius = math.inf
        else:
            rowsq = _einsum("ij,ij->j", Xc, Xc)  # squared distance of each point to the mean
            mean_variance = float(rowsq.sum()) / (n * d)
            radius = math.sqrt(float(rowsq.max())) * (1 + 1e-12) + 1e-300
        self.stats = ColumnStats(mean, mean_variance, radius)
        offset = round_offset(mean, math.sqrt(mean_variance), XT[:, 0])
        XT -= offset[:, None]  # float64 data shifted by about its mean
        if not self.exact:
            _einsum("ij,ij->j", XT, XT, out=XA[d + 1])
        if self.w is None:
            XA[d] = 1.0
        else:
            XT = XT.copy()
            XA[d] = self.w
            XA[:d] *= self.w
            XA[d + 1 : self.rows] *= self.w
        self.offset, self.XT = offset, XT
        self.X3 = XT[:, None, :]  # (d, 1, n): the exact loop's broadcast differences
        self.XA2 = XA
        self.XA = XA.ravel()
        # the identity, in float64 for narrow data (float32 around a rounded offset
        # would lose near ties), else in the data's own dtype
        if self.exact:  # (the exact loop takes differences: no norms)
            self.Xs, self.xsq = XT, None
        elif self.narrow or X.dtype == np.float64:
            self.Xs = XT
            self.xsq = XA[d + 1] if self.w is None else _einsum("ij,ij->j", XT, XT)
        else:
            self.Xs = XT.astype(X.dtype)
            self.xsq = _einsum("ij,ij->j", self.Xs, self.Xs)
        self._cells = None

    def cells(self, k):
        """``r * k`` for each row r of :attr:`XA`, as a column (cached per k)."""
        if self._cells is None or self._cells[0] != k:
            self._cells = (k, (np.arange(self.rows, dtype=np.intp) * k)[:, None])
        return self._cells[1]

    def sq_dists(self, cs, rows=None, csq=None):
        """Squared distances ``(n_clusters, n_samples)`` to centers ``cs`` (shifted),
        without the points' squared norms (see :meth:`add_norms`): ``-2 c.x + ||c||^2``
        (``csq`` in place of ``||c||^2`` when given),
        one matrix product (``einsum`` in Pyodide, whose NumPy has no BLAS). (Explicit
        differences, exact to rounding, cost ``3 n_features`` passes over the block
        against one product: 3-4 times the time at d = 3-8, natively and in Pyodide;
        the caller's polishing check covers the identity's cancellation.)"""
        Xs = self.Xs if rows is None else self.Xs.take(rows, axis=1)
        cd = cs.astype(self.Xs.dtype, copy=False)
        cm2 = -2.0 * cd
        D = cm2 @ Xs if _HAS_BLAS else _einsum("kj,ji->ki", cm2, Xs)
        D += (_einsum("ij,ij->i", cd, cd) if csq is None else csq)[:, None]
        return D

    def add_norms(self, dmin):
        """The squared distances from the minima of :meth:`sq_dists`."""
        dmin = dmin + self.xsq
        return np.maximum(dmin, 0, out=dmin)

    def sums(self, labels, k):
        """The cluster sums ``(n_features + 2, n_clusters)``: weighted coordinates
        (``SA[:d].T`` the sums S), weights (``SA[d]``: W) and weighted squared norms."""
        idx = self.cells(k) + labels  # (rows, n), C order: the layout of XA
        return _bincount(idx.ravel(), self.XA, self.rows * k).reshape(self.rows, k)

    def move(self, SA, idx, old, new):
        """Cluster sums ``SA`` updated in place for the points ``idx`` moved from clusters
        ``old`` to ``new`` (unweighted data: the weights are exact counts)."""
        k = SA.shape[1]
        size = (self.d + 2) * k
        cells = self.cells(k)
        rows = self.XA2.take(idx, axis=1).ravel()
        flat = SA.reshape(-1)
        flat += _bincount((cells + new).ravel(), rows, size)
        flat -= _bincount((cells + old).ravel(), rows, size)
        gone = SA[self.d] == 0
        if gone.any():  # exact zeros, no drift, for emptied clusters
            SA[:, gone] = 0.0

    def sums_inertia(self, SA, cs):
        """Weighted inertia from the cluster sums when they cannot have lost more than
        about 1e-6 of it to cancellation (the usual case), else None."""
        d = self.d
        total = float(SA[d + 1].sum())
        cross = float(_einsum("ji,ij->", SA[:d], cs))
        cw = float(np.dot(SA[d], _einsum("ij,ij->i", cs, cs)))
        val = total - 2.0 * cross + cw
        return val if val > 1e-6 * (total + 2.0 * abs(cross) + cw) else None

    def own_sq(self, labels, cs):
        """Squared distance of each point to ``cs[labels]``, by differences."""
        diff = self.XT - cs.T.take(labels, axis=1)  # (take: faster in Pyodide)
        return _einsum("ij,ij->j", diff, diff)

    def inertia(self, labels, cs):
        """Weighted inertia of ``labels`` with respect to ``cs``, by differences."""
        sq = self.own_sq(labels, cs)
        return float(sq.sum()) if self.w is None else float(np.dot(sq, self.w))


def lloyd_small(X, sample_weight, centers_init, max_iter, tol, stats, data=None,
                records=True):
    """One exact Lloyd run (scikit-learn's ``lloyd``): all distances, then bounds.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    sample_weight : ndarray of shape (n_samples,)
    centers_init : ndarray of shape (n_clusters, n_features)
    max_iter : int
    tol : float
        Absolute: a run stops when the total squared center shift is at most ``tol``.
    stats : ignored
        (The column statistics come with ``data``.)
    data : _Small, default=None
        The data prepared for X (runs of one fit share it); by default made here.
    records : bool, default=True
        False: tiny fits (exact differences) yield nothing and compute no inertia before
        the last iteration (each NumPy call counts there: 5-20 us in Pyodide).

    Yields
    ------
    (iteration, inertia)
        After every iteration: the inertia of the E-step labels with respect to the
        centers they were assigned to.

    Returns
    -------
    (labels, inertia, centers, n_iter)
        As the generator's return value; centers in the dtype of X, labels np.intp.
    """
    sd = data if data is not None else _Small(X, sample_weight, centers_init.shape[0])
    # (folded repeated rows: an empty cluster takes one copy of a row, as elsewhere)
    sd.copies = getattr(stats, "copies", None)
    if sd.exact:
        return (yield from _lloyd_exact(X, sd, centers_init, max_iter, tol, records))
    if _HAS_BLAS:
        with one_blas_thread():
            return (yield from _lloyd_small(X, sd, centers_init, max_iter, tol, records))
    return (yield from _lloyd_small(X, sd, centers_init, max_iter, tol, records))


def one_blas_thread():
    """One BLAS thread for a fit (natively; Pyodide has no threads), through
    threadpoolctl where it is installed (:mod:`._random_swap`'s controller, made once),
    as scikit-learn's KMeans does. This loop's products are small, and on a loaded
    machine OpenBLAS's threads wait on each other at every call: measured on 2 busy
    cores, a whole fit 2.5-4x faster at 3,000 x 64-128 and 10,000 x 16 (float32 and
    float64); the switch costs about 7 us."""
    from ._random_swap import _one_blas_thread  # (lazy: _random_swap imports _kmeans)

    return _one_blas_thread()


def _lloyd_small(X, sd, centers_init, max_iter, tol, records=True):
    k = centers_init.shape[0]
    n = sd.n
    cs = centers_init - sd.offset  # float64, shifted
    # the bounds are widened by a rounding margin every iteration (as in _elkan)
    margin = 32.0 * float(np.finfo(sd.Xs.dtype).eps) * (sd.stats.radius + 1e-300)
    handover = _HANDOVER_SHARE * n if k > 1 and n * k >= _HANDOVER_MIN_ENTRIES else -1.0
    keys = SmallKeys(sd, k) if use_keys(sd, k) else None
    prev = None  # the previous E step's labels
    bounds = None  # (u, lo) while the E steps are bounded
    SA = None  # the cluster sums of the previous E step's labels
    converged = relocated = False
    low = X.dtype != np.float64  # (float32 data)
    twins = None  # whether two centers are equal (None: not known yet, see _twins)
    it = 0
    for it in range(max_iter):
        if bounds is None:
            if keys is not None:
                (labels, dmin, d2), D = keys.nearest(cs), None
            else:
                D, d2 = sd.sq_dists(cs), None
                labels = D.argmin(axis=0)
                if twins is None:  # (start, or after a relocation)
                    twins = _twins(sd, cs)
                if twins:
                    labels = _exact_ties(sd, D, labels, cs)
                # (the minima serve the progress record and the bounds only: each call
                # counts in Pyodide)
                dmin = sd.add_norms(_min(D, 0)) if records else None
            if records:
                inertia = _weighted_sum(dmin, sd.w)
            if prev is not None:
                n_changed = int(np.count_nonzero(labels != prev))
                converged = n_changed == 0
                if 0 < n_changed <= handover:  # few labels change now: bounds will pay
                    if dmin is None:
                        dmin = sd.add_norms(_min(D, 0))
                    bounds = _bounds_from(sd, D, labels, dmin, d2)
            SA = sd.sums(labels, k)
        else:
            labels = prev.copy()
            moved = _bounded_estep(sd, cs, labels, bounds, keys)
            converged = moved is None
            if not converged:  # (unweighted: the weights are counts, exact)
                if sd.w is None and moved[0].size * 8 < n:
                    sd.move(SA, *moved)
                else:
                    SA = sd.sums(labels, k)
            if records:
                inertia = sd.sums_inertia(SA, cs)
                if inertia is None:
                    inertia = sd.inertia(labels, cs)
        W = SA[sd.d]
        relocated = not _min(W) > 0
        if not relocated:  # no empty cluster (the usual case)
            cs_new = SA[: sd.d].T / W[:, None]
        else:  # (relocated centers: back to every distance, no bounds)
            cs_new = _relocated_means(sd, labels, cs, SA, k)
            bounds = SA = None
            twins = None
        if low:  # centers in the data's dtype, as plain Lloyd's and scikit-learn's
            cs_new = (cs_new + sd.offset).astype(X.dtype).astype(np.float64) - sd.offset
            twins = None  # (two means may round to one float32)
        diff = cs_new - cs
        moves = _einsum("ij,ij->i", diff, diff)
        shift_tot = float(moves.sum())
        if records:
            yield it, max(inertia, 0.0)
        cs = cs_new
        if converged:  # scikit-learn: E step against E step; keep the E step's labels
            break
        prev = labels
        if bounds is not None:
            _drift(bounds, labels, np.sqrt(moves), margin)
        if shift_tot <= tol:
            break
    if not converged:  # a last E step against the final centers
        if bounds is not None:
            labels = labels.copy()
            moved = _bounded_estep(sd, cs, labels, bounds, keys)
            # the centers are the means of SA's labels (bounds end at a relocation):
            # updated for the points that moved, the sums give the inertia
            inertia = None
            if moved is None:
                inertia = sd.sums_inertia(SA, cs)
            elif sd.w is None and moved[0].size * 8 < n:
                sd.move(SA, *moved)
                inertia = sd.sums_inertia(SA, cs)
        elif keys is not None:
            labels, inertia = keys.nearest(cs)[0], None
        else:
            D = sd.sq_dists(cs)
            labels, inertia = D.argmin(axis=0), None
            if _twins(sd, cs):
                labels = _exact_ties(sd, D, labels, cs)
    else:  # the final centers are the means of these labels: the sums give the inertia
        inertia = None if relocated else sd.sums_inertia(SA, cs)
    if inertia is None:  # (by differences: the identity's minima may have cancelled)
        inertia = sd.inertia(labels, cs)
    return labels, max(inertia, 0.0), (cs + sd.offset).astype(X.dtype), it + 1


def _twins(sd, cs) -> bool:
    """Whether two centers are equal on wide data: the product's BLAS kernels round the
    two equal rows of the block apart, and the rows tied between them went to either
    (narrow data's blocks compute equal rows alike). Twins come from a start with a
    repeated row, a relocation onto a center, or two float32 means rounded to one value
    (float64 means of different clusters do not coincide), so the loop checks at the
    start, after relocations and, on float32 data, after every M step."""
    return not sd.narrow and has_twins(cs)


def _exact_ties(sd, D, labels, cs):
    """``labels`` with the near-ties of the block ``D`` decided by exact differences."""
    return exact_near_ties(D, labels, lambda i: sd.XT[:, i].T, cs,
                           _einsum("ij,ij->j", sd.XT, sd.XT))


# Hamerly's bounds (Hamerly, "Making k-means even faster", SDM 2010) once few labels
# change: every distance at every iteration gives them for free, so the loop starts
# without bounds (a fit that converges in a few iterations never pays for them) and takes
# them from the iteration whose labels changed for at most this share of the points
_HANDOVER_SHARE = 0.2
# n * k below which the loop never takes bounds: there their extra calls cost more than
# the distances they save (1,000 x 2, k=8: 1.1-1.15x the time without, in Pyodide)
_HANDOVER_MIN_ENTRIES = 1 << 14
