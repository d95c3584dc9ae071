"""Exact Lloyd for small data: every distance at every iteration, no bounds.

At a few hundred points a fit costs next to no arithmetic: its time is the fixed cost of
each NumPy call (a few microseconds natively, several times that in Pyodide), so bounds
that save distances but add calls (:mod:`._elkan`, :mod:`._hamerly`) lose to the
textbook loop there. This loop makes as few calls per iteration as the textbook one:

* the data is held transposed, shifted by a rounded mean
  (:func:`~kmeanslab.cluster._elkan.round_offset`: integer data stays integer, so exact
  ties stay exact and go to the lowest center index), and its ``(n_clusters, n_samples)``
  block of squared distances comes from ``-2 c.x + ||c||^2`` by one matrix product
  (``einsum`` in Pyodide, whose NumPy has no BLAS), the points' norms added to the
  minima only; narrow data (``n_features <= SMALL_D``) in float64 whatever its dtype;
  the reported inertia is by differences, and the caller's polishing check covers the
  identity's cancellation;
* all cluster sums (weighted coordinates and weights) come from one ``bincount`` over
  ``(column, cluster)`` cells.

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
from ._elkan import round_offset
from ._k_means_common import ColumnStats
from ._relocation import relocation_targets

_HAS_BLAS = sys.platform != "emscripten"  # (Pyodide's NumPy is built without BLAS)


class _Small:
    """The data of one small fit in the layouts the loop wants (shared by its runs).

    Also computes the column statistics the fit needs (:attr:`stats`, as
    :func:`~kmeanslab.cluster._k_means_common._column_stats` would, from the same
    transposed copy: a few calls instead of a pass per column).
    """

    def __init__(self, X, w):
        n, d = X.shape
        self.n, self.d = n, d
        self.narrow = d <= SMALL_D
        self.w = None if bool(np.all(w == 1)) else w.astype(np.float64)
        # rows summed per cluster by one bincount: the shifted coordinates (weighted) and
        # the weights; cell (row r, cluster j) is r * k + j. Unweighted, its first d rows
        # are the data itself, transposed: (d, n), C order, float64.
        XA = np.empty((d + 1, n))
        XT = XA[:d]
        XT[...] = X.T
        mean = XT.sum(axis=1) / n
        Xc = XT - mean[:, None]
        rowsq = np.einsum("ij,ij->j", Xc, Xc)  # squared distance of each point to the mean
        mean_variance = float(rowsq.sum()) / (n * d)
        radius = math.sqrt(float(rowsq.max())) * (1 + 1e-12) + 1e-300
        self.stats = ColumnStats(mean, mean_variance, radius)
        offset = round_offset(mean, math.sqrt(mean_variance), XT[:, 0])
        XT -= offset[:, None]  # float64 data shifted by about its mean
        if self.w is None:
            XA[d] = 1.0
        else:
            XT = XT.copy()
            XA[d] = self.w
            XA[:d] *= self.w
        self.offset, self.XT = offset, XT
        self.XA = XA.ravel()
        # the identity, in float64 for narrow data (float32 around a rounded offset
        # would lose near ties), else in the data's own dtype
        Xs = XT if self.narrow or X.dtype == np.float64 else XT.astype(X.dtype)
        self.Xs = Xs
        self.xsq = np.einsum("ij,ij->j", Xs, Xs)
        self._cells = None

    def cells(self, k):
        """``r * k`` for each row r of :attr:`XA`, as a column (cached per k)."""
        if self._cells is None or self._cells[0] != k:
            self._cells = (k, (np.arange(self.d + 1, dtype=np.intp) * k)[:, None])
        return self._cells[1]

    def sq_dists(self, cs):
        """Squared distances ``(n_clusters, n_samples)`` to centers ``cs`` (shifted),
        without the points' squared norms (see :meth:`add_norms`): ``-2 c.x + ||c||^2``,
        one matrix product (``einsum`` in Pyodide, whose NumPy has no BLAS). (Explicit
        differences, exact to rounding, cost ``3 n_features`` passes over the block
        against one product: 3-4 times the time at d = 3-8, natively and in Pyodide;
        the caller's polishing check covers the identity's cancellation.)"""
        cd = cs.astype(self.Xs.dtype, copy=False)
        cm2 = -2.0 * cd
        D = cm2 @ self.Xs if _HAS_BLAS else np.einsum("kj,ji->ki", cm2, self.Xs)
        D += np.einsum("ij,ij->i", cd, cd)[:, None]
        return D

    def add_norms(self, dmin):
        """The squared distances from the minima of :meth:`sq_dists`."""
        dmin = dmin + self.xsq
        return np.maximum(dmin, 0, out=dmin)

    def sums(self, labels, k):
        """(S (n_clusters, d) weighted coordinate sums, W (n_clusters,) weights)."""
        idx = self.cells(k) + labels  # (d + 1, n), C order: the layout of XA
        SA = np.bincount(idx.ravel(), self.XA, (self.d + 1) * k).reshape(self.d + 1, k)
        return SA[: self.d].T, SA[self.d]

    def own_sq(self, labels, cs):
        """Squared distance of each point to ``cs[labels]``, by differences."""
        diff = self.XT - cs.T[:, labels]
        return np.einsum("ij,ij->j", diff, diff)

    def inertia(self, labels, cs):
        """Weighted inertia of ``labels`` with respect to ``cs``, by differences."""
        sq = self.own_sq(labels, cs)
        return float(sq.sum()) if self.w is None else float(np.dot(sq, self.w))


def lloyd_small(X, sample_weight, centers_init, max_iter, tol, stats, data=None):
    """One exact Lloyd run on small data (scikit-learn's ``lloyd``), all distances.

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
    sd = data if data is not None else _Small(X, sample_weight)
    k = centers_init.shape[0]
    cs = centers_init - sd.offset  # float64, shifted
    prev = None  # the previous E step's labels
    converged = False
    it = 0
    for it in range(max_iter):
        D = sd.sq_dists(cs)
        labels = D.argmin(axis=0)
        dmin = sd.add_norms(D.min(axis=0))
        inertia = float(dmin.sum()) if sd.w is None else float(np.dot(dmin, sd.w))
        converged = prev is not None and bool((labels == prev).all())
        S, W = sd.sums(labels, k)
        relocated = not W.min() > 0
        if not relocated:  # no empty cluster (the usual case)
            cs_new = S / W[:, None]
        else:
            cs_new = _relocated_means(sd, labels, cs, S, W, k)
        diff = cs_new - cs
        diff = diff.ravel()
        shift_tot = float(np.dot(diff, diff))
        yield it, max(inertia, 0.0)
        if converged:  # scikit-learn: E step against E step; keep the E step's labels
            cs = cs_new
            break
        cs = cs_new
        prev = labels
        if shift_tot <= tol:
            break
    if not converged:  # a last E step against the final centers
        labels = sd.sq_dists(cs).argmin(axis=0)
    # (by differences: the identity's minima may have cancelled)
    inertia = sd.inertia(labels, cs)
    return labels, max(inertia, 0.0), (cs + sd.offset).astype(X.dtype), it + 1


def _relocated_means(sd, labels, cs, S, W, k):
    """Centers after scikit-learn's relocation: each empty cluster takes the point
    farthest from its center and sits on it; clusters left without weight keep their
    center. ``labels`` (the E step's) are not changed: the next E step recomputes all."""
    empty = np.flatnonzero(W <= 0)
    moved_labels = labels.copy()
    dist = sd.own_sq(labels, cs)  # (the identity's minima may have cancelled)
    far = relocation_targets(dist, sd.w, empty.size)
    moved_labels[far] = empty[: far.size]
    S, W = sd.sums(moved_labels, k)
    out = cs.copy()
    ok = W > 0
    out[ok] = S[ok] / W[ok, None]
    out[empty[: far.size]] = sd.XT[:, far].T
    return out
