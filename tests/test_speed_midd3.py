"""Large mid-d shapes on the keyed Hamerly path (issue 12): each block's shift and error
bound from its own rows (kmeanslab.cluster._keyrows.NearestKeys), the per-row passes
over spans of several cache-sized sub-chunks, and the keyed steps' thread count chosen
by measurement (kmeanslab.utils._threads.ThreadChoice). The fit stays plain Lloyd's."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._hamerly as hamerly
import kmeanslab.cluster._keyrows as keyrows
import kmeanslab.cluster._kmeans as kmeans_module
from _speed_helpers import NATIVE, blobs, spy_map_chunks
from kmeanslab import KMeans, lloyd_steps
from kmeanslab.utils._threads import ThreadChoice


def _exact(X, C):
    D = np.einsum("ijk,ijk->ij", *(2 * [X[:, None].astype(np.float64) - C[None]]))
    return D.argmin(axis=1), np.sort(D, axis=1)


def test_a_far_outlier_costs_exact_rows_in_its_own_block_only(monkeypatch, rng):
    """The shift and the error bound come from each block's own rows: an outlier in the
    first block leaves the other blocks' rows to the keys (with the data's bounding box,
    every row of every block was a near-tie: all went to exact differences)."""
    X = blobs(rng, 40_000, 4, 12)
    X[3] = [1e7, 0.0, 0.0, 0.0]
    C = X[rng.choice(np.arange(10, len(X)), 12, replace=False)].copy()
    kern = keyrows.NearestKeys(C)
    exact_rows = []
    real = keyrows.exact_two

    def spy(Xr, Cr):
        exact_rows.append(len(Xr))
        return real(Xr, Cr)

    monkeypatch.setattr(keyrows, "exact_two", spy)
    c = kern.chunk
    out = [kern.nearest2(X.T, slice(s, min(s + c, len(X)))) for s in range(0, len(X), c)]
    lab, d1, d2 = (np.concatenate([o[i] for o in out]) for i in range(3))
    ref, S = _exact(X, C)
    np.testing.assert_array_equal(lab, ref)
    assert np.all(d1 >= S[:, 0]) and np.all(d2 <= S[:, 1])
    assert sum(exact_rows) <= c  # (the outlier's block at most)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_span_of_sub_chunks_is_exact(rng, dtype):
    """One call over more rows than a chunk (the block's passes sub-chunk by sub-chunk,
    the per-row passes over the whole span): the exact nearest center, ties to the
    lowest index, and bounds, as chunk by chunk."""
    X = (blobs(rng, 50_000, 3, 16) + 20.0).astype(dtype)
    C = X[rng.choice(len(X), 16, replace=False)].astype(np.float64)
    C[5] = C[2]  # exact ties: center 2 must win over its copy
    kern = keyrows.NearestKeys(C)
    assert kern.span > 2 * kern.chunk
    G = np.sort(rng.choice(len(X), kern.span - 17, replace=False))
    lab, d1, d2 = kern.nearest2(X.T, G)
    ref, S = _exact(X[G], C)
    np.testing.assert_array_equal(lab, ref)
    assert not np.any(lab == 5)
    assert np.all(d1 >= S[:, 0]) and np.all(d2 <= S[:, 1])
    np.testing.assert_allclose(d1, S[:, 0], rtol=1e-9, atol=1e-9)


def test_thread_choice_takes_the_faster_and_probes_the_other():
    tc = ThreadChoice(2, min_work=100, probe=3)
    assert tc.pick(50) == 1  # too little work: one thread, not timed
    tc.record(1, 5.0, 50)
    assert tc.pick(500) == 1  # each is timed once first
    tc.record(1, 1.0, 500)
    assert tc.pick(500) == 2
    tc.record(2, 0.6, 500)
    picks = []
    for _ in range(6):
        picks.append(tc.pick(500))
        tc.record(picks[-1], 0.6 if picks[-1] == 2 else 1.0, 500)
    assert picks.count(2) == 4 and picks.count(1) == 2  # every third pass probes
    tc.record(1, 0.2, 500)  # the machine got busier for two threads
    assert [tc.pick(500) for _ in range(3)].count(1) == 2
    assert ThreadChoice(1, min_work=1).pick(1e9) == 1
    assert ThreadChoice(2, min_work=1, forced=True).pick(10) == 2


@pytest.mark.skipif(not NATIVE, reason="no threads in Pyodide")
def test_measured_threads_give_one_threads_fit(monkeypatch, rng):
    """By default the keyed steps measure one and two threads (each thread the whole
    step on its own half of the rows) and take the faster: the same fit bit for bit,
    and plain Lloyd's."""
    monkeypatch.setattr(hamerly, "_KEY_ROWS", True)
    monkeypatch.setattr(hamerly, "WORKERS", 2)
    monkeypatch.setattr(kmeans_module, "choose_path", lambda X, k: "hamerly")
    used = spy_map_chunks(monkeypatch, keyrows)
    X = blobs(rng, 120_000, 3, 16).astype(np.float32)
    w = rng.uniform(0.5, 2.0, len(X))
    init = X[rng.choice(len(X), 16, replace=False)].astype(np.float64)
    fits = {}
    for forced in (1, None):
        monkeypatch.setattr(hamerly, "_KEYED_THREADS", forced)
        used.clear()
        fits[forced] = KMeans(16, init=init, n_init=1).fit(X, sample_weight=w)
        assert max(used) == (1 if forced else 2)  # (measured: both counts were timed)
    one, chosen = fits[1], fits[None]
    np.testing.assert_array_equal(one.labels_, chosen.labels_)
    np.testing.assert_array_equal(one.cluster_centers_, chosen.cluster_centers_)
    assert (one.n_iter_, one.inertia_) == (chosen.n_iter_, chosen.inertia_)
    last = list(lloyd_steps(X, init, sample_weight=w))[-1]
    np.testing.assert_array_equal(chosen.labels_, last["labels"])
    assert chosen.n_iter_ == last["n_iter"]
    assert abs(chosen.inertia_ - last["inertia"]) <= 1e-5 * last["inertia"]
