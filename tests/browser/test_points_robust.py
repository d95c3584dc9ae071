"""The Points panel at its limits: every numeric field at its minimum and maximum, 200,000
points, CSV files as people's tools write them, and points kept to full precision."""

from __future__ import annotations

import re
from urllib.parse import unquote

import numpy as np
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SUMMARY = "#points-summary"
POINTS_JS = "Array.from(window.kmeanslab.panels.points.points)"
# For each field, the settings that make it shown and used, and a companion change its
# bound needs to be a valid run (one point can make only one cluster).
CONTEXT = {
    "n_samples": {"kind": "blobs"}, "centers": {"kind": "blobs"}, "cluster_std": {"kind": "blobs"},
    "noise": {"kind": "moons"}, "data_seed": {"kind": "blobs"},
    "n_clusters": {}, "n_init": {"method": "kmeans"}, "max_iter": {"method": "kmeans"},
    "batch_size": {"method": "minibatch"}, "n_neighbors": {"method": "spectral"}, "seed": {},
}
NEEDS = {("n_samples", "min"): {"n_clusters": "1"}}


def points_of(page) -> np.ndarray:
    return np.array(page.evaluate(POINTS_JS)).reshape(-1, 2)


def set_field(page, name: str, value: str) -> None:
    control = page.locator(f'#points-form [name="{name}"]')
    if control.evaluate("el => el.tagName") == "SELECT":
        control.select_option(value)
    else:
        control.fill(value)


def reset(page, values: dict[str, str]) -> None:
    """Put the form's fields (shown or hidden) back to ``values``, as the page's own
    presets do, then let the form show the fields that apply."""
    page.evaluate(
        """values => {
            const form = document.getElementById("points-form");
            for (const [name, value] of Object.entries(values)) form.elements[name].value = value;
            form.dispatchEvent(new Event("change"));
        }""",
        values,
    )


def run_and_wait(page, timeout: float = 60_000) -> str:
    """Press Run and wait until the status line reports its outcome; return it."""
    status = page.locator("#status")
    page.evaluate("document.getElementById('status').textContent = ''")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(status).to_have_text(re.compile(r"^(Done|.*failed|Cancelled)"), timeout=timeout)
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=timeout)
    return status.inner_text()


def import_csv(page, name: str, text: str | bytes) -> None:
    data = text.encode() if isinstance(text, str) else text
    page.locator('input[name="csv"]').set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}])


def test_every_numeric_field_runs_at_its_minimum_and_maximum(app):
    fields = app.eval_on_selector_all(
        '#points-form input[type="number"]',
        "els => els.map(el => ({name: el.name, min: el.min, max: el.max, value: el.value}))",
    )
    assert {f["name"] for f in fields} == set(CONTEXT), "a field without a test context"
    defaults = {f["name"]: f["value"] for f in fields} | {"kind": "blobs", "method": "kmeans"}
    for field in fields:
        name = field["name"]
        for end in ("min", "max"):
            if (name, end) == ("n_samples", "max"):
                continue  # 200,000 points: its own test below
            reset(app, defaults)
            for other, value in {**CONTEXT[name], **NEEDS.get((name, end), {})}.items():
                set_field(app, other, value)
            set_field(app, name, field[end])
            outcome = run_and_wait(app)
            assert outcome.startswith("Done"), f"{name}={field[end]} ({end}): {outcome}"
            expect(app.locator(SUMMARY)).to_contain_text("of ")
            labels = app.evaluate("window.kmeanslab.panels.points.result.labels.length")
            assert labels == len(points_of(app)), name
        # one step past each end is refused next to the field, in plain words
        for outside in (float(field["min"]) - 1, float(field["max"]) + 1):
            set_field(app, name, f"{outside:g}")
            app.get_by_role("button", name="Run", exact=True).click()
            message = app.locator(f"#points-form-{name}-error")
            expect(message).to_contain_text("enter a")
            expect(message).to_be_in_viewport()
            expect(app.locator(f'#points-form [name="{name}"]')).to_have_attribute(
                "aria-invalid", "true")
        reset(app, defaults)


def test_two_hundred_thousand_points_run_and_report(app):
    maximum = app.locator('#points-form [name="n_samples"]').get_attribute("max")
    assert maximum == "200000"
    for name, value in {"kind": "blobs", "n_samples": maximum, "n_init": "1"}.items():
        set_field(app, name, value)
    outcome = run_and_wait(app, timeout=300_000)
    assert outcome.startswith("Done"), outcome
    summary = app.locator(SUMMARY)
    expect(summary).to_contain_text("4 clusters of 200,000 points")
    ari = float(re.search(r"adjusted Rand index (-?[\d.]+)", summary.inner_text()).group(1))
    assert ari > 0.9  # four well-separated blobs, scored in Python


