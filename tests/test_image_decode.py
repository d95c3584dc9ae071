"""Image files the browser cannot decode, read with Pillow in the worker (issue 16, item 5).

Every file is made here, with Pillow or, where Pillow cannot write it (16-bit RGB),
byte by byte; nothing binary is in git. Runs natively and in Pyodide (Pillow 10.2).
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

Image = pytest.importorskip("PIL.Image")

from kmeanslab.app import image as app_image  # noqa: E402
from kmeanslab.image import _decode  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def encoded(image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def colours(h: int = 20, w: int = 30, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def tiff_rgb16(values: np.ndarray) -> bytes:
    """An uncompressed little-endian RGB TIFF with 16 bits per sample."""
    h, w, _ = values.shape
    pixels = values.astype("<u2").tobytes()
    entries = [(256, 4, 1, w), (257, 4, 1, h), (258, 3, 3, None), (259, 3, 1, 1),
               (262, 3, 1, 2), (273, 4, 1, None), (277, 3, 1, 3), (278, 4, 1, h),
               (279, 4, 1, len(pixels)), (284, 3, 1, 1)]
    ifd_size = 2 + 12 * len(entries) + 4
    bits_at = 8 + ifd_size
    data_at = bits_at + 6
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        value = {258: bits_at, 273: data_at}.get(tag, value)
        short = kind == 3 and tag != 258
        field = struct.pack("<HH", value, 0) if short else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, count) + field
    bits = struct.pack("<3H", 16, 16, 16)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\0\0\0\0" + bits + pixels


def png_rgb16(values: np.ndarray) -> bytes:
    """A 16-bit-per-channel RGB PNG (colour type 2)."""
    h, w, _ = values.shape

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    rows = b"".join(b"\0" + values[y].astype(">u2").tobytes() for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def decode(data: bytes) -> dict:
    out = app_image.image_decode(memoryview(data))
    assert "needs" not in out
    out["image"] = out["pixels"].reshape(out["height"], out["width"], 4)
    return out


def test_tiff_rgb_and_rgba():
    rgb = colours()
    out = decode(encoded(Image.fromarray(rgb), "TIFF"))
    assert (out["width"], out["height"], out["format"], out["notes"]) == (30, 20, "TIFF", "")
    assert np.array_equal(out["image"][..., :3], rgb) and np.all(out["image"][..., 3] == 255)
    rgba = np.dstack([rgb, colours(seed=1)[..., 0]])
    out = decode(encoded(Image.fromarray(rgba), "TIFF", compression="tiff_lzw"))
    assert np.array_equal(out["image"], rgba)


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_16_bit_grey_is_scaled_to_8_bits(fmt):
    grey = (np.arange(600).reshape(20, 30) * 109).astype(np.uint16)
    out = decode(encoded(Image.fromarray(grey), fmt))
    expected = np.rint(grey / 257).astype(np.uint8)
    assert np.array_equal(out["image"][..., 0], expected)
    assert np.array_equal(out["image"][..., 2], expected)
    assert "16-bit grey converted to 8 bits" in out["notes"]


@pytest.mark.parametrize("writer", [tiff_rgb16, png_rgb16])
def test_16_bit_rgb_is_converted_with_a_note(writer):
    values = np.random.default_rng(2).integers(0, 65536, (12, 17, 3)).astype(np.uint16)
    out = decode(writer(values))
    assert out["image"].shape == (12, 17, 4)
    assert np.abs(out["image"][..., :3].astype(int) - values / 257).max() <= 1
    assert "16 bits per channel converted to 8" in out["notes"]


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])
def test_cmyk_is_converted_to_rgb_with_a_note(fmt):
    data = encoded(Image.fromarray(colours()).convert("CMYK"), fmt)
    out = decode(data)
    reference = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert np.array_equal(out["image"][..., :3], reference)
    assert "CMYK converted to RGB" in out["notes"]


def test_multi_page_tiff_takes_the_first_page():
    pages = [Image.fromarray(colours(seed=s)) for s in range(3)]
    out = decode(encoded(pages[0], "TIFF", save_all=True, append_images=pages[1:]))
    assert np.array_equal(out["image"][..., :3], np.asarray(pages[0]))
    assert out["notes"] == "first page of 3"


def test_netpbm_formats():
    rgb = colours()
    out = decode(encoded(Image.fromarray(rgb), "PPM"))
    assert out["format"] == "PPM (Netpbm)" and np.array_equal(out["image"][..., :3], rgb)
    out = decode(encoded(Image.fromarray(rgb[..., 1]), "PPM"))
    assert out["format"] == "PGM (Netpbm)"
    assert np.array_equal(out["image"][..., 0], rgb[..., 1])


def test_palette_transparency_and_orientation_are_kept():
    index = np.zeros((4, 6), np.uint8)
    index[:, 3:] = 1
    paletted = Image.new("P", (6, 4))
    paletted.putdata(index.reshape(-1).tolist())
    paletted.putpalette([0, 0, 0, 250, 20, 20])
    out = decode(encoded(paletted, "PNG", transparency=0))  # index 0 transparent (tRNS)
    assert np.all(out["image"][:, :3, 3] == 0) and np.all(out["image"][:, 3:, 3] == 255)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise for display, as the browser does
    out = decode(encoded(Image.fromarray(colours(4, 6)), "TIFF", exif=exif))
    assert (out["width"], out["height"]) == (4, 6)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bytes(range(7, 250)) * 4, "starts with the bytes 07 08 09"),
        (b"x;y\n1,5;2,5\n" * 20, "it is a text file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "it is a PDF document"),
        (b"\0\0\0\x18ftypheic\0\0\0\0" + bytes(100), "HEIC/HEIF image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG drawing"),
    ],
)
def test_unreadable_files_are_named(data, message):
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        app_image.image_decode(memoryview(data))
    assert "TIFF, PPM/PGM/PBM" in str(caught.value)  # and what does open


def test_damaged_and_oversized_files():
    data = encoded(Image.fromarray(colours()), "TIFF")
    with pytest.raises(ValueError, match="it is a TIFF image, but damaged or cut short"):
        app_image.image_decode(memoryview(data[:300]))
    with pytest.raises(ValueError, match="over the limit of 0.0005 megapixels"):
        _decode.decode_image(data, max_pixels=500)


def test_without_pillow_the_page_is_asked_to_load_it(monkeypatch):
    monkeypatch.setattr(_decode, "pillow_available", lambda: False)
    tiff = encoded(Image.fromarray(colours()), "TIFF")
    assert app_image.image_decode(memoryview(tiff)) == {"needs": "pillow", "format": "TIFF image"}
    ppm = encoded(Image.fromarray(colours()), "PPM")
    assert app_image.image_decode(memoryview(ppm))["format"] == "PPM (Netpbm)"
    with pytest.raises(ValueError, match="PDF document"):  # refused without loading Pillow
        app_image.image_decode(memoryview(b"%PDF-1.4\n"))


def test_the_stated_pillow_size_is_the_wheel_size():
    source = ROOT / "site" / "js" / "panels" / "image" / "decode.js"
    wheels = sorted((ROOT / "dist" / "pyodide").glob("pillow-*.whl"))
    if not source.exists() or not wheels:
        pytest.skip("needs the site sources and a built dist/")
    stated = re.search(r'PILLOW_SIZE = "([\d.]+) MB"', source.read_text()).group(1)
    assert stated == f"{wheels[0].stat().st_size / 1e6:.1f}"
