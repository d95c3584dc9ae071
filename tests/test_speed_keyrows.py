"""The chunked Hamerly path's keyed rows (kmeanslab.cluster._keyrows: the two nearest
centers of undecided rows from one product and integer keys): chosen natively for narrow
data from 2**14 rows, and plain Lloyd's result exactly (labels, n_iter, inertia), ties
to the lowest index, float32, weights, empty clusters, one thread or two."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._hamerly as hamerly
import kmeanslab.cluster._keyrows as keyrows
import kmeanslab.cluster._kmeans as kmeans_module
import kmeanslab.cluster._lloyd as core
from _speed_helpers import (
    NATIVE,
    assert_fit_is_plain_lloyd,
    blobs,
    count_keyed_rows,
    plain,
    spy_map_chunks,
)
from kmeanslab import KMeans


@pytest.fixture
def keyed_calls(monkeypatch):
    """The keyed Hamerly path on (in Pyodide too, where it is off by default), and the
    rows it computed."""
    monkeypatch.setattr(hamerly, "_KEY_ROWS", True)
    monkeypatch.setattr(kmeans_module, "choose_path", lambda X, k: "hamerly")
    return count_keyed_rows(monkeypatch)


@pytest.mark.parametrize(("n", "d", "k", "path"), [
    (20_000, 3, 12, "hamerly"), (20_000, 8, 8, "hamerly"), (16_384, 4, 16, "hamerly"),
    (16_000, 3, 16, "narrow"),  # (under 2**14 rows: the narrow loop)
])
def test_path_rule(monkeypatch, n, d, k, path):
    monkeypatch.setattr(core, "_HYBRID_MAX_ENTRIES", 0)
    expected = path if NATIVE else "narrow"
    assert core.choose_path(np.zeros((n, d)), k) == expected
    monkeypatch.setattr(hamerly, "_KEY_ROWS", False)
    assert core.choose_path(np.zeros((n, d)), k) == "narrow"


@pytest.mark.skipif(not NATIVE, reason="the keyed rows are native only")
def test_many_clusters_keep_the_runner_up_rows(keyed_calls, rng):
    """From 25 clusters a whole row per undecided point costs more than the runner-up
    bookkeeping saves (30,000 x 2, k=64: 225 against 105 ms): those fits do not key."""
    X = rng.normal(size=(30_000, 2)) * 10
    KMeans(64, init=X[:64].copy(), n_init=1, max_iter=5).fit(X)
    assert not keyed_calls
    KMeans(16, init=X[:16].copy(), n_init=1, max_iter=5).fit(X)
    assert keyed_calls


def _kernel_rows(X, C):
    kern = keyrows.NearestKeys(C)
    n = len(X)
    out = [kern.nearest2(X.T, slice(s, min(s + kern.chunk, n))) for s in range(0, n, kern.chunk)]
    return [np.concatenate([o[i] for o in out]) for i in range(3)]


@pytest.mark.parametrize("case", ["outlier", "integer ties"])
def test_nearest2_exact_where_the_identity_cannot_tell(rng, case):
    """The values' error is absolute, set by the whole data's extent: a far outlier
    makes it larger than ordinary rows' gaps, and a centers' mean that is not a whole
    number breaks integer data's exact ties. Such rows are decided by exact
    differences (labels as argmin, ties to the lowest index), and the two distances
    stay an upper and a lower bound."""
    if case == "outlier":
        X = rng.normal(size=(20_000, 4))
        X[0] = [1e7, 0.0, 0.0, 0.0]
        C = X[rng.choice(np.arange(1, len(X)), 12, replace=False)].copy()
        C[0] = X[0]
    else:
        X = rng.integers(-30, 30, size=(20_000, 3)).astype(np.float64)
        C = X[rng.choice(len(X), 9, replace=False)].copy()
    lab, d1, d2 = _kernel_rows(X, C)
    D = np.einsum("ijk,ijk->ij", *(2 * [X[:, None] - C[None]]))
    np.testing.assert_array_equal(lab, D.argmin(axis=1))
    S = np.sort(D, axis=1)
    assert np.all(d1 >= S[:, 0]) and np.all(d2 <= S[:, 1])


@pytest.mark.skipif(not NATIVE, reason="the keyed rows are native only")
def test_fit_with_a_far_outlier_is_scikit_learns(keyed_calls, rng):
    """(Before the exact near-ties, 9,640 of these labels were wrong.)"""
    sk_cluster = pytest.importorskip("sklearn.cluster")
    X = rng.normal(size=(20_000, 4))
    X[0] = [1e7, 0.0, 0.0, 0.0]
    C = X[rng.choice(np.arange(1, len(X)), 12, replace=False)].copy()
    C[0] = X[0]
    km = KMeans(12, init=C, n_init=1).fit(X)
    assert keyed_calls
    sk = sk_cluster.KMeans(12, init=C, n_init=1, algorithm="lloyd").fit(X)
    np.testing.assert_array_equal(km.labels_, sk.labels_)
    assert km.n_iter_ == sk.n_iter_
    assert km.inertia_ == pytest.approx(sk.inertia_, rel=1e-9)


@pytest.mark.parametrize("k", [1, 2, 3, 17, 64])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nearest2_is_exact_with_ties_to_the_lowest_index(rng, k, dtype):
    X = (blobs(rng, 3_000, 5, max(k, 2)) + 30.0).astype(dtype)
    C = X[rng.choice(len(X), k, replace=False)].astype(np.float64)
    if k > 2:
        C[2] = C[0]  # exact ties: center 0 must win over its copy
    kern = keyrows.NearestKeys(C)
    G = np.sort(rng.choice(len(X), min(kern.chunk, 1_000), replace=False))
    lab, d1, d2 = kern.nearest2(X.T, G)
    assert lab.dtype == np.intp
    D = np.einsum("ijk,ijk->ij", *(2 * [X[G].astype(np.float64)[:, None] - C[None]]))
    np.testing.assert_array_equal(lab, D.argmin(axis=1))
    S = np.sort(D, axis=1)
    scale = 1e-9 * (float(D.max()) + 1.0)
    np.testing.assert_allclose(d1, S[:, 0], atol=scale)
    if k > 1:
        np.testing.assert_allclose(d2, S[:, 1], atol=scale)
    else:
        assert np.all(np.isinf(d2))
    # a slice of rows gives what their indices give
    lab_s, d1_s, d2_s = kern.nearest2(X.T, slice(100, 300))
    lab_i, d1_i, d2_i = kern.nearest2(X.T, np.arange(100, 300))
    np.testing.assert_array_equal(lab_s, lab_i)
    np.testing.assert_array_equal(d1_s, d1_i)


@pytest.mark.parametrize("d", [3, 8])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_same_result_as_plain_lloyd(keyed_calls, rng, d, dtype, weighted):
    n, k = 8_000, 16
    X = (blobs(rng, n, d, k) + 40.0).astype(dtype)
    w = rng.uniform(0.2, 2.0, n) if weighted else None
    init = X[rng.choice(n, k, replace=False)].astype(np.float64)
    km = KMeans(k, init=init, n_init=1).fit(X, sample_weight=w)
    assert sum(keyed_calls) > n  # the first E step and the undecided rows after it
    if dtype == np.float64:
        labels, n_iter, inertia = plain(X, init, w)
    else:  # (float32: plain Lloyd's float32 identity mislabels a few near-ties; the
        # keyed rows are float64, as are scikit-learn's distances' decisions here)
        sk_cluster = pytest.importorskip("sklearn.cluster")
        sk = sk_cluster.KMeans(k, init=init.astype(dtype), n_init=1, algorithm="lloyd")
        sk.fit(X, sample_weight=w)
        labels, n_iter, inertia = sk.labels_, sk.n_iter_, sk.inertia_
    np.testing.assert_array_equal(km.labels_, labels)
    assert km.n_iter_ == n_iter
    assert km.inertia_ == pytest.approx(inertia, rel=1e-9 if dtype == np.float64 else 1e-5)


def test_same_result_as_scikit_learn(keyed_calls, rng):
    sk_cluster = pytest.importorskip("sklearn.cluster")
    X = blobs(rng, 12_000, 5, 24)
    init = X[rng.choice(len(X), 24, replace=False)].copy()
    km = KMeans(24, init=init, n_init=1).fit(X)
    sk = sk_cluster.KMeans(24, init=init, n_init=1, algorithm="lloyd").fit(X)
    assert keyed_calls
    np.testing.assert_array_equal(km.labels_, sk.labels_)
    assert km.n_iter_ == sk.n_iter_
    assert km.inertia_ == pytest.approx(sk.inertia_, rel=1e-9)


@pytest.mark.parametrize("kw", [{"tol": 0.0}, {"max_iter": 3}, {"max_iter": 1}])
def test_tol_and_max_iter_as_plain_lloyd(keyed_calls, rng, kw):
    X = blobs(rng, 8_000, 4, 12)
    init = X[:12].copy()
    assert_fit_is_plain_lloyd(X, init, **kw)
    assert keyed_calls


def test_empty_cluster_relocated_like_plain_lloyd(keyed_calls, rng):
    X = blobs(rng, 8_000, 3, 10, 1.0)
    init = np.vstack([X[:10], X[:1] + 1e3])  # the far center loses every point
    assert_fit_is_plain_lloyd(X, init)
    assert keyed_calls


def test_exact_ties_go_to_the_lowest_center(keyed_calls):
    """Integer data, many points exactly halfway between integer centers (a repeated
    center too): the ties go to the lower index, as in plain Lloyd."""
    rng = np.random.default_rng(6)
    X = rng.integers(0, 40, (20_000, 3)).astype(np.float64)
    X[:, 2] *= 0.0
    # (the centers' mean, the kernels' shift, is whole: the identity stays exact)
    init = np.array([[10, 10, 0], [30, 10, 0], [10, 30, 0], [30, 30, 0], [24, 24, 0],
                     [10, 10, 0]], dtype=np.float64)
    for max_iter in (1, 300):
        assert_fit_is_plain_lloyd(X, init, max_iter=max_iter)
    assert keyed_calls


@pytest.mark.skipif(not NATIVE, reason="no threads in Pyodide")
def test_two_threads_give_one_threads_fit(keyed_calls, monkeypatch, rng):
    """The undecided rows' chunks over two threads: the same fit bit for bit (the label
    changes reach the cluster sums in row order whatever the threads' timing)."""
    used = spy_map_chunks(monkeypatch, keyrows)
    X = blobs(rng, 60_000, 3, 16).astype(np.float32)
    w = rng.uniform(0.5, 2.0, len(X))
    init = X[rng.choice(len(X), 16, replace=False)].astype(np.float64)
    fits = {}
    for workers in (1, 2):
        monkeypatch.setattr(hamerly, "_KEYED_THREADS", workers)
        used.clear()
        fits[workers] = KMeans(16, init=init, n_init=1).fit(X, sample_weight=w)
        assert max(used) == workers
    one, two = fits[1], fits[2]
    np.testing.assert_array_equal(one.labels_, two.labels_)
    np.testing.assert_array_equal(one.cluster_centers_, two.cluster_centers_)
    assert (one.n_iter_, one.inertia_) == (two.n_iter_, two.inertia_)



