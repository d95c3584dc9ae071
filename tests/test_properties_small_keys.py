"""Property-based tests (Hypothesis) of the small loop's keyed blocks
(kmeanslab.cluster._small_keys): the nearest center of every row is the argmin of the
exact float64 differences (ties to the lowest index) and the two distances bound the
exact ones, on narrow data at any offset and scale, on integer lattices (exact ties),
with near ties (rows a hair from a midpoint between two centers), float32 input and
sample weights; and whole fits on the keyed small loop give the argmin loop's result."""

from __future__ import annotations

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import kmeanslab.cluster._small as small  # noqa: E402
from kmeanslab.cluster._lloyd import _lloyd_bounded  # noqa: E402
from kmeanslab.cluster._small import _Small  # noqa: E402
from kmeanslab.cluster._small_keys import SmallKeys, use_keys  # noqa: E402


@st.composite
def _block_cases(draw):
    """Narrow rows at any offset and scale, on a lattice or not, with rows a hair from
    the midpoint of two centers (near ties) or on it (ties); centers from the rows."""
    d = draw(st.integers(1, 8))
    m = draw(st.integers(20, 400))
    k = draw(st.integers(2, 64))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = 10.0 ** draw(st.integers(-6, 6))
    offset = draw(st.sampled_from([0.0, 1.0, -3.5e3, 1e6, 1e9]))
    rng = np.random.default_rng(seed)
    lattice = draw(st.booleans())
    X = rng.normal(size=(m, d)) * 4.0
    if lattice:
        X = np.round(X)
    C = X[rng.integers(0, m, k)].copy()
    # rows on (lattice: exactly) or beside the midpoint of two centers
    ties = min(m // 2, draw(st.integers(0, 40)))
    i, j = rng.integers(0, k, ties), rng.integers(0, k, ties)
    mid = 0.5 * (C[i] + C[j])
    if not lattice:
        mid += rng.normal(size=mid.shape) * 1e-13 * draw(st.sampled_from([0.0, 1.0, 100.0]))
    X[:ties] = mid
    X = X * scale + offset
    C = C * scale + offset
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    weights = draw(st.booleans())
    return X.astype(dtype), C, weights, seed


@given(case=_block_cases())
def test_keyed_block_matches_exact_differences(case):
    X, C, weights, seed = case
    n, k = X.shape[0], C.shape[0]
    w = np.random.default_rng(seed).random(n) + 0.5 if weights else np.ones(n)
    sd = _Small(X, w, None, unit_weights=not weights)  # (no k: never the tiny exact loop)
    assert use_keys(sd, k)
    cs = C - sd.offset
    keys = SmallKeys(sd, k)
    rows = np.arange(0, n, 3, dtype=np.intp)
    for R in (None, rows):
        lab, d1, d2 = keys.nearest(cs, R)
        Xr = np.ascontiguousarray(sd.XT.T if R is None else sd.XT.T[R])
        D = np.einsum("ijk,ijk->ij", *(2 * [Xr[:, None] - cs[None]]))
        np.testing.assert_array_equal(lab, D.argmin(axis=1))
        S = np.sort(D, axis=1)
        assert np.all(d1 >= S[:, 0])
        assert np.all(d2 <= S[:, 1])


@st.composite
def _fit_cases(draw):
    d = draw(st.integers(1, 8))
    k = draw(st.integers(2, 24))
    seed = draw(st.integers(0, 2**32 - 1))
    offset = draw(st.sampled_from([0.0, -3.5e3, 1e6]))
    rng = np.random.default_rng(seed)
    n = (1 << 14) // k + draw(st.integers(0, 2000))  # (past the tiny exact fits)
    X = np.round(rng.normal(size=(n, d)) * draw(st.sampled_from([2.0, 20.0])))
    if not draw(st.booleans()):
        X = X + rng.normal(size=X.shape) * 0.3
    X += offset
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    weights = rng.random(n) + 0.5 if draw(st.booleans()) else None
    return X.astype(dtype), X[rng.choice(n, k, replace=False)].astype(np.float64), weights


def _run_small(X, w, init):
    run = _lloyd_bounded(X, w, init, 300, 1e-4 * float(X.var(axis=0).mean()), None,
                         path="small")
    try:
        while True:
            next(run)
    except StopIteration as stop:
        return stop.value


@given(case=_fit_cases())
@hypothesis.settings(max_examples=15, deadline=None)
def test_keyed_small_fit_is_the_unkeyed_one(case):
    """The keyed small loop's result is the argmin loop's (labels, iterations, inertia),
    on lattice data (exact ties) and not, at offsets, float32, weighted or not. (Plain
    Lloyd's result on data without exact ties: test_speed_mid2, test_speed_midd.)"""
    X, init, w = case
    w = np.ones(X.shape[0]) if w is None else w
    labels, inertia, centers, n_iter = _run_small(X, w, init)
    saved = small.use_keys
    small.use_keys = lambda sd, k: False
    try:
        labels0, inertia0, centers0, n_iter0 = _run_small(X, w, init)
    finally:
        small.use_keys = saved
    np.testing.assert_array_equal(labels, labels0)
    assert n_iter == n_iter0
    assert inertia == pytest.approx(inertia0, rel=1e-9, abs=1e-12)
    np.testing.assert_array_equal(centers, centers0)
