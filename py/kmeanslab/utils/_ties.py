"""Ties and near-ties that the distance identity ``||x||^2 - 2 x.c + ||c||^2`` cannot
decide: rows whose two nearest centers are within its rounding get their distances
again from float64 differences, so that their labels are plain Lloyd's
(:func:`~kmeanslab.utils._distances.nearest_exact`: exact ties to the lower index).

Without this an exact tie (a lattice row halfway between two centers, or two equal
centers) went to whichever center the identity's rounding favoured, and a BLAS product
rounds two equal rows or columns of its block apart depending on where they fall.
"""

from __future__ import annotations

import numpy as np

#: Elements of the (rows, clusters, features) difference block per slice.
_SLICE_ELEMENTS = 1 << 20


def _tolerance(d: int, dtype) -> float:
    """The identity's rounding, relative to ``||x||^2 + ||c||^2`` (doubled)."""
    return 2.0 * (d + 4) * float(np.finfo(dtype).eps)


def exact_sq_rows(Xr, C):
    """All squared distances ``(m, n_clusters)`` of the rows ``Xr`` to ``C``, float64,
    by differences, in slices that keep the ``(m, k, d)`` block near ``_SLICE_ELEMENTS``."""
    Xr = np.asarray(Xr, dtype=np.float64)
    C = np.asarray(C, dtype=np.float64)
    m = Xr.shape[0]
    k, d = C.shape
    out = np.empty((m, k))
    step = max(1, _SLICE_ELEMENTS // max(1, k * d))
    for s in range(0, m, step):
        diff = Xr[s : s + step, None, :] - C[None, :, :]
        np.einsum("ijk,ijk->ij", diff, diff, out=out[s : s + step])
    return out


def refine_three(Xb, xsq, centers, csq_max, dtype, lab1, lab2, d1, d2, d3) -> None:
    """The identity's nearest, second nearest and three smallest squared distances of
    the rows ``Xb`` (in place), with the rows whose two nearest are within its rounding
    (``xsq`` their shifted squared norms, ``csq_max`` the centers' largest) computed
    again by differences."""
    k, d = centers.shape
    amb = np.flatnonzero(d2 - d1 <= _tolerance(d, dtype) * (xsq + csq_max))
    if amb.size == 0:
        return
    E = exact_sq_rows(Xb[amb], centers)
    ar = np.arange(amb.size)
    a = E.argmin(axis=1)
    d1[amb] = E[ar, a]
    E[ar, a] = np.inf
    b = E.argmin(axis=1)
    d2[amb] = E[ar, b]
    E[ar, b] = np.inf
    d3[amb] = E.min(axis=1) if k > 2 else np.inf
    lab1[amb] = a
    lab2[amb] = b


def exact_near_ties(D, labels, rows_of, centers, xsq, cmax=None):
    """``labels`` (the argmin of each column of ``D``) with every column whose two
    smallest entries are within the identity's rounding decided again by float64
    differences (exact ties to the lower index).

    ``D``: ``(n_clusters, m)`` squared distances by the identity (with or without the
    rows' norms), in its dtype (left as it was); ``rows_of(idx)``: those rows (float64,
    in the coordinates of ``centers``, float64 ``(n_clusters, n_features)``); ``xsq``:
    the rows' squared norms and ``cmax`` the centers' largest, in the coordinates the
    identity was computed in (``cmax`` None: from ``centers``). ``labels`` is changed in
    place and returned.
    """
    k, m = D.shape
    if k < 2 or m == 0:
        return labels
    if cmax is None:
        cmax = float(np.einsum("ij,ij->i", centers, centers).max())
    ar = np.arange(m)
    v1 = D[labels, ar]
    D[labels, ar] = np.inf  # (the second smallest: the minimum without the first)
    gap = D.min(axis=0) - v1
    D[labels, ar] = v1
    amb = np.flatnonzero(gap <= _tolerance(centers.shape[1], D.dtype) * (xsq + cmax))
    if amb.size:
        labels[amb] = exact_sq_rows(rows_of(amb), centers).argmin(axis=1)
    return labels


def has_twins(cs, cc=None) -> bool:
    """Whether two rows of ``cs`` (centers, ``(n_clusters, n_features)``) are equal.
    ``cc``: their squared norms, if known (equal rows have equal norms, computed alike;
    rows are compared only where norms are equal, so distinct centers of equal norms,
    common on integer data, are not taken for twins)."""
    if cc is None:
        cc = np.einsum("ij,ij->i", cs, cs)
    order = np.argsort(cc, kind="stable")
    s = cc[order]
    eq = np.flatnonzero(s[1:] == s[:-1])
    if eq.size == 0:
        return False
    return bool(np.any(np.all(cs[order[eq]] == cs[order[eq + 1]], axis=1)))
