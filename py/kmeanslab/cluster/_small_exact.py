"""The tiny fits' loop of :mod:`._small` (``_Small.exact``: narrow data, ``n_samples *
n_clusters * n_features`` up to ``EXACT_MAX``): every distance by explicit differences,
exact to rounding, in as few NumPy calls as possible: at a few hundred points a fit's
time is the fixed cost of each call (a few microseconds natively, 5-20 in Pyodide).
Empty-cluster relocation as scikit-learn's, shared with :mod:`._small`."""

from __future__ import annotations

import numpy as np

from ._relocation import relocation_targets, restore_copies

# NumPy's functions without their Python layers (einsum's argument parsing, the
# array-function dispatchers, ndarray.min's wrapper): 0.2-1.2 us a call in Pyodide, a few
# percent of a 300-point fit; the public functions where these are missing
try:
    from numpy._core.multiarray import c_einsum as _einsum
except ImportError:  # (NumPy 1)
    _einsum = np.einsum
_bincount = getattr(np.bincount, "_implementation", np.bincount)
_vdot = getattr(np.vdot, "_implementation", np.vdot)
_min = np.minimum.reduce


def _lloyd_exact(X, sd, centers_init, max_iter, tol, records):
    """The tiny fits' loop (``sd.exact``): about ten NumPy calls per iteration, fewer than
    the plain loop's. The centers are held transposed, ``(n_features, n_clusters)``, the
    layout of the cluster sums; the block of squared distances ``(n_clusters,
    n_samples)`` is one broadcast difference, squared and summed over the features
    (exact to rounding: ties go to the lowest index).

    Labels are compared with the previous E step's only around a relocation: otherwise
    equal labels give bitwise equal sums, hence centers that did not move (a total shift
    of 0, within any ``tol``), and centers that did not move give the same E step again,
    so the last E step's labels and inertia are final (scikit-learn's n_iter_ either way).
    """
    k, d = centers_init.shape
    X3, XA, size, w, rows = sd.X3, sd.XA, sd.rows * k, sd.w, sd.rows
    cells = sd.cells(k)
    cells_n = np.empty((rows, sd.n), dtype=np.intp)  # the bincount's cells, refilled
    cells_flat = cells_n.reshape(-1)
    # the centers as (d, k, 1), shifted: the layout of both the broadcast difference
    # and the sums reshaped to (rows, k, 1), so no call goes to transposing them
    c3 = (centers_init - sd.offset).T.reshape(d, k, 1)
    relocated = converged = False
    low = X.dtype != np.float64  # (float32 data)
    off3 = sd.offset.reshape(d, 1, 1)
    prev = D = c3_old = None
    shift_tot = 1.0
    it = 0
    for it in range(max_iter):
        D = _sq_block(X3, c3, d)
        labels = D.argmin(axis=0)
        np.add(cells, labels, out=cells_n)
        SA = _bincount(cells_flat, XA, size).reshape(rows, k, 1)
        W = SA[d]
        relocated_prev, relocated = relocated, not _min(W) > 0
        if relocated or relocated_prev:  # (the rule above needs means of the labels)
            converged = prev is not None and bool(np.array_equal(labels, prev))
        if not relocated:
            c3_new = SA[:d] / W
        else:
            cs = _relocated_means(sd, labels, c3[:, :, 0].T, SA[:, :, 0], k)
            c3_new = cs.T.reshape(d, k, 1)
        if low:  # centers in the data's dtype, as plain Lloyd's and scikit-learn's
            c3_new = (c3_new + off3).astype(X.dtype).astype(np.float64) - off3
        diff = c3_new - c3
        shift_tot = float(_vdot(diff, diff))
        if records:
            yield it, _weighted_sum(_min(D, 0), w)
        c3, c3_old = c3_new, c3
        if converged or shift_tot <= tol:
            break
        prev = labels
    else:
        c3_old = None
    if converged:  # (around a relocation: the centers may differ from the E step's)
        inertia = sd.inertia(labels, c3[:, :, 0].T)
    elif c3_old is not None and shift_tot == 0 and np.array_equal(c3, c3_old):
        inertia = _weighted_sum(_min(D, 0), w)  # the last E step is final
    else:  # a last E step against the final centers
        D = _sq_block(X3, c3, d)
        labels = D.argmin(axis=0)
        inertia = _weighted_sum(_min(D, 0), w)
    centers = np.ascontiguousarray((c3[:, :, 0] + sd.offset[:, None]).T, dtype=X.dtype)
    return labels, max(inertia, 0.0), centers, it + 1


def _sq_block(X3, c3, d):
    """Squared distances ``(n_clusters, n_samples)`` by differences: ``X3`` the shifted
    data ``(d, 1, n)``, ``c3`` the shifted centers ``(d, k, 1)``. (einsum sums the
    squares in the pass that makes them: in Pyodide 5-15% faster than squaring then
    summing from 1,000 points, the same natively.)"""
    D = X3 - c3
    if d == 1:
        D *= D
        return D[0]
    return _einsum("ijk,ijk->jk", D, D)


def _weighted_sum(values, w) -> float:
    return float(np.add.reduce(values)) if w is None else float(np.dot(values, w))


def _relocated_means(sd, labels, cs, SA, k):
    """Centers after scikit-learn's relocation: each empty cluster takes the point
    farthest from its center and sits on it; clusters left without weight keep their
    center. ``labels`` (the E step's) are not changed: the next E step recomputes all."""
    empty = np.flatnonzero(SA[sd.d] <= 0)
    moved_labels = labels.copy()
    dist = sd.own_sq(labels, cs)  # (the identity's minima may have cancelled)
    copies = getattr(sd, "copies", None)  # (folded rows: one copy each, see _relocation)
    far = relocation_targets(dist, sd.w, empty.size, copies)
    moved_labels[far] = empty[: far.size]
    SA = sd.sums(moved_labels, k)
    S, W = SA[: sd.d].T, SA[sd.d]
    out = cs.copy()
    ok = W > 0
    out[ok] = S[ok] / W[ok, None]
    out[empty[: far.size]] = sd.XT[:, far].T
    restore_copies(out, W, sd.XT.T, far, labels[far], sd.w, copies)
    return out
