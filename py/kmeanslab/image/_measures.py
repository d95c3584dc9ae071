"""Image measures: mean squared error and PSNR between an image and its quantized copy.

Both count the R, G and B channels of 8-bit images, as scikit-image's
``mean_squared_error`` and ``peak_signal_noise_ratio`` (``data_range=255``) do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._histogram import MAX_PIXELS, count_distinct

__all__ = ["count_colors", "mse", "psnr"]


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
    """Mean squared error per channel value between two RGB images of the same shape."""
    a, b = _check_image(original), _check_image(quantized, "quantized")
    if a.shape[:2] != b.shape[:2]:
        raise ValueError(f"quantized has shape {b.shape[:2]}; it should be {a.shape[:2]} "
                         "like original.")
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
