"""The bundled data, taken from the pinned scikit-learn wasm wheel.

- ``digits.npz``: ``data`` (uint8, 1797 x 64, values 0..16) and ``target`` (uint8, 1797),
  from ``sklearn/datasets/data/digits.csv.gz`` (one row per digit: 64 pixels, then the
  label).
- ``china.jpg``, ``flower.jpg`` and their license/attribution note ``IMAGES-LICENSE.txt``
  (scikit-learn's ``sklearn/datasets/images/README.txt``).
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from pathlib import Path

from .constants import DIGITS_MAX_VALUE, DIGITS_SHAPE, SK_DIGITS_MEMBER, SK_IMAGE_MEMBERS
from .errors import BuildError
from .npy import npy_uint8, npz


def digits_npz(csv_gz: bytes) -> bytes:
    """Convert scikit-learn's ``digits.csv.gz`` into the ``.npz`` the package loads."""
    text = gzip.decompress(csv_gz).decode("ascii")
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    n_samples, n_features = DIGITS_SHAPE
    if len(rows) != n_samples or any(len(row) != n_features + 1 for row in rows):
        raise BuildError(
            f"{SK_DIGITS_MEMBER}: expected {n_samples} rows of "
            f"{n_features + 1} values, got {len(rows)} rows."
        )
    values = [[int(float(v)) for v in row] for row in rows]
    if any(not 0 <= v <= DIGITS_MAX_VALUE for row in values for v in row):
        raise BuildError(f"{SK_DIGITS_MEMBER}: a value is outside 0..{DIGITS_MAX_VALUE}.")
    pixels = bytes(v for row in values for v in row[:-1])
    target = bytes(row[-1] for row in values)
    return npz(
        {
            "data": npy_uint8(pixels, DIGITS_SHAPE),
            "target": npy_uint8(target, (n_samples,)),
        }
    )


def extract_data(sklearn_wheel: Path, dest: Path, digits_name: str) -> dict[str, Path]:
    """Write the digits ``.npz`` and the sample images into ``dest``.

    Returns
    -------
    dict of str to Path
        Output name to written path.
    """
    written = {}
    with zipfile.ZipFile(sklearn_wheel) as archive:
        written[digits_name] = dest / digits_name
        written[digits_name].write_bytes(digits_npz(archive.read(SK_DIGITS_MEMBER)))
        for name, member in SK_IMAGE_MEMBERS.items():
            written[name] = dest / name
            written[name].write_bytes(archive.read(member))
    return written