@pytest.mark.parametrize("k", [1, 2, 7, 24])
@pytest.mark.parametrize("layout", ["contiguous", "strided"])
def test_keyed_two_gives_the_two_smallest_of_every_column(rng, k, layout):
    """The nearest row (ties to the lowest) and the two smallest values of each column,
    whether the block is contiguous (the runner-up's knock-out by one flat index) or a
    strided view of a wider buffer (two indices)."""
    m = 3001
    vals = rng.integers(1, 50, size=(k, m)).astype(np.float64) * 0.25  # (exact ties too)
    if layout == "contiguous":
        D = vals.copy()
    else:
        D = np.empty((k, m + 57))[:, :m]
        D[:] = vals
    assert D.flags.c_contiguous == (layout == "contiguous") or k == 1
    bits, low, high = keyrows.key_bits(k)
    J = np.arange(k, dtype=np.int64)[:, None]
    lab, v1, v2 = keyrows.keyed_two(D, J, low, high, np.arange(m, dtype=np.intp))
    np.testing.assert_array_equal(lab, vals.argmin(axis=0))
    # (values to within their cleared index bits: k <= 64 clears at most 6 of 52)
    np.testing.assert_allclose(v1, vals.min(axis=0), rtol=2.0 ** (bits - 52))
    second = np.sort(vals, axis=0)[1] if k > 1 else np.full(m, np.inf)
    np.testing.assert_allclose(v2, second, rtol=2.0 ** (bits - 52))
