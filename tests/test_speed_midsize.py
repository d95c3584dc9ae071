"""Mid-size narrow data (kmeanslab.cluster._narrow, Hamerly's single lazy bound): chosen
by the path rule, and exactly plain Lloyd's result (labels, iterations, inertia)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import kmeanslab.cluster._lloyd as core
from _speed_helpers import assert_fit_is_plain_lloyd, blobs, plain
from kmeanslab import KMeans


@pytest.fixture(autouse=True)
def _no_hand_over_range(monkeypatch):
    # these tests are about the narrow loop: the small loop's hand-over range (which
    # covers these shapes now) is off here; tests/test_speed_mid2.py covers that range
    monkeypatch.setattr(core, "_HYBRID_MAX_ENTRIES", 0)



@pytest.mark.parametrize(("n", "d", "k", "path"), [
    (10_000, 2, 8, "narrow"), (3_000, 2, 64, "narrow"), (5_000, 1, 10, "narrow"),
    (3_000, 8, 16, "narrow"), (3_000, 64, 8, "elkan"), (1_797, 64, 10, "elkan"),
    (30_000, 2, 8, "grid"), (300, 2, 4, "small"),
    # the grid takes 2-d data up to k=32 (_grid.grid_fits); beyond it and above n * k of
    # 2**18, the chunked Hamerly path (two threads natively)
    (30_000, 2, 32, "grid"), (100_000, 2, 32, "grid"), (30_000, 2, 64, "hamerly"),
    # (natively from 2**14 rows the chunked Hamerly path's keyed rows win: _keyrows)
    (20_000, 8, 8, "narrow" if sys.platform == "emscripten" else "hamerly"),
    (3_000, 9, 8, "elkan"),
])
def test_path_rule(n, d, k, path):
    assert core.choose_path(np.zeros((n, d)), k) == path


def test_mid_size_narrow_fit_runs_the_narrow_loop(monkeypatch, rng):
    calls = []
    real = core.lloyd_narrow

    def counting(X, *args):
        calls.append(X.shape)
        return real(X, *args)

    monkeypatch.setattr(core, "lloyd_narrow", counting)
    X = blobs(rng, 6_000, 2, 8, 2.5)
    KMeans(8, n_init=2, random_state=0).fit(X)
    assert calls == [(6_000, 2)] * 2



@pytest.mark.parametrize("d", [1, 2, 3, 8])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_same_result_as_plain_lloyd(rng, d, dtype, weighted):
    """Overlapping blobs (many iterations, many points near a boundary: both of
    Hamerly's tests and the full recomputation run) give plain Lloyd's labels,
    iteration count and inertia."""
    n, k = 4_000, 12
    X = (blobs(rng, n, d, k, 2.5) + 40.0).astype(dtype)
    w = rng.uniform(0.2, 2.0, n) if weighted else None
    init = X[rng.choice(n, k, replace=False)].astype(np.float64)
    assert core.choose_path(X, k) == "narrow"
    km = KMeans(k, init=init, n_init=1).fit(X, sample_weight=w)
    labels, n_iter, inertia = plain(X, init, w)
    assert km.n_iter_ == n_iter > 5
    np.testing.assert_array_equal(km.labels_, labels)
    assert km.inertia_ == pytest.approx(inertia, rel=1e-9 if dtype == np.float64 else 1e-5)


def test_same_result_as_elkan_many_clusters(monkeypatch, rng):
    """k=64 (Hamerly's second test settles most points): the same model as Elkan's."""
    X = blobs(rng, 3_000, 2, 64, 0.8)
    init = X[rng.choice(len(X), 64, replace=False)].copy()
    km = KMeans(64, init=init, n_init=1).fit(X)
    monkeypatch.setattr(core, "_NARROW_MAX_D", 0)
    assert core.choose_path(X, 64) == "elkan"
    ref = KMeans(64, init=init, n_init=1).fit(X)
    np.testing.assert_array_equal(km.labels_, ref.labels_)
    assert km.n_iter_ == ref.n_iter_
    assert km.inertia_ == pytest.approx(ref.inertia_, rel=1e-9)
    np.testing.assert_allclose(km.cluster_centers_, ref.cluster_centers_, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kw", [{"tol": 0.0}, {"max_iter": 1}, {"max_iter": 3}])
def test_tol_and_max_iter_as_plain_lloyd(rng, kw):
    X = blobs(rng, 4_000, 2, 10, 2.5)  # (n * k above the small loop's, Pyodide's too)
    init = X[:10].astype(np.float64)
    assert core.choose_path(X, 10) == "narrow"
    assert_fit_is_plain_lloyd(X, init, **kw)


def test_empty_cluster_relocated_like_plain_lloyd(rng):
    X = blobs(rng, 6_000, 2, 6, 1.0)
    init = np.vstack([X[:6], X[:1] + 1e4])  # the far center loses every point
    assert core.choose_path(X, 7) == "narrow"
    assert_fit_is_plain_lloyd(X, init)


def test_exact_ties_go_to_the_lowest_center():
    """Integer data with many points exactly halfway between integer initial centers."""
    rng = np.random.default_rng(6)
    X = rng.integers(0, 40, (8_000, 2)).astype(np.float64)
    init = np.array([[10, 10], [30, 10], [10, 30], [30, 30], [20, 20]], dtype=np.float64)
    assert core.choose_path(X, 5) == "narrow"
    D = ((X[:, None, :] - init[None]) ** 2).sum(-1)
    assert np.count_nonzero(np.sum(D == D.min(axis=1, keepdims=True), axis=1) > 1) > 200
    first = D.argmin(axis=1)
    means = np.array([X[first == j].mean(axis=0) for j in range(5)])
    km = KMeans(5, init=init, n_init=1, max_iter=1).fit(X)
    np.testing.assert_allclose(km.cluster_centers_, means, rtol=1e-13, atol=1e-13)
