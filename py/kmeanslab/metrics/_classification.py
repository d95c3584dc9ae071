"""Clustering metrics in NumPy only (scikit-learn's definitions where they exist)."""

from __future__ import annotations

import numpy as np

from ..utils._distances import inertia_exact
from ..utils.validation import check_array, check_sample_weight

__all__ = [
    "accuracy_score",
    "adjusted_rand_score",
    "confusion_matrix",
    "inertia",
    "match_labels_majority",
]


def _labels_1d(name, values):
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} should be a 1-d array, got an array of shape {arr.shape}.")
    return arr


def _same_length(a_name, a, b_name, b):
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{a_name} and {b_name} have different lengths: {a.shape[0]} != {b.shape[0]}."
        )


def inertia(X, centers, labels, sample_weight=None) -> float:
    """Weighted sum of squared distances of the samples to their assigned centers.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    centers : array-like of shape (n_clusters, n_features)
    labels : array-like of int, shape (n_samples,)
        Index of the center of each sample.
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    float
    """
    X = check_array(X)
    C = check_array(centers, name="centers").astype(X.dtype, copy=False)
    if C.shape[1] != X.shape[1]:
        raise ValueError(
            f"centers has {C.shape[1]} features, but X has {X.shape[1]} features."
        )
    lab = _labels_1d("labels", labels)
    _same_length("X", X, "labels", lab)
    lab = lab.astype(np.intp)
    if lab.size and (lab.min() < 0 or lab.max() >= C.shape[0]):
        raise ValueError(f"labels should be in [0, {C.shape[0]}) = [0, n_clusters).")
    w = check_sample_weight(sample_weight, X.shape[0], np.float64)
    return inertia_exact(X, C, lab, w)


def match_labels_majority(labels, y) -> np.ndarray:
    """Map each cluster to the most common true label among its members.

    As in the chapter: ``mask = clusters == i; labels[mask] = mode(y[mask])``. Ties go to
    the smallest label (as ``scipy.stats.mode``).

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Cluster index of each sample.
    y : array-like of shape (n_samples,)
        True labels.

    Returns
    -------
    ndarray of shape (n_samples,)
        The predicted true label of each sample, dtype of ``y``.
    """
    lab = _labels_1d("labels", labels)
    yy = _labels_1d("y", y)
    _same_length("labels", lab, "y", yy)
    clusters, cl_idx = np.unique(lab, return_inverse=True)
    classes, y_idx = np.unique(yy, return_inverse=True)
    counts = np.zeros((clusters.size, classes.size), dtype=np.int64)
    np.add.at(counts, (cl_idx.astype(np.intp), y_idx.astype(np.intp)), 1)
    best = counts.argmax(axis=1)  # first maximum: the smallest label on ties
    return classes[best][cl_idx]


def accuracy_score(y_true, y_pred) -> float:
    """Fraction of samples whose predicted label equals the true one."""
    a = _labels_1d("y_true", y_true)
    b = _labels_1d("y_pred", y_pred)
    _same_length("y_true", a, "y_pred", b)
    if a.size == 0:
        return 0.0
    return float(np.mean(a == b))


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts of (true, predicted) label pairs: row i is true label i, column j predicted j.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    n_classes : int, default=None
        When given, labels must be integers in ``[0, n_classes)`` and the matrix is
        ``(n_classes, n_classes)`` even if some labels never occur. When None, the classes
        are the sorted union of the labels seen (as scikit-learn's).

    Returns
    -------
    ndarray of shape (n_classes, n_classes), dtype int64
    """
    a = _labels_1d("y_true", y_true)
    b = _labels_1d("y_pred", y_pred)
    _same_length("y_true", a, "y_pred", b)
    if n_classes is None:
        classes = np.union1d(a, b)
        ia = np.searchsorted(classes, a)
        ib = np.searchsorted(classes, b)
        n = classes.size
    else:
        if isinstance(n_classes, bool) or not isinstance(n_classes, int | np.integer) \
                or n_classes < 1:
            raise ValueError(f"n_classes={n_classes!r} should be an int >= 1 or None.")
        n = int(n_classes)
        for name, arr in (("y_true", a), ("y_pred", b)):
            if arr.size and (
                not np.issubdtype(arr.dtype, np.integer) or arr.min() < 0 or arr.max() >= n
            ):
                raise ValueError(
                    f"{name} should hold integers in [0, {n}) = [0, n_classes) when "
                    "n_classes is given."
                )
        ia, ib = a, b
    flat = ia.astype(np.int64) * n + ib.astype(np.int64)
    cells, counts = np.unique(flat, return_counts=True)
    out = np.zeros(n * n, dtype=np.int64)
    out[cells.astype(np.intp)] = counts
    return out.reshape(n, n)


def adjusted_rand_score(labels_true, labels_pred) -> float:
    """Rand index adjusted for chance (1.0 for identical partitions, about 0 for random).

    Same definition and special cases as scikit-learn's, computed from the pair
    confusion matrix with exact integers.
    """
    a = _labels_1d("labels_true", labels_true)
    b = _labels_1d("labels_pred", labels_pred)
    _same_length("labels_true", a, "labels_pred", b)
    n = a.shape[0]
    dense = _small_codes(a, b)
    if dense is not None:
        # (cluster labels and true groups as they are: counted, not sorted three times)
        nij = dense.ravel()
        n_c, n_k = dense.sum(axis=1), dense.sum(axis=0)
    else:
        _, ia = np.unique(a, return_inverse=True)
        kb, ib = np.unique(b, return_inverse=True)
        flat = ia.astype(np.int64) * kb.size + ib.astype(np.int64)
        cells, nij = np.unique(flat, return_counts=True)
        nij = nij.astype(np.int64)
        row = (cells // kb.size).astype(np.intp)
        col = (cells % kb.size).astype(np.intp)
        n_c = np.bincount(row, weights=nij).astype(np.int64)
        n_k = np.bincount(col, weights=nij).astype(np.int64)
    # sum over cells of n_ij * n_k[j] is the sum over columns of n_k[j]**2 (rows alike);
    # zero cells and empty classes add nothing: the same integers either way
    sum_squares = int((nij * nij).sum())
    c11 = sum_squares - n
    c01 = int((n_k * n_k).sum()) - sum_squares
    c10 = int((n_c * n_c).sum()) - sum_squares
    c00 = n * n - c01 - c10 - sum_squares
    tn, fp, fn, tp = c00, c01, c10, c11
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def _small_codes(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """The contingency table of two labelings of small non-negative integers (as the
    page's cluster labels and true groups), int64 of shape (a.max() + 1, b.max() + 1),
    counted directly; None for other labels (or a table much larger than the data)."""
    if not (a.size and a.dtype.kind in "iu" and b.dtype.kind in "iu"):
        return None
    if min(a.min(), b.min()) < 0:
        return None
    ka, kb = int(a.max()) + 1, int(b.max()) + 1
    if ka * kb > 4 * a.size + 4096:
        return None
    flat = a.astype(np.intp) * kb + b.astype(np.intp)
    return np.bincount(flat, minlength=ka * kb).astype(np.int64).reshape(ka, kb)
