"""Issue 12 in the Points panel: a Run on the default 300 points does only what its
result needs on the page. A Run with the same settings writes no new link (the browser's
replaceState costs up to milliseconds) and rebuilds no legend, and a few hundred points
are drawn without a buffer of the whole canvas. Counted, not timed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COUNT_JS = """async (seed) => {
    const p = window.kmeanslab.panels.points;
    if (seed !== null) p.el.seed.value = String(seed);
    const legend = document.querySelector('#points-legend li');
    const calls = {replaceState: 0, imageData: 0};
    const replace = history.replaceState;
    history.replaceState = function (...args) {
        calls.replaceState++;
        return replace.apply(this, args);
    };
    const Image = window.ImageData;
    window.ImageData = class extends Image {
        constructor(...args) { super(...args); calls.imageData++; }
    };
    try {
        await p.run();
    } finally {
        history.replaceState = replace;
        window.ImageData = Image;
    }
    calls.sameLegend = document.querySelector('#points-legend li') === legend;
    return calls;
}"""


def test_a_run_rewrites_only_what_changed(app):
    app.get_by_role("button", name="Run").click()
    expect(app.locator("html")).to_have_attribute("data-state", "ready", timeout=120_000)
    expect(app.locator("#points-summary")).to_contain_text("4 clusters of 300 points")
    again = app.evaluate(COUNT_JS, None)
    assert again == {"replaceState": 0, "imageData": 0, "sameLegend": True}
    # another seed: a new link (so the count above is not vacuous), the same legend
    other = app.evaluate(COUNT_JS, 3)
    assert other == {"replaceState": 1, "imageData": 0, "sameLegend": True}
    assert "seed=3" in app.url
