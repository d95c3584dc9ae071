"""The Image panel keeps its word: Cancel, refusals, zoom, links and the first minute.

Each test does what a person did in issue 11: cancel a long quantization, choose error
diffusion for a large picture, zoom to 800%, share a link, open the panel. They check
the state the person sees (never timings): after a cancel or a refusal the previous
picture, result, measures and palette are all still shown, together.
"""

from __future__ import annotations

import io
import re

import numpy as np
from canvas_pixels import color_counts
from PIL import Image
from playwright.sync_api import expect

PANEL = "#panel-image"
QUANTIZED = f"{PANEL} canvas.quantized"
ORIGINAL = f"{PANEL} canvas.original"
RESULT_TIMEOUT_MS = 120_000


def png_bytes(image: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="PNG", compress_level=1)
    return out.getvalue()


def noisy(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A colour field with noise: tens of thousands of distinct colours."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 / w, y * 255 / h, (x + y) * 127 / (w + h) + 60], axis=-1)
    return np.clip(base + rng.normal(0, 20, base.shape), 0, 255).astype(np.uint8)


def upload(page, name: str, data: bytes) -> None:
    page.get_by_label("Choose an image…").set_input_files(
        {"name": name, "mimeType": "image/png", "buffer": data})


def wait_quantized(page, text: str) -> None:
    expect(page.locator("#status")).to_contain_text(text, timeout=RESULT_TIMEOUT_MS)
    expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                   timeout=RESULT_TIMEOUT_MS)


def open_image(page, base_url: str, hash_: str = "#image") -> None:
    page.goto(base_url + "index.html" + hash_)
    expect(page.locator("html")).to_have_attribute("data-state", re.compile("ready|busy"),
                                                   timeout=RESULT_TIMEOUT_MS)


def screen(page) -> dict:
    """Everything the panel shows about its result."""
    return {
        "name": page.locator(f"{PANEL} .image-name").inner_text(),
        "measures": page.locator(f"{PANEL} .measures dd").all_inner_texts()[:4],
        "swatches": page.locator(f"{PANEL} .swatches li code").all_inner_texts(),
        "quantized": sorted(color_counts(page, QUANTIZED)),
        "original": page.locator(ORIGINAL).evaluate("c => [c.width, c.height]"),
        "token": page.evaluate("window.kmeanslab.panels.image.result.token"),
    }


def test_opens_on_china_after_start_up_with_the_chapter_one_click_away(page, base_url):
    page.goto(base_url + "index.html#points")
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=RESULT_TIMEOUT_MS)
    photos = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)"
                           ".filter(n => n.includes('/data/'))")
    assert photos == [], "the Points panel fetched a photo at start-up"

    page.get_by_role("link", name="Image").click()
    wait_quantized(page, "Quantized china.jpg to 16 colors")
    after_ready = page.evaluate("""() => {
      const ready = performance.getEntriesByName('kmeanslab-ready')[0].startTime;
      const photo = performance.getEntriesByType('resource')
        .find(e => e.name.endsWith('/data/china.jpg'));
      return photo.startTime >= ready;
    }""")
    assert after_ready, "china.jpg was fetched before Python was ready"
    expect(page.locator(f"{PANEL} .image-name")).to_contain_text("china.jpg · 640 × 427 px")
    expect(page).to_have_url(re.compile(r"#image\?sample=china\.jpg$"))

    page.get_by_role("button", name="The chapter’s result").click()
    wait_quantized(page, "Quantized china.jpg to 16 colors")
    expect(page.locator(f"{PANEL} select[name=method]")).to_have_value("minibatch")
    expect(page.locator('[data-measure="n_colors_out"]')).to_have_text("16")


def test_cancel_keeps_the_previous_result_whole(page, base_url):
    open_image(page, base_url)
    wait_quantized(page, "Quantized china.jpg")
    before = screen(page)

    # a long run: many distinct colours, 128 colours, refined by random swap
    page.get_by_label("Colors (k)").fill("128")
    page.get_by_label("Refine the palette with random swap").check()
    upload(page, "long.png", png_bytes(noisy(300, 400)))
    progress = page.locator(f"{PANEL} .image-progress")
    # Checked on every frame: the swap stage shows for a few hundred ms, and expect()'s
    # polling (up to 1 s apart) missed it once on a loaded machine.
    page.wait_for_function(
        "(sel) => document.querySelector(sel)?.textContent.includes('random swap…')",
        arg=f"{PANEL} .image-progress", polling="raf", timeout=RESULT_TIMEOUT_MS)
    page.get_by_role("button", name="Cancel").click()

    expect(progress).to_have_text("Cancelled. The previous result is still shown.")
    expect(page.locator("html")).to_have_attribute("data-state", "ready")
    expect(page.get_by_role("button", name="Cancel")).to_be_disabled()
    assert screen(page) == before
    # Python stopped between two records: its last result is still the one on screen
    # (a run that went on to its end would have replaced it), and the worker is free.
    size = page.evaluate("async (token) => (await window.kmeanslab.engine.call("
                         "'image_png', {token})).size", before["token"])
    assert size > 0
    assert screen(page) == before  # nothing arrived late to replace it


