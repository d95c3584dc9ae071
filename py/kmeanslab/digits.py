"""The 8x8 handwritten digits: loading the bundled copy, and turning a drawing into one.

The data are scikit-learn's copy of the UCI "optdigits" test set: 1,797 digits, each a
32x32 black-and-white bitmap divided into non-overlapping 4x4 blocks whose count of
"on" pixels gives an 8x8 image of integers 0..16. The build extracts them into
``kmeanslab/data/digits.npz`` inside the wheel (``data`` uint8 (1797, 64), ``target``
uint8 (1797,)). :func:`drawing_to_digit` makes the same kind of image from a drawing.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import io
from pathlib import Path
from typing import Any

import numpy as np

N_SAMPLES = 1797
SIDE = 8
BITMAP = 32  # the bitmap side before 4x4 block counting
BLOCK = BITMAP // SIDE
MAX_VALUE = BLOCK * BLOCK  # 16

_REPO = Path(__file__).resolve().parents[2]
_DIST_COPY = _REPO / "dist" / "data" / "digits.npz"
_SK_MEMBER = ("datasets", "data", "digits.csv.gz")


class Bunch(dict):
    """A dict whose keys are also attributes, like scikit-learn's ``Bunch``."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError as err:
            raise AttributeError(key) from err


def _bundled() -> bytes | None:
    try:
        return importlib.resources.files("kmeanslab").joinpath("data", "digits.npz").read_bytes()
    except (FileNotFoundError, OSError, ModuleNotFoundError):
        return None


def _from_sklearn_package() -> bytes | None:
    """Native fallback in a source checkout: convert scikit-learn's CSV like the build."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    csv_gz = Path(list(spec.submodule_search_locations)[0]).joinpath(*_SK_MEMBER)
    if not csv_gz.is_file():
        return None
    try:
        from kmeanslab_build.data import digits_npz
    except ImportError:
        return None
    return digits_npz(csv_gz.read_bytes())


def _npz_bytes() -> bytes:
    for source in (_bundled, lambda: _DIST_COPY.read_bytes() if _DIST_COPY.is_file() else None,
                   _from_sklearn_package):
        raw = source()
        if raw is not None:
            return raw
    raise FileNotFoundError(
        "The digits data file kmeanslab/data/digits.npz is missing: it is made by the "
        "build. Run `python build.py` (it writes dist/data/digits.npz, which a source "
        "checkout also reads), or install the kmeanslab wheel from dist/pyodide/."
    )


_CACHE: dict[str, np.ndarray] = {}


def load_digits(*, n_class: int = 10, return_X_y: bool = False, as_uint8: bool = False
                ) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Load the 1,797 8x8 digits, as ``sklearn.datasets.load_digits``.

    Parameters
    ----------
    n_class : int, default=10
        Keep the digits 0 to ``n_class - 1``.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_uint8 : bool, default=False
        Keep the stored uint8 pixels instead of float64 (scikit-learn's dtype).

    Returns
    -------
    Bunch with ``data`` (n, 64), ``images`` (n, 8, 8), ``target`` (n,) of intp,
    ``target_names`` and ``DESCR``; or ``(data, target)``.
    """
    if isinstance(n_class, bool) or not isinstance(n_class, int | np.integer) \
            or not 1 <= n_class <= 10:
        raise ValueError(f"n_class={n_class!r} should be an int from 1 to 10.")
    if not _CACHE:
        with np.load(io.BytesIO(_npz_bytes())) as f:
            _CACHE["data"] = np.asarray(f["data"], dtype=np.uint8).reshape(-1, SIDE * SIDE)
            _CACHE["target"] = np.asarray(f["target"]).astype(np.intp)
    data, target = _CACHE["data"], _CACHE["target"]
    keep = target < n_class
    data = data[keep] if as_uint8 else data[keep].astype(np.float64)
    target = target[keep].copy()
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        images=data.reshape(-1, SIDE, SIDE),
        target=target,
        target_names=np.arange(n_class),
        DESCR=__doc__,
    )


# ------------------------------------------------------------- drawn digits


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
