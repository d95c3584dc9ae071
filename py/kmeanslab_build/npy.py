"""Write NumPy ``.npy`` / ``.npz`` files with the standard library only.

The ``.npy`` format (version 1.0): the magic ``\\x93NUMPY``, version bytes ``1, 0``, a
little-endian uint16 header length, then an ASCII dict literal (``descr``,
``fortran_order``, ``shape``) padded with spaces and ended by a newline so that the data
starts on a 64-byte boundary, then the raw C-order data. An ``.npz`` is a zip of
``<name>.npy`` members.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Mapping

from .constants import ZIP_EPOCH

NPY_MAGIC = b"\x93NUMPY\x01\x00"
NPY_ALIGN = 64
UINT8_DESCR = "|u1"


def npy_uint8(data: bytes, shape: tuple[int, ...]) -> bytes:
    """Return the ``.npy`` bytes of a C-order uint8 array with the given shape."""
    size = 1
    for n in shape:
        size *= n
    if size != len(data):
        raise ValueError(f"shape {shape} needs {size} bytes, got {len(data)}")
    shape_text = "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
    header = f"{{'descr': '{UINT8_DESCR}', 'fortran_order': False, 'shape': {shape_text}, }}"
    unpadded = len(NPY_MAGIC) + 2 + len(header) + 1
    header += " " * (-unpadded % NPY_ALIGN) + "\n"
    return NPY_MAGIC + struct.pack("<H", len(header)) + header.encode("latin1") + data


def npz(arrays: Mapping[str, bytes]) -> bytes:
    """Return a deterministic, deflated ``.npz`` holding ``{name: npy bytes}``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, arrays[name])
    return buffer.getvalue()
