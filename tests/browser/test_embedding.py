"""Embedding: the example docs page drives two embeds; the message API checks origins."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import READY_TIMEOUT_MS

pytestmark = pytest.mark.browser

HOST_PAGE = """<!doctype html><meta charset="utf-8"><title>host</title>
<iframe id="embed" title="embedded kmeans-lab" src="{src}" width="{width}" height="600"></iframe>
"""
#: Collect every kmeanslab message this host page receives.
LISTEN_JS = """() => { window.got = []; addEventListener('message', (e) => {
    if (String(e.data?.type).startsWith('kmeanslab:')) window.got.push(e.data); }); }"""
SEND_JS = """(m) => document.getElementById('embed').contentWindow.postMessage(m, '*')"""


def frame_ready(page, selector="iframe"):
    frame = page.frame_locator(selector)
    expect(frame.locator("html")).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)
    return frame


def test_example_page_drives_a_points_and_an_image_embed(page, base_url):
    page.goto(base_url + "examples/")
    points_frame = page.frame_locator("[data-kmeanslab=points] iframe")
    readout = page.locator("#points-readout")
    expect(readout).to_contain_text("2 clusters of 200 points", timeout=READY_TIMEOUT_MS)
    expect(points_frame.locator("#points-summary")).to_contain_text("2 clusters of 200 points")
    # Compact embed: no panel tabs, no "choose k" card, a link to the full app.
    expect(points_frame.get_by_role("navigation", name="Panels")).to_be_hidden()
    expect(points_frame.locator("#points-analysis")).to_be_hidden()
    expect(points_frame.get_by_role("link", name="Open kmeans-lab")).to_be_visible()

    page.get_by_role("button", name="k = 3").click()
    expect(readout).to_contain_text("3 clusters of 200 points", timeout=60_000)
    expect(points_frame.locator("#points-summary")).to_contain_text("3 clusters of 200 points")
    # The iframe was sized from the embed's height messages, not left at its default.
    height = page.locator("[data-kmeanslab=points] iframe").evaluate("f => f.style.height")
    assert height != "560px"

    image = page.locator("[data-kmeanslab=image]")
    image.scroll_into_view_if_needed()
    image_readout = page.locator("#image-readout")
    expect(image_readout).to_contain_text("quantized to 8 colors", timeout=READY_TIMEOUT_MS)
    page.get_by_role("button", name="4 colors").click()
    expect(image_readout).to_contain_text("quantized to 4 colors", timeout=60_000)


def test_embed_fits_320_px_and_takes_settings_from_the_url(page, base_url):
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(base_url + "embed.html?panel=points&kind=moons&k=2&n=150&controls=compact")
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)
    summary = page.locator("#points-summary")
    expect(summary).to_contain_text("2 clusters of 150 points", timeout=60_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    expect(page.locator("#panel-image")).to_be_hidden()


@pytest.fixture
def other_origin(tmp_path: Path):
    """Serve host pages from another port of 127.0.0.1: another origin."""
    from kmeanslab_build.serve import make_server

    server = make_server(tmp_path, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _host(page, other_origin, base_url, query):
    root, origin = other_origin
    (root / "host.html").write_text(
        HOST_PAGE.format(src=f"{base_url}embed.html?{query}", width=480), encoding="utf-8"
    )
    page.goto(f"{origin}/host.html")
    page.evaluate(LISTEN_JS)
    frame_ready(page, "#embed")
    return origin


def test_messages_from_an_origin_not_allowed_are_ignored(page, base_url, other_origin):
    _host(page, other_origin, base_url, "panel=points&kind=blobs&k=4")
    frame = page.frame_locator("#embed")
    expect(frame.locator("#points-summary")).to_contain_text("4 clusters", timeout=60_000)
    inner = next(f for f in page.frames if f.url.startswith(base_url))
    inner.evaluate(
        """() => { window.handled = new Promise((r) =>
            addEventListener('message', () => setTimeout(r, 0), {once: true})); }"""
    )
    page.evaluate(SEND_JS, {"type": "kmeanslab:set", "params": {"k": 2}})
    inner.evaluate("() => window.handled")  # the embed has handled the message
    # Accepted, it would be busy at once; ignored, it stays ready with k = 4.
    assert inner.evaluate("document.documentElement.dataset.state") == "ready"
    expect(frame.locator("#points-summary")).to_contain_text("4 clusters")
    got = page.evaluate("window.got.map((m) => m.type)")
    assert "kmeanslab:height" in got  # carries no data: sent to any host
    assert "kmeanslab:result" not in got


def test_allowed_origin_sets_points_and_gets_labels_back(page, base_url, other_origin):
    origin = other_origin[1]
    _host(page, other_origin, base_url, f"panel=points&origin={origin}")
    points = [0, 0, 0.1, 0.2, 0.2, 0.1, 10, 10, 10.1, 10.2, 10.2, 9.9]
    page.evaluate(SEND_JS, {"type": "kmeanslab:set", "params": {"k": 2}, "points": points})
    labels = page.evaluate(
        """() => new Promise((resolve) => {
            const check = () => {
                const r = window.got.find((m) => m.type === 'kmeanslab:result');
                if (r) resolve(Array.from(r.result.labels)); else setTimeout(check, 50);
            };
            check();
        })"""
    )
    assert len(labels) == 6
    assert labels[0] == labels[1] == labels[2] != labels[3] == labels[4] == labels[5]
    page.evaluate(SEND_JS, {"type": "kmeanslab:set", "params": {"colour": 3}})
    error = page.evaluate(
        """() => new Promise((resolve) => {
            const check = () => {
                const r = window.got.find((m) => m.type === 'kmeanslab:error');
                if (r) resolve(r.message); else setTimeout(check, 50);
            };
            check();
        })"""
    )
    assert "colour" in error


def test_helper_script_works_from_another_origin(page, base_url, other_origin):
    """The README's snippet on a docs page of another origin: the iframe appears and runs."""
    root, origin = other_origin
    (root / "docs.html").write_text(
        '<!doctype html><meta charset="utf-8"><title>docs</title>'
        '<div data-kmeanslab="points" data-params="kind=moons&k=2&n=120"'
        ' data-title="moons"></div>'
        f'<script type="module" src="{base_url}js/embed-host.js"></script>',
        encoding="utf-8",
    )
    page.goto(f"{origin}/docs.html")
    frame = frame_ready(page, "[data-kmeanslab=points] iframe")
    summary = frame.locator("#points-summary")
    expect(summary).to_contain_text("2 clusters of 120 points", timeout=60_000)


