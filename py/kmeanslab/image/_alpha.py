"""Colour quantization of images with transparency, in premultiplied RGBA.

An image whose alpha channel is not 255 everywhere is quantized as RGBA: k-means runs on
the *premultiplied* colours ``(r a/255, g a/255, b a/255, a)``, where a pixel's colour
counts in proportion to its opacity. Every fully transparent pixel is the one point
``(0, 0, 0, 0)`` there, whatever its stored RGB, and gets a palette entry of its own
(``(0, 0, 0, 0)``, reserved before k-means runs on the other colours). pngquant
measures colours the same way (its ``f_pixel`` is premultiplied RGBA), and
:func:`._measures.mse` counts the same four premultiplied channels.

Distinct colours are counted without sorting every pixel: opaque pixels go through the
same 2**24-entry table as RGB images, only the partly transparent ones are sorted
(``np.unique``), and the fully transparent ones are one colour.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _pyramid
from ._dither import floyd_steinberg_steps, ordered_rgba_steps
from ._histogram import N_COLORS_24, pack_rgb
from ._measures import premultiply, rgba_sse
from ._steps import Steps, drain, spans

OPAQUE = np.uint32(0xFF000000)


def unpack_rgba(keys: np.ndarray) -> np.ndarray:
    """(n, 4) uint8 straight colours of packed ``r | g << 8 | b << 16 | a << 24`` keys."""
    keys = np.asarray(keys, dtype=np.uint32)
    return np.ascontiguousarray(keys).view(np.uint8).reshape(-1, 4)


def to_palette(points: np.ndarray) -> np.ndarray:
    """uint8 straight RGBA of premultiplied points: alpha rounded, then RGB = c * 255 / a.

    Dividing by the *rounded* alpha makes the entry's premultiplied colour the nearest
    one to the point; an alpha that rounds to 0 gives ``(0, 0, 0, 0)``.
    """
    a = np.clip(np.rint(points[:, 3]), 0, 255)
    rgb = points[:, :3] * (255.0 / np.maximum(a, 1.0))[:, None]
    out = np.zeros((points.shape[0], 4), dtype=np.uint8)
    out[:, :3] = np.clip(np.rint(rgb), 0, 255)
    out[:, 3] = a
    out[a == 0] = 0
    return out


@dataclass
class AlphaHistogram:
    """Distinct RGBA colours (every fully transparent pixel as key 0) and their counts.

    ``colors`` are packed straight colours ``r | g << 8 | b << 16 | a << 24``
    (uint32, ascending, so the transparent key 0 comes first); ``points`` are the
    premultiplied colours k-means runs on. ``grid(bits)`` regroups them on a grid of
    ``bits`` per premultiplied channel, as :class:`._histogram.ColorHistogram` does.
    """

    colors: np.ndarray
    counts: np.ndarray
    _points: np.ndarray | None = field(default=None, repr=False)
    _grids: dict = field(default_factory=dict, repr=False)

    @property
    def points(self) -> np.ndarray:
        """(n_distinct, 4) float64 premultiplied colours."""
        if self._points is None:
            self._points = premultiply(unpack_rgba(self.colors))
        return self._points

    def grid(self, bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(means, weights, member) of the occupied cells of a ``bits``-per-channel grid."""
        if bits not in self._grids:
            cell = (self.points * ((1 << bits) / 256.0)).astype(np.int64)
            ids = cell[:, 0]
            for c in range(1, 4):
                ids = (ids << bits) | cell[:, c]
            _, member = np.unique(ids, return_inverse=True)
            member = member.reshape(-1).astype(np.intp)
            w = np.bincount(member, weights=self.counts)
            sums = np.stack([np.bincount(member, weights=self.counts * self.points[:, c])
                             for c in range(4)], axis=1)
            self._grids[bits] = (sums / w[:, None], w, member)
        return self._grids[bits]

    def points_steps(self) -> Steps[np.ndarray]:
        """:attr:`points` as a generator (:mod:`._steps`), as the pyramid asks for it."""
        yield "counting colors"
        return self.points

    def grid_steps(self, bits: int) -> Steps[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """:meth:`grid` as a generator; its sort of the cells is one step."""
        yield "grouping colors"
        return self.grid(bits)

    def sse_steps(self, centers: np.ndarray, labels: np.ndarray) -> Steps[float]:
        """:meth:`sse` as a generator."""
        yield "measuring"
        return self.sse(centers, labels)

    def drawn(self, centers: np.ndarray) -> np.ndarray:
        """The premultiplied colours ``centers`` are drawn with (an 8-bit palette entry)."""
        return premultiply(to_palette(centers))

    def sse(self, centers: np.ndarray, labels: np.ndarray) -> float:
        """Exact sum of squared premultiplied errors with colour ``i`` drawn as
        ``centers[labels[i]]`` (centers premultiplied)."""
        diff = self.points - np.asarray(centers, dtype=np.float64)[labels]
        return float(np.einsum("ij,ij->i", diff, diff) @ self.counts)


def alpha_histogram(image: np.ndarray) -> tuple[AlphaHistogram, np.ndarray]:
    """The distinct colours of an (H, W, 4) uint8 image and each pixel's index among them."""
    return drain(alpha_histogram_steps(image))


def alpha_histogram_steps(image: np.ndarray) -> Steps[tuple[AlphaHistogram, np.ndarray]]:
    """:func:`alpha_histogram`, yielding between its passes (:mod:`._steps`); the sort of
    the partly transparent colours is one step."""
    flat = image.reshape(-1, 4)
    alpha = flat[:, 3]
    rgb = pack_rgb(image)
    yield "counting colors"
    opaque = alpha == 255
    partial = np.flatnonzero((alpha > 0) & ~opaque)
    yield "counting colors"
    inverse = np.zeros(flat.shape[0], dtype=np.intp)  # transparent pixels: index 0
    has_clear = bool(flat.shape[0] - np.count_nonzero(opaque) - partial.size)
    keys, counts = [], []
    if has_clear:
        keys.append(np.zeros(1, dtype=np.uint32))
        counts.append(np.array([flat.shape[0] - np.count_nonzero(opaque) - partial.size]))
    if partial.size:
        pk = rgb[partial].view(np.uint32) | (alpha[partial].astype(np.uint32) << 24)
        distinct, inv, n = np.unique(pk, return_inverse=True, return_counts=True)
        inverse[partial] = inv.reshape(-1) + int(has_clear)
        keys.append(distinct)
        counts.append(n)
        yield "counting colors"
    if opaque.any():
        op = rgb[opaque]
        yield "counting colors"
        n = np.bincount(op, minlength=N_COLORS_24)
        yield "counting colors"
        distinct = np.flatnonzero(n).astype(np.int32)
        table = np.zeros(N_COLORS_24, dtype=np.intp)
        table[distinct] = np.arange(distinct.size, dtype=np.intp) + sum(k.size for k in keys)
        inverse[opaque] = table[op]
        keys.append(distinct.view(np.uint32) | OPAQUE)
        counts.append(n[distinct])
    hist = AlphaHistogram(np.concatenate(keys), np.concatenate(counts).astype(np.float64))
    return hist, inverse


def quantize_rgba(image: np.ndarray, k: int, method: str, dither: str, n_init: int,
                  max_iter: int, tol: float, rng: np.random.Generator,
                  swap: bool = False) -> Steps[dict]:
    """Quantize an (H, W, 4) image with transparency; fields of a ``QuantizedImage``.

    A generator (:mod:`._steps`) returning palette (n, 4) uint8 straight RGBA, most used
    first; labels (H, W) uint8; counts; mse over the four premultiplied channels;
    n_colors_in; n_iter; n_bins; swap (see :class:`._pyramid.Fit`, or None).
    """
    hist, inverse = yield from alpha_histogram_steps(image)
    swap_info = None
    n_in = int(hist.colors.size)
    clear = bool(hist.colors[0] == 0)
    if n_in <= k:  # every colour its own entry: the palette is the colours themselves
        palette = unpack_rgba(hist.colors).copy()
        color_labels, n_iter, n_bins = np.arange(n_in, dtype=np.intp), 0, n_in
    elif clear and k > 1:  # one entry reserved for the fully transparent pixels
        rest = AlphaHistogram(hist.colors[1:], hist.counts[1:])
        fit = yield from _pyramid.fit_steps(rest, k - 1, method, n_init, max_iter, tol, rng,
                                            swap)
        centers, labels, n_iter, n_bins, swap_info = (fit.centers, fit.labels, fit.n_iter,
                                                      fit.n_bins, fit.swap)
        # nearly transparent colours may be nearer the transparent entry than their own
        own = ((rest.points - centers[labels]) ** 2).sum(axis=1)
        labels = np.where((rest.points**2).sum(axis=1) < own, k - 1, labels)
        color_labels = np.concatenate([[k - 1], labels]).astype(np.intp)
        palette = to_palette(np.vstack([centers, np.zeros((1, 4))]))
    else:
        fit = yield from _pyramid.fit_steps(hist, k, method, n_init, max_iter, tol, rng, swap)
        centers, color_labels, n_iter, n_bins, swap_info = (fit.centers, fit.labels,
                                                            fit.n_iter, fit.n_bins, fit.swap)
        palette = to_palette(centers)
    palette, color_labels = _by_share(palette, color_labels, hist.counts)
    h, w = image.shape[:2]
    if dither != "none" and palette.shape[0] > 1:
        labels = yield from _dithered(image, palette, dither)
        err = 0.0
        counts = np.zeros(palette.shape[0], dtype=np.int64)
        flat, flat_labels = image.reshape(-1, 4), labels.reshape(-1)
        for start, stop in spans(h * w):
            err += rgba_sse(flat[start:stop], palette, flat_labels[start:stop])
            counts += np.bincount(flat_labels[start:stop], minlength=palette.shape[0])
            yield "measuring"
    else:
        table = color_labels.astype(np.uint8)
        labels = np.empty(h * w, dtype=np.uint8)
        for start, stop in spans(h * w):
            np.take(table, inverse[start:stop], out=labels[start:stop], mode="clip")
            yield "mapping pixels"
        labels = labels.reshape(h, w)
        err = yield from hist.sse_steps(premultiply(palette), color_labels)
        counts = np.bincount(color_labels, weights=hist.counts, minlength=palette.shape[0])
    if swap_info is not None:  # its errors over pixels, as mse: per channel value
        swap_info = {**swap_info, "mse_kmeans": swap_info.pop("sse_kmeans") / (4 * h * w),
                     "mse": swap_info.pop("sse") / (4 * h * w)}
    return {"palette": palette, "labels": labels, "counts": counts.astype(np.int64),
            "mse": err / (4 * h * w), "n_colors_in": n_in, "n_iter": n_iter, "n_bins": n_bins,
            "swap": swap_info}


def _by_share(palette: np.ndarray, labels: np.ndarray,
              counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Palette ordered by pixel share (most used first), and the relabelled colours."""
    share = np.bincount(labels, weights=counts, minlength=palette.shape[0])
    order = np.argsort(-share, kind="stable")
    rank = np.empty(order.size, dtype=np.intp)
    rank[order] = np.arange(order.size)
    return palette[order], rank[labels]


def _dithered(image: np.ndarray, palette: np.ndarray, dither: str) -> Steps[np.ndarray]:
    """Dithered labels in premultiplied RGBA; fully transparent pixels keep the
    palette's transparent entry (and pass no error on), when it has one."""
    points = premultiply(palette)
    clear = np.flatnonzero(palette[:, 3] == 0)
    fixed = (image[..., 3] == 0, int(clear[0])) if clear.size else None
    if dither == "ordered":
        return (yield from ordered_rgba_steps(image, points, fixed))
    return (yield from floyd_steinberg_steps(image, points, fixed))

