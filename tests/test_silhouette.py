"""Silhouette against scikit-learn's, within 1e-9."""

import numpy as np
import pytest

from kmeanslab.metrics import _unsupervised as silhouette
from kmeanslab.metrics._unsupervised import sample_indices, silhouette_samples, silhouette_score

sk_metrics = pytest.importorskip("sklearn.metrics")


def _blobs(n, k, d=2, seed=0, std=1.0):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-8, 8, size=(k, d))
    y = rng.integers(0, k, n)
    return centers[y] + rng.normal(scale=std, size=(n, d)), y


@pytest.mark.parametrize(
    ("n", "k", "d"), [(10, 2, 2), (300, 4, 2), (1500, 7, 2), (200, 3, 5), (50, 3, 1)]
)
def test_matches_sklearn(n, k, d):
    X, y = _blobs(n, k, d)
    np.testing.assert_allclose(
        silhouette_samples(X, y), sk_metrics.silhouette_samples(X, y), rtol=0, atol=1e-9
    )
    assert abs(silhouette_score(X, y) - sk_metrics.silhouette_score(X, y)) < 1e-9


def test_chunking_does_not_change_values(monkeypatch):
    X, y = _blobs(500, 5, seed=2)
    whole = silhouette_samples(X, y)
    monkeypatch.setattr(silhouette, "CHUNK_ELEMENTS", 1234)  # blocks of 2 rows
    np.testing.assert_allclose(silhouette_samples(X, y), whole, rtol=0, atol=1e-12)


def test_arbitrary_label_values_and_singletons():
    X, y = _blobs(60, 3, seed=4)
    names = np.array(["a", "b", "c"])[y]
    np.testing.assert_allclose(
        silhouette_samples(X, names), sk_metrics.silhouette_samples(X, names), atol=1e-9
    )
    y = y.copy()
    y[0] = 7  # a singleton cluster scores 0
    s = silhouette_samples(X, y)
    assert s[0] == 0.0
    np.testing.assert_allclose(s, sk_metrics.silhouette_samples(X, y), atol=1e-9)


def test_duplicate_points_and_wasm_label_dtype():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    y = np.array([0, 0, 1, 1, 1], dtype=np.int32)
    np.testing.assert_allclose(silhouette_samples(X, y), 1.0)
    np.testing.assert_allclose(
        silhouette_samples(X, y), sk_metrics.silhouette_samples(X, y), atol=1e-9
    )


def test_sampled_score_is_sklearn_on_the_same_subsample():
    X, y = _blobs(3000, 4, seed=5, std=2.5)
    idx = sample_indices(len(X), 700, random_state=3)
    assert idx.dtype == np.intp and len(np.unique(idx)) == 700
    got = silhouette_score(X, y, sample_size=700, random_state=3)
    assert abs(got - sk_metrics.silhouette_score(X[idx], y[idx])) < 1e-9
    assert got == silhouette_score(X, y, sample_size=700, random_state=3)
    assert silhouette_score(X, y, sample_size=5000) == silhouette_score(X, y)


@pytest.mark.parametrize(
    ("labels", "match"),
    [
        (np.zeros(10, dtype=int), "Number of labels is 1"),
        (np.arange(10), "Number of labels is 10"),
        (np.zeros(9, dtype=int), "labels has 9 entries"),
    ],
)
def test_bad_labels(labels, match):
    X, _ = _blobs(10, 2)
    with pytest.raises(ValueError, match=match):
        silhouette_samples(X, labels)


def test_bad_inputs():
    with pytest.raises(ValueError, match="2-d"):
        silhouette_samples(np.zeros(5), np.arange(5) % 2)
    with pytest.raises(ValueError, match="NaN"):
        silhouette_samples(np.full((4, 2), np.nan), [0, 0, 1, 1])
    with pytest.raises(ValueError, match="sample_size"):
        silhouette_score(np.zeros((4, 2)), [0, 0, 1, 1], sample_size=0)


def test_steps_generator_reports_progress_and_returns_samples(monkeypatch):
    from kmeanslab.metrics._unsupervised import silhouette_samples_steps

    monkeypatch.setattr(silhouette, "CHUNK_ELEMENTS", 100 * 50)
    X, y = _blobs(100, 3, seed=6)
    gen = silhouette_samples_steps(X, y)
    fractions = []
    while True:
        try:
            fractions.append(next(gen))
        except StopIteration as stop:
            result = stop.value
            break
    assert len(fractions) == 2 and fractions[-1] == 1.0
    np.testing.assert_allclose(result, silhouette_samples(X, y), rtol=0, atol=0)
