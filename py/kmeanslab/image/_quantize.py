"""Color quantization: reduce an RGB image to a palette of ``n_colors`` colors.

The image's colors are first binned into a weighted histogram (6 bits per channel,
:mod:`kmeanslab._histogram`); k-means runs on the occupied bins, with their pixel
counts as weights, first on a coarser 5-bit grid and then on the 6-bit one; every
pixel is finally mapped through a per-bin lookup table. The cost is almost
independent of the image's size, and the squared error stays within a fraction of a
percent of k-means fitted on all pixels. Images with few distinct colors are
clustered exactly, one bin per color.

Examples
--------
>>> import numpy as np
>>> from kmeanslab.image import quantize, psnr
>>> rng = np.random.default_rng(0)
>>> image = rng.integers(0, 256, size=(32, 48, 3), dtype=np.uint8)
>>> palette, labels = quantize(image, 8, random_state=0)
>>> palette.shape, labels.shape, labels.dtype
((8, 3), (32, 48), dtype('uint8'))
>>> psnr(image, palette[labels]) > 15
True
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _colorkmeans as ck
from ._histogram import MAX_PIXELS, ColorHistogram, color_histogram
from ._measures import _check_image, _pixel_sse, _planes, _psnr_of, count_colors, mse, psnr

__all__ = [
    "MAX_PIXELS",
    "METHODS",
    "DITHERS",
    "QuantizedImage",
    "quantize",
    "quantize_image",
    "mse",
    "psnr",
    "count_colors",
]

METHODS = ("kmeans", "minibatch")
DITHERS = ("none", "ordered", "floyd-steinberg")
DIFFUSION_MAX_PIXELS = 16_000_000  # error diffusion keeps a float32 copy of the image
COARSE_PER_CLUSTER = 4  # grid bins per cluster for a grid to be a pyramid level
COARSE_TOL = 10  # coarse levels stop earlier: the finer ones refine their centers
FINE_PER_CLUSTER = 600  # grid bins per cluster where the pyramid may stop
LEVEL_BUDGET = 1 << 24  # points x clusters (distances a pass) for a level past the first
EXACT_BUDGET = 1 << 22  # distinct colors x clusters for a final exact assignment
_BAYER8 = np.array([
    [0, 32, 8, 40, 2, 34, 10, 42], [48, 16, 56, 24, 50, 18, 58, 26],
    [12, 44, 4, 36, 14, 46, 6, 38], [60, 28, 52, 20, 62, 30, 54, 22],
    [3, 35, 11, 43, 1, 33, 9, 41], [51, 19, 59, 27, 49, 17, 57, 25],
    [15, 47, 7, 39, 13, 45, 5, 37], [63, 31, 55, 23, 61, 29, 53, 21],
])


@dataclass
class QuantizedImage:
    """Everything :func:`quantize_image` learned about one image.

    Attributes
    ----------
    palette : ndarray of shape (n_palette, 3), uint8
        Colors, most used first. ``n_palette`` is ``n_colors`` unless the image has
        fewer distinct colors.
    labels : ndarray of shape (H, W), uint8
        Palette index of every pixel.
    counts : ndarray of shape (n_palette,), int64
        Pixels drawn with each palette color.
    mse, psnr : float
        Mean squared error per channel value (0-255 scale) and peak signal-to-noise
        ratio in dB, of the quantized image against the original.
    n_colors_in : int
        Distinct colors of the original image.
    n_iter : int
        Iterations of the best run.
    n_bins : int
        Histogram bins the clustering ran on.
    """

    palette: np.ndarray
    labels: np.ndarray
    counts: np.ndarray
    mse: float
    psnr: float
    n_colors_in: int
    n_iter: int
    n_bins: int

    @property
    def n_colors_out(self) -> int:
        """Palette colors actually used."""
        return int(np.count_nonzero(self.counts))


def quantize(
    image: Any,
    n_colors: int = 16,
    *,
    method: str = "kmeans",
    dither: str = "none",
    n_init: int = 1,
    max_iter: int = 300,
    tol: float = 1e-4,
    random_state: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Reduce ``image`` to ``n_colors`` colors; return the palette and per-pixel indices.

    Parameters
    ----------
    image : array-like of shape (H, W, 3) or (H, W, 4), uint8
        RGB image (alpha, if any, is ignored).
    n_colors : int, default=16
        Palette size, from 1 to 256.
    method : {"kmeans", "minibatch"}, default="kmeans"
        Full weighted Lloyd k-means, or mini-batch k-means (as the chapter uses).
    dither : {"none", "ordered", "floyd-steinberg"}, default="none"
        Ordered (8x8 Bayer) or error-diffusion (Floyd-Steinberg) dithering trades
        noise for smoother gradients. Error diffusion works on images up to 16
        megapixels.
    n_init : int, default=1
        Runs from different k-means++ seeds; the one with least error is kept.
    max_iter : int, default=300
        Maximum Lloyd iterations per run (per grid).
    tol : float, default=1e-4
        Relative tolerance on the center shift, as in scikit-learn's ``KMeans``.
    random_state : int, Generator or None
        Seed of k-means++ and of mini-batch sampling.

    Returns
    -------
    palette : ndarray of shape (n_palette, 3), uint8
    labels : ndarray of shape (H, W), uint8
        ``palette[labels]`` is the quantized image.
    """
    result = quantize_image(image, n_colors, method=method, dither=dither, n_init=n_init,
                            max_iter=max_iter, tol=tol, random_state=random_state)
    return result.palette, result.labels


