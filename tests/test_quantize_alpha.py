"""Quantization of images with transparency (issue 16, item 6), and the degenerate images.

The reported case: a 400 x 300 PNG logo with a transparent background, a red disc and
a half-transparent blue square, quantized to 4 colours, came back opaque with "MSE
0.00, PSNR infinite (identical)". Images with alpha below 255 are now quantized in
premultiplied RGBA (see kmeanslab.image._alpha); opaque ones keep the RGB path.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

from kmeanslab.app import drain
from kmeanslab.app import image as app_image
from kmeanslab.image import _quantize as q
from kmeanslab.image._png import write_indexed_png

DITHERS = ["none", "ordered", "floyd-steinberg"]


def logo(scale: int = 4) -> np.ndarray:
    """The reported logo, drawn without Pillow: a red disc and a half-transparent blue
    square over part of it on a transparent background, supersampled ``scale`` times
    so that the edges are partly transparent, as a real logo's are."""
    s = scale
    y, x = (np.mgrid[0:300 * s, 0:400 * s] + 0.5) / s
    disc = (x - 140) ** 2 + (y - 150) ** 2 <= 100**2
    square = (x >= 190) & (x < 350) & (y >= 90) & (y < 250)
    big = np.zeros((300 * s, 400 * s, 4))
    big[..., :3] = (255, 255, 255)  # the background's colour is white, and invisible
    big[disc] = (220, 20, 30, 255)
    # the square over it with alpha 128/255 ("over" compositing, straight colours)
    a_top, a_under = 128 / 255, big[..., 3] / 255
    a_out = a_top + a_under * (1 - a_top)
    blend = (np.array([20, 60, 230]) * a_top
             + big[..., :3] * (a_under * (1 - a_top))[..., None]) / a_out[..., None]
    big[square, :3] = blend[square]
    big[square, 3] = 255 * a_out[square]
    small = big.reshape(300, s, 400, s, 4)
    alpha = small[..., 3].mean(axis=(1, 3))
    rgb = (small[..., :3] * small[..., 3:]).mean(axis=(1, 3)) / np.maximum(alpha, 1e-9)[..., None]
    out = np.zeros((300, 400, 4), np.uint8)
    out[..., :3] = np.clip(np.rint(rgb), 0, 255)
    out[..., 3] = np.rint(alpha)
    out[out[..., 3] == 0, :3] = (255, 255, 255)
    return out


@pytest.fixture(scope="module")
def image():
    return logo()


@pytest.mark.parametrize("dither", DITHERS)
def test_logo_keeps_transparency_and_measures_the_change(image, dither):
    result = q.quantize_image(image, 4, dither=dither, random_state=0)
    palette, labels = result.palette, result.labels
    assert palette.shape == (4, 4)
    clear = np.flatnonzero(palette[:, 3] == 0)
    assert palette[clear].tolist() == [[0, 0, 0, 0]]  # one transparent entry
    background = image[..., 3] == 0
    assert np.all(labels[background] == clear[0])  # every transparent pixel on it
    # the disc stays opaque red, the square half-transparent blue
    assert palette[labels[150, 100]].tolist() == [220, 20, 30, 255]
    r, g, b, a = palette[labels[150, 300]]
    assert b > 200 and r < 60 and 110 <= a <= 140
    # the measures count what changed (the antialiased edges), and say the truth
    quantized = palette[labels]
    assert result.mse > 0 and np.isfinite(result.psnr)
    assert result.mse == pytest.approx(q.mse(image, quantized), rel=1e-9)
    assert result.psnr == pytest.approx(q.psnr(image, quantized), rel=1e-9)
    assert result.counts.sum() == image.shape[0] * image.shape[1]


def test_logo_png_has_its_alpha(image):
    from_pil = pytest.importorskip("PIL.Image")
    result = q.quantize_image(image, 4, random_state=0)
    data = write_indexed_png(result.labels, result.palette)
    assert b"tRNS" in data
    decoded = from_pil.open(io.BytesIO(data))
    assert decoded.mode == "P" and "transparency" in decoded.info
    assert np.array_equal(np.asarray(decoded.convert("RGBA")), result.palette[result.labels])


