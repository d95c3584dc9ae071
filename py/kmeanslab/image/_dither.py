"""Dithering against a fixed palette: ordered (8x8 Bayer) and Floyd-Steinberg error diffusion.

RGB images are dithered in RGB; images with transparency in premultiplied RGBA (see
:mod:`._alpha`), where ``fixed`` pins the fully transparent pixels to the palette's
transparent entry: they take no offset and pass no error on, so the background stays
clear and no colour leaks into it.
"""

from __future__ import annotations

import numpy as np

from . import _colorkmeans as ck
from . import _steps
from ._histogram import N_COLORS_24, color_histogram_steps
from ._measures import premultiply
from ._steps import Steps, drain, spans

_BAYER8 = np.array([
    [0, 32, 8, 40, 2, 34, 10, 42], [48, 16, 56, 24, 50, 18, 58, 26],
    [12, 44, 4, 36, 14, 46, 6, 38], [60, 28, 52, 20, 62, 30, 54, 22],
    [3, 35, 11, 43, 1, 33, 9, 41], [51, 19, 59, 27, 49, 17, 57, 25],
    [15, 47, 7, 39, 13, 45, 5, 37], [63, 31, 55, 23, 61, 29, 53, 21],
])

Fixed = tuple[np.ndarray, int] | None  # (H, W) mask of pinned pixels, their palette index


def _spread(points: np.ndarray) -> float:
    """Per-channel dither amplitude: median distance from a palette colour to its
    nearest other one, over sqrt(channels), so dithering mixes neighbouring colours only."""
    between = np.sqrt(ck.sq_distances(points, points))
    np.fill_diagonal(between, np.inf)
    return float(np.median(between.min(axis=1))) / np.sqrt(points.shape[1])


