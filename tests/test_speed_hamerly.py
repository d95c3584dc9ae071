"""The large-data (Hamerly) path's speed pieces leave plain Lloyd's result unchanged:
row chunks shared among Python threads, the matrix-product distance layout natively,
one BLAS thread, and cluster sums as one-hot products."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import kmeanslab.cluster._hamerly as hamerly
import kmeanslab.cluster._k_means_common as common
import kmeanslab.cluster._kmeans as kmeans_module
import kmeanslab.utils._distances as dist
from _speed_helpers import spy_map_chunks
from kmeanslab.cluster import KMeans
from kmeanslab.utils._threads import map_chunks, one_blas_thread

NATIVE = sys.platform != "emscripten"


def _blobs(rng, n, d, k, dtype=np.float64):
    centers = rng.uniform(-10, 10, (k, d))
    X = centers[rng.integers(0, k, n)] + rng.normal(0, 2.5, (n, d))  # overlapping
    return X.astype(dtype)


def _exact_labels(X, C):
    diff = X.astype(np.float64)[:, None, :] - C.astype(np.float64)[None, :, :]
    return np.einsum("ijk,ijk->ij", diff, diff).argmin(axis=1)


@pytest.mark.skipif(not NATIVE, reason="no threads in Pyodide")
@pytest.mark.parametrize("d, k, dtype, weighted", [
    (2, 20, np.float64, False), (3, 24, np.float32, True), (8, 40, np.float64, True),
    (40, 12, np.float64, False),
])
def test_threaded_hamerly_is_plain_lloyd(monkeypatch, rng, d, k, dtype, weighted):
    """Two threads over the full E step's chunks give one thread's fit exactly, and
    scikit-learn's Lloyd (labels, n_iter, inertia)."""
    sk_cluster = pytest.importorskip("sklearn.cluster")
    n = 30_000
    X = _blobs(rng, n, d, k, dtype)
    w = rng.uniform(0.5, 2.0, n) if weighted else None
    init = X[rng.choice(n, k, replace=False)].astype(np.float64)
    # the Hamerly path whatever the rule picks for this shape (the grid and narrow loops
    # take some of them natively)
    monkeypatch.setattr(kmeans_module, "choose_path", lambda X, k: "hamerly")
    used = spy_map_chunks(monkeypatch, hamerly)
    fits = {}
    for workers in (1, 2):
        monkeypatch.setattr(hamerly, "WORKERS", workers)
        monkeypatch.setattr(hamerly, "_KEYED_THREADS", workers)  # (by default measured per fit)
        used.clear()
        fits[workers] = KMeans(k, init=init, n_init=1).fit(X, sample_weight=w)
        assert max(used) == workers  # the first full E step did use that many threads
    one, two = fits[1], fits[2]
    np.testing.assert_array_equal(one.labels_, two.labels_)
    np.testing.assert_array_equal(one.cluster_centers_, two.cluster_centers_)
    assert (one.n_iter_, one.inertia_) == (two.n_iter_, two.inertia_)
    sk = sk_cluster.KMeans(k, init=init.astype(dtype), n_init=1, algorithm="lloyd")
    sk.fit(X, sample_weight=w)
    assert two.n_iter_ == sk.n_iter_
    rtol = 1e-9 if dtype == np.float64 else 1e-5
    assert two.inertia_ == pytest.approx(sk.inertia_, rel=rtol)
    np.testing.assert_array_equal(two.labels_, _exact_labels(X, two.cluster_centers_))


@pytest.mark.parametrize("d", [1, 2, 3, 8])
@pytest.mark.parametrize("k", [1, 2, 3, 17])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_layouts_agree(monkeypatch, rng, d, k, dtype):
    """Outer products (Pyodide) and one matrix product (natively) give the same nearest
    centers, ties to the lowest index (a repeated center), and the same distances."""
    X = _blobs(rng, 5000, d, max(k, 2), dtype)
    C = X[rng.choice(len(X), k, replace=False)].copy()
    if k > 2:
        C[2] = C[0]  # exact ties: center 0 must win over its copy
    out = {}
    for outer in (True, False):
        monkeypatch.setattr(dist, "OUTER_PRODUCTS", outer)
        kern = dist.NearestKernel(C, chunk=700)  # several chunks, one short
        assert kern.small is (outer and d <= dist.SMALL_D)
        sq = np.empty((len(X), k), dtype=dtype)
        for s in range(0, len(X), 700):
            kern.sq_dists_block(X[s : s + 700], sq[s : s + 700])
        out[outer] = (*kern.nearest3(X), sq)
    (l1, l2, *ds, sq), (m1, m2, *es, sq2) = out[True], out[False]
    np.testing.assert_array_equal(l1, m1)
    np.testing.assert_array_equal(l1, _exact_labels(X, C))
    assert not np.any(l1 == 2)
    tol = 1e-9 if dtype == np.float64 else 2e-3
    scale = float(np.max(sq)) + 1.0
    if k > 1:  # the runner-up too, except where the third is as close (rounding)
        clear = ~(es[2] - es[1] <= tol * scale)
        np.testing.assert_array_equal(l2[clear], m2[clear])
    for a, b in zip([*ds, sq], [*es, sq2], strict=True):
        np.testing.assert_allclose(np.where(np.isinf(a), 0, a), np.where(np.isinf(b), 0, b),
                                   atol=tol * scale)
    if k > 1:
        np.testing.assert_array_equal(np.isinf(ds[1]), np.isinf(es[1]))


