"""Exact Lloyd E steps for low-dimensional data by filtering through a flat grid.

In the manner of Kanungo et al.'s filtering algorithm, but with one flat grid instead of
a kd-tree (few, long NumPy calls suit Pyodide better than a tree walk): the points are
binned into grid cells once per fit, and every cell keeps its point count, weight,
weighted coordinate sum and weighted sum of squared norms. Each E step then

1. bounds, for every (center, non-empty cell) pair, the smallest and largest distance
   from the center to the cell's box (``O(cells x k)``, vectorized);
2. gives a cell wholesale to center ``a`` when its largest distance to ``a`` is below
   its smallest distance to every other center, with a margin above the rounding error
   of the distance kernel, so that every point of the cell gets exactly the label that
   the plain kernel would give it;
3. assigns the points of the other ("ambiguous") cells one by one with the plain
   kernel (:class:`~kmeanslab._distances.NearestKernel`).

The cluster sums of the M step come from the owned cells' sums plus the ambiguous
points' own, so an iteration touches each point only through one gather of its cell's
owner (for the labels) instead of ``n_clusters`` distances. Labels, iterations and
centers are those of plain Lloyd.
"""

from __future__ import annotations

import numpy as np

from ..utils._distances import NearestKernel
from ._k_means_common import _label_sums

#: Dimensions up to which the grid is used. The share of rows in cells crossed by a
#: Voronoi boundary grows quickly with the dimension: on china.jpg's distinct colors
#: (3-d, k=16) about half the rows stayed ambiguous at any useful cell size, and the
#: Hamerly bounds did better there.
GRID_MAX_D = 2
#: Rows (distinct, after collapsing repeats) from which the grid pays off.
GRID_MIN_ROWS = 1 << 14
#: Clusters up to which the grid is used: the per-iteration cell work is cells x k, and
#: the share of ambiguous cells grows with k. In Pyodide (Node, 2-d blobs, same run) the
#: grid took 0.55x the time of the Hamerly path at k=8 and k=16, but 1.14x at k=32 and
#: 1.27x at k=64.
GRID_MAX_K = 16
#: Target number of points per grid cell (before dropping the empty cells).
_POINTS_PER_CELL = 8
_MAX_CELLS = 1 << 16


