"""Quantization as cooperative steps: it can be stopped between chunks (the page's Cancel).

The worker sees a cancel only between two records of a generator, so every pass over
the pixels must yield; a run stopped early must leave the last result (what the page
shows, and what its PNG download encodes) untouched. Random swap refines the palette
and reports its gain against plain k-means.
"""

from __future__ import annotations

import numpy as np
import pytest

from kmeanslab.app import drain
from kmeanslab.app import image as app_image
from kmeanslab.image import _quantize as q
from kmeanslab.image import _steps


def field(h: int, w: int, seed: int = 0, alpha: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 / w, y * 255 / h, (x + y) * 127 / (w + h) + 60], axis=-1)
    rgb = np.clip(base + rng.normal(0, 15, base.shape), 0, 255).astype(np.uint8)
    a = np.full((h, w, 1), 255, np.uint8)
    if alpha:
        a[: h // 3] = 0
        a[h // 3: h // 2] = 128
    return np.ascontiguousarray(np.concatenate([rgb, a], axis=2))


@pytest.mark.parametrize("dither", ["none", "ordered", "floyd-steinberg"])
@pytest.mark.parametrize("alpha", [False, True])
def test_every_pass_over_the_pixels_yields(monkeypatch, dither, alpha):
    # with chunks of 1,000 pixels, a 60 x 100 image takes several yields per pass; the
    # largest stretch of work between two yields is then far below one pass
    monkeypatch.setattr(_steps, "CHUNK", 1000)
    image = field(60, 100, alpha=alpha)
    steps = q.quantize_image_steps(image, 8, dither=dither, random_state=0)
    stages = []
    while True:
        try:
            stages.append(next(steps))
        except StopIteration as stop:
            result = stop.value
            break
    per_pixel = [s for s in stages if s in ("counting colors", "mapping pixels", "dithering",
                                            "measuring", "reading pixels")]
    assert len(per_pixel) >= 2 * 6  # 6,000 pixels: at least two passes of six chunks
    reference = q.quantize_image(image, 8, dither=dither, random_state=0)
    assert result.mse == pytest.approx(reference.mse)
    assert np.array_equal(result.labels, reference.labels)


def test_a_stopped_run_leaves_the_last_result():
    small = field(20, 30)
    first = drain(app_image.image_quantize(memoryview(small.tobytes()), 30, 20, 4))[1]
    big = field(200, 300, seed=1)
    run = app_image.image_quantize(memoryview(big.tobytes()), 300, 200, 64)
    app_image.REPORT_SECONDS, saved = 0.0, app_image.REPORT_SECONDS
    try:
        for _ in range(5):  # a few records into the work, then Cancel (the worker's close)
            next(run)
    finally:
        app_image.REPORT_SECONDS = saved
    run.close()
    png = drain(app_image.image_png(first["token"]))[1]  # still the first result's image
    assert png["size"] > 0


def test_random_swap_refines_and_reports_its_gain():
    image = field(80, 120, seed=2)[..., :3]
    plain = q.quantize_image(image, 12, random_state=0)
    swapped = q.quantize_image(image, 12, random_state=0, random_swap=True)
    info = swapped.swap
    assert plain.swap is None
    assert info["mse_kmeans"] == pytest.approx(plain.mse)
    assert info["mse"] == pytest.approx(swapped.mse)  # no dithering: the same measure
    assert swapped.mse <= plain.mse
    assert info["tried"] >= info["accepted"] >= 0 and info["seconds"] >= 0
    again = q.quantize_image(image, 12, random_state=0, random_swap=True)
    assert np.array_equal(again.palette, swapped.palette)  # deterministic for a seed
