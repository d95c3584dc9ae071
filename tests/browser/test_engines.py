"""Other engines: the page in Firefox and in WebKit, each driven by a small
standard-library client.

Firefox: Debian's firefox-esr over Marionette (``marionette.py``). WebKit: Debian's
webkit2gtk-driver (``WebKitWebDriver``, W3C WebDriver over HTTP) starting WebKitGTK's
MiniBrowser on a private Xvfb display (``webdriver_http.py``). Each runs where it is
installed (.ci/run installs both); elsewhere it is skipped with the reason. Load, reach
ready, cluster blobs, quantize the bundled image.
"""

from __future__ import annotations

import pytest
from marionette import Firefox, find_firefox
from webdriver_http import WebKit, find_webkit

pytestmark = pytest.mark.browser

#: Resolves when <html data-state> is ``state`` (a MutationObserver, no polling).
STATE_JS = """
const [state] = args;
const root = document.documentElement;
const now = () => root.dataset.state === 'error'
  ? 'error: ' + document.getElementById('status').textContent : root.dataset.state;
if (now() === state || now().startsWith('error')) return now();
return await new Promise((resolve) => new MutationObserver((_, obs) => {
  if (now() === state || now().startsWith('error')) {
    obs.disconnect();
    resolve(now());
  }
}).observe(root, {attributes: true, attributeFilter: ['data-state']}));
"""
#: Starts a job by a click and resolves once the page is ready again.
CLICK_AND_SETTLE_JS = """
const [selector] = args;
const root = document.documentElement;
const settled = new Promise((resolve) => {
  let busy = false;
  new MutationObserver((_, obs) => {
    if (root.dataset.state === 'busy') busy = true;
    else if (busy) { obs.disconnect(); resolve(root.dataset.state); }
  }).observe(root, {attributes: true, attributeFilter: ['data-state']});
});
document.querySelector(selector).click();
return await settled;
"""

#: Records uncaught errors, unhandled rejections and console errors from now on. Neither
#: client sees the browser's console (Marionette and WebKitWebDriver have no log
#: command), so the page keeps the list; the worker's own errors put the page in the
#: error state, which STATE_JS reports.
WATCH_JS = """
if (!window.__kmeanslabTestErrors) {
  const errors = window.__kmeanslabTestErrors = [];
  addEventListener('error', (e) => errors.push('pageerror: ' + e.message));
  addEventListener('unhandledrejection', (e) => errors.push('unhandledrejection: ' + e.reason));
  const original = console.error;
  console.error = (...a) => { errors.push('console: ' + a.join(' ')); original.apply(console, a); };
}
return window.__kmeanslabTestErrors;
"""


def _firefox():
    executable = find_firefox()
    if executable is None:
        pytest.skip("Firefox is not installed (Debian: apt-get install firefox-esr)")
    return Firefox(executable)


def _webkit():
    found = find_webkit()
    if found is None:
        pytest.skip("WebKitGTK's WebDriver is not installed "
                    "(Debian: apt-get install webkit2gtk-driver xvfb)")
    return WebKit(*found)


#: Engine name -> (start it, lowest version tested: Firefox ESR 115, WebKitGTK 2.40).
ENGINES = {"firefox": (_firefox, (115,)), "webkit": (_webkit, (2, 40))}


@pytest.fixture(scope="module", params=sorted(ENGINES))
def engine(request):
    start, _ = ENGINES[request.param]
    driven = start()
    driven.name = request.param
    yield driven
    driven.close()


def test_engine_loads_clusters_and_quantizes(engine, base_url):
    version = engine.capabilities["browserVersion"]
    assert tuple(int(v) for v in version.split(".")[:2]) >= ENGINES[engine.name][1], version
    engine.navigate(base_url + "index.html#points")
    assert engine.script(WATCH_JS) == []
    assert engine.wait(STATE_JS, "ready") == "ready"
    engine.script(
        "const f = document.querySelector('#points-form');"
        "f.elements.n_samples.value = 600; f.elements.centers.value = 5;"
        "f.elements.n_clusters.value = 5;"
    )
    assert engine.wait(CLICK_AND_SETTLE_JS, "#points-form button[type=submit]") == "ready"
    summary = engine.script("return document.getElementById('points-summary').textContent")
    assert "5 clusters of 600 points" in summary
    colors = engine.script(
        """const c = document.getElementById('points-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const n = {};
        for (let i = 0; i < d.length; i += 4) {
          const k = d[i] + ',' + d[i + 1] + ',' + d[i + 2];
          n[k] = (n[k] || 0) + 1;
        }
        return Object.entries(n).filter(([k, v]) => v >= 40).map(([k]) => k);"""
    )
    assert len(colors) >= 5 + 1  # five cluster colors and the background

    engine.navigate(base_url + "index.html#image")
    assert engine.wait(STATE_JS, "ready") == "ready"
    assert engine.wait(CLICK_AND_SETTLE_JS, "[data-sample='china.jpg']") == "ready"
    result = engine.script(
        "const r = window.kmeanslab.panels.image.result;"
        "return r && {n: r.n_colors_out, w: r.width, h: r.height};"
    )
    assert result and result["n"] >= 2 and result["w"] > 0, result
    assert engine.script(WATCH_JS) == [], "page errors"
    assert not getattr(engine, "foreign", []), f"requests left 127.0.0.1: {engine.foreign}"
