"""Every bad input raises ValueError naming the parameter and what it accepts."""

from __future__ import annotations

import numpy as np
import pytest

from kmeanslab import KMeans, MiniBatchKMeans, NotFittedError, kmeans_plusplus, lloyd_steps
from kmeanslab.utils.validation import check_array, check_random_state, check_sample_weight

X = np.random.default_rng(0).random((20, 2))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (
            {"n_clusters": 0},
            r"'n_clusters' parameter of KMeans must be an int in the range \[1, inf\)\. Got 0",
        ),
        ({"n_clusters": 2.5}, "'n_clusters'"),
        ({"n_clusters": True}, "'n_clusters'"),
        ({"init": "kmeans++"}, r"'init' parameter .* \{'k-means\+\+', 'random'\} or an array-like"),
        ({"init": 3}, "'init'"),
        ({"n_init": 0}, r"'n_init' parameter .*'auto'.* range \[1, inf\)"),
        ({"n_init": "many"}, "'n_init'"),
        ({"max_iter": 0}, r"'max_iter' parameter .* range \[1, inf\)\. Got 0"),
        ({"max_iter": -3}, "'max_iter'"),
        ({"tol": -1e-3}, r"'tol' parameter .* a float in the range \[0, inf\)"),
        ({"tol": float("nan")}, "'tol'"),
        ({"random_state": "seed"}, "'random_state' parameter .* None, an int >= 0"),
        ({"random_state": -1}, "'random_state'"),
    ],
)
def test_kmeans_bad_params(params, match):
    with pytest.raises(ValueError, match=match):
        KMeans(**{"n_clusters": 3, **params}).fit(X)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"batch_size": 0}, "'batch_size'"),
        ({"max_no_improvement": -1}, "'max_no_improvement'"),
        ({"reassignment_ratio": -0.1}, "'reassignment_ratio'"),
        ({"max_iter": 0}, "'max_iter'"),
    ],
)
def test_minibatch_bad_params(params, match):
    with pytest.raises(ValueError, match=match):
        MiniBatchKMeans(**{"n_clusters": 3, **params}).fit(X)


def test_too_few_samples():
    with pytest.raises(ValueError, match=r"n_samples=5 should be >= n_clusters=8\."):
        KMeans(8).fit(X[:5])
    with pytest.raises(ValueError, match=r"n_samples=5 should be >= n_clusters=8\."):
        kmeans_plusplus(X[:5], 8)
    with pytest.raises(ValueError, match=r"n_samples=5 should be >= n_clusters=8\."):
        MiniBatchKMeans(8).fit(X[:5])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_inf(bad):
    Y = X.copy()
    Y[3, 1] = bad
    with pytest.raises(ValueError, match=r"Input X contains NaN or infinity\."):
        KMeans(2).fit(Y)
    km = KMeans(2, random_state=0).fit(X)
    for method in (km.predict, km.transform, km.score):
        with pytest.raises(ValueError, match="Input X contains NaN or infinity"):
            method(Y)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (np.zeros(10), r"Expected a 2-dimensional array for X, got an array of shape \(10,\)"),
        (np.zeros((2, 3, 4)), "Expected a 2-dimensional array for X"),
        (np.zeros((0, 2)), "0 sample"),
        (np.zeros((5, 0)), "0 feature"),
        (np.array([[1 + 1j, 2], [3, 4]]), "Complex data"),
        ("abc", "Expected a 2-dimensional array"),
        (np.array([["a", "b"], ["c", "d"]]), "could not be converted"),
    ],
)
def test_bad_X(data, match):
    with pytest.raises(ValueError, match=match):
        KMeans(1).fit(data)


