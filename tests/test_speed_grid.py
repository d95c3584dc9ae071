"""The grid filter's carried cell bounds and two-candidate row tests (issue 12): every
step gives exactly the plain kernel's labels, and the shortcuts are really taken."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._grid as grid
import kmeanslab.cluster._kmeans as kmeans_module
from _speed_helpers import assert_fit_is_plain_lloyd, blobs
from kmeanslab import KMeans, lloyd_steps
from kmeanslab.cluster._k_means_common import _Sums
from kmeanslab.datasets import make_blobs
from kmeanslab.utils._distances import NearestKernel, nearest_exact


def _filter(X, w=None):
    mean = X.astype(np.float64).mean(axis=0)
    radius = float(np.sqrt(((X - mean) ** 2).sum(axis=1).max()))
    return grid.GridFilter(X, w, mean, radius), mean


def _walk(X, C, steps, rng, w=None, jump_every=10, scale=0.05):
    """Grid E steps along a random walk of the centers (small drifts, a jump every
    ``jump_every`` steps, one swap of two centers), each checked against plain Lloyd's
    exact E step: labels, the count of changes, and the sums moved by the grid against
    fresh ones."""
    k = C.shape[0]
    g, mean = _filter(X, w)
    labels = np.empty(len(X), dtype=np.intp)
    g.estep(labels, C, NearestKernel(C), first=True)
    np.testing.assert_array_equal(labels, nearest_exact(X, C)[0])
    wfull = np.ones(len(X)) if w is None else w
    sums = _Sums(X, wfull, labels, k, mean)
    for step in range(steps):
        big = step % jump_every == jump_every - 1
        C = (C + rng.normal(scale=20 * scale if big else scale, size=C.shape)).astype(X.dtype)
        if step == steps // 2 and k > 1:
            C[[0, 1]] = C[[1, 0]]
        prev = labels.copy()
        n_changed = g.estep(labels, C, NearestKernel(C), sums=sums)
        np.testing.assert_array_equal(labels, nearest_exact(X, C)[0])
        assert n_changed == np.count_nonzero(labels != prev)
        fresh = _Sums(X, wfull, labels, k, mean)
        np.testing.assert_array_equal(sums.counts, fresh.counts)
        np.testing.assert_allclose(sums.W, fresh.W, rtol=1e-9)
        np.testing.assert_allclose(sums.S, fresh.S, rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(sums.Q, fresh.Q, rtol=1e-9)
    return g


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("refresh", [3, 64])
def test_grid_steps_follow_drifting_centers(dtype, weighted, refresh, monkeypatch):
    monkeypatch.setattr(grid, "_REFRESH", refresh)
    rng = np.random.default_rng(12)
    X = make_blobs(30_000, centers=6, cluster_std=2.0, random_state=12)[0].astype(dtype)
    w = rng.uniform(0.5, 2.0, len(X)) if weighted else None
    _walk(X, X[:6].copy(), 24, rng, w)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_grid_steps_exact_ties_on_a_lattice(dtype):
    """Integer lattice rows and centers on lattice points: the perpendicular bisectors of
    center pairs pass through rows (exact ties, which plain Lloyd's E step gives to the
    lower index: the kernel's identity broke some by its rounding, 4 against 6 here),
    also in cells that only two centers can reach."""
    rng = np.random.default_rng(13)
    X = np.stack(np.meshgrid(np.arange(180.0), np.arange(120.0)), -1).reshape(-1, 2)
    X = X.astype(dtype)
    C = rng.integers(0, 120, (7, 2)).astype(dtype) * 2  # even: bisectors hit lattice rows
    g, _ = _filter(X)
    labels = np.empty(len(X), dtype=np.intp)
    for _ in range(12):
        g.estep(labels, C, NearestKernel(C), first=g._lab is None)
        np.testing.assert_array_equal(labels, nearest_exact(X, C)[0])
        C = C + 2 * rng.integers(-2, 3, C.shape).astype(dtype)
    _walk(X, C, 10, rng, scale=0.5)


def test_grid_single_center_and_far_centers():
    rng = np.random.default_rng(14)
    X = make_blobs(20_000, centers=3, random_state=14)[0]
    _walk(X, X[:1].copy(), 6, rng)
    _walk(X, X[:4] + 500.0, 6, rng, scale=40.0)  # far outside the data, moving fast


def test_grid_rebounds_only_cells_whose_owner_may_change(monkeypatch):
    """After the first step, the carried bounds spare most cells the bounds against
    all centers (re-bounding every cell every step would be the uncarried filter)."""
    sizes = []
    real = grid.GridFilter._bound

    def spy(self, Cs, cells, margin):
        sizes.append(self.n_cells if cells is None else cells.size)
        return real(self, Cs, cells, margin)

    monkeypatch.setattr(grid.GridFilter, "_bound", spy)
    X = make_blobs(60_000, centers=8, cluster_std=1.5, random_state=3)[0]
    init = X[:8].copy()
    km = KMeans(8, init=init, n_init=1, tol=0).fit(X)
    assert len(sizes) >= km.n_iter_ > 5
    assert float(np.median(sizes[1:])) < 0.25 * sizes[0]
    last = list(lloyd_steps(X, init, tol=0))[-1]
    np.testing.assert_array_equal(km.labels_, last["labels"])


def test_grid_pair_cells_decided_without_the_kernel(monkeypatch):
    """Most rows of ambiguous cells are labelled by the two-candidate test, not the
    kernel, and the labels stay the kernel's."""
    shares = []
    real = grid.GridFilter.estep

    def spy(self, labels, C, kern, *args, **kwargs):
        out = real(self, labels, C, kern, *args, **kwargs)
        rows_amb = int(self.counts[self.owner < 0].sum())
        shares.append((self.ambiguous_fraction() * labels.size, rows_amb))
        np.testing.assert_array_equal(labels, nearest_exact(self.X, C)[0])
        return out

    monkeypatch.setattr(grid.GridFilter, "estep", spy)
    X = make_blobs(40_000, centers=8, cluster_std=1.5, random_state=5)[0]
    KMeans(8, init=X[:8].copy(), n_init=1).fit(X)
    kernel_rows = sum(s[0] for s in shares)
    amb_rows = sum(s[1] for s in shares)
    assert amb_rows > 0
    assert kernel_rows < 0.5 * amb_rows


@pytest.mark.parametrize("d, k, grid_path", [
    (1, 64, True), (2, 32, True), (3, 8, True), (1, 65, False), (2, 33, False),
    (3, 16, False), (4, 2, False),
])
def test_grid_path_by_dimension_and_clusters(d, k, grid_path):
    import kmeanslab.cluster._lloyd as core

    X = np.zeros((1 << 15, d))
    assert (core.choose_path(X, k) == "grid") is grid_path


@pytest.mark.parametrize("d, k, weighted", [(3, 8, True), (3, 5, False), (2, 32, True),
                                            (1, 48, False)])
def test_grid_exact_in_3d_and_with_many_clusters(d, k, weighted, monkeypatch):
    """The grid's new shapes (3-d data, up to 32 clusters in 2-d and 64 in 1-d) give
    plain Lloyd's labels, iterations and centers; small bound blocks on the way."""
    import kmeanslab.cluster._lloyd as core

    monkeypatch.setattr(grid, "_BOUND_ENTRIES", 4096)
    monkeypatch.setattr(core, "_MID_BEFORE_GRID_D", ())  # (the grid, at this size)
    calls = []
    real = grid.GridFilter.estep
    monkeypatch.setattr(grid.GridFilter, "estep",
                        lambda self, *a, **kw: calls.append(1) or real(self, *a, **kw))
    rng = np.random.default_rng(d * 100 + k)
    X = make_blobs(20_000, n_features=d, centers=k, cluster_std=1.0, center_box=(-12, 12),
                   random_state=d + k)[0]
    w = rng.uniform(0.5, 2.0, len(X)) if weighted else None
    init = X[:k].copy()
    km = KMeans(k, init=init, n_init=1, tol=0).fit(X, sample_weight=w)
    assert len(calls) >= km.n_iter_
    last = list(lloyd_steps(X, init, sample_weight=w, tol=0))[-1]
    np.testing.assert_array_equal(km.labels_, last["labels"])
    np.testing.assert_allclose(km.cluster_centers_, last["centers"], rtol=1e-12, atol=1e-12)
    monkeypatch.setattr(core, "_use_grid", lambda X, k: False)
    ref = KMeans(k, init=init, n_init=1, tol=0).fit(X, sample_weight=w)
    assert km.n_iter_ == ref.n_iter_
    np.testing.assert_array_equal(km.labels_, ref.labels_)


def test_grid_steps_3d_small_bound_blocks(monkeypatch):
    monkeypatch.setattr(grid, "_BOUND_ENTRIES", 1000)
    rng = np.random.default_rng(15)
    X = make_blobs(25_000, n_features=3, centers=6, cluster_std=1.5, random_state=15)[0]
    _walk(X, X[:8].copy(), 12, rng, scale=0.1)


def test_grid_with_no_owned_cell(monkeypatch):
    """One row far away and centers among the others: every cell is ambiguous at the
    first step (no cell owned). The sums' weights were then an integer array (an empty
    bincount is int64 even with weights) and the next move raised."""
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (20_000, 2))
    X[0] = 1e6
    init = X[1 + rng.choice(len(X) - 1, 32, replace=False)]
    monkeypatch.setattr(kmeans_module, "choose_path", lambda X, k: "grid")
    km = KMeans(32, init=init, n_init=1).fit(X)
    last = list(lloyd_steps(X, init))[-1]
    np.testing.assert_array_equal(km.labels_, last["labels"])
    assert km.n_iter_ == last["n_iter"]


@pytest.mark.parametrize("d, k", [(2, 32), (3, 8)])
def test_mid_size_2d_3d_takes_the_small_loop_before_the_grid(rng, d, k):
    """2-d and 3-d data of 2**14 to 2**15 distinct rows takes the small loop (faster than
    the grid there, natively and in Pyodide: see ``_MID_BEFORE_GRID_D``), with plain
    Lloyd's result; larger or repeating data, and 1-d data, keep the grid."""
    import kmeanslab.cluster._lloyd as core

    X = blobs(rng, 30_000, d, k)
    assert core.choose_path(X, k) == "small"
    assert core.choose_path(blobs(rng, 40_000, d, 8), 8) == "grid"
    assert core.choose_path(np.round(X), 8) == "grid"  # (repeated rows: folded, then grid)
    assert core.choose_path(blobs(rng, 30_000, 1, 8), 8) == "grid"
    assert_fit_is_plain_lloyd(X, X[rng.choice(len(X), k, replace=False)])
