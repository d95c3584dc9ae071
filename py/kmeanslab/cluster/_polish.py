"""Polishing after a fit: the fit paths compute distances by the identity
``||x||^2 - 2 x.c + ||c||^2`` around a shift point, which can cancel when centers are close
together next to their distance from that point. Once per fit (not per run), a cheap
bound from the column statistics says whether the labels may be off by more than the
input's precision; if so, Lloyd iterations with exact E steps (float64, by differences
where needed) continue from the kept run's labels until no label changes."""

from __future__ import annotations

import math

import numpy as np

from ..utils._distances import inertia_exact, nearest_exact
from ._k_means_common import _pairwise_half_min, _Sums


def polish_if_needed(X, w, labels, C, n_iter, max_iter, stats):
    """The kept run's ``(labels, inertia, centers, n_iter)``, with labels made exact
    nearest centers by :func:`_polish` when :func:`_may_cancel` says the fit paths'
    distances may have mislabelled points (once per fit, not per run: it costs about
    one full E step in float64)."""
    if _may_cancel(X, C, stats):
        return _polish(X, w, labels, C, n_iter, max_iter)
    return None


def _may_cancel(X, C, stats) -> bool:
    """True if the distance identity the fit paths use may have mislabelled points by
    more than the input's precision (1e-6 of a distance for float64 data, 1e-3 for
    float32): its error is about ``(d + 4) eps (||x - s||^2 + ||c - s||^2)`` around the
    shift point ``s`` (the data's mean or the centers' mean), which matters only when the
    centers are close together next to their distance from ``s`` (tight clusters far
    apart, or centers far from the others). A cheap bound from the column statistics."""
    k, d = C.shape
    if k < 2:
        return False
    # (few calls on tiny arrays: it runs once per fit, and in Pyodide a call costs 5-20 us)
    C64 = C.astype(np.float64)
    cmean = C64.sum(axis=0) / k
    Cs = C64 - cmean
    csq = np.einsum("ij,ij->i", Cs, Cs)
    G = np.einsum("ij,kj->ik", Cs, Cs)  # squared center gaps by the identity around cmean
    G *= -2.0
    G += csq
    G += csq[:, None]
    G.flat[:: k + 1] = np.inf
    gap2 = float(G.min())
    c_spread = float(csq.max())
    # the identity's own rounding: at most about (d + 4) eps64 (||ci - m||^2 + ||cj - m||^2
    # + 2 |ci.cj|), which is taken off so that the gap is never overestimated; a gap
    # within it is measured again, pair by pair where needed (rare: then it decides)
    err = 4.0 * (d + 4) * float(np.finfo(np.float64).eps) * c_spread
    if gap2 > err:
        gap2 -= err
    else:
        gap2 = float((2.0 * _pairwise_half_min(C64)).min() ** 2)
    if not gap2 > 0:  # (coinciding centers: nothing to tell apart)
        return False
    dm = cmean - stats.mean
    to_mean = math.sqrt(float(dm @ dm))
    # the farthest center from the centers' mean, and (bounded) from the data's mean
    spread = (math.sqrt(c_spread) + to_mean) ** 2
    norms = (stats.radius + to_mean) ** 2 + spread
    tau = (d + 4) * float(np.finfo(X.dtype).eps)
    rtol = 1e-3 if X.dtype == np.float32 else 1e-6
    return 4.0 * tau * norms / gap2 > rtol


def _polish(X, w, labels, C, n_iter, max_iter):
    """Lloyd iterations with exact (float64, by differences where needed) E steps from
    the labels of a run whose distances may have cancelled, until no label changes."""
    k = C.shape[0]
    offset = C.astype(np.float64).mean(axis=0)
    for _ in range(max(max_iter - n_iter, 1)):
        new, _ = nearest_exact(X, C)
        if np.array_equal(new, labels):
            break
        labels = new
        sums = _Sums(X, w, labels, k, offset)
        C = sums.centers(C.astype(np.float64)).astype(X.dtype)
        n_iter += 1
    return labels, inertia_exact(X, C, labels, w.astype(np.float64, copy=False)), C, n_iter


