"""The keyed Hamerly path's threads (kmeanslab.cluster._hamerly._KEYED_THREADS): set to
one, its E steps run on one thread (by default the count is measured per fit:
tests/test_speed_midd3.py); the fit stays plain Lloyd's either way
(tests/test_speed_keyrows.py runs it on two threads)."""

from __future__ import annotations

import numpy as np

import kmeanslab.cluster._hamerly as hamerly
import kmeanslab.cluster._keyrows as keyrows
import kmeanslab.cluster._kmeans as kmeans_module
from _speed_helpers import count_keyed_rows, spy_map_chunks
from kmeanslab import KMeans, lloyd_steps


def test_keyed_steps_take_one_thread(monkeypatch, rng):
    monkeypatch.setattr(hamerly, "_KEY_ROWS", True)  # (in Pyodide too, where it is off)
    monkeypatch.setattr(hamerly, "WORKERS", 2)
    monkeypatch.setattr(hamerly, "_KEYED_THREADS", 1)
    monkeypatch.setattr(kmeans_module, "choose_path", lambda X, k: "hamerly")
    used = spy_map_chunks(monkeypatch, keyrows, hamerly)
    means = rng.uniform(-10, 10, (12, 3))
    X = means[rng.integers(0, 12, 70_000)] + rng.normal(size=(70_000, 3)) * 2.5
    init = X[rng.choice(len(X), 12, replace=False)]
    km = KMeans(12, init=init, n_init=1).fit(X)
    assert used and max(used) == 1  # the first E step and every keyed step: one thread
    last = list(lloyd_steps(X, init))[-1]
    np.testing.assert_array_equal(km.labels_, last["labels"])
    assert km.n_iter_ == last["n_iter"]
    assert abs(km.inertia_ - last["inertia"]) <= 1e-9 * last["inertia"]


def test_page_takes_keyed_rows_and_keeps_its_paths(monkeypatch, rng):
    """In Pyodide too the chunked Hamerly path gives narrow data's undecided rows to
    NearestKeys (plain Lloyd's fit still), while choose_path keeps Pyodide's choices."""
    import kmeanslab.cluster._lloyd as core

    monkeypatch.setattr(hamerly, "NATIVE", False)  # (as in Pyodide)
    monkeypatch.setattr(core, "_MID_MAX_ROWS", 0)
    monkeypatch.setattr(core, "_HYBRID_MAX_ENTRIES", 1 << 19)
    assert core.choose_path(np.zeros((20_000, 3)), 12) == "narrow"
    monkeypatch.setattr(kmeans_module, "choose_path", lambda X, k: "hamerly")
    rows = count_keyed_rows(monkeypatch)
    means = rng.uniform(-10, 10, (16, 5))
    X = (means[rng.integers(0, 16, 40_000)] + rng.normal(size=(40_000, 5)) * 2.5)
    X = X.astype(np.float32)
    w = rng.uniform(0.5, 2.0, len(X))
    init = X[rng.choice(len(X), 16, replace=False)].astype(np.float64)
    km = KMeans(16, init=init, n_init=1).fit(X, sample_weight=w)
    assert sum(rows) > len(X)  # the first E step and later undecided rows
    last = list(lloyd_steps(X, init, sample_weight=w))[-1]
    np.testing.assert_array_equal(km.labels_, last["labels"])
    assert km.n_iter_ == last["n_iter"]
    assert abs(km.inertia_ - last["inertia"]) <= 1e-5 * last["inertia"]
