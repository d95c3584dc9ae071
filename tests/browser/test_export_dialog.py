""""Code & notebook" as a person uses it: the code read from the dialog runs natively and
prints the page's numbers; the notebook download is nbformat 4 JSON; the dialog is
keyboard-usable. No request leaves 127.0.0.1 (the ``page`` fixture fails the test)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PY = str(Path(__file__).resolve().parents[2] / "py")


def settle(page, timeout: float = 120_000) -> None:
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=timeout)


def run_natively(code: str, tmp_path: Path) -> dict[str, float]:
    script = tmp_path / "from_the_page.py"
    script.write_text(code)
    env = {**os.environ, "PYTHONPATH": PY, "MPLBACKEND": "agg"}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return {k.strip(): float(v) for k, v in
            re.findall(r"^([a-zA-Z ()-]+): ([-+0-9.e]+)$", done.stdout, re.M)}


def open_code(page, flavour: str = "kmeanslab") -> str:
    page.get_by_role("button", name="Code & notebook").click()
    dialog = page.get_by_role("dialog", name="Code & notebook")
    expect(dialog).to_be_visible()
    label = {"kmeanslab": "kmeanslab", "sklearn": "scikit-learn"}[flavour]
    dialog.get_by_role("radio", name=label, exact=True).check()
    code = dialog.get_by_label("Python code")
    marker = "from sklearn" if flavour == "sklearn" else "from kmeanslab"
    expect(code).to_contain_text(marker, timeout=60_000)
    expect(code).to_contain_text("print(")
    return code.inner_text()


def test_points_code_runs_natively_and_the_notebook_downloads(app, tmp_path):
    app.get_by_role("button", name="Four blobs", exact=True).click()
    expect(app.locator("#points-summary")).to_contain_text("inertia", timeout=60_000)
    settle(app)
    inertia = app.evaluate("window.kmeanslab.panels.points.result.inertia")
    for flavour in ("kmeanslab", "sklearn"):
        printed = run_natively(open_code(app, flavour), tmp_path)
        np.testing.assert_allclose(printed["inertia"], inertia, rtol=1e-9, err_msg=flavour)
        dialog = app.get_by_role("dialog", name="Code & notebook")
        with app.expect_download() as info:
            dialog.get_by_role("button", name="Download notebook (.ipynb)").click()
        download = info.value
        suffix = "" if flavour == "kmeanslab" else "-sklearn"
        assert download.suggested_filename == f"kmeans-blobs-k4{suffix}.ipynb"
        nb = json.loads(Path(download.path()).read_text())
        assert nb["nbformat"] == 4 and nb["cells"][0]["cell_type"] == "markdown"
        expect(dialog.get_by_role("status")).to_contain_text("Saved kmeans-blobs-k4")
        # Escape closes the dialog and gives focus back to the button that opened it
        app.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(app.get_by_role("button", name="Code & notebook")).to_be_focused()


def test_nothing_to_export_says_why(page, base_url):
    page.goto(base_url + "index.html#digits")
    settle(page)
    page.get_by_role("button", name="Code & notebook").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.locator(".export-hint").locator("visible=true")).to_contain_text("first")


def test_digits_code_gives_the_pages_accuracy(page, base_url, tmp_path):
    page.goto(base_url + "index.html#digits")
    settle(page)
    panel = page.locator("#panel-digits")
    panel.get_by_label("Restarts (n_init)").fill("3")
    panel.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator(".digits-summary")).to_contain_text(re.compile("accuracy", re.I),
                                                            timeout=120_000)
    settle(page)
    shown = page.evaluate("""() => { const r = window.kmeanslab.panels.digits.result;
        return {a: r.accuracy_majority, h: r.accuracy_hungarian, i: r.inertia}; }""")
    for flavour in ("kmeanslab", "sklearn"):
        printed = run_natively(open_code(page, flavour), tmp_path)
        np.testing.assert_allclose(printed["accuracy (majority)"], shown["a"], rtol=1e-9)
        np.testing.assert_allclose(printed["accuracy (one-to-one)"], shown["h"], rtol=1e-9)
        np.testing.assert_allclose(printed["inertia"], shown["i"], rtol=1e-9)
        page.keyboard.press("Escape")


def test_image_code_gives_the_pages_mse(page, base_url, tmp_path):
    pytest.importorskip("sklearn")
    page.goto(base_url + "index.html#image")
    settle(page)
    page.get_by_role("button", name="china.jpg").click()
    expect(page.get_by_role("status").first).to_contain_text("Quantized china.jpg",
                                                             timeout=120_000)
    settle(page)
    mse = page.evaluate("window.kmeanslab.panels.image.result.mse")
    code = open_code(page, "sklearn")
    assert "load_sample_image('china.jpg')" in code
    printed = run_natively(code, tmp_path)
    # the chapter's k-means on every pixel, not kmeanslab's histogram: close, not equal
    np.testing.assert_allclose(printed["MSE"], mse, rtol=0.05)


def test_figures_download_in_every_format(app, tmp_path):
    """matplotlib loads on the first request; SVG holds the points, PNG opens, PDF is one."""
    Image = pytest.importorskip("PIL.Image")
    import xml.etree.ElementTree as ET

    app.get_by_role("button", name="Four blobs", exact=True).click()
    expect(app.locator("#points-summary")).to_contain_text("inertia", timeout=60_000)
    settle(app)
    open_code(app)
    dialog = app.get_by_role("dialog", name="Code & notebook")
    files = {}
    for fmt in ("svg", "png", "pdf"):
        dialog.get_by_label("Figure format").select_option(fmt)
        with app.expect_download(timeout=180_000) as info:
            dialog.get_by_role("button", name="Download figure").click()
        assert info.value.suggested_filename == f"kmeans-blobs-k4.{fmt}"
        files[fmt] = Path(info.value.path()).read_bytes()
        expect(dialog.get_by_role("status")).to_contain_text(f"Saved kmeans-blobs-k4.{fmt}")
    svg = ET.fromstring(files["svg"])
    marks = [e for e in svg.iter() if e.tag.endswith("use")]
    assert len(marks) >= 300, len(marks)  # one mark per point (plus the 4 centers)
    png = Image.open(io.BytesIO(files["png"]))
    assert png.size == (1280, 960)  # 6.4 x 4.8 inches at 2 x 100 dpi
    assert files["pdf"].startswith(b"%PDF")


def test_an_embedding_page_asks_for_the_code_and_the_notebook(page, base_url, tmp_path):
    src = base_url + "embed.html?panel=points&kind=blobs&k=4&n_init=10&origin=*"
    page.set_content(f'<iframe id="embed" title="kmeans-lab" src="{src}" width="600" '
                     'height="600"></iframe>')
    page.evaluate("""() => { window.got = []; addEventListener('message', (e) => {
        if (String(e.data?.type).startsWith('kmeanslab:')) window.got.push(e.data); }); }""")
    frame = page.frame_locator("#embed")
    expect(frame.locator("#points-summary")).to_contain_text("inertia", timeout=120_000)
    expect(frame.locator("html")).to_have_attribute("data-state", "ready")
    send = "(m) => document.getElementById('embed').contentWindow.postMessage(m, '*')"
    wait = """(type) => new Promise((resolve) => { const check = () => {
        const m = window.got.find((x) => x.type === type);
        if (m) resolve(m); else setTimeout(check, 50); }; check(); })"""
    page.evaluate(send, {"type": "kmeanslab:get"})
    inertia = page.evaluate(wait, "kmeanslab:result")["result"]["inertia"]
    page.evaluate(send, {"type": "kmeanslab:code", "flavour": "sklearn"})
    code = page.evaluate(wait, "kmeanslab:code")
    assert code["flavour"] == "sklearn" and "from sklearn.cluster import KMeans" in code["code"]
    printed = run_natively(code["code"], tmp_path)
    np.testing.assert_allclose(printed["inertia"], inertia, rtol=1e-9)
    page.evaluate(send, {"type": "kmeanslab:notebook"})
    nb = page.evaluate(wait, "kmeanslab:notebook")
    assert nb["filename"] == "kmeans-blobs-k4.ipynb"
    assert json.loads(nb["notebook"])["nbformat"] == 4


def test_a_figure_asked_for_during_a_fit_waits_and_says_why(page, base_url):
    page.goto(base_url + "index.html#digits")
    settle(page)
    panel = page.locator("#panel-digits")
    panel.get_by_label("Restarts (n_init)").fill("1")
    panel.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator(".digits-summary")).to_contain_text(re.compile("accuracy", re.I),
                                                            timeout=120_000)
    settle(page)
    panel.get_by_label("t-SNE to 2-D").check()
    panel.get_by_label("t-SNE iterations").fill("1000")
    panel.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("html")).to_have_attribute("data-state", "busy")
    page.get_by_role("button", name="Code & notebook").click()
    dialog = page.get_by_role("dialog", name="Code & notebook")
    status = dialog.get_by_role("status")
    expect(status).to_contain_text("A computation is running")
    dialog.get_by_label("Figure format").select_option("png")
    with page.expect_download(timeout=300_000) as info:
        dialog.get_by_role("button", name="Download figure").click()
        expect(status).to_contain_text("the figure waits for it to end")
    assert info.value.suggested_filename == "digits-none-kmeans-k10.png"
    assert Path(info.value.path()).read_bytes().startswith(b"\x89PNG")
