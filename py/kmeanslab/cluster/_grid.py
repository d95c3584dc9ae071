"""Exact Lloyd E steps for low-dimensional data by filtering through a flat grid.

In the manner of Kanungo et al.'s filtering algorithm, but with one flat grid instead of
a kd-tree (few, long NumPy calls suit Pyodide better than a tree walk): the points are
binned into grid cells once per fit and kept sorted by cell (a copy of the data in
which every cell is one contiguous slice). Each E step then

1. bounds, for every non-empty cell, the largest distance from its owner center to the
   cell's box and the smallest distance to every other center; as in Hamerly's
   algorithm these two bounds are carried across iterations (grown and shrunk by the
   centers' drifts), so that only the cells whose bounds no longer prove the owner
   are re-bounded against all ``k`` centers (``O(cells x k)`` for those alone);
2. gives a cell wholesale to center ``a`` when its largest distance to ``a`` is below
   its smallest distance to every other center, with a margin above the rounding error
   of the distance kernel, so that every point of the cell gets exactly the label that
   the plain kernel would give it;
3. labels the points of the other ("ambiguous") cells one by one: by the sign of a
   linear function when only two centers can reach the cell, otherwise (and for
   near-ties) by exact float64 differences (exact ties to the lower index, as
   :func:`~kmeanslab.utils._distances.nearest_exact`).

Only the points of cells that are ambiguous, or whose owner changed, are touched: their
new labels are compared with the old ones and the cluster sums are moved for the
changed points alone, so an iteration in which most cells keep their owner costs
``O(cells)`` plus the ambiguous points, with no pass over all ``n`` rows. Labels,
iterations and centers are those of plain Lloyd.
"""

from __future__ import annotations

import numpy as np

from ..utils._distances import NearestKernel
from ._grid_cells import bin_rows
from ._grid_rows import ExactLabels

#: Rows (distinct, after collapsing repeats) from which the grid pays off.
GRID_MIN_ROWS = 1 << 14
#: Clusters up to which the grid is used, by dimension (see :func:`grid_fits`).
GRID_MAX_K_BY_D = {1: 64, 2: 32, 3: 8}
GRID_MAX_D = max(GRID_MAX_K_BY_D)
GRID_MAX_K = GRID_MAX_K_BY_D[2]
#: Cells x centers bounded in one block (memory of the first step's bounds).
_BOUND_ENTRIES = 1 << 20
#: Every cell is re-bounded from scratch at least this often (iterations): a carried
#: bound takes one rounding per iteration, and 64 of them (a relative 2**-46 of a
#: squared distance) stay far below the 1e-12 slack of the ownership test.
_REFRESH = 64


def grid_fits(d: int, k: int) -> bool:
    """Whether the grid is the fastest exact path for ``d``-dimensional data with ``k``
    clusters (and at least ``GRID_MIN_ROWS`` distinct rows).

    Measured against the Hamerly path (min of alternating fits, same k-means++ start,
    natively with one BLAS thread / in Pyodide 0.27.7 under Node; grid time / other):
    2-d blobs 30,000 rows: k=16 0.66 / 0.68, k=32 0.80 / 0.68, k=64 1.36 / 1.42;
    100,000 rows: k=32 0.54 / 0.54 (uniform 0.57 in Pyodide), k=64 uniform 0.92 / 0.88;
    200,000 rows k=20 0.29 / 0.34. 1-d: k=64 0.26 / 0.25 (30,000 rows), 0.38 natively
    (100,000). 3-d, 100,000 rows: k=4 0.68-0.85, k=8 0.46-0.55 (300,000 rows 0.29 /
    0.36), k=16 0.47-1.13; distinct colors of scikit-learn's sample images (63,000 and
    97,000 rows): k=4 0.33-0.61, k=8 0.60-0.70, k=16 0.69-0.97. The share of rows in cells
    crossed by a Voronoi boundary grows with ``k`` and with the dimension.
    """
    return k <= GRID_MAX_K_BY_D.get(d, 0)


