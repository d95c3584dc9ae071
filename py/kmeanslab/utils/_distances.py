"""Distance kernels: nearest centers in cache-sized chunks on preallocated buffers.

Distances come from the ``||x||^2 - 2 x.c + ||c||^2`` identity on coordinates shifted by
the mean of the centers (which limits cancellation); ``||x||^2`` does not change which
center is nearest, so it is only added to the few distances that are kept. The block of
``||c||^2 - 2 x.c`` values is built by layout:

* small ``d`` (``d <= SMALL_D``) in Pyodide: an ``(n_clusters, chunk)`` block of outer
  products, so every elementwise operation runs along a long contiguous axis (Pyodide's
  NumPy has no BLAS: a matrix product with an inner dimension of 2 or 3 is slower there
  than a few elementwise passes);
* larger ``d``, and every ``d`` natively: a ``(chunk, n_clusters)`` block from one matrix
  product (see :data:`OUTER_PRODUCTS`).

Natively, the whole-data passes (:func:`nearest_exact`, :func:`inertia_exact`) share
their chunks among Python threads with one BLAS thread (:mod:`kmeanslab.utils._threads`).

Exact distances to one given center per point (:func:`sq_dist_to_assigned`) use explicit
differences. Nothing here allocates an ``n_samples x n_clusters`` array for large inputs:
the work is done ``chunk`` rows at a time.
"""

from __future__ import annotations

import numpy as np

from ._threads import NATIVE, WORKERS, map_chunks, map_ordered, one_blas_thread
from ._ties import exact_near_ties, refine_three

SMALL_D = 8
# small ``d`` as outer products only where there is no BLAS (Pyodide); natively one matrix
# product into an ``(m, n_clusters)`` block, whose reductions run along contiguous rows, was
# measured 1.0-1.9x faster than the outer products even at d = 2 (nearest3, k 16-64)
OUTER_PRODUCTS = not NATIVE
_BLOCK_ELEMENTS = 1 << 16  # elements of one (chunk x n_clusters) block
_PASS_ELEMENTS = 1 << 20  # elements of one temporary in a pass over the data (8 MB)


