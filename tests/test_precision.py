"""Distances, inertia and scores without cancellation (issue 16, item 1).

Every value kmeanslab reports that is a distance (``inertia_``, ``score``, ``transform``,
``fit_transform``, ``MiniBatchKMeans.inertia_``) must equal the exact float64 value,
computed here from the reported labels and centers, to 1e-6 relative (1e-3 for float32
input), and every label (``labels_``, ``predict``) must be a nearest center, for data
far from the origin or tight clusters far apart, on every fit path.
"""

from __future__ import annotations

import numpy as np
import pytest

from kmeanslab import KMeans, MiniBatchKMeans
from kmeanslab.cluster import _lloyd

# path -> (n_samples, n_features, how to force it)
PATHS = {
    "small": (800, 3, {}),
    "small-wide": (300, 12, {}),
    "elkan": (800, 3, {"_SMALL_MAX_ENTRIES": 0}),
    "hamerly": (800, 3, {"_ELKAN_MAX_ENTRIES": 0, "_SMALL_MAX_ENTRIES": 0}),
    "grid": (1 << 14, 2, {}),
}


def _rtol(dtype):
    return 1e-3 if np.dtype(dtype) == np.float32 else 1e-6


def exact_sq(X, C):
    X64, C64 = X.astype(np.float64), C.astype(np.float64)
    return ((X64[:, None, :] - C64[None]) ** 2).sum(-1)


def two_blobs(n, d, offset, std, dtype, seed=0):
    """Two tight blobs at -offset and +offset (the issue's example for 1000, 0.01)."""
    rng = np.random.default_rng(seed)
    h = n // 2
    X = np.vstack([rng.normal(-offset, std, (h, d)), rng.normal(offset, std, (n - h, d))])
    return X.astype(dtype)


def shifted_blobs(n, d, offset, dtype, seed=0):
    """Three blobs of spread 1, two of them 6 apart and one 40 away, all at +offset:
    data far from the origin relative to its spread, with points between close centers."""
    rng = np.random.default_rng(seed)
    means = np.array([[0.0] * d, [6.0] + [0.0] * (d - 1), [0.0] * (d - 1) + [40.0]])
    X = means[rng.integers(0, 3, n)] + rng.normal(0, 1.0, (n, d))
    return (X + offset).astype(dtype)


def check_reports(model, X, fitted_labels=True):
    """Every reported distance equals its exact float64 value; labels are nearest."""
    rtol = _rtol(X.dtype)
    C = model.cluster_centers_
    D = exact_sq(X, C)
    labels = model.predict(X)
    own = D[np.arange(len(X)), labels]
    # labels are nearest up to the rounding of the exact distances themselves
    assert np.all(own <= D.min(axis=1) * (1 + 1e-9) + 1e-300)
    exact = float(own.sum())
    assert exact > 0
    if fitted_labels:
        assert np.array_equal(model.labels_, labels)
        np.testing.assert_allclose(model.inertia_, exact, rtol=rtol)
    np.testing.assert_allclose(-model.score(X), exact, rtol=rtol)
    T = model.transform(X).astype(np.float64)
    np.testing.assert_allclose((T[np.arange(len(X)), labels] ** 2).sum(), exact, rtol=rtol)
    # every transformed distance, not only the own center's
    np.testing.assert_allclose(T**2, D, rtol=10 * rtol, atol=1e-300)


