"""The flat-grid filtering E step (kmeanslab._grid) gives exactly plain Lloyd's labels."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans as SkKMeans

import kmeanslab.cluster._grid as grid
import kmeanslab.cluster._lloyd as core
from kmeanslab import KMeans, lloyd_steps
from kmeanslab.datasets import make_blobs
from kmeanslab.utils._distances import NearestKernel


@pytest.fixture
def grid_calls(monkeypatch):
    """Counts the grid E steps, so each test can check that the grid path was taken."""
    calls = {"n": 0, "ambiguous": []}
    real = grid.GridFilter.estep

    def spy(self, *args, **kwargs):
        calls["n"] += 1
        out = real(self, *args, **kwargs)
        calls["ambiguous"].append(self.ambiguous_fraction())
        return out

    monkeypatch.setattr(grid.GridFilter, "estep", spy)
    # (natively 2-d data under 2**15 rows takes the small loop first: these tests are
    # about the grid, on data of that size)
    monkeypatch.setattr(core, "_MID_BEFORE_GRID_D", ())
    return calls


def _plain(X, init, w=None, max_iter=300, tol=1e-4):
    """The last record of the plain, unoptimised Lloyd loop."""
    return list(lloyd_steps(X, init, sample_weight=w, max_iter=max_iter, tol=tol))[-1]


def _check_same_as_plain(X, init, w=None, tol=1e-4):
    """Same labels and centers as plain Lloyd, same iterations as the bounded path."""
    km = KMeans(init.shape[0], init=init, n_init=1, tol=tol).fit(X, sample_weight=w)
    last = _plain(X, init, w, tol=tol)
    np.testing.assert_array_equal(km.labels_, last["labels"])
    rtol = 1e-5 if X.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(km.cluster_centers_, last["centers"], rtol=rtol, atol=rtol)
    assert km.inertia_ == pytest.approx(last["inertia"], rel=rtol)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(core, "_use_grid", lambda X, k: False)
        ref = KMeans(init.shape[0], init=init, n_init=1, tol=tol).fit(X, sample_weight=w)
    np.testing.assert_array_equal(km.labels_, ref.labels_)
    assert km.n_iter_ == ref.n_iter_
    return km


def test_grid_used_and_exact_on_blobs(grid_calls):
    X, _ = make_blobs(40_000, centers=8, cluster_std=1.5, random_state=3)
    init = X[:8].copy()
    km = _check_same_as_plain(X, init, tol=0)
    assert grid_calls["n"] >= km.n_iter_
    assert max(grid_calls["ambiguous"][1:]) < 0.5  # most rows go by whole cells
    sk = SkKMeans(8, init=init, n_init=1, algorithm="lloyd", tol=0).fit(X)
    assert km.inertia_ == pytest.approx(sk.inertia_, rel=1e-6)
    assert km.n_iter_ == sk.n_iter_


def test_grid_sample_weight(grid_calls, rng):
    X, _ = make_blobs(30_000, centers=5, cluster_std=2.0, random_state=4)
    w = rng.uniform(0.1, 3.0, len(X))
    km = _check_same_as_plain(X, X[:5].copy(), w)
    assert grid_calls["n"] > 0
    sk = SkKMeans(5, init=X[:5], n_init=1, algorithm="lloyd").fit(X, sample_weight=w)
    assert km.inertia_ == pytest.approx(sk.inertia_, rel=1e-6)


def test_grid_float32(grid_calls):
    X, _ = make_blobs(30_000, centers=6, cluster_std=1.0, random_state=5)
    X = X.astype(np.float32)
    km = _check_same_as_plain(X, X[:6].copy())
    assert km.cluster_centers_.dtype == np.float32
    assert grid_calls["n"] > 0


def test_grid_duplicate_points_and_ties(grid_calls, monkeypatch):
    """Integer lattice data: repeated rows (collapsed into weights) and many exact
    distance ties, which the grid must leave to the plain kernel's tie-break."""
    monkeypatch.setattr(core, "GRID_MIN_ROWS", 256)
    # the 3,600 distinct rows (folded with weights) would take the small loop in Pyodide
    monkeypatch.setattr(core, "_SMALL_MAX_ENTRIES", 1 << 10)
    rng = np.random.default_rng(6)
    X = rng.integers(0, 60, (50_000, 2)).astype(np.float64)
    init = np.array([[10.0, 10.0], [30.0, 10.0], [10.0, 30.0], [30.0, 30.0], [50.0, 50.0]])
    _check_same_as_plain(X, init)
    assert grid_calls["n"] > 0
    # rows on the perpendicular bisectors of the initial centers: a tie on the first step
    np.testing.assert_array_equal(
        KMeans(5, init=init, n_init=1, max_iter=1).fit(X).labels_,
        _plain(X, init, max_iter=1)["labels"],
    )


def test_grid_empty_cluster_relocated(grid_calls):
    X, _ = make_blobs(30_000, centers=4, random_state=7)
    init = np.vstack([X[:4], [[1e3, 1e3]]])  # the far center gets no point
    km = _check_same_as_plain(X, init)
    assert np.unique(km.labels_).size == 5
    assert grid_calls["n"] > 0
    sk = SkKMeans(5, init=init, n_init=1, algorithm="lloyd").fit(X)
    assert km.inertia_ == pytest.approx(sk.inertia_, rel=1e-6)


def test_grid_constant_column_and_single_cluster(grid_calls):
    rng = np.random.default_rng(8)
    X = np.column_stack([rng.normal(size=20_000), np.full(20_000, 3.0)])
    _check_same_as_plain(X, X[:3].copy())
    _check_same_as_plain(X, X[:1].copy())
    assert grid_calls["n"] > 0


def test_grid_estep_equals_kernel_for_any_centers():
    """One E step against the plain kernel, for centers inside, outside, on top of each
    other and exactly on rows."""
    rng = np.random.default_rng(9)
    X, _ = make_blobs(20_000, centers=6, random_state=9)
    mean = X.mean(axis=0)
    radius = float(np.sqrt(((X - mean) ** 2).sum(axis=1).max()))
    g = grid.GridFilter(X, None, mean, radius)
    for trial in range(20):
        k = int(rng.integers(1, 20))
        C = X[rng.choice(len(X), k, replace=False)].copy()
        if trial % 4 == 1:
            C += rng.normal(scale=30.0, size=C.shape)  # far outside
        if trial % 4 == 2 and k > 1:
            C[1] = C[0]  # two identical centers: the lower index wins
        labels = np.empty(len(X), dtype=np.intp)
        g.estep(labels, C, NearestKernel(C), first=True)
        np.testing.assert_array_equal(labels, NearestKernel(C).nearest(X)[0])


def test_grid_elongated_data_few_cells():
    """Very elongated data must not ask for a huge grid (one cell across the thin side)."""
    rng = np.random.default_rng(10)
    n = 30_000
    X = np.column_stack([rng.normal(size=n) * 1e6, rng.normal(size=n) * 1e-6])
    mean = X.mean(axis=0)
    radius = float(np.sqrt(((X - mean) ** 2).sum(axis=1).max()))
    g = grid.GridFilter(X, None, mean, radius)
    assert g.n_cells <= n
    C = X[:5].copy()
    labels = np.empty(n, dtype=np.intp)
    g.estep(labels, C, NearestKernel(C), first=True)
    np.testing.assert_array_equal(labels, NearestKernel(C).nearest(X)[0])
    _check_same_as_plain(X, C)
