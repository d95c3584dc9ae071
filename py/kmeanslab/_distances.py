"""Distance kernels: nearest centers in cache-sized chunks on preallocated buffers.

Two formulations, chosen by the number of features ``d``:

* small ``d`` (``d <= SMALL_D``): explicit per-dimension differences laid out as
  ``(n_clusters, chunk)`` blocks, so that every elementwise operation runs along a long
  contiguous axis (Pyodide's NumPy has no BLAS, a matrix product with an inner dimension of
  2 or 3 is slower there than a few elementwise passes, and the differences are exact);
* larger ``d``: the ``||x||^2 - 2 x.c + ||c||^2`` identity with a matrix product in
  ``(chunk, n_clusters)`` blocks, on coordinates shifted by the mean of the centers to
  limit cancellation. ``||x||^2`` does not change the arg-min, so it is only added to the
  one or two distances that are kept.

No function here allocates an ``n_samples x n_clusters`` array for large inputs: the work
is done ``chunk`` rows at a time.
"""

from __future__ import annotations

import numpy as np

SMALL_D = 4
_BLOCK_ELEMENTS = 1 << 16  # elements of one (chunk x n_clusters) block


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
        self.small = d <= SMALL_D
        self.centers = centers
        if self.small:
            self._cols = [np.ascontiguousarray(centers[:, j : j + 1]) for j in range(d)]
            self._D = np.empty((k, self.chunk), dtype=self.dtype)
            self._T = np.empty((k, self.chunk), dtype=self.dtype)
        else:
            self._offset = centers.mean(axis=0)
            shifted = centers - self._offset
            self._cm2 = np.ascontiguousarray(-2.0 * shifted.T)
            self._csq = np.einsum("ij,ij->i", shifted, shifted)
            self._D = np.empty((self.chunk, k), dtype=self.dtype)
            self._X = np.empty((self.chunk, d), dtype=self.dtype)
        self._ar = np.arange(self.chunk, dtype=np.intp)

    # -- one block ---------------------------------------------------------------------
    def _block(self, Xb: np.ndarray):
        """Fill the distance block for rows ``Xb``; return (block, xsq or None)."""
        m = Xb.shape[0]
        if self.small:
            D, T = self._D[:, :m], self._T[:, :m]
            np.subtract(Xb[:, 0], self._cols[0], out=D)
            np.multiply(D, D, out=D)
            for j in range(1, self.d):
                np.subtract(Xb[:, j], self._cols[j], out=T)
                np.multiply(T, T, out=T)
                np.add(D, T, out=D)
            return D, None
        Xs = self._X[:m]
        np.subtract(Xb, self._offset, out=Xs)
        xsq = np.einsum("ij,ij->i", Xs, Xs)
        D = self._D[:m]
        np.matmul(Xs, self._cm2, out=D)
        np.add(D, self._csq, out=D)
        return D, xsq

    def nearest2_block(self, Xb, labels, d1, d2):
        """Nearest center index, its squared distance and the second smallest one."""
        m = Xb.shape[0]
        D, xsq = self._block(Xb)
        ar = self._ar[:m]
        if self.small:
            lab = D.argmin(axis=0)
            d1[:] = D[lab, ar]
            if self.k > 1:
                D[lab, ar] = np.inf
                d2[:] = D.min(axis=0)
            else:
                d2[:] = np.inf
        else:
            lab = D.argmin(axis=1)
            d1[:] = D[ar, lab]
            if self.k > 1:
                D[ar, lab] = np.inf
                d2[:] = D[ar, D.argmin(axis=1)]
            else:
                d2[:] = np.inf
            d1 += xsq
            d2 += xsq
            np.maximum(d1, 0, out=d1)
            np.maximum(d2, 0, out=d2)
        labels[:] = lab

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
            out[:] = D.T
        else:
            np.add(D, xsq[:, None], out=out)
            np.maximum(out, 0, out=out)

    # -- whole arrays, chunk by chunk --------------------------------------------------
    def nearest2(self, X):
        """Labels (intp), squared nearest and second-nearest distances for all rows."""
        n = X.shape[0]
        labels = np.empty(n, dtype=np.intp)
        d1 = np.empty(n, dtype=self.dtype)
        d2 = np.empty(n, dtype=self.dtype)
        for s in range(0, n, self.chunk):
            e = min(s + self.chunk, n)
            self.nearest2_block(X[s:e], labels[s:e], d1[s:e], d2[s:e])
        return labels, d1, d2

    def nearest(self, X):
        """Labels (intp) and squared distances to the nearest center for all rows."""
        n = X.shape[0]
        labels = np.empty(n, dtype=np.intp)
        d1 = np.empty(n, dtype=self.dtype)
        for s in range(0, n, self.chunk):
            e = min(s + self.chunk, n)
            self.nearest_block(X[s:e], labels[s:e], d1[s:e])
        return labels, d1


def sq_dist_to_assigned(X, centers, labels, out=None, chunk=1 << 15):
    """Exact squared distance of each row of ``X`` to ``centers[labels]`` (differences)."""
    n, d = X.shape
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
    total = 0.0
    n = X.shape[0]
    buf = np.empty(min(chunk, n), dtype=X.dtype)
    for s in range(0, n, chunk):
        e = min(s + chunk, n)
        sq = sq_dist_to_assigned(X[s:e], centers, labels[s:e], out=buf[: e - s], chunk=chunk)
        total += float(np.dot(sq.astype(np.float64, copy=False), sample_weight[s:e]))
    return total


def sq_dists_to_rows(X, P, chunk=1 << 15, out=None):
    """Squared distances ``(len(P), n_samples)`` from the few points ``P`` to all rows of X."""
    n, d = X.shape
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
