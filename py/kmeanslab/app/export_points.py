"""The Python (and notebook cells) behind the Points panel's current result.

The page sends its state: ``params`` (the form's fields, as in
``site/js/panels/points/fields.js``), ``mode`` ("fit" after Run, "steps" after Step),
``points`` (flat float64 x, y: the data the page clustered), ``placed`` (hand-placed
initial centers, when ``init == "click"``) and ``result`` (the numbers it showed).

Same numbers, by construction: the kmeanslab flavour repeats the page's own calls
(``random_state`` and all); the scikit-learn flavour starts Lloyd's algorithm from the
initial centers of the run the page kept, because scikit-learn draws its seeds from a
different random stream. Data the page generated with a generator scikit-learn lacks
(or draws differently) is embedded in the scikit-learn flavour.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._restarts import restart_inits
from .export_code import UNPACK_SOURCE, Cell, array, code, kwargs, lib, md, safe_name

#: the page's generators, as calls; True where scikit-learn draws the same numbers
GENERATOR_CALLS = {
    "blobs": ("make_blobs", ("n_samples", "centers", "cluster_std"), True),
    "moons": ("make_moons", ("n_samples", "noise"), True),
    "circles": ("make_circles", ("n_samples", "noise", "factor"), False),
    "anisotropic": ("make_anisotropic_blobs", ("n_samples", "centers"), False),
    "varied": ("make_varied_blobs", ("n_samples",), False),
    "uniform": ("make_uniform", ("n_samples",), False),
}
METHOD_NAMES = {"kmeans": "k-means", "minibatch": "mini-batch k-means",
                "spectral": "spectral clustering"}


def flat_array(value: Any, name: str, dtype: str = "float64") -> np.ndarray:
    """A flat array from a buffer (the page's typed array), a list or an array."""
    if value is None:
        raise ValueError(f"{name} is missing from the panel's state.")
    if isinstance(value, np.ndarray | list | tuple):
        return np.asarray(value, dtype=dtype).reshape(-1)
    return np.frombuffer(value, dtype=dtype)


def _xy(value: Any, name: str) -> np.ndarray:
    flat = flat_array(value, name)
    if flat.size % 2:
        raise ValueError(f"{name} has {flat.size} values; expected interleaved x, y pairs.")
    return flat.reshape(-1, 2)


def kept_init(X: np.ndarray, k: int, init: str, n_init: int, seed: int,
              best_init: int) -> np.ndarray:
    """The initial centers of restart ``best_init`` of the page's run (the page's one
    definition, :func:`kmeanslab.app.points.restart_inits`)."""
    if not 0 <= best_init < n_init:
        raise ValueError(f"best_init={best_init} should be from 0 to n_init - 1 = {n_init - 1}.")
    return restart_inits(X, k, init, best_init + 1, seed)[best_init]


def _data_cells(p: dict, X: np.ndarray, flavour: str, needs: set) -> tuple[list[Cell], bool]:
    """Cells that make ``X`` (and ``y_true`` when the data has true groups)."""
    kind = p["kind"]
    if kind == "drawn" or kind not in GENERATOR_CALLS:
        text, packed = array("X", X)
        if packed:
            needs.add("unpack")
        return [md(f"## The data\n\nThe {len(X):,} points drawn or imported in the page, "
                   "embedded exactly (float64)."),
                code(f"{text}\ny_true = None  # drawn points have no true groups")], False
    func, names, same = GENERATOR_CALLS[kind]
    values = {"n_samples": p["n_samples"], "centers": p.get("centers", 4),
              "cluster_std": p.get("cluster_std", 0.6), "noise": p.get("noise", 0.05),
              "factor": 0.5}
    call = f"{func}({kwargs(**{n: values[n] for n in names}, random_state=p['data_seed'])})"
    intro = md(f"## The data\n\n`{func}` makes {p['n_samples']:,} points in 2-D with their "
               "true groups, `y_true`, which k-means never sees.")
    if flavour == "kmeanslab" or same:
        return [intro, code(f"X, y_true = {call}")], True
    x_text, px = array("X", X)
    y_text, py_ = array("y_true", np.asarray(p["truth"], dtype=np.int32), "int32") \
        if p.get("truth") is not None else ("y_true = None", False)
    if px or py_:
        needs.add("unpack")
    note = (f"# kmeanslab.datasets.{call} made these points. scikit-learn has no\n"
            f"# {func} that draws the same numbers (kmeanslab's generators use NumPy's\n"
            "# default_rng), so the page's points are embedded exactly.")
    return [intro, code(f"{note}\n{x_text}\n{y_text}")], True


def _fit_cells(p: dict, X: np.ndarray, state: dict, flavour: str, needs: set) -> list[Cell]:
    method, k, seed = p.get("method", "kmeans"), int(p["n_clusters"]), int(p["seed"])
    result = state.get("result") or {}
    mode = state.get("mode", "fit")
    if mode == "steps":  # Step by step is Lloyd's k-means, and ends where Run ends
        method = "kmeans"
    if method == "spectral":
        return [md("## Spectral clustering\n\nA k-nearest-neighbors graph, its Laplacian's "
                   "eigenvectors as new coordinates, then k-means there: it follows the "
                   "shapes where k-means draws straight boundaries."),
                code(f"model = SpectralClustering({kwargs(n_clusters=k)}, "
                     f"affinity='nearest_neighbors', {kwargs(n_neighbors=p['n_neighbors'])},\n"
                     f"                           {kwargs(random_state=seed)})\n"
                     "labels = model.fit_predict(X)\n"
                     "centers = None\n"
                     "print('cluster sizes:', np.bincount(labels).tolist())")]
    init, n_init = p.get("init", "k-means++"), int(p.get("n_init", 1))
    cells: list[Cell] = []
    loop = None
    if init == "click":
        text, packed = array("init", _xy(state.get("placed"), "placed"))
        why = "The initial centers were placed by hand in the page."
    elif init == "random" and method == "kmeans":
        pick = f"X[rng.permutation(X.shape[0])[:{k}]]"
        why = ("The chapter's `find_clusters(X, k, rseed)`: k distinct points picked at "
               "random as the initial centers" + (
                   "." if n_init == 1 else f", a new pick for each of the {n_init} restarts; "
                   "the restart with the lowest inertia is kept, as `KMeans(n_init=...)` "
                   "keeps it."))
        text, packed = f"rng = np.random.RandomState({seed})", False
        if n_init == 1:
            text += f"\ninit = {pick}"
        else:
            loop = pick
    elif method == "kmeans" and flavour == "sklearn":
        best = int(result.get("best_init", 0))
        text, packed = array("init", kept_init(X, k, init, n_init, seed, best))
        why = ("The page ran kmeanslab's "
               f"`KMeans(n_clusters={k}, init={init!r}, n_init={n_init}, random_state={seed})`"
               + (f" and kept restart {best + 1} of {n_init}, the one with the lowest inertia"
                  if n_init > 1 else "") + ". scikit-learn draws its seeds from a different "
               "random stream, so we start from that restart's initial centers: Lloyd's "
               "algorithm then gives the same result.")
    else:
        text = None
    if text is not None:
        if packed:
            needs.add("unpack")
        cells.append(md(f"## The initial centers\n\n{why} From the same start, Lloyd's "
                        "algorithm gives the same answer every time."))
        cells.append(code(text))
        init_arg, n_init = ("init", 1) if loop is None else (None, n_init)
    else:
        init_arg = repr(init)
    if loop is not None:
        algo = ", algorithm='lloyd'" if flavour == "sklearn" else ""
        cells.append(md("## k-means, restarted\n\nExpectation-maximization from each start: "
                        "assign each point to its nearest center (E step), move each center "
                        "to the mean of its points (M step), repeat until nothing changes."))
        cells.append(code(
            f"runs = []\nfor restart in range({n_init}):\n"
            f"    init = {loop}\n"
            f"    runs.append(KMeans({kwargs(n_clusters=k)}, init=init, n_init=1, "
            f"{kwargs(max_iter=p['max_iter'], tol=1e-4)}{algo}).fit(X))\n"
            "model = min(runs, key=lambda m: m.inertia_)  # the restart with the lowest inertia\n"
            "labels = model.labels_\ncenters = model.cluster_centers_\n"
            "print('inertia:', model.inertia_)\n"
            "print('iterations:', model.n_iter_)"))
        return cells
    common = f"{kwargs(n_clusters=k)}, init={init_arg}, {kwargs(n_init=n_init)}"
    if method == "minibatch":
        note = ("" if flavour == "kmeanslab" else
                "# Mini-batches are drawn at random: scikit-learn's draws differ from\n"
                "# kmeanslab's, so the inertia is close to the page's, not equal.\n")
        est = (f"{note}model = MiniBatchKMeans({common}, "
               f"{kwargs(max_iter=p['max_iter'], batch_size=p['batch_size'])},\n"
               f"                        {kwargs(random_state=seed)})")
        title = ("## Mini-batch k-means\n\nEach step moves the centers towards the mean "
                 "of a small random batch: much less work per step, nearly the same "
                 "inertia.")
    else:
        seed_arg = f", {kwargs(random_state=seed)}" if init_arg != "init" else ""
        algo = ", algorithm='lloyd'" if flavour == "sklearn" else ""
        est = (f"model = KMeans({common}, {kwargs(max_iter=p['max_iter'], tol=1e-4)}"
               f"{seed_arg}{algo})")
        title = ("## k-means\n\nExpectation-maximization: assign each point to its nearest "
                 "center (E step), move each center to the mean of its points (M step), "
                 "repeat until nothing changes.")
    cells.append(md(title))
    cells.append(code(f"{est}\nlabels = model.fit_predict(X)\ncenters = model.cluster_centers_\n"
                      "print('inertia:', model.inertia_)\n"
                      "print('iterations:', model.n_iter_)"))
    return cells


def points_cells(state: dict, flavour: str) -> tuple[list[Cell], str, str]:
    """Cells reproducing the Points panel's result; also a title and a file stem."""
    p = dict(state["params"])
    X = _xy(state.get("points"), "points")
    if p.get("kind") != "drawn" and state.get("truth") is not None:
        p["truth"] = flat_array(state["truth"], "truth", "int32")
    side = state.get("mode") == "side"
    if side:  # "both side by side": k-means (k-means++) then spectral clustering
        p.update(method="kmeans", init="k-means++")
        state = {**state, "mode": "fit"}
    method = p.get("method", "kmeans") if state.get("mode", "fit") == "fit" else "kmeans"
    k = int(p["n_clusters"])
    L = lib(flavour)
    needs: set = set()
    data, has_truth = _data_cells(p, X, flavour, needs)
    fit = _fit_cells(p, X, state, flavour, needs)
    if side:
        fit += _side_cells(p, state.get("side") or {})
    gen = GENERATOR_CALLS.get(p.get("kind"), (None,))[0]
    from_lib = [gen] if gen and (flavour == "kmeanslab" or GENERATOR_CALLS[p["kind"]][2]) else []
    imports = ["import numpy as np"]
    if "unpack" in needs:
        imports = ["import base64", "import zlib", "", *imports]
    estimator = {"kmeans": "KMeans", "minibatch": "MiniBatchKMeans",
                 "spectral": "SpectralClustering"}[method]
    if flavour == "kmeanslab" and any("kmeans_plusplus(" in c.text for c in fit):
        estimator += ", kmeans_plusplus"
    if side:
        estimator += ", SpectralClustering"
    imports.append(f"from {L}.cluster import {estimator}")
    if from_lib:
        imports.append(f"from {L}.datasets import {from_lib[0]}")
    if has_truth:
        imports.append(f"from {L}.metrics import adjusted_rand_score")
    setup = "\n".join(imports)
    if "unpack" in needs:
        setup += "\n\n\n" + UNPACK_SOURCE
    score = ("if y_true is not None:\n"
             "    print('adjusted Rand index:', adjusted_rand_score(y_true, labels))")
    if side:
        score = ("if y_true is not None:\n"
                 "    print('adjusted Rand index (k-means):', "
                 "adjusted_rand_score(y_true, labels))\n"
                 "    print('adjusted Rand index (spectral):', "
                 "adjusted_rand_score(y_true, labels_spectral))")
    kind = p.get("kind", "drawn")
    title = f"{METHOD_NAMES[method]} on {len(X):,} {kind} points, k = {k}"
    stem = safe_name(f"{'kmeans' if method == 'kmeans' else method}-{kind}-k{k}", "points")
    if side:
        title = f"k-means and spectral clustering on {len(X):,} {kind} points, k = {k}"
        stem = safe_name(f"kmeans-vs-spectral-{kind}-k{k}", "points")
    cells = [
        md(f"# {title[0].upper()}{title[1:]}\n\nThis notebook reproduces what the Points "
           "panel of kmeans-lab showed, in the spirit of *In Depth: k-Means Clustering* "
           "(Python Data Science Handbook). Run it top to bottom: it prints the numbers "
           "the page showed." + _showed(state.get("result"))),
        code(setup), *data, *fit,
        md("## How good is it?\n\nThe adjusted Rand index compares the clusters with the "
           "true groups (1 is a perfect match, 0 is chance)." if has_truth else
           "## The result"),
        code(score if has_truth else "print('points per cluster:', "
             "np.bincount(labels).tolist())"),
        md("## The picture\n\nThe chapter's plot: points colored by cluster, centers in "
           "black."),
        code(_side_plot(len(X), title) if side else _points_plot(len(X), title), plot=True),
    ]
    return cells, title, stem


def _showed(result: dict | None) -> str:
    if not result:
        return ""
    parts = [f"{name} {result[key]!r}" for key, name in
             (("inertia", "inertia"), ("n_iter", "iterations"), ("ari", "adjusted Rand index"))
             if result.get(key) is not None]
    return f"\n\nThe page showed: {', '.join(parts)}." if parts else ""


def _points_plot(n: int, title: str) -> str:
    size = 50 if n <= 2000 else (10 if n <= 20000 else 1)
    return (
        "import matplotlib.pyplot as plt\n\n"
        "fig, ax = plt.subplots(figsize=(8, 6))\n"
        f"ax.scatter(X[:, 0], X[:, 1], c=labels, s={size}, cmap='viridis')\n"
        "if centers is not None:\n"
        "    ax.scatter(centers[:, 0], centers[:, 1], c='black', s=200, alpha=0.5)\n"
        f"ax.set(xlabel='x', ylabel='y', title={title!r})\n"
        "plt.show()"
    )


def _side_cells(p: dict, side: dict) -> list[Cell]:
    """The spectral half of "both side by side", after the k-means cells."""
    n_neighbors = int(side.get("n_neighbors", p.get("n_neighbors", 10)))
    return [md("## Spectral clustering, on the same points\n\nA k-nearest-neighbors graph, "
               "its Laplacian's eigenvectors as new coordinates, then k-means there: it "
               "follows the shapes where k-means draws a straight boundary."),
            code(f"spectral = SpectralClustering({kwargs(n_clusters=int(p['n_clusters']))}, "
                 f"affinity='nearest_neighbors', {kwargs(n_neighbors=n_neighbors)},\n"
                 f"                              {kwargs(random_state=int(p['seed']))})\n"
                 "labels_spectral = spectral.fit_predict(X)\n"
                 "print('cluster sizes (spectral):', np.bincount(labels_spectral).tolist())")]


def _side_plot(n: int, title: str) -> str:
    size = 50 if n <= 2000 else (10 if n <= 20000 else 1)
    return (
        "import matplotlib.pyplot as plt\n\n"
        "fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5), sharex=True, sharey=True)\n"
        f"left.scatter(X[:, 0], X[:, 1], c=labels, s={size}, cmap='viridis')\n"
        "left.scatter(centers[:, 0], centers[:, 1], c='black', s=200, alpha=0.5)\n"
        "left.set(xlabel='x', ylabel='y', title='k-means')\n"
        f"right.scatter(X[:, 0], X[:, 1], c=labels_spectral, s={size}, cmap='viridis')\n"
        "right.set(xlabel='x', title='spectral clustering')\n"
        f"fig.suptitle({title!r})\n"
        "plt.show()"
    )
