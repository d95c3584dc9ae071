"""Toy 2-d generators against scikit-learn's (shapes, geometry, statistics)."""

import numpy as np
import pytest

from kmeanslab.datasets import (
    make_anisotropic_blobs,
    make_circles,
    make_uniform,
    make_varied_blobs,
)
from kmeanslab.datasets._extra_generators import ANISOTROPIC_TRANSFORMATION

sk_datasets = pytest.importorskip("sklearn.datasets")


def _check_types(X, y, n):
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.intp


@pytest.mark.parametrize("n", [1, 2, 99, 100, 1001])
def test_circles_sizes_match_sklearn(n):
    X, y = make_circles(n, random_state=0)
    Xs, ys = sk_datasets.make_circles(n, random_state=0)
    _check_types(X, y, n)
    assert np.bincount(y, minlength=2).tolist() == np.bincount(ys, minlength=2).tolist()


def test_circles_radii_without_noise_match_sklearn():
    X, y = make_circles(200, factor=0.3, random_state=1)
    Xs, ys = sk_datasets.make_circles(200, factor=0.3, random_state=1)
    r, rs = np.hypot(X[:, 0], X[:, 1]), np.hypot(Xs[:, 0], Xs[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)
    np.testing.assert_allclose(np.sort(r), np.sort(rs))
    # Same points as scikit-learn's up to order: the angles are a regular grid.
    order = np.lexsort(np.round(X, 12).T)
    order_s = np.lexsort(np.round(Xs, 12).T)
    np.testing.assert_allclose(X[order], Xs[order_s], atol=1e-12)


def test_circles_tuple_no_shuffle_and_noise_statistics():
    X, y = make_circles((30, 70), shuffle=False, random_state=0)
    assert y.tolist() == [0] * 30 + [1] * 70
    Xn, yn = make_circles(20000, noise=0.1, random_state=0)
    Xs, ys = sk_datasets.make_circles(20000, noise=0.1, random_state=0)
    for label in (0, 1):
        r = np.hypot(*Xn[yn == label].T)
        rs = np.hypot(*Xs[ys == label].T)
        assert abs(r.mean() - rs.mean()) < 0.01
        assert abs(r.std() - rs.std()) < 0.01


def test_circles_deterministic_and_validated():
    a, b = make_circles(50, noise=0.1, random_state=3), make_circles(50, noise=0.1, random_state=3)
    np.testing.assert_array_equal(a[0], b[0])
    with pytest.raises(ValueError, match="factor"):
        make_circles(10, factor=1.0)
    with pytest.raises(ValueError, match="n_samples"):
        make_circles((1, 2, 3))
    with pytest.raises(ValueError, match="noise"):
        make_circles(10, noise=-1)


def test_anisotropic_is_blobs_times_the_map():
    n = 3000
    X, y = make_anisotropic_blobs(n, random_state=0)
    _check_types(X, y, n)
    Xs, ys = sk_datasets.make_blobs(n, random_state=0)
    Xs = Xs @ np.asarray(ANISOTROPIC_TRANSFORMATION)
    assert sorted(np.bincount(y).tolist()) == sorted(np.bincount(ys).tolist())
    T = np.asarray(ANISOTROPIC_TRANSFORMATION)
    expected_cov = T.T @ T  # unit-variance blobs through X @ T
    for label in range(3):
        np.testing.assert_allclose(np.cov(X[y == label].T), expected_cov, atol=0.08)
        np.testing.assert_allclose(np.cov(Xs[ys == label].T), expected_cov, atol=0.08)


def test_anisotropic_given_centers_and_validation():
    centers = np.array([[0.0, 0.0], [10.0, 0.0]])
    X, y = make_anisotropic_blobs(
        4000, centers=centers, transformation=np.eye(2), random_state=1
    )
    np.testing.assert_allclose([X[y == i].mean(0) for i in range(2)], centers, atol=0.1)
    with pytest.raises(ValueError, match="transformation"):
        make_anisotropic_blobs(10, transformation=np.eye(3))
    with pytest.raises(ValueError, match="centers"):
        make_anisotropic_blobs(10, centers=[1.0, 2.0])


def test_varied_blobs_stds_like_sklearn_example():
    stds = (1.0, 2.5, 0.5)
    n = 6000
    X, y = make_varied_blobs(n, random_state=170)
    _check_types(X, y, n)
    Xs, ys = sk_datasets.make_blobs(n, cluster_std=list(stds), random_state=170)
    assert np.bincount(y).tolist() == np.bincount(ys).tolist() == [2000, 2000, 2000]
    for label, std in enumerate(stds):
        np.testing.assert_allclose(X[y == label].std(0), std, rtol=0.06)
        np.testing.assert_allclose(Xs[ys == label].std(0), std, rtol=0.06)
    assert np.all(np.abs(X) < 10 + 8 * max(stds))
    with pytest.raises(ValueError, match="cluster_std"):
        make_varied_blobs(10, cluster_std=(1.0, -1.0))


def test_uniform():
    X, y = make_uniform(10000, low=-2, high=3, random_state=0)
    _check_types(X, y, 10000)
    assert not y.any()
    assert X.min() >= -2 and X.max() < 3
    np.testing.assert_allclose(X.mean(0), 0.5, atol=0.05)
    np.testing.assert_allclose(X.var(0), 25 / 12, rtol=0.05)
    with pytest.raises(ValueError, match="low"):
        make_uniform(10, low=1, high=1)
    with pytest.raises(ValueError, match="n_samples"):
        make_uniform(0)
    with pytest.raises(TypeError, match="random_state"):
        make_uniform(5, random_state="x")