DIALECTS = [
    ("semicolon, decimal comma", "x;y\n1,5;2,5\n3;4,25\n"),
    ("quoted", '"1.5","2.5"\n"3","4.25"\n'),
    ("BOM", "\ufeffx,y\n1.5,2.5\n3,4.25\n"),
    ("CRLF", "x,y\r\n1.5,2.5\r\n3,4.25\r\n"),
    ("exponents", "x,y\n15e-1,0.25E1\n3e0,425e-2\n"),
    ("tab", "x\ty\n1.5\t2.5\n3\t4.25\n"),
    ("whitespace", "  1.5   2.5\n3 \t 4.25\n"),
    ("no header", "1.5,2.5\n3,4.25\n"),
]


@pytest.mark.parametrize(("dialect", "text"), DIALECTS, ids=[d for d, _ in DIALECTS])
def test_csv_dialects_import_as_the_numbers_meant(app, dialect, text):
    import_csv(app, f"{dialect}.csv", text)
    expect(app.locator(SUMMARY)).to_contain_text("2 points")
    assert points_of(app).tolist() == [[1.5, 2.5], [3.0, 4.25]]
    expect(app.locator("#points-csv-note")).to_contain_text('Read 2 points from "')
    expect(app.locator("#points-csv-error")).to_be_hidden()


@pytest.mark.parametrize(
    ("text", "message"),
    [("x,y\n1,2\n3,4\n5\n", "Line 4 has 1 value where line 1 has 2"),
     ("x;y\n1;2\n3;oops\n", 'Line 3, column 2 ("y") has "oops", which is not a number')],
)
def test_a_bad_csv_names_its_line_next_to_the_import(app, text, message):
    before = points_of(app)
    import_csv(app, "bad.csv", text)
    error = app.locator("#points-csv-error")
    expect(error).to_contain_text(f'Could not import "bad.csv": {message}')
    expect(error).to_contain_text("Your points are unchanged.")
    np.testing.assert_array_equal(points_of(app), before)


def test_extra_columns_let_the_person_choose_x_and_y(app):
    import_csv(app, "three.csv", "id;a;b;c\nP;1;2;3,5\nQ;4;5;6\n")
    note = app.locator("#points-csv-note")
    expect(note).to_contain_text("It has 3 numeric columns: x is a and y is b")
    expect(note).to_contain_text('Left out, as they hold no numbers: column 1 ("id")')
    assert points_of(app).tolist() == [[1, 2], [4, 5]]
    app.get_by_label("x column").select_option("c")
    app.get_by_label("y column").select_option("a")
    expect(note).to_contain_text("x is c and y is a")
    assert points_of(app).tolist() == [[3.5, 1], [6, 4]]
    # a two-column file needs no choice
    import_csv(app, "two.csv", "1,2\n3,4\n")
    expect(app.get_by_label("x column")).to_be_hidden()


def test_imported_points_keep_full_precision_in_the_page_link_and_export(app, context):
    rng = np.random.default_rng(0)
    small = rng.random((20, 2)).round(3)
    small[0] = [0.644, 0.1 + 0.2]
    X = np.vstack([small, [[1_000_000, 1_000_000]]])
    import_csv(app, "outlier.csv", "x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in X.tolist()))
    expect(app.locator(SUMMARY)).to_contain_text("21 points")
    set_field(app, "n_clusters", "3")
    assert run_and_wait(app).startswith("Done")
    assert points_of(app).tolist() == X.tolist()  # bit for bit, after a run too
    with app.expect_download() as dl:
        app.get_by_role("button", name="Export CSV").click()
    rows = np.loadtxt(dl.value.path(), delimiter=",", skiprows=1)
    assert rows[:, :2].tolist() == X.tolist()
    assert len(np.unique(rows[:20, :2], axis=0)) == 20
    # the link holds them exactly too, and says nothing is lost
    expect(app.locator("#points-link-note")).to_be_hidden()
    again = context.new_page()
    again.goto(app.url)
    expect(again.locator(SUMMARY)).to_contain_text("21 points", timeout=120_000)
    assert points_of(again).tolist() == X.tolist()
    assert "points=" in unquote(app.url)


def test_a_link_too_small_for_the_points_says_so(app):
    rng = np.random.default_rng(1)
    X = rng.random((3000, 2))
    import_csv(app, "many.csv", "".join(f"{a!r},{b!r}\n" for a, b in X.tolist()))
    expect(app.locator(SUMMARY)).to_contain_text("3,000 points")
    assert run_and_wait(app).startswith("Done")
    expect(app.locator("#points-link-note")).to_contain_text(
        "holds your 3,000 points only to 1/65,535 of their range")
    assert points_of(app).tolist() == X.tolist()  # the page's points are not rounded


def test_generate_is_offered_only_for_generated_data(app):
    # a [hidden] button kept on screen by the toolbar's display rule misled people into
    # pressing Generate, which replaced the points they had drawn or imported
    generate = app.get_by_role("button", name="Generate", exact=True)
    app.get_by_label("Dataset").select_option("drawn")
    expect(generate).to_be_hidden()
    app.get_by_label("Dataset").select_option("blobs")
    expect(generate).to_be_visible()
