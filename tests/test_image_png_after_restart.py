"""Download PNG after the worker lost the result: the page sends the image it shows and
its palette, and ``image_png`` reads the labels back from the colors (issue 11's lost
work, left open there). The file must be the one the token path writes."""

from __future__ import annotations

import numpy as np
import pytest

from kmeanslab.app import drain
from kmeanslab.app import image as app_image


def _quantized(rgba: np.ndarray, k: int) -> dict:
    h, w, _ = rgba.shape
    return drain(app_image.image_quantize(memoryview(rgba.tobytes()), w, h, k, random_state=0))[1]


def _png(**args) -> bytes:
    return drain(app_image.image_png(**args))[1]["png"].tobytes()


def _shown(out: dict) -> dict:
    """What the page holds of a result and sends after a restart."""
    return {"rgba": memoryview(out["rgba"].tobytes()), "width": out["width"],
            "height": out["height"], "palette": memoryview(out["palette"].tobytes()),
            "palette_alpha": memoryview(out["palette_alpha"].tobytes())}


@pytest.mark.parametrize("alpha", [False, True])
def test_the_image_on_screen_gives_the_same_png_as_the_token(alpha):
    rng = np.random.default_rng(1)
    h, w = 37, 53
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    a = np.full((h, w), 255, np.uint8)
    if alpha:  # fully transparent and half-transparent pixels: a palette with tRNS
        a[:5] = 0
        a[5:9] = 128
    out = _quantized(np.dstack([rgb, a]), 12)
    by_token = _png(token=out["token"])
    _quantized(np.dstack([rgb[::-1], a]), 5)  # the worker moved on (or restarted)
    with pytest.raises(ValueError, match="no longer in memory"):
        _png(token=out["token"])
    assert _png(**_shown(out)) == by_token


def test_colors_outside_the_palette_are_refused():
    rgb = np.random.default_rng(2).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    out = _quantized(np.dstack([rgb, np.full((20, 30), 255, np.uint8)]), 4)
    shown = _shown(out)
    pixels = out["rgba"].copy()
    pixels[7] ^= 1  # one channel of one pixel off by one
    shown["rgba"] = memoryview(pixels.tobytes())
    with pytest.raises(ValueError, match="colors outside its palette"):
        _png(**shown)
    shown["width"] = 31
    with pytest.raises(ValueError, match="31 x 20"):
        _png(**shown)
