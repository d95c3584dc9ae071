"""The small-data Lloyd loop (kmeanslab._elkan): its fast paths against plain computation."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab._elkan as elkan
from kmeanslab import KMeans, lloyd_steps
from kmeanslab._kmeans import _column_stats


def _state(X, w, keep):
    return elkan._State(X, w, _column_stats(X, keep_centered=keep))


@pytest.mark.parametrize("d", [3, 20])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_moved", [1, 30, 200, 1500])
def test_move_equals_recount(rng, d, weighted, n_moved):
    """Incremental statistics (one bincount, one contraction, or a recount when many
    points move) equal those recounted from scratch."""
    n, k = 2000, 9
    X = rng.normal(size=(n, d)) * 3 + 5
    w = rng.uniform(0.2, 2.0, n) if weighted else np.ones(n)
    labels = rng.integers(0, k, n).astype(np.intp)
    st = _state(X, w, keep=d > 8)
    st.labels = labels
    st.full_sums(labels, k)
    idx = np.sort(rng.choice(n, n_moved, replace=False)).astype(np.intp)
    old = labels[idx].copy()
    new = ((old + rng.integers(1, k, n_moved)) % k).astype(np.intp)
    labels[idx] = new
    st.move(idx, old, new)
    got = st.SA.copy()
    st.full_sums(labels, k)
    np.testing.assert_allclose(got, st.SA, rtol=1e-10, atol=1e-8)
    np.testing.assert_array_equal(got[:, -1], np.bincount(labels, minlength=k))
    Xs = X - st.offset
    for j in (0, k - 1):
        m = labels == j
        np.testing.assert_allclose(st.S[j], (Xs[m] * w[m, None]).sum(axis=0), rtol=1e-10)
        assert st.W[j] == pytest.approx(w[m].sum(), rel=1e-12)


def test_round_offset_keeps_integer_data_exact(rng):
    X = rng.integers(0, 17, (500, 64)).astype(np.float64)
    mean = X.mean(axis=0)
    offset = elkan.round_offset(mean, float(np.sqrt(X.var(axis=0).mean())))
    np.testing.assert_array_equal(offset, np.round(offset))  # integers: X - offset exact
    assert np.abs(offset - mean).max() <= 2.0
    # a small spread far from the origin: the offset stays within the spread of the mean
    Y = 1e6 + rng.normal(size=(500, 4)) * 1e-3
    off = elkan.round_offset(Y.mean(axis=0), 1e-3)
    assert np.abs(off - Y.mean(axis=0)).max() <= 1e-3


@pytest.mark.parametrize("d", [2, 12])
def test_exact_ties_go_to_the_lowest_center(d):
    """Integer data puts many points exactly halfway between integer initial centers;
    those ties go to the lower index, as in the plain loop and the large-data paths, so
    which path runs does not change the result. (scikit-learn shifts the data by its
    exact mean, so its ties fall by rounding; later ties, against fractional centers,
    fall by rounding in any implementation.)"""
    rng = np.random.default_rng(6)
    X = rng.integers(0, 40, (6000, d)).astype(np.float64)
    init = np.zeros((5, d))
    init[:, :2] = [[10, 10], [30, 10], [10, 30], [30, 30], [20, 20]]
    D = ((X[:, None, :] - init[None]) ** 2).sum(-1)
    assert np.count_nonzero(np.sum(D == D.min(axis=1, keepdims=True), axis=1) > 1) > 200
    first = D.argmin(axis=1)  # the lowest index among exact ties
    means = np.array([X[first == j].mean(axis=0) for j in range(5)])
    km = KMeans(5, init=init, n_init=1, max_iter=1).fit(X)
    np.testing.assert_allclose(km.cluster_centers_, means, rtol=1e-13, atol=1e-13)
    plain = list(lloyd_steps(X, init, max_iter=1))
    np.testing.assert_array_equal(plain[0]["labels"], first)


@pytest.mark.parametrize("d", [2, 12])
def test_inertia_exact_when_the_sums_would_cancel(rng, d):
    """Tight clusters far apart: the inertia from cluster sums would lose every digit to
    cancellation, so it is computed point by point."""
    X = np.concatenate([1e4 + rng.normal(size=(300, d)) * 1e-3,
                        -1e4 + rng.normal(size=(300, d)) * 1e-3])
    km = KMeans(2, init=X[[0, 300]], n_init=1).fit(X)
    means = np.array([X[:300].mean(axis=0), X[300:].mean(axis=0)])
    truth = float(((X - means[np.repeat([0, 1], 300)]) ** 2).sum())
    assert km.inertia_ == pytest.approx(truth, rel=1e-9)


def test_small_wide_float32_matches_float64(digits):
    X = digits[0]
    init = X[:: 180][:10]
    a = KMeans(10, init=init, n_init=1).fit(X)
    b = KMeans(10, init=init.astype(np.float32), n_init=1).fit(X.astype(np.float32))
    assert b.cluster_centers_.dtype == np.float32
    assert np.mean(a.labels_ == b.labels_) > 0.99
    assert b.inertia_ == pytest.approx(a.inertia_, rel=1e-5)
