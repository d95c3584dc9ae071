"""k-means on scipy.sparse input (CSR/CSC), natively where SciPy is installed.

Text clustering (TF-IDF rows: thousands of columns, 1% or fewer non-zeros) is a main use
of k-means, and densifying such data costs ``n_samples * n_features`` values. Here the
data stays sparse: every pass over it is a sparse-by-dense product (``X @ C.T`` for the
distances, ``X.T @ onehot`` for the cluster sums), which costs ``nnz * n_clusters``, in
row blocks of at most ``_BLOCK`` values of the dense ``(rows, n_clusters)`` results, so
memory stays bounded. The loop is scikit-learn's ``lloyd`` for sparse data (same E and M
steps, empty-cluster relocation, convergence rule and final E step), so from the same
initial centers it gives scikit-learn's labels and inertia. Rows whose distance the
``||x||^2 - 2 x.c + ||c||^2`` identity may have rounded (a distance small next to the
norms) are densified one by one and measured by differences.

SciPy is never imported here: a sparse matrix can only exist if its caller imported
SciPy, so :func:`is_sparse` looks for ``scipy.sparse`` among the loaded modules. In the
page SciPy is not loaded, so sparse input cannot occur there.
"""

from __future__ import annotations

import sys

import numpy as np

_BLOCK = 1 << 20  # values of one dense (rows, n_clusters) block
_REFINE = 2.0**24  # as kmeanslab.utils._distances


def is_sparse(X) -> bool:
    """True if X is a scipy.sparse matrix or array (without importing SciPy)."""
    sp = sys.modules.get("scipy.sparse")
    return sp is not None and bool(sp.issparse(X))


def check_sparse(X, name: str = "X"):
    """X as a CSR matrix of float64 (float32 kept), canonical, finite and non-empty.

    Raises
    ------
    ValueError
        If X is empty, complex, or holds NaN or infinity (messages as for dense input).
    """
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-dimensional array for {name}, got shape {X.shape}.")
    if X.dtype.kind == "c":
        raise ValueError(f"Complex data not supported in {name}.")
    X = X.tocsr(copy=True)
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    n, d = X.shape
    if n < 1:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required."
        )
    if d < 1:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is required."
        )
    if not np.isfinite(X.data).all():
        raise ValueError(f"Input {name} contains NaN or infinity.")
    X.sum_duplicates()
    return X


def row_sq_norms(X) -> np.ndarray:
    """Squared norm of every row (float64)."""
    Xc = X.tocsr()
    sq = np.asarray(Xc.data, dtype=np.float64) ** 2
    rows = np.repeat(np.arange(Xc.shape[0]), np.diff(Xc.indptr))
    return np.bincount(rows, weights=sq, minlength=Xc.shape[0])


def mean_variance(X) -> float:
    """Mean per-feature variance (as scikit-learn's ``mean_variance_axis``), exact for
    the zeros too: each column's sum of squared deviations over its non-zeros plus its
    zeros' share, ``(n - nnz_j) * mean_j**2``."""
    n, d = X.shape
    data = np.asarray(X.data, dtype=np.float64)
    idx = X.indices
    mean = np.bincount(idx, weights=data, minlength=d) / n
    dev = data - mean[idx]
    nnz = np.bincount(idx, minlength=d)
    ssq = np.bincount(idx, weights=dev * dev, minlength=d) + (n - nnz) * mean**2
    return float(np.mean(ssq / n))


def dense_rows(X, idx) -> np.ndarray:
    """Rows ``idx`` of X as a dense float64 array."""
    return np.asarray(X[np.asarray(idx, dtype=np.intp)].toarray(), dtype=np.float64)


