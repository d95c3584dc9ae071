"""Weighted k-means for a few ten thousand 3-d points: the bins of a color histogram.

:mod:`kmeanslab._kmeans` is the general estimator. Quantization needs something
narrower and faster: points are bin means weighted by pixel counts, the dimension is
3, and Lloyd runs twice (coarse bins, then fine bins from the coarse centers), so
most points keep their center from one iteration to the next. Hamerly's bounds (one
upper bound to the own center, one lower bound to every other center) skip those
points; only the rest get their distances to all centers recomputed. The results are
those of plain weighted Lloyd, with far fewer distance computations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._steps import Steps, drain

_CHUNK = 1 << 19  # distance matrix elements per chunk (and per yield, :mod:`._steps`)


@dataclass
class WeightedFit:
    """Centers and per-point labels of a weighted k-means run."""

    centers: np.ndarray
    labels: np.ndarray
    n_iter: int


def sq_norms(X: np.ndarray) -> np.ndarray:
    """Squared norm of each row."""
    return (X * X).sum(axis=1)


def _partial(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """(n, k) squared distances minus ||x||^2: -2 x.c + ||c||^2 (same argmin)."""
    d = X @ centers.T
    d *= -2.0
    d += sq_norms(centers)
    return d


def sq_distances(X: np.ndarray, centers: np.ndarray, xx: np.ndarray | None = None) -> np.ndarray:
    """(n, k) squared distances, via ||x||^2 - 2 x.c + ||c||^2 (clipped at 0)."""
    d = _partial(X, centers)
    d += (sq_norms(X) if xx is None else xx)[:, None]
    np.maximum(d, 0.0, out=d)
    return d


def nearest(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of each point's nearest center."""
    return drain(nearest_steps(X, centers))


