"""Weighted color histograms of RGB images, the input of fast color quantization.

An image is reduced to its distinct colors and their pixel counts with one
``np.bincount`` over the packed 24-bit colors, and every pixel is finally mapped
through a 2**24-entry lookup table: four passes over the pixels in all, whatever the
palette size. Everything between works on the distinct colors, or on coarser grids of
them (``bits`` per channel), whose bins keep their pixel count and exact mean color.

Clustering bin means weighted by counts minimizes exactly the squared error of
clustering every pixel, under the one constraint that all pixels of a bin share a
palette entry; the finer the grid, the smaller that cost.

Pixel keys are ``int32``, which ``np.bincount`` and fancy indexing accept on wasm32
(Pyodide), where ``np.intp`` is 32 bits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _steps
from ._steps import Steps, drain, spans

MAX_PIXELS = 50_000_000
N_COLORS_24 = 1 << 24


@dataclass
class ColorHistogram:
    """The distinct colors of an image and how many pixels have each.

    Attributes
    ----------
    pixels : ndarray of shape (n_pixels,), int32
        Every pixel's packed color ``r | g << 8 | b << 16``, row-major.
    colors : ndarray of shape (n_distinct,), int32
        The distinct packed colors, ascending.
    counts : ndarray of shape (n_distinct,), float64
        Pixels of each distinct color.
    """

    pixels: np.ndarray
    colors: np.ndarray
    counts: np.ndarray
    _rgb: np.ndarray | None = field(default=None, repr=False)
    _grids: dict = field(default_factory=dict, repr=False)

    @property
    def n_pixels(self) -> int:
        return int(self.pixels.size)

    @property
    def rgb(self) -> np.ndarray:
        """(n_distinct, 3) float64 RGB values of the distinct colors."""
        return drain(self.points_steps())

    def points_steps(self) -> Steps[np.ndarray]:
        """:attr:`rgb`, unpacked in chunks the first time (:mod:`._steps`)."""
        if self._rgb is None:
            rgb = np.empty((self.colors.size, 3), dtype=np.float64)
            for start, stop in spans(self.colors.size):
                rgb[start:stop] = unpack_rgb(self.colors[start:stop])
                yield "counting colors"
            self._rgb = rgb
        return self._rgb

    @property
    def points(self) -> np.ndarray:
        """The points k-means runs on (:mod:`._pyramid`): the RGB values."""
        return self.rgb

    def grid(self, bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The distinct colors regrouped on a grid of ``bits`` per channel (cached).

        Returns
        -------
        means : ndarray of shape (n_bins, 3)
            Mean color of the pixels of each occupied bin.
        weights : ndarray of shape (n_bins,)
            Pixels in each bin.
        member : ndarray of shape (n_distinct,), intp
            Bin of each distinct color.
        """
        return drain(self.grid_steps(bits))

    def grid_steps(self, bits: int) -> Steps[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """:meth:`grid` in chunks of distinct colors (:mod:`._steps`)."""
        if bits in self._grids:
            return self._grids[bits][:3]
        finer = min((b for b in self._grids if b > bits), default=None)
        if finer is None:  # from the distinct colors
            rgb = yield from self.points_steps()
            ids, weights, bits_in = self.colors, self.counts, 8
        else:  # from a finer grid: bins are few, so this is cheap
            _, weights, _, ids, sums_f = self._grids[finer]
            bits_in = finer
        size = 1 << (3 * bits)
        n = ids.size
        cells = np.empty(n, dtype=np.intp)
        w = np.zeros(size, dtype=np.float64)
        sums = np.zeros((3, size), dtype=np.float64)
        for start, stop in spans(n):
            c = cells[start:stop] = _cells(ids[start:stop], bits_in, bits)
            part = weights[start:stop]
            w += np.bincount(c, weights=part, minlength=size)
            src = rgb[start:stop] * part[:, None] if finer is None else sums_f[start:stop]
            for ch in range(3):
                sums[ch] += np.bincount(c, weights=src[:, ch], minlength=size)
            yield "grouping colors"
        occupied = np.flatnonzero(w)
        index = np.zeros(size, dtype=np.intp)
        index[occupied] = np.arange(occupied.size, dtype=np.intp)
        bin_sums = np.ascontiguousarray(sums[:, occupied].T)
        w = w[occupied]
        member = index[cells]
        if finer is not None:
            member = member[self._grids[finer][2]]
        grid = (bin_sums / w[:, None], w, member, occupied.astype(np.int32), bin_sums)
        self._grids[bits] = grid
        return grid[:3]

    def drawn(self, centers: np.ndarray) -> np.ndarray:
        """The colors ``centers`` are drawn with: rounded to 8 bits."""
        return np.clip(np.rint(centers), 0, 255)

    def sse(self, palette: np.ndarray, labels: np.ndarray) -> float:
        """Exact sum of squared RGB errors when distinct color ``i`` is drawn as
        ``palette[labels[i]]``."""
        return drain(self.sse_steps(palette, labels))

    def sse_steps(self, palette: np.ndarray, labels: np.ndarray) -> Steps[float]:
        """:meth:`sse` in chunks of distinct colors (:mod:`._steps`)."""
        rgb = yield from self.points_steps()
        palette = np.asarray(palette, dtype=np.float64)
        total = 0.0
        for start, stop in spans(rgb.shape[0]):
            diff = rgb[start:stop] - palette[labels[start:stop]]
            total += float(np.einsum("ij,ij->i", diff, diff) @ self.counts[start:stop])
            yield "measuring"
        return total

    def lookup(self, labels: np.ndarray) -> np.ndarray:
        """Per-pixel values of ``labels`` (one uint8 per distinct color), via a 16 MB table."""
        return drain(self.lookup_steps(labels))

    def lookup_steps(self, labels: np.ndarray) -> Steps[np.ndarray]:
        """:meth:`lookup` in chunks of pixels (:mod:`._steps`)."""
        table = np.zeros(N_COLORS_24, dtype=labels.dtype)
        table[self.colors] = labels
        out = np.empty(self.pixels.size, dtype=labels.dtype)
        for start, stop in spans(out.size):
            np.take(table, self.pixels[start:stop], out=out[start:stop], mode="clip")
            yield "mapping pixels"
        return out


def _cells(ids: np.ndarray, bits_in: int, bits: int) -> np.ndarray:
    """Cell ids on a ``bits`` grid of ids on a ``bits_in`` grid (8: packed colors).

    Packed colors are ``r | g << 8 | b << 16``; grid ids are ``r << 2b | g << b | b``.
    """
    drop = bits_in - bits
    m = (1 << bits_in) - 1
    if bits_in == 8:
        r, g, b = ids & m, (ids >> 8) & m, ids >> 16
    else:
        r, g, b = ids >> (2 * bits_in), (ids >> bits_in) & m, ids & m
    return ((r >> drop) << (2 * bits)) | ((g >> drop) << bits) | (b >> drop)


def pack_rgb(image: np.ndarray, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Pixels ``start:stop`` (row-major; all by default) of an (H, W, 3) or (H, W, 4)
    uint8 image as int32 ``r | g << 8 | b << 16``.

    Contiguous RGBA input (as a canvas gives it) is reinterpreted as 32-bit words, one
    pass; alpha is ignored.
    """
    if image.shape[-1] == 4 and image.flags.c_contiguous:
        packed = image.reshape(-1).view("<u4")[start:stop] & np.uint32(0xFFFFFF)
        return packed.view(np.int32)
    flat = image.reshape(-1, image.shape[-1])[start:stop]
    packed = flat[:, 2].astype(np.int32)
    packed <<= 8
    packed |= flat[:, 1]
    packed <<= 8
    packed |= flat[:, 0]
    return packed


def unpack_rgb(packed: np.ndarray) -> np.ndarray:
    """(n, 3) float64 colors of packed ``r | g << 8 | b << 16`` values."""
    packed = np.asarray(packed)
    return np.stack([packed & 255, (packed >> 8) & 255, packed >> 16], axis=1).astype(np.float64)


def color_histogram(image: np.ndarray) -> ColorHistogram:
    """Distinct colors and counts of an (H, W, 3|4) uint8 image (no sort)."""
    return drain(color_histogram_steps(image))


def color_histogram_steps(image: np.ndarray) -> Steps[ColorHistogram]:
    """:func:`color_histogram` in chunks of pixels (:mod:`._steps`).

    Marks the colors seen, numbers them in a 2**24 table, then counts each chunk's
    color numbers: a ``bincount`` over the few distinct colors per chunk, where one
    over all 2**24 packed values would cost a 128 MB pass per chunk.
    """
    n = image.shape[0] * image.shape[1]
    pixels = np.empty(n, dtype=np.int32)
    seen = np.zeros(N_COLORS_24, dtype=np.bool_)
    for start, stop in spans(n):
        pixels[start:stop] = pack_rgb(image, start, stop)
        seen[pixels[start:stop]] = True
        yield "counting colors"
    colors = np.flatnonzero(seen).astype(np.int32)
    del seen
    index = np.zeros(N_COLORS_24, dtype=np.int32)
    index[colors] = np.arange(colors.size, dtype=np.int32)
    counts = np.zeros(colors.size, dtype=np.float64)
    # bigger chunks here: each bincount also pays for a pass over all distinct colors
    for start, stop in spans(n, 4 * _steps.CHUNK):
        counts += np.bincount(index[pixels[start:stop]], minlength=colors.size)
        yield "counting colors"
    return ColorHistogram(pixels, colors, counts)


def count_distinct(image: np.ndarray) -> int:
    """Number of distinct RGB colors of an (H, W, 3|4) uint8 image."""
    return drain(count_distinct_steps(image))


def count_distinct_steps(image: np.ndarray) -> Steps[int]:
    """:func:`count_distinct` in chunks of pixels (:mod:`._steps`)."""
    seen = np.zeros(N_COLORS_24, dtype=np.bool_)
    for start, stop in spans(image.shape[0] * image.shape[1]):
        seen[pack_rgb(image, start, stop)] = True
        yield "counting colors"
    return int(np.count_nonzero(seen))
