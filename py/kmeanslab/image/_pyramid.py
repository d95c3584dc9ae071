"""The k-means pyramid of colour quantization: seed on a coarse grid, refine on finer ones.

Works on any histogram with ``points`` (n_distinct, d) float64, ``counts``,
``colors`` (one per distinct colour), ``grid(bits)`` -> (means, weights, member) and
``sse(centers, labels)``: :class:`._histogram.ColorHistogram` (RGB) and
:class:`._alpha.AlphaHistogram` (premultiplied RGBA).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from . import _colorkmeans as ck
from ._steps import Steps, drain, spans

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

    def points_steps(self) -> Steps[np.ndarray]: ...

    def grid_steps(self, bits: int) -> Steps[tuple[np.ndarray, np.ndarray, np.ndarray]]: ...

    def sse_steps(self, palette: np.ndarray, labels: np.ndarray) -> Steps[float]: ...

    def drawn(self, centers: np.ndarray) -> np.ndarray: ...

    def sse(self, palette: np.ndarray, labels: np.ndarray) -> float: ...


def fit(hist: Histogram, k: int, method: str, n_init: int, max_iter: int, tol: float,
        rng: np.random.Generator, swap: bool = False) -> Fit:
    """Best of ``n_init`` runs: centers, label of each distinct color, iterations, bins.

    k-means++ seeds on the coarsest level of :func:`levels`; Lloyd then runs on each
    level in turn from the previous level's centers. When the finest level is a grid,
    the distinct colors are finally assigned to their nearest centers and the centers
    moved to their means (one exact Lloyd step), if that costs at most
    ``EXACT_BUDGET`` distances. With ``swap``, the best run's centers are then refined
    by random swap (:class:`kmeanslab.cluster.RandomSwapKMeans`, Fränti 2018) on the
    finest level, and finished the same way; ``Fit.swap`` compares the two.
    """
    return drain(fit_steps(hist, k, method, n_init, max_iter, tol, rng, swap))


@dataclass
class Fit:
    """What :func:`fit` found; ``swap`` is None without random swap, else a dict of
    ``sse_kmeans``, ``sse`` (sums of squared errors over all pixels of the palettes as
    drawn, ``hist.drawn``, before and after the swaps), ``tried``, ``accepted`` and
    ``seconds``."""

    centers: np.ndarray
    labels: np.ndarray
    n_iter: int
    n_bins: int
    swap: dict | None = None


def fit_steps(hist: Histogram, k: int, method: str, n_init: int, max_iter: int, tol: float,
              rng: np.random.Generator, swap: bool = False) -> Steps[Fit]:
    """:func:`fit`, yielding within every pass (:mod:`._steps`)."""
    X, w = (yield from hist.points_steps()), hist.counts
    if X.shape[0] <= k:
        return Fit(X.copy(), np.arange(X.shape[0], dtype=np.intp), 0, X.shape[0])
    tol_abs = tol * (yield from _variance_steps(X, w))
    pyramid = yield from levels_steps(hist, k)
    Xf, wf, member = pyramid[-1]
    best: tuple[float, np.ndarray, np.ndarray, int, np.ndarray] | None = None
    for _ in range(n_init):
        start = yield from ck.kmeans_plusplus_steps(pyramid[0][0], pyramid[0][1], k, rng)
        run, coarse = yield from _descend(pyramid, start, method, max_iter, tol_abs, rng)
        centers, labels = yield from _finish(hist, run.centers, run.labels, member, method)
        sse = (yield from hist.sse_steps(hist.drawn(centers), labels)) if n_init > 1 or swap \
            else 0.0
        if best is None or sse < best[0]:
            best = (sse, centers, labels, run.n_iter, coarse)
    assert best is not None
    result = Fit(best[1], best[2], best[3], int(Xf.shape[0]))
    if swap:
        result = yield from _swap(hist, result, best[0], best[4], pyramid, method, max_iter,
                                  tol_abs, rng)
    return result


def _descend(pyramid: list, start: np.ndarray, method: str, max_iter: int, tol_abs: float,
             rng: np.random.Generator) -> Steps[tuple[ck.WeightedFit, np.ndarray]]:
    """k-means down the pyramid from ``start``: the fit on the finest level, and the
    centers k-means found on the coarsest (``start`` itself for mini-batch)."""
    Xf, wf, _ = pyramid[-1]
    if method == "minibatch":
        return (yield from ck.minibatch_steps(Xf, wf, start, rng)), start
    coarse = None
    for Xc, wc, _ in pyramid[:-1]:
        start = (yield from ck.lloyd_steps(Xc, wc, start, max_iter, COARSE_TOL * tol_abs)).centers
        coarse = start if coarse is None else coarse
    run = yield from ck.lloyd_steps(Xf, wf, start, max_iter, tol_abs)
    return run, run.centers if coarse is None else coarse


def _finish(hist: Histogram, centers: np.ndarray, labels: np.ndarray, member: Any,
            method: str) -> Steps[tuple[np.ndarray, np.ndarray]]:
    """Labels of the distinct colors (and centers) from a fit on the finest level."""
    if member is not None:
        labels = labels[member]
        if hist.points.shape[0] * centers.shape[0] <= EXACT_BUDGET:
            labels = yield from ck.nearest_steps(hist.points, centers)
            if method != "minibatch":
                centers = ck.weighted_means(hist.points, hist.counts, labels, centers)[0]
    return centers, labels


def _swap(hist: Histogram, kmeans: Fit, sse_kmeans: float, coarse: np.ndarray, pyramid: list,
          method: str, max_iter: int, tol_abs: float, rng: np.random.Generator) -> Steps[Fit]:
    """Random swap on the coarsest level from k-means' centers there, then k-means down
    the pyramid as before; the palette with the lower error over all pixels is kept.

    Swapping on the coarsest level (a few thousand bins) costs a small part of swapping
    on the finest, whose bins lie close together in colour space so that each swap
    disturbs many of them; the finer levels then polish the swapped centers.
    """
    from ..cluster import RandomSwapKMeans  # not at import: the page's start-up needs no cluster

    began = time.perf_counter()
    Xc, wc, _ = pyramid[0]
    model = RandomSwapKMeans(coarse.shape[0], init=coarse, random_state=int(rng.integers(2**31)))
    record: dict = {}
    for record in model.fit_steps(Xc, sample_weight=wc):  # noqa: B007 (the last is kept)
        yield "random swap"
    rest = pyramid if len(pyramid) > 1 else pyramid[:1]
    run, _ = yield from _descend(rest, record["centers"], method, max_iter, tol_abs, rng)
    centers, labels = yield from _finish(hist, run.centers, run.labels, pyramid[-1][2], method)
    sse = yield from hist.sse_steps(hist.drawn(centers), labels)
    info = {"sse_kmeans": sse_kmeans, "sse": min(sse, sse_kmeans),
            "tried": int(record["swaps_tried"]), "accepted": int(record["swaps_accepted"]),
            "seconds": time.perf_counter() - began}
    if sse >= sse_kmeans:  # the swaps found nothing better: keep k-means' own palette
        return Fit(kmeans.centers, kmeans.labels, kmeans.n_iter, kmeans.n_bins, info)
    return Fit(centers, labels, run.n_iter, kmeans.n_bins, info)


def _variance_steps(X: np.ndarray, w: np.ndarray) -> Steps[float]:
    """Weighted variance of ``X`` per feature, averaged over features, in chunks."""
    total = w.sum()
    mean = np.zeros(X.shape[1])
    for start, stop in spans(X.shape[0]):
        mean += w[start:stop] @ X[start:stop]
        yield "measuring"
    mean /= total
    spread = 0.0
    for start, stop in spans(X.shape[0]):
        spread += float((w[start:stop] @ ((X[start:stop] - mean) ** 2)).sum())
        yield "measuring"
    return spread / total / X.shape[1]


def levels(hist: Histogram, k: int) -> list[tuple[np.ndarray, np.ndarray, Any]]:
    """The levels of the pyramid; see :func:`levels_steps`."""
    return drain(levels_steps(hist, k))


def levels_steps(hist: Histogram, k: int) -> Steps[list[tuple[np.ndarray, np.ndarray, Any]]]:
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
    yield from hist.grid_steps(6)  # first, so that the 5-bit grid is regrouped from its bins
    for bits in (5, 6, 7):
        X, w, member = yield from hist.grid_steps(bits)
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
