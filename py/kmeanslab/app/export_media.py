"""The Python (and notebook cells) behind the Image and Digits panels' results.

Image: kmeanslab's ``quantize_image`` (a weighted color histogram, k-means on its
bins, a lookup table, optional dithering) has no scikit-learn equivalent, so the
scikit-learn flavour does what the chapter does (k-means on every pixel): its MSE is
close to the page's, not equal, and the code says so.

Digits: the kmeanslab flavour repeats the page's fit (``n_init`` k-means++ restarts from
one seeded generator, as ``KMeans(n_clusters, n_init=n_init, random_state=seed)``);
the scikit-learn flavour starts from the kept restart's initial centers, so its inertia
and accuracy are the page's too, except after t-SNE (scikit-learn's t-SNE is another
algorithm: Barnes-Hut, not kmeanslab's FFT-accelerated interpolation).
"""

from __future__ import annotations

import numpy as np

from .export_code import UNPACK_SOURCE, Cell, array, code, kwargs, lib, md, safe_name

SAMPLES = ("china.jpg", "flower.jpg")


def image_cells(state: dict, flavour: str) -> tuple[list[Cell], str, str]:
    """Cells quantizing the panel's photo; also a title and a file stem."""
    p = state["params"]
    name = str(state.get("name") or "photo.jpg")
    n, method, dither, seed = (int(p["n_colors"]), p.get("method", "kmeans"),
                               p.get("dither", "none"), int(p["seed"]))
    L = lib(flavour)
    if name in SAMPLES:
        load = (f"from {L}.datasets import load_sample_image\n\n"
                f"image = load_sample_image({name!r})")
        where = f"The sample photo `{name}`, as the chapter loads it."
    else:
        load = ("from PIL import Image\n\n"
                f"# Put your own photo next to this notebook and name it here (the page\n"
                f"# quantized {name!r}; it never left your computer).\n"
                f"image = np.asarray(Image.open({name!r}).convert('RGB'))")
        where = "Your own photo: the page never uploaded it, so load it from your disk."
    setup = "import numpy as np"
    stem = safe_name(f"quantize-{name.rsplit('.', 1)[0]}-{n}colors", "quantize")
    title = f"Color quantization of {name} to {n} colors"
    if flavour == "kmeanslab":
        fit = (f"from kmeanslab.image import quantize_image\n\n"
               f"result = quantize_image(image[..., :3], {n}, "
               f"{kwargs(method=method, dither=dither, random_state=seed, n_init=1)}"
               f"{', random_swap=True' if p.get('random_swap') else ''})\n"
               "palette, labels = result.palette, result.labels\n"
               "new_image = palette[labels]\n"
               "print('colors before:', result.n_colors_in)\n"
               "print('MSE:', result.mse)")
        how = ("`quantize_image` bins the colors into a weighted histogram and runs k-means "
               "on the occupied bins, weighted by their pixel counts: the result is within "
               "a fraction of a percent of k-means on every pixel, at a fraction of the "
               "cost.")
    else:
        est = "MiniBatchKMeans" if method == "minibatch" else "KMeans"
        notes = ["# kmeanslab's quantize_image (histogram binning, weighted k-means, "
                 "dithering) has no", "# scikit-learn equivalent: this is the chapter's way, "
                 "k-means on every pixel.", "# Its MSE is close to the page's, not equal."]
        if dither != "none":
            notes += [f"# The page also dithered ({dither}); scikit-learn has no dithering:",
                      "# this image is not dithered, and its MSE is lower than the page's."]
        fit = ("\n".join(notes) + f"\nfrom sklearn.cluster import {est}\n\n"
               "pixels = image[..., :3].reshape(-1, 3).astype(np.float64)\n"
               f"model = {est}({kwargs(n_clusters=n, n_init=1, random_state=seed)})"
               ".fit(pixels)\n"
               "palette = np.clip(np.rint(model.cluster_centers_), 0, 255).astype(np.uint8)\n"
               "labels = model.predict(pixels).reshape(image.shape[:2])\n"
               "new_image = palette[labels]\n"
               "print('colors before:', len(np.unique(pixels @ [65536, 256, 1])))\n"
               "print('MSE:', float(((image[..., :3] - new_image.astype(np.float64)) ** 2)"
               ".mean()))")
        how = ("The chapter's way: k-means on the RGB values of every pixel, each pixel "
               "then drawn in its cluster's center color.")
    cells = [
        md(f"# {title}\n\nThis notebook reproduces the Image panel of kmeans-lab, after "
           "*In Depth: k-Means Clustering* (Python Data Science Handbook): k-means on "
           "the colors of the pixels, each pixel repainted in its cluster's color."
           + _showed(state.get("result"), (("mse", "MSE"), ("n_colors_out", "colors")))),
        code(setup),
        md(f"## The image\n\n{where}"),
        code(load),
        md(f"## {n} colors\n\n{how} The MSE is the mean squared difference per channel "
           "value (0-255)."),
        code(fit),
        md("## The picture\n\nThe palette, then the original and the recolored image side "
           "by side."),
        code(IMAGE_PLOT.format(n=n), plot=True),
    ]
    return cells, title, stem


