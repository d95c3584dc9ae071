"""The Image panel in Chromium: upload, quantize, compare, download, refuse bad input.

Fixture images are made here with Pillow (nothing binary in git). The PSNR the page
shows is checked against kmeanslab.quantize run natively on the same pixels.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from canvas_pixels import color_counts
from PIL import Image
from playwright.sync_api import expect

from kmeanslab.image import _quantize as q

QUANTIZED = "#panel-image canvas.quantized"
ORIGINAL = "#panel-image canvas.original"


def png_bytes(image: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="PNG")
    return out.getvalue()


def photo_like(h: int = 90, w: int = 120, seed: int = 0) -> np.ndarray:
    """A smooth color field with noise: thousands of distinct colors."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 / w, y * 255 / h, (x + y) * 127 / (w + h) + 60], axis=-1)
    return np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)


def header_only_png(width: int, height: int) -> bytes:
    """A PNG signature and IHDR claiming a size, and nothing else."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk


def upload(page, name: str, data: bytes, mime: str = "image/png") -> None:
    page.get_by_label("Choose an image…").set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )


def wait_ready(page) -> None:
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=60_000)


@pytest.fixture
def image_panel(app):
    app.get_by_role("link", name="Image").click()
    expect(app.get_by_label("Colors (k)")).to_be_visible()
    # the panel opens on the chapter's photo once Python is idle: let that finish first
    expect(app.locator("#panel-image .image-name")).to_contain_text("china.jpg", timeout=60_000)
    expect(app.locator("html")).to_have_attribute("data-state", "ready")
    return app


def quantize_upload(page, name: str, image: np.ndarray, k: int) -> None:
    page.get_by_label("Colors (k)").fill(str(k))
    upload(page, name, png_bytes(image))
    status = page.get_by_role("status")
    expect(status).to_contain_text(f"Quantized {name} to", timeout=60_000)
    wait_ready(page)


#: Resolves once the page heard how saving the start-up snapshot went (or after 90 s).
SNAPSHOT_DONE_JS = """() => new Promise((resolve) => {
  const engine = window.kmeanslab.engine;
  if (engine.snapshotStore) return resolve(engine.snapshotStore.outcome);
  engine.addEventListener("snapshot", () => resolve(engine.snapshotStore.outcome), { once: true });
  setTimeout(() => resolve(null), 90000);
})"""


def test_upload_quantize_download_and_no_request(image_panel, tmp_path):
    page = image_panel
    image = photo_like()
    page.wait_for_load_state("networkidle")  # start-up fetches (and any update check) are over
    # and the start-up snapshot's maker (a worker after ready, a few seconds: it loads and
    # imports NumPy and kmeanslab aside, from this origin's files) is done
    page.evaluate(SNAPSHOT_DONE_JS)
    requests: list[str] = []
    # (Chromium asks for the favicon again when the panel writes its settings into the
    # URL: a GET of a static file, nothing of the picture)
    page.on("request", lambda r: requests.append(r.url) if "favicon" not in r.url else None)
    quantize_upload(page, "field.png", image, 8)
    assert requests == [], f"quantizing an uploaded file made requests: {requests}"

    counts = color_counts(page, QUANTIZED)
    assert 1 < len(counts) <= 8
    assert sum(counts.values()) == 90 * 120  # full resolution, exact colors
    native = q.quantize_image(image, 8, random_state=0)
    expect(page.locator('[data-measure="psnr"]')).to_have_text(f"{native.psnr:.2f} dB")
    expect(page.locator('[data-measure="mse"]')).to_have_text(f"{native.mse:.2f}")
    expect(page.locator('[data-measure="n_colors_in"]')).to_have_text(f"{native.n_colors_in:,}")
    expect(page.locator(".swatches li")).to_have_count(8)
    r, g, b = native.palette[0]
    assert page.locator(".swatches li code").first.inner_text() == f"#{r:02x}{g:02x}{b:02x}"

    with page.expect_download() as info:
        page.get_by_role("button", name="Download PNG").click()
    download = info.value
    assert download.suggested_filename == "field-8colors.png"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    saved = Image.open(path)
    assert saved.mode == "P" and saved.size == (120, 90)
    rgb = np.asarray(saved.convert("RGB"))
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) <= 8
    assert np.array_equal(rgb, native.palette[native.labels])
    expect(page.locator(".download-info")).to_contain_text("field-8colors.png")
    expect(page.locator(".download-info")).to_contain_text(f"{path.stat().st_size / 1024:.1f} KB")

    page.get_by_label("Dithering").select_option("floyd-steinberg")
    dithered = q.quantize_image(image, 8, dither="floyd-steinberg", random_state=0)
    expect(page.locator('[data-measure="psnr"]')).to_have_text(f"{dithered.psnr:.2f} dB")
    wait_ready(page)
    assert len(color_counts(page, QUANTIZED)) <= 8
    assert requests == []


def test_sample_and_split_view(image_panel):
    page = image_panel
    page.get_by_role("button", name="flower.jpg").click()
    expect(page.get_by_role("status")).to_contain_text("Quantized flower.jpg", timeout=60_000)
    expect(page.locator('[data-measure="n_colors_out"]')).to_have_text("16")
    wait_ready(page)
    slider = page.get_by_label("Split position")
    expect(slider).to_be_hidden()
    page.get_by_label("Split", exact=True).check()
    expect(slider).to_have_value("50")
    stage = page.locator("#panel-image .compare-stage")
    box = page.locator(QUANTIZED).bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.5, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.2, y, steps=4)
    page.mouse.up()
    split = int(slider.input_value())
    assert 17 <= split <= 23
    pane = page.locator("#panel-image .pane-quantized")
    assert f"{split}%" in pane.evaluate("e => getComputedStyle(e).clipPath")
    slider.focus()
    before = int(slider.input_value())
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_value(str(before + 1))
    assert stage.evaluate("e => e.style.getPropertyValue('--split')") == f"{before + 1}%"
    page.get_by_label("Zoom").select_option("4")
    width = page.locator(QUANTIZED).evaluate("c => c.getBoundingClientRect().width")
    dpr = page.evaluate("devicePixelRatio")
    assert width == pytest.approx(4 * 640 / dpr, rel=0.01)  # crisp 4x of the natural width


def test_bad_inputs_keep_the_previous_result(image_panel):
    page = image_panel
    quantize_upload(page, "first.png", photo_like(seed=1), 6)
    psnr = page.locator('[data-measure="psnr"]').inner_text()
    error = page.locator('#panel-image [data-msg="file"]')
    bad = [
        ("notes.jpg", b"this is a text file, not a JPEG\n" * 4, "image/jpeg",
         "could not be read as an image"),
        ("cut.png", png_bytes(photo_like())[:120], "image/png", "could not be read as an image"),
        ("empty.png", b"", "image/png", "is empty"),
        ("zero.png", header_only_png(0, 10), "image/png", "has no pixels"),
        ("huge.png", header_only_png(8000, 7000), "image/png", "limit of 50 megapixels"),
    ]
    for name, data, mime, message in bad:
        upload(page, name, data, mime)
        expect(error).to_contain_text(message)
        expect(error).to_contain_text(name)
        expect(error).to_contain_text("previous result is still shown")
        wait_ready(page)
        expect(page.locator('[data-measure="psnr"]')).to_have_text(psnr)
        assert 1 < len(color_counts(page, QUANTIZED)) <= 6
    expect(page.locator("#panel-image .image-name")).to_contain_text("first.png")

    page.get_by_label("Colors (k)").fill("300")
    page.get_by_role("button", name="Quantize").click()
    fields = page.locator('#panel-image [data-msg="fields"]')
    expect(fields).to_contain_text("Colors (k) must be from 2 to 256")
    expect(fields).to_contain_text("previous result is still shown")
    expect(error).to_be_hidden()  # one message, next to the control it is about
    expect(page.get_by_label("Colors (k)")).to_have_attribute("aria-invalid", "true")
    expect(page.locator('[data-measure="psnr"]')).to_have_text(psnr)

    three = np.zeros((20, 30, 3), np.uint8)
    three[:, 10:20] = (250, 10, 10)
    three[:, 20:] = (10, 10, 250)
    quantize_upload(page, "three.png", three, 16)
    expect(page.locator("#panel-image .note")).to_contain_text("only 3 distinct colors")
    expect(page.locator('[data-measure="n_colors_out"]')).to_have_text("3")
    expect(page.locator('[data-measure="psnr"]')).to_contain_text("identical")
    assert set(color_counts(page, QUANTIZED)) == {"#000000", "#fa0a0a", "#0a0afa"}


def test_file_name_is_shown_as_text(image_panel):
    page = image_panel
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    name = "<img src=x onerror=alert(1)>.png"
    quantize_upload(page, name, photo_like(40, 50), 4)
    expect(page.locator("#panel-image .image-name")).to_contain_text(name)
    assert page.locator("#panel-image img").count() == 0
    upload(page, name, b"")
    expect(page.locator('#panel-image [data-msg="file"]')).to_contain_text(f"“{name}” is empty")
    assert page.locator("#panel-image img").count() == 0
    assert dialogs == []


def test_exif_orientation_and_gif_first_frame(image_panel):
    page = image_panel
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise for display
    tall = np.zeros((20, 40, 3), np.uint8)
    tall[:, :20] = (255, 0, 0)
    buf = io.BytesIO()
    Image.fromarray(tall).save(buf, format="JPEG", exif=exif, quality=95)
    page.get_by_label("Colors (k)").fill("2")
    upload(page, "rotated.jpg", buf.getvalue(), "image/jpeg")
    expect(page.get_by_role("status")).to_contain_text("Quantized rotated.jpg", timeout=60_000)
    wait_ready(page)
    size = page.locator(ORIGINAL).evaluate("c => [c.width, c.height]")
    assert size == [20, 40]

    frames = [Image.new("RGB", (16, 12), c) for c in ((0, 200, 0), (200, 0, 200))]
    gif = io.BytesIO()
    frames[0].save(gif, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    upload(page, "anim.gif", gif.getvalue(), "image/gif")
    expect(page.get_by_role("status")).to_contain_text("Quantized anim.gif", timeout=60_000)
    wait_ready(page)
    expect(page.locator('[data-measure="n_colors_in"]')).to_have_text("1")
    assert set(color_counts(page, QUANTIZED)) == {"#00c800"}
