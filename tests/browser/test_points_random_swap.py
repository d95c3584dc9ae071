"""Random swap in the Points panel: the method on many blobs, and the bad seed's escape."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SUMMARY = "#points-summary"


def settle(page, timeout: float = 180_000) -> None:
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=timeout)


def fill(page, **fields) -> None:
    for label, value in fields.items():
        control = page.get_by_label(label, exact=True)
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(str(value))
        else:
            control.fill(str(value))


def test_random_swap_on_many_blobs_finds_every_cluster(app):
    fill(app, Dataset="many", Points=2000, Blobs=15, **{"Data seed": 3})
    fill(app, Method="random_swap", **{"k (clusters)": 15, "Seed": 1})
    # swap records are drawn as they come: count them on the page's side
    app.evaluate("""() => {
        const panel = window.kmeanslab.panels.points;
        window.__swaps = [];
        const show = panel.showSwap.bind(panel);
        panel.showSwap = (rec) => { window.__swaps.push(rec.kind); show(rec); };
    }""")
    app.get_by_role("button", name="Run").click()
    settle(app)
    expect(app.locator(SUMMARY)).to_contain_text("15 of 15 clusters found")
    expect(app.locator(SUMMARY)).to_contain_text("k-means + random swap")
    kinds = app.evaluate("window.__swaps")
    assert kinds[0] == "start" and "progress" in kinds
    card = app.locator("#points-swap")
    expect(card).to_be_visible()
    expect(card).to_contain_text(re.compile(r"Done: \d+ swaps tried, \d+ kept"))
    rows = card.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Plain k-means (same seed)")
    expect(rows.nth(1)).to_contain_text("15 of 15 clusters found")
    plain, swapped = (float(rows.nth(i).locator("td").nth(1).inner_text().replace(",", ""))
                      for i in range(2))
    assert swapped <= plain


def test_bad_seed_escapes_with_random_swap(app):
    app.get_by_role("button", name="Bad seed", exact=True).click()
    settle(app)
    escape = app.get_by_role("button", name="Escape it with random swap")
    expect(escape).to_be_visible()
    escape.click()
    settle(app)
    expect(app.locator(SUMMARY)).to_contain_text("4 of 4 clusters found")
    rows = app.locator("#points-swap tbody tr")
    expect(rows.nth(0)).to_contain_text("3 of 4 clusters found")  # the bad seed's answer
    plain, swapped = (float(rows.nth(i).locator("td").nth(1).inner_text().replace(",", ""))
                      for i in range(2))
    assert swapped < 0.7 * plain
    # other presets hide the escape
    app.get_by_role("button", name="Four blobs", exact=True).click()
    settle(app)
    expect(escape).to_be_hidden()


def test_cancel_stops_the_search(app):
    # large enough that the search is still running when Cancel is pressed
    fill(app, Dataset="many", Points=100000, Blobs=50, **{"Data seed": 1})
    fill(app, Method="random_swap", **{"k (clusters)": 50})
    app.get_by_role("button", name="Run").click()
    expect(app.locator("#points-swap .swap-state")).to_contain_text("Swaps tried", timeout=120_000)
    app.get_by_role("button", name="Cancel").click()
    expect(app.locator("#status")).to_contain_text("Cancelled", timeout=10_000)
    settle(app)
