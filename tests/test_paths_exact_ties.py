"""Exact ties and the convergence rule, on every exact-Lloyd path: minimal cases that
the property test of the paths (``test_properties_paths.py``) found, kept as explicit
tests.

1. Wide data's Hamerly path labelled rows by the kernel's dot-product identity only: a
   row at exactly equal distances from two centers (two equal starting centers, or a
   lattice row halfway between two) went to whichever the BLAS block's rounding
   favoured, not to the lower index as plain Lloyd (``nearest_exact``). On 409 integer
   rows in 20 features with one repeated starting center, 111 labels differed after
   two iterations. Elkan's E steps and the small loop on wide data did the same with
   two equal centers (their BLAS products round two equal rows of the block apart).
2. ``lloyd_steps`` (plain Lloyd, the reference and the Points panel's Step) compared the
   next E step's labels with the labels after an empty cluster's relocation, where
   scikit-learn compares them with the E step's own: it stopped two iterations early.
3. The tiny fits' exact loop kept float64 means between iterations on float32 data
   (the other paths round them to float32): its inertia was 9e-9 relative off.
"""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._kmeans as kmeans_module
from _speed_helpers import assert_fit_is_plain_lloyd
from kmeanslab import KMeans, lloyd_steps

PATHS = ["small", "narrow", "elkan", "hamerly", "grid"]


def _lattice(seed, n, d, k, lattice=True):
    rng = np.random.default_rng(seed)
    means = rng.uniform(-8, 8, (k, d))
    X = means[rng.integers(0, k, n)] + rng.normal(size=(n, d)) * 2.5
    if lattice:
        X = np.round(X)
    rows = rng.choice(n, k, replace=False)
    rows[-1] = rows[0]  # a repeated starting center: every tie between the two
    return X, X[rows].copy()


@pytest.mark.parametrize("d", [2, 20])
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("max_iter", [1, 2, 300])
def test_equal_centers_and_lattice_ties_go_to_the_lower_index(monkeypatch, d, path, max_iter):
    if (path == "grid" and d > 3) or (path == "narrow" and d > 8):
        pytest.skip("choose_path never gives this path such data")
    monkeypatch.setattr(kmeans_module, "choose_path", lambda X, k: path)
    for seed in range(4):
        for lattice in (True, False):  # (off the lattice only the equal centers tie)
            X, init = _lattice(seed, 409, d, 11, lattice)
            assert_fit_is_plain_lloyd(X, init, max_iter=max_iter)


def test_lloyd_steps_convergence_after_a_relocation_is_scikit_learns():
    # weighted 1-d float32 data, a repeated starting center: a cluster empties at the
    # second M step, the relocated row is labelled anew at the third E step
    X = np.array([-264.04813, -258.78253, -247.01068, -247.31834, -259.5962, -259.0263,
                  -257.20648, -241.28963, -254.50475, -242.07152, -247.15067, -247.42984],
                 dtype=np.float32)[:, None]
    w = np.array([2, 3, 3, 3, 2, 3, 1, 2, 3, 3, 2, 2], dtype=np.float64)
    init = X[[1, 3, 6, 4, 11, 1]].copy()
    last = list(lloyd_steps(X, init, sample_weight=w))[-1]
    km = KMeans(6, init=init, n_init=1).fit(X, sample_weight=w)
    # (scikit-learn 1.x on this input: n_iter_ 4, these labels)
    assert last["n_iter"] == km.n_iter_ == 4
    np.testing.assert_array_equal(last["labels"], [1, 0, 4, 4, 0, 0, 3, 5, 2, 5, 4, 4])
    np.testing.assert_array_equal(km.labels_, last["labels"])
    sklearn = pytest.importorskip("sklearn.cluster")
    sk = sklearn.KMeans(6, init=init, n_init=1, algorithm="lloyd").fit(X, sample_weight=w)
    assert sk.n_iter_ == 4
    np.testing.assert_array_equal(sk.labels_, last["labels"])


