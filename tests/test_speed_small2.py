"""Issue 12, small data, round 2: the hybrid loop's bounded E step refreshes both bounds
of every undecided row (no own-center tightening that leaves the lower bound loose), and
the small loops call NumPy's functions without their Python layers."""

from __future__ import annotations

import numpy as np
import pytest

from kmeanslab import KMeans, lloyd_steps
from kmeanslab.cluster import _small, _small_exact
from kmeanslab.cluster._small import _Small


def _blobs(seed, n, d, k, spread):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-10, 10, (k, d))
    return centers[rng.integers(0, k, n)] + rng.normal(0, spread, (n, d))


def _two_nearest(X, cs):
    D = np.sqrt(((X[:, None, :] - cs[None, :, :]) ** 2).sum(axis=2))
    D.sort(axis=1)
    return D[:, 0], D[:, 1]


@pytest.mark.parametrize(("d", "k"), [(2, 8), (3, 16)])
def test_bounded_estep_leaves_every_undecided_row_with_tight_bounds(d, k):
    """After a bounded E step each row it looked at has ``u`` its exact distance to its
    (new) nearest center and ``lo`` to the second nearest: a row settled by its own
    distance alone would keep a lower bound loosened by the centers' moves, and come back
    at the next iteration. Enough undecided rows that the former tightening ran."""
    n = 10_000
    X = _blobs(1, n, d, k, 2.5)
    sd = _Small(X, np.ones(n), k, unit_weights=True)
    assert not sd.exact
    rng = np.random.default_rng(2)
    cs = X[rng.choice(n, k, replace=False)] - sd.offset
    D = sd.sq_dists(cs)
    labels = D.argmin(axis=0)
    bounds = _small._bounds_from(sd, D, labels, sd.add_norms(D.min(axis=0)))
    moved = cs + rng.normal(0, 0.3, cs.shape)
    moves = np.sqrt(((moved - cs) ** 2).sum(axis=1))
    _small._drift(bounds, labels, moves, 1e-12)
    u, lo = bounds
    R = np.flatnonzero(u >= lo)
    assert R.size * k >= 1 << 12 and R.size < _small._FULL_PASS * n
    _small._bounded_estep(sd, moved, labels, bounds)
    first, second = _two_nearest(sd.XT.T[R], moved)
    np.testing.assert_allclose(u[R], first, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(lo[R], second, rtol=1e-9, atol=1e-9)
    ref = ((sd.XT.T[R, None, :] - moved[None]) ** 2).sum(axis=2).argmin(axis=1)
    np.testing.assert_array_equal(labels[R], ref)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bounded_fit_still_plain_lloyd(dtype):
    """A fit that spends most iterations in the bounded phase: plain Lloyd's result."""
    X = _blobs(3, 10_000, 2, 8, 2.5).astype(dtype)
    init = X[:8].astype(np.float64)
    model = KMeans(8, init=init, n_init=1).fit(X)
    last = list(lloyd_steps(X.astype(np.float64), init))[-1]
    assert model.n_iter_ == last["n_iter"] > 5
    np.testing.assert_array_equal(model.labels_, last["labels"])
    assert model.inertia_ == pytest.approx(last["inertia"], rel=1e-9 if dtype == np.float64
                                           else 1e-6)


def test_small_loops_skip_numpys_python_layers():
    """einsum, bincount, vdot and min as their C functions where NumPy has them (each
    Python layer costs microseconds per call in Pyodide), with the same results."""
    if hasattr(np.bincount, "_implementation"):
        assert _small_exact._bincount is np.bincount._implementation
        assert _small_exact._vdot is np.vdot._implementation
    assert _small_exact._einsum is not np.einsum or not hasattr(np, "_core")
    assert _small_exact._min == np.minimum.reduce
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 4, 50))
    np.testing.assert_array_equal(_small_exact._einsum("ijk,ijk->jk", a, a),
                                  np.einsum("ijk,ijk->jk", a, a))
    lab = rng.integers(0, 5, 50).astype(np.intp)  # (labels are intp: int32 in Pyodide)
    np.testing.assert_array_equal(_small_exact._bincount(lab, a[0, 0], 7),
                                  np.bincount(lab, a[0, 0], 7))
