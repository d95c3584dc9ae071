"""Reading the image files a browser cannot decode (TIFF, PPM/PGM, TGA, ...) with Pillow.

The page decodes JPEG, PNG, WebP, GIF, BMP and AVIF itself; when its decoder fails, the
worker loads Pillow (about 1 MB, only then) and :func:`decode_image` reads the file:
the first page of a multi-page file, 16-bit and floating-point channels scaled to 8
bits, CMYK and other colour spaces converted to RGB, transparency kept as RGBA, each
change stated in a note. :func:`identify` names a file's format from its first bytes
(no Pillow needed), so that a refusal says what the file is.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._histogram import MAX_PIXELS

#: what opens, for the refusal messages
WORKING = ("JPEG, PNG, WebP, GIF, BMP and AVIF (read by the browser); TIFF, PPM/PGM/PBM, "
           "TGA, ICO, PCX, QOI, DDS, PSD and the other formats Pillow reads")
#: formats that are not raster images, or that neither the browser nor Pillow reads:
#: refused without loading Pillow, with what to do instead
NOT_READABLE = {
    "PDF document": "export the page as PNG or JPEG first",
    "PostScript/EPS file": "export it as PNG first",
    "SVG drawing": "it is a vector drawing; export it as PNG first",
    "HEIC/HEIF image": "neither this browser nor Pillow reads it; export it as JPEG first",
    "JPEG XL image": "neither this browser nor Pillow reads it; export it as PNG first",
    "ZIP archive (or an Office document)": "unpack it and choose the image inside",
    "video file": "take a still frame as PNG first",
    "audio file": "choose an image",
    "text file": "choose an image",
}


def _netpbm(head: bytes) -> str | None:
    if len(head) >= 3 and head[:1] == b"P" and head[2:3] in b" \t\r\n#":
        return {b"1": "PBM (Netpbm)", b"2": "PGM (Netpbm)", b"3": "PPM (Netpbm)",
                b"4": "PBM (Netpbm)", b"5": "PGM (Netpbm)", b"6": "PPM (Netpbm)",
                b"7": "PAM (Netpbm)"}.get(head[1:2])
    return None


def _iso_media(head: bytes) -> str | None:
    if head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand in (b"avif", b"avis"):
        return "AVIF image"
    if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
        return "HEIC/HEIF image"
    if brand == b"jxl ":
        return "JPEG XL image"
    return "video file"


def _text(head: bytes) -> str | None:
    sample = head[:512]
    if sample.lstrip().lower().startswith((b"<svg", b"<?xml")) and b"<svg" in head.lower():
        return "SVG drawing"
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in sample)
    return "text file" if sample and printable == len(sample) else None


_SIGNATURES: list[tuple[bytes | Callable[[bytes], str | None], str]] = [
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (lambda h: "WebP image" if h[:4] == b"RIFF" and h[8:12] == b"WEBP" else None, ""),
    (b"BM", "BMP image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"II+\x00", "BigTIFF image"),
    (b"MM\x00+", "BigTIFF image"),
    (b"%PDF", "PDF document"),
    (b"%!PS", "PostScript/EPS file"),
    (b"\xc5\xd0\xd3\xc6", "PostScript/EPS file"),
    (b"8BPS", "Photoshop (PSD) image"),
    (b"\x00\x00\x01\x00", "ICO icon"),
    (b"icns", "ICNS icon"),
    (b"DDS ", "DDS texture"),
    (b"qoif", "QOI image"),
    (b"\xff\x0a", "JPEG XL image"),
    (b"\x00\x00\x00\x0cJXL ", "JPEG XL image"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000 image"),
    (b"\xff\x4f\xff\x51", "JPEG 2000 image"),
    (b"PK\x03\x04", "ZIP archive (or an Office document)"),
    (b"\x1a\x45\xdf\xa3", "video file"),
    (b"OggS", "audio file"),
    (b"ID3", "audio file"),
    (b"fLaC", "audio file"),
    (_netpbm, ""),
    (_iso_media, ""),
    (_text, ""),
]


def identify(data: bytes) -> str | None:
    """The format of a file from its first bytes ("TIFF image", "PDF document", ...), or None."""
    head = bytes(data[:1024])
    for signature, name in _SIGNATURES:
        if isinstance(signature, bytes):
            if head.startswith(signature):
                return name
        elif (found := signature(head)) is not None:
            return found
    return None


def pillow_available() -> bool:
    """Whether Pillow can be imported (in the page: whether it has been loaded)."""
    return importlib.util.find_spec("PIL") is not None


def refusal(data: bytes) -> str | None:
    """Why a file cannot be read without trying Pillow (a non-image format), or None."""
    kind = identify(data)
    if kind in NOT_READABLE:
        return f"it is a {kind}, not an image this page can read: {NOT_READABLE[kind]}. " \
               f"Images that open here: {WORKING}."
    return None


@dataclass
class DecodedImage:
    """An image file read by Pillow: RGBA pixels, the format's name and what was changed."""

    pixels: np.ndarray  # (H, W, 4) uint8, straight RGBA
    format: str
    notes: list[str] = field(default_factory=list)


