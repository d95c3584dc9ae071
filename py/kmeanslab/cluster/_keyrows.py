"""The chunked Hamerly path's rows that the bounds cannot settle, for narrow
data (``n_features <= SMALL_D``) with up to :data:`KEY_MAX_K` clusters: every distance of
each such row from one product, the two nearest centers from whole-block minima.

NumPy's ``argmin`` along the short axis of an ``(m, n_clusters)`` block costs 25-30 ns a
row (a function call per row), more than all the row's distances, and the previous
kernel (:meth:`~kmeanslab.utils._distances.NearestKernel.nearest3_block`) took three of
them. Here the values ``||x - c||^2 + (M - ||x - s||^2)`` of ``m`` rows form an
``(n_clusters, m)`` block from one matrix product ``[-2 c, ||c||^2 + M] @ [x; 1]``
(around the centers' mean ``s``, in float64 whatever the data's dtype), where ``M``
bounds ``||x - s||^2`` over the block's own rows, so every value is positive and
``||x||^2`` is added only to the two kept. Each value has its lowest ``bits`` mantissa
bits replaced by its center's index; positive floats read as integers order as the
values, so one elementwise ``minimum`` down the block (long contiguous passes) gives the
nearest center and its distance at once, exact ties to the lowest index as ``argmin``.
Every value's absolute error is bounded (:func:`key_shift`: the product's rounding over
terms up to ``M + max ||c - s||^2``, the shifts and the index bits); rows whose two smallest
values are within twice that of each other (exact ties included) are decided by exact
differences, as plain Lloyd, and the others' own distance is widened up and the
runner-up's down by it, so the bounds stay bounds. (``M`` covers the block's rows only,
not the data's bounding box: one far outlier makes the error large for its own block of
rows, which costs exact rows and looser bounds there, never a wrong label; with the
box's ``M`` every block paid, up to most rows decided by exact differences.)

Measured (native, one thread, CPU time, whole fits, keyed / previous Hamerly step):
100,000 x 3 k=16 overlapping 88 / 142 ms (scikit-learn 1 thread 74), 60,000 x 8 k=16
39 / 49 (34), china.jpg's 96,000 distinct colours k=16 69 / 91 (104).

This is an exact E step for the rows given, the same labels as every other path's (the
tests check that against plain Lloyd and scikit-learn). Pyodide takes it too: there the
product is NumPy's own loop (no BLAS), and still one product and whole-block minima beat
the runner-up tests' gathers and their full rows' argmin passes (figures in
:mod:`._hamerly`).
"""

from __future__ import annotations

import math

import numpy as np

from ..utils._threads import map_chunks

#: most clusters for which the index fits a few low mantissa bits (6 bits: 2**-46)
KEY_MAX_K = 64
_INF_BITS = np.float64(np.inf).view(np.int64)
_EPS = float(np.finfo(np.float64).eps)  # (np.finfo per call: 1-10 us, every E step)
# entries of one chunk's (n_clusters, chunk) block and (n_features + 1, chunk) rows
# together (1 MB): fewer, longer calls than 2**16 entries of the block alone, while both
# stay in a core's cache. CPU ms, one thread, whole fits, overlapping blobs, min of 7
# alternating, block of 2**16 / 2**17 (chunk rows of either): 100,000 x 5 k=24 93 / 86,
# 200,000 x 3 k=12 201 / 196, 40,000 x 3 k=16 separated 11.9 / 8.8, 60,000 x 4 k=24
# uniform 140 / 132; but 60,000 x 8 k=16 26.6 / 27.4 and 150,000 x 8 k=8 41.0 / 42.4,
# hence the rows counted too (2026-11-29, loaded 2-core machine)
_BLOCK_ELEMENTS = 1 << 17
#: entries of the block alone in a chunk of the first (unbounded) E step
FIRST_BLOCK = 1 << 16
# rows per call of the per-row passes (gathers, bounds, label changes): the block's
# passes go sub-chunk by sub-chunk (``chunk`` rows, sized for the cache), the per-row
# ones over up to this many rows at once: fewer calls (each costs ~1 us natively, 5-20
# in Pyodide), and long enough that two threads' calls cover the GIL's hand-over
# (elementwise passes of 100,000 elements ran 1.9x faster on two threads, of 10,000
# 0.74x). With each block's own shift (tighter error bounds), one thread, CPU ms, min of
# 7, three alternating rounds, before / after: 100,000 x 3 k=16 86-101 / 82-85,
# 100,000 x 5 k=24 float32 124-127 / 105-125 (2026-11-30, 2-core machine at load 6-7:
# +-15%)
_SPAN_ROWS = 1 << 15