def _bayer(h: int, w: int, y0: int = 0) -> np.ndarray:
    """The Bayer thresholds in (-0.5, 0.5) tiled over rows ``y0 .. y0 + h`` of a
    ``w`` pixels wide image."""
    pattern = (_BAYER8 + 0.5) / 64 - 0.5
    rows = pattern[np.arange(y0, y0 + h) % 8]
    return np.tile(rows, (1, -(-w // 8)))[:, :w]


def _row_spans(h: int, w: int) -> list[tuple[int, int]]:
    """Row ranges of about ``_steps.CHUNK`` pixels each."""
    step = max(1, _steps.CHUNK // w)
    return [(y0, min(h, y0 + step)) for y0 in range(0, h, step)]


def ordered(image: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Palette indices with 8x8 Bayer ordered dithering of an RGB(A) image (alpha ignored).

    Each pixel is offset by the Bayer threshold times :func:`_spread`, then drawn with
    the palette color nearest to the offset pixel.
    """
    return drain(ordered_steps(image, palette))


def ordered_steps(image: np.ndarray, palette: np.ndarray) -> Steps[np.ndarray]:
    """:func:`ordered` in chunks of rows (:mod:`._steps`)."""
    p = palette.astype(np.float64)
    spread = _spread(p)
    h, w = image.shape[:2]
    shifted = np.empty((h, w, 3), dtype=np.uint8)
    for y0, y1 in _row_spans(h, w):
        offset = np.rint(_bayer(y1 - y0, w, y0) * spread).astype(np.int16)
        for c in range(3):
            shifted[y0:y1, :, c] = np.clip(image[y0:y1, :, c] + offset, 0, 255)
        yield "dithering"
    hist = yield from color_histogram_steps(shifted)
    del shifted
    X, _, member = hist.grid(6)
    labels = yield from ck.nearest_steps(X, p)
    out = yield from hist.lookup_steps(labels.astype(np.uint8)[member])
    return out.reshape(h, w)


def ordered_rgba(image: np.ndarray, points: np.ndarray, fixed: Fixed) -> np.ndarray:
    """Ordered dithering of an (H, W, 4) image in premultiplied RGBA.

    ``points`` is the palette premultiplied. The offset pixels are grouped on a grid of
    6 bits per channel (2**24 cells, as the RGB path groups them) and each occupied
    cell is drawn with the palette colour nearest to its centre.
    """
    return drain(ordered_rgba_steps(image, points, fixed))


def ordered_rgba_steps(image: np.ndarray, points: np.ndarray, fixed: Fixed) -> Steps[np.ndarray]:
    """:func:`ordered_rgba` in chunks of rows (:mod:`._steps`)."""
    h, w = image.shape[:2]
    spread = _spread(points)
    cells = np.empty((h, w), dtype=np.int32)
    for y0, y1 in _row_spans(h, w):
        offset = (_bayer(y1 - y0, w, y0) * spread).reshape(-1, 1)
        shifted = np.clip(premultiply(image[y0:y1].reshape(-1, 4)) + offset, 0, 255)
        q = shifted.astype(np.int32) >> 2
        cells[y0:y1] = ((q[:, 0] << 18) | (q[:, 1] << 12) | (q[:, 2] << 6) | q[:, 3]).reshape(-1, w)
        yield "dithering"
    cells = cells.reshape(-1)
    seen = np.zeros(N_COLORS_24, dtype=np.bool_)
    seen[cells] = True
    occupied = np.flatnonzero(seen)
    centres = np.stack([(occupied >> s) & 63 for s in (18, 12, 6, 0)], axis=1) * 4.0 + 1.5
    table = np.zeros(N_COLORS_24, dtype=np.uint8)
    table[occupied] = yield from ck.nearest_steps(centres, points)
    labels = np.empty(h * w, dtype=np.uint8)
    for start, stop in spans(h * w):
        np.take(table, cells[start:stop], out=labels[start:stop], mode="clip")
        yield "dithering"
    labels = labels.reshape(h, w)
    if fixed is not None:
        labels[fixed[0]] = fixed[1]
    return labels


def floyd_steinberg(image: np.ndarray, points: np.ndarray, fixed: Fixed = None) -> np.ndarray:
    """Palette indices with Floyd-Steinberg error diffusion (7/16, 3/16, 5/16, 1/16).

    ``image`` is (H, W, 3|4) uint8; with ``points`` of 3 channels the RGB values are
    diffused, with 4 the premultiplied RGBA ones. The scan is sequential in principle;
    here pixel (y, x) is handled at step x + 2y, when all four pixels that pass it
    error are done, so each step is one vectorized batch along an anti-diagonal:
    w + 2h steps instead of w * h.
    """
    return drain(floyd_steinberg_steps(image, points, fixed))


def floyd_steinberg_steps(image: np.ndarray, points: np.ndarray,
                          fixed: Fixed = None) -> Steps[np.ndarray]:
    """:func:`floyd_steinberg`, yielding every few anti-diagonals (:mod:`._steps`)."""
    h, w = image.shape[:2]
    c = points.shape[1]
    p = points.astype(np.float32)
    pp = (p * p).sum(axis=1)
    buf = np.zeros((h + 1, w + 2, c), dtype=np.float32)  # padding absorbs edge errors
    for y0, y1 in _row_spans(h, w):
        if c == 3:
            buf[y0:y1, 1:w + 1] = image[y0:y1, :, :3]
        else:
            buf[y0:y1, 1:w + 1] = premultiply(image[y0:y1].reshape(-1, 4)).reshape(-1, w, 4)
        yield "dithering"
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
        if fixed is not None:
            pinned = fixed[0][y, x - 1]
            lab[pinned] = fixed[1]
            err[pinned] = 0
        labels[y, x - 1] = lab
        buf[y, x + 1] += err * weights[0]
        buf[y + 1, x - 1] += err * weights[1]
        buf[y + 1, x] += err * weights[2]
        buf[y + 1, x + 1] += err * weights[3]
        if t % 8 == 7:
            yield "dithering"
    return labels
