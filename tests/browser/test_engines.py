"""Other engines: the page in Firefox (Debian's firefox-esr, over Marionette).

Runs where Firefox is installed (.ci/run installs firefox-esr); elsewhere it is skipped
with the reason. Load, reach ready, cluster blobs, quantize the bundled image.
"""

from __future__ import annotations

import pytest
from marionette import Firefox, find_firefox

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


@pytest.fixture(scope="module")
def firefox():
    executable = find_firefox()
    if executable is None:
        pytest.skip("Firefox is not installed (Debian: apt-get install firefox-esr)")
    ff = Firefox(executable)
    yield ff
    ff.close()


def test_firefox_loads_clusters_and_quantizes(firefox, base_url):
    assert int(firefox.capabilities["browserVersion"].split(".")[0]) >= 115
    firefox.navigate(base_url + "index.html#points")
    assert firefox.wait(STATE_JS, "ready") == "ready"
    firefox.script(
        "const f = document.querySelector('#points-form');"
        "f.elements.n_samples.value = 600; f.elements.centers.value = 5;"
        "f.elements.n_clusters.value = 5;"
    )
    assert firefox.wait(CLICK_AND_SETTLE_JS, "#points-form button[type=submit]") == "ready"
    summary = firefox.script("return document.getElementById('points-summary').textContent")
    assert "5 clusters of 600 points" in summary
    colors = firefox.script(
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

    firefox.navigate(base_url + "index.html#image")
    assert firefox.wait(STATE_JS, "ready") == "ready"
    assert firefox.wait(CLICK_AND_SETTLE_JS, "[data-sample='china.jpg']") == "ready"
    result = firefox.script(
        "const r = window.kmeanslab.panels.image.result;"
        "return r && {n: r.n_colors_out, w: r.width, h: r.height};"
    )
    assert result and result["n"] >= 2 and result["w"] > 0, result
