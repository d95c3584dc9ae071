"""Issue 12, small data: the tiny fits' exact loop (cluster/_small_exact.py) covers
narrow fits up to n*k*d = EXACT_MAX below the hand-over size, stops on centers that did
not move instead of comparing labels every iteration, and gives plain Lloyd's result."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._kmeans as kmeans_module
from kmeanslab import KMeans, lloyd_steps
from kmeanslab.cluster._small import _Small


def _blobs(seed, n, d, k, spread):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-10, 10, (k, d))
    return centers[rng.integers(0, k, n)] + rng.normal(0, spread, (n, d))


def _same_as_plain(model, X, init, w=None, max_iter=300, tol=1e-4):
    last = list(lloyd_steps(X, init, sample_weight=w, max_iter=max_iter, tol=tol))[-1]
    np.testing.assert_array_equal(model.labels_, last["labels"])
    assert model.n_iter_ == last["n_iter"]
    # (float32: plain Lloyd rounds its centers to float32 at every step, the fit does not)
    rel = 1e-9 if X.dtype == np.float64 else 1e-6
    assert model.inertia_ == pytest.approx(last["inertia"], rel=rel)


@pytest.mark.parametrize(("n", "d", "k"), [(1_000, 2, 8), (3_000, 2, 2), (2_000, 1, 8)])
def test_mid_narrow_fits_take_the_exact_loop(monkeypatch, n, d, k):
    """1,000 x 2, k=8 and 3,000 x 2, k=2 (the grid's shapes): exact differences, no
    polishing check after the fit, plain Lloyd's result."""
    X = _blobs(n, n, d, k, 2.5)
    assert _Small(X, np.ones(n), k).exact
    polished = []
    monkeypatch.setattr(kmeans_module, "polish_if_needed", lambda *a: polished.append(1))
    init = X[:k].copy()
    model = KMeans(k, init=init, n_init=1).fit(X)
    assert polished == []
    _same_as_plain(model, X, init)


def test_fits_that_may_hand_over_to_bounds_stay_off_the_exact_loop():
    X = _blobs(0, 3_000, 1, 8, 2.5)  # n * k = 24,000: the hybrid loop's bounds may pay
    assert not _Small(X, np.ones(3_000), 8).exact


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(("max_iter", "tol"), [(1, 1e-4), (2, 0.0), (300, 0.0), (300, 1e-4)])
def test_exact_loop_stops_like_plain_lloyd(dtype, weighted, max_iter, tol):
    """Stopping on unmoved centers (labels compared only around a relocation) gives the
    same n_iter_, labels and inertia as plain Lloyd, whatever max_iter and tol."""
    X = _blobs(7, 400, 2, 5, 2.0).astype(dtype)
    w = np.random.default_rng(1).uniform(0.5, 2.0, 400) if weighted else None
    init = X[:5].astype(np.float64)
    model = KMeans(5, init=init, n_init=1, max_iter=max_iter, tol=tol).fit(X, sample_weight=w)
    _same_as_plain(model, X, init, w, max_iter, tol)
    steps = KMeans(5, init=init, n_init=1, max_iter=max_iter, tol=tol)
    records = list(steps.fit_steps(X, sample_weight=w))
    assert len(records) == model.n_iter_
    np.testing.assert_array_equal(steps.labels_, model.labels_)
    assert steps.inertia_ == model.inertia_


def test_exact_loop_relocation_like_scikit_learn():
    """An empty cluster at the first E step: relocated to the farthest point, then the
    labels settle (strict convergence right after a relocation is detected)."""
    sk = pytest.importorskip("sklearn.cluster")
    X = _blobs(3, 300, 2, 4, 1.0)
    init = np.vstack([X[:4], X[:1] + 1e4])
    assert _Small(X, np.ones(300), 5).exact
    ours = KMeans(5, init=init, n_init=1).fit(X)
    theirs = sk.KMeans(5, init=init, n_init=1, algorithm="lloyd").fit(X)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-9)
    _same_as_plain(ours, X, init)


@pytest.mark.parametrize("max_iter", [1, 300])
def test_exact_loop_ties_go_to_the_lowest_center(max_iter):
    """Integer lattice data (exact distances) and a center given twice: every point ties
    between the two copies, goes to the lower index, and the other copy is relocated,
    as in plain Lloyd."""
    g = np.arange(40.0)
    X = np.stack(np.meshgrid(g, g[:25]), axis=-1).reshape(-1, 2)  # 1,000 points
    init = np.array([[5.0, 5.0], [5.0, 5.0], [30.0, 20.0], [10.0, 20.0], [30.0, 5.0],
                     [20.0, 12.0], [0.0, 24.0], [39.0, 0.0]])
    assert _Small(X, np.ones(len(X)), 8).exact
    model = KMeans(8, init=init, n_init=1, max_iter=max_iter).fit(X)
    _same_as_plain(model, X, init, max_iter=max_iter)