def quantize_image(
    image: Any,
    n_colors: int = 16,
    *,
    method: str = "kmeans",
    dither: str = "none",
    n_init: int = 1,
    max_iter: int = 300,
    tol: float = 1e-4,
    random_state: int | np.random.Generator | None = None,
) -> QuantizedImage:
    """Like :func:`quantize`, returning a :class:`QuantizedImage` with the measures too.

    Warns (``UserWarning``) when the image has fewer distinct colors than
    ``n_colors``; all of them are then used, and the error is 0.
    """
    image = _check_image(image)
    n_colors = _check_int("n_colors", n_colors, 1, 256)
    n_init = _check_int("n_init", n_init, 1, 100)
    max_iter = _check_int("max_iter", max_iter, 1, 100_000)
    _check_choice("method", method, METHODS)
    _check_choice("dither", dither, DITHERS)
    if not (isinstance(tol, int | float) and tol >= 0):
        raise ValueError(f"tol={tol!r} should be a number >= 0.")
    if dither == "floyd-steinberg" and image.shape[0] * image.shape[1] > DIFFUSION_MAX_PIXELS:
        raise ValueError(f"dither='floyd-steinberg' works on images up to "
                         f"{DIFFUSION_MAX_PIXELS // 1_000_000} megapixels; this one has "
                         f"{image.shape[0] * image.shape[1]:,} pixels. Use dither='ordered'.")
    rng = np.random.default_rng(random_state)

    hist = color_histogram(image)
    n_in = int(hist.colors.size)
    if n_in <= n_colors:
        warnings.warn(
            f"The image has only {n_in} distinct color{'s' * (n_in != 1)}, fewer than "
            f"n_colors={n_colors}; all {n_in} are used.", UserWarning, stacklevel=2)
    centers, color_labels, n_iter, n_bins = _fit(hist, min(n_colors, n_in), method, n_init,
                                                 max_iter, tol, rng)
    palette, color_labels = _palette(centers, color_labels, hist.counts)
    h, w = image.shape[:2]
    if dither != "none" and palette.shape[0] > 1:
        labels = _DITHER[dither](image, palette)
        err = _pixel_sse(image, palette[labels.reshape(-1)].astype(np.float64))
        counts = np.bincount(labels.reshape(-1), minlength=palette.shape[0])
    else:
        labels = hist.lookup(color_labels.astype(np.uint8)).reshape(h, w)
        err = hist.sse(palette, color_labels)
        counts = np.bincount(color_labels, weights=hist.counts, minlength=palette.shape[0])
    value = err / (3 * hist.n_pixels)
    return QuantizedImage(palette, labels, counts.astype(np.int64), value, _psnr_of(value),
                          n_in, n_iter, n_bins)