def test_mse_is_zero_only_when_the_image_looks_the_same(image):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        exact = q.quantize_image(image, 256, random_state=0)
    assert exact.mse == 0 and exact.psnr == float("inf")
    shown = exact.palette[exact.labels]
    visible = image[..., 3] > 0
    assert np.array_equal(shown[visible], image[visible])
    assert np.all(shown[~visible] == 0)  # the invisible white became (0, 0, 0, 0)
    # over premultiplied RGBA: RGB under alpha 0 counts nothing, any visible change does
    changed = image.copy()
    changed[~visible, :3] = 7
    assert q.mse(image, changed) == 0
    changed[150, 300, 3] -= 1
    assert q.mse(image, changed) > 0
    a = np.array([[[255, 0, 0, 255]]], np.uint8)
    b = np.array([[[255, 0, 0, 128]]], np.uint8)
    assert q.mse(a, b) == pytest.approx((127**2 + 127**2) / 4)  # (255,0,0,255)-(128,0,0,128)


def test_transparent_pixels_share_one_entry_whatever_their_rgb():
    rng = np.random.default_rng(1)
    image = np.zeros((30, 40, 4), np.uint8)
    image[..., :3] = rng.integers(0, 256, (30, 40, 3))  # stored colours, never shown
    image[10:20, 10:30] = (0, 128, 255, 255)
    image[12:18, 12:28, :3] += rng.integers(0, 40, (6, 16, 3)).astype(np.uint8)
    result = q.quantize_image(image, 3, random_state=0)
    assert result.n_colors_in == 1 + len(np.unique(image[10:20, 10:30].reshape(-1, 4), axis=0))
    clear = result.labels[image[..., 3] == 0]
    assert np.all(clear == clear[0]) and result.palette[clear[0]].tolist() == [0, 0, 0, 0]
    assert np.all(result.palette[result.labels[10:20, 10:30], 3] == 255)


@pytest.mark.parametrize("method", ["kmeans", "minibatch"])
def test_translucent_photo_is_quantized_in_rgba(method):
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (60, 70, 4), dtype=np.uint8)  # every alpha, no clear pixel
    image[..., 3] = np.clip(image[..., 3], 1, 255)
    result = q.quantize_image(image, 8, method=method, random_state=0)
    assert result.palette.shape == (8, 4) and result.labels.max() < 8
    assert result.mse == pytest.approx(q.mse(image, result.palette[result.labels]), rel=1e-9)
    # it beats the opaque answer, which ignores alpha
    flat = q.quantize_image(image[..., :3], 8, method=method, random_state=0)
    opaque = np.dstack([flat.palette[flat.labels], np.full((60, 70), 255, np.uint8)])
    assert result.mse < q.mse(image, opaque)


def test_one_or_two_colours_with_transparency(image):
    one = q.quantize_image(image, 1, random_state=0)  # no room for a reserved entry
    assert one.palette.shape == (1, 4) and np.all(one.labels == 0)
    two = q.quantize_image(image, 2, random_state=0)
    assert [0, 0, 0, 0] in two.palette.tolist()
    assert two.mse < one.mse


def test_opaque_images_keep_the_rgb_path(monkeypatch):
    # the palette and counts the RGB path gave before transparency was handled
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:40, 0:50]
    base = np.stack([x * 255 / 50, y * 255 / 40, (x + y) * 127 / 90 + 60], axis=-1)
    rgb = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
    rgba = np.dstack([rgb, np.full((40, 50), 255, np.uint8)])

    def no_rgba_path(*args, **kwargs):
        raise AssertionError("an opaque image went through the RGBA path")

    monkeypatch.setattr(q, "quantize_rgba", no_rgba_path)
    result = q.quantize_image(rgba, 6, random_state=0)
    assert result.palette.tolist() == [[58, 189, 118], [181, 135, 141], [114, 57, 104],
                                       [191, 215, 160], [34, 61, 82], [208, 46, 127]]
    assert result.counts.tolist() == [469, 330, 320, 310, 303, 268]
    assert result.mse == pytest.approx(766.2255)
    assert b"tRNS" not in write_indexed_png(result.labels, result.palette)


