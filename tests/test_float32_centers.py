"""Float32 data: every path keeps its centers in float32 from one iteration to the next,
as plain Lloyd (``lloyd_steps``) and scikit-learn do.

The small, narrow and Elkan loops kept float64 means between iterations (rounding only
the reported centers), the others rounded them to the data's dtype: over a long fit the
two drift apart by float32 rounding, enough to move a point that sits near a boundary
(20,000 x 8, k=5, tol=0: 81 iterations against plain Lloyd's 78, one label different).
"""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._kmeans as kmeans_module
from _speed_helpers import assert_fit_is_plain_lloyd


def _data(seed):
    rng = np.random.default_rng(seed)
    n, d, k = 20_000, int(rng.choice([2, 3, 8])), int(rng.integers(4, 16))
    means = rng.uniform(-10, 10, (k, d))
    X = (means[rng.integers(0, k, n)] + rng.normal(size=(n, d)) * 2.5 + 40).astype(np.float32)
    return X, X[rng.choice(n, k, replace=False)]


@pytest.mark.parametrize("path", ["small", "narrow", "elkan", "hamerly"])
@pytest.mark.parametrize("seed", [3, 5])
def test_long_float32_fit_is_plain_lloyds(monkeypatch, path, seed):
    X, init = _data(seed)
    monkeypatch.setattr(kmeans_module, "choose_path", lambda X, k: path)
    km = assert_fit_is_plain_lloyd(X, init, tol=0.0)
    assert km.cluster_centers_.dtype == np.float32


@pytest.mark.parametrize("path", ["small", "grid", "narrow", "elkan", "hamerly"])
def test_float32_inertia_is_the_exact_sum(monkeypatch, path):
    """inertia_ of float32 data is the float64 sum of the exact squared distances of the
    float32 rows to the float32 centers: the grid and Hamerly paths squared float32
    differences, 1e-9 to 2e-9 relative off (30,000 x 2 k=8: 2.1e-9)."""
    rng = np.random.default_rng(7)
    d = 2 if path == "grid" else 3
    X = (rng.normal(size=(30_000, d)) * 2.5 + rng.uniform(-10, 10, (8, d))[
        rng.integers(0, 8, 30_000)] + 40).astype(np.float32)
    monkeypatch.setattr(kmeans_module, "choose_path", lambda X, k: path)
    km = kmeans_module.KMeans(8, n_init=1, random_state=0).fit(X)
    diff = X.astype(np.float64) - km.cluster_centers_.astype(np.float64)[km.labels_]
    exact = float(np.einsum("ij,ij->", diff, diff))
    assert km.inertia_ == pytest.approx(exact, rel=1e-12)
    assert -km.score(X) == pytest.approx(exact, rel=1e-12)
