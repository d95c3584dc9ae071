"""An empty cluster takes one point, also when repeated rows were folded.

From 2**14 rows the bounded paths fit the distinct rows with summed weights
(``_repeated_rows._deduplicate``). scikit-learn relocates an empty cluster to the one
point farthest from its center; moving the folded row moved all its copies, so the
iteration's centers (and from there, at times, the fit) differed from plain Lloyd's
and scikit-learn's on integer data, images and any data with repeated points.
"""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._kmeans as kmeans_module
from kmeanslab import KMeans, lloyd_steps
from kmeanslab.cluster._relocation import Copies, relocation_targets, restore_copies
from kmeanslab.cluster._repeated_rows import _deduplicate

BOUNDED = ["grid", "narrow", "elkan", "hamerly"]


def _plain_run(X, init, w=None, max_iter=300):
    last = list(lloyd_steps(X, init, sample_weight=w, max_iter=max_iter))[-1]
    return last


def _assert_plain(monkeypatch, path, X, init, w=None, max_iter=300):
    monkeypatch.setattr(kmeans_module, "choose_path", lambda X, k: path)
    km = KMeans(len(init), init=init, n_init=1, max_iter=max_iter).fit(X, sample_weight=w)
    ref = _plain_run(X, init, w, max_iter)
    np.testing.assert_allclose(km.cluster_centers_, ref["centers"], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(km.labels_, ref["labels"])
    assert km.n_iter_ == ref["n_iter"]
    assert km.inertia_ == pytest.approx(ref["inertia"], rel=1e-9)


def _lattice(seed=6, n=20_000):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 40, (n, 3)).astype(np.float64)
    X[:, 2] = 0.0
    return X


@pytest.mark.parametrize("path", BOUNDED)
@pytest.mark.parametrize("max_iter", [1, 2, 300])
def test_one_empty_cluster_takes_one_copy(monkeypatch, path, max_iter):
    """Two equal initial centers (the second loses every point to the first): the empty
    one takes one of the 3 copies of the farthest point, not all of them."""
    X = _lattice()
    # one farthest row (3 copies): among rows tied for the largest distance the pick is
    # argpartition's, which depends on the rows' order (folded or not), as scikit-learn's
    X[[5, 900, 17_000]] = [300.0, 300.0, 0.0]
    assert _deduplicate(X, None, 6) is not None  # (the fit folds these rows)
    init = np.array([[10, 10, 0], [30, 10, 0], [10, 30, 0], [30, 30, 0], [24, 24, 0],
                     [10, 10, 0]], dtype=np.float64)
    _assert_plain(monkeypatch, path, X, init, max_iter=max_iter)


@pytest.mark.parametrize("path", BOUNDED)
@pytest.mark.parametrize("max_iter", [1, 3, 300])
def test_two_empty_clusters_take_two_copies_of_one_row(monkeypatch, path, max_iter):
    """Three copies of one far point: two empty clusters take two of them (both centers
    on it), and the third copy stays in its cluster for that M step."""
    X = _lattice(7)
    X[[5, 900, 17_000]] = [300.0, 300.0, 0.0]
    init = np.array([[10, 10, 0], [30, 10, 0], [10, 30, 0], [30, 30, 0],
                     [30, 30, 0], [30, 30, 0]], dtype=np.float64)
    _assert_plain(monkeypatch, path, X, init, max_iter=max_iter)
    if max_iter == 1:
        km = KMeans(6, init=init, n_init=1, max_iter=1).fit(X)
        np.testing.assert_array_equal(km.cluster_centers_[4:], [[300, 300, 0]] * 2)
        # cluster 3 kept one copy of the far point for its mean
        first = next(iter(lloyd_steps(X, init)))["labels"]
        assert first[[5, 900, 17_000]].tolist() == [3, 3, 3]
        keep = first == 3
        keep[[5, 900]] = False
        np.testing.assert_allclose(km.cluster_centers_[3], X[keep].mean(axis=0), rtol=1e-12)


@pytest.mark.parametrize("path", BOUNDED)
def test_weighted_copies(monkeypatch, path):
    """Sample weights (equal among the copies of a row, as an image's pixel counts would
    be): the empty cluster takes one copy's weight."""
    X = _lattice(8)
    X[[5, 900, 17_000]] = [300.0, 300.0, 0.0]  # (the farthest row: see above)
    w = 1.0 + (X[:, 0] % 3) + 0.5 * (X[:, 1] % 2)
    init = np.array([[10, 10, 0], [30, 10, 0], [10, 30, 0], [30, 30, 0], [10, 10, 0]],
                    dtype=np.float64)
    for max_iter in (1, 300):
        _assert_plain(monkeypatch, path, X, init, w, max_iter)


def test_deduplicate_reports_the_copies():
    X = _lattice(9)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(X))
    Xu, wu, inverse, copies = _deduplicate(X, w, 4)
    np.testing.assert_array_equal(Xu[inverse], X)
    np.testing.assert_array_equal(copies.counts, np.bincount(inverse))
    # one copy's weight: the weight of some original row of that distinct row
    for i in (0, 7, len(Xu) - 1):
        assert copies.unit[i] in w[inverse == i]
    _, wu1, _, copies1 = _deduplicate(X, None, 4)
    np.testing.assert_array_equal(wu1, copies1.counts)
    np.testing.assert_array_equal(copies1.unit, 1.0)


