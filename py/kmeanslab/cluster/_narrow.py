"""Exact Lloyd for mid-size narrow data (``n_features <= SMALL_D``) with Hamerly's
single lower bound per point (Hamerly, "Making k-means even faster", SDM 2010), kept
lazily through cumulative center drifts, in few NumPy calls per iteration.

Elkan's ``(n_clusters, n_samples)`` matrix of lower bounds (:mod:`._elkan`) settles
barely more points than one bound per point on this data (simulated on overlapping 2-d
blobs: 10,000 points, k=8, 23 iterations, 23,400 against 26,600 points left for a full
distance pass after the exact distance to their own center), but costs two passes over
the whole matrix per iteration (the drift and the minimum), and a minimum along an axis
is slow in Pyodide (about 2.4 ns an entry against 0.5 for an addition). Here a point that
the bounds settle costs one gather and two elementwise passes per iteration, whatever
``n_clusters``:

* each point ``i`` stores ``ub = u - P[a]`` and ``gap = (lo + Dm) - ub`` where ``u`` bounds
  the distance to its center ``a`` from above, ``lo`` bounds the distances to every other
  center from below, ``P`` sums each center's moves and ``Dm`` the largest move of every
  iteration (both since the start, widened by a rounding margin); the label is proven
  unchanged while ``gap - P[a] > Dm``;
* the other points first get the exact distance to their own center (by differences,
  column by column); with the bound, or with half the distance from their center to its
  closest other one (Hamerly's second test), that settles most of them;
* the rest get all their distances as one ``(n_clusters, m)`` block of outer products
  (:meth:`._elkan._State._sq_block`), the nearest and second nearest giving new bounds.

Data layout, cluster sums, inertia and relocation are :mod:`._elkan`'s; the fixed point,
the convergence rule and the reported inertia are scikit-learn's ``lloyd``'s.
"""

from __future__ import annotations

import numpy as np

from ._bound_loop import _bound_loop
from ._elkan import _State

_FULL_PASS = 0.5  # above this fraction of points left, compute every distance
_HALF_MIN = True


class _Bounds:
    """Hamerly's bounds of every point, kept lazily (see the module docstring)."""

    def __init__(self, n, k):
        self.ub = np.empty(n)
        self.gap = np.empty(n)
        self.P = np.zeros(k)
        self.Dm = 0.0

    def set(self, rows, labels, u, lo):
        """Exact ``u`` (own center) and a lower bound ``lo`` (the others) for ``rows``
        (None: every point)."""
        ub = u - self.P[labels]
        gap = lo + self.Dm
        gap -= ub
        if rows is None:
            self.ub, self.gap = ub, gap
        else:
            self.ub[rows] = ub
            self.gap[rows] = gap

    def flagged(self, labels):
        """Points whose label the bounds cannot prove (equality may be a tie)."""
        t = self.P[labels]
        np.subtract(self.gap, t, out=t)
        return np.flatnonzero(t <= self.Dm)

    def drift(self, moves, margin):
        self.P += moves + margin
        self.Dm += float(moves.max()) + margin


def _nearest_two(st, rows):
    """Labels, exact distances to the nearest center and to the second nearest, of the
    points ``rows`` (None: every point)."""
    D = st._sq_block(rows)
    lab = D.argmin(axis=0)
    ar = np.arange(D.shape[1], dtype=np.intp)
    d1 = D[lab, ar]
    D[lab, ar] = np.inf
    d2 = D.min(axis=0)
    return lab, np.sqrt(d1), np.sqrt(d2)


def _own_distance(st, rows, labels):
    """Exact distance of the points ``rows`` to their centers ``labels``, by
    differences: one ``(n_features, m)`` block (``take`` along columns: several times
    faster than fancy indexing natively, no slower in Pyodide)."""
    diff = st.XsT.take(rows, axis=1)
    diff -= st.csT.take(labels, axis=1)
    return np.sqrt(np.einsum("ij,ij->j", diff, diff))


