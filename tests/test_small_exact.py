"""Tiny narrow fits (the Points panel's few hundred points) take exact differences: no
polishing check after the fit, the same result as plain Lloyd, ties to the lowest index."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._kmeans as kmeans_module
from kmeanslab import KMeans, lloyd_steps
from kmeanslab.cluster._small import EXACT_MAX, _Small


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(("n", "d", "k"), [(300, 2, 4), (100, 2, 8), (500, 1, 6), (200, 3, 5)])
def test_tiny_fits_are_exact_without_polishing(monkeypatch, n, d, k, weighted):
    assert n * d * k <= EXACT_MAX
    rng = np.random.default_rng(n + d + k)
    X = rng.normal(size=(n, d)) + rng.integers(0, 3, (n, 1)) * 4.0
    w = rng.uniform(0.5, 2.0, n) if weighted else None
    assert _Small(X, np.ones(n) if w is None else w, k).exact
    polished = []
    monkeypatch.setattr(kmeans_module, "polish_if_needed", lambda *a: polished.append(1))
    init = X[:k].copy()
    model = KMeans(k, init=init, n_init=1).fit(X, sample_weight=w)
    assert polished == []
    last = list(lloyd_steps(X, init, sample_weight=w))[-1]
    assert np.array_equal(model.labels_, last["labels"])
    assert model.n_iter_ == last["n_iter"]
    assert model.inertia_ == pytest.approx(last["inertia"], rel=1e-12)


def test_exact_ties_go_to_the_lowest_center():
    X = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 0.0], [10.0, 0.0]])  # [1, 0] is a tie
    model = KMeans(3, init=np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0]]), n_init=1,
                   max_iter=1).fit(X)
    assert model.labels_[2] == 0


def test_larger_narrow_fits_keep_the_check(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 2))
    assert not _Small(X, np.ones(3000), 8).exact
    polished = []
    monkeypatch.setattr(kmeans_module, "polish_if_needed",
                        lambda *a: polished.append(1))
    KMeans(8, init=X[:8].copy(), n_init=1).fit(X)
    assert polished == [1]
