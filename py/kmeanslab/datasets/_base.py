"""Bundled data sets: the 8x8 handwritten digits (the sample photos are in ``_images``).

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

#: ``pixel_<row>_<column>``, row-major, as scikit-learn names the 64 columns.
FEATURE_NAMES = [f"pixel_{row}_{col}" for row in range(SIDE) for col in range(SIDE)]

DESCR = """\
Optical recognition of handwritten digits dataset
--------------------------------------------------

Data set characteristics:

- Number of instances: 1797 (about 180 per class, 10 classes: the digits 0 to 9)
- Number of attributes: 64, an 8x8 image of integer pixels in the range 0..16
- Missing attribute values: none
- Creator: E. Alpaydin, July 1998

This is scikit-learn's copy of the test set of the UCI ML hand-written digits data set
("Optical Recognition of Handwritten Digits"). Preprocessing programs made available by
NIST extracted normalized 32x32 bitmaps of handwritten digits from a preprinted form; 13
writers contributed to this test set. The bitmaps are divided into non-overlapping 4x4
blocks and the "on" pixels of each block are counted, which gives an 8x8 image of integers
0..16: lower dimension, and some invariance to small distortions.

References: C. Kaynak (1995), Methods of Combining Multiple Classifiers and Their
Applications to Handwritten Digit Recognition, MSc thesis, Bogazici University.
E. Alpaydin, C. Kaynak (1998), Cascading Classifiers, Kybernetika.
"""


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
        Keep the stored uint8 pixels instead of float64 (scikit-learn's dtype). Not in
        scikit-learn: the page's worker uses it to send the pixels as bytes.

    Returns
    -------
    Bunch or tuple
        A Bunch with scikit-learn's keys: ``data`` float64 (n, 64) (uint8 with
        ``as_uint8``), ``target`` intp (n,), ``frame`` None (scikit-learn's ``as_frame``,
        which needs pandas, is not offered), ``feature_names`` (64 ``pixel_<row>_<col>``),
        ``target_names`` intp (n_class,), ``images`` (n, 8, 8) (a view of ``data``),
        ``DESCR`` str. With ``return_X_y``, ``(data, target)``. ``n`` is 1797 for
        ``n_class=10``.

    Raises
    ------
    ValueError
        If ``n_class`` is not an int from 1 to 10.
    FileNotFoundError
        If the data file is missing (a source checkout before ``python build.py``).
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
        target=target,
        frame=None,
        feature_names=list(FEATURE_NAMES),
        target_names=np.arange(n_class, dtype=np.intp),
        images=data.reshape(-1, SIDE, SIDE),
        DESCR=DESCR,
    )