IMAGE_PLOT = """\
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(8, 1), subplot_kw=dict(xticks=[], yticks=[]))
ax.imshow(palette[None, :, :], aspect='auto')
ax.set_title('The {n}-color palette')

fig, ax = plt.subplots(1, 2, figsize=(16, 6), subplot_kw=dict(xticks=[], yticks=[]))
fig.subplots_adjust(wspace=0.05)
ax[0].imshow(image[..., :3])
ax[0].set_title('Original image', size=16)
ax[1].imshow(new_image)
ax[1].set_title('{n}-color image', size=16)
plt.show()"""


def _showed(result: dict | None, keys: tuple) -> str:
    if not result:
        return ""
    parts = [f"{label} {result[key]!r}" for key, label in keys if result.get(key) is not None]
    return f"\n\nThe page showed: {', '.join(parts)}." if parts else ""


def digits_init(features: np.ndarray, k: int, seed: int, best_init: int) -> np.ndarray:
    """Initial centers of restart ``best_init`` of :func:`kmeanslab.app.digits.digits_kmeans`:
    its k-means++ seeds, drawn one after the other from ``default_rng(seed)``."""
    from ..cluster import kmeans_plusplus

    rng = np.random.default_rng(seed)
    centers = None
    for _ in range(best_init + 1):
        centers, _ = kmeans_plusplus(features, k, random_state=rng)
    return np.asarray(centers, dtype=np.float64)


def _features(p: dict, flavour: str, L: str) -> tuple[str, str, str]:
    """(code making ``features``, markdown, import line) for the preprocessing step."""
    pre = p.get("preprocess", "none")
    if pre == "pca":
        nc = int(p.get("n_components", 10))
        return (f"features = PCA({kwargs(n_components=nc)}).fit_transform(X)",
                f"## PCA\n\nThe {nc} directions of largest variance of the 64 pixels.",
                f"from {L}.decomposition import PCA")
    if pre == "tsne":
        iters = int(p.get("tsne_iter", 500))
        ee = min(150, round(iters * 0.3))
        perp = float(p.get("perplexity", 30))
        if flavour == "kmeanslab":
            call = (f"TSNE(n_components=2, {kwargs(perplexity=perp, max_iter=iters)}, "
                    f"{kwargs(n_iter_exaggeration=ee)},\n            init='pca', "
                    "random_state=0)")
            note = ""
        else:
            call = (f"TSNE(n_components=2, {kwargs(perplexity=perp, max_iter=iters)}, "
                    "init='pca', random_state=0)")
            note = ("# scikit-learn's TSNE is Barnes-Hut t-SNE, kmeanslab's interpolates on "
                    "a grid (FFT):\n# the embedding differs, so the accuracy is close to "
                    "the page's, not equal.\n")
        # The page draws TSNE.steps(X, every=5); the embedding does not depend on how
        # often records are asked for, so fit_transform gives the page's numbers.
        fit = f"features = {call}.fit_transform(X)"
        return (f"{note}{fit}\n# float32, as the page keeps the embedding\n"
                "features = features.astype(np.float32).astype(np.float64)",
                "## t-SNE\n\nThe chapter's trick: embed the 64-pixel digits in 2-D with "
                "t-SNE, which keeps neighbors together, then cluster the embedding.",
                f"from {L}.manifold import TSNE")
    return "features = X", "", ""


