"""make_benchmark_like: fresh sets of the clustering benchmark's kinds, as described."""

from __future__ import annotations

import numpy as np
import pytest

from kmeanslab.datasets import make_benchmark_like
from kmeanslab.datasets._benchmark_like import _class_means


def _nn_over_spread(X, y):
    """Median over clusters of (distance to the nearest other center) / (spread)."""
    G = _class_means(X, y + 1)
    d = np.sqrt(((G[:, None] - G[None]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    spread = np.array([np.sqrt(((X[y == c] - G[c]) ** 2).sum(1).mean() / X.shape[1])
                       for c in range(len(G))])
    return float(np.median(d.min(axis=1) / spread))


@pytest.mark.parametrize("kind, n, k, d", [
    ("a1", 3000, 20, 2), ("a2", 5250, 35, 2), ("a3", 7500, 50, 2),
    ("s1", 5000, 15, 2), ("s4", 5000, 15, 2), ("unbalance", 6500, 8, 2),
    ("dim32", 1024, 16, 32), ("g2-16-40", 2048, 2, 16),
])
def test_sizes_and_labels(kind, n, k, d):
    X, y = make_benchmark_like(kind, random_state=0)
    assert X.shape == (n, d) and X.dtype == np.float64
    assert y.dtype == np.intp and np.array_equal(np.unique(y), np.arange(k))
    X2, y2 = make_benchmark_like(kind, random_state=0)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(X, make_benchmark_like(kind, random_state=1)[0])


def test_the_kinds_keep_their_descriptions():
    # A sets: 150 points per cluster; a2 holds a1's clusters and 15 more
    _, y = make_benchmark_like("a2", random_state=0)
    assert np.all(np.bincount(y) == 150)
    # S sets: overlap grows from s1 to s4
    ratios = [_nn_over_spread(*make_benchmark_like(f"s{i}", random_state=0))
              for i in (1, 2, 3, 4)]
    assert ratios == sorted(ratios, reverse=True) and ratios[0] > 2 * ratios[3]
    # Unbalance: three clusters of 2,000 points, five of 100, the small ones wider
    X, y = make_benchmark_like("unbalance", random_state=0)
    counts = np.bincount(y)
    assert sorted(counts) == [100] * 5 + [2000] * 3
    spread = np.array([X[y == c].std(axis=0).mean() for c in range(8)])
    assert spread[counts == 100].min() > 2 * spread[counts == 2000].max()
    # G2: centers at 500 and 600 in every feature
    X, y = make_benchmark_like("g2-4-20", random_state=0)
    G = _class_means(X, y + 1)
    np.testing.assert_allclose(G, [[500] * 4, [600] * 4], atol=3)
    # Birch1: a 10 x 10 grid, neighbours 4 sqrt(2) apart; Birch2: a sine curve
    X, y = make_benchmark_like("birch1", random_state=0)
    assert X.shape == (100_000, 2) and np.all(np.bincount(y) == 1000)
    G = _class_means(X, y + 1)
    assert len(np.unique(np.round(G[:, 0] / (4 * np.sqrt(2))))) == 10
    X, y = make_benchmark_like("birch2", random_state=0)
    G = _class_means(X, y + 1)
    np.testing.assert_allclose(G[:, 1], 25 * np.sin(G[:, 0] / 25), atol=0.5)


@pytest.mark.parametrize("kind", ["a4", "dim1", "dim2000", "g2-0-10", "g2-2-101", 3])
def test_unknown_kinds_are_named(kind):
    with pytest.raises(ValueError, match="kind="):
        make_benchmark_like(kind)
