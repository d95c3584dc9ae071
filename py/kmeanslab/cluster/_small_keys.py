"""The small loop's (:mod:`._small`) nearest centers from keyed blocks: narrow data
(``n_features <= SMALL_D``, the block in float64) with up to ``KEY_MAX_K`` clusters.

The small loop's ``(n_clusters, m)`` block ``||c||^2 - 2 c.x`` took ``argmin`` along
axis 0 for the labels (a function call per row: 25-55 ns a row natively at k = 8-64,
45-130 ns in Pyodide) and ``min`` along it for the distances, both more than the block's
product. Here the block gets ``M >= max ||x||^2`` added with the centers' norms (one
pass either way), so every value is positive, and :func:`._keyrows.keyed_two` gives the
nearest center and the two smallest values by elementwise passes down the block (the
center index in the values' low mantissa bits). Rows whose two smallest values lie within
twice the values' error bound (:func:`._keyrows.key_shift`; exact ties included) are
decided by exact differences (:func:`._keyrows.exact_two`), so the labels are the exact
nearest centers, ties to the lowest index, as plain Lloyd's; the others' distances are
widened by the bound (own distance up, runner-up down), so Hamerly's bounds stay bounds.

Microbenchmarks (min of 30, loaded 2-core machine, per row, argmin + min / keyed):
native k=8 24 / 9 ns, k=12 36 / 14, k=16 46 / 21; Pyodide k=8 81 / 45, k=12 75 / 40,
k=32 140 / 91, k=64 217 / 198.
"""

from __future__ import annotations

import numpy as np

from ._keyrows import KEY_MAX_K, exact_two, key_bits, key_shift, keyed_two


def use_keys(sd, k) -> bool:
    """Whether the small fit ``sd`` (a ``_Small``) with ``k`` clusters takes keyed
    blocks: narrow data (its block in float64) and at most ``KEY_MAX_K`` clusters."""
    return not sd.exact and sd.narrow and 1 < k <= KEY_MAX_K


class SmallKeys:
    """The keyed E step of one small fit (see the module docstring)."""

    def __init__(self, sd, k):
        self.sd = sd
        self.bits, self.low, self.high = key_bits(k)
        self.J = np.arange(k, dtype=np.int64)[:, None]
        self.ar = np.arange(sd.n, dtype=np.intp)
        self.xmax = float(sd.xsq.max())  # (shifted data: ||x||^2 <= this for every row)
        self._xm = (None, None)  # (M, xsq - M)

    def nearest(self, cs, rows=None):
        """``(labels, d1, d2)`` of the points ``rows`` (None: every point): the nearest
        of the shifted centers ``cs`` (intp, ties to the lowest index) and the squared
        distances to it (rounded up) and to the second nearest (rounded down)."""
        sd = self.sd
        csq = np.einsum("ij,ij->i", cs, cs)
        M, err = key_shift(sd.d, self.bits, self.xmax, float(csq.max()))
        csq += M
        D = sd.sq_dists(cs, rows, csq)
        m = D.shape[1]
        lab, d1, d2 = keyed_two(D, self.J, self.low, self.high, self.ar[:m])
        near = np.flatnonzero(d2 - d1 <= 2.0 * err)  # (exact ties included)
        if self._xm[0] != M:  # (M is a power of two: it seldom changes)
            self._xm = (M, sd.xsq - M)
        xm = self._xm[1] if rows is None else self._xm[1][rows]
        d1 += xm
        d1 += err  # the own distance up, the runner-up's down: the bounds stay bounds
        d2 += xm
        d2 -= err
        if near.size:
            idx = near if rows is None else rows[near]
            X = np.ascontiguousarray(sd.XT.take(idx, axis=1).T)  # (rows: C order)
            lab[near], d1[near], d2[near] = exact_two(X, cs)
        np.maximum(d1, 0.0, out=d1)
        np.maximum(d2, 0.0, out=d2)
        return lab, d1, d2

