"""The small loop's keyed blocks (kmeanslab.cluster._small_keys): taken for narrow data
with up to 64 clusters (every full pass, the hand-over, the bounded rows), not beyond;
and the path rule's mid-size narrow data on the small loop in Pyodide too."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._lloyd as core
from kmeanslab import KMeans
from kmeanslab.cluster._small_keys import SmallKeys


def _blobs(n, d, k, seed=0):
    rng = np.random.default_rng(seed)
    means = rng.uniform(-10, 10, (k, d))
    return means[rng.integers(0, k, n)] + rng.normal(0, 2.5, (n, d))


def _count(monkeypatch):
    calls = []
    real = SmallKeys.nearest

    def counting(self, cs, rows=None):
        calls.append(None if rows is None else rows.size)
        return real(self, cs, rows)

    monkeypatch.setattr(SmallKeys, "nearest", counting)
    return calls


@pytest.mark.parametrize(("n", "d", "k"), [(10_000, 2, 8), (3_000, 2, 64), (4_000, 8, 12)])
def test_narrow_small_fits_take_keyed_blocks(monkeypatch, n, d, k):
    calls = _count(monkeypatch)
    X = _blobs(n, d, k)
    assert core.choose_path(X, k) == "small"
    km = KMeans(k, n_init=1, random_state=0).fit(X)
    # every E step keyed: full passes (None) and, after the hand-over, bounded rows
    assert len(calls) >= km.n_iter_ and calls[0] is None


@pytest.mark.parametrize(("n", "d", "k"), [(3_000, 16, 8), (3_000, 2, 65), (300, 2, 4)])
def test_no_keyed_blocks_beyond(monkeypatch, n, d, k):
    """Wide data (its block in the data's dtype), more clusters than the index bits
    hold, tiny fits (exact differences): the argmin loop."""
    calls = _count(monkeypatch)
    X = _blobs(n, d, k)
    assert core.choose_path(X, k) == "small"
    KMeans(k, n_init=1, random_state=0).fit(X)
    assert calls == []


@pytest.mark.parametrize(("n", "d", "k"), [(20_000, 3, 12), (16_384, 4, 16), (30_000, 8, 10),
                                           (20_000, 3, 32)])
def test_mid_size_narrow_data_takes_the_small_loop(n, d, k):
    """Natively and in Pyodide (where it was the narrow loop or Hamerly's: the small
    loop with keyed blocks took 0.35-0.7 of their time there, see choose_path)."""
    assert core.choose_path(_blobs(n, d, k), k) == "small"
