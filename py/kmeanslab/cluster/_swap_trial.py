"""One trial swap of random swap clustering, evaluated on the points it can affect.

A trial moves center ``j`` onto data point ``r``, repartitions, and fine-tunes with a
few k-means iterations (Fränti 2018, Alg. 1). Nothing of the search state is copied or
changed: the trial works on the few arrays it needs and returns an *upper bound* of the
error its centers would have (the error of an assignment that need not be the nearest
one). A trial is kept only if that bound is below the current error, so a kept trial
surely lowers it; :meth:`SwapState.set_centers` and ``converge`` then make the labels
exact.

The cost is a handful of whole-array operations over the n points (the distances to the
new center), plus dense work on the members of the clusters the swap changed:

1. *Repartition* (exact): a member of cluster ``j`` goes to its nearest remaining center
   or to the new one; any other point goes to the new center if that is nearer than its
   own (its own was its nearest). Only the members of ``j`` need distances to all centers.
2. *Centroid step* (exact, without touching the points): the error after moving each
   changed cluster's center to its mean falls by ``weight * shift^2`` (König-Huygens).
3. *Partition step*, on the members of the changed clusters only, among those clusters'
   centers. Points elsewhere keep their labels, which is why the result is a bound.

A trial whose bound after a centroid step, less what the remaining steps could still
gain, is above the current error stops there (most trials: k-means gains shrink from
one step to the next, and a swap far from helping is far from the error to beat).
"""

from __future__ import annotations

import numpy as np

from ._swap_state import SwapState, _cluster_sums, _nearest

# A trial stops early when its bound, less this many times the gain of its last centroid
# step, is still above the error to beat: the later steps of a local k-means gain less
# than its first centroid step. Measured on generated A, S, Unbalance and Dim sets: 0.5
# stops about 85% of trials before any partition step; it loses some of the kept trials
# that 2 would keep (small fine-tuning gains: on the S sets the kept ones needed at most
# 0.46, on Dim sets up to 2.7), and no run that found every cluster with 2 missed one
# with 0.5, at 40% less time.
_GAIN_FACTOR = 0.5


class Trial:
    """The outcome of one trial swap: ``sse`` (an upper bound of the error of
    ``centers``, ``inf`` if the trial stopped early), ``centers`` and ``moved`` (the
    clusters whose center changed)."""

    __slots__ = ("sse", "centers", "moved")

    def __init__(self, sse, centers=None, moved=None):
        self.sse, self.centers, self.moved = sse, centers, moved


def _rows(a: np.ndarray, idx: np.ndarray | None) -> np.ndarray:
    """``a.take(idx, axis=0)``; ``idx=None`` means every row (no copy: with few
    clusters a swap reaches them all, and a copy of wide data cost more than the rest)."""
    return a if idx is None else a.take(idx, axis=0)


def trial_swap(state: SwapState, j: int, r: int, n_local_iter: int,
               bound: float) -> Trial:
    """Evaluate moving center ``j`` onto point ``r`` with ``n_local_iter`` k-means
    iterations; see the module docstring. ``state`` is not modified."""
    X, w, k = state.X, state.w, state.k
    p = X[r]
    # 1. repartition. Only the points of clusters a with ||c_a - p|| < 2 radius_a can be
    # nearer to p than to c_a (triangle inequality), and those of j lose their center.
    cp = state.centers - p
    reach = np.einsum("ij,ij->i", cp, cp) < 4.0 * state.radius2
    reach[j] = True
    Q = None if reach.all() else state.members(np.flatnonzero(reach))
    lab_q = _rows(state.labels, Q)
    d_q = _rows(state.d1, Q).copy()
    w_q = _rows(w, Q)
    sse = state.sse - float(d_q @ w_q)
    is_j = lab_q == j
    new_q = lab_q.copy()
    if is_j.any():  # members of j: their nearest other center
        idx_j = np.flatnonzero(is_j) if Q is None else Q[is_j]
        new_q[is_j], d_q[is_j] = _nearest(X.take(idx_j, axis=0), state.xx.take(idx_j),
                                          state.centers, exclude=j)
    dp = _rows(X, Q) @ (-2.0 * p)
    dp += _rows(state.xx, Q)
    dp += float(p @ p)
    to_p = dp < d_q
    # (p's own point, even at distance 0 from another center)
    to_p[r if Q is None else (Q == r)] = True
    np.minimum(np.maximum(dp, 0.0, out=dp), d_q, out=d_q)
    new_q[to_p] = j
    sse += float(d_q @ w_q)
    ch = to_p | is_j
    old, new = lab_q[ch], new_q[ch]
    moved = np.flatnonzero(np.bincount(old, minlength=k) + np.bincount(new, minlength=k))
    # 2. the first centroid step, from the state's sums and the changed points only
    wc = w_q[ch]
    # (one bincount over both label sets: the new members' sums less the old ones')
    both = np.concatenate([new, old + k])
    sign = np.concatenate([wc, -wc])
    W = state.weights + _fold(np.bincount(both, weights=sign, minlength=2 * k), k)
    idx = np.flatnonzero(ch) if Q is None else Q[ch]
    X_ch = X.take(idx, axis=0)
    if X.shape[1] <= 8:
        S = state.sums + _fold(_cluster_sums(both, np.concatenate([X_ch, X_ch]), 2 * k,
                                             sign), k)
    else:  # (wide rows: no doubled copy)
        S = state.sums + _cluster_sums(new, X_ch, k, wc) - _cluster_sums(old, X_ch, k, wc)
    W, S = W[moved], S[moved]
    C = state.centers[moved].copy()
    slot = np.full(k, -1, dtype=np.intp)
    slot[moved] = np.arange(moved.size)
    C[slot[j]] = p
    P = a = XP = wP = xxP = None
    sse_out = 0.0
    for it in range(n_local_iter):
        if it:  # sums of the moved clusters from their members
            W = np.bincount(a, weights=wP, minlength=moved.size)
            S = _cluster_sums(a, XP, moved.size, wP)
        full = W > 0
        M = S[full] / W[full, None]
        shift = M - C[full]
        gain = float(W[full] @ np.einsum("ij,ij->i", shift, shift))
        C[full] = M
        sse -= gain
        if sse - _GAIN_FACTOR * gain > bound:
            return Trial(np.inf)
        if it == n_local_iter - 1 and sse < bound:
            break  # already below the bound: the last partition step only lowers it
        # 3. partition step among the moved clusters, on their members (those of the
        # moved clusters before the swap: every changed point was one of them)
        if it == 0:
            P = None if moved.size == k else state.members(moved)
            # their distances after the repartition: d_q where Q has them (a scratch
            # copy of d1, restored at once)
            if Q is None:
                d_p = _rows(d_q, P)
            else:
                state.scratch_d[Q] = d_q
                d_p = state.scratch_d.take(P) if P is not None else state.scratch_d.copy()
                state.scratch_d[Q] = state.d1.take(Q)
            wP, XP, xxP = _rows(w, P), _rows(X, P), _rows(state.xx, P)
            sse_out = sse + gain - float(d_p @ wP)  # (the error before this step)
        a, dP = _nearest(XP, xxP, C)
        sse = sse_out + float(dP @ wP)
    centers = state.centers.copy()
    centers[moved] = C
    return Trial(sse, centers, moved)


def _fold(a: np.ndarray, k: int) -> np.ndarray:
    """``a[:k] + a[k:]``: the two halves of a sum over ``[new, old + k]`` labels."""
    return a[:k] + a[k:]
