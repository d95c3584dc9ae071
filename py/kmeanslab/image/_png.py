"""A small writer of indexed-color (palette) PNG files, with the standard library's zlib.

Color quantization yields at most 256 colors, which PNG stores as one palette index
per pixel, packed at 1, 2, 4 or 8 bits: a fraction of the size of RGBA. Writing the
file here avoids loading Pillow (about 1 MB more to fetch and start) in the browser.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

from . import _steps
from ._steps import Steps, drain

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def bit_depth(n_colors: int) -> int:
    """Fewest PNG palette bits (1, 2, 4 or 8) that index ``n_colors`` colors."""
    return next(bits for bits in (1, 2, 4, 8) if n_colors <= 1 << bits)


def _pack_rows(labels: np.ndarray, bits: int) -> np.ndarray:
    """Rows of indices packed ``8 // bits`` per byte, most significant first."""
    h, w = labels.shape
    per_byte = 8 // bits
    width = -(-w // per_byte) * per_byte
    padded = np.zeros((h, width), dtype=np.uint8)
    padded[:, :w] = labels
    groups = padded.reshape(h, -1, per_byte)
    packed = np.zeros(groups.shape[:2], dtype=np.uint8)
    for i in range(per_byte):
        packed |= groups[:, :, i] << np.uint8(8 - bits * (i + 1))
    return packed


def write_indexed_png(labels: np.ndarray, palette: np.ndarray, level: int = 6) -> bytes:
    """Encode an (H, W) uint8 index image with its (n, 3|4) uint8 palette as PNG bytes;
    see :func:`write_indexed_png_steps`."""
    return drain(write_indexed_png_steps(labels, palette, level))


def write_indexed_png_steps(labels: np.ndarray, palette: np.ndarray,
                            level: int = 6) -> Steps[bytes]:
    """Encode an (H, W) uint8 index image with its (n, 3|4) uint8 palette as PNG bytes.

    A palette with an alpha column (straight, not premultiplied, as PNG stores it) is
    written as PLTE plus a ``tRNS`` chunk of the entries' alphas, up to the last one
    below 255 (PNG 1.2, section 4.2.1.1); none when all are 255. Rows use filter
    type 0 (none), which the PNG specification recommends for palette images.
    Raises ``ValueError`` for a palette of more than 256 entries or labels beyond it.
    A generator (:mod:`._steps`): rows are packed and compressed a chunk at a time.
    """
    labels = np.asarray(labels, dtype=np.uint8)
    palette = np.asarray(palette, dtype=np.uint8)
    if palette.ndim != 2 or palette.shape[1] not in (3, 4):
        raise ValueError(f"palette has shape {palette.shape}; it should be (n, 3) or (n, 4).")
    alpha = palette[:, 3] if palette.shape[1] == 4 else np.zeros(0, np.uint8)
    translucent = np.flatnonzero(alpha < 255)
    trns = alpha[: translucent[-1] + 1].tobytes() if translucent.size else b""
    palette = np.ascontiguousarray(palette[:, :3])
    if not 1 <= palette.shape[0] <= 256:
        raise ValueError(f"palette has {palette.shape[0]} colors; a PNG palette holds 1 to 256.")
    if labels.ndim != 2 or labels.size == 0:
        raise ValueError(f"labels has shape {labels.shape}; it should be (height, width).")
    if int(labels.max()) >= palette.shape[0]:
        raise ValueError("labels index colors beyond the palette.")
    bits = bit_depth(palette.shape[0])
    h, w = labels.shape
    deflate = zlib.compressobj(level)
    parts = []
    step = max(1, (_steps.CHUNK // 4) // w)  # deflate is slower per byte than NumPy passes
    for y0 in range(0, h, step):
        part = labels[y0:y0 + step]
        rows = _pack_rows(part, bits) if bits < 8 else part
        raw = np.zeros((rows.shape[0], rows.shape[1] + 1), dtype=np.uint8)
        raw[:, 1:] = rows
        parts.append(deflate.compress(raw.tobytes()))
        yield "encoding the PNG"
    parts.append(deflate.flush())
    header = struct.pack(">IIBBBBB", w, h, bits, 3, 0, 0, 0)
    return b"".join([
        _SIGNATURE,
        _chunk(b"IHDR", header),
        _chunk(b"PLTE", palette.tobytes()),
        *([_chunk(b"tRNS", trns)] if trns else []),
        _chunk(b"IDAT", b"".join(parts)),
        _chunk(b"IEND", b""),
    ])