def test_native_kernel_uses_the_product_layout():
    kern = dist.NearestKernel(np.zeros((5, 2)))
    assert kern.small is (not NATIVE)  # Pyodide keeps the outer products (no BLAS)


def test_worker_kernel_follows_centers(rng):
    X = _blobs(rng, 3000, 3, 6)
    kern = dist.NearestKernel(X[:6].copy())
    w = kern.worker()
    assert w._D is not kern._D and w._X is not kern._X  # its own buffers
    C2 = X[100:106].copy()
    kern.set_centers(C2)
    w.sync(kern)
    np.testing.assert_array_equal(w.nearest(X)[0], _exact_labels(X, C2))
    np.testing.assert_array_equal(kern.nearest(X)[0], _exact_labels(X, C2))


@pytest.mark.skipif(not NATIVE, reason="no threads in Pyodide")
def test_map_chunks_does_every_chunk_once():
    seen = []
    lock = threading.Lock()

    def job(state, s):
        with lock:
            seen.append((state, s))
        return s

    total = map_chunks(job, ["a", "b"], range(0, 1000, 7))
    assert total == sum(range(0, 1000, 7))
    assert sorted(s for _, s in seen) == list(range(0, 1000, 7))

    def boom(state, s):
        raise ValueError(f"chunk {s}")

    with pytest.raises(ValueError, match="chunk"):
        map_chunks(boom, ["a", "b"], range(4))


@pytest.mark.skipif(not NATIVE, reason="no BLAS in Pyodide")
def test_one_blas_thread_sets_and_restores():
    """NumPy's BLAS (the libraries loaded when kmeanslab first asks) runs one thread
    inside the context, and its own count again after."""
    pytest.importorskip("threadpoolctl")
    from kmeanslab.utils._threads import _blas_libs

    libs = _blas_libs()
    if not libs:
        pytest.skip("no BLAS library found by threadpoolctl")
    before = [lib.get_num_threads() for lib in libs]
    if max(before) == 1:
        pytest.skip("BLAS already runs one thread here")
    with one_blas_thread():
        assert [lib.get_num_threads() for lib in libs] == [1] * len(libs)
    assert [lib.get_num_threads() for lib in libs] == before


@pytest.mark.parametrize("d, k", [(40, 10), (12, 20), (12, 50)])
def test_one_hot_sums_equal_sorted_sums(monkeypatch, rng, d, k):
    """Cluster sums as one-hot products (natively) equal the sort-and-reduceat sums,
    with weights of both signs (an incremental move) and clusters left empty."""
    m = 3000
    X = rng.normal(size=(m, d)) * 3 + 5
    labels = rng.integers(0, k - 2, m).astype(np.intp)  # the last two clusters empty
    ws = rng.uniform(-2.0, 2.0, m)
    offset = X.mean(axis=0)
    monkeypatch.setattr(common, "_ONE_HOT_ROWS", 1000)  # several one-hot blocks, one short
    res = {}
    for native in (True, False):
        monkeypatch.setattr(common, "NATIVE", native)
        res[native] = [common._label_sums(X, w, labels, k, offset) for w in (None, ws)]
    for a, b in zip(res[True], res[False], strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-11, atol=1e-9)
    assert np.all(res[True][0][0][-2:] == 0.0)


@pytest.mark.skipif(not NATIVE, reason="no threads in Pyodide")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nearest_exact_threaded_equals_serial(monkeypatch, rng, dtype):
    X = _blobs(rng, 120_000, 3, 5, dtype)
    C = X[:5].astype(np.float64)
    C[3] = C[1]  # exact ties: the lower index
    out = {}
    for workers in (1, 2):
        monkeypatch.setattr(dist, "WORKERS", workers)
        out[workers] = dist.nearest_exact(X, C)
    np.testing.assert_array_equal(out[1][0], out[2][0])
    np.testing.assert_array_equal(out[1][1], out[2][1])
    np.testing.assert_array_equal(out[2][0], _exact_labels(X, C))
