"""The wide-data path (kmeanslab.cluster._elkan): its speed work keeps plain Lloyd's result.

Its first E step ranks the centers without bounds and without the points' norms, and the
second sets Elkan's bounds only if some label changed; these tests check that a fit that
stops there never sets them up, and that every way out of that start (relocation of an
empty cluster before any bound exists, weights, float32, a long fit) gives the plain
loop's labels, iterations and inertia.
"""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._elkan as elkan
from kmeanslab import KMeans, kmeans_plusplus, lloyd_steps
from kmeanslab.cluster._lloyd import choose_path


def _blobs(n, d, k, seed=0):
    """Overlapping blobs as the grid benchmark makes them (spread 2.5 in a (-10, 10) box)."""
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-10, 10, (k, d))
    return centers[rng.integers(0, k, n)] + rng.normal(0, 2.5, (n, d))


def _plain(X, init, w=None):
    """The plain loop's final record: labels, inertia, n_iter."""
    last = list(lloyd_steps(X, init, sample_weight=w))[-1]
    return last["labels"], last["inertia"], last["n_iter"]


def _spy_states(monkeypatch):
    states = []
    real = elkan._State.__init__

    def spying(self, *args, **kwargs):
        real(self, *args, **kwargs)
        states.append(self)

    monkeypatch.setattr(elkan._State, "__init__", spying)
    return states


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_a_fit_ending_at_the_second_e_step_sets_no_bounds(monkeypatch, dtype, weighted):
    """3,000 x 64 blobs, k=8, converge in two iterations: no Elkan matrix, no upper
    bounds and (float32) no float32 row norms are ever computed; the result is the plain
    loop's."""
    X = _blobs(3000, 64, 8).astype(dtype)
    init = kmeans_plusplus(X.astype(np.float64), 8, random_state=0)[0].astype(dtype)
    w = np.random.default_rng(1).uniform(0.5, 2.0, 3000) if weighted else None
    assert choose_path(X, 8) == "elkan"
    states = _spy_states(monkeypatch)
    km = KMeans(8, init=init, n_init=1).fit(X, sample_weight=w)
    assert km.n_iter_ == 2
    (st,) = states
    assert st.L is None and st.u is None
    if dtype == np.float32:
        assert st._xsq is None
    labels, inertia, n_iter = _plain(X, init, w)
    np.testing.assert_array_equal(km.labels_, labels)
    assert km.n_iter_ == n_iter
    assert km.inertia_ == pytest.approx(inertia, rel=1e-9 if dtype == np.float64 else 1e-5)


def test_relocation_before_any_bound_matches_the_plain_loop(monkeypatch):
    """A center far from every point is empty after the first E step, so it is relocated
    before any bound exists (the bounds must not be reset then); the run then goes on with
    bounds set at the second E step."""
    X = _blobs(1500, 24, 6, seed=3)
    init = X[[0, 1, 2, 3, 4, 5]].copy()
    init[5] = 1e3
    assert choose_path(X, 6) == "elkan"
    states = _spy_states(monkeypatch)
    km = KMeans(6, init=init, n_init=1).fit(X)
    (st,) = states
    assert st.L is not None  # labels changed at the second E step: bounds set there
    labels, inertia, n_iter = _plain(X, init)
    assert km.n_iter_ == n_iter > 2
    np.testing.assert_array_equal(km.labels_, labels)
    assert km.inertia_ == pytest.approx(inertia, rel=1e-9)


def test_digits_long_fit_matches_the_plain_loop(digits):
    """The benchmark's digits workload (22 iterations): bounds set lazily at the second E
    step, centers ranked without norms, sums moved by products: the plain loop's result."""
    X = digits[0]
    init = kmeans_plusplus(X, 10, random_state=0)[0]
    assert choose_path(X, 10) == "elkan"
    km = KMeans(10, init=init, n_init=1).fit(X)
    labels, inertia, n_iter = _plain(X, init)
    assert km.n_iter_ == n_iter > 10
    np.testing.assert_array_equal(km.labels_, labels)
    assert km.inertia_ == pytest.approx(inertia, rel=1e-9)
