"""The Digits panel in Chromium: k-means on the digits, matching, confusion, t-SNE, drawing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kmeanslab.app.digits import digits_kmeans

RUN_TIMEOUT_MS = 180_000

INKED_PIXELS_JS = """
(canvas) => {
  const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] < 200) n++;
  return n;
}
"""


def _native(**kwargs):
    gen = digits_kmeans(**kwargs)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def _open(app):
    app.goto(app.url.split("#")[0] + "#digits")
    expect(app.get_by_role("heading", name="Cluster centers")).to_be_visible()
    return app


def _run(page):
    # "Done" appears only when this run ends (a raw k-means run can be too short for the
    # "busy" state in between to be seen reliably).
    expect(page.get_by_role("status")).not_to_contain_text("Done")
    page.locator("#panel-digits").get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Done", timeout=RUN_TIMEOUT_MS)
    expect(page.locator("html")).to_have_attribute("data-state", "ready")


@pytest.fixture
def clustered(app):
    page = _open(app)
    _run(page)
    return page


def test_ten_centers_and_the_native_accuracy(clustered):
    page = clustered
    centers = page.locator("#panel-digits").get_by_role("button", name="Cluster ")
    expect(centers).to_have_count(10)
    for i in range(10):
        canvas = centers.nth(i).locator("canvas")
        assert canvas.evaluate(INKED_PIXELS_JS) > 5, f"center {i} is blank"
    native = _native(n_clusters=10, n_init=10, random_state=0)
    summary = page.locator(".digits-summary")
    assert float(summary.get_attribute("data-accuracy-majority")) == pytest.approx(
        native["accuracy_majority"], abs=1e-4)
    assert float(summary.get_attribute("data-accuracy-hungarian")) == pytest.approx(
        native["accuracy_hungarian"], abs=1e-4)
    expect(summary).to_contain_text(f"{100 * native['accuracy_majority']:.1f}%")
    # Each restart's inertia and accuracy, the kept one marked.
    rows = page.locator(".digits-restarts tbody tr")
    expect(rows).to_have_count(10)
    expect(page.locator(".digits-restarts tr.kept")).to_contain_text(
        f"{native['best_init'] + 1} (kept)")


def test_confusion_sums_to_all_digits_and_cells_list_their_images(clustered):
    page = clustered
    cells = page.locator(".digits-confusion td button")
    expect(cells).to_have_count(100)
    counts = [int(t) for t in cells.all_text_contents()]
    assert sum(counts) == 1797
    # An off-diagonal cell with digits in it: the chapter's confused 1s and 8s, say.
    off = [i for i, c in enumerate(counts) if c > 0 and i // 10 != i % 10]
    pick = max(off, key=lambda i: counts[i])
    true, pred = divmod(pick, 10)
    cells.nth(pick).click()
    caption = page.locator(".digits-gallery-caption")
    expect(caption).to_contain_text(f"True {true}, predicted {pred}: {counts[pick]} digit")
    assert page.locator(".digits-gallery").evaluate(INKED_PIXELS_JS) > 20
    # Keyboard: cells are buttons.
    cells.nth(0).focus()
    page.keyboard.press("Enter")
    expect(caption).to_contain_text(f"True 0, predicted 0: {counts[0]} digit")
    # A center lists its members.
    center = page.locator("#panel-digits").get_by_role("button", name="Cluster 1:")
    size = center.get_attribute("aria-label").split(": ")[1].split(" digits")[0]
    center.click()
    expect(caption).to_contain_text("Cluster 1 (matched to digit")
    expect(caption).to_contain_text(f": {size} digits")
    # Switching to one-to-one matching keeps the total.
    page.locator("#panel-digits").get_by_label("One-to-one (Hungarian)").check()
    assert sum(int(t) for t in cells.all_text_contents()) == 1797


def test_drawing_a_digit_gives_a_prediction(clustered):
    page = clustered
    pad = page.locator("#panel-digits").get_by_label("Drawing pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.3, y + h * 0.2)
    page.mouse.down()
    for fx, fy in ((0.7, 0.2), (0.45, 0.85)):  # a 7
        page.mouse.move(x + w * fx, y + h * fy, steps=10)
    page.mouse.up()
    expect(page.locator(".digits-prediction")).to_contain_text("Looks like a", timeout=30_000)
    mine = page.locator(".digits-mine")
    assert "values 0 to 16" in mine.get_attribute("aria-label")
    assert mine.evaluate(INKED_PIXELS_JS) > 3
    assert page.locator(".digits-nearest").evaluate(INKED_PIXELS_JS) > 3
    page.locator("#panel-digits").get_by_role("button", name="Clear drawing").click()
    expect(page.locator(".digits-prediction")).to_contain_text("Draw a digit")


def test_tsne_then_kmeans_finds_the_digits(app):
    page = _open(app)
    page.locator("#panel-digits").get_by_label("Preprocessing").select_option("tsne")
    _run(page)
    acc = float(page.locator(".digits-summary").get_attribute("data-accuracy-majority"))
    assert acc >= 0.93
    canvas = page.locator(".digits-embedding")
    expect(canvas).to_have_attribute("aria-label", "t-SNE embedding of 1797 digits after 500 "
                                      "iterations, colored by k-means cluster.")
    colors = page.evaluate(
        """(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const s = new Map(); for (let i = 0; i < d.length; i += 4) {
          const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2]; s.set(k, (s.get(k) || 0) + 1); }
        return [...s.values()].filter((n) => n > 100).length; }""",
        canvas.element_handle(),
    )
    assert colors >= 11  # ten clusters and the background


def test_cancel_stops_tsne_and_keeps_the_page_usable(app):
    page = _open(app)
    page.locator("#panel-digits").get_by_label("Preprocessing").select_option("tsne")
    page.locator("#panel-digits").get_by_label("t-SNE iterations").fill("2000")
    page.locator("#panel-digits").get_by_role("button", name="Run", exact=True).click()
    expect(page.locator(".digits-progress")).to_contain_text("t-SNE: iteration", timeout=60_000)
    page.locator("#panel-digits").get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("status")).to_contain_text("Cancelled")
    expect(page.locator("html")).to_have_attribute("data-state", "ready")
    expect(page.locator(".digits-embedding-caption")).to_contain_text("still optimizing")
    # The worker is free again: raw k-means runs.
    page.locator("#panel-digits").get_by_label("Preprocessing").select_option("none")
    page.locator("#panel-digits").get_by_label("Restarts (n_init)").fill("1")
    _run(page)
    expect(page.locator("#panel-digits").get_by_role("button", name="Cluster ")).to_have_count(10)


def test_bad_input_is_named_and_nothing_runs(app):
    page = _open(app)
    page.locator("#panel-digits").get_by_label("k (clusters)").fill("1")
    page.locator("#panel-digits").get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#panel-digits .form-error")).to_contain_text(
        "k (clusters) must be from 2 to 30")
    expect(page.locator("html")).to_have_attribute("data-state", "ready")
