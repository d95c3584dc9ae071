"""Everyone can use it: names, keyboard, focus, text for canvases, phone width, dark mode.

Screenshots at phone and desktop widths go to $KMEANSLAB_SHOTS (default: a temporary
folder) for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import READY_TIMEOUT_MS

pytestmark = pytest.mark.browser

PANELS = ("points", "image", "digits")
#: Visible controls without an accessible name (label, aria-label, text, title).
UNNAMED_JS = """() => {
  const named = (el) => {
    const aria = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (aria || el.title) return true;
    if ([...(el.labels ?? [])].some((l) => l.textContent.trim())) return true;
    return ['BUTTON', 'A', 'SUMMARY'].includes(el.tagName) && el.textContent.trim() !== '';
  };
  const visible = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  return [...document.querySelectorAll('button, a[href], input, select, textarea, summary')]
    .filter((el) => visible(el) && !named(el) && el.type !== 'hidden')
    .map((el) => el.outerHTML.slice(0, 120));
}"""
#: Visible canvases without a text alternative.
CANVASES_JS = """() => [...document.querySelectorAll('canvas')]
  .filter((c) => c.getClientRects().length > 0)
  .filter((c) => !(c.getAttribute('role') === 'img' && c.getAttribute('aria-label'))
                 && !c.getAttribute('aria-hidden') && !c.textContent.trim())
  .map((c) => c.outerHTML.slice(0, 120))"""


def shots_dir() -> Path:
    path = Path(os.environ.get("KMEANSLAB_SHOTS", "/tmp/kmeanslab-shots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def open_panel(page, base_url, panel):
    page.goto(f"{base_url}index.html#{panel}")
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)


@pytest.mark.parametrize("panel", PANELS)
def test_controls_have_names_and_canvases_have_text(page, base_url, panel):
    open_panel(page, base_url, panel)
    assert page.evaluate(UNNAMED_JS) == []
    assert page.evaluate(CANVASES_JS) == []


def test_keyboard_reaches_and_runs_with_a_visible_focus(app):
    field = app.get_by_label("k (clusters)", exact=True)
    field.focus()
    field.fill("3")
    for _ in range(40):  # Tab on until the Run button has the focus
        app.keyboard.press("Tab")
        if app.evaluate("document.activeElement.textContent.trim()") == "Run":
            break
    run = app.get_by_role("button", name="Run")
    expect(run).to_be_focused()
    style, width = run.evaluate("b => [getComputedStyle(b).outlineStyle, "
                                "getComputedStyle(b).outlineWidth]")
    assert style != "none" and width != "0px", (style, width)
    app.keyboard.press("Enter")
    expect(app.locator("#points-summary")).to_contain_text("3 clusters of", timeout=60_000)
    summary = app.locator("#points-summary").inner_text()
    canvas = app.locator("#points-canvas")
    expect(canvas).to_have_attribute("aria-label", f"Scatter plot: {summary}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_and_desktop_screenshots(browser, base_url, scheme):
    for width, height, touch in ((375, 812, True), (1280, 900, False)):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      has_touch=touch, color_scheme=scheme)
        try:
            page = context.new_page()
            for panel in PANELS:
                open_panel(page, base_url, panel)
                if panel == "image":
                    page.get_by_role("button", name="china.jpg").click()
                    expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                                   timeout=60_000)
                # No sideways scrolling on a phone.
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(path=str(shots_dir() / f"{panel}-{width}-{scheme}.png"))
            page.goto(base_url + "examples/")
            expect(page.locator("#points-readout")).to_contain_text("clusters",
                                                                   timeout=READY_TIMEOUT_MS)
            page.screenshot(path=str(shots_dir() / f"examples-{width}-{scheme}.png"))
        finally:
            context.close()


def test_points_are_drawn_by_touch_on_a_phone(browser, base_url):
    context = browser.new_context(viewport={"width": 375, "height": 812}, has_touch=True)
    try:
        page = context.new_page()
        open_panel(page, base_url, "points")
        page.get_by_role("button", name="Clear").click()
        box = page.locator("#points-canvas").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.locator("#points-canvas").dispatch_event("pointerdown", {
            "pointerType": "touch", "clientX": x, "clientY": y, "isPrimary": True,
            "pointerId": 1, "buttons": 1})
        page.locator("#points-canvas").dispatch_event("pointerup", {
            "pointerType": "touch", "clientX": x, "clientY": y, "isPrimary": True,
            "pointerId": 1})
        expect(page.locator("#points-summary")).not_to_contain_text("No points yet")
    finally:
        context.close()
