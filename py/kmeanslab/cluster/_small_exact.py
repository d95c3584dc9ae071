"""The tiny fits' loop of :mod:`._small` (``_Small.exact``: narrow data, ``n_samples *
n_clusters * n_features`` up to ``EXACT_MAX``): every distance by explicit differences,
exact to rounding, in as few NumPy calls as possible: at a few hundred points a fit's
time is the fixed cost of each call (a few microseconds natively, 5-20 in Pyodide).
Empty-cluster relocation as scikit-learn's, shared with :mod:`._small`."""

from __future__ import annotations

import numpy as np

from ._relocation import relocation_targets


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
    X3 = sd.X3
    cells, XA, size, w = sd.cells(k), sd.XA, sd.rows * k, sd.w
    cT = (centers_init - sd.offset).T  # (d, k) float64, shifted
    relocated = converged = False
    prev = None
    D = None
    it = 0
    for it in range(max_iter):
        D = X3 - cT[:, :, None]
        D *= D
        D = D[0] if d == 1 else D.sum(axis=0)
        labels = D.argmin(axis=0)
        SA = np.bincount((cells + labels).ravel(), XA, size).reshape(sd.rows, k)
        W = SA[d]
        relocated_prev, relocated = relocated, not W.min() > 0
        if relocated or relocated_prev:  # (the rule above needs means of the labels)
            converged = prev is not None and bool(np.array_equal(labels, prev))
        if not relocated:
            cT_new = SA[:d] / W
        else:
            cT_new = _relocated_means(sd, labels, cT.T, SA, k).T
        diff = cT_new - cT
        shift_tot = float(np.einsum("ij,ij->", diff, diff))
        if records:
            yield it, _weighted_sum(D.min(axis=0), w)
        cT, cT_old = cT_new, cT
        if converged or shift_tot <= tol:
            break
        prev = labels
    else:
        cT_old = None
    if converged:  # (around a relocation: the centers may differ from the E step's)
        inertia = sd.inertia(labels, cT.T)
    elif cT_old is not None and np.array_equal(cT, cT_old):
        inertia = _weighted_sum(D.min(axis=0), w)  # the last E step is final
    else:  # a last E step against the final centers
        D = X3 - cT[:, :, None]
        D *= D
        D = D[0] if d == 1 else D.sum(axis=0)
        labels = D.argmin(axis=0)
        inertia = _weighted_sum(D.min(axis=0), w)
    return labels, max(inertia, 0.0), (cT.T + sd.offset).astype(X.dtype), it + 1


def _weighted_sum(values, w) -> float:
    return float(values.sum()) if w is None else float(np.dot(values, w))


def _relocated_means(sd, labels, cs, SA, k):
    """Centers after scikit-learn's relocation: each empty cluster takes the point
    farthest from its center and sits on it; clusters left without weight keep their
    center. ``labels`` (the E step's) are not changed: the next E step recomputes all."""
    empty = np.flatnonzero(SA[sd.d] <= 0)
    moved_labels = labels.copy()
    dist = sd.own_sq(labels, cs)  # (the identity's minima may have cancelled)
    far = relocation_targets(dist, sd.w, empty.size)
    moved_labels[far] = empty[: far.size]
    SA = sd.sums(moved_labels, k)
    S, W = SA[: sd.d].T, SA[sd.d]
    out = cs.copy()
    ok = W > 0
    out[ok] = S[ok] / W[ok, None]
    out[empty[: far.size]] = sd.XT[:, far].T
    return out
