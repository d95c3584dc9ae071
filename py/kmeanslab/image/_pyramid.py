"""The k-means pyramid of colour quantization: seed on a coarse grid, refine on finer ones.

Works on any histogram with ``points`` (n_distinct, d) float64, ``counts``,
``colors`` (one per distinct colour), ``grid(bits)`` -> (means, weights, member) and
``sse(centers, labels)``: :class:`._histogram.ColorHistogram` (RGB) and
:class:`._alpha.AlphaHistogram` (premultiplied RGBA).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from . import _colorkmeans as ck

COARSE_PER_CLUSTER = 4  # grid bins per cluster for a grid to be a pyramid level
COARSE_TOL = 10  # coarse levels stop earlier: the finer ones refine their centers
FINE_PER_CLUSTER = 600  # grid bins per cluster where the pyramid may stop
LEVEL_BUDGET = 1 << 24  # points x clusters (distances a pass) for a level past the first
EXACT_BUDGET = 1 << 22  # distinct colors x clusters for a final exact assignment


class Histogram(Protocol):
    """What :func:`fit` needs of a colour histogram."""

    points: np.ndarray
    counts: np.ndarray
    colors: np.ndarray

    def grid(self, bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...

    def sse(self, palette: np.ndarray, labels: np.ndarray) -> float: ...


def fit(hist: Histogram, k: int, method: str, n_init: int, max_iter: int, tol: float,
        rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Best of ``n_init`` runs: centers, label of each distinct color, iterations, bins.

    k-means++ seeds on the coarsest level of :func:`levels`; Lloyd then runs on each
    level in turn from the previous level's centers. When the finest level is a grid,
    the distinct colors are finally assigned to their nearest centers and the centers
    moved to their means (one exact Lloyd step), if that costs at most
    ``EXACT_BUDGET`` distances.
    """
    X, w = hist.points, hist.counts
    if X.shape[0] <= k:
        return X.copy(), np.arange(X.shape[0], dtype=np.intp), 0, X.shape[0]
    mean = (w @ X) / w.sum()
    tol_abs = tol * float((w @ ((X - mean) ** 2)).sum() / w.sum()) / X.shape[1]
    pyramid = levels(hist, k)
    Xf, wf, member = pyramid[-1]
    exact = member is not None and X.shape[0] * k <= EXACT_BUDGET
    best: tuple[float, np.ndarray, np.ndarray, int] | None = None
    for _ in range(n_init):
        start = ck.kmeans_plusplus(pyramid[0][0], pyramid[0][1], k, rng)
        if method == "minibatch":
            run = ck.minibatch(Xf, wf, start, rng)
        else:
            for Xc, wc, _ in pyramid[:-1]:
                start = ck.lloyd(Xc, wc, start, max_iter, COARSE_TOL * tol_abs).centers
            run = ck.lloyd(Xf, wf, start, max_iter, tol_abs)
        centers, labels = run.centers, run.labels
        if member is not None:
            labels = labels[member]
        if exact:
            labels = ck.nearest(X, centers)
            if method != "minibatch":
                centers = ck.weighted_means(X, w, labels, centers)[0]
        sse = hist.sse(centers, labels) if n_init > 1 else 0.0
        if best is None or sse < best[0]:
            best = (sse, centers, labels, run.n_iter)
    assert best is not None
    return best[1], best[2], best[3], int(Xf.shape[0])


def levels(hist: Histogram, k: int) -> list[tuple[np.ndarray, np.ndarray, Any]]:
    """(points, weights, member) from coarse to fine for the k-means pyramid.

    Grids of 5, 6 and 7 bits per channel, then the distinct colors themselves
    (``member`` None). A grid too small for k-means++ (fewer than
    ``COARSE_PER_CLUSTER`` bins per cluster) is skipped; the pyramid stops at the first
    grid with ``FINE_PER_CLUSTER`` bins per cluster, which is fine enough for the
    squared error to stay within about 1% of clustering every pixel, and the distinct
    colors are used. A level past the first must cost at most ``LEVEL_BUDGET``
    distances a pass.
    """
    n_distinct = hist.colors.size
    out: list[tuple[np.ndarray, np.ndarray, Any]] = []
    hist.grid(6)  # first, so that the 5-bit grid is regrouped from its few bins
    for bits in (5, 6, 7):
        X, w, member = hist.grid(bits)
        if X.shape[0] > 0.7 * n_distinct or (out and X.shape[0] * k > LEVEL_BUDGET):
            break
        if X.shape[0] < COARSE_PER_CLUSTER * k:
            continue
        out.append((X, w, member))
        if X.shape[0] >= FINE_PER_CLUSTER * k:
            return out
    if not out or n_distinct * k <= LEVEL_BUDGET:
        out.append((hist.points, hist.counts, None))
    return out
