"""Matching clusters to classes: the Hungarian algorithm and accuracies after matching.

k-means numbers its clusters arbitrarily; to score them against true labels each
cluster must be given a label. Two ways, both here:

* the chapter's: each cluster takes the most common true label among its members
  (several clusters may take the same label, and a label may be taken by none);
* one-to-one: the assignment of clusters to labels that maximizes the number of
  correctly labelled samples, found by :func:`linear_sum_assignment` (the shortest
  augmenting path method of Crouse (2016), as in SciPy, so ties resolve alike).

:mod:`kmeanslab.metrics` has ``match_labels_majority``, ``accuracy_score`` and
``confusion_matrix``; this module adds the assignment and the per-cluster mappings the
Digits panel shows.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def linear_sum_assignment(cost_matrix: Any, maximize: bool = False
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Solve the linear sum assignment problem, as ``scipy.optimize.linear_sum_assignment``.

    Parameters
    ----------
    cost_matrix : array-like of shape (n_rows, n_cols)
        Cost of assigning row i to column j; may be rectangular. ``inf`` forbids a pair.
    maximize : bool, default=False
        Maximize the total instead of minimizing it.

    Returns
    -------
    row_ind, col_ind : ndarray of shape (min(n_rows, n_cols),), dtype intp
        Rows (sorted) and their assigned columns; ``cost_matrix[row_ind, col_ind].sum()``
        is optimal.

    Raises
    ------
    ValueError
        If the matrix is not 2-d, holds NaN or ``-inf``, or has no feasible assignment.
    """
    C = np.asarray(cost_matrix, dtype=np.float64)
    if C.ndim != 2:
        raise ValueError(f"cost_matrix must be 2-d; got shape {C.shape}.")
    if C.size == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    transpose = C.shape[1] < C.shape[0]
    if transpose:
        C = C.T
    if maximize:
        C = -C
    if np.isnan(C).any() or np.isneginf(C).any():
        raise ValueError("cost_matrix contains invalid numeric entries (NaN or -inf).")
    col4row = _solve(np.ascontiguousarray(C))
    if transpose:
        order = np.argsort(col4row, kind="stable").astype(np.intp)
        return col4row[order], order
    return np.arange(C.shape[0], dtype=np.intp), col4row


def _solve(C: np.ndarray) -> np.ndarray:
    """Column of each row for a cost matrix with n_rows <= n_cols (Crouse, 2016)."""
    nr, nc = C.shape
    u = np.zeros(nr)
    v = np.zeros(nc)
    col4row = np.full(nr, -1, dtype=np.intp)
    row4col = np.full(nc, -1, dtype=np.intp)
    path = np.full(nc, -1, dtype=np.intp)
    for cur in range(nr):
        spc = np.full(nc, np.inf)
        SR = np.zeros(nr, dtype=bool)
        SC = np.zeros(nc, dtype=bool)
        remaining = list(range(nc - 1, -1, -1))
        min_val = 0.0
        i = cur
        sink = -1
        while sink == -1:
            SR[i] = True
            rem = np.array(remaining, dtype=np.intp)
            reduced = min_val + C[i, rem] - u[i] - v[rem]
            better = reduced < spc[rem]
            path[rem[better]] = i
            spc[rem[better]] = reduced[better]
            vals = spc[rem]
            lowest = vals.min()
            if lowest == np.inf:
                raise ValueError("cost matrix is infeasible")
            # SciPy's scan keeps the first minimum, then moves to any later minimum
            # whose column is still free.
            ties = np.flatnonzero(vals == lowest)
            free = ties[row4col[rem[ties]] == -1]
            index = int(free[-1]) if free.size else int(ties[0])
            min_val = float(lowest)
            j = int(rem[index])
            if row4col[j] == -1:
                sink = j
            else:
                i = int(row4col[j])
            SC[j] = True
            remaining[index] = remaining[-1]
            remaining.pop()
        u[cur] += min_val
        others = SR.copy()
        others[cur] = False
        rows = np.flatnonzero(others)
        u[rows] += min_val - spc[col4row[rows]]
        v[SC] -= min_val - spc[SC]
        j = sink
        while True:
            i = int(path[j])
            row4col[j] = i
            col4row[i], j = j, int(col4row[i])
            if i == cur:
                break
    return col4row


def _labels(name: str, values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-d; got shape {arr.shape}.")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must hold integers; got dtype {arr.dtype}.")
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must hold integers >= 0; the smallest is {arr.min()}.")
    return arr.astype(np.intp)


def contingency_matrix(labels: Any, y: Any, n_clusters: int | None = None,
                       n_classes: int | None = None) -> np.ndarray:
    """Counts of samples per (cluster, true label): shape (n_clusters, n_classes).

    Sizes default to ``max + 1`` of each labelling; labels must be integers >= 0.
    """
    lab = _labels("labels", labels)
    yy = _labels("y", y)
    if lab.shape != yy.shape:
        raise ValueError(f"labels has {lab.size} values but y has {yy.size}.")
    k = int(n_clusters if n_clusters is not None else (lab.max() + 1 if lab.size else 0))
    c = int(n_classes if n_classes is not None else (yy.max() + 1 if yy.size else 0))
    if lab.size and lab.max() >= k:
        raise ValueError(f"labels has a value {lab.max()} >= n_clusters={k}.")
    if yy.size and yy.max() >= c:
        raise ValueError(f"y has a value {yy.max()} >= n_classes={c}.")
    flat = np.bincount(lab * c + yy, minlength=k * c) if k * c else np.zeros(0, np.intp)
    return flat.reshape(k, c).astype(np.int64)


def majority_mapping(labels: Any, y: Any, n_clusters: int | None = None,
                     n_classes: int | None = None) -> np.ndarray:
    """Label of each cluster by majority vote (ties to the smallest; -1 for empty clusters).

    The chapter's matching: ``labels[mask] = mode(y[mask])[0]``.
    """
    table = contingency_matrix(labels, y, n_clusters, n_classes)
    mapping = table.argmax(axis=1).astype(np.intp)
    mapping[table.sum(axis=1) == 0] = -1
    return mapping


def hungarian_mapping(labels: Any, y: Any, n_clusters: int | None = None,
                      n_classes: int | None = None) -> np.ndarray:
    """Label of each cluster under the best one-to-one assignment (-1 if left unmatched).

    With more clusters than classes some clusters get no label; with fewer, some labels
    are never predicted.
    """
    table = contingency_matrix(labels, y, n_clusters, n_classes)
    rows, cols = linear_sum_assignment(table, maximize=True)
    mapping = np.full(table.shape[0], -1, dtype=np.intp)
    mapping[rows] = cols
    return mapping


def matched_accuracy(labels: Any, y: Any, method: str = "hungarian") -> float:
    """Accuracy of the clusters as a classifier after matching (``majority`` or ``hungarian``)."""
    methods = {"majority": majority_mapping, "hungarian": hungarian_mapping}
    if method not in methods:
        raise ValueError(f"method={method!r} is invalid; expected one of {sorted(methods)}.")
    lab = _labels("labels", labels)
    yy = _labels("y", y)
    if lab.size == 0:
        return 0.0
    mapping = methods[method](lab, yy)
    return float(np.mean(mapping[lab] == yy))