class GridFilter:
    """Binned data sorted by cell, with carried cell bounds and an exact E step.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        float32 or float64, ``n_features <= GRID_MAX_D``.
    w : ndarray of shape (n_samples,) or None
        Sample weights; None means unit weights.
    offset : ndarray of shape (n_features,)
        The boxes are kept relative to this point (the data mean).
    radius : float
        An upper bound of ``||x - offset||`` over the rows.
    """

    def __init__(self, X, w, offset, radius):
        self.X, self.offset = X, np.asarray(offset, dtype=np.float64)
        cell, counts, mid, self.half = bin_rows(X)
        self.n_cells = m = counts.size
        self.counts = counts
        # rows sorted by cell (a stable radix sort of 16-bit keys): cell c is rows
        # perm[starts[c]:starts[c] + counts[c]]
        self.perm = np.argsort(cell, kind="stable").astype(np.intp, copy=False)
        del cell
        self.starts = np.zeros(m, dtype=np.intp)
        np.cumsum(counts[:-1], out=self.starts[1:])
        # the sorted rows' coordinates relative to offset (float64, as _Sums computes
        # them) and weights, for the pair tests and the sums of the changed rows
        self.Xs = X.take(self.perm, axis=0)  # the rows in sorted order, for the kernel
        self.cols = np.empty((X.shape[1], X.shape[0]))  # (d, n): one take per gather
        np.subtract(self.Xs.T, self.offset[:, None], out=self.cols)
        self.ws = None if w is None else w.take(self.perm).astype(np.float64, copy=False)
        self.mid = mid - self.offset[:, None]
        self.eps = float(np.finfo(X.dtype).eps)
        self.radius = float(radius)
        self._inv = None  # inverse of perm, made on the first relocation
        self._exact = ExactLabels()  # the undecided rows' labels
        self._lab = None  # labels in sorted order
        self._last = (0, 0)

    # -- cell bounds ---------------------------------------------------------------
    def _margin(self, Cs):
        # rounding of the plain kernel's squared distances, which shifts coordinates by
        # the mean of the centers: |x_s| + |c_s| <= radius + 3 * (largest |c - offset|);
        # centers (given ones too) may lie far outside the data
        cr = float(np.sqrt(np.einsum("ij,ij->i", Cs, Cs).max()))
        return 256.0 * self.eps * (self.radius + 3.0 * cr + 1e-300) ** 2

    def _bound(self, Cs, cells, margin):
        """For ``cells`` (an index array, or None for all): the largest squared distance
        to the nearest center by that measure (``a``), the smallest squared distance to
        any other center, the owner (``a``, or -1 where the box cannot decide), ``a`` and
        the runner-up: the one other center that may be nearest to some row of the cell
        (-1 when none or several may)."""
        k, d = Cs.shape
        m = self.n_cells if cells is None else cells.size
        step = max(1, _BOUND_ENTRIES // k)
        if m > step:  # blocks of cells, so that the (k, cells) arrays stay bounded
            idx = np.arange(m, dtype=np.intp) if cells is None else cells
            parts = [self._bound(Cs, idx[s : s + step], margin) for s in range(0, m, step)]
            return tuple(np.concatenate(p) for p in zip(*parts, strict=True))
        lo2 = hi2 = None
        for j in range(d):
            mj = self.mid[j] if cells is None else self.mid[j, cells]
            e = np.subtract.outer(Cs[:, j], mj)  # (k, cells): long rows
            np.abs(e, out=e)
            far = e + self.half[j]
            far *= far
            e -= self.half[j]
            e *= e > 0  # distance to the slab, 0 inside it
            e *= e
            if lo2 is None:
                lo2, hi2 = e, far
            else:
                lo2 += e
                hi2 += far
        a = hi2.argmin(axis=0)
        ar = np.arange(a.size, dtype=np.intp)
        best = hi2[a, ar]
        if k == 1:
            return best, np.full(a.size, np.inf), a, a, np.full(a.size, -1, dtype=np.intp)
        lo2[a, ar] = np.inf
        other = lo2.argmin(axis=0)
        second = lo2[other, ar]
        # a center whose box distance exceeds this can be no row's nearest (see estep)
        thr = best + margin
        thr *= 1.0 + 1e-12
        owner = np.where(thr < second, a, -1)
        lo2[other, ar] = np.inf
        runner = np.where((owner < 0) & (thr < lo2.min(axis=0)), other, -1)
        return best, second, owner, a, runner

    def _recheck(self, C64, Cs, margin):
        """Cells whose carried bounds no longer prove their owner (all of them on the
        first step and every ``_REFRESH`` steps); bounds updated for the centers' drift."""
        if self._lab is None or self._age >= _REFRESH:
            self._age = 0
            return None
        self._age += 1
        drift = np.sqrt(np.einsum("ij,ij->i", C64 - self._C64, C64 - self._C64))
        owner = self.owner
        # Hamerly's update: the owner's distance grows by its own drift at most, every
        # other center's shrinks by at most the largest drift among the others
        self.u += drift[owner]  # owner -1 reads the last drift: those cells are re-bounded
        if drift.size > 1:
            top = int(drift.argmax())
            d1 = float(drift[top])
            d2 = float(np.delete(drift, top).max())
            self.l -= np.where(owner == top, d2, d1)
        ok = self.l > 0
        ok &= owner >= 0
        ok &= (self.u * self.u + margin) * (1.0 + 1e-12) < self.l * self.l
        return np.flatnonzero(~ok)

    # -- one E step ------------------------------------------------------------------
    def estep(self, labels, C, kern: NearestKernel, first=False, sums=None):
        """Assign every row (labels updated in place); returns the number of changes.

        ``first``: labels holds nothing yet (every row is written, all count as changed).
        The rows whose label changed are moved between the clusters of ``sums`` (a
        ``_Sums``) if given."""
        if first:
            self._lab = None
        C64 = C.astype(np.float64)
        Cs = C64 - self.offset
        margin = self._margin(Cs)
        rc = self._recheck(C64, Cs, margin)
        best, second, new_owner, near, runner = self._bound(Cs, rc, margin)
        if rc is None:
            rc = np.arange(self.n_cells, dtype=np.intp)
            old_owner = None if self._lab is None else self.owner  # None: first step
            self.owner, self.u, self.l = new_owner, np.sqrt(best), np.sqrt(second)
        else:
            old_owner = self.owner[rc]
            self.owner[rc] = new_owner
            self.u[rc] = np.sqrt(best)
            self.l[rc] = np.sqrt(second)
        self._C64 = C64
        # the rows of the cells that are ambiguous or changed owner, as one index array
        # into the sorted rows (contiguous slices, one per cell)
        dirty = new_owner < 0
        fresh = self._lab is None
        if fresh:  # all rows: the owned cells' labels by one repeat, the others below
            self._lab = np.repeat(new_owner, self.counts)
        else:
            dirty |= new_owner != old_owner
        dc = rc[dirty]
        cnt = self.counts[dc]
        own = new_owner[dirty]
        pos = self._rows(dc, cnt)
        new, unsure = self._pair_labels(pos, cnt, own, near[dirty], runner[dirty], Cs, margin)
        if unsure.size:
            # exact: the kernel's identity broke exact ties (integer data, a point halfway
            # between two centers) by its rounding, not to the lower index as plain Lloyd
            p = pos[unsure]
            new[unsure] = self._exact(self.cols.take(p, axis=1), self.Xs, p, Cs, C64)
        self._last = (unsure.size, labels.size)
        if fresh:
            self._lab[pos] = new
            labels[self.perm] = self._lab
            return labels.size
        old = self._lab[pos]
        ch = np.flatnonzero(new != old)
        if ch.size:
            pc = pos[ch]
            oc, nc = old[ch], new[ch]
            idx = self.perm[pc]
            if sums is not None:
                self._move(sums, pc, oc, nc)
            labels[idx] = nc
            self._lab[pc] = nc
        return int(ch.size)

    def _pair_labels(self, pos, cnt, own, near, runner, Cs, margin):
        """Labels of the sorted rows ``pos`` of the dirty cells (``cnt`` rows each, owner
        ``own`` or -1, ``near`` and ``runner`` as ``a`` and the runner-up of
        :meth:`_bound`), and the positions in ``pos`` left to the plain kernel.

        In an ambiguous cell where only the owner-by-largest-distance ``a`` and the
        runner-up ``b`` can be nearest (the others are farther by more than the kernel's
        rounding, as in the ownership test), a row's label is the sign of
        ``||x - a||^2 - ||x - b||^2 = 2 x.(b - a) + ||a||^2 - ||b||^2``, linear in ``x``;
        rows where that is within twice the margin (the kernel's rounding, plus this
        float64 expression's, far smaller) go to the kernel, which breaks near-ties."""
        d = Cs.shape[1]
        pair = runner >= 0
        # per cell: t = x.V[:d] + V[d], and the labels for t <= 0 and t > 0 (AB; -1: the
        # kernel's). Owned cells: V = (0, inf), both labels the owner; stacked so that
        # one repeat spreads them over the rows (few calls: Pyodide)
        V = np.zeros((d + 1, own.size))
        V[d] = np.inf
        AB = np.stack([own, own])
        if pair.any():
            pa, pb = near[pair], runner[pair]
            csq = np.einsum("ij,ij->i", Cs, Cs)
            V[:d, pair] = 2.0 * (Cs[pb] - Cs[pa]).T
            V[d, pair] = csq[pa] - csq[pb]
            AB[0, pair], AB[1, pair] = pa, pb
        Vr = np.repeat(V, cnt, axis=1)
        t = np.einsum("ij,ij->j", self.cols.take(pos, axis=1), Vr[:d])
        t += Vr[d]
        ABr = np.repeat(AB, cnt, axis=1)
        new = np.where(t > 0, ABr[1], ABr[0])
        np.abs(t, out=t)
        bad = t <= 2.0 * margin
        bad |= new < 0
        return new, np.flatnonzero(bad)

    def _rows(self, cells, cnt):
        """The sorted rows of ``cells`` (``cnt`` rows each), as one index array."""
        ends = np.cumsum(cnt)
        pos = np.arange(int(ends[-1]) if ends.size else 0, dtype=np.intp)
        pos += np.repeat(self.starts[cells] - (ends - cnt), cnt)
        return pos

    def full_sums(self, sums):
        """Set ``sums`` (a ``_Sums``) to the cluster statistics of the current labels:
        owned cells by their sums (sequential ``reduceat`` over the sorted float64
        columns, cheaper than per-row bincounts), ambiguous cells row by row."""
        k = sums.k
        d = self.cols.shape[0]
        rowsq = np.einsum("ij,ij->j", self.cols, self.cols)
        ws = self.ws
        V = np.empty((d + 1 + (ws is not None), rowsq.size))
        V[:d], V[d:] = self.cols, rowsq  # (and a row of weights, once multiplied by ws)
        if ws is not None:
            V[d + 1] = 1.0
            V *= ws
        # rows: coordinates, squared norm (and weight), weighted; columns: cells
        cells = np.add.reduceat(V, self.starts, axis=1)
        ok = self.owner >= 0
        o = self.owner[ok]
        amb = np.flatnonzero(~ok)
        pos = self._rows(amb, self.counts[amb])
        lab = self._lab[pos]
        out = np.empty((V.shape[0], k))
        for q in range(V.shape[0]):
            out[q] = np.bincount(o, weights=cells[q, ok], minlength=k)
            out[q] += np.bincount(lab, weights=V[q].take(pos), minlength=k)
        # (float64: an empty bincount is int64 even with weights, when no cell is owned)
        counts = np.bincount(o, weights=self.counts[ok], minlength=k).astype(np.float64)
        counts += np.bincount(lab, minlength=k)
        sums.S = np.ascontiguousarray(out[:d].T)
        sums.Q = out[d]
        sums.W = counts if ws is None else out[d + 1]
        sums.counts = np.rint(counts).astype(np.intp)

    def _move(self, sums, pc, old, new):
        """Move the sorted rows ``pc`` from clusters ``old`` to ``new`` in ``sums`` (as
        ``_Sums.move``, but from the sorted float64 columns: no gather of the data)."""
        k = sums.S.shape[0]
        d = self.cols.shape[0]
        m = pc.size
        # one bincount for everything: quantity q (coordinates, squared norm, weight) of
        # a row goes to bin q * 2k + new, and with the same value to q * 2k + k + old
        V = np.empty((d + 2, m))
        V[:d] = self.cols.take(pc, axis=1)
        V[d] = np.einsum("ij,ij->j", V[:d], V[:d])
        if self.ws is None:
            V[d + 1] = 1.0
        else:
            V[d + 1] = self.ws.take(pc)
            V[: d + 1] *= V[d + 1]
        lab = np.concatenate([new, old + k])
        idx = np.arange(0, (d + 2) * 2 * k, 2 * k, dtype=np.intp)[:, None] + lab
        r = np.bincount(idx.ravel(), weights=np.concatenate([V, V], axis=1).ravel(),
                        minlength=(d + 2) * 2 * k).reshape(d + 2, 2, k)
        delta = r[:, 0] - r[:, 1]
        sums.S += delta[:d].T
        sums.Q += delta[d]
        sums.W += delta[d + 1]
        c = np.bincount(lab, minlength=2 * k)
        sums.counts += c[:k] - c[k:]
        gone = sums.counts == 0
        if gone.any():  # exact zeros, no drift, for emptied clusters
            sums.S[gone], sums.W[gone], sums.Q[gone] = 0.0, 0.0, 0.0

    def forget(self, idx, labels):
        """Rows ``idx`` were given new labels by the caller (an empty-cluster relocation):
        take them. Their cells need no flag: the relocated center sits on the row, so
        the row's cell has a carried lower bound of at most 0 (re-bounded at the next
        step) and cannot stay owned by another center (ambiguous or re-owned: its rows
        are all compared with these labels)."""
        if self._inv is None:
            self._inv = np.empty_like(self.perm)
            self._inv[self.perm] = np.arange(self.perm.size, dtype=np.intp)
        p = self._inv[idx]
        self._lab[p] = labels[idx]

    def ambiguous_fraction(self) -> float:
        """Fraction of the rows assigned one by one in the last E step."""
        return self._last[0] / max(self._last[1], 1)
