"""make_blobs and make_moons against scikit-learn's: shapes, layout, statistics."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.datasets as skd

from kmeanslab.datasets import make_blobs, make_moons


def test_blobs_shapes_and_dtypes():
    X, y = make_blobs(101, n_features=3, centers=4, random_state=0)
    Xs, ys = skd.make_blobs(101, n_features=3, centers=4, random_state=0)
    assert X.shape == Xs.shape == (101, 3) and X.dtype == np.float64
    assert y.dtype == np.intp
    np.testing.assert_array_equal(np.bincount(y), np.bincount(ys))  # 26, 25, 25, 25


def test_blobs_default_three_centers_in_box():
    X, y = make_blobs(random_state=1, shuffle=False)
    assert X.shape == (100, 2)
    np.testing.assert_array_equal(y, np.repeat([0, 1, 2], [34, 33, 33]))


def test_blobs_statistics_like_sklearn():
    centers = np.array([[0.0, 0.0], [5.0, 5.0], [-5.0, 5.0]])
    stds = [0.5, 1.0, 2.0]
    X, y = make_blobs(30000, centers=centers, cluster_std=stds, random_state=0)
    Xs, ys = skd.make_blobs(30000, centers=centers, cluster_std=stds, random_state=0)
    for j in range(3):
        for A, b in ((X, y), (Xs, ys)):
            np.testing.assert_allclose(A[b == j].mean(axis=0), centers[j], atol=0.05)
            np.testing.assert_allclose(A[b == j].std(axis=0), stds[j], rtol=0.03)


def test_blobs_random_centers_in_center_box():
    X, y = make_blobs(2000, n_features=4, centers=6, cluster_std=0.01, center_box=(2, 3),
                      random_state=0)
    means = np.array([X[y == j].mean(axis=0) for j in range(6)])
    assert ((means > 2 - 0.01) & (means < 3 + 0.01)).all()


def test_blobs_per_center_counts_and_determinism():
    X, y = make_blobs([10, 20, 30], random_state=3)
    np.testing.assert_array_equal(np.bincount(y), [10, 20, 30])
    X2, y2 = make_blobs([10, 20, 30], random_state=3)
    np.testing.assert_array_equal(X, X2)
    X3, _ = make_blobs([10, 20, 30], random_state=4)
    assert not np.array_equal(X, X3)
    with pytest.raises(ValueError, match="Length of `n_samples` not consistent"):
        make_blobs([10, 20], centers=[[0, 0], [1, 1], [2, 2]])


def test_blobs_shuffle():
    _, y = make_blobs(300, centers=3, shuffle=False, random_state=0)
    assert (np.diff(y) >= 0).all()
    _, y = make_blobs(300, centers=3, shuffle=True, random_state=0)
    assert not (np.diff(y) >= 0).all()


def test_moons_geometry_like_sklearn():
    X, y = make_moons(201, shuffle=False)
    Xs, ys = skd.make_moons(201, shuffle=False)
    np.testing.assert_allclose(X, Xs)  # no randomness without noise or shuffle
    np.testing.assert_array_equal(y, ys)
    assert y.dtype == np.intp
    r_out = np.hypot(X[y == 0, 0], X[y == 0, 1])
    r_in = np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5)
    np.testing.assert_allclose(r_out, 1.0)
    np.testing.assert_allclose(r_in, 1.0)
    assert (X[y == 0, 1] >= 0).all() and (X[y == 1, 1] <= 0.5 + 1e-12).all()


def test_moons_noise_and_shuffle():
    X, y = make_moons(4000, noise=0.1, random_state=0)
    Xs, ys = skd.make_moons(4000, noise=0.1, random_state=0)
    assert X.shape == Xs.shape and np.bincount(y).tolist() == np.bincount(ys).tolist()
    for A, b in ((X, y), (Xs, ys)):
        r_out = np.hypot(A[b == 0, 0], A[b == 0, 1])
        assert r_out.mean() == pytest.approx(1.0, abs=0.02)
    np.testing.assert_allclose(X.mean(axis=0), Xs.mean(axis=0), atol=0.03)
    np.testing.assert_allclose(X.std(axis=0), Xs.std(axis=0), rtol=0.03)
    assert not (np.diff(y) >= 0).all()


def test_moons_tuple():
    X, y = make_moons((30, 70), random_state=0)
    assert np.bincount(y).tolist() == [30, 70]
    with pytest.raises(ValueError, match="n_samples"):
        make_moons((1, 2, 3))
