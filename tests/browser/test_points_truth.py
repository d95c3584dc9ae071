"""Issue 11 in the Points panel, as the person did it: one truth per setting (Run, Step,
the link), display toggles that keep the picture, messages next to the control, the
stepper within reach on a phone, axes and a legend, whole select texts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SUMMARY = "#points-summary"
STATE = "#step-state"


def settle(page) -> None:
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=120_000)


def last_step(page) -> None:
    nxt = page.get_by_role("button", name=re.compile(r"^Next"))
    for _ in range(60):
        if nxt.is_disabled():
            return
        nxt.click()
    raise AssertionError("the stepper did not reach its last step")


def test_bad_seed_steps_runs_and_links_to_the_same_answer(app, context, base_url):
    app.get_by_role("button", name="Bad seed", exact=True).click()
    settle(app)
    last_step(app)
    text = app.locator(STATE).inner_text()
    m = re.search(r"Inertia ([\d,.]+)\. Converged after (\d+) iterations", text)
    assert m, text
    inertia, iters = m.group(1), m.group(2)
    assert inertia == "527.2"  # the chapter's bad seed: a worse local optimum
    # the link reopens the same picture: the same step, the same display options
    app.get_by_label("Decision regions").check()
    expect(app.locator(SUMMARY)).to_contain_text(f"inertia {inertia}")  # the step stays
    link = app.url
    assert "view=step" in link and "regions=1" in link
    other = context.new_page()
    other.goto(link)
    settle(other)
    expect(other.locator(STATE)).to_contain_text(f"Converged after {iters} iterations")
    expect(other.get_by_label("Decision regions")).to_be_checked()
    expect(other.get_by_role("button", name="Escape it with random swap")).to_be_visible()
    other.close()
    # Run gives what the stepper ended on, with the same count
    app.get_by_role("button", name="Run").click()
    settle(app)
    expect(app.locator(SUMMARY)).to_contain_text(f"inertia {inertia}, {iters} iterations")


def test_display_toggles_keep_the_step_shown(app):
    app.get_by_role("button", name="E–M steps", exact=True).click()
    settle(app)
    app.get_by_role("button", name=re.compile(r"^Next")).click()
    app.get_by_role("button", name=re.compile(r"^Next")).click()
    shown = app.locator(SUMMARY).inner_text()
    assert shown.startswith("Iteration 1, M step")
    for name in ("Decision regions", "Center trails", "Decision regions", "Center trails"):
        app.get_by_label(name).click()
        expect(app.locator(SUMMARY)).to_have_text(shown)
    assert "not clustered" not in app.locator(SUMMARY).inner_text()


@pytest.mark.parametrize("k,expected", [
    ("0", "k (clusters) is 0, which is too small: enter a whole number from 1 to 50."),
    ("5", "k is 5 but there are only 2 points: choose k from 1 to 2, or add points."),
])
def test_k_message_is_next_to_k_in_plain_words(app, k, expected):
    if k == "5":  # two drawn points
        app.get_by_role("button", name="Clear").click()
        app.get_by_label("Brush spread").fill("0")
        box = app.locator("#points-canvas").bounding_box()
        for fx in (0.3, 0.7):
            app.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.5)
    app.get_by_label("Restarts (n_init)").fill("1")
    k_field = app.get_by_label("k (clusters)", exact=True)
    k_field.fill(k)
    app.get_by_role("button", name="Run").click()
    alert = app.locator("#points-form-n_clusters-error")
    expect(alert).to_have_text(expected)
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_be_in_viewport()
    expect(k_field).to_have_attribute("aria-invalid", "true")
    expect(k_field).to_have_attribute("aria-describedby", "points-form-n_clusters-error")
    expect(app.locator(".status")).not_to_contain_text("Done")
    assert "n_samples" not in app.locator("body").inner_text()
    k_field.fill("2")  # typing a new value clears the message
    expect(alert).to_have_count(0)


def test_on_a_phone_the_step_buttons_are_under_the_plot(browser, base_url):
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2)
    page = ctx.new_page()
    page.goto(base_url + "index.html#points")
    settle(page)
    page.get_by_role("button", name="E–M steps", exact=True).click()
    settle(page)
    canvas = page.locator("#points-canvas").bounding_box()
    nxt = page.get_by_role("button", name=re.compile(r"^Next")).bounding_box()
    assert 0 <= nxt["y"] - (canvas["y"] + canvas["height"]) < 160, (canvas, nxt)
    ctx.close()


def test_axes_legend_and_whole_select_texts(app):
    app.get_by_role("button", name="Four blobs", exact=True).click()
    settle(app)
    legend = app.locator("#points-legend li")
    expect(legend).to_have_count(5)  # four clusters and the center marker
    expect(legend.first).to_have_text("cluster 1")
    # tick labels are drawn left of and below the plot area
    area = app.locator("#points-canvas").get_attribute("data-plot-area")
    x0, _, _, y1 = map(int, area.split(","))
    assert x0 > 20 and y1 < app.evaluate("document.querySelector('#points-canvas').height")
    # every option of every select shows whole (text + arrow within the select)
    clipped = app.evaluate("""() => {
        const out = [];
        const ctx = document.createElement('canvas').getContext('2d');
        for (const s of document.querySelectorAll('#points-form select')) {
          const cs = getComputedStyle(s);
          ctx.font = `${cs.fontSize} ${cs.fontFamily}`;
          const pad = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
          const room = s.clientWidth - pad - 16;
          for (const o of s.options) if (ctx.measureText(o.text).width > room) out.push(o.text);
        }
        return out;
    }""")
    assert clipped == []


def test_cancelled_analyses_leave_the_previous_result_whole(app):
    app.get_by_role("button", name="Four blobs", exact=True).click()
    settle(app)
    app.get_by_role("button", name=re.compile(r"^Elbow")).click()
    settle(app)
    result = app.locator("#analysis-result")
    expect(result).to_contain_text("suggested k = 4")
    chart = app.locator("#analysis-chart")
    before = (result.inner_text(), chart.get_attribute("aria-label"))
    app.get_by_label("Points", exact=True).fill("100000")
    app.get_by_role("button", name="Generate").click()
    settle(app)
    for name, progress in ((r"^Elbow", "Elbow: k ="), (r"^Silhouette", "Silhouette: k =")):
        app.get_by_role("button", name=re.compile(name)).click()
        expect(app.get_by_role("status")).to_contain_text(progress, timeout=60_000)
        app.get_by_role("button", name="Cancel").click()
        expect(app.get_by_role("status")).to_contain_text(
            "Cancelled; the previous result is still shown")
        settle(app)
        assert (result.inner_text(), chart.get_attribute("aria-label")) == before
        expect(app.locator("#silhouette-plot")).to_be_hidden()


def test_side_by_side_export_has_both_halves(app):
    app.get_by_role("button", name="Moons: both side by side").click()
    settle(app)
    with app.expect_download() as info:
        app.get_by_role("button", name="Export CSV").click()
    lines = open(info.value.path()).read().splitlines()
    assert lines[0] == "x,y,kmeans,spectral" and len(lines) == 201
    app.get_by_role("button", name="Code & notebook").click()
    code = app.locator(".export-code code")
    expect(code).to_contain_text("labels_spectral = spectral.fit_predict(X)", timeout=30_000)
    expect(code).to_contain_text("adjusted Rand index (spectral)")
    app.keyboard.press("Escape")