def row_blocks(X, n_cols: int):
    """``(start, stop)`` row ranges whose dense ``(rows, n_cols)`` blocks stay small."""
    n = X.shape[0]
    step = max(1, _BLOCK // max(n_cols, 1))
    for s in range(0, n, step):
        yield s, min(s + step, n)


def sq_dists_to_rows(X, xsq, P) -> np.ndarray:
    """Squared distances ``(len(P), n_samples)`` from dense points P to all rows."""
    P = np.asarray(P, dtype=np.float64)
    out = np.asarray((X @ P.T).T, dtype=np.float64)
    out *= -2.0
    out += xsq
    out += np.einsum("ij,ij->i", P, P)[:, None]
    np.maximum(out, 0, out=out)
    return out


def nearest(X, xsq, C, refine: bool = True):
    """Nearest center of every row and its squared distance (float64).

    Distances by the identity, as scikit-learn computes them for sparse data; with
    ``refine``, a distance the identity may have rounded by more than ``2**-24`` of
    itself is recomputed from the densified row.
    """
    n = X.shape[0]
    C = np.asarray(C, dtype=np.float64)
    k, d = C.shape
    csq = np.einsum("ij,ij->i", C, C)
    labels = np.empty(n, dtype=np.intp)
    d1 = np.empty(n)
    for s, e in row_blocks(X, k):
        D = np.asarray(X[s:e] @ C.T, dtype=np.float64)
        D *= -2.0
        D += csq
        a = D.argmin(axis=1)
        labels[s:e] = a
        d1[s:e] = D[np.arange(e - s), a] + xsq[s:e]
    if refine:
        tau = _REFINE * (d + 4) * float(np.finfo(np.float64).eps)
        rows = np.flatnonzero(d1 <= tau * (xsq + csq[labels]))
        for s in range(0, rows.size, max(1, _BLOCK // d)):
            r = rows[s : s + max(1, _BLOCK // d)]
            diff = dense_rows(X, r) - C[labels[r]]
            d1[r] = np.einsum("ij,ij->i", diff, diff)
    np.maximum(d1, 0, out=d1)
    return labels, d1


def sq_dists(X, xsq, C) -> np.ndarray:
    """All squared distances ``(n_samples, n_clusters)`` (float64), small ones refined
    from the densified rows as in :func:`nearest`."""
    C = np.asarray(C, dtype=np.float64)
    k, d = C.shape
    csq = np.einsum("ij,ij->i", C, C)
    out = np.empty((X.shape[0], k))
    tau = _REFINE * (d + 4) * float(np.finfo(np.float64).eps)
    for s, e in row_blocks(X, k):
        o = out[s:e]
        o[:] = np.asarray(X[s:e] @ C.T, dtype=np.float64)
        o *= -2.0
        o += csq
        o += xsq[s:e, None]
        r, c = np.nonzero(o <= tau * (xsq[s:e, None] + csq))
        if r.size:
            diff = dense_rows(X[s:e], r) - C[c]
            o[r, c] = np.einsum("ij,ij->i", diff, diff)
    np.maximum(out, 0, out=out)
    return out


def _cluster_sums(X, w, labels, k):
    """Per-cluster weighted sums ``(k, n_features)`` and weights."""
    S = np.zeros((k, X.shape[1]))
    for s, e in row_blocks(X, k):
        onehot = np.zeros((e - s, k))
        onehot[np.arange(e - s), labels[s:e]] = w[s:e]
        S += np.asarray(X[s:e].T @ onehot).T
    return S, np.bincount(labels, weights=w, minlength=k)


def _relocate_empty(X, w, labels, d1, S, W):
    """scikit-learn's ``_relocate_empty_clusters_sparse``: each empty cluster takes the
    point farthest from its center (labels are left to the next E step)."""
    empty = np.flatnonzero(W == 0)
    if empty.size == 0:
        return
    far = np.argpartition(d1, -empty.size)[: -empty.size - 1 : -1]
    for new_id, idx in zip(empty, far, strict=True):
        row = X[int(idx)]
        cols, vals = row.indices, np.asarray(row.data, dtype=np.float64) * w[idx]
        old_id = labels[idx]
        S[old_id, cols] -= vals
        S[new_id, cols] = vals
        W[new_id] = w[idx]
        W[old_id] -= w[idx]


def lloyd_sparse(X, sample_weight, centers_init, max_iter, tol):
    """One Lloyd run on CSR data: scikit-learn's ``_kmeans_single_lloyd`` for sparse X.

    Generator yielding ``(iteration, inertia)`` (of the E step's labels with respect to
    the centers they were assigned to); returns ``(labels, inertia, centers, n_iter)``,
    centers in the dtype of X.
    """
    w = np.asarray(sample_weight, dtype=np.float64)
    xsq = row_sq_norms(X)
    C = np.array(centers_init, dtype=np.float64)
    k = C.shape[0]
    labels_old = np.full(X.shape[0], -1, dtype=np.intp)
    strict = False
    it = 0
    for it in range(max_iter):
        labels, d1 = nearest(X, xsq, C, refine=False)
        S, W = _cluster_sums(X, w, labels, k)
        _relocate_empty(X, w, labels, d1, S, W)
        new = C.copy()
        ok = W > 0
        new[ok] = S[ok] / W[ok, None]
        shift = float(np.sum((new - C) ** 2))
        yield it, float(np.einsum("i,i->", d1, w))
        C = new
        if np.array_equal(labels, labels_old):
            strict = True
            break
        if shift <= tol:
            break
        labels_old = labels
    if not strict:
        labels, _ = nearest(X, xsq, C, refine=False)
    centers = C.astype(X.dtype)
    _, d1 = nearest_to_assigned(X, xsq, centers, labels)
    return labels, float(np.einsum("i,i->", d1, w)), centers, it + 1


def nearest_to_assigned(X, xsq, C, labels):
    """Squared distance of every row to ``C[labels]`` (float64, refined as in
    :func:`nearest`); returns ``(labels, sq_dist)``."""
    C = np.asarray(C, dtype=np.float64)
    d = C.shape[1]
    csq = np.einsum("ij,ij->i", C, C)
    rows_of = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    # x . c_label over the non-zeros only: O(nnz) memory
    vals = np.asarray(X.data, dtype=np.float64) * C[labels[rows_of], X.indices]
    cross = np.bincount(rows_of, weights=vals, minlength=X.shape[0])
    d1 = xsq - 2.0 * cross + csq[labels]
    tau = _REFINE * (d + 4) * float(np.finfo(np.float64).eps)
    rows = np.flatnonzero(d1 <= tau * (xsq + csq[labels]))
    step = max(1, _BLOCK // d)
    for s in range(0, rows.size, step):
        r = rows[s : s + step]
        diff = dense_rows(X, r) - C[labels[r]]
        d1[r] = np.einsum("ij,ij->i", diff, diff)
    np.maximum(d1, 0, out=d1)
    return labels, d1
