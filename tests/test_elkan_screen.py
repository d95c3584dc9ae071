"""The wide path's screen of the second E step (kmeanslab.cluster._elkan_bounds): it
settles most points of a converging fit without their distances, and never a point whose
label the full E step would change (float32 and float64, integer ties, weights)."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._elkan as elkan
import kmeanslab.cluster._elkan_bounds as eb
from kmeanslab import KMeans, kmeans_plusplus, lloyd_steps
from kmeanslab.cluster._k_means_common import _column_stats
from kmeanslab.cluster._lloyd import choose_path


def _plain(X, init, w=None):
    last = list(lloyd_steps(X, init, sample_weight=w))[-1]
    return last["labels"], last["inertia"], last["n_iter"]


def _blobs(rng, n, d, k, spread, dtype):
    centers = rng.uniform(-10, 10, (k, d))
    return (centers[rng.integers(0, k, n)] + rng.normal(0, spread, (n, d))).astype(dtype)


def _second_step(X, init, w=None):
    """The state after the first E step and M step, as lloyd_elkan leaves it before the
    second E step; returns (state, the first E step's labels)."""
    stats = _column_stats(X, keep_centered=True)
    st = elkan._State(X, np.ones(X.shape[0]) if w is None else w, stats)
    offset = st.offset
    st.set_centers(init.astype(np.float64) - offset)
    to_mean = stats.mean - offset
    rx = (stats.radius + float(np.sqrt(to_mean @ to_mean))) * (1.0 + 1e-12)
    labels = st.nearest(rx).astype(np.intp)
    st.full_sums(labels, init.shape[0])
    st.set_centers(st.S / st.W[:, None])
    return st, labels


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_screen_settles_a_converging_fit_with_one_full_product(monkeypatch, rng, dtype):
    """A fit converging in its second E step computes one full distance block (the
    first E step's), not two; the result is plain Lloyd's."""
    X = _blobs(rng, 3000, 64, 8, 2.5, dtype)
    assert choose_path(X, 8) == "elkan"
    init, _ = kmeans_plusplus(X, 8, random_state=0)
    full = []
    real = elkan._State._sq_block

    def spy(self, rows, norms=True):
        if rows is None:
            full.append(1)
        return real(self, rows, norms)

    monkeypatch.setattr(elkan._State, "_sq_block", spy)
    km = KMeans(8, init=init, n_init=1).fit(X)
    labels, inertia, n_iter = _plain(X, init)
    assert km.n_iter_ == n_iter == 2
    np.testing.assert_array_equal(km.labels_, labels)
    # (float32 data: the plain loop sums its inertia in float32)
    assert km.inertia_ == pytest.approx(inertia, rel=1e-9 if dtype == np.float64 else 1e-6)
    assert len(full) == 1


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["overlapping", "integer", "far"])
def test_screen_never_settles_a_point_that_changes(monkeypatch, dtype, kind):
    """Every point whose label the full second E step changes (or leaves tied) is among
    the screen's failures, whatever the overlap: many labels change in these fits (the
    screen is made to look at every row)."""
    monkeypatch.setattr(eb, "_SCREEN_MAX", 1.0)
    screened = 0
    for seed in range(6):
        r = np.random.default_rng(seed)
        if kind == "integer":  # lattice data: exact ties between integer centers
            X = r.integers(0, 5, (400, 12)).astype(dtype)
            init = X[r.choice(400, 6, replace=False)].copy()
        else:
            X = _blobs(r, 400, 12, 6, 6.0, dtype)
            if kind == "far":  # far from the origin: the shift does the work
                X = (X.astype(np.float64) + 1e4).astype(dtype)
            init = X[r.choice(400, 6, replace=False)].copy()
        st, labels = _second_step(X, init)
        R = eb.screen_second(st, labels)
        if R is None:  # (most of the first rows unsettled: every distance then)
            continue
        screened += 1
        new = st._sq_block(None, norms=False).argmin(axis=0)
        changed = np.flatnonzero(new != labels)
        assert np.isin(changed, R).all(), (seed, changed[~np.isin(changed, R)])
        assert R.size < X.shape[0]  # (the screen settles some points even here)
    assert screened == 6


def test_screened_fits_equal_plain_lloyd(rng):
    """Fits whose second E step changes labels (the screen falls back to every
    distance), weighted and float32 ones, equal plain Lloyd."""
    for seed in range(4):
        r = np.random.default_rng(seed)
        for dtype in (np.float64, np.float32):
            X = _blobs(r, 1500, 24, 10, 5.0, dtype)
            w = r.uniform(0.5, 2.0, 1500) if seed % 2 else None
            init, _ = kmeans_plusplus(X, 10, random_state=seed)
            km = KMeans(10, init=init, n_init=1).fit(X, sample_weight=w)
            labels, inertia, n_iter = _plain(X, init, w)
            np.testing.assert_array_equal(km.labels_, labels)
            assert km.n_iter_ == n_iter
            assert km.inertia_ == pytest.approx(inertia, rel=1e-9 if dtype == np.float64 else 1e-6)


def test_screen_stops_at_the_first_rows_when_most_points_move(digits):
    """The digits' first center moves unsettle 99% of the points: the screen gives up
    after its first rows (no pass over every point) and the fit stays plain Lloyd's."""
    X = np.asarray(digits[0], dtype=np.float64)
    init, _ = kmeans_plusplus(X, 10, random_state=0)
    st, labels = _second_step(X, init)
    assert eb.screen_second(st, labels) is None
    km = KMeans(10, init=init, n_init=1).fit(X)
    want, inertia, n_iter = _plain(X, init)
    np.testing.assert_array_equal(km.labels_, want)
    assert km.n_iter_ == n_iter
    assert km.inertia_ == pytest.approx(inertia, rel=1e-9)
