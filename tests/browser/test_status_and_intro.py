"""The status line belongs to the panel on screen; each panel has a dismissible introduction."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import READY_TIMEOUT_MS

pytestmark = pytest.mark.browser

#: Points' answer (with or without a thousands separator).
DONE = re.compile(r"Done: 6 clusters of 200,?000 points")


def test_status_line_follows_the_panel_on_screen(app):
    status = app.get_by_role("status")
    app.get_by_label("Points", exact=True).fill("200000")
    app.get_by_label("k (clusters)", exact=True).fill("6")
    app.get_by_role("button", name="Run").click()
    # Switch away while Points works: its "Done" must not land on the Digits panel.
    app.get_by_role("link", name="Digits").click()
    expect(app.locator("html")).to_have_attribute("data-state", "ready", timeout=60_000)
    expect(status).not_to_contain_text(DONE)
    app.get_by_role("link", name="Points").click()
    expect(status).to_contain_text(DONE)
    # A refused run is said as an error in the header, never under an old "Done".
    app.locator("#points-form").get_by_label("k (clusters)", exact=True).fill("0")
    app.locator("#points-form").get_by_role("button", name="Run").click()
    expect(status).to_contain_text("k (clusters)")
    expect(status).not_to_contain_text("Done")
    expect(status).to_have_class("status is-error")


def test_introduction_hides_is_remembered_and_reopens(app):
    intro = app.locator("#intro-points")
    expect(intro).to_be_visible()
    expect(intro).to_contain_text("E–M steps")
    intro.get_by_role("button", name="Hide the introduction").click()
    expect(intro).to_be_hidden()
    app.reload()
    expect(app.locator("html")).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)
    expect(app.locator("#intro-points")).to_be_hidden()
    # Another panel's introduction is its own.
    app.get_by_role("link", name="Digits").click()
    expect(app.locator("#intro-digits")).to_contain_text("t-SNE")
    app.get_by_role("link", name="Points").click()
    about = app.locator("#panel-points").get_by_role("button", name="About this panel")
    about.click()
    expect(app.locator("#intro-points")).to_be_visible()
    expect(about).to_be_hidden()


def test_no_introduction_in_an_embed(page, base_url):
    page.goto(base_url + "embed.html?panel=digits")
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)
    expect(page.locator(".intro")).to_have_count(0)
