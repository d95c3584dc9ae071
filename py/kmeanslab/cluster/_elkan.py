"""Exact Lloyd for medium data with Elkan's bounds, written for as few NumPy calls as
possible. Used when ``n_samples * n_clusters <= ELKAN_MAX_ENTRIES`` and the data is small
enough to copy twice (``n_samples * (n_features + 3) <= 2**22``), above the sizes that the
bound-free loop of :mod:`._small` takes (see ``kmeanslab.cluster._lloyd.choose_path``).

A small fit (the digits: 1797 x 64, k=10) costs little arithmetic, so in Pyodide its time
goes to per-call overhead, gathers and scatters as much as to the distance product.
This loop therefore keeps everything in the layout its hot path wants:

* the data shifted once by its (rounded, see :func:`round_offset`) mean, with the squared
  row norms computed once, shared with the column statistics;
* a ``(n_clusters, n_samples)`` matrix of lower bounds ``L`` and an upper bound ``u`` per
  point; a point whose ``u`` is below every ``L[j]`` keeps its label;
* no bounds in the first E step, and the second sets them from its full distance block
  only if a label changed: the centers' first moves are large (68-81% of the points fail
  their bounds in the second E step on the digits and on 3,000 x 64 blobs), and a fit
  that converges there (most well-clustered wide data) never pays for the matrix, its
  square roots or the float32 row norms. Centers are ranked without the points' norms,
  as scikit-learn's ``lloyd`` ranks them; the norms are added only where bounds are set
  (with the sums' BLAS product below, against the loop with bounds from the start, min
  of alternating fits under Node's Pyodide and natively, loaded 2-core machine:
  3,000 x 64 k=8 page 0.88x, float32 0.82-0.90x, 1,797 x 64 k=10 page 0.72-0.89x;
  the digits' 22 iterations natively 0.83-0.88x). The second E step of wide data is
  first screened from the first one's block by the centers' pairwise moves
  (`_elkan_bounds.screen_second`): on converging blobs only 1-7% of the points then get
  distances (3,000 x 64 k=8 under Node's Pyodide 0.76-0.86x, float64 0.72-0.87x,
  3,000 x 128 0.5-0.75x, loaded machine);
* the shifted data ``X64`` is a view of the sums' rows ``XA`` (n, d + 3), written there
  by the column statistics: one copy fewer, and no power-of-two row stride (NumPy's
  reduceat over (3,000, 128) float64 rows took 8x longer than over (3,000, 131) ones);
* the distances of the other points come as one ``(n_clusters, m)`` block (for wide data
  the transpose of an ``(m, n_clusters)`` one): one ``einsum`` in Pyodide (whose NumPy
  has no BLAS: its ``matmul`` is slower there and has a large fixed cost) or one BLAS
  product natively; a few outer products for narrow
  data, whose points first get the exact distance to their own center (which settles
  most of them; for wide data that costs more than it saves);
* row gathers with ``take`` (twice as fast as fancy indexing in Pyodide);
* all cluster statistics (sums, squared norms, weights, counts) as the sums of one
  augmented row per point, updated from the points that changed label by one call
  (a (k, m) x (m, d + 3) contraction of +-1 entries: natively a BLAS product, in
  Pyodide an einsum, 7 calls against a cell bincount's 13); emptied clusters are
  cleaned once, at the M step;
* for unit-weight float64 data those augmented rows ``[x | ||x||^2 | 1 | 1]`` times a
  center's ``[-2 c | 1 | ||c||^2 | 0]`` (one buffer for the run) are the squared
  distance itself: every block after the first comes whole from one product, and the
  inertia is one product of the sums with the same rows; ``KMeans.fit`` reads no
  per-iteration inertia, so none is computed (``records``). Under Node's Pyodide,
  p20 of 80 alternating fits, loaded 2-core machine, the digits (22 iterations) took
  0.90-0.93x the time of the loop before these three changes.

The fixed point, the convergence rule (labels of consecutive E steps equal, or the total
squared center shift at most ``tol``), empty-cluster relocation and the reported inertia
are scikit-learn's ``lloyd``'s.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from ..utils._distances import SMALL_D
from ._bound_loop import _blas_block, _bound_loop
from ._elkan_bounds import _ElkanBounds, ranked
from ._offset import round_offset  # noqa: F401  (imported from here too)

ELKAN_MAX_ENTRIES = 1 << 18  # n * k up to which this loop is used
_HAS_BLAS = sys.platform != "emscripten"  # (Pyodide's NumPy is built without BLAS)


class _State:
    """Data in distance coordinates, bounds, labels and cluster sums of one run."""

    def __init__(self, X, w, stats):
        n, d = X.shape
        self.n, self.d = n, d
        self.narrow = d <= SMALL_D
        self.copies = stats.copies  # (folded rows: an empty cluster takes one copy)
        self.center_dtype = X.dtype  # (float32 data: centers rounded to it every M step)
        # narrow data: distances in float64 whatever the input (few operations per point;
        # float32 around a rounded offset would lose near ties); wide data: its own dtype
        self.dtype = np.dtype(np.float64) if self.narrow else X.dtype
        # X64: the shifted data in float64, for the sums; Xs: the same in self.dtype,
        # for the distances
        if stats.centered is not None:
            self.X64, xsq64, self.offset = stats.centered
        else:
            self.offset = round_offset(stats.mean, math.sqrt(stats.mean_variance), X[0])
            self.X64 = X - self.offset  # float64 (the offset is)
            xsq64 = np.einsum("ij,ij->i", self.X64, self.X64)
        self.xsq64 = xsq64
        if self.dtype == np.float64:
            Xs, self._xsq = self.X64, xsq64
        else:  # (the norms in float32 only once bounds need them: see xsq)
            Xs, self._xsq = self.X64.astype(self.dtype), None
        self.Xs = Xs
        base = Xs.base
        self._rows_of = (base if not Xs.flags.c_contiguous and base is not None
                         and base.ndim == 2 and base.flags.c_contiguous else Xs)
        # narrow data: coordinates as rows, so that the outer products run along n
        self.XsT = np.ascontiguousarray(Xs.T) if self.narrow else None
        self.w = None if bool(np.all(w == 1)) else w.astype(np.float64)
        # below this, a cluster's weight is rounding left by points that moved out
        self.w_floor = 0.0 if self.w is None else 1e-12 * float(self.w.sum())
        # rows whose per-cluster sums are the cluster statistics (see full_sums): unit
        # weights take the buffer the column statistics wrote X64 and its norms into
        # (only read afterwards, so runs of n_init share it; weights would scale it)
        XA = self.X64.base
        if not (self.w is None and XA is not None and xsq64.base is XA
                and XA.shape == (n, d + 3)):
            XA = np.empty((n, d + 3))
            XA[:, :d] = self.X64
            XA[:, d] = xsq64
        XA[:, d + 1] = 1.0
        XA[:, d + 2] = 1.0
        if self.w is not None:
            XA[:, : d + 2] *= self.w[:, None]
        self.XA = XA
        # unit-weight float64 data: the rows of XA, [x | ||x||^2 | 1 | 1], times a center's
        # [-2 c | 1 | ||c||^2 | 0] are the whole squared distance, in one product (no
        # passes adding the centers' and the points' norms to the block: in Pyodide 2 of
        # about 35 calls per iteration); natively too (3 columns more in a BLAS product)
        self.aug = self.w is None and self.dtype == np.float64 and not self.narrow
        self.labels = None  # the run's labels (lloyd_elkan sets them; move reads them)
        self.cs = self.csT = self.cm2 = self.cmT = self.cc = self.csq = None  # centers: set_centers
        self.CA = None  # [-2 c | 1 | ||c||^2 | 0] per center: set_centers fills it
        self.CAT = None  # (natively its contiguous transpose, the BLAS product's factor)
        self.u = self.L = None  # bounds: assign
        self.twins = None  # whether two centers are equal (None: not known, see ranked)
        self.first = None  # the first E step's block, for the second's screen: nearest

    @property
    def xsq(self):
        """Squared row norms of ``Xs`` in its dtype (only the bounds need them: the
        centers are ranked without them)."""
        if self._xsq is None:
            self._xsq = np.einsum("ij,ij->i", self.Xs, self.Xs)
        return self._xsq

    # -- centers -----------------------------------------------------------------------
    def set_centers(self, cs):
        """Centers ``cs`` (float64, shifted coordinates) for the next E step."""
        self.cs = cs
        k, d = cs.shape
        # [-2 c | 1 | ||c||^2 | 0]: the augmented product's right factor (see aug) and the
        # inertia's weights of the cluster sums' columns (one buffer for the run: three
        # calls per iteration; cc stays its own array, the screen keeps the old one)
        CA = self.CA
        if CA is None or CA.shape[0] != k:
            self.CA = CA = np.zeros((k, d + 3))
            CA[:, d] = 1.0
        np.multiply(cs, -2.0, out=CA[:, :d])
        self.cc = cc = np.einsum("ij,ij->i", cs, cs)
        CA[:, d + 1] = cc
        # (natively the product's right factor as a contiguous (d, k) array: OpenBLAS's
        # small-matrix kernels take it so, 2.3x faster than the transposed view at
        # 300-1,200 x 64, k=10, one thread)
        self.CAT = np.ascontiguousarray(CA.T) if self.aug and _HAS_BLAS else None
        self.cm2 = self.cmT = self.csq = None  # the coordinates' product: _coord_factors
        if not self.aug:  # (with aug only the first E step and the screen want them)
            self._coord_factors()

    def _coord_factors(self):
        """``-2 c`` (contiguous: in Pyodide einsum is slower with a strided factor), its
        transpose natively, the centers' squared norms, in the distances' dtype."""
        cs, d = self.cs, self.d
        cd = cs.astype(self.dtype, copy=False)
        self.csT = np.ascontiguousarray(cd.T) if self.narrow else None
        self.cm2 = np.ascontiguousarray(self.CA[:, :d], dtype=self.dtype)
        self.cmT = np.ascontiguousarray(self.cm2.T) if _HAS_BLAS and not self.narrow else None
        self.csq = (self.cc if cd is cs else np.einsum("ij,ij->i", cd, cd))[:, None]

    # -- distances ---------------------------------------------------------------------
    def _sq_block(self, rows, norms=True):
        """Squared distances ``(n_clusters, m)`` of the points ``rows`` (None: all).

        Without ``norms``, less each point's squared norm: enough to rank the centers
        (scikit-learn's ``lloyd`` ranks them so), one pass over the block fewer; with
        ``aug`` the norms come free."""
        if self.aug and norms:  # one product of the augmented rows (see aug)
            XAr = self.XA if rows is None else self.XA.take(rows, axis=0)
            DT = _blas_block(XAr, self.CAT) if _HAS_BLAS else np.einsum("ij,kj->ik", XAr, self.CA)
            return DT.T
        if self.cm2 is None:
            self._coord_factors()
        if self.narrow:
            XT = self.XsT if rows is None else self.XsT[:, rows]
            cm2 = self.cm2
            D = cm2[:, 0:1] * XT[0]
            for j in range(1, self.d):
                t = cm2[:, j : j + 1] * XT[j]
                D += t
        else:
            # (take: twice as fast as fancy indexing for rows in Pyodide)
            # (rows of a view are gathered from its contiguous base: take would copy
            # the whole view first)
            Xr = self.Xs if rows is None else self._rows_of.take(rows, axis=0)[:, : self.d]
            # Pyodide's NumPy has no BLAS: there einsum's dot loops beat matmul's; with
            # BLAS (native), matmul is five times faster than einsum. The block is made
            # (m, n_clusters) and used transposed: the product is faster so (natively
            # 14 against 22 us at 600 x 64, k=10) and so is the argmin along its rows
            DT = _blas_block(Xr, self.cmT) if _HAS_BLAS else np.einsum("ij,kj->ik", Xr, self.cm2)
            D = DT.T
        D += self.csq
        if norms:
            self._add_norms(D, rows)
        return D

    def _add_norms(self, D, rows):
        D += self.xsq if rows is None else self.xsq[rows]
        np.maximum(D, 0, out=D)

    def assign(self, rows, old=None):
        """All distances of ``rows`` (None: every point): labels, exact ``u`` and ``L``.

        With ``old`` (every point's labels; ``rows`` None), the bounds are set only if
        some label changed: a fit that has converged never pays for them (the nearest
        center is taken from the squared distances, as scikit-learn does)."""
        D2 = self._sq_block(rows, norms=self.aug)
        new = ranked(self, D2, rows)
        if old is not None and np.array_equal(new, old):
            return new
        if self.aug:  # (the norms are in: only rounding below zero to clip)
            np.maximum(D2, 0, out=D2)
        else:
            self._add_norms(D2, rows)
        D = np.sqrt(D2, out=D2) if D2.dtype == np.float64 else np.sqrt(D2, dtype=np.float64)
        ar = np.arange(D.shape[1], dtype=np.intp)
        if rows is None:
            self.u = D[new, ar]
            D[new, ar] = np.inf  # the own center is not a lower bound
            self.L = np.ascontiguousarray(D)  # (rows of L: fast minima, drifts)
        else:
            self.u[rows] = D[new, ar]
            D[new, ar] = np.inf
            self.L[:, rows] = D
        return new

    def nearest(self, rx=None):
        """Labels of every point, without bounds (the first E step: the next one sets
        them, from its own full distance block). With ``rx`` (a bound of the points'
        norms), wide data keeps the block for the second E step's screen
        (`_elkan_bounds.screen_second`)."""
        D = self._sq_block(None, norms=False)
        if rx is not None and not self.narrow:
            self.first = (D, self.cs, self.cc, rx)
        return ranked(self, D, None)

    def own_distance(self, rows, labels):
        """Exact distance of the points ``rows`` to their centers ``labels``."""
        cd = self.cs.astype(self.dtype, copy=False)
        XT = self.XsT[:, rows]
        acc = None
        for j in range(self.d):
            t = XT[j] - cd[labels, j]
            t *= t
            if acc is None:
                acc = t
            else:
                acc += t
        return np.sqrt(acc, dtype=np.float64)

    # -- sums --------------------------------------------------------------------------
    # One (n_clusters, d + 3) array holds, per cluster, the sums of w x, w ||x||^2, w and
    # the count (float, exact): the rows of ``self.XA`` summed, so that one reduceat or
    # one bincount updates all four.
    def full_sums(self, labels, k):
        """Recount the cluster sums from ``labels``."""
        counts = np.bincount(labels, minlength=k)
        # (a stable sort of 16-bit keys is a radix sort: 4x faster than argsort's in Pyodide)
        keys = labels.astype(np.int16) if k <= 1 << 15 else labels
        order = np.argsort(keys, kind="stable")
        starts = np.zeros(k, dtype=np.intp)
        np.cumsum(counts[:-1], out=starts[1:])
        SA = np.zeros((k, self.XA.shape[1]))
        nz = counts > 0
        if nz.any():
            SA[nz] = np.add.reduceat(self.XA.take(order, axis=0), starts[nz], axis=0)
        self._set_sums(SA)

    def _set_sums(self, SA):
        d = self.d
        self.SA = SA
        self.S, self.Q, self.W, self.counts = SA[:, :d], SA[:, d], SA[:, d + 1], SA[:, d + 2]

    def move(self, idx, old, new):
        """Points ``idx`` left clusters ``old`` for clusters ``new`` (``self.labels``
        already says so)."""
        k, c = self.SA.shape
        m = idx.size
        if m * k > 4 * self.n:  # many moves: recounting is cheaper
            self.full_sums(self.labels, k)
            return
        rows = self.XA.take(idx, axis=0)
        # one (k, m) x (m, c) contraction of +-1 entries (natively a BLAS product: twice
        # as fast as a bincount over (cluster, column) cells even for 30 rows; in Pyodide
        # 7 calls against the bincount's 13, 1.3x faster at 5-30 rows)
        M = np.zeros((k, m))
        ar = np.arange(m, dtype=np.intp)
        M[new, ar] = 1.0
        M[old, ar] -= 1.0
        self.SA += M @ rows if _HAS_BLAS else np.einsum("km,mc->kc", M, rows)
        # (emptied clusters keep the sums' rounding until `settled`, which the M step and
        # the final inertia call: two calls fewer per E step)

    def settled(self) -> bool:
        """Exact zeros for the clusters the moves emptied (and, with weights, those left
        with zero-weight points only: weight 0). True if no cluster is empty."""
        if self.w is None:
            if self.counts.min() >= 0.5:  # (counts are exact: no cluster emptied)
                return True
        elif self.counts.min() >= 0.5 and self.W.min() > self.w_floor:
            return True
        gone = self.counts < 0.5
        self.SA[gone] = 0.0
        if self.w is not None:
            light = self.W <= self.w_floor
            self.SA[light, : self.d + 2] = 0.0
        return not bool(self.W.min() <= 0)

    def inertia(self):
        """Weighted inertia of the current labels with respect to the current centers:
        from the cluster sums when they cannot have lost more than about 1e-9 of it to
        cancellation (the usual case), else point by point."""
        self.settled()
        # (one product of the sums' columns with the centers' [-2 c | 1 | ||c||^2 | 0]:
        # per column, -2 S.c, then Q, W ||c||^2, 0)
        v = np.einsum("ij,ij->j", self.SA, self.CA).tolist()
        d = self.d
        total, cw = v[d], v[d + 1]
        cross2 = sum(v[:d])
        val = total + cross2 + cw
        if val > 1e-6 * (total + abs(cross2) + cw):
            return val
        diff = self.X64 - self.cs[self.labels]
        sq = np.einsum("ij,ij->i", diff, diff)
        return float(np.dot(sq, self.w)) if self.w is not None else float(sq.sum())


def lloyd_elkan(X, sample_weight, centers_init, max_iter, tol, stats, records=True):
    """One exact Lloyd run on small data (scikit-learn's ``lloyd``, with bounds).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    sample_weight : ndarray of shape (n_samples,)
    centers_init : ndarray of shape (n_clusters, n_features)
    max_iter : int
    tol : float
        Absolute: a run stops when the total squared center shift is at most ``tol``.
    stats : ColumnStats
        From ``kmeanslab._kmeans._column_stats(X)``.
    records : bool, default=True
        False: the yielded inertia is None (nobody reads it: ``KMeans.fit``), which
        saves its computation every iteration.

    Yields
    ------
    (iteration, inertia)
        After every iteration: the inertia of the E-step labels with respect to the
        centers they were assigned to (None without ``records``).

    Returns
    -------
    (labels, inertia, centers, n_iter)
        As the generator's return value; centers in the dtype of X.
    """
    k = centers_init.shape[0]
    st = _State(X, sample_weight, stats)
    offset = st.offset
    # bounds are widened by a rounding margin every iteration; the offset is within the
    # radius of the mean, so 2 x 16 eps covers distances measured from it
    margin = 32.0 * float(np.finfo(X.dtype).eps) * (stats.radius + 1e-300)
    cs = centers_init - offset  # float64
    st.set_centers(cs)
    # the first E step without bounds: the second one needs every distance anyway (the
    # centers' first moves are large: 68-81% of the points fail their bounds on the
    # digits and 3,000 x 64 blobs), and a fit that stops there never sets them up
    # (a bound of the shifted points' norms, for the second E step's screen)
    to_mean = stats.mean - offset
    rx = (stats.radius + math.sqrt(float(to_mean @ to_mean))) * (1.0 + 1e-12)
    labels = st.nearest(rx).astype(np.intp, copy=False)
    st.labels = labels
    st.full_sums(labels, k)
    bounds = _ElkanBounds(st, margin)
    n_iter = yield from _bound_loop(st, bounds, labels, cs, max_iter, tol, records)
    return labels, st.inertia(), (st.cs + offset).astype(X.dtype), n_iter
