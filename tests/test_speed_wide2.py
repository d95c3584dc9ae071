"""The wide-data path's fixed costs (round 2): the native distance product in chunks that
OpenBLAS's small-matrix kernels take, and the column statistics of data kept centered in
three passes. Both must keep plain Lloyd's result and the statistics' guarantees.
"""

from __future__ import annotations

import types

import numpy as np
import pytest

import kmeanslab.cluster._bound_loop as bound_loop
import kmeanslab.cluster._elkan as elkan
import kmeanslab.cluster._k_means_common as kmc
from kmeanslab import KMeans, kmeans_plusplus, lloyd_steps
from kmeanslab.cluster._lloyd import choose_path


def _plain(X, init, w=None):
    last = list(lloyd_steps(X, init, sample_weight=w))[-1]
    return last["labels"], last["inertia"], last["n_iter"]


def _numpy_spy(monkeypatch, module, name):
    """Replace ``module.np`` by NumPy with ``name`` recording its calls' arguments."""
    calls = []
    real = getattr(np, name)

    def recording(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    proxy = types.SimpleNamespace(**{a: getattr(np, a) for a in dir(np) if not a.startswith("__")})
    setattr(proxy, name, recording)
    monkeypatch.setattr(module, "np", proxy)
    return calls


@pytest.mark.skipif(not elkan._HAS_BLAS, reason="the BLAS product is the native one")
@pytest.mark.parametrize("chunk", [None, 64 * 10 * 97])
def test_digits_products_come_in_small_kernel_chunks(monkeypatch, digits, chunk):
    """The digits' full (1797, 64) x (64, 10) blocks are made by several products of at
    most ``_GEMM_CHUNK`` multiply-adds against a contiguous (64 or 67, 10) factor (2x faster
    natively); ragged chunks (97 rows) too give the plain loop's result."""
    X = digits[0]
    init = kmeans_plusplus(X, 10, random_state=0)[0]
    assert choose_path(X, 10) == "elkan"
    if chunk is not None:
        monkeypatch.setattr(bound_loop, "_GEMM_CHUNK", chunk)
    calls = _numpy_spy(monkeypatch, bound_loop, "matmul")
    km = KMeans(10, init=init, n_init=1).fit(X)
    chunked = [args for args, kwargs in calls if "out" in kwargs]
    assert chunked, "no chunked product"
    for a, b in chunked:
        assert a.shape[0] * a.shape[1] * b.shape[1] <= bound_loop._GEMM_CHUNK
        # ((67, 10): the augmented factor [-2 c | 1 | ||c||^2 | 0] of unit-weight float64)
        assert b.shape in ((64, 10), (67, 10)) and b.flags.c_contiguous
    labels, inertia, n_iter = _plain(X, init)
    assert km.n_iter_ == n_iter > 10
    np.testing.assert_array_equal(km.labels_, labels)
    assert km.inertia_ == pytest.approx(inertia, rel=1e-9)


def _cases():
    rng = np.random.default_rng(5)
    blobs = rng.normal(0, 2.5, (3000, 64)) + rng.uniform(-10, 10, (8, 64))[rng.integers(0, 8, 3000)]
    far = 1e6 + rng.normal(0, 1e-2, (500, 24))  # mean far from zero: cancellation
    ints = rng.integers(0, 17, (1797, 64)).astype(np.float64)  # digits-like
    const = np.full((300, 16), 3.25)
    sorted_rows = np.sort(blobs, axis=0)  # a strided sample of sorted data
    return {"blobs": blobs, "blobs32": blobs.astype(np.float32), "far": far, "ints": ints,
            "const": const, "sorted": sorted_rows}


@pytest.mark.parametrize("case", sorted(_cases()))
def test_centered_column_stats_keep_their_guarantees(monkeypatch, case):
    """Stats of wide data kept centered agree with the chunked ones: the same mean and
    mean per-feature variance (the tolerance: to 1e-9), a radius that bounds every row's
    distance to the mean, rows shifted exactly by an offset that keeps integer data
    integer; and the raw data is read only by the shift and a 64-row sample (the
    chunked way reads it twice more)."""
    X = _cases()[case]
    ref = kmc._column_stats(X)
    calls = _numpy_spy(monkeypatch, kmc, "einsum")
    got = kmc._column_stats(X, keep_centered=True)
    for args, _ in calls:
        for a in args[1:]:
            if np.shares_memory(a, X):
                assert a.shape[0] <= 2 * 64, "a pass over the raw data"
    scale = np.abs(ref.mean).max() + np.sqrt(ref.mean_variance) + 1e-300
    np.testing.assert_allclose(got.mean, ref.mean, rtol=0, atol=1e-12 * scale)
    tiny = 1e-300 + 1e-20 * scale**2
    assert got.mean_variance == pytest.approx(ref.mean_variance, rel=1e-9, abs=tiny)
    X64 = X.astype(np.float64)
    dist = np.sqrt(((X64 - X64.mean(axis=0)) ** 2).sum(axis=1)).max()
    assert dist <= got.radius <= 3 * dist + 1e-9 * scale
    diff, rowsq, offset = got.centered
    np.testing.assert_array_equal(diff, X64 - offset)
    np.testing.assert_allclose(rowsq, np.einsum("ij,ij->i", diff, diff), rtol=1e-15)
    if case == "ints":
        np.testing.assert_array_equal(offset, np.round(offset))
    if case == "const":
        assert not diff.any() and got.mean_variance == 0.0
