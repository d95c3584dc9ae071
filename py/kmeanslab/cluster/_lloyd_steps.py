"""Plain Lloyd, step by step: :func:`lloyd_steps`, the teaching generator behind the
Points panel's Step button, and the reference every faster path of :class:`KMeans`
is tested against (same labels, iterations and inertia)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..utils._distances import inertia_exact, nearest_exact
from ..utils.validation import (
    Interval,
    check_array,
    check_sample_weight,
    validate_params,
)
from ._k_means_common import _check_init_array, _column_stats, _Sums, _tolerance


def _lloyd_steps(X, w, C, max_iter, tol):
    """Plain Lloyd, record by record (see :func:`lloyd_steps`)."""
    k = C.shape[0]
    w64 = w.astype(np.float64, copy=False)
    offset = _column_stats(X)[0]
    prev = None
    converged = False
    for it in range(max_iter):
        # exact E steps (near-ties by float64 differences, exact ties to the lower index)
        # as KMeans's: the identity alone broke the exact ties of integer-valued points
        # (a class's hand-typed points, k-means++ centers among them) by its rounding,
        # and Step by step then disagreed with Run from the first assignment
        labels, d1 = nearest_exact(X, C)
        inertia = float(np.dot(d1, w64))
        if prev is not None and np.array_equal(labels, prev):
            # scikit-learn's n_iter_ counts this iteration too, and it runs the M step
            # before it compares: the means of these labels, C again, unless an empty
            # cluster is relocated once more (then those centers, with these labels)
            moved_labels, C_new, shift = _m_step(X, w, labels, C, k, offset)
            if shift > 0:
                inertia = inertia_exact(X, C_new, moved_labels, w64)
                yield {"phase": "update", "iteration": it, "labels": moved_labels,
                       "centers": C_new.copy(), "shift": shift, "inertia": inertia}
                C = C_new
                inertia = inertia_exact(X, C, labels, w64)
            yield {"phase": "assign", "iteration": it, "labels": labels, "centers": C.copy(),
                   "inertia": inertia, "converged": True, "n_iter": it + 1}
            return
        yield {"phase": "assign", "iteration": it, "labels": labels.copy(), "centers": C.copy(),
               "inertia": inertia}
        # (scikit-learn compares the next E step's labels with this E step's: its
        # relocation does not touch them)
        moved_labels, C_new, shift = _m_step(X, w, labels, C, k, offset)
        inertia = inertia_exact(X, C_new, moved_labels, w64)
        yield {"phase": "update", "iteration": it, "labels": moved_labels, "centers": C_new.copy(),
               "shift": shift, "inertia": inertia}
        C = C_new
        prev = labels
        if shift <= tol:
            converged = True
            break
    labels, d1 = nearest_exact(X, C)
    inertia = float(np.dot(d1, w64))
    yield {"phase": "assign", "iteration": it + 1, "labels": labels, "centers": C.copy(),
           "inertia": inertia, "converged": converged, "n_iter": it + 1}


def _m_step(X, w, labels, C, k, offset):
    """The M step of ``labels``: ``(labels with each relocated point in its new cluster,
    the new centers in X's dtype, the total squared shift)``."""
    sums = _Sums(X, w, labels, k, offset)
    moved_labels = labels.copy()
    moved, to, _ = sums.relocate_empty(C, moved_labels)
    new = sums.centers(C.astype(np.float64))
    if moved.size:
        new[to] = X[moved]
    C_new = new.astype(X.dtype)
    return moved_labels, C_new, float(np.sum((C_new.astype(np.float64) - C) ** 2))


def lloyd_steps(
    X, centers, *, sample_weight=None, max_iter: int = 300, tol: float = 1e-4
) -> Iterator[dict]:
    """Run Lloyd's algorithm from ``centers`` and yield its state after every step.

    Made for teaching animations: every E step (assignment) and every M step (center
    update) is a record. Plain, exact and unoptimised, for small and medium data.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    centers : array-like of shape (n_clusters, n_features)
        The initial centers.
    sample_weight : array-like of shape (n_samples,), default=None
    max_iter : int, default=300
        Maximum number of E/M iterations.
    tol : float, default=1e-4
        Stop when the total squared center shift is at most ``tol`` times the mean
        per-feature variance of X (as :class:`KMeans`).

    Yields
    ------
    dict
        After an E step: ``{"phase": "assign", "iteration": i, "labels": intp array,
        "centers": the centers used, "inertia": float}``. After an M step:
        ``{"phase": "update", "iteration": i, "labels": the same labels (a point moved by
        an empty-cluster relocation carries its new cluster), "centers": the new centers,
        "shift": total squared center shift, "inertia": inertia of those labels with
        respect to the new centers}``. The last record is always an ``"assign"`` record
        (labels are the nearest of its centers) and only it has ``"converged"``: True when
        the labels stopped changing or the shift fell within ``tol``, False when
        ``max_iter`` ran out, and ``"n_iter"``: the iterations as :class:`KMeans` and
        scikit-learn count them in ``n_iter_`` (the iteration whose labels did not change
        counts). Inertia never increases from one record to the next, with one exception,
        scikit-learn's: when the labels stop changing while a cluster is empty, the M step
        that scikit-learn runs before it stops relocates a point once more; the last
        record then carries the E step's labels with those centers (the relocated point
        still in its old cluster), as :class:`KMeans` and scikit-learn report them.
    """
    validate_params(
        {
            "max_iter": [Interval("int", 1, None, "left")],
            "tol": [Interval("real", 0, None, "left")],
        },
        {"max_iter": max_iter, "tol": tol},
        "lloyd_steps",
    )
    X = check_array(X)
    C = _check_init_array(centers, X, np.asarray(centers).shape[0] if np.ndim(centers) else 0)
    w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    return _lloyd_steps(X, w, C, max_iter, _tolerance(X, tol))
