"""The labels of the rows that the grid filter's cells could not decide (`._grid`).

Plain Lloyd's E step (``nearest_exact``) gives a row exactly halfway between two
centers (integer data, centers on data points) to the lower index. The grid filter
gave its undecided rows to the plain kernel, whose identity broke such ties by its
rounding (4 against 6 on a lattice): the fit then left plain Lloyd's path, on lattice
data at the first iteration. Here the nearest two centers come from a keyed block
(:func:`._keyrows.keyed_two`: the center index in the values' low mantissa bits, one
elementwise ``minimum`` down the block), and the rows whose two values lie within the
block's error bound (exact ties among them) are decided by float64 differences in the
data's own coordinates, as ``nearest_exact`` decides them.

Microbenchmark (min of 15, loaded 2-core machine, native), the kernel's labels against
these: 683 rows k=8 d=2 40 / 57 us, 4,871 rows k=32 d=2 392 / 516, 6,128 rows k=8 d=3
301 / 199, 1,000 rows k=64 d=1 153 / 203.
"""

from __future__ import annotations

import numpy as np

from ._keyrows import exact_two, key_bits, key_shift, keyed_two

#: Entries (rows x centers) of one keyed block: 2 MB of float64 per buffer.
_BLOCK = 1 << 18


class ExactLabels:
    """Exact labels of a grid fit's undecided rows, with buffers kept across E steps."""

    def __init__(self):
        self._buf = None

    def __call__(self, XT, X, rows, Cs, C64):
        """Labels (intp, ties to the lowest index) of ``rows`` of ``X``.

        ``XT``: those rows shifted, ``(d, m)`` float64; ``X``: the rows in the data's own
        coordinates (any float dtype); ``Cs``: the ``(k, d)`` centers shifted as ``XT``,
        ``C64`` unshifted (float64). In blocks of ``_BLOCK`` entries (memory bounded
        whatever the number of undecided rows), each with the error bound of its own
        rows (one far row costs exact differences in its own block only)."""
        k, m = Cs.shape[0], rows.size
        lab = np.zeros(m, dtype=np.intp)
        if k == 1 or m == 0:
            return lab
        step = max(_BLOCK // k, 1)
        buf = self._buf
        if buf is None or buf[3].shape[0] != k or buf[2].size < min(m, step):
            size = min(max(m, 1024), step)  # (kept: fresh blocks cost page faults)
            buf = self._buf = (np.empty(k * size), np.empty(k * size),
                               np.arange(size, dtype=np.intp),
                               np.arange(k, dtype=np.int64)[:, None])
        bits, low, high = key_bits(k)
        csq = np.einsum("ij,ij->i", Cs, Cs)
        cm2 = -2.0 * Cs
        for s in range(0, m, step):
            e = min(s + step, m)
            lab[s:e] = self._block(XT[:, s:e], X, rows[s:e], Cs, C64, csq, cm2,
                                   (bits, low, high), buf)
        return lab

    @staticmethod
    def _block(XT, X, rows, Cs, C64, csq, cm2, keys, buf):
        k, m = Cs.shape[0], rows.size
        bits, low, high = keys
        xmax = float(np.einsum("ij,ij->j", XT, XT).max())
        M, err = key_shift(Cs.shape[1], bits, xmax, float(csq.max()))
        # contiguous (k, m) views: strided ones were 2-3x slower in the passes below
        D, T = buf[0][: k * m].reshape(k, m), buf[1][: k * m].reshape(k, m)
        np.multiply(cm2[:, :1], XT[0], out=D)
        for j in range(1, Cs.shape[1]):
            np.multiply(cm2[:, j : j + 1], XT[j], out=T)
            D += T
        D += (csq + M)[:, None]
        lab, v1, v2 = keyed_two(D, buf[3], low, high, buf[2][:m])
        near = np.flatnonzero(v2 - v1 <= 2.0 * err)  # (exact ties included)
        if near.size:
            own = X.take(rows[near], axis=0).astype(np.float64, copy=False)
            lab[near] = exact_two(own, C64)[0]
        return lab