def nearest_steps(X: np.ndarray, centers: np.ndarray) -> Steps[np.ndarray]:
    """:func:`nearest`, yielding after each chunk of ``_CHUNK`` distances (:mod:`._steps`)."""
    step = max(1, _CHUNK // max(centers.shape[0], 1))
    out = np.empty(X.shape[0], dtype=np.intp)
    for i in range(0, X.shape[0], step):
        out[i:i + step] = _partial(X[i:i + step], centers).argmin(axis=1)
        yield "assigning colors"
    return out


def nearest_two(X: np.ndarray, centers: np.ndarray,
                xx: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Nearest center of each point, its distance, and the distance to the second nearest."""
    return drain(nearest_two_steps(X, centers, xx))


def nearest_two_steps(X: np.ndarray, centers: np.ndarray,
                      xx: np.ndarray | None = None) -> Steps[tuple[np.ndarray, ...]]:
    """:func:`nearest_two`, yielding after each chunk of ``_CHUNK`` distances."""
    n, k = X.shape[0], centers.shape[0]
    xx = sq_norms(X) if xx is None else xx
    labels = np.empty(n, dtype=np.intp)
    d1 = np.empty(n, dtype=np.float64)
    d2 = np.full(n, np.inf, dtype=np.float64)
    step = max(1, _CHUNK // max(k, 1))
    for start in range(0, n, step):
        stop = min(start + step, n)
        d = _partial(X[start:stop], centers)
        a = d.argmin(axis=1)
        rows = np.arange(stop - start)
        labels[start:stop] = a
        d1[start:stop] = d[rows, a]
        if k > 1:
            d[rows, a] = np.inf
            d2[start:stop] = d.min(axis=1)
        yield "assigning colors"
    d1 += xx
    d2 += xx
    return labels, np.sqrt(np.maximum(d1, 0.0)), np.sqrt(np.maximum(d2, 0.0))


def kmeans_plusplus(X: np.ndarray, weights: np.ndarray, n_clusters: int,
                    rng: np.random.Generator) -> np.ndarray:
    """Greedy weighted k-means++ seeding (scikit-learn's, with 2 + log k local trials)."""
    return drain(kmeans_plusplus_steps(X, weights, n_clusters, rng))


def kmeans_plusplus_steps(X: np.ndarray, weights: np.ndarray, n_clusters: int,
                          rng: np.random.Generator) -> Steps[np.ndarray]:
    """:func:`kmeans_plusplus`, yielding after each center (:mod:`._steps`)."""
    n = X.shape[0]
    trials = 2 + int(np.log(n_clusters))
    centers = np.empty((n_clusters, X.shape[1]), dtype=np.float64)
    first = int(np.searchsorted(np.cumsum(weights), rng.random() * weights.sum()))
    centers[0] = X[min(first, n - 1)]
    xx = sq_norms(X)
    closest = sq_distances(X, centers[:1], xx)[:, 0]
    potential = float(closest @ weights)
    for c in range(1, n_clusters):
        cumulative = np.cumsum(weights * closest)
        picks = np.searchsorted(cumulative, rng.random(trials) * cumulative[-1])
        picks = np.minimum(picks, n - 1)
        d = sq_distances(X, X[picks], xx)
        np.minimum(d, closest[:, None], out=d)
        potentials = weights @ d
        best = int(np.argmin(potentials))
        if potentials[best] >= potential and potential > 0:
            best = 0
        closest = d[:, best].copy()
        potential = float(potentials[best])
        centers[c] = X[picks[best]]
        yield "seeding"
    return centers


def weighted_means(X: np.ndarray, weights: np.ndarray, labels: np.ndarray, old: np.ndarray,
                   wX: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean of each cluster (old center where a cluster is empty), and its weight.

    ``wX`` is ``(weights * X.T)``, shape (d, n), when the caller keeps it across steps.
    """
    k = old.shape[0]
    mass = np.bincount(labels, weights=weights, minlength=k)
    centers = old.copy()
    full = mass > 0
    wX = weights * X.T if wX is None else wX
    for j in range(X.shape[1]):
        sums = np.bincount(labels, weights=wX[j], minlength=k)
        centers[full, j] = sums[full] / mass[full]
    return centers, mass


def lloyd(X: np.ndarray, weights: np.ndarray, centers: np.ndarray, max_iter: int = 300,
          tol: float = 0.0) -> WeightedFit:
    """Weighted Lloyd iterations from ``centers`` with Hamerly's bounds.

    Stops when no label changes or when the total squared center shift is at most
    ``tol`` (an absolute value). Empty clusters move to the point farthest from its
    center, as in scikit-learn.
    """
    return drain(lloyd_steps(X, weights, centers, max_iter, tol))


def lloyd_steps(X: np.ndarray, weights: np.ndarray, centers: np.ndarray,
                max_iter: int = 300, tol: float = 0.0) -> Steps[WeightedFit]:
    """:func:`lloyd`, yielding within and after each iteration (:mod:`._steps`)."""
    centers = np.array(centers, dtype=np.float64)
    xx = sq_norms(X)
    wX = weights * X.T
    labels, upper, lower = yield from nearest_two_steps(X, centers, xx)
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 (n_iter is returned)
        new, mass = weighted_means(X, weights, labels, centers, wX)
        empty = np.flatnonzero(mass == 0)
        if empty.size:
            far = np.argsort(upper)[::-1][: empty.size]
            new[empty[: far.size]] = X[far]
        shift = np.sqrt(((new - centers) ** 2).sum(axis=1))
        centers = new
        if empty.size:
            labels, upper, lower = yield from nearest_two_steps(X, centers, xx)
            continue
        upper += shift[labels]
        lower -= shift.max()
        changed = yield from _reassign(X, xx, centers, labels, upper, lower)
        yield "k-means iteration"
        if changed == 0 or float((shift**2).sum()) <= tol:
            break
    return WeightedFit(centers, labels, n_iter)


def _reassign(X: np.ndarray, xx: np.ndarray, centers: np.ndarray, labels: np.ndarray,
              upper: np.ndarray, lower: np.ndarray) -> Steps[int]:
    """Hamerly's E step in place; returns how many labels changed (a generator)."""
    if centers.shape[0] > 1:
        between = np.sqrt(sq_distances(centers, centers))
        np.fill_diagonal(between, np.inf)
        half = between.min(axis=1) / 2
    else:
        half = np.full(1, np.inf)
    bound = np.maximum(lower, half[labels])
    todo = np.flatnonzero(upper > bound)
    if todo.size == 0:
        return 0
    diff = X[todo] - centers[labels[todo]]
    upper[todo] = np.sqrt(sq_norms(diff))
    todo = todo[upper[todo] > bound[todo]]
    if todo.size == 0:
        return 0
    new_labels, d1, d2 = yield from nearest_two_steps(X[todo], centers, xx[todo])
    changed = int(np.count_nonzero(new_labels != labels[todo]))
    labels[todo] = new_labels
    upper[todo] = d1
    lower[todo] = d2
    return changed


def minibatch(X: np.ndarray, weights: np.ndarray, centers: np.ndarray,
              rng: np.random.Generator, batch_size: int = 1024, max_steps: int = 100,
              max_no_improvement: int = 10) -> WeightedFit:
    """Mini-batch k-means (Sculley 2010, scikit-learn's update) on weighted points.

    Batches are drawn with probability proportional to the weights, as drawing
    pixels would; stops after ``max_no_improvement`` batches without a better
    smoothed inertia. Labels are the nearest final centers.
    """
    return drain(minibatch_steps(X, weights, centers, rng, batch_size, max_steps,
                                 max_no_improvement))


def minibatch_steps(X: np.ndarray, weights: np.ndarray, centers: np.ndarray,
                    rng: np.random.Generator, batch_size: int = 1024, max_steps: int = 100,
                    max_no_improvement: int = 10) -> Steps[WeightedFit]:
    """:func:`minibatch`, yielding after each batch (:mod:`._steps`)."""
    centers = np.array(centers, dtype=np.float64)
    k = centers.shape[0]
    seen = np.zeros(k, dtype=np.float64)
    cumulative = np.cumsum(weights)
    best, ewa, stall, step = np.inf, None, 0, 0
    alpha = min(1.0, 2.0 * batch_size / max(cumulative[-1], 1.0))
    for step in range(1, max_steps + 1):  # noqa: B007 (step is returned)
        batch = np.searchsorted(cumulative, rng.random(batch_size) * cumulative[-1])
        batch = np.minimum(batch, X.shape[0] - 1)
        labels, d1, _ = nearest_two(X[batch], centers)
        inertia = float((d1**2).mean())
        counts = np.bincount(labels, minlength=k).astype(np.float64)
        hit = counts > 0
        seen += counts
        for j in range(X.shape[1]):
            sums = np.bincount(labels, weights=X[batch, j], minlength=k)
            centers[hit, j] += (sums[hit] - counts[hit] * centers[hit, j]) / seen[hit]
        yield "mini-batch step"
        ewa = inertia if ewa is None else ewa * (1 - alpha) + inertia * alpha
        if ewa < best:
            best, stall = ewa, 0
        else:
            stall += 1
            if stall >= max_no_improvement:
                break
    labels, _, _ = yield from nearest_two_steps(X, centers)
    return WeightedFit(centers, labels, step)
