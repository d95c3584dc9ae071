"""Internal fast paths of kmeanslab.cluster that must agree with the plain computation."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._k_means_common as core
import kmeanslab.cluster._repeated_rows as rows


@pytest.mark.parametrize("d", [3, 20])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_moved", [1, 30, 500])
def test_sums_move_equals_full_recount(rng, d, weighted, n_moved):
    """Incremental cluster sums (small product for few rows of wide data, sort and
    reduceat otherwise) equal sums computed from scratch after the move."""
    n, k = 2000, 9
    X = rng.normal(size=(n, d)) * 3 + 5
    w = rng.uniform(0.2, 2.0, n) if weighted else np.ones(n)
    labels = rng.integers(0, k, n).astype(np.intp)
    offset = X.mean(axis=0)
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
