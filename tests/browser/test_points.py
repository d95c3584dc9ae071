"""The Points panel as a person uses it: draw, step, presets, choose k, CSV, URL, cancel."""

from __future__ import annotations

import re

import numpy as np
import pytest
from canvas_pixels import cluster_colors
from playwright.sync_api import expect

from kmeanslab import KMeans

pytestmark = pytest.mark.browser

CANVAS = "#points-canvas"
SUMMARY = "#points-summary"
RESULT_JS = """() => {
    const r = window.kmeanslab.panels.points.result;
    return {labels: Array.from(r.labels), inertia: r.inertia};
}"""


def settle(page, timeout: float = 120_000) -> None:
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=timeout)


def fill(page, **fields) -> None:
    for label, value in fields.items():
        control = page.get_by_label(label, exact=True)
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(str(value))
        else:
            control.fill(str(value))


def points_of(page) -> np.ndarray:
    flat = page.evaluate("Array.from(window.kmeanslab.panels.points.points)")
    return np.array(flat).reshape(-1, 2)


def test_draw_points_with_the_mouse_then_cluster(app):
    app.get_by_role("button", name="Clear").click()
    expect(app.locator(SUMMARY)).to_contain_text("No points yet")
    box = app.locator(CANVAS).bounding_box()
    app.get_by_label("Brush spread").fill("0")
    for cx, cy in ((0.25, 0.3), (0.75, 0.7)):  # two clumps of clicks
        for dx in range(-2, 3):
            for dy in range(-1, 2):
                x = box["x"] + box["width"] * cx + 6 * dx
                app.mouse.click(x, box["y"] + box["height"] * cy + 6 * dy)
    expect(app.locator(SUMMARY)).to_contain_text("30 points")
    expect(app.get_by_label("Dataset")).to_have_value("drawn")
    fill(app, **{"k (clusters)": 2})
    app.get_by_role("button", name="Run").click()
    settle(app)
    expect(app.locator(SUMMARY)).to_contain_text("2 clusters of 30 points")
    assert len(cluster_colors(app, CANVAS, min_pixels=20)) == 2
    labels = app.evaluate("Array.from(window.kmeanslab.panels.points.result.labels)")
    pts = points_of(app)
    left = pts[:, 0] < pts[:, 0].mean()
    assert len(set(np.array(labels)[left])) == 1 and len(set(np.array(labels)[~left])) == 1
    # Undo removes the clicks one stroke at a time; redo brings them back.
    app.get_by_role("button", name="Undo").click()
    expect(app.locator(SUMMARY)).to_contain_text("29 points")
    app.get_by_role("button", name="Redo").click()
    expect(app.locator(SUMMARY)).to_contain_text("30 points")


def test_step_through_e_and_m(app):
    app.get_by_role("button", name="E–M steps", exact=True).click()
    settle(app)
    state = app.locator("#step-state")
    expect(state).to_contain_text("Initial centers")
    nxt = app.get_by_role("button", name=re.compile(r"^Next"))
    expect(nxt).to_have_text("Next: E step")
    inertias = []
    for i in range(1, 40):
        if nxt.is_disabled():
            break
        expected = "E step" if i % 2 else "M step"
        nxt.click()
        expect(state).to_contain_text(f"Iteration {(i + 1) // 2}: {expected}")
        shown = re.search(r"Inertia ([\d,]+\.\d)", state.inner_text()).group(1)
        inertias.append(float(shown.replace(",", "")))
    assert len(inertias) >= 4
    assert all(b <= a + 1e-6 for a, b in zip(inertias, inertias[1:], strict=False))
    expect(state).to_contain_text(re.compile(r"Converged after \d+ iteration"))
    app.get_by_role("button", name="Back").click()
    expect(state).not_to_contain_text("Converged")


