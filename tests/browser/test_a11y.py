"""Everyone can use it: names, keyboard, focus, text for canvases, phone width, dark mode.

axe-core (Deque's rules engine: WCAG 2 A/AA and best practices, including colour
contrast and heading order) checks every panel, with a result on screen, at desktop and
phone width in light and dark colour schemes, and must find nothing. axe has no rule for
a canvas's text alternative or for a control named only by its surroundings, so those
checks stay here too. Screenshots at phone and desktop widths go to $KMEANSLAB_SHOTS
(default: a temporary folder) for a person to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import READY_TIMEOUT_MS

pytestmark = pytest.mark.browser

PANELS = ("points", "image", "digits")
RESULT_TIMEOUT_MS = 180_000
#: (width, height) of a desktop and of a phone.
SIZES = ((1366, 900), (375, 812))
SCHEMES = ("light", "dark")
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


def settle(page) -> None:
    expect(page.locator("html")).to_have_attribute("data-state", "ready",
                                                   timeout=RESULT_TIMEOUT_MS)


# --- axe-core on every panel, with what a person has on screen after using it ----------


def _points_run(page):
    page.locator("#panel-points").get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#points-summary")).to_contain_text("clusters of",
                                                            timeout=RESULT_TIMEOUT_MS)
    settle(page)


def _points_steps(page):
    page.get_by_role("button", name="E–M steps", exact=True).click()
    settle(page)
    page.get_by_role("button", name=re.compile(r"^Next")).click()
    expect(page.locator("#step-state")).to_contain_text("E step")


def _points_analysis(page):
    page.get_by_role("button", name="Moons: both side by side").click()
    settle(page)
    page.get_by_role("button", name="Silhouette (k = 2 to 10)").click()
    settle(page)
    expect(page.locator("#silhouette-plot")).to_be_visible()
    expect(page.locator("#points-side")).to_be_visible()


def _image(page):
    page.get_by_role("button", name="china.jpg").click()
    expect(page.get_by_role("status")).to_contain_text("Quantized china.jpg",
                                                       timeout=RESULT_TIMEOUT_MS)
    settle(page)


def _digits(page):
    page.locator("#panel-digits").get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Done: accuracy",
                                                       timeout=RESULT_TIMEOUT_MS)
    settle(page)
    page.locator(".digits-confusion td button").nth(1).click()  # the gallery of a cell
    expect(page.locator(".digits-gallery-caption")).to_contain_text("True 0, predicted 1")


#: page -> (URL, the steps a person takes; axe checks the page before the first step
#: and after each). One page load per entry: loading Pyodide is most of the time.
SCENES: dict[str, tuple[str, tuple[Callable, ...]]] = {
    "points": ("index.html#points", (_points_run, _points_steps, _points_analysis)),
    "image": ("index.html#image", (_image,)),
    "digits": ("index.html#digits", (_digits,)),
    "embed-points": ("embed.html?panel=points&preset=moons-kmeans", ()),
    "embed-image": ("embed.html?panel=image&sample=china.jpg&n_colors=8", ()),
    "embed-digits": ("embed.html?panel=digits", (_digits,)),
}


def axe_report(response: dict) -> str:
    """One line per violating node: rule, impact, target and axe's own explanation."""
    lines = []
    for violation in response["violations"]:
        for node in violation["nodes"]:
            why = " ".join(node.get("failureSummary", "").split())
            lines.append(f"{violation['id']} ({violation['impact']}) {node['target']}: {why}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()  # axe-core's script ships inside the wheel: nothing is downloaded


def check_everywhere(page, axe: Axe, stage: str) -> dict[str, str]:
    """axe at both widths in both schemes, plus the checks axe has no rule for."""
    found = {}
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            response = axe.run(page).response
            assert response["testEngine"]["name"] == "axe-core"
            if response["violations"]:
                found[f"{stage}, {width}px, {scheme}"] = axe_report(response)
        # What axe has no rule for: a canvas's text, a control's name from its label.
        assert page.evaluate(UNNAMED_JS) == [], f"{stage}, {width}px"
        assert page.evaluate(CANVASES_JS) == [], f"{stage}, {width}px"
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    page.emulate_media(color_scheme="light")
    return found


@pytest.mark.parametrize("scene", SCENES)
def test_axe_finds_no_violation(page, base_url, axe, scene):
    url, steps = SCENES[scene]
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    page.goto(base_url + url)
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)
    found = check_everywhere(page, axe, "on load")
    for step in steps:
        step(page)
        found.update(check_everywhere(page, axe, f"after {step.__name__.strip('_')}"))
    assert not found, "\n".join(f"{where}:\n{report}" for where, report in found.items())


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
