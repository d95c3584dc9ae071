"""RandomSwapKMeans, its swap state, centroid_index and make_many_blobs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from kmeanslab import NotFittedError
from kmeanslab.cluster import KMeans, RandomSwapKMeans
from kmeanslab.cluster._swap_state import SwapState
from kmeanslab.cluster._swap_trial import trial_swap
from kmeanslab.datasets import make_many_blobs
from kmeanslab.datasets._benchmark_like import _class_means, _load_sipu, _sipu_folder
from kmeanslab.metrics import centroid_index

# The SIPU benchmark sets live beside the clone (../shared/sipu), or beside the folder of
# worktrees holding it; they are not copied into the repository.
SIPU = _sipu_folder(Path(__file__).resolve().parents[1])
needs_sipu = pytest.mark.skipif(SIPU is None, reason="../shared/sipu is not beside the clone")


def load_sipu(name):
    return _load_sipu(SIPU, name)


true_centers = _class_means


# --------------------------------------------------------------------------- centroid index
def test_centroid_index_by_hand():
    truth = [[0, 0], [10, 0], [0, 10], [10, 10]]
    assert centroid_index(truth, truth) == 0
    # two centers in one cluster, none in another: one cluster missed
    found = [[0, 0], [0.5, 0], [0, 10], [10, 10]]
    assert centroid_index(found, truth) == 1
    assert centroid_index(truth, found) == 1
    # order does not matter
    assert centroid_index(found[::-1], truth) == 1
    # sizes may differ: 2 centers against 4 leave at least 2 orphans
    assert centroid_index([[0, 0], [10, 10]], truth) == 2


def test_centroid_index_errors_name_the_argument():
    with pytest.raises(ValueError, match="features"):
        centroid_index(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="centers_b"):
        centroid_index(np.zeros((3, 2)), [[np.nan, 0.0]])


@needs_sipu
def test_centroid_index_matches_the_reference_implementation():
    spec = importlib.util.spec_from_file_location("sipu_ci", SIPU / "centroid_index.py")
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    rng = np.random.default_rng(0)
    for k_a, k_b in [(15, 15), (8, 12), (20, 5), (1, 3)]:
        for _ in range(20):
            A = rng.normal(size=(k_a, 2)) * rng.uniform(0.1, 5)
            B = rng.normal(size=(k_b, 2))
            assert centroid_index(A, B) == ref.centroid_index(A, B)


# --------------------------------------------------------------------------- the swap state
def _check_exact(state, X, w, k):
    Xc = X - state.shift
    D = ((Xc[:, None, :] - state.centers[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(state.labels, D.argmin(axis=1))
    np.testing.assert_allclose(state.d1, D.min(axis=1), rtol=1e-9, atol=1e-9)
    sums = np.array([(Xc[state.labels == c] * w[state.labels == c, None]).sum(0)
                     for c in range(k)])
    np.testing.assert_allclose(state.sums, sums, rtol=1e-9, atol=1e-6)
    assert np.isclose(state.sse, float(D.min(axis=1) @ w))
    # the cluster index lists the members of each cluster
    for c in range(k):
        np.testing.assert_array_equal(np.sort(state.members([c])),
                                      np.flatnonzero(state.labels == c))
    # the radius bounds every member's distance
    assert np.all(state.d1 <= state.radius2[state.labels] * (1 + 1e-12))


def test_swap_state_trials_bound_the_error_and_keep_the_state_exact():
    """A trial's error is an upper bound of its centers' true error (so a kept trial
    surely lowers it); trials leave the state untouched; after a kept trial the labels,
    distances, sums and member lists are exact again."""
    X, _ = make_many_blobs(1500, 12, overlap=0.8, random_state=3)
    w = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0])
    rng = np.random.default_rng(2)
    state = SwapState(X, w, 12, X[rng.choice(len(X), 12, replace=False)])
    state.converge()
    kept = bounded = 0
    for _ in range(80):
        before = state.snapshot()
        j = int(rng.integers(12))
        trial = trial_swap(state, j, int(rng.integers(len(X))), 2, state.sse)
        for a, b in zip(before[:-1], state.snapshot()[:-1], strict=True):
            np.testing.assert_array_equal(a, b)
        if np.isfinite(trial.sse):
            bounded += 1
            D = ((X[:, None, :] - state.shift - trial.centers[None]) ** 2).sum(-1)
            assert float(D.min(axis=1) @ w) <= trial.sse * (1 + 1e-12)
        if trial.sse < state.sse * (1 - 1e-9):
            sse = state.sse
            state.apply(trial.centers, trial.moved, j)
            state.converge()
            assert state.sse < sse
            kept += 1
            _check_exact(state, X, w, 12)
    assert kept >= 1 and bounded > kept  # (the test saw both kinds of trial)


# --------------------------------------------------------------------------- finding clusters
def test_finds_every_cluster_where_plain_kmeans_misses():
    X, y = make_many_blobs(3000, 20, overlap=0.5, random_state=4)
    G = true_centers(X, y + 1)
    plain = [centroid_index(KMeans(20, random_state=s).fit(X).cluster_centers_, G)
             for s in range(4)]
    assert max(plain) > 0  # the data is hard for one k-means++ run
    for s in range(4):
        model = RandomSwapKMeans(20, random_state=s).fit(X)
        assert centroid_index(model.cluster_centers_, G) == 0
        assert model.n_swaps_accepted_ >= 0
        assert model.inertia_ <= model.inertia_start_ * (1 + 1e-12)


@needs_sipu
@pytest.mark.parametrize("name", ["s1", "s4", "a1", "unbalance"])
def test_sipu_sets_every_cluster_found(name):
    X, y = load_sipu(name)
    G = true_centers(X, y)
    for seed in range(3):
        model = RandomSwapKMeans(len(G), random_state=seed).fit(X)
        assert centroid_index(model.cluster_centers_, G) == 0, (name, seed)
        # bounded: the default stopping rule ends the search well before the hard cap
        assert model.n_swaps_tried_ < 40 * len(G)


# --------------------------------------------------------------------------- contract
def test_estimator_contract():
    X, _ = make_many_blobs(600, 6, random_state=0)
    model = RandomSwapKMeans(6, random_state=1)
    with pytest.raises(NotFittedError):
        model.predict(X)
    assert model.fit(X) is model
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    assert model.labels_.dtype == np.intp
    assert model.cluster_centers_.shape == (6, 2)
    assert model.n_features_in_ == 2
    assert model.n_iter_ == model.n_swaps_tried_
    T = model.transform(X)
    assert T.shape == (600, 6)
    np.testing.assert_array_equal(T.argmin(axis=1), model.labels_)
    assert np.isclose(model.score(X), -model.inertia_)
    np.testing.assert_array_equal(RandomSwapKMeans(6, random_state=1).fit_predict(X),
                                  model.labels_)
    # a k-means fixed point: centers are the means of their members
    for c in range(6):
        np.testing.assert_allclose(model.cluster_centers_[c],
                                   X[model.labels_ == c].mean(axis=0), rtol=1e-9)
    hist = model.swap_history_
    assert hist.shape == (model.n_swaps_accepted_ + 1, 2)
    assert np.all(np.diff(hist[:, 1]) < 0)  # every accepted swap lowered the error
    params = model.get_params()
    assert params["n_local_iter"] == 2 and params["patience"] == "auto"
    assert model.set_params(n_local_iter=3).n_local_iter == 3
    with pytest.raises(ValueError, match="Invalid parameter 'n_init'"):
        model.set_params(n_init=3)


def test_float32_and_weights():
    X, _ = make_many_blobs(500, 5, random_state=2)
    model = RandomSwapKMeans(5, random_state=0).fit(X.astype(np.float32))
    assert model.cluster_centers_.dtype == np.float32
    # integer weights act as repeated rows
    w = np.random.default_rng(0).integers(1, 3, X.shape[0]).astype(np.intp)  # (wasm32: intp)
    a = RandomSwapKMeans(5, random_state=0).fit(X, sample_weight=w)
    b = KMeans(5, init=a.cluster_centers_).fit(np.repeat(X, w, axis=0))
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=1e-9)


@pytest.mark.parametrize("params, match", [
    ({"patience": 0}, "patience"),
    ({"n_local_iter": 0}, "n_local_iter"),
    ({"max_iter": -1}, "max_iter"),
    ({"init": "best"}, "init"),
])
def test_parameter_errors_name_the_parameter(params, match):
    X, _ = make_many_blobs(100, 3, random_state=0)
    with pytest.raises(ValueError, match=match):
        RandomSwapKMeans(3, **params).fit(X)


def test_too_few_samples():
    with pytest.raises(ValueError, match="n_samples=2 should be >= n_clusters=3"):
        RandomSwapKMeans(3).fit(np.zeros((2, 2)))


def test_degenerate_k_one_and_k_equals_n():
    X, _ = make_many_blobs(40, 4, random_state=0)
    one = RandomSwapKMeans(1, random_state=0).fit(X)
    np.testing.assert_allclose(one.cluster_centers_[0], X.mean(axis=0))
    assert one.n_swaps_tried_ == 0
    every = RandomSwapKMeans(40, random_state=0).fit(X)
    assert every.inertia_ == 0.0


# --------------------------------------------------------------------------- determinism, steps
def test_deterministic_for_a_seed():
    X, _ = make_many_blobs(1500, 15, overlap=0.6, random_state=7)
    a = RandomSwapKMeans(15, random_state=3).fit(X)
    b = RandomSwapKMeans(15, random_state=3).fit(X)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    np.testing.assert_array_equal(a.swap_history_, b.swap_history_)
    c = RandomSwapKMeans(15, random_state=4).fit(X)
    assert not np.array_equal(a.swap_history_, c.swap_history_)


def test_fit_steps_records_and_cancel():
    X, _ = make_many_blobs(1500, 15, overlap=0.6, random_state=7)
    model = RandomSwapKMeans(15, random_state=3)
    records = list(model.fit_steps(X))
    kinds = [r["kind"] for r in records]
    assert kinds[0] == "start" and kinds[-1] == "final"
    swaps = [r for r in records if r["kind"] == "swap"]
    assert len(swaps) == model.n_swaps_accepted_
    assert all(r["labels"].shape == (1500,) and r["centers"].shape == (15, 2) for r in swaps)
    # a record at least every 16 swaps tried: the page can cancel between swaps
    tried = [r["swaps_tried"] for r in records[:-1]]
    assert max(np.diff(tried)) <= 16
    # closing the generator stops the search and leaves the estimator unfitted
    fresh = RandomSwapKMeans(15, random_state=3)
    steps = fresh.fit_steps(X)
    next(steps)
    next(steps)
    steps.close()
    assert not hasattr(fresh, "cluster_centers_")
    with pytest.raises(StopIteration):
        next(steps)


# --------------------------------------------------------------------------- the generator
def test_make_many_blobs():
    X, y = make_many_blobs(2000, 30, overlap=0.3, random_state=0)
    assert X.shape == (2000, 2) and X.dtype == np.float64 and y.dtype == np.intp
    counts = np.bincount(y)
    assert counts.size == 30 and counts.min() >= 1 and counts.max() > 1.5 * counts.min()
    X2, y2 = make_many_blobs(2000, 30, overlap=0.3, random_state=0)
    np.testing.assert_array_equal(X, X2)
    # more overlap, wider blobs
    Xo, yo = make_many_blobs(2000, 30, overlap=1.0, random_state=0)
    spread = [np.mean([X_[y_ == c].std() for c in range(30)]) for X_, y_ in ((X, y), (Xo, yo))]
    assert spread[1] > spread[0]
    with pytest.raises(ValueError, match="overlap"):
        make_many_blobs(100, 5, overlap=2)
    with pytest.raises(ValueError, match="centers=101"):
        make_many_blobs(1000, 101)
