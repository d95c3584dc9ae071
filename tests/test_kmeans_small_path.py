"""The small-data loop (kmeanslab.cluster._small): chosen for small fits, and the same
labels, inertia, centers and iterations as the bounded paths it replaces there."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._kmeans as kmeans_module
import kmeanslab.cluster._lloyd as core
from kmeanslab import KMeans


def _fit_both(monkeypatch, X, init, w=None, **kw):
    small = KMeans(init.shape[0], init=init, n_init=1, **kw).fit(X, sample_weight=w)
    with monkeypatch.context() as mp:
        mp.setattr(core, "_SMALL_MAX_ENTRIES", 0)  # the bounded (Elkan) path
        ref = KMeans(init.shape[0], init=init, n_init=1, **kw).fit(X, sample_weight=w)
    return small, ref


def _blobs(rng, n, d, k, spread):
    means = rng.normal(size=(k, d)) * 4
    return means[rng.integers(0, k, n)] + rng.normal(size=(n, d)) * spread


@pytest.mark.parametrize("d", [1, 2, 3, 8, 12, 64])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_same_result_as_the_bounded_path(monkeypatch, rng, d, dtype, weighted):
    n, k = 200, 5
    X = (_blobs(rng, n, d, k, 2.0) + 50.0).astype(dtype)
    w = rng.uniform(0.2, 2.0, n) if weighted else None
    init = X[rng.choice(n, k, replace=False)].copy()
    assert core.choose_path(X, k) == "small"
    small, ref = _fit_both(monkeypatch, X, init, w)
    np.testing.assert_array_equal(small.labels_, ref.labels_)
    assert small.n_iter_ == ref.n_iter_
    assert small.inertia_ == pytest.approx(ref.inertia_, rel=1e-9 if dtype == np.float64 else 1e-5)
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(small.cluster_centers_, ref.cluster_centers_, rtol=rtol, atol=rtol)
    assert small.cluster_centers_.dtype == dtype
    # the inertia is that of the labels and centers returned
    Xd, C = X.astype(np.float64), small.cluster_centers_.astype(np.float64)
    sq = ((Xd - C[small.labels_]) ** 2).sum(axis=1)
    exact = float(sq @ (np.ones(n) if w is None else w))
    assert small.inertia_ == pytest.approx(exact, rel=1e-9 if dtype == np.float64 else 1e-5)


@pytest.mark.parametrize("d", [2, 12])
def test_tol_zero_and_max_iter_as_the_bounded_path(monkeypatch, rng, d):
    X = _blobs(rng, 150, d, 6, 3.0)
    init = X[:6].copy()
    for kw in ({"tol": 0.0}, {"max_iter": 2}, {"max_iter": 1}):
        small, ref = _fit_both(monkeypatch, X, init, **kw)
        np.testing.assert_array_equal(small.labels_, ref.labels_)
        assert small.n_iter_ == ref.n_iter_
        assert small.inertia_ == pytest.approx(ref.inertia_, rel=1e-9)


@pytest.mark.parametrize("d", [2, 12])
def test_empty_cluster_relocated_like_scikit_learn(monkeypatch, rng, d):
    sk = pytest.importorskip("sklearn.cluster")
    X = _blobs(rng, 300, d, 4, 1.0)
    init = np.vstack([X[:4], X[:1] + 1e4])  # the far center loses every point
    small, ref = _fit_both(monkeypatch, X, init)
    np.testing.assert_array_equal(small.labels_, ref.labels_)
    assert small.inertia_ == pytest.approx(ref.inertia_, rel=1e-9)
    theirs = sk.KMeans(5, init=init, n_init=1, algorithm="lloyd").fit(X)
    assert small.inertia_ == pytest.approx(theirs.inertia_, rel=1e-6)
    assert small.n_iter_ == theirs.n_iter_


def test_small_fits_run_the_small_loop(monkeypatch, rng):
    """The path rule sends a few hundred points to the small loop (and only there)."""
    calls = []
    real = kmeans_module.lloyd_small

    def counting(*args, **kwargs):
        calls.append(args[0].shape)
        return real(*args, **kwargs)

    monkeypatch.setattr(kmeans_module, "lloyd_small", counting)
    X = _blobs(rng, 300, 2, 4, 1.5)
    KMeans(4, n_init=3, random_state=0).fit(X)
    assert calls == [(300, 2)] * 3
    calls.clear()
    KMeans(8, n_init=1, random_state=0).fit(_blobs(rng, 50_000, 2, 8, 1.5))
    assert calls == []


def test_fit_equals_fit_steps(rng):
    """fit (no progress records) and fit_steps (records) give the same model."""
    X = _blobs(rng, 300, 3, 4, 2.0)
    a = KMeans(4, n_init=4, random_state=3).fit(X)
    b = KMeans(4, n_init=4, random_state=3)
    records = list(b.fit_steps(X))
    assert len(records) >= b.n_iter_
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.inertia_ == b.inertia_
    np.testing.assert_array_equal(a.inertia_per_init_, b.inertia_per_init_)
    assert records[-1]["run"] == 3


def test_exact_ties_go_to_the_lowest_center():
    """Integer data with many points exactly halfway between integer initial centers:
    the differences are exact, so those ties go to the lower index, as on the other
    paths (the centers after one iteration are the means of those labels)."""
    rng = np.random.default_rng(6)
    X = rng.integers(0, 40, (600, 2)).astype(np.float64)
    init = np.array([[10, 10], [30, 10], [10, 30], [30, 30], [20, 20]], dtype=np.float64)
    assert core.choose_path(X, 5) == "small"
    D = ((X[:, None, :] - init[None]) ** 2).sum(-1)
    assert np.count_nonzero(np.sum(D == D.min(axis=1, keepdims=True), axis=1) > 1) > 20
    first = D.argmin(axis=1)
    means = np.array([X[first == j].mean(axis=0) for j in range(5)])
    km = KMeans(5, init=init, n_init=1, max_iter=1).fit(X)
    np.testing.assert_allclose(km.cluster_centers_, means, rtol=1e-13, atol=1e-13)
