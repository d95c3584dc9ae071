"""metrics against scikit-learn's and the chapter's definitions."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm
from scipy.stats import mode
from sklearn.cluster import KMeans as SkKMeans

from kmeanslab.metrics import (
    accuracy_score,
    adjusted_rand_score,
    confusion_matrix,
    inertia,
    match_labels_majority,
)


def test_inertia_like_sklearn(digits, rng):
    X = digits[0]
    w = rng.uniform(0.5, 2.0, len(X))
    sk = SkKMeans(10, n_init=1, random_state=0).fit(X, sample_weight=w)
    assert inertia(X, sk.cluster_centers_, sk.labels_, sample_weight=w) == pytest.approx(
        sk.inertia_, rel=1e-9
    )
    with pytest.raises(ValueError, match="labels should be in"):
        inertia(X, sk.cluster_centers_, np.full(len(X), 10))
    with pytest.raises(ValueError, match="different lengths"):
        inertia(X, sk.cluster_centers_, sk.labels_[:5])


def test_match_labels_majority_like_chapter(digits):
    X, y = digits
    clusters = SkKMeans(10, n_init=1, random_state=0).fit_predict(X)
    expected = np.zeros_like(clusters)
    for i in range(10):  # the chapter's loop
        mask = clusters == i
        expected[mask] = mode(y[mask], keepdims=False)[0]
    np.testing.assert_array_equal(match_labels_majority(clusters, y), expected)


def test_match_labels_ties_and_strings():
    assert match_labels_majority([0, 0, 1, 1], [3, 2, 5, 5]).tolist() == [2, 2, 5, 5]
    assert match_labels_majority([1, 1, 0], ["b", "a", "c"]).tolist() == ["a", "a", "c"]


def test_accuracy(rng):
    a = rng.integers(0, 5, 300)
    b = rng.integers(0, 5, 300)
    assert accuracy_score(a, b) == pytest.approx(skm.accuracy_score(a, b))
    with pytest.raises(ValueError, match="different lengths"):
        accuracy_score(a, b[:3])


def test_confusion_matrix(rng):
    a = rng.integers(0, 6, 500)
    b = rng.integers(0, 6, 500)
    np.testing.assert_array_equal(confusion_matrix(a, b), skm.confusion_matrix(a, b))
    sparse_a, sparse_b = np.array([0, 2, 5, 5]), np.array([2, 2, 0, 5])
    np.testing.assert_array_equal(
        confusion_matrix(sparse_a, sparse_b), skm.confusion_matrix(sparse_a, sparse_b)
    )
    full = confusion_matrix(sparse_a, sparse_b, n_classes=7)
    assert full.shape == (7, 7) and full.sum() == 4 and full[5, 0] == 1
    with pytest.raises(ValueError, match="n_classes"):
        confusion_matrix([0, 9], [0, 1], n_classes=5)
    s = np.array(["x", "y", "y"])
    np.testing.assert_array_equal(confusion_matrix(s, s[::-1]), skm.confusion_matrix(s, s[::-1]))


@pytest.mark.parametrize("seed", range(4))
def test_adjusted_rand_score(seed):
    r = np.random.default_rng(seed)
    a = r.integers(0, 4, 1000)
    b = np.where(r.random(1000) < 0.7, a, r.integers(0, 6, 1000))
    assert adjusted_rand_score(a, b) == pytest.approx(skm.adjusted_rand_score(a, b), rel=1e-12)


def test_adjusted_rand_score_special_cases():
    for a, b in [([0, 0, 1, 1], [1, 1, 0, 0]), ([0, 0, 0], [1, 1, 1]), ([0, 1, 2], [5, 6, 7]),
                 ([], []), ([0, 0, 1, 2], [0, 0, 1, 1])]:
        assert adjusted_rand_score(a, b) == pytest.approx(skm.adjusted_rand_score(a, b))
    big = np.arange(100_000) % 7
    assert adjusted_rand_score(big, big[::-1]) == pytest.approx(
        skm.adjusted_rand_score(big, big[::-1])
    )


def test_pairwise_is_an_attribute_of_the_package():
    # As scikit-learn's: ``kmeanslab.metrics.pairwise.euclidean_distances`` after only
    # ``import kmeanslab.metrics``, though the package imports its names lazily.
    import importlib
    import sys

    saved = {n: sys.modules.pop(n) for n in list(sys.modules)
             if n == "kmeanslab.metrics" or n.startswith("kmeanslab.metrics.")}
    try:
        metrics = importlib.import_module("kmeanslab.metrics")
        assert "pairwise" in dir(metrics)
        D = metrics.pairwise.euclidean_distances(np.zeros((1, 2)), np.ones((1, 2)))
        assert D.shape == (1, 1) and np.isclose(D[0, 0], np.sqrt(2))
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            metrics.nope  # noqa: B018
    finally:
        for n in [n for n in sys.modules if n == "kmeanslab.metrics"
                  or n.startswith("kmeanslab.metrics.")]:
            del sys.modules[n]
        sys.modules.update(saved)
        import kmeanslab
        kmeanslab.metrics = saved.get("kmeanslab.metrics", kmeanslab.metrics)
