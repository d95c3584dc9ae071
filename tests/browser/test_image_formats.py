"""The Image panel with files the browser cannot decode, and with transparency.

TIFF and PPM files open through Pillow in the worker, loaded only when the browser's
decoder fails (issue 16, item 5). A logo with a transparent background keeps its
transparency through quantization, the measures and the downloaded PNG (item 6).
Fixture images are made here with Pillow; nothing binary is in git.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from kmeanslab.image import _quantize as q

QUANTIZED = "#panel-image canvas.quantized"
ORIGINAL = "#panel-image canvas.original"
PIXELS_JS = """(selector) => {
  const c = document.querySelector(selector);
  return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
}"""
# Whether the worker still needs Pillow: image_decode answers {needs: "pillow"} until
# it is loaded (the bytes are a TIFF header).
NEEDS_PILLOW_JS = """async () => {
  const r = await window.kmeanslab.engine.call('image_decode',
    {data: new Uint8Array([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0])}).catch((e) => ({error: e.message}));
  return r.needs === 'pillow';
}"""
# Every message the status line shows, however briefly.
WATCH_STATUS_JS = """() => {
  window.__statusLog = [];
  const el = document.getElementById('status');
  new MutationObserver(() => window.__statusLog.push(el.textContent))
    .observe(el, {childList: true, characterData: true, subtree: true});
}"""


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def photo_like(h: int = 60, w: int = 80, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 / w, y * 255 / h, (x + y) * 127 / (w + h) + 60], axis=-1)
    return np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)


def logo(scale: int = 4) -> np.ndarray:
    """400 x 300 RGBA: transparent background, a red disc, a half-transparent blue
    square over part of it; drawn at ``scale`` times the size and reduced, so the
    edges are antialiased (partly transparent), as real logos are."""
    s = scale
    base = Image.new("RGBA", (400 * s, 300 * s), (255, 255, 255, 0))
    ImageDraw.Draw(base).ellipse((40 * s, 50 * s, 240 * s, 250 * s), fill=(220, 20, 30, 255))
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).rectangle((190 * s, 90 * s, 350 * s, 250 * s), fill=(20, 60, 230, 128))
    small = Image.alpha_composite(base, layer).resize((400, 300), Image.Resampling.BOX)
    return np.asarray(small)


def upload(page, name: str, data: bytes, mime: str) -> None:
    page.get_by_label("Choose an image…").set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )


def quantized_ok(page, name: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(f"Quantized {name} to", timeout=90_000)
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=60_000)


def canvas_rgba(page, selector: str) -> np.ndarray:
    size = page.locator(selector).evaluate("c => [c.height, c.width]")
    return np.array(page.evaluate(PIXELS_JS, selector), dtype=np.uint8).reshape(*size, 4)


@pytest.fixture
def image_panel(app):
    app.get_by_role("link", name="Image").click()
    expect(app.get_by_label("Colors (k)")).to_be_visible()
    # the panel opens on the chapter's photo once Python is idle: let that finish first
    expect(app.locator("#panel-image .image-name")).to_contain_text("china.jpg", timeout=60_000)
    expect(app.locator("html")).to_have_attribute("data-state", "ready")
    app.evaluate(WATCH_STATUS_JS)
    return app


def test_tiff_and_ppm_open_through_pillow_loaded_only_for_them(image_panel):
    page = image_panel
    name_line = page.locator("#panel-image .image-name")
    page.get_by_label("Colors (k)").fill("6")
    upload(page, "plain.png", encoded(Image.fromarray(photo_like(seed=3)), "PNG"), "image/png")
    quantized_ok(page, "plain.png")
    assert page.evaluate(NEEDS_PILLOW_JS), "Pillow was loaded for a PNG the browser decodes"
    assert not any("Pillow" in m for m in page.evaluate("window.__statusLog"))

    first, second = photo_like(seed=1), photo_like(seed=2)
    tiff = encoded(Image.fromarray(first), "TIFF", save_all=True,
                   append_images=[Image.fromarray(second)])
    upload(page, "scan.tif", tiff, "image/tiff")
    quantized_ok(page, "scan.tif")
    assert any(m.startswith("Loading Pillow (1.0 MB, once) to read TIFF image")
               for m in page.evaluate("window.__statusLog"))
    expect(name_line).to_contain_text("scan.tif · 80 × 60 px")
    expect(name_line).to_contain_text("TIFF, read with Pillow (first page of 2)")
    assert np.array_equal(canvas_rgba(page, ORIGINAL)[..., :3], first)
    native = q.quantize_image(first, 6, random_state=0)
    expect(page.locator('[data-measure="psnr"]')).to_have_text(f"{native.psnr:.2f} dB")
    shown = canvas_rgba(page, QUANTIZED)
    assert np.array_equal(shown[..., :3], native.palette[native.labels])
    assert not page.evaluate(NEEDS_PILLOW_JS)

    third = photo_like(50, 70, seed=4)
    upload(page, "frame.ppm", encoded(Image.fromarray(third), "PPM"), "image/x-portable-pixmap")
    quantized_ok(page, "frame.ppm")
    expect(name_line).to_contain_text("frame.ppm · 70 × 50 px")
    expect(name_line).to_contain_text("PPM (Netpbm), read with Pillow")
    assert np.array_equal(canvas_rgba(page, ORIGINAL)[..., :3], third)
    native = q.quantize_image(third, 6, random_state=0)
    expect(page.locator('[data-measure="mse"]')).to_have_text(f"{native.mse:.2f}")

    upload(page, "mystery.img", bytes(range(7, 250)) * 4, "application/octet-stream")
    error = page.locator('#panel-image [data-msg="file"]')
    expect(error).to_contain_text("“mystery.img” could not be read as an image")
    expect(error).to_contain_text("starts with the bytes 07 08 09")
    expect(error).to_contain_text("TIFF, PPM/PGM/PBM")
    expect(error).to_contain_text("previous result is still shown")


def test_logo_keeps_its_transparency(image_panel, tmp_path):
    page = image_panel
    page.get_by_label("Colors (k)").fill("4")
    upload(page, "logo.png", encoded(Image.fromarray(logo()), "PNG"), "image/png")
    quantized_ok(page, "logo.png")

    original = canvas_rgba(page, ORIGINAL)  # what the page quantized, as the browser decoded it
    native = q.quantize_image(original, 4, random_state=0)
    assert native.palette.shape == (4, 4) and native.mse > 0
    expect(page.locator('[data-measure="mse"]')).to_have_text(f"{native.mse:.2f}")
    expect(page.locator('[data-measure="psnr"]')).to_have_text(f"{native.psnr:.2f} dB")
    expect(page.locator('[data-measure="psnr"]')).not_to_contain_text("identical")
    expect(page.locator("#panel-image .note")).to_contain_text("premultiplied RGBA")

    shown = canvas_rgba(page, QUANTIZED)
    expected = native.palette[native.labels]
    assert np.array_equal(shown[..., 3], expected[..., 3])
    # a canvas stores colours premultiplied: a half-transparent one reads back within 2
    diff = np.abs(shown[..., :3].astype(int) - expected[..., :3])[expected[..., 3] > 0]
    assert diff.max() <= 2
    clear = original[..., 3] == 0
    assert clear.mean() > 0.5 and np.all(shown[clear][:, 3] == 0)  # background stays clear
    assert 100 <= shown[150, 300, 3] <= 155  # the blue square stays half transparent
    assert shown[150, 100, 3] == 255  # the disc stays opaque
    background = page.locator(QUANTIZED).evaluate("c => getComputedStyle(c).backgroundImage")
    assert "conic-gradient" in background  # transparency drawn over a checkerboard
    expect(page.locator(".swatches li code", has_text="#00000000")).to_have_count(1)

    with page.expect_download() as info:
        page.get_by_role("button", name="Download PNG").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    saved = Image.open(path)
    assert saved.mode == "P" and "transparency" in saved.info
    assert np.array_equal(np.asarray(saved.convert("RGBA")), native.palette[native.labels])
    expect(page.locator(".download-info")).to_contain_text("with transparency")

    page.get_by_label("Dithering").select_option("floyd-steinberg")
    dithered = q.quantize_image(original, 4, dither="floyd-steinberg", random_state=0)
    psnr = page.locator('[data-measure="psnr"]')
    expect(psnr).not_to_have_text(f"{native.psnr:.2f} dB")
    expect(page.locator("html")).to_have_attribute("data-state", "ready")
    # float32 products differ in the last bits between wasm and native NumPy: a few
    # pixels may take the other of two equally near colours
    assert float(psnr.inner_text().split()[0]) == pytest.approx(dithered.psnr, abs=0.05)
    shown = canvas_rgba(page, QUANTIZED)
    assert np.all(shown[clear][:, 3] == 0)
