"""The code behind "Code & notebook" (kmeanslab.app.export): it runs, and gives the page's
numbers; embedded data is exact and compact; file names are safe; bad input is named.

The code is executed in this process (``exec``), so these tests also run inside
Pyodide; the notebooks themselves are executed by tests/test_notebooks.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import re

import numpy as np
import pytest

from kmeanslab import app
from kmeanslab.app.export_code import UNPACK_SOURCE, array, pack, safe_name, unpack
from kmeanslab.app.export_points import kept_init
from kmeanslab.cluster import KMeans

PARAMS = dict(kind="blobs", n_samples=300, centers=4, cluster_std=0.6, noise=0.05,
              data_seed=0, method="kmeans", n_clusters=4, init="k-means++", n_init=10,
              max_iter=300, batch_size=1024, n_neighbors=10, seed=0)


def op(name, *args, **kwargs):
    return app.drain(app.OPERATIONS[name](*args, **kwargs))[1]


def run(code: str) -> dict[str, float]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<export>", "exec"), {"__name__": "__main__"})
    return {k: float(v) for k, v in re.findall(r"^([a-zA-Z ()-]+): ([-+0-9.e]+)$",
                                               out.getvalue(), re.M)}


def fitted_state(**params):
    p = {**PARAMS, **params}
    if p["kind"] == "drawn":
        pts = np.random.default_rng(1).normal(size=(120, 2)).reshape(-1)
        truth = None
    else:
        gen = op("generate", p["kind"], p["n_samples"], p["centers"], p["cluster_std"],
                 p["noise"], p["data_seed"])
        pts, truth = gen["points"].reshape(-1), gen["truth"]
    placed = pts[: 2 * p["n_clusters"]].copy() if p["init"] == "click" else None
    res = op("fit", pts.tobytes(), n_clusters=p["n_clusters"],
             init="k-means++" if placed is not None else p["init"],
             init_centers=None if placed is None else placed.tobytes(), n_init=p["n_init"],
             max_iter=p["max_iter"], random_state=p["seed"], method=p["method"])
    state = {"params": p, "mode": "fit", "points": pts, "truth": truth, "placed": placed,
             "result": {"inertia": res["inertia"], "best_init": res["best_init"]}}
    return state, res


@pytest.mark.parametrize("params", [
    {}, {"init": "random", "n_init": 3, "seed": 4}, {"kind": "drawn", "init": "click", "n_init": 1},
    {"kind": "varied", "n_samples": 500, "n_clusters": 3},
])
def test_kmeanslab_code_prints_the_pages_inertia(params):
    state, res = fitted_state(**params)
    printed = run(op("export_code", "points", state, "kmeanslab")["code"])
    np.testing.assert_allclose(printed["inertia"], res["inertia"], rtol=1e-12)


@pytest.mark.parametrize("params", [{}, {"init": "random", "n_init": 5, "seed": 2},
                                    {"kind": "circles", "n_samples": 400, "n_clusters": 3}])
def test_sklearn_code_prints_the_pages_inertia(params):
    pytest.importorskip("sklearn")
    state, res = fitted_state(**params)
    code = op("export_code", "points", state, "sklearn")["code"]
    assert not re.search(r"^(from|import) kmeanslab", code, re.M)
    np.testing.assert_allclose(run(code)["inertia"], res["inertia"], rtol=1e-9)


def test_steps_code_starts_where_the_page_started():
    state, _ = fitted_state(init="random", seed=2, n_init=1)
    state["mode"] = "steps"
    pts = state["points"]
    centers = op("init_centers", pts.tobytes(), 4, "random", 2)["centers"]
    records = app.drain(app.OPERATIONS["steps"](pts.tobytes(), centers.tobytes()))[0]
    code = op("export_code", "points", state, "kmeanslab")["code"]
    assert "rng.permutation" in code  # the chapter's find_clusters seeding, written out
    np.testing.assert_allclose(run(code)["inertia"], records[-1]["inertia"], rtol=1e-9)


def test_kept_init_is_the_kept_runs_start_also_with_duplicate_rows():
    rng = np.random.default_rng(3)
    X = rng.integers(0, 12, size=(20000, 2)).astype(np.float64)  # deduplicated by KMeans
    model = KMeans(5, n_init=4, random_state=9).fit(X)
    init = kept_init(X, 5, "k-means++", 4, 9, model.best_init_)
    again = KMeans(5, init=init, n_init=1).fit(X)
    assert again.inertia_ == pytest.approx(model.inertia_, rel=1e-12)
    with pytest.raises(ValueError, match="best_init=4"):
        kept_init(X, 5, "k-means++", 4, 9, 4)


@pytest.mark.parametrize("dtype", ["float64", "int32"])
def test_packed_arrays_read_back_exactly(dtype):
    a = (np.random.default_rng(0).normal(size=(1000, 2)) * 1e3).astype(dtype)
    text, packed = array("A", a, dtype)
    assert packed
    ns = {}
    exec("import base64, zlib\nimport numpy as np\n" + UNPACK_SOURCE + "\n" + text, ns)
    np.testing.assert_array_equal(ns["A"], a)
    np.testing.assert_array_equal(unpack(pack(a), a.dtype.str, a.shape), a)
    small, packed = array("B", a[:3], dtype)
    assert not packed and "np.array([" in small


def test_a_huge_drawn_set_gives_a_notebook_of_sensible_size():
    pts = np.random.default_rng(5).uniform(-10, 10, size=(200_000, 2))
    state = {"params": {**PARAMS, "kind": "drawn", "n_samples": 200_000}, "mode": "fit",
             "points": pts.reshape(-1), "result": {"best_init": 0}}
    out = op("export_notebook", "points", state, "kmeanslab")
    nb = json.loads(out["notebook"])
    assert nb["nbformat"] == 4 and out["size"] == len(out["notebook"].encode())
    # float64, byte-shuffled, zlib, base64: ~19 bytes a point (raw text would be ~40)
    assert out["size"] < 200_000 * 20, out["size"]
    data = next(c for c in nb["cells"] if "unpack(" in "".join(c["source"])
                and "def unpack" not in "".join(c["source"]))
    ns = {}
    exec("import base64, zlib\nimport numpy as np\n" + UNPACK_SOURCE, ns)
    exec("".join(data["source"]), ns)
    np.testing.assert_array_equal(ns["X"], pts)


@pytest.mark.parametrize("name, expected", [
    ("china.jpg", "quantize-china-16colors"),
    ("../../etc/pass wd.JPG", "quantize-etc-pass-wd-16colors"),
    ("café «été».png", "quantize-caf-t-16colors"),
    ("....png", "quantize-16colors"),
])
def test_file_names_are_safe(name, expected):
    state = {"params": {"n_colors": 16, "method": "kmeans", "dither": "none", "seed": 0},
             "name": name}
    out = op("export_notebook", "image", state, "kmeanslab")
    assert out["filename"] == expected + ".ipynb"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.ipynb", out["filename"])
    assert safe_name("", "x") == "x" and len(safe_name("a" * 300, "x")) == 40


def test_notebook_names_say_what_they_hold():
    state, _ = fitted_state()
    assert op("export_notebook", "points", state)["filename"] == "kmeans-blobs-k4.ipynb"
    digits = {"params": {"n_clusters": 10, "n_init": 10, "seed": 0, "preprocess": "none"}}
    assert op("export_notebook", "digits", digits)["filename"] == "digits-kmeans-k10.ipynb"
    own = {"params": {"n_colors": 8, "method": "kmeans", "dither": "none", "seed": 0},
           "name": "holiday.png"}
    code = op("export_code", "image", own)["code"]
    assert "Image.open('holiday.png')" in code and "your own photo" in code.lower()


def test_bad_requests_name_the_parameter():
    with pytest.raises(ValueError, match="panel='nope'"):
        op("export_code", "nope", {"params": {}})
    with pytest.raises(ValueError, match="flavour='r'"):
        op("export_code", "points", {"params": PARAMS}, "r")
    with pytest.raises(ValueError, match="no parameters"):
        op("export_code", "digits", {})


@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("png", b"\x89PNG"),
                                        ("pdf", b"%PDF")])
def test_figures_of_the_points_and_digits(fmt, magic):
    pytest.importorskip("matplotlib")
    state, res = fitted_state()
    state.update(labels=res["labels"], centers=res["centers"].reshape(-1))
    out = op("export_figure", "points", state, fmt)
    data = out["data"].tobytes()
    assert data.startswith(magic) and out["filename"] == f"kmeans-blobs-k4.{fmt}"
    if fmt == "svg":
        assert data.count(b"<use ") >= 300 + 4  # every point and center is drawn
    d = op("digits_kmeans", 10, 1, 0, max_iter=5)
    digits = {"params": {"n_clusters": 10, "n_init": 1, "seed": 0, "preprocess": "none"},
              "center_images": d["center_images"], "mapping": d["mapping_majority"],
              "contingency": d["contingency"]}
    assert op("export_figure", "digits", digits, fmt)["data"].tobytes().startswith(magic)


def test_figure_requests_are_checked():
    pytest.importorskip("matplotlib")
    state, _ = fitted_state()
    with pytest.raises(ValueError, match="format='gif'"):
        op("export_figure", "points", state, "gif")
    with pytest.raises(ValueError, match="labels has 3 entries"):
        op("export_figure", "points", {**state, "labels": np.zeros(3, np.int32)}, "svg")
    with pytest.raises(ValueError, match="no longer in memory"):
        op("export_figure", "image", {"params": {"n_colors": 4}, "token": 10**6}, "png")


def test_side_by_side_exports_both_halves():
    """"Moons: both side by side": the code prints both halves' scores, the figure has
    both plots (issue 11)."""
    pytest.importorskip("sklearn")
    p = {**PARAMS, "kind": "moons", "n_samples": 200, "n_clusters": 2, "n_init": 10}
    gen = op("generate", "moons", 200, 4, 0.6, 0.05, 0)
    pts, truth = gen["points"].reshape(-1), gen["truth"]
    km = op("fit", pts.tobytes(), n_clusters=2, init="k-means++", n_init=10, random_state=0)
    sp = op("points_spectral", pts.tobytes(), 2, 10, 0)
    aris = [op("points_adjusted_rand", truth.tobytes(), r["labels"].tobytes())["ari"]
            for r in (km, sp)]
    state = {"params": p, "mode": "side", "points": pts, "truth": truth, "placed": None,
             "result": {"inertia": km["inertia"], "best_init": km["best_init"]},
             "side": {"n_neighbors": 10, "kmeans": {"labels": km["labels"], "centers":
                      km["centers"], "ari": aris[0]}, "spectral": {"labels": sp["labels"],
                                                                   "ari": aris[1]}}}
    for flavour in ("kmeanslab", "sklearn"):
        out = op("export_code", "points", state, flavour)
        assert "spectral" in out["filename"]
        printed = run(out["code"])
        assert printed["inertia"] == pytest.approx(km["inertia"], rel=1e-9)
        assert printed["adjusted Rand index (k-means)"] == pytest.approx(aris[0], abs=1e-9)
        # scikit-learn's spectral embedding is its own: the moons are found all the same
        assert printed["adjusted Rand index (spectral)"] == pytest.approx(aris[1], abs=0.02)
    pytest.importorskip("matplotlib")
    fig = op("export_figure", "points", state, "svg")
    svg = fig["data"].tobytes().decode()
    assert fig["filename"].startswith("kmeans-vs-spectral")
    assert svg.count('id="axes_') == 2  # both halves drawn