def _fit(hist: ColorHistogram, k: int, method: str, n_init: int, max_iter: int, tol: float,
         rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Best of ``n_init`` runs: centers, label of each distinct color, iterations, bins.

    k-means++ seeds on the coarsest level of :func:`_levels`; Lloyd then runs on each
    level in turn from the previous level's centers. When the finest level is a grid,
    the distinct colors are finally assigned to their nearest centers and the centers
    moved to their means (one exact Lloyd step), if that costs at most
    ``EXACT_BUDGET`` distances.
    """
    X, w = hist.rgb, hist.counts
    if X.shape[0] <= k:
        return X.copy(), np.arange(X.shape[0], dtype=np.intp), 0, X.shape[0]
    mean = (w @ X) / w.sum()
    tol_abs = tol * float((w @ ((X - mean) ** 2)).sum() / w.sum()) / 3
    levels = _levels(hist, k)
    Xf, wf, member = levels[-1]
    exact = member is not None and X.shape[0] * k <= EXACT_BUDGET
    best: tuple[float, np.ndarray, np.ndarray, int] | None = None
    for _ in range(n_init):
        start = ck.kmeans_plusplus(levels[0][0], levels[0][1], k, rng)
        if method == "minibatch":
            fit = ck.minibatch(Xf, wf, start, rng)
        else:
            for Xc, wc, _ in levels[:-1]:
                start = ck.lloyd(Xc, wc, start, max_iter, COARSE_TOL * tol_abs).centers
            fit = ck.lloyd(Xf, wf, start, max_iter, tol_abs)
        centers, labels = fit.centers, fit.labels
        if member is not None:
            labels = labels[member]
        if exact:
            labels = ck.nearest(X, centers)
            if method != "minibatch":
                centers = ck.weighted_means(X, w, labels, centers)[0]
        sse = hist.sse(centers, labels) if n_init > 1 else 0.0
        if best is None or sse < best[0]:
            best = (sse, centers, labels, fit.n_iter)
    assert best is not None
    return best[1], best[2], best[3], int(Xf.shape[0])


def _levels(hist: ColorHistogram, k: int) -> list[tuple[np.ndarray, np.ndarray, Any]]:
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
    levels: list[tuple[np.ndarray, np.ndarray, Any]] = []
    hist.grid(6)  # first, so that the 5-bit grid is regrouped from its few bins
    for bits in (5, 6, 7):
        X, w, member = hist.grid(bits)
        if X.shape[0] > 0.7 * n_distinct or (levels and X.shape[0] * k > LEVEL_BUDGET):
            break
        if X.shape[0] < COARSE_PER_CLUSTER * k:
            continue
        levels.append((X, w, member))
        if X.shape[0] >= FINE_PER_CLUSTER * k:
            return levels
    if not levels or n_distinct * k <= LEVEL_BUDGET:
        levels.append((hist.rgb, hist.counts, None))
    return levels


def _palette(centers: np.ndarray, bin_labels: np.ndarray,
             counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """uint8 palette ordered by pixel share (most used first), and relabelled bins."""
    k = centers.shape[0]
    share = np.bincount(bin_labels, weights=counts, minlength=k)
    order = np.argsort(-share, kind="stable")
    rank = np.empty(k, dtype=np.intp)
    rank[order] = np.arange(k)
    palette = np.clip(np.rint(centers[order]), 0, 255).astype(np.uint8)
    return palette, rank[bin_labels]


def _ordered(image: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Palette indices with 8x8 Bayer ordered dithering.

    Each pixel is offset by the Bayer threshold times the median distance from a
    palette color to its nearest other one (so dithering mixes neighboring colors
    only), then drawn with the palette color nearest to the offset pixel.
    """
    p = palette.astype(np.float64)
    between = np.sqrt(ck.sq_distances(p, p))
    np.fill_diagonal(between, np.inf)
    spread = float(np.median(between.min(axis=1))) / np.sqrt(3)
    h, w = image.shape[:2]
    pattern = (_BAYER8 + 0.5) / 64 - 0.5
    offset = np.rint(np.tile(pattern, (-(-h // 8), -(-w // 8)))[:h, :w] * spread)
    offset = offset.astype(np.int16).reshape(-1)
    shifted = np.empty((h * w, 3), dtype=np.uint8)
    for c, plane in enumerate(_planes(image)):
        shifted[:, c] = np.clip(plane + offset, 0, 255)
    hist = color_histogram(shifted.reshape(h, w, 3))
    X, _, member = hist.grid(6)
    labels = ck.nearest(X, p).astype(np.uint8)
    return hist.lookup(labels[member]).reshape(h, w)


def _floyd_steinberg(image: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Palette indices with Floyd-Steinberg error diffusion (7/16, 3/16, 5/16, 1/16).

    The scan is sequential in principle; here pixel (y, x) is handled at step
    x + 2y, when all four pixels that pass it error are done, so each step is one
    vectorized batch along an anti-diagonal: w + 2h steps instead of w * h.
    """
    h, w = image.shape[:2]
    p = palette.astype(np.float32)
    pp = (p * p).sum(axis=1)
    buf = np.zeros((h + 1, w + 2, 3), dtype=np.float32)  # padding absorbs edge errors
    buf[:h, 1:w + 1] = image[..., :3]
    labels = np.empty((h, w), dtype=np.uint8)
    weights = [np.float32(v / 16) for v in (7, 3, 5, 1)]
    for t in range(w + 2 * (h - 1)):
        y = np.arange(max(0, (t - w + 2) // 2), min(h - 1, t // 2) + 1)
        x = t - 2 * y + 1
        px = np.clip(buf[y, x], 0, 255)
        d = px @ p.T
        d *= -2
        d += pp
        lab = d.argmin(axis=1)
        err = px - p[lab]
        labels[y, x - 1] = lab
        buf[y, x + 1] += err * weights[0]
        buf[y + 1, x - 1] += err * weights[1]
        buf[y + 1, x] += err * weights[2]
        buf[y + 1, x + 1] += err * weights[3]
    return labels


_DITHER = {"ordered": _ordered, "floyd-steinberg": _floyd_steinberg}


def _check_int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name}={value!r} should be an integer from {low} to {high}.")
    if not low <= value <= high:
        raise ValueError(f"{name}={value} should be from {low} to {high}.")
    return int(value)


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not supported; expected one of {list(choices)}.")
