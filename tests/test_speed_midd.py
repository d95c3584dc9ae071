"""Mid-size narrow data (2**14 to 2**15 rows, 3 to 8 features, up to 32 clusters) takes
the small loop (kmeanslab.cluster._small) rather than the chunked keyed Hamerly path
natively, the narrow loop or Hamerly's in Pyodide: chosen by the path rule (not for
data that repeats rows, which the bounded paths fold first), and plain Lloyd's result
exactly (labels, n_iter, inertia), float32, weights, an empty cluster."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._lloyd as core
import kmeanslab.cluster._small as small
from _speed_helpers import NATIVE, assert_fit_is_plain_lloyd, blobs


@pytest.mark.parametrize(("n", "d", "k", "mid"), [
    (20_000, 3, 12, True), (20_000, 3, 32, True), (30_000, 8, 10, True),
    (16_384, 5, 2, True), (32_767, 4, 24, True),
    (32_768, 3, 12, False), (60_000, 8, 16, False),  # (from 2**15 rows: keyed Hamerly)
    (20_000, 3, 33, False), (20_000, 3, 64, False),  # (many clusters: keyed Hamerly)
    (20_000, 9, 12, False),  # (wider than SMALL_D)
    (16_383, 3, 32, False),  # (under 2**14 rows: the narrow loop, as before)
])
def test_path_rule(rng, n, d, k, mid):
    path = core.choose_path(rng.normal(size=(n, d)), k)
    if NATIVE or n >= 1 << 14:  # (Pyodide under 2**14 rows: its own small-loop rule)
        assert (path == "small") is mid


def test_repeated_rows_keep_the_bounded_paths(rng):
    """An image's colours: the bounded paths fold the repeated rows, the small loop
    would not."""
    X = rng.integers(0, 6, (20_000, 3)).astype(np.float64)
    assert core.choose_path(X, 12) != "small"
    assert core.choose_path(X + rng.normal(size=X.shape) * 1e-3, 12) == "small"


@pytest.mark.parametrize(("d", "k", "dtype", "weighted"), [
    (3, 12, np.float64, False), (3, 24, np.float32, True), (8, 10, np.float64, True),
    (5, 16, np.float32, False),
])
def test_same_result_as_plain_lloyd(rng, d, k, dtype, weighted):
    n = 17_000
    X = (blobs(rng, n, d, k) + 40.0).astype(dtype)
    w = rng.uniform(0.2, 2.0, n) if weighted else None
    init = X[rng.choice(n, k, replace=False)].astype(np.float64)
    if NATIVE:
        assert core.choose_path(X, k) == "small"
    assert_fit_is_plain_lloyd(X, init, w)


def test_ties_to_the_lowest_index_and_an_empty_cluster(monkeypatch, rng):
    """Integer data (exact ties between centers) and a center far from every point
    (an empty cluster, relocated as scikit-learn does), handed over to the bounds at
    once: plain Lloyd's result."""
    monkeypatch.setattr(small, "_HANDOVER_SHARE", 1.0)
    n, k = 17_000, 10
    X = rng.integers(-30, 30, (n, 3)).astype(np.float64)
    X[:, 2] += rng.normal(size=n) * 1e-3  # (few repeated rows: the small loop's data)
    init = X[:k].copy()
    init[1] = init[0]  # two equal centers: every tie goes to the lower index
    init[k - 1] = 1e4  # no point near it
    if NATIVE:
        assert core.choose_path(X, k) == "small"
    assert_fit_is_plain_lloyd(X, init)
