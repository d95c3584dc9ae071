"""Worker operation behind "Download figure": the panel's current view drawn by
matplotlib, in the chapter's style, as SVG, PNG (at 2x) or PDF.

matplotlib is optional: the page loads it (about 9 MB, shipped with the site) on the
first figure request, then calls :func:`export_figure`. Only the object-oriented API is
used (:class:`matplotlib.figure.Figure`, no pyplot), so no GUI backend is involved: the
format picks the renderer (Agg for PNG, the SVG and PDF backends).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from .export_code import safe_name
from .export_points import flat_array

FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
DPI = 100  # figure inches x 100 is the "1x" pixel size; PNG is drawn at twice that
RASTER_ABOVE = 20_000  # more points than this are rasterized inside SVG / PDF


def _figure(size: tuple[float, float]) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ValueError("matplotlib is not loaded in the page; load it before asking "
                         "for a figure.") from None
    return Figure(figsize=size, layout="constrained")


def _points(state: dict) -> tuple[Any, str]:
    p = state["params"]
    X = flat_array(state.get("points"), "points").reshape(-1, 2)
    labels = state.get("labels")
    labels = None if labels is None else flat_array(labels, "labels", "int32")
    if labels is not None and labels.size != len(X):
        raise ValueError(f"labels has {labels.size} entries for {len(X)} points.")
    centers = state.get("centers")
    size = 50 if len(X) <= 2000 else (10 if len(X) <= RASTER_ABOVE else 1)
    if state.get("mode") == "side" and state.get("side"):
        return _points_side(state, X, size)
    fig = _figure((6.4, 4.8))
    ax = fig.subplots()
    ax.scatter(X[:, 0], X[:, 1], c=labels if labels is not None else "0.4", s=size,
               cmap="viridis", rasterized=len(X) > RASTER_ABOVE)
    if centers is not None:
        C = flat_array(centers, "centers").reshape(-1, 2)
        ax.scatter(C[:, 0], C[:, 1], c="black", s=200, alpha=0.5)
    method = {"kmeans": "k-means", "minibatch": "mini-batch k-means",
              "spectral": "spectral clustering"}.get(p.get("method"), "k-means")
    bits = [f"{method}, k = {p['n_clusters']}"]
    if p.get("method") != "spectral":
        bits.append(f"init = {p.get('init')}, n_init = {p.get('n_init')}")
    bits.append(f"seed = {p.get('seed')}")
    inertia = (state.get("result") or {}).get("inertia")
    title = ", ".join(bits) + (f"\ninertia = {inertia:,.2f}" if inertia is not None else "")
    ax.set(xlabel="x", ylabel="y", title=f"{len(X):,} {p.get('kind')} points: {title}")
    ax.title.set_fontsize(10)
    stem = f"{'kmeans' if p.get('method') == 'kmeans' else p.get('method')}-{p.get('kind')}"
    return fig, safe_name(f"{stem}-k{p['n_clusters']}", "points")


def _points_side(state: dict, X: np.ndarray, size: int) -> tuple[Any, str]:
    """"Both side by side": k-means and spectral clustering of the same points."""
    p, side = state["params"], state["side"]
    fig = _figure((11, 4.8))
    left, right = fig.subplots(1, 2, sharex=True, sharey=True)
    for ax, key, name in ((left, "kmeans", "k-means"), (right, "spectral", "spectral clustering")):
        half = side[key]
        labels = flat_array(half["labels"], f"{key} labels", "int32")
        ax.scatter(X[:, 0], X[:, 1], c=labels, s=size, cmap="viridis",
                   rasterized=len(X) > RASTER_ABOVE)
        if half.get("centers") is not None:
            C = flat_array(half["centers"], "centers").reshape(-1, 2)
            ax.scatter(C[:, 0], C[:, 1], c="black", s=200, alpha=0.5)
        ari = half.get("ari")
        ax.set(xlabel="x", title=name + (f", ARI = {ari:.3f}" if ari is not None else ""))
        ax.title.set_fontsize(10)
    left.set(ylabel="y")
    fig.suptitle(f"{len(X):,} {p.get('kind')} points, k = {p['n_clusters']}, seed = "
                 f"{p.get('seed')}", fontsize=10)
    return fig, safe_name(f"kmeans-vs-spectral-{p.get('kind')}-k{p['n_clusters']}", "points")


def _image(state: dict) -> tuple[Any, str]:
    from .image import _last

    token = state.get("token")
    if not _last or (token is not None and int(token) != _last["token"]):
        raise ValueError("That quantized image is no longer in memory; quantize it again.")
    labels, palette = _last["labels"], np.asarray(_last["palette"])
    p, name = state["params"], str(state.get("name") or "image")
    h, w = labels.shape
    fig = _figure((6.4, 6.4 * h / w + 1.2))
    top, bottom = fig.subplots(2, 1, height_ratios=[6.4 * h / w, 0.5])
    top.imshow(palette[labels], interpolation="nearest")
    mse = (state.get("result") or {}).get("mse")
    top.set_title(f"{name}: {len(palette)} colors ({p.get('method')}, dither "
                  f"{p.get('dither')}, seed {p.get('seed')})"
                  + (f", MSE = {mse:.2f}" if mse is not None else ""), fontsize=10)
    top.set(xticks=[], yticks=[])
    bottom.imshow(palette[None, :, :], aspect="auto")
    bottom.set(yticks=[], xlabel="palette color (most used first)")
    stem = f"quantize-{name.rsplit('.', 1)[0]}-{p.get('n_colors')}colors"
    return fig, safe_name(stem, "quantize")


def _digits(state: dict) -> tuple[Any, str]:
    p, r = state["params"], state.get("result") or {}
    k = int(p["n_clusters"])
    images = flat_array(state.get("center_images"), "center_images").reshape(k, 8, 8)
    mapping = flat_array(state.get("mapping"), "mapping", "int32")
    conf = flat_array(state.get("contingency"), "contingency", "int32").reshape(k, 10)
    # confusion matrix of true digit against the digit each cluster was matched to
    mat = np.zeros((10, 10), dtype=np.int64)
    for c in range(k):
        if 0 <= mapping[c] < 10:
            mat[:, mapping[c]] += conf[c]
    cols = min(k, 5)
    rows = -(-k // cols)
    fig = _figure((10, max(3.6, 1.3 * rows + 1.5)))
    left, right = fig.subfigures(1, 2, width_ratios=[1, 1])
    for i, ax in enumerate(np.atleast_1d(left.subplots(rows, cols)).flat):
        ax.set(xticks=[], yticks=[])
        if i < k:
            ax.imshow(images[i], interpolation="nearest", cmap="binary")
            ax.set_title(f"{i}: {mapping[i]}", fontsize=8)
        else:
            ax.set_axis_off()
    pre = {"none": "raw pixels", "pca": "PCA", "tsne": "t-SNE"}.get(p.get("preprocess"), "")
    hungarian = state.get("matching") == "hungarian"
    acc = r.get("accuracy_hungarian" if hungarian else "accuracy_majority")
    fig.suptitle(f"k-means on the digits ({pre}), k = {k}, n_init = {p.get('n_init')}, "
                  f"seed = {p.get('seed')}" + (f": accuracy {100 * acc:.1f}%" if acc else ""),
                  fontsize=10)
    ax = right.subplots()
    ax.imshow(mat, cmap="viridis")
    for (t, q), v in np.ndenumerate(mat):
        ax.text(q, t, str(v), ha="center", va="center", fontsize=7,
                color="w" if v < mat.max() / 2 else "k")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted label",
           ylabel="true label",
           title=f"Confusion matrix ({'one-to-one' if hungarian else 'majority'} matching)")
    return fig, safe_name(f"digits-{p.get('preprocess', 'none')}-kmeans-k{k}", "digits")


PANELS = {"points": _points, "image": _image, "digits": _digits}


def export_figure(panel: str, state: Any, format: str = "svg") -> dict[str, Any]:
    """Draw the panel's view with matplotlib; return the file.

    Parameters
    ----------
    panel : {"points", "image", "digits"}
    state : dict
        As for :func:`kmeanslab.app.export.export_code`, plus what is drawn: Points
        ``labels`` and ``centers``; Image ``token`` (the last quantized image, kept in
        the worker); Digits ``center_images``, ``mapping``, ``matching`` and
        ``contingency``.
    format : {"svg", "png", "pdf"}
        PNG is rendered at 200 dpi (twice the figure's 100 dpi size).

    Returns
    -------
    dict
        ``data`` (uint8 bytes of the file), ``filename``, ``mime``, ``size``.

    Raises
    ------
    ValueError
        Unknown panel or format, matplotlib not loaded, or a state that does not fit.
    """
    if panel not in PANELS:
        raise ValueError(f"panel={panel!r} is not a panel; expected one of {', '.join(PANELS)}.")
    if format not in FORMATS:
        raise ValueError(f"format={format!r} is not a figure format; expected one of "
                         f"{', '.join(FORMATS)}.")
    state = state.to_py() if hasattr(state, "to_py") else dict(state or {})
    if not isinstance(state.get("params"), dict):
        raise ValueError(f"The {panel} panel's state has no parameters: run it first.")
    fig, stem = PANELS[panel](state)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=format, dpi=2 * DPI if format == "png" else DPI,
                metadata={"Creator": "kmeans-lab"} if format != "png" else None)
    data = buffer.getvalue()
    return {"data": np.frombuffer(data, dtype=np.uint8), "filename": f"{stem}.{format}",
            "mime": FORMATS[format], "size": len(data)}
