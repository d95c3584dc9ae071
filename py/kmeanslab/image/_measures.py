"""Image measures: mean squared error and PSNR between an image and its quantized copy.

Opaque images: both count the R, G and B channels of 8-bit images, as scikit-image's
``mean_squared_error`` and ``peak_signal_noise_ratio`` (``data_range=255``) do.

Images with transparency (an alpha channel below 255 anywhere, in either image): both
count the four channels of *premultiplied* RGBA, ``(r a/255, g a/255, b a/255, a)``
on the 0-255 scale. A colour error then counts in proportion to the pixel's opacity
(nothing under full transparency, where no colour shows), and an opacity error counts
as a channel of its own; the MSE is 0 exactly when the two images look the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._histogram import MAX_PIXELS, count_distinct
from ._steps import Steps, drain, spans

__all__ = ["count_colors", "mse", "psnr"]

_CHUNK = 1 << 20  # pixels per chunk of the premultiplied measures


def has_alpha(image: np.ndarray) -> bool:
    """Whether an (H, W, 3|4) uint8 image has a pixel with alpha below 255."""
    return drain(has_alpha_steps(image))


def has_alpha_steps(image: np.ndarray) -> Steps[bool]:
    """:func:`has_alpha` in chunks of pixels (:mod:`._steps`)."""
    if image.shape[-1] != 4:
        return False
    alpha = image.reshape(-1, 4)[:, 3]
    for start, stop in spans(alpha.size):
        if int(alpha[start:stop].min()) < 255:
            return True
        yield "reading pixels"
    return False


def premultiply(rgba: np.ndarray) -> np.ndarray:
    """(n, 4) float64 premultiplied ``(r a/255, g a/255, b a/255, a)`` of (n, 4) colours."""
    out = np.asarray(rgba, dtype=np.float64).reshape(-1, 4).copy()
    out[:, :3] *= out[:, 3:] / 255.0
    return out


def rgba_sse(flat: np.ndarray, palette: np.ndarray, labels: np.ndarray) -> float:
    """Sum of squared premultiplied errors of (n, 4) pixels drawn as ``palette[labels]``."""
    points = premultiply(palette)
    total = 0.0
    for start in range(0, flat.shape[0], _CHUNK):
        diff = premultiply(flat[start:start + _CHUNK]) - points[labels[start:start + _CHUNK]]
        total += float(np.einsum("ij,ij->", diff, diff))
    return total


def _as_rgba(image: np.ndarray) -> np.ndarray:
    """(n, 4) pixels, opaque alpha added to an RGB image."""
    flat = image.reshape(-1, image.shape[-1])
    if flat.shape[1] == 4:
        return flat
    return np.concatenate([flat, np.full((flat.shape[0], 1), 255, np.uint8)], axis=1)


def _planes(image: np.ndarray) -> list[np.ndarray]:
    """The R, G and B planes as flat (possibly strided) uint8 views."""
    flat = image.reshape(-1, image.shape[-1])
    return [flat[:, c] for c in range(3)]


def _pixel_sse(image: np.ndarray, quantized_flat: np.ndarray) -> float:
    """Sum of squared errors between every pixel and its quantized color."""
    total = 0.0
    for c, plane in enumerate(_planes(image)):
        diff = plane - quantized_flat[:, c]
        total += float(diff @ diff)
    return total


def mse(original: Any, quantized: Any) -> float:
    """Mean squared error per channel value between two images of the same height and width.

    Over R, G and B when both are opaque, else over premultiplied RGBA (module docs).
    Raises ``ValueError`` for shapes that differ or are not (H, W, 3|4) uint8.
    """
    a, b = _check_image(original), _check_image(quantized, "quantized")
    if a.shape[:2] != b.shape[:2]:
        raise ValueError(f"quantized has shape {b.shape[:2]}; it should be {a.shape[:2]} "
                         "like original.")
    if has_alpha(a) or has_alpha(b):
        fa, fb = _as_rgba(a), _as_rgba(b)
        total = 0.0
        for start in range(0, fa.shape[0], _CHUNK):
            diff = premultiply(fa[start:start + _CHUNK]) - premultiply(fb[start:start + _CHUNK])
            total += float(np.einsum("ij,ij->", diff, diff))
        return total / (4 * fa.shape[0])
    flat = b.reshape(-1, b.shape[-1])[:, :3].astype(np.float64)
    return _pixel_sse(a, flat) / (3 * a.shape[0] * a.shape[1])


def psnr(original: Any, quantized: Any) -> float:
    """Peak signal-to-noise ratio in dB (peak 255); ``inf`` for identical images."""
    return _psnr_of(mse(original, quantized))


def _psnr_of(value: float) -> float:
    return float("inf") if value <= 0 else float(10 * np.log10(255.0**2 / value))


def count_colors(image: Any) -> int:
    """Number of distinct RGB colors of an (H, W, 3) or (H, W, 4) uint8 image."""
    return count_distinct(_check_image(image))


def _check_image(image: Any, name: str = "image") -> np.ndarray:
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise ValueError(f"{name} has dtype {arr.dtype}; it should be uint8 (0-255).")
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(f"{name} has shape {arr.shape}; it should be (height, width, 3) "
                         "or (height, width, 4).")
    n = arr.shape[0] * arr.shape[1]
    if n == 0:
        raise ValueError(f"{name} has no pixels (shape {arr.shape}).")
    if n > MAX_PIXELS:
        raise ValueError(f"{name} has {n:,} pixels; the limit is {MAX_PIXELS:,} (50 megapixels).")
    return arr