def pass_rows(n_features: int, rows: int) -> int:
    """Rows per chunk of a pass over the data: at most ``rows``, and at most about
    ``_PASS_ELEMENTS`` elements, so that wide data keeps its temporaries small."""
    return max(1, min(rows, _PASS_ELEMENTS // max(n_features, 1)))


def chunk_rows(n_clusters: int, n_features: int) -> int:
    """Rows per chunk so that one distance block holds about ``_BLOCK_ELEMENTS`` values."""
    per_row = max(n_clusters, 1)
    if n_features > SMALL_D:
        per_row = max(per_row, n_features)
    return int(min(max(_BLOCK_ELEMENTS // per_row, 128), 1 << 16))


class NearestKernel:
    """Nearest (and second nearest) of ``centers`` for blocks of rows.

    Parameters
    ----------
    centers : ndarray of shape (n_clusters, n_features)
        In the working dtype (float32 or float64).
    chunk : int, default=None
        Rows per block; the buffers are allocated once for that size.
    """

    def __init__(self, centers: np.ndarray, chunk: int | None = None):
        k, d = centers.shape
        self.k, self.d = k, d
        self.dtype = centers.dtype
        self.chunk = chunk or chunk_rows(k, d)
        self.small = d <= SMALL_D and OUTER_PRODUCTS
        self._X = np.empty((self.chunk, d), dtype=self.dtype)
        if self.small:
            self._D = np.empty((k, self.chunk), dtype=self.dtype)
            self._T = np.empty((k, self.chunk), dtype=self.dtype)
        else:
            self._D = np.empty((self.chunk, k), dtype=self.dtype)
        self._ar = np.arange(self.chunk, dtype=np.intp)
        self.set_centers(centers)

    def worker(self) -> NearestKernel:
        """A kernel on the same centers with its own buffers, for another thread (its
        centers follow this kernel's :meth:`set_centers` through :meth:`sync`)."""
        w = object.__new__(NearestKernel)
        w.__dict__.update(self.__dict__)
        w._X = np.empty_like(self._X)
        w._D = np.empty_like(self._D)
        if self.small:
            w._T = np.empty_like(self._T)
        return w

    def sync(self, other: NearestKernel) -> None:
        """Take ``other``'s centers (a kernel of the same shape), keeping the buffers."""
        for name in ("centers", "_offset", "csq_vec", "_csq", "_m2", "_cm2"):
            if name in other.__dict__:
                self.__dict__[name] = other.__dict__[name]

    def set_centers(self, centers: np.ndarray) -> None:
        """Use new centers (same shape and dtype), keeping the buffers."""
        self.centers = centers
        self._offset = centers.mean(axis=0)
        shifted = centers - self._offset
        csq = np.einsum("ij,ij->i", shifted, shifted)
        self.csq_vec = csq
        if self.small:
            self._m2 = [np.ascontiguousarray(-2.0 * shifted[:, j : j + 1]) for j in range(self.d)]
            self._csq = np.ascontiguousarray(csq[:, None])
        else:
            self._cm2 = np.ascontiguousarray(-2.0 * shifted.T)
            self._csq = csq

    # -- one block ---------------------------------------------------------------------
    def _block(self, Xb: np.ndarray):
        """Fill the block with ``||c||^2 - 2 x.c`` (coordinates shifted by the mean of the
        centers) for rows ``Xb``; return (block, ``||x||^2``). Small ``d``: a
        ``(n_clusters, m)`` block of outer products; otherwise an ``(m, n_clusters)`` one
        from a matrix product."""
        m = Xb.shape[0]
        Xs = self._X[:m]
        np.subtract(Xb, self._offset, out=Xs)
        xsq = np.einsum("ij,ij->i", Xs, Xs)
        if self.small:
            D, T = self._D[:, :m], self._T[:, :m]
            np.multiply(Xs[:, 0], self._m2[0], out=D)
            np.add(D, self._csq, out=D)
            for j in range(1, self.d):
                np.multiply(Xs[:, j], self._m2[j], out=T)
                np.add(D, T, out=D)
            return D, xsq
        D = self._D[:m]
        np.matmul(Xs, self._cm2, out=D)
        np.add(D, self._csq, out=D)
        return D, xsq

    def nearest3_block(self, Xb, lab1, lab2, d1, d2, d3):
        """Nearest and second nearest center indices, and the three smallest squared
        distances (``inf`` where there are fewer centers)."""
        m = Xb.shape[0]
        D, xsq = self._block(Xb)
        ar = self._ar[:m]
        k = self.k
        if self.small:  # (k, m) block: reduce over axis 0
            a = D.argmin(axis=0)
            d1[:] = D[a, ar]
            if k > 1:
                D[a, ar] = np.inf
                b = D.argmin(axis=0)
                d2[:] = D[b, ar]
            else:
                b = a
                d2[:] = np.inf
            if k > 2:
                D[b, ar] = np.inf
                d3[:] = D.min(axis=0)
            else:
                d3[:] = np.inf
        else:  # (m, k) block: reduce over axis 1 (fast there without a copy)
            a = D.argmin(axis=1)
            d1[:] = D[ar, a]
            if k > 1:
                D[ar, a] = np.inf
                b = D.argmin(axis=1)
                d2[:] = D[ar, b]
            else:
                b = a
                d2[:] = np.inf
            if k > 2:
                D[ar, b] = np.inf
                d3[:] = D[ar, D.argmin(axis=1)]
            else:
                d3[:] = np.inf
        for d in (d1, d2, d3):
            d += xsq
            np.maximum(d, 0, out=d)
        lab1[:] = a
        lab2[:] = b
        if k > 1:  # (exact ties to the lower index, as nearest_exact: see _ties)
            refine_three(Xb, xsq, self.centers, float(self.csq_vec.max()), self.dtype,
                         lab1, lab2, d1, d2, d3)

    def nearest_block(self, Xb, labels, d1):
        """Nearest center index and its squared distance."""
        m = Xb.shape[0]
        D, xsq = self._block(Xb)
        ar = self._ar[:m]
        if self.small:
            lab = D.argmin(axis=0)
            d1[:] = D[lab, ar]
        else:
            lab = D.argmin(axis=1)
            d1[:] = D[ar, lab]
        d1 += xsq
        np.maximum(d1, 0, out=d1)
        labels[:] = lab

    def sq_dists_block(self, Xb, out):
        """All squared distances of rows ``Xb`` as an ``(m, n_clusters)`` array."""
        D, xsq = self._block(Xb)
        if self.small:
            np.add(D.T, xsq[:, None], out=out)
        else:
            np.add(D, xsq[:, None], out=out)
        np.maximum(out, 0, out=out)

    # -- whole arrays, chunk by chunk --------------------------------------------------
    def nearest3(self, X):
        """:meth:`nearest3_block` over all rows of X, chunk by chunk."""
        n = X.shape[0]
        lab1 = np.empty(n, dtype=np.intp)
        lab2 = np.empty(n, dtype=np.intp)
        d1 = np.empty(n, dtype=self.dtype)
        d2 = np.empty(n, dtype=self.dtype)
        d3 = np.empty(n, dtype=self.dtype)
        for s in range(0, n, self.chunk):
            e = min(s + self.chunk, n)
            self.nearest3_block(X[s:e], lab1[s:e], lab2[s:e], d1[s:e], d2[s:e], d3[s:e])
        return lab1, lab2, d1, d2, d3

    def nearest(self, X):
        """Labels (intp) and squared distances to the nearest center for all rows."""
        n = X.shape[0]
        labels = np.empty(n, dtype=np.intp)
        d1 = np.empty(n, dtype=self.dtype)
        for s in range(0, n, self.chunk):
            e = min(s + self.chunk, n)
            self.nearest_block(X[s:e], labels[s:e], d1[s:e])
        return labels, d1


# ---------------------------------------------------------------- exact (reported) values
# The identity's rounding error is at most about ``(d + 4) eps (||x||^2 + ||c||^2)`` (in
# coordinates shifted by the centers' mean). That is harmless for choosing a label among
# well-separated distances, but a distance that is small next to ``||x||^2`` (tight
# clusters far from each other or from the centers' mean) loses its digits: two float32
# blobs at -1000 and +1000 with spread 0.01 got a score of 64 for an exact 0.24. So the
# values kmeanslab reports are computed in float64, and every one that the identity
# may have rounded by more than 2**-24 of itself is recomputed from differences; a label
# whose two nearest distances are within the error bound is decided the same way.
_REFINE = 2.0**24


def _tau(d: int) -> float:
    return (d + 4) * float(np.finfo(np.float64).eps)


def nearest_exact(X, centers):
    """Nearest center of every row and the exact squared distance to it.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    centers : ndarray of shape (n_clusters, n_features)

    Returns
    -------
    labels : ndarray of shape (n_samples,), np.intp
        The nearest center (rows whose two nearest distances the identity cannot tell
        apart are decided by float64 differences; exact ties go to the lower index).
    sq_dist : ndarray of shape (n_samples,), float64
        ``||x - centers[label]||^2`` from float64 differences.
    """
    C = np.ascontiguousarray(centers, dtype=np.float64)
    kern = NearestKernel(C)
    n, d = X.shape
    csq_max = float(kern.csq_vec.max())
    labels = np.empty(n, dtype=np.intp)
    d1 = np.empty(n)
    c = kern.chunk

    def job(kern, s):
        e = min(s + c, n)
        Xb = X[s:e].astype(np.float64, copy=False)
        D, xsq = kern._block(Xb)
        Dr = D if kern.small else D.T  # (k, m) view either way
        a = exact_near_ties(Dr, Dr.argmin(axis=0), lambda i: Xb[i], C, xsq, csq_max)
        labels[s:e] = a
        sq_dist_to_assigned(Xb, C, a, out=d1[s:e])
        return 0

    # natively: chunks over two threads (each its own kernel buffers), one BLAS thread
    kerns = [kern] + [kern.worker() for _ in range(WORKERS - 1 if n >= 4 * c * WORKERS else 0)]
    with one_blas_thread():
        map_chunks(job, kerns, range(0, n, c))
    return labels, d1


def sq_dists_exact(X, centers):
    """All squared distances ``(n_samples, n_clusters)``, float64, each to 2**-24 of
    itself or better (see the comment above :func:`nearest_exact`)."""
    C = np.ascontiguousarray(centers, dtype=np.float64)
    kern = NearestKernel(C)
    n, d = X.shape
    out = np.empty((n, C.shape[0]))
    scale = _REFINE * _tau(d)
    for s in range(0, n, kern.chunk):
        e = min(s + kern.chunk, n)
        Xb = X[s:e].astype(np.float64, copy=False)
        D, xsq = kern._block(Xb)
        o = out[s:e]
        np.add(D.T if kern.small else D, xsq[:, None], out=o)
        r, c = np.nonzero(o <= scale * (xsq[:, None] + kern.csq_vec))
        if r.size:
            diff = Xb[r] - C[c]
            o[r, c] = np.einsum("ij,ij->i", diff, diff)
        np.maximum(o, 0, out=o)
    return out


def sq_dist_to_assigned(X, centers, labels, out=None, chunk=1 << 15):
    """Exact squared distance of each row of ``X`` to ``centers[labels]`` (differences)."""
    n, d = X.shape
    chunk = pass_rows(d, chunk)
    if out is None:
        out = np.empty(n, dtype=X.dtype)
    for s in range(0, n, chunk):
        e = min(s + chunk, n)
        diff = X[s:e] - centers[labels[s:e]]
        if d <= SMALL_D:
            o = out[s:e]
            np.multiply(diff[:, 0], diff[:, 0], out=o)
            for j in range(1, d):
                o += diff[:, j] * diff[:, j]
        else:
            out[s:e] = np.einsum("ij,ij->i", diff, diff)
    return out


def inertia_exact(X, centers, labels, sample_weight, chunk=1 << 15) -> float:
    """Weighted sum of squared distances to the assigned centers, accumulated in float64."""
    n, d = X.shape
    chunk = pass_rows(d, chunk)
    # float32 data: differences and squares in float64 too (float32 squares put the
    # sum ~2e-9 relative off the exact value, the small path's and lloyd_steps'); float32
    # rows minus float64 centers are float64 differences, without a float64 copy of X
    centers = np.asarray(centers, dtype=np.float64)
    if X.dtype != np.float64 and d > SMALL_D:  # (the same bytes per (chunk, d) temporary)
        chunk = max(1, chunk * X.dtype.itemsize // 8)
    cols = [np.ascontiguousarray(centers[:, j]) for j in range(d)] if d <= SMALL_D else None

    def part(s):
        e = min(s + chunk, n)
        if cols is not None:  # column by column: long contiguous passes
            lab = labels[s:e]
            acc = None
            for j in range(d):
                t = X[s:e, j] - cols[j][lab]
                np.multiply(t, t, out=t)
                if acc is None:
                    acc = t
                else:
                    acc += t
        else:
            acc = sq_dist_to_assigned(X[s:e], centers, labels[s:e], np.empty(e - s), chunk)
        # einsum, not np.dot: OpenBLAS threads dot products above 10,000 elements, and
        # on a loaded 2-core machine its spinning threads took 7.5 ms for 32,768 (12 us)
        return float(np.einsum("i,i->", acc.astype(np.float64, copy=False), sample_weight[s:e]))

    # the chunks over threads natively, added in row order (the same sum every time)
    return float(sum(map_ordered(part, range(0, n, chunk)), 0.0))


def sq_dists_to_rows(X, P, chunk=1 << 15, out=None):
    """Squared distances ``(len(P), n_samples)`` from the few points ``P`` to all rows of X."""
    n, d = X.shape
    chunk = pass_rows(d, chunk)
    p = P.shape[0]
    if out is None:
        out = np.empty((p, n), dtype=np.float64)
    for s in range(0, n, chunk):
        e = min(s + chunk, n)
        o = out[:, s:e]
        if d <= SMALL_D:
            Xb = X[s:e]
            np.subtract(Xb[:, 0], P[:, 0:1], out=o)
            np.multiply(o, o, out=o)
            for j in range(1, d):
                t = Xb[:, j] - P[:, j : j + 1]
                t *= t
                o += t
        else:
            offset = P.mean(axis=0)
            Xs = X[s:e] - offset
            Ps = P - offset
            np.matmul(Ps, Xs.T, out=o)
            o *= -2.0
            o += np.einsum("ij,ij->i", Xs, Xs)
            o += np.einsum("ij,ij->i", Ps, Ps)[:, None]
            np.maximum(o, 0, out=o)
    return out
