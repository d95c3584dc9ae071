"""Hosting: dist/ under a sub-path, with the CSP a host sends, and no foreign requests."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from conftest import DIST, READY_TIMEOUT_MS, guard_page

pytestmark = pytest.mark.browser

BASE = "/some/path/"
#: Record CSP violations the document sees (init scripts are not subject to the CSP).
VIOLATIONS_JS = """window.cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));"""


@pytest.fixture(scope="module")
def sub_path_url(dist_dir):
    from kmeanslab_build.serve import make_server

    server = make_server(dist_dir, "127.0.0.1", 0, base=BASE)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{BASE}"
    server.shutdown()
    server.server_close()


def test_every_panel_under_a_sub_path_with_the_csp(page, sub_path_url):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script(VIOLATIONS_JS)
    response = page.goto(sub_path_url)
    assert "wasm-unsafe-eval" in response.headers["content-security-policy"]
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)
    page.get_by_label("k (clusters)", exact=True).fill("3")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#points-summary")).to_contain_text("3 clusters of", timeout=60_000)
    # scikit-learn (and SciPy, OpenBLAS) on demand, under the CSP, from the sub-path.
    ms = page.evaluate("async () => (await kmeanslab.engine.loadPackages(['scikit-learn'])).ms")
    assert ms > 0
    page.get_by_role("link", name="Image").click()
    page.get_by_role("button", name="china.jpg").click()
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=60_000)
    expect(page.locator("#panel-image")).to_contain_text("china.jpg")
    page.get_by_role("link", name="Digits").click()
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=60_000)
    assert page.evaluate("window.cspViolations") == []
    outside = [u for u in requests if not u.startswith(sub_path_url)
               and not u.startswith(("blob:", "data:"))]
    assert not outside, outside
    assert any(u.endswith(".whl") and "scikit_learn" in u for u in requests)


def test_headers_file_lists_the_csp_and_long_lived_files():
    from kmeanslab_build.constants import CONTENT_SECURITY_POLICY
    from kmeanslab_build.hosting import headers_for, parse_headers

    rules = parse_headers((DIST / "_headers").read_text(encoding="utf-8"))
    assert ("Content-Security-Policy", CONTENT_SECURITY_POLICY) in headers_for("/index.html", rules)
    numpy = next(p.name for p in (DIST / "pyodide").glob("numpy-*.whl"))
    assert any("immutable" in v for _, v in headers_for(f"/pyodide/{numpy}", rules))
    assert not any("immutable" in v for _, v in headers_for("/pyodide/pyodide.asm.wasm", rules))
    meta = (DIST / "index.html").read_text(encoding="utf-8")
    assert f'content="{CONTENT_SECURITY_POLICY}"' in meta
    assert "<script>" not in meta and " on" + "click=" not in meta


def test_csp_blocks_inline_script_in_the_page(page, base_url, watch):
    watch.allowed_console.append("Content Security Policy")
    page.goto(base_url + "index.html#points")
    ran = page.evaluate(
        """() => { window.inlineRan = false; const s = document.createElement('script');
                  s.textContent = 'window.inlineRan = true'; document.body.append(s);
                  return window.inlineRan; }"""
    )
    assert ran is False


def test_a_csv_named_like_html_is_shown_as_text(app):
    name = '<img src=x onerror="window.pwned=1">.csv'
    app.locator("input[name=csv]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": b"x,y\n1,not-a-number\n"}]
    )
    error = app.locator("#points-csv-error")
    expect(error).to_contain_text(name)
    assert app.locator("#points-csv-error img").count() == 0
    assert app.evaluate("window.pwned") is None


def test_no_request_leaves_the_origin_on_any_panel(browser, base_url, watch):
    context = browser.new_context()
    try:
        page = context.new_page()
        guard_page(page, watch)
        for panel in ("points", "image", "digits"):
            page.goto(f"{base_url}index.html#{panel}")
            expect(page.locator("html")).to_have_attribute(
                "data-state", "ready", timeout=READY_TIMEOUT_MS
            )
        page.goto(base_url + "examples/")
        readout = page.locator("#points-readout")
        expect(readout).to_contain_text("clusters", timeout=READY_TIMEOUT_MS)
        watch.check()
    finally:
        context.close()
