"""load_digits, the drawn-digit downsampling and the Digits panel's operations."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits as sk_load_digits

from kmeanslab import KMeans
from kmeanslab.app import OPERATIONS, drain
from kmeanslab.app._drawing import drawing_to_digit, nearest_center
from kmeanslab.app.digits import digits_kmeans, digits_load, digits_predict, digits_tsne
from kmeanslab.datasets import _base as digits_mod
from kmeanslab.datasets import load_digits


def test_load_digits_equals_sklearn():
    ours = load_digits()
    sk = sk_load_digits()
    np.testing.assert_array_equal(ours.data, sk.data)
    np.testing.assert_array_equal(ours.target, sk.target)
    np.testing.assert_array_equal(ours.images, sk.images)
    assert ours.data.dtype == np.float64 and ours.target.dtype == np.intp
    X, y = load_digits(n_class=3, return_X_y=True)
    assert set(y.tolist()) == {0, 1, 2} and len(X) == len(y) == (sk.target < 3).sum()
    with pytest.raises(ValueError, match="n_class"):
        load_digits(n_class=11)


def test_load_digits_fallbacks(monkeypatch, tmp_path):
    """Source checkout: no package data; dist/ copy, then scikit-learn's CSV via the build."""
    digits_mod._CACHE.clear()
    monkeypatch.setattr(digits_mod, "_bundled", lambda: None)
    monkeypatch.setattr(digits_mod, "_DIST_COPY", tmp_path / "missing.npz")
    np.testing.assert_array_equal(load_digits().data, sk_load_digits().data)
    digits_mod._CACHE.clear()
    monkeypatch.setattr(digits_mod, "_from_sklearn_package", lambda: None)
    with pytest.raises(FileNotFoundError, match="python build.py"):
        load_digits()
    digits_mod._CACHE.clear()


def _stroke_image(digit_image: np.ndarray, scale: int = 20) -> np.ndarray:
    """Upsample a 32x32 bitmap into a drawing with ink 0..255, offset in a bigger canvas."""
    big = np.kron(digit_image, np.ones((scale, scale)))
    canvas = np.zeros((big.shape[0] + 70, big.shape[1] + 30), dtype=np.uint8)
    canvas[50:50 + big.shape[0], 10:10 + big.shape[1]] = (big * 255).astype(np.uint8)
    return canvas


def test_drawing_to_digit_reproduces_block_counts():
    rng = np.random.default_rng(0)
    bitmap = np.zeros((32, 32))
    bitmap[0:32, 4:28] = rng.random((32, 24)) > 0.5  # fills the height like the dataset
    bitmap[0, 4] = bitmap[31, 27] = 1  # keep the bounding box exact
    bitmap[:, 4] = 1
    bitmap[:, 27] = 1
    # Width 24 < height 32: centred horizontally, so the columns stay 4..27.
    digit, bits = drawing_to_digit(_stroke_image(bitmap, 5))
    np.testing.assert_array_equal(bits, bitmap.astype(np.uint8))
    expected = bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3)).ravel()
    np.testing.assert_array_equal(digit, expected)
    assert digit.min() >= 0 and digit.max() <= 16


def test_drawing_to_digit_errors_and_scale():
    with pytest.raises(ValueError, match="empty"):
        drawing_to_digit(np.zeros((50, 50)))
    with pytest.raises(ValueError, match="2-d"):
        drawing_to_digit(np.zeros(10))
    # A vertical bar anywhere, any size: a centred column of full blocks.
    ink = np.zeros((200, 300))
    ink[20:180, 100:130] = 1.0
    digit, _ = drawing_to_digit(ink)
    img = digit.reshape(8, 8)
    assert img[:, 3:5].sum() > 0 and img[:, :2].sum() == 0 and img[:, 6:].sum() == 0
    assert nearest_center(digit, np.stack([np.zeros(64), digit]))[0] == 1


def test_digits_kmeans_matches_kmeans_and_chapter():
    records, res = drain(digits_kmeans(n_clusters=10, n_init=10, random_state=0))
    ref = KMeans(10, n_init=10, random_state=0).fit(load_digits().data)
    np.testing.assert_allclose(res["inertia_per_init"], ref.inertia_per_init_, rtol=1e-12)
    np.testing.assert_array_equal(res["labels"], ref.labels_)
    assert abs(res["accuracy_majority"] - 0.7935) <= 0.02
    assert res["accuracy_hungarian"] <= res["accuracy_majority"]
    restarts = [r for r in records if r["stage"] == "restart"]
    assert len(restarts) == 10
    accs = [r["accuracy_majority"] for r in restarts]
    assert max(accs) - min(accs) > 0.05  # why the restarts matter
    assert res["contingency"].sum() == 1797 and res["contingency"].shape == (10, 10)
    assert res["sizes"].sum() == 1797 and res["center_images"].shape == (10, 64)
    assert res["labels"].dtype == np.int32


def test_digits_kmeans_pca_and_errors():
    _, res = drain(digits_kmeans(n_clusters=10, n_init=2, preprocess="pca", n_components=10))
    assert res["n_features"] == 10 and 0.5 < res["explained_variance"] < 1
    assert res["accuracy_majority"] > 0.6
    with pytest.raises(ValueError, match="n_clusters=1 should be from 2 to 30"):
        drain(digits_kmeans(n_clusters=1))
    with pytest.raises(ValueError, match="run t-SNE first"):
        drain(digits_kmeans(preprocess="tsne"))
    with pytest.raises(ValueError, match="preprocess="):
        drain(digits_kmeans(preprocess="umap"))
    with pytest.raises(ValueError, match="expected 1797 x 2"):
        drain(digits_kmeans(preprocess="tsne", embedding=memoryview(np.zeros(10, np.float32))))


def test_digits_tsne_op_then_kmeans():
    records, res = drain(digits_tsne(max_iter=60, n_iter_exaggeration=30, every=30))
    assert [r["iteration"] for r in records if r["stage"] == "optimize"] == [0, 30, 60]
    emb = res["embedding"]
    assert emb.dtype == np.float32 and emb.shape == (1797, 2)
    _, km = drain(digits_kmeans(preprocess="tsne", embedding=memoryview(emb.ravel()),
                               n_init=1))
    assert km["n_features"] == 2


def test_digits_load_and_predict_ops():
    assert {"digits_load", "digits_kmeans", "digits_tsne", "digits_predict"} <= set(OPERATIONS)
    d = digits_load()
    assert d["data"].dtype == np.uint8 and d["data"].shape == (1797, 64)
    ink = np.zeros((160, 160), dtype=np.uint8)
    ink[20:140, 70:90] = 255
    centers = np.stack([np.zeros(64), np.full(64, 8.0)])
    out = digits_predict(memoryview(ink.ravel()), 160, 160, memoryview(centers.ravel()), 2)
    assert out["digit"].shape == (64,) and out["bitmap"].shape == (32, 32)
    assert out["nearest"] in (0, 1)
    with pytest.raises(ValueError, match="width x height"):
        digits_predict(memoryview(ink.ravel()), 100, 160)