def _force(monkeypatch, path):
    for name, value in PATHS[path][2].items():
        monkeypatch.setattr(_lloyd, name, value)


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_issue_example_two_tight_blobs(monkeypatch, path, dtype):
    n, d, _ = PATHS[path]
    _force(monkeypatch, path)
    X = two_blobs(n, d, 1000.0, 0.01, dtype)
    km = KMeans(2, random_state=0).fit(X)
    assert abs(km.cluster_centers_.min()) > 999
    check_reports(km, X)
    # fit_transform reports the same distances as transform
    T = KMeans(2, random_state=0).fit_transform(X).astype(np.float64)
    own = T[np.arange(n), km.labels_] ** 2
    np.testing.assert_allclose(own.sum(), km.inertia_, rtol=_rtol(dtype))


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("offset", [1e6, 1e7, 1e8, 1e9])
@pytest.mark.parametrize("kind", ["shifted", "tight"])
def test_far_from_origin_float64(monkeypatch, path, offset, kind):
    # "shifted": the whole data far from the origin (spread 1); "tight": two blobs of
    # spread 0.01 at -offset and +offset (each far from the centers' mean)
    n, d, _ = PATHS[path]
    _force(monkeypatch, path)
    if kind == "shifted":
        X, k = shifted_blobs(n, d, offset, np.float64), 3
    else:
        X, k = two_blobs(n, d, offset, 0.01, np.float64), 2
    check_reports(KMeans(k, random_state=0).fit(X), X)


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("offset", [1e3, 3e4])
def test_far_from_origin_float32(monkeypatch, path, offset):
    # float32 holds about 7 digits: offsets up to ~1e4 times the spread keep the data
    n, d, _ = PATHS[path]
    _force(monkeypatch, path)
    X = shifted_blobs(n, d, offset, np.float32)
    check_reports(KMeans(3, random_state=0).fit(X), X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("offset", [1e3, 1e6])
def test_minibatch_inertia_and_score(dtype, offset):
    if dtype == np.float32 and offset > 1e4:
        X = shifted_blobs(2000, 3, 1e3, dtype)
    else:
        X = two_blobs(2000, 3, offset, 0.01, dtype) if offset == 1e3 else shifted_blobs(
            2000, 3, offset, dtype)
    k = 2 if offset == 1e3 else 3
    mb = MiniBatchKMeans(k, random_state=0, n_init=3).fit(X)
    check_reports(mb, X)
    mb2 = MiniBatchKMeans(k, random_state=0).partial_fit(X)
    np.testing.assert_allclose(
        mb2.inertia_, exact_sq(X, mb2.cluster_centers_).min(axis=1).sum(), rtol=_rtol(dtype))


def test_score_of_close_pairs_is_not_zero():
    X = np.array([[-1.0001], [-0.9999], [0.9999], [1.0001]], dtype=np.float32)
    km = KMeans(2, random_state=0).fit(X)
    exact = float(exact_sq(X, km.cluster_centers_).min(axis=1).sum())
    assert exact > 0
    np.testing.assert_allclose(-km.score(X), exact, rtol=1e-3)
    np.testing.assert_allclose(km.inertia_, exact, rtol=1e-3)
    np.testing.assert_allclose((km.transform(X).min(axis=1).astype(np.float64) ** 2).sum(),
                               exact, rtol=1e-3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predict_between_close_centers_far_from_the_others(dtype):
    # centers 1 apart near +1000 (float32) / +1e9 (float64), one far away at the other
    # side: the centers' mean is far from the pair, so the dot-product identity alone
    # cancels away the difference between the two distances
    far = 1e3 if dtype == np.float32 else 1e9
    C = np.array([[-far], [far], [far + 1.0]])
    t = np.linspace(far + 0.3, far + 0.7, 41)
    X = t[:, None].astype(dtype)
    km = KMeans(3, init=C, n_init=1, max_iter=1).fit(np.vstack([C, C]).astype(dtype))
    # the fit itself: each center keeps its two points
    assert np.array_equal(km.labels_, [0, 1, 2, 0, 1, 2])
    C = km.cluster_centers_
    D = exact_sq(X, C)
    expected = D.argmin(axis=1)
    assert np.array_equal(km.predict(X), expected)
    np.testing.assert_allclose(-km.score(X), D.min(axis=1).sum(), rtol=_rtol(dtype))


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_labels_between_close_clusters_far_from_another(monkeypatch, path, dtype):
    # two overlapping clusters 1 apart near +far and one at -far: the fit paths' distance
    # identity cannot tell the pair apart near their bisector; the fit's labels must
    # still be nearest centers (to the input's precision) and its inertia exact
    n, d, _ = PATHS[path]
    _force(monkeypatch, path)
    far = 1e3 if dtype == np.float32 else 1e9
    rng = np.random.default_rng(1)
    means = np.zeros((3, d))
    means[:, 0] = [-far, far, far + 1.0]
    X = (means[rng.integers(0, 3, n)] + rng.normal(0, 0.3, (n, d))).astype(dtype)
    km = KMeans(3, init=means, n_init=1).fit(X)
    check_reports(km, X)