def test_tiny_float32_fit_rounds_its_centers():
    X = np.array([0, -4, 1, 2, -4, -4, -7, -6, -5, -4, -3, -1], dtype=np.float32)[:, None]
    init = np.array([[-6], [-7]], dtype=np.float32)
    km = KMeans(2, init=init, n_init=1, max_iter=1, tol=0).fit(X)
    C = km.cluster_centers_.astype(np.float64)
    exact = float(((X.astype(np.float64) - C[km.labels_]) ** 2).sum())
    assert km.inertia_ == pytest.approx(exact, rel=1e-13)
    plain = list(lloyd_steps(X, init, max_iter=1, tol=0))[-1]
    assert km.inertia_ == pytest.approx(plain["inertia"], rel=1e-13)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("tol", [0.0, 1e-4])
def test_strict_convergence_right_after_a_relocation(monkeypatch, path, tol):
    """After a relocation the next E step gives back the previous E step's labels (the
    relocated copy ties with its old cluster, whose new mean is that same row):
    scikit-learn stops there, after an M step that relocates once more, and reports the
    E step's labels with those centers. The grid and Hamerly paths ran on (n_iter 3,
    inertia 0.08) and lloyd_steps stopped before that M step (centers [1, 1, 99.97],
    inertia 0.41)."""
    X = np.array([1.0, 1.0, 99.5, 100.0, 100.4])[:, None]
    init = np.array([[0.0], [0.0], [100.0]])
    last = list(lloyd_steps(X, init, tol=tol))[-1]
    assert last["n_iter"] == 2
    np.testing.assert_array_equal(last["labels"], [0, 0, 2, 2, 2])
    np.testing.assert_allclose(last["centers"].ravel(), [1.0, 99.5, 100.2])
    assert last["inertia"] == pytest.approx(0.57)
    monkeypatch.setattr(kmeans_module, "choose_path", lambda X, k: path)
    km = assert_fit_is_plain_lloyd(X, init, tol=tol)
    np.testing.assert_allclose(km.cluster_centers_.ravel(), [1.0, 99.5, 100.2])
    sklearn = pytest.importorskip("sklearn.cluster")
    sk = sklearn.KMeans(3, init=init, n_init=1, algorithm="lloyd", tol=tol).fit(X)
    assert sk.n_iter_ == 2 and sk.inertia_ == pytest.approx(0.57)
    np.testing.assert_allclose(sk.cluster_centers_.ravel(), [1.0, 99.5, 100.2])


def test_float32_relocation_ranks_candidates_alike_on_every_path(monkeypatch):
    """Float32 data: plain Lloyd, the grid and Hamerly ranked the relocation candidates by
    float32 squared distances, the other paths by float64 ones; two rows tied in float32
    (30.763607 both) but not in float64 went to different empty clusters."""
    rng = np.random.default_rng(0)
    while True:  # two float32 rows whose float32 squared norms tie, float64 ones do not
        a, b = rng.uniform(3, 5, (2, 2)).astype(np.float32)
        f32 = [np.float32(v[0] * v[0]) + np.float32(v[1] * v[1]) for v in (a, b)]
        f64 = [float(v[0]) ** 2 + float(v[1]) ** 2 for v in (a, b)]
        if f32[0] == f32[1] and f64[0] != f64[1]:
            break
    near = rng.uniform(-0.5, 0.5, (20, 2)).astype(np.float32)
    X = np.vstack([a, b, near, -near]).astype(np.float32)
    init = np.zeros((2, 2), dtype=np.float32)  # twin centers at 0: cluster 1 empty at once
    last = list(lloyd_steps(X, init, max_iter=1, tol=0))[-1]
    farther = X[int(np.argmax(f64))]
    np.testing.assert_array_equal(last["centers"][1], farther)  # (the float64 farthest)
    for path in PATHS:
        monkeypatch.setattr(kmeans_module, "choose_path", lambda X, k, p=path: p)
        km = KMeans(2, init=init, n_init=1, max_iter=1, tol=0).fit(X)
        np.testing.assert_array_equal(km.cluster_centers_, last["centers"], err_msg=path)
        np.testing.assert_array_equal(km.labels_, last["labels"], err_msg=path)
