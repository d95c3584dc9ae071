"""KMeans, MiniBatchKMeans, kmeans_plusplus and lloyd_steps: properties, parity, chapter."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.cluster import KMeans as SkKMeans
from sklearn.cluster import kmeans_plusplus as sk_kmeans_plusplus
from sklearn.datasets import make_moons

from kmeanslab import (
    ConvergenceWarning,
    KMeans,
    MiniBatchKMeans,
    NotFittedError,
    kmeans_plusplus,
    lloyd_steps,
)
from kmeanslab.datasets import make_blobs
from kmeanslab.metrics import accuracy_score, adjusted_rand_score, match_labels_majority


def brute_labels(X, C):
    D = ((X[:, None, :].astype(np.float64) - C[None].astype(np.float64)) ** 2).sum(-1)
    return D.argmin(axis=1), D.min(axis=1)


def weighted_means(X, labels, k, w=None):
    w = np.ones(len(X)) if w is None else w
    return np.array([np.average(X[labels == j], axis=0, weights=w[labels == j]) for j in range(k)])


def sk_init(X, k, seed=0):
    return sk_kmeans_plusplus(X, k, random_state=seed)[0]


# --------------------------------------------------------------------------- lloyd_steps
@pytest.mark.parametrize("weighted", [False, True])
def test_lloyd_steps_inertia_never_increases(rng, weighted):
    X, _ = make_blobs(400, centers=5, cluster_std=1.5, random_state=1)
    w = rng.uniform(0.1, 3.0, len(X)) if weighted else None
    records = list(lloyd_steps(X, X[:5], sample_weight=w))
    inertias = [r["inertia"] for r in records]
    assert all(b <= a * (1 + 1e-12) for a, b in zip(inertias, inertias[1:], strict=False))
    assert records[-1]["phase"] == "assign"
    assert records[-1]["converged"] is True
    assert all("converged" not in r for r in records[:-1])


def test_lloyd_steps_records(rng):
    X, _ = make_blobs(300, centers=3, random_state=2)
    w = rng.uniform(0.5, 2.0, len(X))
    recs = list(lloyd_steps(X, X[:3], sample_weight=w, tol=0))
    phases = [r["phase"] for r in recs]
    assert phases[:4] == ["assign", "update", "assign", "update"]
    for r in recs:
        assert r["labels"].dtype == np.intp and r["centers"].shape == (3, 2)
        if r["phase"] == "assign":
            np.testing.assert_array_equal(r["labels"], brute_labels(X, r["centers"])[0])
        else:
            np.testing.assert_allclose(r["centers"], weighted_means(X, r["labels"], 3, w))
            assert r["shift"] >= 0
    assert [r["iteration"] for r in recs[:4]] == [0, 0, 1, 1]


def test_lloyd_steps_max_iter_not_converged():
    X, _ = make_blobs(500, centers=6, cluster_std=3.0, random_state=3)
    recs = list(lloyd_steps(X, X[:6], max_iter=1, tol=0))
    assert [r["phase"] for r in recs] == ["assign", "update", "assign"]
    assert recs[-1]["converged"] is False


def test_lloyd_steps_matches_kmeans():
    X, _ = make_blobs(500, centers=4, random_state=4)
    init = X[:4].copy()
    last = list(lloyd_steps(X, init))[-1]
    km = KMeans(4, init=init, n_init=1).fit(X)
    np.testing.assert_allclose(last["centers"], km.cluster_centers_)
    assert last["inertia"] == pytest.approx(km.inertia_, rel=1e-10)


# --------------------------------------------------------------------------- KMeans properties
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_features", [2, 3, 10])
def test_labels_nearest_and_centers_means(rng, dtype, n_features):
    X, _ = make_blobs(2000, n_features=n_features, centers=6, cluster_std=2.5, random_state=5)
    X = X.astype(dtype)
    w = rng.uniform(0.2, 5.0, len(X))
    km = KMeans(6, n_init=1, tol=0, random_state=0).fit(X, sample_weight=w)
    assert km.cluster_centers_.dtype == dtype
    assert km.labels_.dtype == np.intp
    labels, d = brute_labels(X, km.cluster_centers_)
    np.testing.assert_array_equal(km.labels_, labels)
    rtol = 1e-10 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(
        km.cluster_centers_, weighted_means(X.astype(np.float64), labels, 6, w), rtol=rtol,
        atol=rtol,
    )
    assert km.inertia_ == pytest.approx(float(d @ w), rel=rtol)


@pytest.mark.parametrize("strategy", ["elkan", "hamerly"])
@pytest.mark.parametrize("n_features", [2, 12])
def test_both_bound_strategies_exact(monkeypatch, rng, strategy, n_features):
    """Small data uses Elkan's bounds, large data Hamerly's: force each on the same data."""
    import kmeanslab.cluster._lloyd as core

    monkeypatch.setattr(core, "_ELKAN_MAX_ENTRIES", 1 << 40 if strategy == "elkan" else 0)
    monkeypatch.setattr(core, "_SMALL_MAX_ENTRIES", 0)
    X, _ = make_blobs(3000, n_features=n_features, centers=7, cluster_std=3.0, random_state=15)
    w = rng.uniform(0.5, 2.0, len(X))
    init = X[:7].copy()
    km = KMeans(7, init=init, n_init=1, tol=0).fit(X, sample_weight=w)
    labels, d = brute_labels(X, km.cluster_centers_)
    np.testing.assert_array_equal(km.labels_, labels)
    np.testing.assert_allclose(km.cluster_centers_, weighted_means(X, labels, 7, w), rtol=1e-10)
    sk = SkKMeans(7, init=init, n_init=1, algorithm="lloyd", tol=0).fit(X, sample_weight=w)
    assert km.inertia_ == pytest.approx(sk.inertia_, rel=1e-6)
    assert km.n_iter_ == sk.n_iter_
    # an empty cluster on the way, relocated like scikit-learn's
    far = np.vstack([X[:6], X[:1] + 1e4])
    a = KMeans(7, init=far, n_init=1).fit(X)
    b = SkKMeans(7, init=far, n_init=1, algorithm="lloyd").fit(X)
    assert a.inertia_ == pytest.approx(b.inertia_, rel=1e-6)


def test_repeated_rows_collapsed_exactly(rng):
    """Data with many repeated rows (8-bit colors) is fitted on its distinct rows."""
    X = rng.integers(0, 6, (40_000, 3)).astype(np.float64) / 5.0
    w = rng.uniform(0.5, 2.0, len(X))
    init = np.array([[0.1, 0.2, 0.3], [0.9, 0.8, 0.1], [0.5, 0.5, 0.5], [0.2, 0.9, 0.7]])
    km = KMeans(4, init=init, n_init=1).fit(X, sample_weight=w)
    sk = SkKMeans(4, init=init, n_init=1, algorithm="lloyd").fit(X, sample_weight=w)
    assert km.labels_.shape == (len(X),)
    np.testing.assert_array_equal(km.labels_, brute_labels(X, km.cluster_centers_)[0])
    assert km.inertia_ == pytest.approx(sk.inertia_, rel=1e-9)
    np.testing.assert_allclose(km.cluster_centers_, sk.cluster_centers_, rtol=1e-9)


def test_sample_weight_equals_repeated_points(rng):
    X, _ = make_blobs(300, centers=4, cluster_std=2.0, random_state=6)
    reps = rng.integers(1, 4, len(X)).astype(np.intp)
    init = X[:4].copy()
    a = KMeans(4, init=init, n_init=1).fit(X, sample_weight=reps)
    b = KMeans(4, init=init, n_init=1).fit(np.repeat(X, reps, axis=0))
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=1e-10)
    assert a.inertia_ == pytest.approx(b.inertia_, rel=1e-10)
    np.testing.assert_array_equal(np.repeat(a.labels_, reps), b.labels_)


def test_integer_input_becomes_float64():
    X = np.array([[0, 0], [0, 1], [10, 10], [10, 11]])
    km = KMeans(2, random_state=0).fit(X)
    assert km.cluster_centers_.dtype == np.float64
    assert adjusted_rand_score([0, 0, 1, 1], km.labels_) == 1.0


def test_float32_close_to_float64(big_blobs):
    X = big_blobs[0][:20000]
    init = sk_init(X, 8)
    a = KMeans(8, init=init, n_init=1).fit(X)
    b = KMeans(8, init=init.astype(np.float32), n_init=1).fit(X.astype(np.float32))
    assert b.cluster_centers_.dtype == np.float32
    assert b.transform(X[:3].astype(np.float32)).dtype == np.float32
    assert b.inertia_ == pytest.approx(a.inertia_, rel=1e-5)


def test_empty_cluster_relocated_like_sklearn():
    X, _ = make_blobs(200, centers=3, random_state=7)
    init = np.vstack([X[:3], [[1e3, 1e3]]])  # the far center gets no point
    km = KMeans(4, init=init, n_init=1).fit(X)
    assert np.isfinite(km.cluster_centers_).all()
    assert np.unique(km.labels_).size == 4
    sk = SkKMeans(4, init=init, n_init=1, algorithm="lloyd").fit(X)
    assert km.inertia_ == pytest.approx(sk.inertia_, rel=1e-6)


def test_duplicate_points_warn():
    X = np.repeat([[0.0, 0.0], [1.0, 1.0]], 10, axis=0)
    with pytest.warns(ConvergenceWarning, match="distinct clusters"):
        km = KMeans(3, init="random", n_init=1, random_state=0).fit(X)
    assert np.isfinite(km.cluster_centers_).all()


def test_predict_transform_score(rng):
    X, _ = make_blobs(500, centers=3, random_state=8)
    km = KMeans(3, random_state=0).fit(X)
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    assert km.predict(X).dtype == np.intp
    T = km.transform(X)
    np.testing.assert_allclose(T, np.sqrt(((X[:, None] - km.cluster_centers_) ** 2).sum(-1)))
    np.testing.assert_array_equal(T.argmin(axis=1), km.labels_)
    assert km.score(X) == pytest.approx(-km.inertia_)
    np.testing.assert_array_equal(KMeans(3, random_state=0).fit_predict(X), km.labels_)
    np.testing.assert_allclose(KMeans(3, random_state=0).fit_transform(X), T)
    assert km.n_features_in_ == 2


def test_not_fitted():
    km = KMeans(3)
    for method in (km.predict, km.transform, km.score):
        with pytest.raises(NotFittedError, match="not fitted"):
            method(np.zeros((3, 2)))
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


def test_fit_steps_records_and_runs():
    X, _ = make_blobs(1000, centers=5, random_state=9)
    km = KMeans(5, init="random", n_init=4, random_state=0)
    recs = list(km.fit_steps(X))
    assert set(recs[0]) == {"run", "n_runs", "iteration", "inertia"}
    assert {r["run"] for r in recs} == {0, 1, 2, 3}
    assert all(r["n_runs"] == 4 for r in recs)
    for run in range(4):
        its = [r["iteration"] for r in recs if r["run"] == run]
        assert its == list(range(len(its)))
        inertias = [r["inertia"] for r in recs if r["run"] == run]
        assert all(b <= a * (1 + 1e-9) for a, b in zip(inertias, inertias[1:], strict=False))
    assert km.inertia_per_init_.shape == (4,)
    assert km.inertia_ == pytest.approx(km.inertia_per_init_[km.best_init_])
    assert km.inertia_ == pytest.approx(km.inertia_per_init_.min())
    assert km.n_iter_ == 1 + max(r["iteration"] for r in recs if r["run"] == km.best_init_)


def test_fit_steps_abandoned_leaves_unfitted():
    X, _ = make_blobs(500, centers=3, random_state=0)
    km = KMeans(3, random_state=0)
    gen = km.fit_steps(X)
    next(gen)
    gen.close()
    assert not hasattr(km, "cluster_centers_")


def test_deterministic_and_no_global_state(big_blobs):
    X = big_blobs[0][:3000]
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    a = KMeans(8, n_init=3, random_state=42).fit(X)
    b = KMeans(8, n_init=3, random_state=42).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    g = KMeans(8, random_state=np.random.default_rng(1)).fit(X)
    assert g.inertia_ > 0


def test_n_init_auto():
    X, _ = make_blobs(200, centers=3, random_state=0)
    assert KMeans(3, random_state=0).fit(X).inertia_per_init_.size == 1
    assert KMeans(3, init="random", random_state=0).fit(X).inertia_per_init_.size == 10
    with pytest.warns(RuntimeWarning, match="only one init"):
        km = KMeans(3, init=X[:3], n_init=5).fit(X)
    assert km.inertia_per_init_.size == 1


def test_bounded_memory():
    """12 million points must not allocate n x k at once: check the peak on a smaller n."""
    rng = np.random.default_rng(0)
    n, k = 200_000, 100
    X = rng.random((n, 3))
    init = X[:k].copy()
    tracemalloc.start()
    KMeans(k, init=init, n_init=1, max_iter=3).fit(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < n * k * 8 / 8  # an n x k float64 matrix would be 160 MB


def test_bounded_memory_long_wide_data_small_k():
    """Wide data with few clusters: the small-data loop's copies of the data are only
    made when they are small; past that, memory stays a fraction of the data's size."""
    rng = np.random.default_rng(0)
    X = rng.random((80_000, 100)).astype(np.float32)  # 32 MB; n * k small, n * d not
    init = X[:2].copy()
    tracemalloc.start()
    km = KMeans(2, init=init, n_init=1, max_iter=3).fit(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < X.nbytes  # two float64 copies would be 128 MB
    np.testing.assert_array_equal(km.labels_, brute_labels(X, km.cluster_centers_)[0])


# --------------------------------------------------------------------------- parity
def _parity(X, init, rel=1e-6):
    k = init.shape[0]
    ours = KMeans(k, init=init, n_init=1).fit(X)
    sk = SkKMeans(k, init=init, n_init=1, algorithm="lloyd").fit(X)
    assert ours.inertia_ == pytest.approx(sk.inertia_, rel=rel)
    assert ours.n_iter_ == sk.n_iter_
    return ours, sk


def test_parity_blobs(big_blobs):
    X = big_blobs[0]
    _parity(X, sk_init(X, 8))
    _parity(X, X[np.random.default_rng(0).choice(len(X), 8, replace=False)])


def test_parity_moons():
    X, _ = make_moons(1000, noise=0.05, random_state=0)
    for k in (2, 5, 10):
        _parity(X, sk_init(X, k, seed=k))


def test_parity_digits(digits):
    X = digits[0]
    for seed in range(3):
        _parity(X, sk_init(X, 10, seed=seed))


def test_parity_china_full(china_pixels):
    # The pixels (and so k-means++ seeds) sit on the 1/255 grid, where exact distance
    # ties are common: different but equally valid tie-breaks (sklearn's rounding of
    # ||x||^2 - 2x.c + ||c||^2 versus exact differences here) lead to different local
    # minima. Moving the seeds off the grid removes the ties, and then the runs agree.
    X = china_pixels
    init = sk_init(X, 16) + np.random.default_rng(1).uniform(-0.5, 0.5, (16, 3)) / 255
    ours, sk = _parity(X, init)
    assert (ours.labels_ != sk.labels_).mean() < 1e-4


def test_parity_china_subsample_float32(china_pixels):
    X = china_pixels[::7].astype(np.float32)
    init = (sk_init(X, 8) + np.random.default_rng(2).uniform(-0.5, 0.5, (8, 3)) / 255)
    _parity(X, init.astype(np.float32), rel=1e-5)


@pytest.mark.parametrize("dataset", ["blobs", "digits"])
def test_kmeanspp_n_init_10_median_inertia(dataset, digits):
    if dataset == "digits":
        X, k = digits[0], 10
    else:
        X, k = make_blobs(1500, centers=12, cluster_std=2.0, random_state=0)[0], 12
    ours = [KMeans(k, n_init=10, random_state=s).fit(X).inertia_ for s in range(10)]
    theirs = [SkKMeans(k, n_init=10, random_state=s).fit(X).inertia_ for s in range(10)]
    assert np.median(ours) == pytest.approx(np.median(theirs), rel=0.01)


# --------------------------------------------------------------------------- the chapter
def test_chapter_blobs_recovered(chapter_blobs):
    X, y = chapter_blobs
    km = KMeans(4, random_state=0).fit(X)
    assert adjusted_rand_score(y, km.labels_) == 1.0
    assert adjusted_rand_score(y, km.predict(X)) == 1.0
    Xo, yo = make_blobs(300, centers=4, cluster_std=0.60, random_state=0)
    assert adjusted_rand_score(yo, KMeans(4, random_state=0).fit_predict(Xo)) == 1.0


def test_chapter_digits_accuracy(digits):
    X, y = digits
    km = KMeans(10, n_init=10, random_state=0).fit(X)
    acc = accuracy_score(y, match_labels_majority(km.labels_, y))
    assert abs(acc - 0.7935) <= 0.02


# --------------------------------------------------------------------------- kmeans_plusplus
def test_kmeans_plusplus(rng):
    X, _ = make_blobs(500, centers=5, random_state=10)
    centers, idx = kmeans_plusplus(X, 5, random_state=0)
    assert idx.dtype == np.intp and np.unique(idx).size == 5
    np.testing.assert_array_equal(centers, X[idx])
    w = np.zeros(len(X))
    w[:20] = 1.0
    _, idx = kmeans_plusplus(X, 5, sample_weight=w, random_state=0)
    assert (idx < 20).all()
    c1, _ = kmeans_plusplus(X, 5, random_state=3, n_local_trials=1)
    assert c1.shape == (5, 2)
    c32, _ = kmeans_plusplus(X.astype(np.float32), 5, random_state=0)
    assert c32.dtype == np.float32


def test_kmeans_plusplus_large_chunked():
    X = np.random.default_rng(0).random((1_100_000, 2))
    centers, idx = kmeans_plusplus(X, 3, random_state=0)
    np.testing.assert_array_equal(centers, X[idx])


# --------------------------------------------------------------------------- MiniBatchKMeans
def test_minibatch_close_to_kmeans(big_blobs):
    X = big_blobs[0][:30000]
    mb = MiniBatchKMeans(8, random_state=0, batch_size=1024).fit(X)
    km = KMeans(8, random_state=0, n_init=3).fit(X)
    assert mb.labels_.dtype == np.intp
    assert mb.inertia_ <= km.inertia_ * 1.05
    assert mb.n_steps_ >= 1 and mb.n_iter_ >= 1
    np.testing.assert_array_equal(mb.predict(X), mb.labels_)


def test_minibatch_sample_weight_and_float32(rng):
    X, y = make_blobs(4000, centers=[[0, 0], [10, 0], [0, 10]], random_state=11)
    w = np.where(y == 0, 0.0, 1.0)
    mb = MiniBatchKMeans(2, random_state=0, batch_size=256).fit(X, sample_weight=w)
    # the zero-weight blob pulls no center: each center sits on one of the other two
    assert adjusted_rand_score(y[y > 0], mb.labels_[y > 0]) == 1.0
    mb32 = MiniBatchKMeans(3, random_state=0).fit(X.astype(np.float32))
    assert mb32.cluster_centers_.dtype == np.float32


def test_minibatch_partial_fit():
    X, y = make_blobs(3000, centers=3, cluster_std=0.5, random_state=12)
    mb = MiniBatchKMeans(3, random_state=0)
    for _ in range(5):
        for s in range(0, len(X), 300):
            mb.partial_fit(X[s : s + 300])
    assert mb.n_steps_ == 50
    assert adjusted_rand_score(y, mb.predict(X)) > 0.99
    with pytest.raises(ValueError, match="X has 3 features"):
        mb.partial_fit(np.zeros((5, 3)))


def test_minibatch_fit_steps():
    X, _ = make_blobs(2000, centers=3, random_state=13)
    recs = list(MiniBatchKMeans(3, random_state=0, batch_size=100).fit_steps(X))
    assert set(recs[0]) == {"step", "n_steps", "inertia"}
    assert [r["step"] for r in recs] == list(range(len(recs)))


def test_no_warnings_on_plain_fit():
    X, _ = make_blobs(500, centers=3, random_state=14)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KMeans(3, random_state=0).fit(X)
        MiniBatchKMeans(3, random_state=0).fit(X)