def decode_image(data: bytes, max_pixels: int = MAX_PIXELS) -> DecodedImage:
    """Read an image file with Pillow into 8-bit RGBA.

    Raises ``ValueError`` naming the format when the file is not an image Pillow
    reads, is damaged, or has more than ``max_pixels`` pixels (checked from the
    header, before decoding), and ``ModuleNotFoundError`` when Pillow is missing.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    data = bytes(data)
    reason = refusal(data)
    if reason:
        raise ValueError(reason)
    kind = identify(data)
    try:
        im = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        what = f"it looks like a {kind}, but Pillow cannot read it ({err})" if kind else \
            f"its format (it starts with the bytes {data[:8].hex(' ')}) is not one this " \
            "browser or Pillow knows"
        raise ValueError(f"{what}. Images that open here: {WORKING}.") from None
    name = kind or f"{im.format} image"
    w, h = im.size
    if w * h > max_pixels:
        raise ValueError(f"it is a {name} of {w:,} x {h:,} = {w * h / 1e6:.1f} megapixels, over "
                         f"the limit of {max_pixels / 1e6:g} megapixels. Scale it down first.")
    notes = []
    pages = int(getattr(im, "n_frames", 1) or 1)
    if pages > 1:
        noun = "frame" if im.format in ("GIF", "PNG", "WEBP", "FLI") else "page"
        notes.append(f"first {noun} of {pages}")
    try:
        im.seek(0)
        im.load()
        deep = _deep(im, data)
        im = ImageOps.exif_transpose(im) or im  # as the browser does (image-orientation)
        pixels, changes = _to_rgba(im, deep)
    except (OSError, ValueError, SyntaxError, EOFError) as err:
        raise ValueError(f"it is a {name}, but damaged or cut short ({err}). "
                         f"Images that open here: {WORKING}.") from None
    return DecodedImage(pixels, name.removesuffix(" image"), notes + changes)


def _deep(im, data: bytes) -> bool:
    """Whether the file stores more than 8 bits per colour channel, which Pillow reads
    as 8 for RGB (the grey modes "I;16", "I", "F" are scaled by :func:`_to_rgba`)."""
    if im.format == "TIFF":
        bits = im.tag_v2.get(258, 8)
        return max(bits if isinstance(bits, tuple) else (bits,)) > 8
    if im.format == "PNG":
        return len(data) > 24 and data[24] == 16  # the IHDR bit depth
    if im.format == "PPM":
        fields = b" ".join(line.split(b"#")[0] for line in data[:512].splitlines()).split()
        return len(fields) >= 4 and fields[0] in (b"P3", b"P6") and fields[3].isdigit() \
            and int(fields[3]) > 255
    return False


def _to_rgba(im, deep: bool) -> tuple[np.ndarray, list[str]]:
    """(H, W, 4) uint8 RGBA of a loaded Pillow image, and notes on what was converted."""
    notes = []
    mode = im.mode
    if mode.startswith("I") or mode == "F":
        grey = _scale_to_8_bits(np.asarray(im), notes)
        rgba = np.empty(grey.shape + (4,), np.uint8)
        rgba[..., :3] = grey[..., None]
        rgba[..., 3] = 255
        return rgba, notes
    if deep:
        notes.append("16 bits per channel converted to 8")
    if mode in ("CMYK", "YCbCr", "LAB", "HSV"):
        notes.append(f"{mode} converted to RGB (without a colour profile)")
    alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info
    rgba = np.asarray(im.convert("RGBA" if alpha else "RGB"))
    if not alpha:
        rgba = np.concatenate([rgba, np.full(rgba.shape[:2] + (1,), 255, np.uint8)], axis=2)
    return np.ascontiguousarray(rgba, dtype=np.uint8), notes


def _scale_to_8_bits(values: np.ndarray, notes: list[str]) -> np.ndarray:
    """Grey values of any depth to uint8: 16-bit by /257, float in [0, 1] by *255, other
    ranges stretched from their minimum to their maximum."""
    v = values.astype(np.float64)
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 0.0)
    if values.dtype.kind == "f":
        if lo >= 0 and hi <= 1:
            notes.append("floating-point grey (0 to 1) converted to 8 bits")
            return np.rint(v * 255).astype(np.uint8)
    elif lo >= 0 and hi <= 65535:
        notes.append("16-bit grey converted to 8 bits")
        return np.rint(v / 257).astype(np.uint8)
    notes.append(f"grey values from {lo:g} to {hi:g} stretched to 0-255")
    span = hi - lo if hi > lo else 1.0
    return np.rint((v - lo) * (255 / span)).astype(np.uint8)