def test_bad_seed_converges_to_a_worse_answer(app):
    app.get_by_role("button", name="Four blobs", exact=True).click()
    settle(app)
    good = app.evaluate("window.kmeanslab.panels.points.result.inertia")
    app.get_by_role("button", name="Bad seed", exact=True).click()
    settle(app)
    nxt = app.get_by_role("button", name=re.compile(r"^Next"))
    app.get_by_role("button", name="Play").click()
    expect(nxt).to_be_disabled(timeout=60_000)
    state = app.locator("#step-state").inner_text()
    assert "Converged" in state
    bad = float(re.search(r"Inertia ([\d,]+\.\d)", state).group(1).replace(",", ""))
    assert bad > 1.5 * good


@pytest.mark.parametrize(
    ("preset", "low", "high"), [("Moons: k-means", -1.0, 0.7), ("Moons: spectral", 0.99, 1.0)]
)
def test_moons_presets_report_adjusted_rand(app, preset, low, high):
    app.get_by_role("button", name=preset, exact=True).click()
    settle(app)
    summary = app.locator(SUMMARY)
    expect(summary).to_contain_text("2 clusters of 200 points")
    ari = float(re.search(r"adjusted Rand index (-?[\d.]+)", summary.inner_text()).group(1))
    assert low <= ari <= high
    labels = app.evaluate("Array.from(window.kmeanslab.panels.points.result.labels)")
    counts = np.bincount(labels, minlength=2)
    assert len(cluster_colors(app, CANVAS, min_pixels=20)) >= 2 and counts.min() > 0


def _shown_values(text: str) -> dict[int, float]:
    pairs = re.findall(r"k=(\d+): (-?[\d,]+(?:\.\d+)?)", text)
    return {int(k): float(v.replace(",", "")) for k, v in pairs}


def test_elbow_and_silhouette_match_native(app):
    from kmeanslab.metrics._unsupervised import silhouette_score

    app.get_by_role("button", name="Four blobs", exact=True).click()
    settle(app)
    X = points_of(app)
    app.get_by_role("button", name="Elbow (k = 1 to 10)").click()
    settle(app)
    result = app.locator("#analysis-result")
    expect(result).to_contain_text("suggested k = 4")
    shown = _shown_values(result.inner_text())
    assert sorted(shown) == list(range(1, 11))
    for k in (1, 4):
        native = min(KMeans(k, n_init=3, random_state=s).fit(X).inertia_ for s in range(3))
        assert shown[k] == pytest.approx(native, rel=0.02)
    app.get_by_role("button", name="Silhouette (k = 2 to 10)").click()
    settle(app)
    expect(result).to_contain_text("suggested k = 4")
    shown = _shown_values(result.inner_text())
    labels = KMeans(4, n_init=3, random_state=0).fit_predict(X)
    assert shown[4] == pytest.approx(silhouette_score(X, labels), abs=2e-3)
    expect(app.locator("#silhouette-plot")).to_be_visible()


def test_bad_csv_shows_its_error_and_keeps_the_points(app, tmp_path):
    app.get_by_role("button", name="Four blobs", exact=True).click()
    settle(app)
    before = points_of(app)
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n3,oops\n")
    app.locator('input[name="csv"]').set_input_files(str(bad))
    expect(app.get_by_role("alert")).to_contain_text('Could not import "bad.csv": Line 3')
    np.testing.assert_array_equal(points_of(app), before)
    good = tmp_path / "good.csv"
    good.write_text("x,y\n0,0\n0,1\n10,10\n10,11\n")
    app.locator('input[name="csv"]').set_input_files(str(good))
    expect(app.locator(SUMMARY)).to_contain_text("4 points")


def test_export_csv_has_points_and_labels(app):
    app.get_by_role("button", name="Four blobs", exact=True).click()
    settle(app)
    with app.expect_download() as dl:
        app.get_by_role("button", name="Export CSV").click()
    rows = np.loadtxt(dl.value.path(), delimiter=",", skiprows=1)
    assert rows.shape == (300, 3)
    labels = app.evaluate("Array.from(window.kmeanslab.panels.points.result.labels)")
    np.testing.assert_array_equal(rows[:, 2], labels)