class NearestKeys:
    """The nearest and second nearest of ``centers`` for gathered rows of narrow data
    (see the module docstring).

    Parameters
    ----------
    centers : ndarray of shape (n_clusters, n_features)
        ``n_clusters <= KEY_MAX_K``.
    """

    def __init__(self, centers: np.ndarray):
        k, d = centers.shape
        self.k, self.d = k, d
        self.bits, self.low, self.high = key_bits(k)
        self.chunk = max(256, _BLOCK_ELEMENTS // (k + d + 1))
        #: most rows of one call of :meth:`nearest2` (whole sub-chunks)
        self.span = max(self.chunk, _SPAN_ROWS // self.chunk * self.chunk)
        self._J = np.arange(k, dtype=np.int64)[:, None]  # (broadcast down the block)
        self._alloc()
        self.set_centers(centers)

    def _alloc(self):
        c = self.chunk
        self._A = np.empty((self.d + 1, self.span))
        self._A[self.d] = 1.0
        self._D = np.empty(self.k * c)  # (contiguous (k, m) blocks: see keyed_two)
        self._ar = np.arange(c, dtype=np.intp)
        self._blocks = {}  # M -> (B, err): this thread's products' left factors

    def worker(self) -> NearestKeys:
        """A kernel on the same centers with its own buffers, for another thread."""
        w = object.__new__(NearestKeys)
        w.__dict__.update(self.__dict__)
        w._alloc()
        return w

    def set_centers(self, centers: np.ndarray) -> None:
        C = centers.astype(np.float64)
        off = C.mean(axis=0)
        Cs = C - off
        csq = np.einsum("ij,ij->i", Cs, Cs)
        self._offset, self._C, self._Cs, self._csq = off, C, Cs, csq
        self._csq_max = float(csq.max())
        self._blocks = {}

    def sync(self, other: NearestKeys) -> None:
        """Take ``other``'s centers (a kernel of the same shape), keeping the buffers."""
        self._offset, self._C, self._Cs, self._csq = other._offset, other._C, other._Cs, other._csq
        self._csq_max = other._csq_max
        self._blocks = {}

    def _block(self, xmax):
        """``(B, M', err)`` for rows with ``||x - s||^2 <= xmax`` (:func:`key_shift`;
        ``M'`` is a power of two, so a few of these serve a whole fit)."""
        M, err = key_shift(self.d, self.bits, xmax, self._csq_max)
        got = self._blocks.get(M)
        if got is None:
            B = np.empty((self.k, self.d + 1))
            B[:, : self.d] = -2.0 * self._Cs
            B[:, self.d] = self._csq + M
            got = self._blocks[M] = (B, M, err)
        return got

    def nearest2(self, XT, G):
        """Rows ``G`` (indices or a slice, at most ``span`` rows) of the data whose
        transpose is ``XT``: ``(lab1, d1, d2)``, the nearest center (intp) and the two
        smallest squared distances (float64; ``d1`` rounded up, ``d2`` down; ``inf``
        for ``d2`` with one center)."""
        m = G.size if isinstance(G, np.ndarray) else G.stop - G.start  # (or a slice)
        d = self.d
        A = self._A[:, :m]
        for j in range(d):  # (a column gather is cheaper than a gather of whole rows)
            np.subtract(XT[j][G], self._offset[j], out=A[j])
        xsq = np.einsum("ij,ij->j", A[:d], A[:d])
        # these rows' own extent sets the shift and the error bound: one far outlier
        # widens them for its own chunk only
        B, M, err = self._block(float(xsq.max()) if m else 0.0)
        xsq -= M
        c = self.chunk
        if m <= c:
            D = self._D[: self.k * m].reshape(self.k, m)
            np.matmul(B, A, out=D)
            lab1, d1, d2 = keyed_two(D, self._J, self.low, self.high, self._ar[:m])
        else:  # the block's passes sub-chunk by sub-chunk (in the cache), into whole rows
            lab1 = np.empty(m, dtype=np.intp)
            d1, d2 = np.empty(m), np.empty(m)
            for s in range(0, m, c):
                e = min(s + c, m)
                D = self._D[: self.k * (e - s)].reshape(self.k, e - s)
                np.matmul(B, A[:, s:e], out=D)
                keyed_two(D, self._J, self.low, self.high, self._ar[: e - s],
                          out=(lab1[s:e], d1[s:e], d2[s:e]))
        near = np.flatnonzero(d2 - d1 <= 2.0 * err)  # (exact ties included)
        d1 += xsq
        d1 += err  # the own distance up, the runner-up's down: the bounds stay bounds
        d2 += xsq
        d2 -= err
        if near.size:
            rows = G[near] if isinstance(G, np.ndarray) else near + G.start
            lab1[near], d1[near], d2[near] = self._exact(XT, rows)
        np.maximum(d1, 0.0, out=d1)
        np.maximum(d2, 0.0, out=d2)
        return lab1, d1, d2

    def _exact(self, XT, rows):
        """The near-ties ``rows``, by exact differences (:func:`exact_two`)."""
        X = np.stack([XT[j][rows] for j in range(self.d)], axis=1).astype(np.float64)
        return exact_two(X, self._C)


def key_bits(k):
    """``(bits, low, high)``: the low mantissa bits that hold a center index of ``k``
    centers, and the int64 masks of those bits and of the others."""
    bits = max(1, int(k - 1).bit_length())
    return bits, np.int64((1 << bits) - 1), np.int64(~((1 << bits) - 1))


def key_shift(d, bits, M, csq_max):
    """``(M', err)`` for a keyed block ``||c||^2 - 2 c.x + M'`` of ``d`` features
    (terms summed in float64, by a matrix product), where ``||x||^2 <= M`` for every row
    and ``||c||^2 <= csq_max`` for every center (both around the same shift point).

    ``M'`` is ``M`` widened past the block's rounding, then rounded up to a power of two
    (``||c||^2 + M'`` is then as exact as ``||c||^2``: integer data's ties stay exact
    ties, decided by the index), so every value is positive. ``err`` bounds every
    value's absolute error (the product's rounding over its ``d + 1`` terms, each at
    most ``M' + csq_max`` in size, the shifts, ``||x||^2`` and the ``bits`` index bits):
    rows whose two smallest values are closer than twice this are decided by exact
    differences, and the others' bounds are widened by it. (A large ``M`` from one far
    point costs exact rows and looser bounds, never a wrong label.)"""
    eps = _EPS
    M += 8.0 * (d + 4) * eps * (M + csq_max)
    M = math.ldexp(1.0, math.frexp(M + 1e-300)[1])
    scale = 4.0 * (M + csq_max)
    return M, (8.0 * (d + 8) * eps + math.ldexp(1.0, bits - 51)) * scale


def keyed_two(D, J, low, high, ar, out=None):
    """The smallest two values of every column of ``D`` (float64, ``(k, m)``, every
    value positive; overwritten): ``(lab1, v1, v2)``, the row of the smallest (intp,
    exact ties to the lowest row), and the two values with their lowest bits cleared
    (``inf`` for ``v2`` when ``k == 1``). ``J`` holds each entry's row index, ``(k, m)``
    or ``(k, 1)``; ``ar`` is ``arange(m)``; ``low``, ``high`` from :func:`key_bits`;
    ``out``: ``(lab1, v1, v2)`` arrays of ``m`` to write them into.

    Each value's low mantissa bits are replaced by its row: positive floats read as
    integers order as the values, so one elementwise ``minimum`` down the block gives
    the nearest row and its value at once."""
    K = D.view(np.int64)
    np.bitwise_and(K, high, out=K)
    np.bitwise_or(K, J, out=K)
    if out is None:
        k1 = np.minimum.reduce(K, axis=0)
        k2 = np.empty_like(k1)
        lab1 = np.empty(k1.size, dtype=np.intp)
    else:
        lab1, v1, v2 = out
        k1, k2 = v1.view(np.int64), v2.view(np.int64)
        np.minimum.reduce(K, axis=0, out=k1)
    np.bitwise_and(k1, low, out=lab1, casting="unsafe")
    if D.shape[0] > 1:
        if K.flags.c_contiguous:
            # one flat index: a third of the time of K[lab1, ar]'s two (6,553 columns)
            at = lab1 * K.shape[1]
            at += ar
            K.reshape(-1)[at] = _INF_BITS
        else:
            K[lab1, ar] = _INF_BITS
        np.minimum.reduce(K, axis=0, out=k2)
        k2 &= high
    else:
        k2.fill(_INF_BITS)
    k1 &= high
    return lab1, k1.view(np.float64), k2.view(np.float64)


def exact_two(X, C):
    """Nearest center (ties to the lowest index) and the two smallest squared distances
    of the rows ``X`` (float64, ``(m, d)``) to ``C`` (``(k, d)``) by exact differences
    (float64), for the near-ties of a keyed block."""
    diff = X[:, None, :] - C[None, :, :]
    D = np.einsum("rkj,rkj->rk", diff, diff)
    lab = D.argmin(axis=1)
    ar = np.arange(X.shape[0])
    d1 = D[ar, lab]
    if C.shape[0] > 1:
        D[ar, lab] = np.inf
        d2 = D.min(axis=1)
    else:
        d2 = np.full(X.shape[0], np.inf)
    return lab, d1, d2


def set_bounds(b, rows, lab1, d1, d2, half_min):
    """Hamerly's bounds of ``rows`` (the ``_Bounds`` of :mod:`._hamerly`) from their two
    smallest squared distances (the runner-up and third bound stay unused here)."""
    lo = np.sqrt(d2)
    np.maximum(lo, half_min[lab1], out=lo)
    b.set(rows, lab1, np.sqrt(d1), lo)


def key_estep(XT, labels, keys, bounds, half_min, on_change):
    """The Hamerly E step (:func:`._hamerly._bounded_estep`'s rules) with every
    undecided row's distances from :class:`NearestKeys`: Hamerly's test, then the two
    nearest centers of the rows it leaves undecided. Natively the rows are split into
    ``len(keys)`` contiguous parts, one thread each (each writes only its own rows'
    labels and bounds, its calls on its own cache-sized chunks); the label changes reach
    ``on_change`` afterwards in one call, in row order, so the cluster sums do not depend
    on the threads' timing. Returns ``(n_changed, n_flagged)``.

    No second test (half the distance from the own center to its closest other, against
    the current upper bound): it settled only about a fifth of the flagged rows here, its
    gathers cost about what their keyed rows would, and the rows it settles keep their
    loose bounds and come back, while a keyed row refreshes both bounds. CPU ms, one
    thread, whole fits, min of 7 alternating, with / without it: 100,000 x 3 k=16 67 /
    60, 100,000 x 5 k=24 float32 99 / 86, 60,000 x 8 k=16 30 / 28, 200,000 x 3 k=12
    301 / 255, 60,000 x 4 k=24 uniform 173 / 155; 300,000 x 2 k=20 171 / 171, 100,000 x
    2 k=24 float32 88 / 90 (2026-11-29, loaded 2-core machine)."""
    b = bounds
    n = labels.size
    parts = len(keys)
    edges = [n * p // parts for p in range(parts + 1)]
    changes = [None] * parts
    flagged = [0] * parts

    def job(kern, p):
        F_all = b.flagged(labels, edges[p], edges[p + 1])
        flagged[p] = F_all.size
        c = kern.span
        done = []
        n_changed = 0
        for s in range(0, F_all.size, c):
            G = F_all[s : s + c]
            a = labels[G]
            new, d1, d2 = kern.nearest2(XT, G)
            set_bounds(b, G, new, d1, d2, half_min)
            moved = np.flatnonzero(new != a)
            if moved.size:
                Gm = G[moved]
                labels[Gm] = new[moved]
                done.append((Gm, a[moved], new[moved]))
                n_changed += moved.size
        changes[p] = done
        return n_changed

    n_changed = map_chunks(job, keys, range(parts))
    done = [ch for part in changes for ch in part]
    if done:
        on_change(*(np.concatenate(parts) for parts in zip(*done, strict=True)))
    return n_changed, sum(flagged)
