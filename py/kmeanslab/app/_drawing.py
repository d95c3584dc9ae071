"""Turning a digit drawn in the page into an 8x8 image like the bundled digits.

The bundled digits are 32x32 bitmaps counted in 4x4 blocks (:mod:`kmeanslab.datasets`):
a drawing is cut to its ink's bounding box, resampled to 32x32, thresholded, and counted
the same way, so k-means' centers can classify it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..datasets._base import BITMAP, BLOCK, SIDE


def _resample_matrix(n_out: int, lo: float, hi: float, n_in: int) -> np.ndarray:
    """(n_out, n_in) weights averaging the source range [lo, hi) into n_out equal cells.

    Source pixel i covers [i, i + 1); whatever lies outside 0..n_in counts as no ink.
    """
    edges = lo + (hi - lo) * np.arange(n_out + 1) / n_out
    starts = np.arange(n_in)[None, :]
    left = np.clip(edges[:-1, None], starts, starts + 1)
    right = np.clip(edges[1:, None], starts, starts + 1)
    return (right - left) / ((hi - lo) / n_out)


def drawing_to_digit(ink: Any, threshold: float = 0.3, margin: int = 0
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Turn a drawing into an 8x8 digit with intensities 0..16, as the dataset was made.

    The ink's bounding box is scaled, keeping its aspect ratio, so that its longer side
    spans the 32x32 bitmap less ``margin`` pixels on each side (the dataset's digits
    were size-normalized that way) and centred; each bitmap pixel is on when the mean
    ink over it is above ``threshold``; then each 4x4 block's count of on pixels is the
    8x8 image's value.

    Parameters
    ----------
    ink : array-like of shape (height, width)
        Ink amount per pixel: 0..1 floats, or 0..255 integers (e.g. a canvas's alpha).
    threshold : float, default=0.3
        Mean ink above which a bitmap pixel is on.
    margin : int, default=0
        Empty bitmap pixels kept around the longer side.

    Returns
    -------
    digit : ndarray of shape (64,), dtype float64, values 0..16
    bitmap : ndarray of shape (32, 32), dtype uint8, values 0 or 1

    Raises
    ------
    ValueError
        If ``ink`` is not 2-d or holds no ink at all.
    """
    a = np.asarray(ink)
    if a.ndim != 2 or min(a.shape) < 1:
        raise ValueError(f"ink must be a 2-d image (height, width); got shape {a.shape}.")
    if not 0 <= margin < BITMAP // 2 - 1:
        raise ValueError(f"margin={margin} should be from 0 to {BITMAP // 2 - 2}.")
    scale = 255.0 if np.issubdtype(a.dtype, np.integer) else 1.0
    a = a.astype(np.float64) / scale
    rows = np.flatnonzero(a.max(axis=1) > 0.05)
    cols = np.flatnonzero(a.max(axis=0) > 0.05)
    if rows.size == 0:
        raise ValueError("The drawing is empty: draw a digit first.")
    top, bottom = rows[0], rows[-1] + 1
    left, right = cols[0], cols[-1] + 1
    side = float(max(bottom - top, right - left))
    inner = BITMAP - 2 * margin
    # Source window: a square of `side` around the ink's centre, mapped onto `inner` px.
    cy, cx = (top + bottom) / 2.0, (left + right) / 2.0
    pad = side * margin / inner
    y0, y1 = cy - side / 2 - pad, cy + side / 2 + pad
    x0, x1 = cx - side / 2 - pad, cx + side / 2 + pad
    Ay = _resample_matrix(BITMAP, y0, y1, a.shape[0])
    Ax = _resample_matrix(BITMAP, x0, x1, a.shape[1])
    mean_ink = Ay @ a @ Ax.T
    bitmap = (mean_ink > threshold).astype(np.uint8)
    digit = bitmap.reshape(SIDE, BLOCK, SIDE, BLOCK).sum(axis=(1, 3)).astype(np.float64)
    return digit.ravel(), bitmap


def nearest_center(digit: Any, centers: Any) -> tuple[int, np.ndarray]:
    """Index of the closest center to an 8x8 digit (64 values), and all squared distances."""
    d = np.asarray(digit, dtype=np.float64).ravel()
    C = np.asarray(centers, dtype=np.float64)
    if C.ndim != 2 or C.shape[1] != d.size:
        raise ValueError(f"centers must have shape (n_clusters, {d.size}); got {C.shape}.")
    dist2 = ((C - d) ** 2).sum(axis=1)
    return int(np.argmin(dist2)), dist2