def _estep(st, b, labels, half_min, on_change):
    """One E step. Returns the number of changed labels."""
    R = b.flagged(labels)
    if R.size == 0:
        return 0
    a = labels[R]
    Pa = b.P[a]
    ubR = b.ub[R]
    bound = b.gap[R] + ubR
    bound -= b.Dm  # the lower bound now
    if half_min is not None:
        np.maximum(bound, half_min[a], out=bound)
    da = _own_distance(st, R, a)
    # the exact own distance, and the bound that may now include half_min: kept
    ub = da - Pa
    b.ub[R] = ub
    g = bound + b.Dm
    g -= ub
    b.gap[R] = g
    rest = R[da >= bound]
    if rest.size == 0:
        return 0
    old = labels[rest]
    if rest.size > _FULL_PASS * st.n:
        new_all, u, lo = _nearest_two(st, None)
        b.set(None, new_all, u, lo)
        new = new_all[rest]
        labels[:] = new_all
    else:
        new, u, lo = _nearest_two(st, rest)
        b.set(rest, new, u, lo)
        labels[rest] = new
    moved = np.flatnonzero(new != old)
    if moved.size:
        on_change(rest[moved], old[moved], new[moved])
    return moved.size


def lloyd_narrow(X, sample_weight, centers_init, max_iter, tol, stats, records=True):
    """One exact Lloyd run on mid-size data of at most ``SMALL_D`` features
    (scikit-learn's ``lloyd``, with Hamerly's bounds).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    sample_weight : ndarray of shape (n_samples,)
    centers_init : ndarray of shape (n_clusters, n_features)
    max_iter : int
    tol : float
        Absolute: a run stops when the total squared center shift is at most ``tol``.
    stats : ColumnStats
        From ``kmeanslab.cluster._k_means_common._column_stats(X)``.

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
    k = centers_init.shape[0]
    st = _State(X, sample_weight, stats)
    offset = st.offset
    # as in _elkan: 2 x 16 eps of the radius covers distances measured from the offset
    margin = 32.0 * float(np.finfo(X.dtype).eps) * (stats.radius + 1e-300)
    cs = centers_init - offset  # float64
    st.set_centers(cs)
    b = _Bounds(st.n, k)
    labels, u, lo = _nearest_two(st, None)
    labels = labels.astype(np.intp, copy=False)
    b.set(None, labels, u, lo)
    st.labels = labels
    st.full_sums(labels, k)
    n_iter = yield from _bound_loop(st, _HamerlyBounds(st, b, margin), labels, cs,
                                    max_iter, tol, records)
    return labels, st.inertia(), (st.cs + offset).astype(X.dtype), n_iter


class _HamerlyBounds:
    """Hamerly's bounds as `_bound_loop` uses them."""

    def __init__(self, st, b, margin):
        self.st, self.b, self.margin = st, b, margin

    def estep(self, labels, cs):
        # cs: the centers set last (st.cs); half the distance to each one's nearest other
        return _estep(self.st, self.b, labels, _half_min(cs, cs.shape[0]), self.st.move)

    def drift(self, moves, labels):
        self.b.drift(moves, self.margin)

    def reset(self, moved, labels):  # relocated points sit on their new center
        self.b.ub[moved] = -self.b.P[labels[moved]]
        self.b.gap[moved] = -np.inf


def _half_min(cs, k):
    """Half the distance from each center to its closest other one (Hamerly's second
    test), by differences (exact to rounding: narrow data, few centers), shrunk by a
    relative 2**-40 so that rounding never overestimates it."""
    if not _HALF_MIN or k < 2:
        return None
    diff = cs[:, None, :] - cs[None, :, :]
    sq = np.einsum("ijk,ijk->ij", diff, diff)
    sq.flat[:: k + 1] = np.inf
    return 0.5 * np.sqrt(sq.min(axis=1)) * (1.0 - 2.0**-40)
