"""Native fixtures for the kmeanslab tests (the browser tests have their own)."""

from __future__ import annotations

import os

import numpy as np
import pytest

try:  # Hypothesis is a test dependency natively; absent inside Pyodide.
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover
    settings = None
if settings is not None:
    # "ci" (the default): a fixed, bounded number of examples, derandomized so that
    # every run tries the same ones; no example database written into the checkout.
    # "dev": HYPOTHESIS_PROFILE=dev for a longer random search when hunting faults.
    _slow = [HealthCheck.too_slow, HealthCheck.data_too_large]
    settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                              database=None, print_blob=True, suppress_health_check=_slow)
    settings.register_profile("dev", max_examples=500, deadline=None,
                              suppress_health_check=_slow)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def chapter_blobs():
    """The chapter's blobs: scikit-learn's make_blobs(300, centers=4, cluster_std=0.60,
    random_state=0)."""
    from sklearn.datasets import make_blobs

    return make_blobs(n_samples=300, centers=4, cluster_std=0.60, random_state=0)


@pytest.fixture(scope="session")
def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.data, d.target


@pytest.fixture(scope="session")
def china_pixels():
    """The 273,280 RGB pixels of china.jpg scaled to [0, 1] (float64)."""
    from sklearn.datasets import load_sample_image

    return load_sample_image("china.jpg").reshape(-1, 3) / 255.0


@pytest.fixture(scope="session")
def big_blobs():
    from sklearn.datasets import make_blobs

    return make_blobs(100_000, centers=8, random_state=0)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