def digits_cells(state: dict, flavour: str) -> tuple[list[Cell], str, str]:
    """Cells clustering the digits as the panel did; also a title and a file stem."""
    p = state["params"]
    k, runs, seed = int(p["n_clusters"]), int(p["n_init"]), int(p["seed"])
    pre = p.get("preprocess", "none")
    L = lib(flavour)
    feat, feat_md, feat_import = _features(p, flavour, L)
    imports = ["import numpy as np", f"from {L}.cluster import KMeans",
               f"from {L}.datasets import load_digits",
               f"from {L}.metrics import accuracy_score, confusion_matrix"]
    imports.append("from kmeanslab.metrics import linear_sum_assignment" if flavour ==
                   "kmeanslab" else "from scipy.optimize import linear_sum_assignment")
    if feat_import:
        imports.append(feat_import)
    result = state.get("result") or {}
    if flavour == "kmeanslab" or pre == "tsne":
        est = f"KMeans({kwargs(n_clusters=k, n_init=runs, random_state=seed)})"
        init_md, init_code, needs = "", "", False
    else:
        from ..datasets._base import load_digits
        from .digits import _features as page_features

        X = load_digits().data
        F, _ = page_features(X, pre, int(p.get("n_components", 10)), None, 2)
        best = int(result.get("best_init", 0))
        init_code, needs = array("init", digits_init(F, k, seed, best))
        init_md = (f"## The initial centers\n\nThe page kept restart {best + 1} of {runs} "
                   "(lowest inertia). scikit-learn draws its seeds from a different random "
                   "stream, so we start from that restart's initial centers.")
        est = f"KMeans({kwargs(n_clusters=k)}, init=init, n_init=1, algorithm='lloyd')"
    setup = "\n".join((["import base64", "import zlib", ""] if needs else []) + imports)
    if needs:
        setup += "\n\n\n" + UNPACK_SOURCE
    how = {"none": "raw pixels", "pca": f"PCA ({p.get('n_components', 10)} components)",
           "tsne": "t-SNE"}[pre]
    title = f"k-means on the digits ({how}), k = {k}"
    stem = safe_name(f"digits-{'' if pre == 'none' else pre + '-'}kmeans-k{k}", "digits")
    cells = [
        md(f"# {title}\n\nThis notebook reproduces the Digits panel of kmeans-lab, after "
           "*In Depth: k-Means Clustering* (Python Data Science Handbook): k-means finds "
           "groups in the 1,797 handwritten digits without looking at their labels."
           + _showed(result, (("inertia", "inertia"), ("accuracy_majority",
                                                       "accuracy (majority)"),
                              ("accuracy_hungarian", "accuracy (one-to-one)")))),
        code(setup),
        md("## The digits\n\n8x8 images, 64 features each, values 0 to 16."),
        code("digits = load_digits()\nX, y = digits.data, digits.target\nprint(X.shape)"),
    ]
    if feat_md:
        cells += [md(feat_md), code(feat)]
    else:
        cells.append(code(feat))
    if init_md:
        cells += [md(init_md), code(init_code)]
    cells += [
        md(f"## k-means\n\n{runs} restart{'s' if runs > 1 else ''}; the one with the "
           "lowest inertia is kept."),
        code(f"kmeans = {est}\nclusters = kmeans.fit_predict(features)\n"
             "print('inertia:', kmeans.inertia_)"),
        md("## Which digit is each cluster?\n\nThe chapter's matching: each cluster is "
           "named after the most common true digit among its members. One-to-one matching "
           "(the Hungarian algorithm) gives each digit at most one cluster."),
        code(MATCHING.format(k=k)),
        md("## The picture\n\nThe mean image of each cluster, then the confusion matrix."),
        code(DIGITS_PLOT.format(k=k, cols=min(k, 5), rows=-(-k // 5)), plot=True),
    ]
    return cells, title, stem


MATCHING = """\
majority = np.zeros({k}, dtype=int)
for i in range({k}):
    members = y[clusters == i]
    if members.size:
        majority[i] = np.bincount(members, minlength=10).argmax()
print('accuracy (majority):', accuracy_score(y, majority[clusters]))

counts = np.zeros(({k}, 10))
np.add.at(counts, (clusters, y), 1)
rows, cols = linear_sum_assignment(-counts)
one_to_one = np.full({k}, -1)
one_to_one[rows] = cols
print('accuracy (one-to-one):', accuracy_score(y, one_to_one[clusters]))"""

DIGITS_PLOT = """\
import matplotlib.pyplot as plt

means = np.array([X[clusters == i].mean(axis=0) if np.any(clusters == i) else
                  np.zeros(64) for i in range({k})])
fig, ax = plt.subplots({rows}, {cols}, figsize=(8, 1.6 * {rows}), squeeze=False)
for i, axi in enumerate(ax.flat):
    axi.set(xticks=[], yticks=[])
    if i < {k}:
        axi.imshow(means[i].reshape(8, 8), interpolation='nearest', cmap=plt.cm.binary)
        axi.set_title(f'cluster {{i}}: {{majority[i]}}', size=9)

mat = confusion_matrix(y, majority[clusters])
fig, ax = plt.subplots(figsize=(6, 6))
ax.imshow(mat, cmap='viridis')
for (t, q), v in np.ndenumerate(mat):
    ax.text(q, t, str(v), ha='center', va='center', color='w' if v < mat.max() / 2 else 'k')
ax.set(xticks=range(10), yticks=range(10), xlabel='predicted label', ylabel='true label',
       title='Confusion matrix (majority matching)')
plt.show()"""