def test_init_array_shape():
    msg = r"init array has shape \(3, 2\); expected \(4, 2\) = \(n_clusters, n_features\)\."
    with pytest.raises(ValueError, match=msg):
        KMeans(4, init=X[:3]).fit(X)
    with pytest.raises(ValueError, match=r"init array has shape \(4, 3\)"):
        KMeans(4, init=np.zeros((4, 3))).fit(X)
    with pytest.raises(ValueError, match="init array"):
        KMeans(4, init=np.zeros(8)).fit(X)
    with pytest.raises(ValueError, match="Input init contains NaN"):
        KMeans(2, init=[[0, np.nan], [1, 1]]).fit(X)
    with pytest.raises(ValueError, match=r"init array has shape \(3, 2\)"):
        MiniBatchKMeans(4, init=X[:3]).fit(X)
    with pytest.raises(ValueError, match=r"init array has shape \(2, 3\)"):
        list(lloyd_steps(X, np.zeros((2, 3))))


def test_sample_weight_errors():
    with pytest.raises(ValueError, match=r"Negative values in sample_weight"):
        KMeans(2).fit(X, sample_weight=np.r_[-1.0, np.ones(19)])
    with pytest.raises(ValueError, match=r"sample_weight\.shape == \(5,\), expected \(20,\)"):
        KMeans(2).fit(X, sample_weight=np.ones(5))
    with pytest.raises(ValueError, match="sample_weight contains NaN"):
        KMeans(2).fit(X, sample_weight=np.r_[np.nan, np.ones(19)])
    with pytest.raises(ValueError, match="sample_weight sums to 0"):
        KMeans(2).fit(X, sample_weight=np.zeros(20))
    with pytest.raises(ValueError, match="Negative values in sample_weight"):
        kmeans_plusplus(X, 2, sample_weight=-np.ones(20))
    with pytest.raises(ValueError, match="Negative values in sample_weight"):
        list(lloyd_steps(X, X[:2], sample_weight=-np.ones(20)))


def test_lloyd_steps_and_kmeans_plusplus_params():
    with pytest.raises(ValueError, match="'max_iter' parameter of lloyd_steps"):
        lloyd_steps(X, X[:2], max_iter=0)
    with pytest.raises(ValueError, match="'tol' parameter of lloyd_steps"):
        lloyd_steps(X, X[:2], tol=-1)
    with pytest.raises(ValueError, match="'n_clusters' parameter of kmeans_plusplus"):
        kmeans_plusplus(X, 0)
    with pytest.raises(ValueError, match="'n_local_trials'"):
        kmeans_plusplus(X, 2, n_local_trials=0)


def test_wrong_n_features_after_fit():
    km = KMeans(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but KMeans is expecting 2"):
        km.predict(np.zeros((4, 3)))


def test_not_fitted_error_is_value_and_attribute_error():
    with pytest.raises(AttributeError):
        KMeans().predict(X)
    with pytest.raises(ValueError, match="This KMeans instance is not fitted yet"):
        KMeans().transform(X)
    with pytest.raises(NotFittedError):
        MiniBatchKMeans().predict(X)


def test_fit_steps_validates_eagerly():
    with pytest.raises(ValueError, match="'max_iter'"):
        KMeans(2, max_iter=0).fit_steps(X)  # no next() needed


def test_set_params_and_repr():
    km = KMeans(3).set_params(n_clusters=4, tol=0.0)
    assert km.get_params()["n_clusters"] == 4 and "n_clusters=4" in repr(km)
    with pytest.raises(ValueError, match="Invalid parameter 'n_jobs'"):
        km.set_params(n_jobs=2)


def test_helpers():
    assert check_array([[1, 2], [3, 4]]).dtype == np.float64
    assert check_array(np.ones((2, 2), np.float32)).dtype == np.float32
    assert check_array(np.ones((2, 2), np.float16)).dtype == np.float64
    assert check_array(np.ones((4, 4))[:, ::2]).flags.c_contiguous
    assert check_sample_weight(None, 3, np.float32).dtype == np.float32
    g = np.random.default_rng(0)
    assert check_random_state(g) is g
    a = check_random_state(5).random()
    assert a == check_random_state(5).random()