def test_url_round_trip_restores_the_same_result(app, context):
    app.get_by_role("button", name="Clear").click()
    box = app.locator(CANVAS).bounding_box()
    app.get_by_label("Brush spread").fill("0")
    for i in range(12):
        app.mouse.click(box["x"] + 40 + 37 * i, box["y"] + 60 + (i % 3) * 70 + (i // 6) * 150)
    fill(app, **{"k (clusters)": 3, "Seed": 7})
    app.get_by_role("button", name="Run").click()
    settle(app)
    url = app.url
    assert "points=" in url and "n_clusters=3" in url
    first = app.evaluate(RESULT_JS)
    again = context.new_page()
    again.goto(url)
    settle(again)
    expect(again.get_by_label("k (clusters)", exact=True)).to_have_value("3")
    second = again.evaluate(RESULT_JS)
    assert second == first
    np.testing.assert_array_equal(points_of(again), points_of(app))


def test_cancel_a_100k_fit_keeps_the_previous_result(app):
    fill(app, **{"Points": 100000, "Blobs": 8, "k (clusters)": 8, "Restarts (n_init)": 1})
    app.get_by_role("button", name="Run").click()
    settle(app)
    summary = app.locator(SUMMARY)
    expect(summary).to_contain_text("8 clusters of 100,000 points")
    shown = summary.inner_text()
    fill(app, **{"Restarts (n_init)": 50, "Init": "random"})
    app.get_by_role("button", name="Run").click()
    expect(app.get_by_role("status")).to_contain_text("k-means: run", timeout=30_000)
    # The page stays responsive while the worker computes: the controls still work.
    fill(app, **{"Seed": 5})
    expect(app.get_by_label("Seed", exact=True)).to_have_value("5")
    app.get_by_role("button", name="Cancel").click()
    settle(app, timeout=5_000)
    expect(app.get_by_role("status")).to_contain_text("Cancelled")
    expect(summary).to_have_text(shown)
    assert len(cluster_colors(app, CANVAS)) == 8


def test_moons_side_by_side_shows_both_methods(app):
    app.get_by_role("button", name="Moons: both side by side").click()
    settle(app)
    side = app.locator("#points-side")
    expect(side).to_be_visible()
    captions = side.locator("figcaption")
    aris = [float(re.search(r"index (-?[\d.]+)", captions.nth(i).inner_text()).group(1))
            for i in range(2)]
    assert aris[0] < 0.7 and aris[1] >= 0.99
    for canvas in ("#side-kmeans", "#side-spectral"):
        assert len(cluster_colors(app, canvas, min_pixels=20)) == 2


def test_mini_batch_method_clusters_blobs(app):
    app.get_by_role("button", name="Four blobs", exact=True).click()
    settle(app)
    fill(app, **{"Method": "minibatch", "Batch size": 64})
    app.get_by_role("button", name="Run").click()
    settle(app)
    expect(app.locator(SUMMARY)).to_contain_text("Mini-batch k-means: 4 clusters of 300 points")
    assert len(cluster_colors(app, CANVAS)) == 4


def test_compare_with_scikit_learn_loads_it_on_demand(app):
    requested: list[str] = []
    app.context.on("request", lambda request: requested.append(request.url))
    app.get_by_role("button", name="Four blobs", exact=True).click()
    settle(app)
    assert not any("scikit_learn" in url for url in requested)
    app.get_by_role("button", name="Compare with scikit-learn").click()
    settle(app)
    rows = app.locator("#points-compare tbody tr")
    expect(rows).to_have_count(2)
    ours, theirs = (rows.nth(i).locator("td").first.inner_text() for i in range(2))
    assert float(ours.replace(",", "")) == pytest.approx(float(theirs.replace(",", "")), rel=1e-6)
    assert any("scikit_learn" in url for url in requested)
