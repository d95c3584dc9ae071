"""The small-data Lloyd loop (kmeanslab._elkan): its fast paths against plain computation."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._elkan as elkan
from kmeanslab import KMeans, lloyd_steps
from kmeanslab.cluster._k_means_common import _column_stats


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


@pytest.mark.filterwarnings("ignore:Number of distinct clusters")
@pytest.mark.parametrize("case", ["three rows", "one row"])
def test_more_clusters_than_distinct_rows_converges(case):
    """With fewer distinct rows than clusters some cluster is empty at every iteration;
    convergence is decided on the labels of consecutive E steps, as in scikit-learn, so
    the run stops instead of relocating until max_iter (these cases, found by a review,
    did). scikit-learn itself sometimes cycles on such data, depending on its rounding,
    so it is no reference here."""
    if case == "three rows":
        base = np.array([[-5.3119122924220825, 0.27481163349478765],
                         [-0.8603148835918352, 1.5592353450786676],
                         [3.746109835228075, -1.4301058564180644]])
        X = np.repeat(base, [55, 74, 71], axis=0)
        init = base[[1, 1, 1, 0, 2]]
    else:
        X = np.tile([[3.359477522534892, 4.359138259651274]], (200, 1))
        init = X[:5]
    km = KMeans(5, init=init, n_init=1, max_iter=100).fit(X)
    assert km.n_iter_ < 10
    assert km.inertia_ == pytest.approx(0.0, abs=1e-12)  # every distinct row has a center


def test_shift_spread_not_trusted_from_an_unlucky_sample():
    """The spread that rounds the shift is guessed from a sample of rows; when those
    rows happen to be equal, the exact spread is used instead, and the labels stay the
    nearest centers."""
    rng = np.random.default_rng(0)
    X = 100.375 + rng.normal(size=(6400, 12)) * 1e-8
    X[::100] = 100.375  # every sampled row
    stats = _column_stats(X, keep_centered=True)
    offset = stats.centered[2]
    assert np.abs(offset - X.mean(axis=0)).max() < 1e-7
    assert stats.mean_variance == pytest.approx(float(X.var(axis=0).mean()), rel=1e-6)
    km = KMeans(3, init=X[[1, 2, 3]], n_init=1, max_iter=1).fit(X)
    D = ((X[:, None, :] - km.cluster_centers_[None].astype(np.float64)) ** 2).sum(-1)
    np.testing.assert_array_equal(km.labels_, D.argmin(axis=1))


def test_float32_narrow_near_ties_exact():
    """Narrow float32 data is measured in float64: of these points (found by a review),
    each its own initial center, 5 and 9 are 2e-4 apart, a gap that float32 distances
    around the shift round away."""
    X = np.array([
        47.873573303222656, 47.836273193359375, 47.53568649291992, 47.319156646728516,
        47.56363296508789, 48.59489059448242, 46.36785125732422, 47.601341247558594,
        47.25439453125, 48.59465789794922, 48.4034309387207, 46.20823669433594,
        48.08816909790039, 46.2949104309082, 46.94515609741211, 47.28135681152344,
        48.56452178955078, 47.89543151855469, 49.497005462646484, 47.72011184692383,
    ], dtype=np.float32)[:, None]
    km = KMeans(20, init=X, n_init=1).fit(X)
    np.testing.assert_array_equal(km.labels_, np.arange(20))
    assert km.inertia_ == 0.0


@pytest.mark.parametrize("weighted", [False, True])
def test_a_cluster_emptied_by_moves_is_relocated_at_the_next_m_step(rng, weighted):
    """Moves no longer clean the sums of the clusters they empty (two calls per E step
    fewer); the M step does, so an emptied cluster has exact zero sums there (its
    weighted sums would otherwise keep their rounding, and its center would be garbage)
    and takes the point farthest from its center, as in the plain loop."""
    import kmeanslab.cluster._bound_loop as bound_loop

    n, d, k = 300, 20, 4
    X = rng.normal(size=(n, d)) * 3 + 5
    w = rng.uniform(0.1, 3.0, n) if weighted else np.ones(n)
    labels = (np.arange(n) % k).astype(np.intp)
    st = _state(X, w, keep=True)
    st.labels = labels
    st.full_sums(labels, k)
    cs = st.S / st.W[:, None]
    st.set_centers(cs)
    idx = np.flatnonzero(labels == 1)
    old = labels[idx].copy()
    new = np.where(np.arange(idx.size) % 2 == 0, 0, 3).astype(np.intp)
    labels[idx] = new
    st.move(idx, old, new)
    cs_new, moves, shift, before = bound_loop._m_step(st, labels, cs)
    assert before is not None  # a relocation changed the labels
    moved = np.flatnonzero(labels != before)
    assert moved.size == 1 and labels[moved[0]] == 1
    np.testing.assert_array_equal(cs_new[1], st.X64[moved[0]])  # on its point
    # the sums are those of the final labels, recounted
    got = st.SA.copy()
    st.full_sums(labels, k)
    np.testing.assert_allclose(got, st.SA, rtol=1e-10, atol=1e-9)
    # the relocated cluster's sums are its one point's row, no rounding left over
    np.testing.assert_array_equal(got[1], st.SA[1])
    assert np.all(np.isfinite(cs_new))


def test_inertia_from_the_sums_equals_point_by_point(rng):
    """The inertia is one product of the cluster sums with the centers' augmented rows
    [-2 c | 1 | ||c||^2 | 0]: it equals the sum of squared distances."""
    n, d, k = 500, 30, 6
    X = rng.normal(size=(n, d)) * 2 + 7
    labels = rng.integers(0, k, n).astype(np.intp)
    for w in (np.ones(n), rng.uniform(0.2, 2.0, n)):
        st = _state(X, w, keep=True)
        st.labels = labels
        st.full_sums(labels, k)
        cs = rng.normal(size=(k, d))
        st.set_centers(cs)
        diff = st.X64 - cs[labels]
        truth = float(np.dot(np.einsum("ij,ij->i", diff, diff), w))
        assert st.inertia() == pytest.approx(truth, rel=1e-12)
