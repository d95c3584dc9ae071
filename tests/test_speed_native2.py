"""Repeated-row folding (kmeanslab.cluster._repeated_rows._deduplicate): rows grouped
by a packed sort of hash bits and row index, and exact whatever the hash does: a
collision of the packed bits falls back to the full 64-bit keys, float32 rows hash by
their own bits, and a fit on folded rows is plain Lloyd's."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._repeated_rows as core
from kmeanslab import KMeans, lloyd_steps


def _colors(rng, n, d, levels=6, dtype=np.float64):
    return (rng.integers(0, levels, (n, d)) / (levels - 1)).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("d", [3, 12])
def test_fold_is_exact(rng, dtype, d):
    X = _colors(rng, 30_000, d, levels=5 if d == 3 else 2, dtype=dtype)
    w = rng.uniform(0.5, 2.0, len(X))
    Xu, wu, inverse, _ = core._deduplicate(X, w, 4)
    assert Xu.dtype == X.dtype and inverse.dtype == np.intp
    np.testing.assert_array_equal(Xu[inverse], X)
    assert len(np.unique(Xu, axis=0)) == len(Xu)  # unequal rows never merge
    np.testing.assert_allclose(wu, np.bincount(inverse, weights=w), rtol=1e-6)


def test_packed_bits_collision_falls_back_to_full_keys(rng, monkeypatch):
    """Keys that differ only in their low bits all share the packed sort's high bits:
    the check sees unequal rows grouped, and the full keys must group them right."""
    X = _colors(rng, 20_000, 3)
    levels = np.round(X * 5).astype(np.uint64)
    monkeypatch.setattr(core, "_row_keys", lambda X: (
        np.round(X * 5).astype(np.uint64) @ np.array([1, 6, 36], dtype=np.uint64)))
    assert (levels @ np.array([1, 6, 36], dtype=np.uint64)).max() < 2**14  # all low bits
    out = core._deduplicate(X, np.ones(len(X)), 4)
    assert out is not None
    Xu, wu, inverse, _ = out
    np.testing.assert_array_equal(Xu[inverse], X)
    assert len(Xu) == len(np.unique(X, axis=0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_on_folded_rows_is_plain_lloyd(rng, dtype):
    # repeats of 600 random points (a lattice of colors would have exact ties)
    X = (rng.normal(size=(600, 3)) * 3)[rng.integers(0, 600, 20_000)].astype(dtype)
    init = X[rng.choice(len(X), 10, replace=False)]
    assert core._deduplicate(X, np.ones(len(X)), 10) is not None
    km = KMeans(10, init=init, n_init=1).fit(X)
    last = list(lloyd_steps(X, init))[-1]
    np.testing.assert_array_equal(km.labels_, last["labels"])
    assert km.n_iter_ == last["n_iter"]
    assert km.inertia_ == pytest.approx(last["inertia"], rel=1e-9 if dtype == np.float64 else 1e-5)
