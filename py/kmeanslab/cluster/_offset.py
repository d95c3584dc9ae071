"""The shift point of the exact-Lloyd paths' distance coordinates (see
:func:`round_offset`): about the data's mean, rounded so that integer data stays integer."""

from __future__ import annotations

import math

import numpy as np


def round_offset(mean, scale, row=None) -> np.ndarray:
    """The point to shift the data by: about its mean, rounded.

    Shifting by about the mean limits cancellation in ``||x||^2 - 2 x.c + ||c||^2``;
    rounding the mean to a multiple of a power of two near the spread keeps integer data
    (pixels, the digits, lattices) integer, so that exact distance ties stay exact and go
    to the lowest center index, as in the plain loop and the large-data paths
    (scikit-learn shifts by the exact mean: its ties fall by rounding).

    Parameters
    ----------
    mean : array-like of shape (n_features,)
        The data's mean.
    scale : float
        The data's spread (a standard deviation).
    row : ndarray of shape (n_features,), default=None
        A row of the data, used when the spread is zero: then every row is this one, and
        shifting by it makes the shifted data exact zeros.

    Returns
    -------
    offset : ndarray of shape (n_features,), float64
    """
    mean = np.asarray(mean, dtype=np.float64)
    if not (scale > 0 and math.isfinite(scale)):
        if row is not None:
            return np.asarray(row, dtype=np.float64).copy()
        scale = 1.0
    q = 2.0 ** math.floor(math.log2(scale))
    if mean.size <= 16:  # (Python floats: np.errstate alone costs more in Pyodide)
        out = []
        for m in mean.tolist():
            r = m / q
            out.append(math.copysign(round(r), r) * q if abs(r) < 2.0**52 else m)
        return np.array(out)
    with np.errstate(over="ignore", invalid="ignore"):
        ratio = mean / q
        return np.where(np.abs(ratio) < 2.0**52, np.round(ratio) * q, mean)