class GridFilter:
    """Binned data and its per-cell statistics, with an exact E step.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        float32 or float64, ``n_features <= GRID_MAX_D``.
    w : ndarray of shape (n_samples,) or None
        Sample weights; None means unit weights.
    offset : ndarray of shape (n_features,)
        Sums are kept relative to this point (the data mean), as :class:`_Sums` does.
    radius : float
        An upper bound of ``||x - offset||`` over the rows.
    """

    def __init__(self, X, w, offset, radius):
        n, d = X.shape
        self.X, self.w, self.offset = X, w, np.asarray(offset, dtype=np.float64)
        lo = np.array([float(X[:, j].min()) for j in range(d)])
        hi = np.array([float(X[:, j].max()) for j in range(d)])
        span = hi - lo
        n_cells = max(1, min(_MAX_CELLS, n // _POINTS_PER_CELL))
        live = span > 0
        # roughly cubic cells: the same width h along every dimension that varies, except
        # that a dimension narrower than h gets one cell (and h is recomputed without
        # it), so that very elongated data cannot ask for a huge number of cells
        g = np.ones(d, dtype=np.intp)
        active = live.copy()
        for _ in range(d):
            if not active.any():
                break
            h = float(np.prod(span[active]) / n_cells) ** (1.0 / int(active.sum()))
            narrow = active & (span < h)
            if not narrow.any():
                g[active] = np.ceil(span[active] / h).astype(np.intp)
                break
            active &= ~narrow
        g = np.maximum(g, 1)
        # widths a hair above span / g: (x - lo) * inv < g for every row, no clipping
        width = np.where(live, span * (1 + 1e-9) / g, 1.0)
        inv = np.where(live, 1.0 / width, 0.0)
        cid = np.zeros(n, dtype=np.intp)
        stride = 1
        strides = []
        for j in range(d):
            q = ((X[:, j] - lo[j]) * inv[j]).astype(np.intp)
            if stride == 1:
                cid = q
            else:
                q *= stride
                cid += q
            strides.append(stride)
            stride *= int(g[j])
        counts_full = np.bincount(cid, minlength=stride)
        cells = np.flatnonzero(counts_full)
        lut = np.empty(stride, dtype=np.intp)
        lut[cells] = np.arange(cells.size, dtype=np.intp)
        self.cell = lut[cid]  # each row's compact cell index
        del cid, lut
        m = cells.size
        self.n_cells = m
        self.counts = counts_full[cells].astype(np.intp)
        # cell boxes as centre and half-width, relative to offset; the half-width is
        # widened so that a row binned by a rounded product still lies inside its box
        self.mid = np.empty((d, m))
        for j in range(d):
            qj = (cells // strides[j]) % g[j]
            self.mid[j] = lo[j] + (qj + 0.5) * width[j] - self.offset[j]
        self.half = 0.5 * width * live + 1e-9 * (span + np.abs(lo) + np.abs(hi))
        # per-cell sums relative to offset
        Xs_cols = []
        rowsq = np.zeros(n)
        for j in range(d):
            col = X[:, j] - self.offset[j]
            if col.dtype != np.float64:
                col = col.astype(np.float64)
            Xs_cols.append(col)
            rowsq += col * col
        ws = None if w is None else w.astype(np.float64)
        self.W = self.counts.astype(np.float64) if ws is None else np.bincount(
            self.cell, weights=ws, minlength=m)
        self.S = np.empty((m, d))
        for j in range(d):
            col = Xs_cols[j] if ws is None else Xs_cols[j] * ws
            self.S[:, j] = np.bincount(self.cell, weights=col, minlength=m)
        self.Q = np.bincount(self.cell, weights=rowsq if ws is None else rowsq * ws, minlength=m)
        self.eps = float(np.finfo(X.dtype).eps)
        self.radius = float(radius)
        self._ar = np.arange(m, dtype=np.intp)
        self._last = None

    # -- one E step ------------------------------------------------------------------
    def owners(self, centers64):
        """Owner center of every cell, or -1 where the boxes cannot decide."""
        k, d = centers64.shape
        Cs = centers64 - self.offset
        # rounding of the plain kernel's squared distances, which shifts coordinates by
        # the mean of the centers: |x_s| + |c_s| <= radius + 3 * (largest |c - offset|);
        # centers (given ones too) may lie far outside the data
        cr = float(np.sqrt(np.einsum("ij,ij->i", Cs, Cs).max()))
        margin = 256.0 * self.eps * (self.radius + 3.0 * cr + 1e-300) ** 2
        lo2 = hi2 = None
        for j in range(d):
            e = np.subtract.outer(Cs[:, j], self.mid[j])  # (k, cells): long rows
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
        ar = self._ar
        best = hi2[a, ar]
        if k > 1:
            lo2[a, ar] = np.inf
            second = lo2.min(axis=0)
        else:
            second = np.full(self.n_cells, np.inf)
        best += margin
        best *= 1.0 + 1e-12
        owner = np.where(best < second, a, -1)
        return owner

    def estep(self, labels, C, kern: NearestKernel, first=False):
        """Assign every row (labels updated in place); returns the number of changes."""
        k = C.shape[0]
        owner = self.owners(C.astype(np.float64))
        amb_cell = owner < 0
        new = owner[self.cell]
        idx = np.flatnonzero(amb_cell[self.cell]) if amb_cell.any() else np.empty(0, np.intp)
        if idx.size:
            lab_i, _ = kern.nearest(self.X[idx])
            new[idx] = lab_i
        n_changed = labels.size if first else int(np.count_nonzero(new != labels))
        labels[:] = new
        self._last = (owner, amb_cell, idx, lab_i if idx.size else None, k)
        return n_changed

    def fill_sums(self, sums):
        """Set ``sums`` (a ``_Sums``) to the cluster statistics of the last E step."""
        owner, amb_cell, idx, lab_i, k = self._last
        d = self.S.shape[1]
        ok = ~amb_cell
        own = owner[ok]
        S = np.empty((k, d))
        for j in range(d):
            S[:, j] = np.bincount(own, weights=self.S[ok, j], minlength=k)
        # float64 even when every cell is ambiguous: a bincount of nothing is int64
        W = np.bincount(own, weights=self.W[ok], minlength=k).astype(np.float64, copy=False)
        Q = np.bincount(own, weights=self.Q[ok], minlength=k).astype(np.float64, copy=False)
        counts = np.bincount(own, weights=self.counts[ok], minlength=k).astype(np.float64,
                                                                                copy=False)
        if idx.size:
            ws = None if self.w is None else self.w[idx]
            S2, W2, Q2 = _label_sums(self.X[idx], ws, lab_i, k, self.offset)
            S += S2
            W += W2
            Q += Q2
            counts += np.bincount(lab_i, minlength=k)
        sums.S, sums.W, sums.Q = S, W, Q
        sums.counts = counts.astype(np.intp)

    def ambiguous_fraction(self) -> float:
        """Fraction of the rows assigned one by one in the last E step."""
        return self._last[2].size / self.X.shape[0]
