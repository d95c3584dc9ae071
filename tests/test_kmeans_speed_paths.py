"""Internal fast paths of kmeanslab.cluster that must agree with the plain computation."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._k_means_common as core
import kmeanslab.cluster._repeated_rows as rows


@pytest.mark.parametrize("d", [1, 3, 8, 20])
@pytest.mark.parametrize("weights", ["unit", "float", "with zeros"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_moved", [1, 30, 500])
def test_sums_move_equals_full_recount(rng, d, weights, dtype, n_moved):
    """Incremental cluster sums (narrow data column by column; wide data a small product
    for few rows, the full-sum routine otherwise) equal sums computed from scratch after
    the move, whatever the dtype and weights."""
    n, k = 2000, 9
    X = (rng.normal(size=(n, d)) * 3 + 5).astype(dtype)
    w = {"unit": np.ones(n), "float": rng.uniform(0.2, 2.0, n),
         "with zeros": rng.uniform(0.2, 2.0, n) * (rng.random(n) < 0.7)}[weights]
    labels = rng.integers(0, k, n).astype(np.intp)
    offset = X.mean(axis=0, dtype=np.float64)
    sums = core._Sums(X, w, labels, k, offset)
    idx = rng.choice(n, n_moved, replace=False).astype(np.intp)
    old = labels[idx].copy()
    new = ((old + rng.integers(1, k, n_moved)) % k).astype(np.intp)
    sums.move(idx, old, new)
    labels[idx] = new
    ref = core._Sums(X, w, labels, k, offset)
    np.testing.assert_allclose(sums.S, ref.S, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(sums.W, ref.W, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(sums.Q, ref.Q, rtol=1e-10, atol=1e-8)
    np.testing.assert_array_equal(sums.counts, ref.counts)


@pytest.mark.parametrize("d", [2, 5, 12])
@pytest.mark.parametrize("weighted", [False, True])
def test_sums_move_that_empties_a_cluster_leaves_exact_zeros(rng, d, weighted):
    n, k = 600, 5
    X = rng.normal(size=(n, d)) * 1e3 + 7.3
    w = rng.uniform(0.1, 3.0, n) if weighted else np.ones(n)
    labels = rng.integers(0, k, n).astype(np.intp)
    sums = core._Sums(X, w, labels, k, X.mean(axis=0))
    idx = np.flatnonzero(labels == 2).astype(np.intp)  # every row of cluster 2 leaves
    sums.move(idx, labels[idx].copy(), np.full(idx.size, 4, dtype=np.intp))
    assert sums.counts[2] == 0
    assert sums.W[2] == 0.0 and sums.Q[2] == 0.0 and not sums.S[2].any()


@pytest.mark.parametrize("d", [3, 20])
def test_sums_move_on_integer_data_stay_exact(rng, d):
    """Integer rows, integer weights and a power-of-two offset: every partial sum is an
    integer below 2**53, so the incremental sums equal the fresh ones exactly."""
    n, k = 3000, 7
    X = rng.integers(-500, 500, size=(n, d)).astype(np.float64)
    w = rng.integers(1, 4, n).astype(np.float64)
    labels = rng.integers(0, k, n).astype(np.intp)
    offset = np.full(d, 64.0)
    sums = core._Sums(X, w, labels, k, offset)
    for _ in range(5):
        idx = np.unique(rng.integers(0, n, 400)).astype(np.intp)
        old = labels[idx].copy()
        new = rng.integers(0, k, idx.size).astype(np.intp)
        sums.move(idx, old, new)
        labels[idx] = new
    ref = core._Sums(X, w, labels, k, offset)
    np.testing.assert_array_equal(sums.S, ref.S)
    np.testing.assert_array_equal(sums.W, ref.W)
    np.testing.assert_array_equal(sums.Q, ref.Q)


@pytest.mark.parametrize("d", [1, 3, 64])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_column_stats(rng, d, dtype):
    X = (rng.normal(size=(5000, d)) * rng.uniform(0.1, 10, d) + 100).astype(dtype)
    stats = core._column_stats(X)
    mean, var, radius = stats.mean, stats.mean_variance, stats.radius
    X64 = X.astype(np.float64)
    np.testing.assert_allclose(mean, X64.mean(axis=0), rtol=1e-12)
    assert var == pytest.approx(float(np.mean(X64.var(axis=0))), rel=1e-9)
    true = float(np.sqrt(((X64 - X64.mean(axis=0)) ** 2).sum(axis=1).max()))
    assert true <= radius <= true * (1 + 1e-9)


@pytest.mark.parametrize("d", [3, 10])
def test_deduplicate_exact_and_rejects_hash_collisions(rng, monkeypatch, d):
    X = rng.integers(0, 4, (40_000, d)).astype(np.float64)
    if d > 3:
        X[:, 3:] = 0.0  # few distinct rows in wide data too
    w = rng.uniform(0.5, 2.0, len(X))
    Xu, wu, inverse, _ = rows._deduplicate(X, w, 5)
    np.testing.assert_array_equal(Xu[inverse], X)
    np.testing.assert_allclose(np.bincount(inverse, weights=w), wu)
    # a hash that sends different rows to the same key: the check must refuse
    monkeypatch.setattr(rows, "_row_keys", lambda X: (X[:, 0] > 1).astype(np.uint64))
    assert rows._deduplicate(X, w, 1) is None