@pytest.mark.parametrize("pixel", [(10, 20, 30, 255), (10, 20, 30, 100), (10, 20, 30, 0)])
@pytest.mark.parametrize("dither", DITHERS)
def test_single_pixel(pixel, dither):
    image = np.array([[pixel]], np.uint8)
    with pytest.warns(UserWarning, match="only 1 distinct color"):
        result = q.quantize_image(image, 16, dither=dither)
    expected = list(pixel) if pixel[3] else [0, 0, 0, 0]
    assert result.palette.tolist() == [expected[:3] if pixel[3] == 255 else expected]
    assert result.labels.tolist() == [[0]] and result.mse == 0


@pytest.mark.parametrize("colour", [(200, 100, 50, 255), (200, 100, 50, 128), (9, 9, 9, 0)])
def test_single_colour_image_with_k_above_its_colours(colour):
    image = np.empty((20, 30, 4), np.uint8)
    image[:] = colour
    if colour[3] == 0:  # invisible colours vary: still one colour
        image[..., :3] = np.random.default_rng(0).integers(0, 256, (20, 30, 3))
    for k in (1, 2, 256):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            result = q.quantize_image(image, k, dither="floyd-steinberg", random_state=0)
        assert len(result.palette) == 1 and result.n_colors_out == 1 and result.mse == 0
        assert np.all(result.labels == 0)
        assert "only 1 distinct color" in str(caught[0].message)


def test_few_colours_with_transparency_note():
    image = np.zeros((10, 10, 4), np.uint8)
    image[:5] = (255, 0, 0, 255)
    image[5:, 5:] = (0, 0, 255, 90)
    with pytest.warns(UserWarning, match=r"only 3 distinct colors \(all fully transparent"):
        result = q.quantize_image(image, 8)
    assert sorted(map(tuple, result.palette.tolist())) == [
        (0, 0, 0, 0), (0, 0, 255, 90), (255, 0, 0, 255)]


def test_worker_operation_with_transparency(image):
    h, w, _ = image.shape
    out = drain(app_image.image_quantize(memoryview(image.tobytes()), w, h, 4,
                                         dither="ordered"))[1]
    native = q.quantize_image(image, 4, dither="ordered", random_state=0)
    assert out["transparent"] is True
    assert np.array_equal(out["rgba"].reshape(h, w, 4), native.palette[native.labels])
    assert np.array_equal(out["palette"].reshape(-1, 3), native.palette[:, :3])
    assert np.array_equal(out["palette_alpha"], native.palette[:, 3])
    assert "premultiplied RGBA" in out["note"]
    cloud = out["cloud"]
    assert cloud["channels"] == 4 and cloud["hidden"] == int((image[..., 3] == 0).sum())
    assert cloud["before"].shape == (10_000, 4) and np.all(cloud["before"][:, 3] > 0)
    assert cloud["after"].shape == (10_000, 4)
    png = drain(app_image.image_png(out["token"]))[1]["png"].tobytes()
    assert b"tRNS" in png


def test_worker_operation_opaque_unchanged():
    rng = np.random.default_rng(5)
    rgba = rng.integers(0, 256, (30, 40, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    out = drain(app_image.image_quantize(memoryview(rgba.tobytes()), 40, 30, 5))[1]
    assert out["transparent"] is False and out["note"] == ""
    assert np.all(out["palette_alpha"] == 255) and np.all(out["rgba"].reshape(-1, 4)[:, 3] == 255)
    assert out["cloud"]["channels"] == 3 and out["cloud"]["before"].shape == (1200, 3)


@pytest.mark.parametrize("k", [1, 2, 3, 16, 17, 256])
def test_png_writer_writes_trns(k):
    from_pil = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(k)
    labels = rng.integers(0, k, size=(5, 9)).astype(np.uint8)
    palette = rng.integers(0, 256, size=(k, 4)).astype(np.uint8)
    palette[-1, 3] = 255  # trailing opaque entries are left out of tRNS
    decoded = from_pil.open(io.BytesIO(write_indexed_png(labels, palette)))
    assert np.array_equal(np.asarray(decoded.convert("RGBA")), palette[labels])
    with pytest.raises(ValueError, match=r"palette has shape \(3, 2\)"):
        write_indexed_png(labels, np.zeros((3, 2), np.uint8))
