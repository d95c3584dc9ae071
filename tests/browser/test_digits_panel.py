"""The Digits panel in Chromium: k-means on the digits, matching, confusion, t-SNE, drawing."""

from __future__ import annotations

import re

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
    # The clicked cell stays marked; the matrix is one tab stop (the selected cell).
    expect(cells.nth(pick).locator("xpath=..")).to_have_class(re.compile(r"\bselected\b"))
    expect(cells.nth(pick)).to_have_attribute("aria-pressed", "true")
    tab_stops = page.locator(".digits-confusion button:not([tabindex='-1'])")
    expect(tab_stops).to_have_count(1)
    # Keyboard: Tab from the matching choice enters the matrix at the selected cell,
    # arrows move (the focused cell is marked and its digits shown), Tab leaves.
    page.locator("#panel-digits").get_by_label("One-to-one (Hungarian)").focus()
    page.keyboard.press("Tab")
    expect(cells.nth(pick)).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowUp")
    moved = pick - 11 if pick % 10 and pick >= 10 else None
    if moved is not None:
        expect(cells.nth(moved)).to_be_focused()
        expect(cells.nth(moved).locator("xpath=..")).to_have_class(re.compile(r"\bselected\b"))
        t, p = divmod(moved, 10)
        expect(caption).to_contain_text(f"True {t}, predicted {p}: {counts[moved]} digit")
    page.keyboard.press("Control+Home")
    expect(cells.nth(0)).to_be_focused()
    expect(caption).to_contain_text(f"True 0, predicted 0: {counts[0]} digit")
    expect(tab_stops).to_have_count(1)
    page.keyboard.press("Tab")
    expect(page.locator(".digits-confusion button:focus")).to_have_count(0)
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
    said = page.locator(".digits-prediction").inner_text()
    assert re.match(r"Looks like (a [0-79]|an 8|a cluster)\b", said), said
    # "an 8", not "a 8": the article follows the number as it is read; counts get commas.
    said = page.evaluate("""async () => {
      const t = await import('./js/panels/digits/text.js');
      return [8, 7, 11, 18, 1797, 80000].map(t.withArticle); }""")
    assert said == ["an 8", "a 7", "an 11", "an 18", "a 1,797", "an 80,000"]
    mine = page.locator(".digits-mine")
    assert "values 0 to 16" in mine.get_attribute("aria-label")
    assert mine.evaluate(INKED_PIXELS_JS) > 3
    assert page.locator(".digits-nearest").evaluate(INKED_PIXELS_JS) > 3
    page.locator("#panel-digits").get_by_role("button", name="Clear drawing").click()
    expect(page.locator(".digits-prediction")).to_contain_text("Draw a digit")


def _blank(page, selector):
    """Pixels of the canvas that differ from its top-left (background) pixel."""
    return page.locator(selector).evaluate(
        """(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 4; i < d.length; i += 4)
          if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) n++;
        return n; }""")


def _shown(page):
    """What the panel shows: accuracy, restarts, centers, matrix, embedding caption."""
    return {
        "accuracy": page.locator(".digits-summary").get_attribute("data-accuracy-majority"),
        "restarts": page.locator(".digits-restarts tbody").inner_text(),
        "centers": page.locator(".digits-centers").inner_text(),
        "matrix": page.locator(".digits-confusion").inner_text(),
        "embedding": page.locator(".digits-embedding-caption").inner_text(),
    }


def _cancel_live_tsne(page, perplexity):
    panel = page.locator("#panel-digits")
    panel.get_by_label("t-SNE to 2-D").check()
    panel.get_by_label("Perplexity").fill(perplexity)
    panel.get_by_label("t-SNE iterations").fill("2000")
    panel.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator(".digits-embedding-caption")).to_contain_text("still optimizing",
                                                                      timeout=60_000)
    panel.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Cancelled; the previous result is still shown.")
    expect(page.locator("html")).to_have_attribute("data-state", "ready")
    expect(page.locator(".digits-progress")).to_have_text("")


