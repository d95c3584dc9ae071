"""Where empty clusters go: scikit-learn's relocation rule, made safe for zero weights,
and kept per point when repeated rows were folded into one weighted row."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Copies(NamedTuple):
    """The original rows behind each folded row (see ``_repeated_rows._deduplicate``).

    scikit-learn relocates an empty cluster to one *point*: when equal rows were folded
    into one row of summed weight, moving the whole row would move all its copies.
    """

    counts: np.ndarray  # (m,) intp: how many original rows the row stands for
    unit: np.ndarray  # (m,) float64: the sample weight of one of them (the first)
    #: (m,) intp: the original index of that first copy (None: the folded row's own
    #: index), which breaks ties as the unfolded data's row order does
    first: np.ndarray | None = None
    #: (n,) intp: each original row's folded row, for the order of copies taken at once
    inverse: np.ndarray | None = None
    #: (n,) float64: the original rows' weights (None: unit weights)
    weights: np.ndarray | None = None

    def taken(self, row: int, times: int) -> float:
        """The weight of the first ``times`` positive-weight copies of folded ``row``
        (those the relocation takes, in row order)."""
        if times == 1 or self.weights is None:
            return times * float(self.unit[row])
        mine = np.flatnonzero(self.inverse == row)  # (rare: several empty clusters)
        w = self.weights[mine]
        return float(w[w > 0][:times].sum())


def relocation_targets(dist, w, n_empty: int, copies: Copies | None = None) -> np.ndarray:
    """The points that ``n_empty`` empty clusters take (intp indices, at most ``n_empty``).

    scikit-learn's rule, the points farthest from their centers, among the points that
    would change something: a positive weight (a zero-weight point leaves its new cluster
    without weight, so it was relocated again at every iteration and the fit never
    converged) and a positive distance (a point on its own center gains nothing). When
    fewer points qualify, the other empty clusters keep their centers.

    Farthest first, and among equal distances the lowest row index first: scikit-learn's
    ``argpartition`` takes any of them (its pick depends on the row order), which made
    the fit on folded rows differ from the fit on the same data unfolded whenever the
    copies of a row had different weights (the relocated copy's weight leaves the old
    cluster).

    With ``copies`` (folded rows) a row stands for ``copies.counts`` points, so it can be
    taken by as many empty clusters: its index is then repeated, farthest rows first, and
    ties go by the original rows' order (``copies.first``: each row's first copy; rows
    tied at one distance give their copies in the order the unfolded data lists them).
    """
    dist = np.asarray(dist, dtype=np.float64)
    if w is not None:
        dist = np.where(np.asarray(w) > 0, dist, 0.0)
    n = min(n_empty, int(np.count_nonzero(dist > 0)))
    if n == 0:
        return np.empty(0, dtype=np.intp)
    # every row at least as far as the n-th farthest (ties at that distance included)
    kth = np.partition(dist, dist.size - n)[dist.size - n]
    cand = np.flatnonzero(dist >= kth)
    order = cand if copies is None or copies.first is None else copies.first[cand]
    far = cand[np.lexsort((order, -dist[cand]))].astype(np.intp, copy=False)
    if copies is None or n_empty == 1:
        return far[:n]
    if copies.inverse is None:
        return np.repeat(far, np.minimum(copies.counts[far], n_empty))[:n_empty]
    return _copies_in_row_order(far, dist, copies, n_empty)


def _copies_in_row_order(far, dist, copies: Copies, n_empty: int) -> np.ndarray:
    """The folded rows ``far`` (farthest first) repeated as the unfolded data's points
    would be taken: a row alone at its distance gives its copies in turn; rows tied at
    one distance give theirs interleaved in the original row order (one pass over the
    original rows per tied distance: relocations are rare)."""
    out: list[int] = []
    i = 0
    while len(out) < n_empty and i < far.size:
        j = i + 1
        while j < far.size and dist[far[j]] == dist[far[i]]:
            j += 1
        need = n_empty - len(out)
        if j == i + 1:
            out.extend([int(far[i])] * min(int(copies.counts[far[i]]), need))
        else:
            mask = np.isin(copies.inverse, far[i:j])
            if copies.weights is not None:
                mask &= copies.weights > 0
            out.extend(copies.inverse[np.flatnonzero(mask)[:need]].tolist())
        i = j
    return np.asarray(out, dtype=np.intp)


def restore_copies(centers, W, X, far, old, w, copies: Copies | None) -> None:
    """Put back into ``centers`` (in place) the copies that a relocation left behind.

    The relocation moved the whole folded rows ``far`` (from clusters ``old``; cluster
    weights ``W`` and ``centers`` are those after the move); scikit-learn, which sees
    every point, moves one copy per empty cluster and computes the M step's means with the
    other copies still in their old clusters. This gives those means, so the fit's
    centers, shift and iterations are scikit-learn's. The next E step then labels every
    copy alike (all sit at distance 0 from the relocated center), as the folded row is.

    ``centers``: (k, d) float64 means, any fixed origin (``X`` in the same coordinates);
    ``W``: (k,) cluster weights after the move (not changed); ``w``: the folded rows'
    weights (None: their counts).
    """
    if copies is None or far.size == 0:
        return
    rows, first, times = np.unique(far, return_index=True, return_counts=True)
    weight = np.asarray(W, dtype=np.float64).copy()
    for i, a, t in zip(rows, old[first], times, strict=True):
        if copies.counts[i] <= t:
            continue  # every copy moved
        rest = (float(copies.counts[i]) if w is None else float(w[i])) - copies.taken(i, t)
        if not rest > 0:
            continue
        centers[a] = (weight[a] * centers[a] + rest * np.asarray(X[i], dtype=np.float64)) / (
            weight[a] + rest
        )
        weight[a] += rest
