"""The page loads Python, clusters blobs, reports errors, and matches native results."""

from __future__ import annotations

import numpy as np
import pytest
from canvas_pixels import cluster_colors
from playwright.sync_api import expect

from kmeanslab import KMeans
from kmeanslab.datasets import make_blobs

pytestmark = pytest.mark.browser

CANVAS = "#points-canvas"


def run_points(page, **fields: int | str) -> None:
    """Fill the Points form like a person and press Run; wait for the result."""
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(str(value))
    page.get_by_role("button", name="Run").click()
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=60_000)


def test_page_is_usable_while_python_loads_then_ready(page, base_url):
    requested = []
    page.on("request", lambda request: requested.append(request.url.split("?")[0]))
    page.goto(base_url + "index.html")
    status = page.get_by_role("status")
    # The controls are drawn and editable before Python is ready.
    points = page.get_by_label("Points", exact=True)
    points.fill("500")
    expect(points).to_have_value("500")
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=90_000)
    expect(status).to_have_text("Ready")
    expect(page.get_by_role("link", name="Points")).to_have_attribute("aria-current", "page")
    # Python's worker was started while the HTML was parsed (start-worker.js), before the
    # module graph (engine.js) was even requested, and the engine took that one over.
    workers = [i for i, url in enumerate(requested) if url.endswith("/js/worker.js")]
    assert len(workers) == 1
    assert workers[0] < requested.index(base_url + "js/engine.js")
    assert page.evaluate("window.kmeanslab.engine.startedEarly") is True
    # A first visit starts from the build's bare snapshot and makes none on its way to
    # "ready" (the one with the packages is made aside afterwards: test_offline checks that
    # a later visit starts from it).
    timings = page.evaluate("window.kmeanslab.engine.timings")
    assert timings["snapshotFrom"] == "shipped" and timings["snapshotCost"] is None, timings
    assert timings["snapshotPackages"] is False, timings


@pytest.mark.parametrize("k", [3, 5])
def test_run_on_blobs_draws_k_cluster_colors(app, k):
    run_points(app, **{"Points": 600, "Blobs": 5, "k (clusters)": k})
    summary = app.locator("#points-summary")
    expect(summary).to_contain_text(f"{k} clusters of 600 points")
    assert len(cluster_colors(app, CANVAS)) == k
    label = f"Scatter plot: {summary.inner_text()}"
    expect(app.locator(CANVAS)).to_have_attribute("aria-label", label)


def test_refused_run_shows_in_status_and_next_run_works(app):
    run_points(app, **{"Points": 5, "k (clusters)": 8})
    status = app.get_by_role("status")
    # plain words with what to do, never Python's "n_samples=5 should be >= n_clusters=8"
    expect(status).to_contain_text("k is 8 but there are only 5 points: choose k from 1 to 5")
    run_points(app, **{"Points": 300, "k (clusters)": 4})
    expect(status).to_contain_text("Done: 4 clusters of 300 points")
    assert len(cluster_colors(app, CANVAS)) == 4


def test_invalid_field_is_named_and_nothing_runs(app):
    field = app.get_by_label("k (clusters)", exact=True)
    top = field.get_attribute("max")  # the message names the field's own bounds
    field.fill("0")
    app.get_by_role("button", name="Run").click()
    expect(app.get_by_role("alert")).to_contain_text(
        f"k (clusters) is 0, which is too small: enter a whole number from 1 to {top}.")
    expect(app.get_by_label("k (clusters)", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(app.locator("#points-summary")).not_to_contain_text("clusters of")


def test_pyodide_gives_the_same_labels_as_native(app):
    X, _ = make_blobs(2000, centers=6, cluster_std=1.2, random_state=3)
    init = X[:6].copy()
    native = KMeans(6, init=init, n_init=1).fit(X)
    result = app.evaluate(
        """async ([points, init]) => {
            const r = await window.kmeanslab.engine.call('fit', {
                points: new Float64Array(points), init_centers: new Float64Array(init),
                n_clusters: 6, n_init: 1});
            return {labels: Array.from(r.labels), centers: Array.from(r.centers),
                    inertia: r.inertia, n_iter: r.n_iter};
        }""",
        [X.ravel().tolist(), init.ravel().tolist()],
    )
    np.testing.assert_array_equal(result["labels"], native.labels_)
    np.testing.assert_allclose(result["centers"], native.cluster_centers_.ravel(), rtol=1e-12)
    assert result["n_iter"] == native.n_iter_
    assert result["inertia"] == pytest.approx(native.inertia_, rel=1e-12)


#: An Engine adopting an early worker whose messages arrived before it: a "ready", or an
#: error event, must not be lost (start-worker.js buffers them; the engine replays them).
ADOPT_JS = """async (early) => {
  const { Engine } = await import('./js/engine.js');
  const url = new URL('js/worker.js?startup=adopt-test', location.href).href;
  const worker = new Worker(URL.createObjectURL(new Blob([''], { type: 'text/javascript' })));
  self.kmeanslabEarlyWorker = { worker, url, early };
  const engine = new Engine(new URL(url));
  worker.terminate();
  return { state: engine.state, message: engine.message, early: engine.startedEarly };
}"""


def test_messages_sent_before_the_engine_took_the_worker_are_replayed(page, base_url):
    page.goto(base_url + "index.html")
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=90_000)
    ready = {"data": {"type": "status", "state": "ready", "message": "Ready", "timings": {}}}
    got = page.evaluate(ADOPT_JS, [ready])
    assert got == {"state": "ready", "message": "Ready", "early": True}
    got = page.evaluate(ADOPT_JS, [{"error": "SyntaxError in worker.js"}])
    assert got["state"] == "error" and "SyntaxError in worker.js" in got["message"]
