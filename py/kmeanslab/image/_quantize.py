"""Color quantization: reduce an RGB(A) image to a palette of ``n_colors`` colors.

The image's colors are first binned into a weighted histogram (6 bits per channel,
:mod:`kmeanslab._histogram`); k-means runs on the occupied bins, with their pixel
counts as weights, first on a coarser 5-bit grid and then on the 6-bit one; every
pixel is finally mapped through a per-bin lookup table. The cost is almost
independent of the image's size, and the squared error stays within a fraction of a
percent of k-means fitted on all pixels. Images with few distinct colors are
clustered exactly, one bin per color. Images with transparency (an alpha channel
below 255 somewhere) are quantized in premultiplied RGBA instead, with a palette entry
reserved for the fully transparent pixels (:mod:`._alpha`); opaque images, with or
without an alpha channel, take the RGB path.

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

from . import _pyramid
from ._alpha import quantize_rgba
from ._dither import floyd_steinberg_steps, ordered_steps
from ._histogram import MAX_PIXELS, color_histogram_steps
from ._measures import (
    _check_image,
    _pixel_sse,
    _psnr_of,
    count_colors,
    has_alpha_steps,
    mse,
    psnr,
)
from ._steps import Steps, drain, spans

__all__ = [
    "MAX_PIXELS",
    "METHODS",
    "DITHERS",
    "QuantizedImage",
    "quantize",
    "quantize_image",
    "quantize_image_steps",
    "mse",
    "psnr",
    "count_colors",
]

METHODS = ("kmeans", "minibatch")
DITHERS = ("none", "ordered", "floyd-steinberg")
DIFFUSION_MAX_PIXELS = 16_000_000  # error diffusion keeps a float32 copy of the image


@dataclass
class QuantizedImage:
    """Everything :func:`quantize_image` learned about one image.

    Attributes
    ----------
    palette : ndarray of shape (n_palette, 3) or (n_palette, 4), uint8
        Colors, most used first; straight (not premultiplied) RGBA, with 4 columns,
        when the image has transparency. ``n_palette`` is ``n_colors`` unless the
        image has fewer distinct colors.
    labels : ndarray of shape (H, W), uint8
        Palette index of every pixel.
    counts : ndarray of shape (n_palette,), int64
        Pixels drawn with each palette color.
    mse, psnr : float
        Mean squared error per channel value (0-255 scale) and peak signal-to-noise
        ratio in dB, of the quantized image against the original: over R, G, B, or
        over premultiplied RGBA for an image with transparency (:mod:`._measures`).
    n_colors_in : int
        Distinct colors of the original image (every fully transparent pixel counted
        as one color).
    n_iter : int
        Iterations of the best run.
    n_bins : int
        Histogram bins the clustering ran on.
    swap : dict or None
        With ``random_swap``: ``mse_kmeans`` (the k-means palette's error, without
        dithering), ``mse`` (after the swaps; the lower of the two is kept), ``tried``
        and ``accepted`` swaps, ``seconds`` spent swapping. None otherwise.
    """

    palette: np.ndarray
    labels: np.ndarray
    counts: np.ndarray
    mse: float
    psnr: float
    n_colors_in: int
    n_iter: int
    n_bins: int
    swap: dict | None = None

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
        RGB or RGBA image. When some alpha is below 255, the image is quantized in
        premultiplied RGBA and the palette has an alpha column; fully transparent
        pixels all map to one entry ``(0, 0, 0, 0)`` (for ``n_colors`` >= 2).
        Otherwise alpha is ignored.
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
    palette : ndarray of shape (n_palette, 3) or (n_palette, 4), uint8
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
    random_swap: bool = False,
) -> QuantizedImage:
    """Like :func:`quantize`, returning a :class:`QuantizedImage` with the measures too.

    ``random_swap=True`` refines the k-means palette by random swap (Fränti 2018,
    :class:`kmeanslab.cluster.RandomSwapKMeans`) and keeps it if its error is lower;
    ``QuantizedImage.swap`` then compares the two. Warns (``UserWarning``) when the
    image has fewer distinct colors than ``n_colors``; all of them are then used, and
    the error is 0. Raises ``ValueError`` naming the parameter for an invalid one.
    """
    return drain(quantize_image_steps(image, n_colors, method=method, dither=dither,
                                      n_init=n_init, max_iter=max_iter, tol=tol,
                                      random_state=random_state, random_swap=random_swap))


def quantize_image_steps(
    image: Any,
    n_colors: int = 16,
    *,
    method: str = "kmeans",
    dither: str = "none",
    n_init: int = 1,
    max_iter: int = 300,
    tol: float = 1e-4,
    random_state: int | np.random.Generator | None = None,
    random_swap: bool = False,
) -> Steps[QuantizedImage]:
    """:func:`quantize_image` as a generator of stage names, returning its result.

    Every pass over the pixels is cut into chunks and every k-means loop into its
    iterations (:mod:`._steps`), so a consumer can stop it between two yields (the
    page's Cancel). Parameters are checked when this is called, before the first yield.
    """
    image, params = _check(image, n_colors, method, dither, n_init, max_iter, tol)
    return _quantize_steps(image, params, np.random.default_rng(random_state),
                           bool(random_swap))


def _check(image: Any, n_colors: Any, method: Any, dither: Any, n_init: Any, max_iter: Any,
           tol: Any) -> tuple[np.ndarray, tuple]:
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
    return image, (n_colors, method, dither, n_init, max_iter, tol)


def _quantize_steps(image: np.ndarray, params: tuple, rng: np.random.Generator,
                    swap: bool) -> Steps[QuantizedImage]:
    n_colors, method, dither, n_init, max_iter, tol = params
    if (yield from has_alpha_steps(image)):
        fields = yield from quantize_rgba(image, n_colors, method, dither, n_init, max_iter,
                                          tol, rng, swap)
        _warn_few(fields["n_colors_in"], n_colors, " (all fully transparent pixels as one)")
        return QuantizedImage(psnr=_psnr_of(fields["mse"]), **fields)

    hist = yield from color_histogram_steps(image)
    n_in = int(hist.colors.size)
    _warn_few(n_in, n_colors)
    fit = yield from _pyramid.fit_steps(hist, min(n_colors, n_in), method, n_init, max_iter,
                                        tol, rng, swap)
    palette, color_labels = _palette(fit.centers, fit.labels, hist.counts)
    h, w = image.shape[:2]
    n = hist.n_pixels
    if dither != "none" and palette.shape[0] > 1:
        labels = yield from _DITHER[dither](image, palette)
        flat = labels.reshape(-1)
        err, counts = 0.0, np.zeros(palette.shape[0], dtype=np.int64)
        for start, stop in spans(n):
            part = image.reshape(-1, image.shape[-1])[start:stop]
            err += _pixel_sse(part, palette[flat[start:stop]].astype(np.float64))
            counts += np.bincount(flat[start:stop], minlength=palette.shape[0])
            yield "measuring"
    else:
        labels = (yield from hist.lookup_steps(color_labels.astype(np.uint8))).reshape(h, w)
        err = yield from hist.sse_steps(palette, color_labels)
        counts = np.bincount(color_labels, weights=hist.counts, minlength=palette.shape[0])
    value = err / (3 * n)
    swap_info = None
    if fit.swap is not None:  # errors over all pixels, as mse: per channel value
        swap_info = {"mse_kmeans": fit.swap["sse_kmeans"] / (3 * n),
                     "mse": fit.swap["sse"] / (3 * n),
                     **{key: fit.swap[key] for key in ("tried", "accepted", "seconds")}}
    return QuantizedImage(palette, labels, counts.astype(np.int64), value, _psnr_of(value),
                          n_in, fit.n_iter, fit.n_bins, swap_info)


def _warn_few(n_in: int, n_colors: int, how: str = "") -> None:
    if n_in <= n_colors:
        warnings.warn(
            f"The image has only {n_in} distinct color{'s' * (n_in != 1)}{how}, fewer than "
            f"n_colors={n_colors}; all {n_in} are used.", UserWarning, stacklevel=3)


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


_DITHER = {"ordered": ordered_steps, "floyd-steinberg": floyd_steinberg_steps}


def _check_int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name}={value!r} should be an integer from {low} to {high}.")
    if not low <= value <= high:
        raise ValueError(f"{name}={value} should be from {low} to {high}.")
    return int(value)


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not supported; expected one of {list(choices)}.")