#: Every panel in controls=none: once its result is there, nothing to press or fill but
#: the result's own parts (a Digits cluster or matrix cell selects its members).
NONE_EMBEDS = {
    "points": ("panel=points&k=3", "#points-summary", "3 clusters"),
    "image": ("panel=image&sample=china.jpg&n_colors=4", ".image-summary", "PSNR"),
    "digits": ("panel=digits", ".digits-summary", "Accuracy"),
}
VISIBLE_CONTROLS_JS = """() => [...document.querySelectorAll(
    'main button, main input, main select, main textarea, main [role=button],'
    + ' main [tabindex]:not([tabindex="-1"])')]
  .filter((el) => el.checkVisibility() && !el.closest('.digits-centers, .digits-confusion'))
  .map((el) => el.outerHTML.slice(0, 80))"""


@pytest.mark.parametrize("panel", sorted(NONE_EMBEDS))
def test_controls_none_shows_only_the_result(page, base_url, panel):
    query, result, text = NONE_EMBEDS[panel]
    page.goto(f"{base_url}embed.html?{query}&controls=none")
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)
    expect(page.locator(result)).to_contain_text(text, timeout=90_000)
    assert page.evaluate(VISIBLE_CONTROLS_JS) == []


@pytest.mark.parametrize(("panel", "field"), [("image", "seed"), ("digits", "n_init")])
def test_compact_shows_fewer_controls_than_full(page, base_url, panel, field):
    visible = {}
    for level in ("compact", "full"):
        page.goto(f"{base_url}embed.html?panel={panel}&controls={level}")
        ready = page.locator("html")
        expect(ready).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)
        visible[level] = page.locator(f'#panel-{panel} [name="{field}"]').is_visible()
    assert visible == {"compact": False, "full": True}


def test_open_full_app_link_carries_the_embed_state(page, context, base_url):
    page.goto(base_url + "embed.html?panel=points&kind=moons&k=3&n=140&controls=none"
              "&origin=https://docs.example.org")
    summary = "3 clusters of 140 points"
    expect(page.locator("#points-summary")).to_contain_text(summary, timeout=READY_TIMEOUT_MS)
    link = page.get_by_role("link", name="Open kmeans-lab")
    href = link.get_attribute("href")
    assert href.startswith("index.html#points?") and "controls" not in href and "origin" not in href
    with context.expect_page() as opened:
        link.click()
    full = opened.value
    full.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    expect(full.locator("#points-summary")).to_contain_text(summary, timeout=READY_TIMEOUT_MS)
    expect(full.get_by_label("Dataset")).to_have_value("moons")
    expect(full.get_by_role("navigation", name="Panels")).to_be_visible()
