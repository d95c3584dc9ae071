"""Bundled data sets: the 8x8 handwritten digits (and the sample photos).

The data are scikit-learn's copy of the UCI "optdigits" test set: 1,797 digits, each a
32x32 black-and-white bitmap divided into non-overlapping 4x4 blocks whose count of
"on" pixels gives an 8x8 image of integers 0..16. The build extracts them into
``kmeanslab/data/digits.npz`` inside the wheel (``data`` uint8 (1797, 64), ``target``
uint8 (1797,)).
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import io
from pathlib import Path

import numpy as np

from ..utils._bunch import Bunch

N_SAMPLES = 1797
SIDE = 8
BITMAP = 32  # the bitmap side before 4x4 block counting
BLOCK = BITMAP // SIDE
MAX_VALUE = BLOCK * BLOCK  # 16

_REPO = Path(__file__).resolve().parents[3]  # py/kmeanslab/datasets/_base.py
_DIST_COPY = _REPO / "dist" / "data" / "digits.npz"
_SK_MEMBER = ("datasets", "data", "digits.csv.gz")


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
