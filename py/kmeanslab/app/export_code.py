"""Pieces of generated Python: cells, literals, embedded arrays and safe file names.

Shared by the per-panel code generators (:mod:`.export_points`, :mod:`.export_media`)
and the notebook writer (:mod:`.export_notebook`). Nothing here imports a panel module.
"""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

FLAVOURS = ("kmeanslab", "sklearn")
#: arrays with at most this many values are written as literal lists; bigger ones are
#: packed (byte-shuffled, zlib-compressed, base64) so a 200,000-point set stays ~4 MB
LITERAL_MAX = 240

UNPACK_SOURCE = '''\
def unpack(text, dtype, shape):
    """An array embedded by kmeans-lab: base64 of zlib-compressed, byte-shuffled bytes."""
    raw = np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=np.uint8)
    size = np.dtype(dtype).itemsize
    return raw.reshape(size, -1).T.copy().view(dtype).reshape(shape)'''


@dataclass
class Cell:
    """One notebook cell: ``kind`` is "markdown" or "code"; ``plot`` cells (code that
    draws with matplotlib) go into the notebook but not into the code view."""

    kind: str
    text: str
    plot: bool = False


def md(text: str) -> Cell:
    return Cell("markdown", text.strip("\n"))


def code(text: str, plot: bool = False) -> Cell:
    return Cell("code", text.strip("\n"), plot)


def check_flavour(flavour: str) -> str:
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour={flavour!r} is not a code flavour; expected one of "
                         f"{', '.join(FLAVOURS)}.")
    return flavour


def lib(flavour: str) -> str:
    """The package name the generated imports use."""
    return "kmeanslab" if check_flavour(flavour) == "kmeanslab" else "sklearn"


def num(value: Any) -> str:
    """A Python literal that reads back as exactly ``value``."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return repr(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    return repr(float(value))


def kwargs(**params: Any) -> str:
    return ", ".join(f"{k}={num(v)}" for k, v in params.items())


def pack(a: np.ndarray) -> str:
    """Base64 of the zlib-compressed bytes of ``a`` (little-endian), byte-shuffled:
    the i-th bytes of all values first, so exponents and sign bytes compress well."""
    a = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<"))
    shuffled = a.reshape(-1).view(np.uint8).reshape(-1, a.dtype.itemsize).T.copy()
    return base64.b64encode(zlib.compress(shuffled.tobytes(), 9)).decode("ascii")


def unpack(text: str, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`pack` (the generated code carries the same function)."""
    raw = np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=np.uint8)
    size = np.dtype(dtype).itemsize
    return raw.reshape(size, -1).T.copy().view(dtype).reshape(shape)


def array(name: str, a: np.ndarray, dtype: str = "float64") -> tuple[str, bool]:
    """``name = <array>`` as code, and whether it needs :data:`UNPACK_SOURCE`.

    Small arrays are literal lists (exact: ``repr`` of a float reads back as the same
    float); big ones are :func:`pack`-ed into one string.
    """
    a = np.asarray(a, dtype=dtype)
    if a.size <= LITERAL_MAX:
        if a.ndim == 1:
            body = ", ".join(num(x) for x in a.tolist())
            return f"{name} = np.array([{body}], dtype=np.{dtype})", False
        rows = ",\n    ".join("[" + ", ".join(num(x) for x in row) + "]" for row in a.tolist())
        return f"{name} = np.array([\n    {rows},\n], dtype=np.{dtype})", False
    dt = f"<{a.dtype.kind}{a.dtype.itemsize}"
    shape = "(" + ", ".join(str(s) for s in a.shape) + ("," if a.ndim == 1 else "") + ")"
    return f'{name} = unpack(\n    "{pack(a)}",\n    "{dt}", {shape})', True


def safe_name(text: str, fallback: str, limit: int = 40) -> str:
    """Lower-case letters, digits and single hyphens only: safe on every file system."""
    name = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:limit].strip("-")
    return name or fallback


def script(cells: list[Cell]) -> str:
    """The code view: every non-plot code cell, in order, as one runnable script."""
    return "\n\n".join(c.text for c in cells if c.kind == "code" and not c.plot) + "\n"
