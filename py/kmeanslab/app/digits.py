"""Worker entry points of the Digits panel.

Plain data in, plain data out. The page keeps the digits (from ``digits_load``) and the
last t-SNE embedding (from ``digits_tsne``) and sends the embedding back to
``digits_kmeans``, so changing k or the seed does not redo the embedding.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

import numpy as np

from ..cluster import KMeans, kmeans_plusplus
from ..datasets._base import BITMAP, load_digits
from ..manifold._t_sne import PCA, TSNE
from ..metrics._matching import contingency_matrix, hungarian_mapping, majority_mapping
from ._drawing import drawing_to_digit, nearest_center

Record = dict[str, Any]
N_CLASSES = 10
PREPROCESS = ("none", "pca", "tsne")


def _int(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise ValueError(f"{name}={value!r} should be a whole number from {lo} to {hi}.")
    if not lo <= int(value) <= hi:
        raise ValueError(f"{name}={int(value)} should be from {lo} to {hi}.")
    return int(value)


def _float(name: str, value: Any, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise ValueError(f"{name}={value!r} should be a number from {lo} to {hi}.")
    return float(value)


def digits_load() -> Record:
    """The 1,797 digits: ``data`` uint8 (n * 64, values 0..16) and ``target`` uint8 (n)."""
    data, target = load_digits(return_X_y=True, as_uint8=True)
    return {
        "data": np.ascontiguousarray(data, dtype=np.uint8),
        "target": target.astype(np.uint8),
        "n_samples": int(data.shape[0]),
        "n_features": int(data.shape[1]),
    }


def _accuracies(labels: np.ndarray, y: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray,
                                                                     float, float]:
    maj = majority_mapping(labels, y, k, N_CLASSES)
    hun = hungarian_mapping(labels, y, k, N_CLASSES)
    return maj, hun, float(np.mean(maj[labels] == y)), float(np.mean(hun[labels] == y))


def _features(X: np.ndarray, preprocess: str, n_components: int, embedding: Any,
              n_embed: int) -> tuple[np.ndarray, Record]:
    if preprocess not in PREPROCESS:
        raise ValueError(f"preprocess={preprocess!r} should be one of {', '.join(PREPROCESS)}.")
    if preprocess == "pca":
        pca = PCA(_int("n_components", n_components, 1, X.shape[1]))
        Z = pca.fit_transform(X)
        return Z, {"explained_variance": float(pca.explained_variance_ratio_.sum())}
    if preprocess == "tsne":
        if embedding is None:
            raise ValueError("preprocess='tsne' needs the embedding: run t-SNE first.")
        E = np.frombuffer(embedding, dtype=np.float32).astype(np.float64)
        if E.size != X.shape[0] * n_embed:
            raise ValueError(
                f"embedding has {E.size} values; expected {X.shape[0]} x {n_embed}. "
                "Run t-SNE again."
            )
        return E.reshape(X.shape[0], n_embed), {}
    return X, {}


def digits_kmeans(
    n_clusters: int = 10,
    n_init: int = 10,
    random_state: int = 0,
    max_iter: int = 300,
    preprocess: str = "none",
    n_components: int = 2,
    embedding: Any = None,
    n_embed: int = 2,
) -> Generator[Record, None, Record]:
    """k-means on the digits (raw pixels, PCA or a t-SNE embedding), restart by restart.

    The restarts are those of ``KMeans(n_clusters, n_init=n_init,
    random_state=random_state)``: the k-means++ seeds are drawn one after the other
    from one generator, so the kept run is the same; running them here lets each
    restart's inertia *and* accuracy be reported. Yields a record per Lloyd iteration
    (``stage="iteration"``) and per finished restart (``stage="restart"``).
    """
    k = _int("n_clusters", n_clusters, 2, 30)
    runs = _int("n_init", n_init, 1, 50)
    seed = _int("random_state", random_state, 0, 2**32 - 1)
    iters = _int("max_iter", max_iter, 1, 1000)
    digits = load_digits()
    X, y = digits.data, digits.target
    start = time.perf_counter()
    features, extra = _features(X, preprocess, n_components, embedding, int(n_embed))
    rng = np.random.default_rng(seed)
    inertias = np.empty(runs)
    acc_major = np.empty(runs)
    acc_hung = np.empty(runs)
    best: tuple[float, KMeans] | None = None
    for run in range(runs):
        init, _ = kmeans_plusplus(features, k, random_state=rng)
        model = KMeans(k, init=init, n_init=1, max_iter=iters)
        for rec in model.fit_steps(features):
            yield {"stage": "iteration", "run": run, "n_runs": runs,
                   "iteration": int(rec["iteration"]), "inertia": float(rec["inertia"])}
        labels = np.asarray(model.labels_, dtype=np.intp)
        _, _, acc_major[run], acc_hung[run] = _accuracies(labels, y, k)
        inertias[run] = model.inertia_
        if best is None or model.inertia_ < best[0]:
            best = (model.inertia_, model)
        yield {"stage": "restart", "run": run, "n_runs": runs, "inertia": float(inertias[run]),
               "accuracy_majority": float(acc_major[run]),
               "accuracy_hungarian": float(acc_hung[run])}
    assert best is not None
    model = best[1]
    labels = np.asarray(model.labels_, dtype=np.intp)
    sizes = np.bincount(labels, minlength=k)
    sums = np.zeros((k, X.shape[1]))
    np.add.at(sums, labels, X)
    means = sums / np.maximum(sizes, 1)[:, None]
    images = np.asarray(model.cluster_centers_) if preprocess == "none" else means
    maj, hun, a_maj, a_hun = _accuracies(labels, y, k)
    result = {
        "labels": labels.astype(np.int32),
        "n_clusters": k,
        "sizes": sizes.astype(np.int32),
        "center_images": np.clip(images, 0.0, 16.0).astype(np.float64),
        "mapping_majority": maj.astype(np.int32),
        "mapping_hungarian": hun.astype(np.int32),
        "accuracy_majority": a_maj,
        "accuracy_hungarian": a_hun,
        "contingency": contingency_matrix(labels, y, k, N_CLASSES).astype(np.int32),
        "inertia": float(model.inertia_),
        "inertia_per_init": inertias,
        "accuracy_per_init_majority": acc_major,
        "accuracy_per_init_hungarian": acc_hung,
        "best_init": int(np.argmin(inertias)),
        "preprocess": preprocess,
        "n_features": int(features.shape[1]),
        "seconds": time.perf_counter() - start,
        **extra,
    }
    return result


def digits_tsne(
    perplexity: float = 30.0,
    max_iter: int = 500,
    n_iter_exaggeration: int = 150,
    random_state: int = 0,
    every: int = 5,
) -> Generator[Record, None, Record]:
    """t-SNE of the digits to 2-d, yielding the embedding every ``every`` iterations."""
    perp = _float("perplexity", perplexity, 2.0, 100.0)
    iters = _int("max_iter", max_iter, 50, 2000)
    n_ee = _int("n_iter_exaggeration", n_iter_exaggeration, 0, iters)
    every = _int("every", every, 1, 100)
    X = load_digits().data
    start = time.perf_counter()
    model = TSNE(2, perplexity=perp, max_iter=iters, n_iter_exaggeration=n_ee,
                 init="pca", random_state=_int("random_state", random_state, 0, 2**32 - 1))
    steps = model.steps(X, every=every)
    while True:
        try:
            record = next(steps)
        except StopIteration as stop:
            Y = stop.value
            break
        record["seconds"] = time.perf_counter() - start
        yield record
    return {
        "embedding": Y.astype(np.float32),
        "n_components": 2,
        "kl_divergence": float(model.kl_divergence_),
        "n_iter": int(model.n_iter_),
        "seconds": time.perf_counter() - start,
    }


def digits_predict(
    ink: Any,
    width: int,
    height: int,
    centers: Any = None,
    n_clusters: int = 0,
) -> Record:
    """Downsample a drawing (ink per pixel, uint8 0..255, row-major) to an 8x8 digit.

    With ``centers`` (n_clusters x 64 pixel-space images) also returns the nearest.
    """
    w = _int("width", width, 8, 4096)
    h = _int("height", height, 8, 4096)
    a = np.frombuffer(ink, dtype=np.uint8)
    if a.size != w * h:
        raise ValueError(f"ink has {a.size} values; expected width x height = {w * h}.")
    digit, bitmap = drawing_to_digit(a.reshape(h, w))
    out: Record = {"digit": digit, "bitmap": bitmap.astype(np.uint8), "bitmap_side": BITMAP}
    if centers is not None and n_clusters:
        C = np.frombuffer(centers, dtype=np.float64).reshape(int(n_clusters), -1)
        nearest, dist2 = nearest_center(digit, C)
        out.update(nearest=nearest, distances=np.sqrt(dist2))
    return out



def digits_bench_sklearn_tsne(random_state: int = 0) -> Record:
    """Benchmark peer: scikit-learn's TSNE (Barnes-Hut) on the digits, with the chapter's
    settings. Needs scikit-learn loaded in the worker (``engine.loadPackages``)."""
    from sklearn.manifold import TSNE as SkTSNE  # optional, for `build.py bench` only

    X = load_digits().data
    start = time.perf_counter()
    Y = SkTSNE(n_components=2, init="pca", random_state=int(random_state)).fit_transform(X)
    return {"embedding": Y.astype(np.float32), "seconds": time.perf_counter() - start}