def test_error_diffusion_refusal_in_plain_words_next_to_its_control(page, base_url):
    open_image(page, base_url, "#image?dither=floyd-steinberg")
    wait_quantized(page, "Quantized china.jpg")
    before = screen(page)

    flat = np.full((4000, 4001, 3), (40, 90, 160), np.uint8)  # just over 16 megapixels
    upload(page, "wide.png", png_bytes(flat))
    message = page.locator(f'{PANEL} [data-msg="dither"]')
    expect(message).to_contain_text("Error diffusion works on pictures of up to 16 megapixels",
                                    timeout=RESULT_TIMEOUT_MS)
    expect(message).to_contain_text("this one has 16,004,000 pixels")
    expect(message).to_contain_text("Choose “ordered” dithering or none")
    expect(message).to_contain_text("The previous result is still shown.")
    expect(message).not_to_contain_text("dither=")
    expect(message).to_have_attribute("role", "alert")
    expect(message).to_be_in_viewport()
    assert screen(page) == before

    page.get_by_label("Dithering").select_option("ordered")  # what the message said to do
    wait_quantized(page, "Quantized wide.png")
    expect(message).to_be_hidden()
    expect(page.locator(f"{PANEL} .image-name")).to_contain_text("wide.png · 4,001 × 4,000 px")


def test_zoomed_images_scroll_in_their_panes_in_step(page, base_url):
    open_image(page, base_url)
    wait_quantized(page, "Quantized china.jpg")
    for width in (1366, 768, 375):
        page.set_viewport_size({"width": width, "height": 800})
        page.get_by_label("Zoom").select_option("8")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        right = page.locator(f"{PANEL} .pane-quantized").bounding_box()
        assert right["x"] + right["width"] <= width  # the quantized pane stays on screen
        panes = page.locator(f"{PANEL} .pane-scroll")
        panes.nth(0).evaluate("e => e.scrollTo(1500, 900)")
        expect(panes.nth(1)).to_have_js_property("scrollLeft", 1500)
        expect(panes.nth(1)).to_have_js_property("scrollTop", 900)
        panes.nth(1).evaluate("e => e.scrollTo(200, 100)")
        expect(panes.nth(0)).to_have_js_property("scrollLeft", 200)
    expect(page).to_have_url(re.compile(r"zoom=8"))


def test_the_link_restores_the_settings_and_asks_for_your_own_picture(page, context, base_url):
    open_image(page, base_url, "#image?sample=flower.jpg&n_colors=6&dither=ordered&random_swap=1")
    wait_quantized(page, "Quantized flower.jpg to 6 colors")
    expect(page.get_by_label("Colors (k)")).to_have_value("6")
    expect(page.get_by_label("Dithering")).to_have_value("ordered")
    expect(page.get_by_label("Refine the palette with random swap")).to_be_checked()
    expect(page.locator('[data-measure="swap"]')).to_contain_text(re.compile(r"swaps kept"))
    expect(page.locator('[data-measure="swap"]')).to_contain_text(re.compile(r"→|no lower error"))

    seed = page.locator(PANEL).get_by_label("Seed", exact=True)
    seed.fill("7")
    seed.dispatch_event("change")
    wait_quantized(page, "Quantized flower.jpg to 6 colors")
    link = page.url
    assert all(p in link for p in ("sample=flower.jpg", "n_colors=6", "dither=ordered",
                                   "seed=7", "random_swap=1"))

    upload(page, "mine.png", png_bytes(noisy(30, 40)))
    wait_quantized(page, "Quantized mine.png")
    assert "image=yours" in page.url and "sample=" not in page.url
    expect(page.locator(f"{PANEL} .url-note")).to_contain_text("not your picture")

    other = context.new_page()
    open_image(other, base_url, page.url[page.url.index("#"):])
    expect(other.locator(f"{PANEL} .url-note")).to_contain_text(
        "holds the settings but not the picture")
    expect(other.locator(PANEL).get_by_label("Seed", exact=True)).to_have_value("7")
    expect(other.locator(f"{PANEL} .image-name")).to_have_text("No image yet.")
    expect(other.locator("html")).to_have_attribute("data-state", "ready")
    photos = other.evaluate("performance.getEntriesByType('resource').map(e => e.name)"
                            ".filter(n => n.includes('/data/'))")
    assert photos == []  # it waits for the person's picture instead of opening a sample
    other.close()


def test_download_after_a_worker_restart_saves_the_image_on_screen(page, base_url):
    from test_cancel_and_queue import CANCEL_NON_YIELDING_JS

    open_image(page, base_url)
    wait_quantized(page, "Quantized china.jpg")
    shown = page.evaluate("""() => { const r = window.kmeanslab.panels.image.result;
      return {rgba: Array.from(r.rgba), width: r.width, height: r.height}; }""")
    # a cancel that Python cannot honour: the worker, and the labels it held, are replaced
    assert page.evaluate(CANCEL_NON_YIELDING_JS) == {"answer": "AbortError"}
    expect(page.get_by_role("status")).to_contain_text("Python was restarted after the cancel",
                                                       timeout=RESULT_TIMEOUT_MS)
    expect(page.locator("html")).to_have_attribute("data-state", "ready")
    with page.expect_download(timeout=RESULT_TIMEOUT_MS) as info:
        page.get_by_role("button", name="Download PNG").click()
    assert info.value.suggested_filename == "china-16colors.png"
    saved = Image.open(info.value.path())
    assert saved.mode == "P" and saved.size == (shown["width"], shown["height"])
    on_screen = np.array(shown["rgba"], np.uint8).reshape(shown["height"], shown["width"], 4)
    assert np.array_equal(np.asarray(saved.convert("RGB")), on_screen[..., :3])
    expect(page.locator(f"{PANEL} .download-info")).to_contain_text("indexed PNG")
