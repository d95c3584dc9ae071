"""Pairwise Euclidean distances and nearest rows, chunked and float32-safe.

Mirrors :mod:`sklearn.metrics.pairwise` for the Euclidean metric. Distances are
computed in float64 on coordinates shifted by a mean of the rows compared (so data far
from the origin keeps its precision), a block of rows at a time, so memory stays
bounded whatever the number of rows.
"""

from __future__ import annotations

import numpy as np

from ..utils._distances import NearestKernel, sq_dist_to_assigned, sq_dists_to_rows
from ..utils.validation import check_array

__all__ = ["euclidean_distances", "pairwise_distances_argmin", "pairwise_distances_argmin_min"]

_METRICS = ("euclidean", "sqeuclidean")


def _check_pair(X, Y):
    X = check_array(X, name="X")
    Y = X if Y is None else check_array(Y, name="Y")
    if X.shape[1] != Y.shape[1]:
        # scikit-learn's wording, which its users match on
        raise ValueError(
            f"Incompatible dimension for X and Y matrices: X.shape[1] == {X.shape[1]} "
            f"while Y.shape[1] == {Y.shape[1]}"
        )
    return X, Y


def _out_dtype(X, Y):
    return np.float32 if X.dtype == np.float32 and Y.dtype == np.float32 else np.float64


def euclidean_distances(X, Y=None, *, squared: bool = False) -> np.ndarray:
    """Distances between the rows of ``X`` and the rows of ``Y``.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
    Y : array-like of shape (n_samples_Y, n_features), default=None
        ``None`` means ``X``; then the diagonal is exactly 0.
    squared : bool, default=False
        Return squared distances.

    Returns
    -------
    distances : ndarray of shape (n_samples_X, n_samples_Y)
        float32 when both inputs are float32, else float64 (computed in float64).

    Raises
    ------
    ValueError
        If an input is not a finite 2-d numeric array, or the numbers of features differ.

    Source: :func:`sklearn.metrics.pairwise.euclidean_distances`.
    """
    same = Y is None
    X, Y = _check_pair(X, Y)
    out = sq_dists_to_rows(Y.astype(np.float64, copy=False), X.astype(np.float64, copy=False))
    if same:
        np.fill_diagonal(out, 0.0)
    if not squared:
        np.sqrt(out, out=out)
    return out.astype(_out_dtype(X, Y), copy=False)


def pairwise_distances_argmin_min(
    X, Y, *, axis: int = 1, metric: str = "euclidean", metric_kwargs: dict | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``X``, the index of the nearest row of ``Y`` and its distance.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
    Y : array-like of shape (n_samples_Y, n_features)
    axis : {0, 1}, default=1
        1: nearest row of ``Y`` for each row of ``X``; 0: nearest row of ``X`` for each
        row of ``Y``.
    metric : {"euclidean", "sqeuclidean"}, default="euclidean"
    metric_kwargs : None
        Accepted for scikit-learn's signature; the Euclidean metrics take no arguments.

    Returns
    -------
    argmin : ndarray of shape (n_samples_X,) (``axis=1``), dtype np.intp
        Ties go to the lowest index.
    distances : ndarray of the same shape
        The distances to those rows, computed exactly (by differences, in float64);
        float32 when both inputs are float32.

    Raises
    ------
    ValueError
        For a metric other than those above, an ``axis`` other than 0 or 1, or inputs
        that are not finite 2-d numeric arrays with the same number of features.

    Source: :func:`sklearn.metrics.pairwise_distances_argmin_min`.
    """
    if metric not in _METRICS:
        raise ValueError(f"metric={metric!r} is not supported; expected one of {list(_METRICS)}.")
    if metric_kwargs:
        raise ValueError(f"metric_kwargs={metric_kwargs!r}: the Euclidean metrics take none.")
    if axis not in (0, 1):
        raise ValueError(f"axis={axis!r} should be 0 or 1.")
    X, Y = _check_pair(X, Y)
    dtype = _out_dtype(X, Y)
    if axis == 0:
        X, Y = Y, X
    X64 = X.astype(np.float64, copy=False)
    Y64 = Y.astype(np.float64, copy=False)
    labels, _ = NearestKernel(np.ascontiguousarray(Y64)).nearest(X64)
    dist = sq_dist_to_assigned(X64, Y64, labels)
    if metric == "euclidean":
        np.sqrt(dist, out=dist)
    return labels, dist.astype(dtype, copy=False)


def pairwise_distances_argmin(
    X, Y, *, axis: int = 1, metric: str = "euclidean", metric_kwargs: dict | None = None
) -> np.ndarray:
    """For each row of ``X``, the index of the nearest row of ``Y`` (ties: lowest index).

    Parameters and errors as :func:`pairwise_distances_argmin_min`; returns its first
    array, of shape (n_samples_X,) and dtype np.intp.

    Source: :func:`sklearn.metrics.pairwise_distances_argmin`.
    """
    return pairwise_distances_argmin_min(X, Y, axis=axis, metric=metric,
                                         metric_kwargs=metric_kwargs)[0]
