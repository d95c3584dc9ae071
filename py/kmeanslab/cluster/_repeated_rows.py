"""Repeated rows folded into one weighted row (an image's 8-bit colours, integer data).

KMeans fits the distinct rows with summed weights and maps the labels back: the same
result as on the rows themselves, since a cluster's sums and every distance are the same
(scikit-learn has no equivalent; it fits every row). Rows are grouped by a 64-bit hash,
and every merge is checked exactly, so unequal rows are never merged.
"""

from __future__ import annotations

import numpy as np

from ..utils._distances import SMALL_D, pass_rows
from ._k_means_common import _CHUNK
from ._relocation import Copies

_HASH_MUL = np.uint64(0x9E3779B97F4A7C15)


def _row_keys(X):
    """A 64-bit hash of every row's bit pattern (equal rows, equal keys).

    Multiply-xor over the columns, in place: the product carries every bit of its factor
    into the high bits (which `_group_rows` keeps), and the shift folds them back down
    before the next column so that no column's bits are lost off the top.
    """
    U = X.view(np.uint64 if X.dtype.itemsize == 8 else np.uint32)
    key = U[:, 0] * _HASH_MUL if U.dtype == np.uint64 else U[:, 0].astype(np.uint64) * _HASH_MUL
    tmp = np.empty_like(key)
    for j in range(1, X.shape[1]):
        np.right_shift(key, np.uint64(29), out=tmp)
        key ^= tmp
        key ^= U[:, j]  # (uint32 columns: cast on the fly)
        key *= _HASH_MUL
    return key


def _group_rows(key, packed):
    """Rows sorted by key: ``(order, start)`` with ``start[i]`` true where the i-th row in
    ``order`` has another key than the one before it.

    ``packed``: the key's high bits and the row index in one word, sorted by a plain sort
    (SIMD natively, no indirection in Pyodide: 2-3x an argsort's speed); the bits given up
    make collisions likelier, which the caller's check catches (then unpacked again).
    """
    n = key.size
    if packed:
        b = np.uint64(max((n - 1).bit_length(), 1))
        s = key >> b
        s <<= b
        s |= np.arange(n, dtype=np.uint64)
        s.sort()
        order = (s & np.uint64((1 << int(b)) - 1)).astype(np.intp)
        s >>= b
    else:
        order = np.argsort(key)
        s = key[order]
    start = np.empty(n, dtype=bool)
    start[0] = True
    np.not_equal(s[1:], s[:-1], out=start[1:])
    return order, start


def _deduplicate(X, w, n_clusters):
    """Collapse repeated rows (common in images: 8-bit colors) into weighted ones.

    Weighted k-means on the distinct rows is exactly k-means on the original data, and
    costs proportionally less. Returns ``(X_unique, w_unique, inverse, copies)`` with
    ``X_unique[inverse] == X`` and ``copies`` (:class:`._relocation.Copies`) the rows each
    distinct row stands for (an empty cluster's relocation takes one of them, as
    scikit-learn's takes one point), or None when there are too few repeats to pay off (a
    sample of rows decides before any sorting of the whole data). ``w`` may be None
    (unit weights).
    """
    n = X.shape[0]
    if n < 16384:
        return None
    sample = np.sort(_row_keys(X[:: n // 4096]))  # (np.unique: ~15x slower in NumPy 2.4)
    if np.count_nonzero(sample[1:] != sample[:-1]) + 1 > 0.95 * sample.size:
        return None
    key = _row_keys(X)
    for packed in (True, False):
        order, start = _group_rows(key, packed)
        n_unique = int(np.count_nonzero(start))
        if n_unique > 0.9 * n:  # (collisions only merge: this many is no fewer)
            return None
        if n_unique < n_clusters:  # (perhaps collisions of the packed bits)
            continue
        rank = np.cumsum(start, dtype=np.intp)
        rank -= 1
        inverse = np.empty(n, dtype=np.intp)
        inverse[order] = rank
        del rank
        # each distinct row's first copy (the lowest index of its group: the packed sort
        # orders a group by index, the plain one need not)
        first = np.minimum.reduceat(order, np.flatnonzero(start)) if not packed else order[start]
        del order, start
        X_unique = np.take(X, first, axis=0)
        if _same_rows(X, X_unique, inverse):
            if w is None:
                counts = np.bincount(inverse, minlength=n_unique)
                w_unique, unit = counts.astype(X.dtype), np.ones(n_unique)
            else:
                w_unique = np.bincount(inverse, weights=w, minlength=n_unique).astype(X.dtype)
                w64 = np.asarray(w, dtype=np.float64)
                counts, unit, first = _positive_copies(inverse, w64, n_unique, first)
                return X_unique, w_unique, inverse, Copies(counts, unit, first, inverse, w64)
            return X_unique, w_unique, inverse, Copies(counts, unit, first, inverse)
    return None  # rows that differ share a full 64-bit key


def _positive_copies(inverse, w, n_unique, first_copy):
    """Per distinct row: how many of its copies have a positive weight (a relocation
    never takes a zero-weight point), the weight of the first such copy (0: none) and its
    original index (``first_copy``, the row's first copy, where none)."""
    pos = np.flatnonzero(w > 0)
    counts = np.bincount(inverse[pos], minlength=n_unique)
    first = np.full(n_unique, np.iinfo(np.intp).max, dtype=np.intp)
    np.minimum.at(first, inverse[pos], pos)  # (each row's first positive copy)
    first[first == np.iinfo(np.intp).max] = -1
    unit = np.zeros(n_unique)
    has = first >= 0
    unit[has] = w[first[has]]
    first[~has] = first_copy[~has]
    return counts, unit, first


def _same_rows(X, X_unique, inverse):
    """Whether ``X_unique[inverse] == X`` exactly (equal keys must mean equal rows)."""
    n = X.shape[0]
    # narrow data column by column, which in Pyodide is several times faster than
    # gathering whole rows
    if X.shape[1] <= SMALL_D:
        step = 1 << 18
        for j in range(X.shape[1]):
            col = np.ascontiguousarray(X_unique[:, j])
            for s in range(0, n, step):
                if not np.array_equal(col[inverse[s : s + step]], X[s : s + step, j]):
                    return False
        return True
    step = pass_rows(X.shape[1], _CHUNK)
    for s in range(0, n, step):
        if not np.array_equal(np.take(X_unique, inverse[s : s + step], axis=0), X[s : s + step]):
            return False
    return True
