"""Execute the notebooks the page downloads, with Jupyter's nbclient and a Python kernel.

"What the page showed" comes from the same :mod:`kmeanslab.app` operations the worker
runs, called natively; the notebook must print the same inertia, accuracy or MSE (to
1e-9 relative where the fit is deterministic from the same initial centers; where
scikit-learn has no identical algorithm, close to it, as the code's comments say).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

nbclient = pytest.importorskip("nbclient")  # not in Pyodide: no kernels there
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")
pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

from kmeanslab import app  # noqa: E402

PY = str(Path(__file__).resolve().parents[1] / "py")
POINTS = dict(kind="blobs", n_samples=300, centers=4, cluster_std=0.6, noise=0.05, data_seed=0,
              method="kmeans", n_clusters=4, init="k-means++", n_init=10, max_iter=300,
              batch_size=1024, n_neighbors=10, seed=0)


def run_op(name, *args, **kwargs):
    return app.drain(app.OPERATIONS[name](*args, **kwargs))[1]


def execute(panel, state, flavour, tmp_path, monkeypatch):
    """Download (build) the notebook, check it is nbformat 4, run it; its printed numbers."""
    out = run_op("export_notebook", panel, state, flavour)
    assert re.fullmatch(r"[a-z0-9-]+\.ipynb", out["filename"]), out["filename"]
    nb = nbformat.reads(out["notebook"], as_version=4)
    nbformat.validate(nb)
    monkeypatch.setenv("PYTHONPATH", PY + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("MPLBACKEND", "agg")
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                      for o in c.outputs if o.get("output_type") == "stream")
    return {k.strip(): float(v) for k, v in re.findall(r"^([a-zA-Z ()-]+): ([-+0-9.e]+)$",
                                                       printed, re.M)}


def points_state(params, mode="fit", points=None):
    p = {**POINTS, **params}
    truth = None
    if points is None:
        gen = run_op("generate", p["kind"], p["n_samples"], p["centers"], p["cluster_std"],
                     p["noise"], p["data_seed"])
        points, truth = gen["points"].reshape(-1), gen["truth"]
    state = {"params": p, "mode": mode, "points": points, "truth": truth}
    if mode == "steps":
        # as the page steps: the restart Run keeps (issue 11: one truth per setting)
        recs, res = app.drain(app.OPERATIONS["steps"](
            points.tobytes(), n_clusters=p["n_clusters"], init=p["init"], n_init=p["n_init"],
            random_state=p["seed"], max_iter=p["max_iter"]))
        state["result"] = {"inertia": res["inertia"], "best_init": res["best_init"]}
        return state, {"inertia": recs[-1]["inertia"]}
    if p["method"] == "spectral":
        res = run_op("points_spectral", points.tobytes(), p["n_clusters"], p["n_neighbors"],
                     p["seed"])
        from kmeanslab.metrics import adjusted_rand_score

        return state, {"adjusted Rand index": adjusted_rand_score(truth, res["labels"])}
    res = run_op("fit", points.tobytes(), n_clusters=p["n_clusters"], init=p["init"],
                 n_init=p["n_init"], max_iter=p["max_iter"], random_state=p["seed"],
                 method=p["method"], batch_size=p["batch_size"])
    state["result"] = {"inertia": res["inertia"], "n_iter": res["n_iter"],
                       "best_init": res["best_init"]}
    return state, {"inertia": res["inertia"]}


DRAWN = np.random.default_rng(7).normal(size=(150, 2)).round(3).reshape(-1)
POINT_CASES = {
    "blobs": (dict(), "fit", None, 1e-9),
    "drawn-random-init": (dict(kind="drawn", init="random", n_init=4, n_clusters=3, seed=5),
                          "fit", DRAWN, 1e-9),
    "circles-steps": (dict(kind="circles", n_samples=400, init="k-means++", seed=3,
                           n_clusters=3), "steps", None, 1e-9),
    "minibatch": (dict(n_samples=3000, method="minibatch", batch_size=256, n_init=1),
                  "fit", None, 0.02),
    "spectral-moons": (dict(kind="moons", n_samples=200, method="spectral", n_clusters=2),
                       "fit", None, 0.02),
}


@pytest.mark.parametrize("flavour", ["kmeanslab", "sklearn"])
@pytest.mark.parametrize("case", list(POINT_CASES))
def test_points_notebook_prints_the_pages_numbers(case, flavour, tmp_path, monkeypatch):
    params, mode, points, rtol = POINT_CASES[case]
    state, showed = points_state(params, mode, points)
    printed = execute("points", state, flavour, tmp_path, monkeypatch)
    exact = flavour == "kmeanslab" or rtol == 1e-9
    for key, value in showed.items():
        np.testing.assert_allclose(printed[key], value, rtol=1e-9 if exact else rtol,
                                   err_msg=f"{case}/{flavour}: {key}")


def _china_rgba():
    from sklearn.datasets import load_sample_image

    rgb = load_sample_image("china.jpg")
    rgba = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=2)
    return rgba, rgb.shape[1], rgb.shape[0]


@pytest.mark.parametrize("flavour", ["kmeanslab", "sklearn"])
def test_image_notebook_prints_the_pages_mse(flavour, tmp_path, monkeypatch):
    if flavour == "kmeanslab":
        import kmeanslab.datasets as kd

        try:
            kd.load_sample_image  # noqa: B018
        except (ImportError, AttributeError):
            pytest.skip("kmeanslab.datasets.load_sample_image is not in this tree yet")
    rgba, w, h = _china_rgba()
    res = run_op("image_quantize", rgba.tobytes(), w, h, n_colors=16, random_state=0)
    state = {"params": {"n_colors": 16, "method": "kmeans", "dither": "none", "seed": 0},
             "name": "china.jpg", "result": {"mse": res["mse"]}}
    printed = execute("image", state, flavour, tmp_path, monkeypatch)
    rtol = 1e-9 if flavour == "kmeanslab" else 0.05  # the chapter's way: all pixels
    np.testing.assert_allclose(printed["MSE"], res["mse"], rtol=rtol)


DIGIT_CASES = {
    "raw": dict(preprocess="none", n_clusters=10, n_init=4, seed=0),
    "tsne": dict(preprocess="tsne", n_clusters=10, n_init=4, seed=0, perplexity=30.0,
                 tsne_iter=250),
}


@pytest.mark.parametrize("flavour", ["kmeanslab", "sklearn"])
@pytest.mark.parametrize("case", list(DIGIT_CASES))
def test_digits_notebook_prints_the_pages_accuracy(case, flavour, tmp_path, monkeypatch):
    p = DIGIT_CASES[case]
    embedding = None
    if p["preprocess"] == "tsne":
        t = run_op("digits_tsne", p["perplexity"], p["tsne_iter"],
                   min(150, round(p["tsne_iter"] * 0.3)))
        embedding = t["embedding"].tobytes()
    res = run_op("digits_kmeans", p["n_clusters"], p["n_init"], p["seed"],
                 preprocess=p["preprocess"], embedding=embedding)
    state = {"params": p, "result": {"inertia": res["inertia"], "best_init": res["best_init"],
                                     "accuracy_majority": res["accuracy_majority"]}}
    printed = execute("digits", state, flavour, tmp_path, monkeypatch)
    showed = {"accuracy (majority)": res["accuracy_majority"],
              "accuracy (one-to-one)": res["accuracy_hungarian"], "inertia": res["inertia"]}
    exact = flavour == "kmeanslab" or p["preprocess"] != "tsne"
    for key, value in showed.items():
        if not exact and key == "inertia":
            continue  # another embedding: its inertia has another scale
        rtol = 1e-9 if exact else 0.1
        if exact and key == "inertia" and p["preprocess"] == "tsne":
            # the notebook's kernel recomputes t-SNE in another process, where BLAS may
            # round the neighbour search's products differently; t-SNE amplifies such
            # last-bit differences (seen once: 1.5e-5), while the clusters, hence the
            # accuracies, stay the same
            rtol = 1e-4
        np.testing.assert_allclose(printed[key], value, rtol=rtol,
                                   err_msg=f"{case}/{flavour}: {key}")


def test_notebook_is_plain_nbformat4_json():
    state, _ = points_state({})
    out = run_op("export_notebook", "points", state, "kmeanslab")
    nb = json.loads(out["notebook"])
    assert nb["nbformat"] == 4 and out["filename"] == "kmeans-blobs-k4.ipynb"
    kinds = [c["cell_type"] for c in nb["cells"]]
    assert kinds[0] == "markdown" and "code" in kinds
    assert any("cmap='viridis'" in "".join(c["source"]) for c in nb["cells"])
