"""What the path tests (``test_speed_*.py``) share: the grid benchmark's overlapping
blobs, plain Lloyd's result to compare a path with, and spies that record what the
path machinery did (which thread fan-out, how many keyed rows).

Not a test module (no ``test_`` prefix); the in-Pyodide suite ships it with the tests
(``tests/browser/pyodide_suite.py`` copies every ``tests/_*.py``).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from kmeanslab import KMeans, lloyd_steps

#: Native CPython (threads, BLAS) rather than Pyodide.
NATIVE = sys.platform != "emscripten"


def blobs(rng, n, d, k, spread=2.5, dtype=np.float64):
    """``n`` rows of ``k`` Gaussian blobs in ``d`` features, means uniform in (-10, 10):
    overlapping at the default spread, as the grid benchmark makes them."""
    means = rng.uniform(-10, 10, (k, d))
    X = means[rng.integers(0, k, n)] + rng.normal(size=(n, d)) * spread
    return X.astype(dtype, copy=False)


def plain(X, init, w=None, **kw):
    """Plain Lloyd's (``lloyd_steps``) labels, iterations and inertia from ``init``."""
    last = list(lloyd_steps(X, init, sample_weight=w, **kw))[-1]
    return last["labels"], last["n_iter"], last["inertia"]


def assert_fit_is_plain_lloyd(X, init, w=None, **kw):
    """Fit ``KMeans`` from ``init`` and assert plain Lloyd's labels, iterations and
    inertia (to 1e-9 relative, float32 data too). Returns the fitted estimator."""
    km = KMeans(len(init), init=init, n_init=1, **kw).fit(X, sample_weight=w)
    labels, n_iter, inertia = plain(X, init, w, **kw)
    np.testing.assert_array_equal(km.labels_, labels)
    assert km.n_iter_ == n_iter
    assert km.inertia_ == pytest.approx(inertia, rel=1e-9)
    return km


def spy_map_chunks(monkeypatch, *modules) -> list[int]:
    """Wrap ``map_chunks`` (``kmeanslab.utils._threads``) as each of ``modules`` imported
    it; return the list into which every call appends its number of threads."""
    used: list[int] = []
    real = modules[0].map_chunks

    def spy(job, states, starts):
        used.append(len(states))
        return real(job, states, starts)

    for module in modules:
        monkeypatch.setattr(module, "map_chunks", spy)
    return used


def count_keyed_rows(monkeypatch) -> list[int]:
    """Wrap ``NearestKeys.nearest2`` (the chunked path's keyed rows); return the list
    into which every call appends the number of rows it labelled."""
    import kmeanslab.cluster._keyrows as keyrows

    rows: list[int] = []
    real = keyrows.NearestKeys.nearest2

    def counting(self, XT, G):
        out = real(self, XT, G)
        rows.append(out[0].size)
        return out

    monkeypatch.setattr(keyrows.NearestKeys, "nearest2", counting)
    return rows