def test_tsne_preset_finds_the_digits_and_a_cancel_keeps_it_whole(app):
    page = _open(app)
    panel = page.locator("#panel-digits")
    # The chapter's t-SNE result is one click away, and t-SNE is in plain view.
    panel.get_by_role("group", name="Chapter presets").get_by_role(
        "button", name="t-SNE first").click()
    expect(panel.get_by_label("t-SNE to 2-D")).to_be_checked()
    expect(page.get_by_role("status")).to_contain_text("Done", timeout=RUN_TIMEOUT_MS)
    acc = float(page.locator(".digits-summary").get_attribute("data-accuracy-majority"))
    assert acc >= 0.93
    canvas = page.locator(".digits-embedding")
    expect(canvas).to_have_attribute("aria-label", "t-SNE embedding of 1,797 digits after 500 "
                                      "iterations, colored by k-means cluster.")
    colors = page.evaluate(
        """(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const s = new Map(); for (let i = 0; i < d.length; i += 4) {
          const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2]; s.set(k, (s.get(k) || 0) + 1); }
        return [...s.values()].filter((n) => n > 100).length; }""",
        canvas.element_handle(),
    )
    assert colors >= 11  # ten clusters and the background
    assert "preprocess=tsne" in page.url
    before, url = _shown(page), page.url
    # Cancel a new t-SNE while it draws: the previous embedding, centers, restarts and
    # matrix come back together, and the link still describes them.
    _cancel_live_tsne(page, "40")
    assert _shown(page) == before
    assert page.url == url


def test_cancel_after_raw_pixels_and_the_link_restores_the_panel(app, browser, base_url):
    page = _open(app)
    panel = page.locator("#panel-digits")
    panel.get_by_role("button", name="Raw pixels: about 79%").click()
    expect(page.get_by_role("status")).to_contain_text("Done", timeout=RUN_TIMEOUT_MS)
    acc = float(page.locator(".digits-summary").get_attribute("data-accuracy-majority"))
    assert 0.78 <= acc <= 0.81  # the chapter's 0.79
    before = _shown(page)
    _cancel_live_tsne(page, "30")
    # No embedding belongs to the raw-pixel result: the canvas is empty, not the
    # cancelled one; every other part is the previous result.
    assert _shown(page) | {"embedding": ""} == before | {"embedding": ""}
    expect(page.locator(".digits-embedding-caption")).to_contain_text("No t-SNE embedding yet")
    assert _blank(page, ".digits-embedding") == 0
    # Every setting goes into the URL, and the URL brings it all back in a new page.
    panel.get_by_label("PCA", exact=True).check()
    panel.get_by_label("PCA components").fill("20")
    panel.get_by_label("k (clusters)").fill("12")
    panel.get_by_label("Restarts (n_init)").fill("2")
    panel.get_by_label("Seed").fill("3")
    panel.get_by_label("One-to-one (Hungarian)").check()
    _run(page)
    url = page.url
    for part in ("k=12", "restarts=2", "seed=3", "preprocess=pca", "components=20",
                 "matching=hungarian"):
        assert part in url
    shown = _shown(page)
    other = browser.new_page()
    try:
        other.goto(url)
        expect(other.get_by_role("status")).to_contain_text("Done", timeout=RUN_TIMEOUT_MS)
        restored = other.locator("#panel-digits")
        expect(restored.get_by_label("k (clusters)")).to_have_value("12")
        expect(restored.get_by_label("PCA components")).to_have_value("20")
        expect(restored.get_by_label("One-to-one (Hungarian)")).to_be_checked()
        assert _shown(other) == shown
        assert other.url == url
    finally:
        other.close()


def test_bad_input_is_named_and_nothing_runs(app):
    page = _open(app)
    page.locator("#panel-digits").get_by_label("k (clusters)").fill("1")
    page.locator("#panel-digits").get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#panel-digits .form-error")).to_contain_text(
        "k (clusters) must be from 2 to 30")
    expect(page.locator("html")).to_have_attribute("data-state", "ready")
