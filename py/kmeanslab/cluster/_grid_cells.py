"""The flat grid's cells (:mod:`._grid`): every row's cell and the cells' boxes."""

from __future__ import annotations

import numpy as np

#: Target number of points per grid cell (before dropping the empty cells).
_POINTS_PER_CELL = 16
#: At most this many cells: compact cell indices fit in 16 bits, so that the sort of the
#: rows by cell is NumPy's linear-time radix sort.
_MAX_CELLS = 1 << 16


def bin_rows(X):
    """Grid cell of every row: ``(cell, counts, mid, half)`` with ``cell`` the compact
    index (intp, ``< _MAX_CELLS``) of each row's non-empty cell, ``counts`` the rows per
    cell (uint16), and the cells' boxes as centres ``mid`` (``(d, cells)``, absolute) and
    half-widths ``half`` (``(d,)``)."""
    n, d = X.shape
    lo = np.array([float(X[:, j].min()) for j in range(d)])
    hi = np.array([float(X[:, j].max()) for j in range(d)])
    span = hi - lo
    n_cells = max(1, min(_MAX_CELLS, n // _POINTS_PER_CELL))
    live = span > 0
    # roughly cubic cells: the same width h along every dimension that varies, except
    # that a dimension narrower than h gets one cell (and h is recomputed without it),
    # so that very elongated data cannot ask for a huge number of cells
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
    # 16-bit compact indices (cells <= _MAX_CELLS), the key of the radix sort
    lut = np.empty(stride, dtype=np.uint16)
    lut[cells] = np.arange(cells.size, dtype=np.uint16)
    cell = lut[cid]
    mid = np.empty((d, cells.size))
    for j in range(d):
        qj = (cells // strides[j]) % g[j]
        mid[j] = lo[j] + (qj + 0.5) * width[j]
    # widened so that a row binned by a rounded product still lies inside its box
    half = 0.5 * width * live + 1e-9 * (span + np.abs(lo) + np.abs(hi))
    return cell, counts_full[cells].astype(np.intp), mid, half