def test_relocation_targets_repeat_a_row_up_to_its_copies():
    dist = np.array([1.0, 9.0, 4.0, 0.0])
    counts = np.array([5, 2, 3, 4])
    copies = Copies(counts, np.ones(4))
    np.testing.assert_array_equal(relocation_targets(dist, None, 1, copies), [1])
    np.testing.assert_array_equal(relocation_targets(dist, None, 3, copies), [1, 1, 2])
    np.testing.assert_array_equal(relocation_targets(dist, None, 6, copies), [1, 1, 2, 2, 2, 0])
    # a row on its own center (distance 0) never: 20 empty clusters get the 10 copies
    assert relocation_targets(dist, None, 20, copies).tolist() == [1] * 2 + [2] * 3 + [0] * 5
    # unfolded rows: one each, as scikit-learn
    assert sorted(relocation_targets(dist, None, 3)) == [0, 1, 2]


def test_restore_copies_gives_the_mean_with_the_other_copies():
    X = np.array([[0.0, 0.0], [4.0, 0.0], [10.0, 10.0]])
    w = np.array([1.0, 1.0, 3.0])  # row 2: three copies of unit weight
    copies = Copies(np.array([1, 1, 3]), np.ones(3))
    # row 2 left cluster 0 wholly for cluster 1: cluster 0 holds rows 0, 1
    centers = np.array([[2.0, 0.0], [10.0, 10.0]])
    restore_copies(centers, np.array([2.0, 3.0]), X, np.array([2]), np.array([0]), w, copies)
    np.testing.assert_allclose(centers[0], (X[0] + X[1] + 2 * X[2]) / 4)
    np.testing.assert_array_equal(centers[1], [10.0, 10.0])


@pytest.mark.parametrize("path", BOUNDED)
def test_zero_weight_copies_are_never_taken(monkeypatch, path):
    """A far row repeated three times with weights 0, 0, 1: one point to take, not
    three (plain Lloyd never relocates to a zero-weight point), whatever the first
    copy's weight."""
    X = _lattice(7)
    far = [5, 900, 17_000]
    X[far] = [300.0, 300.0, 0.0]
    w = np.ones(len(X))
    w[far] = [0.0, 0.0, 1.0]
    init = np.array([[10, 10, 0], [30, 10, 0], [10, 30, 0], [30, 30, 0],
                     [30, 30, 0], [30, 30, 0]], dtype=np.float64)
    for max_iter in (1, 300):
        _assert_plain(monkeypatch, path, X, init, w, max_iter)
    _, _, _, copies = _deduplicate(X, w, 6)
    assert copies.counts.sum() == len(X) - 2  # (the zero-weight copies do not count)
    assert copies.unit.min() == 1.0  # (each row's first positive copy)


def test_folded_rows_on_the_small_path(monkeypatch):
    """Few distinct rows: once folded they take the small loop (the default path here),
    whose relocation takes one copy too."""
    import kmeanslab.cluster._lloyd as core

    rng = np.random.default_rng(7)
    X = rng.integers(0, 40, (20_000, 2)).astype(np.float64)
    X[[5, 900, 17_000]] = [300.0, 300.0]
    init = np.array([[10, 10], [30, 10], [10, 30], [30, 30], [30, 30]], dtype=np.float64)
    assert core.choose_path(_deduplicate(X, None, 5)[0], 5) == "small"
    for max_iter in (1, 300):
        km = KMeans(5, init=init, n_init=1, max_iter=max_iter).fit(X)  # (default path)
        ref = _plain_run(X, init, max_iter=max_iter)
        np.testing.assert_allclose(km.cluster_centers_, ref["centers"], rtol=1e-12, atol=1e-12)
        assert km.n_iter_ == ref["n_iter"]
        assert km.inertia_ == pytest.approx(ref["inertia"], rel=1e-9)


def test_rows_tied_at_one_distance_give_their_copies_in_row_order():
    """Two empty clusters, two folded rows tied for the largest distance: row A stands
    for original rows 0 and 2, row B for row 1. Unfolded, the lowest-index rule takes
    rows 0 and 1 (A, then B); the folded rows must do the same, not take A twice."""
    copies = Copies(np.array([2, 1, 1]), np.ones(3), np.array([0, 1, 3]),
                    np.array([0, 1, 0, 2]))
    far = relocation_targets(np.array([100.0, 100.0, 0.0]), None, 2, copies)
    np.testing.assert_array_equal(far, [0, 1])
    # one empty cluster: the lowest first copy; three: A's second copy comes third
    np.testing.assert_array_equal(relocation_targets(np.array([100.0, 100.0, 0.0]), None, 1,
                                                     copies), [0])
    np.testing.assert_array_equal(relocation_targets(np.array([100.0, 100.0, 0.0]), None, 3,
                                                     copies), [0, 1, 0])
