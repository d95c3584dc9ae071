"""Mid-size narrow data on the small loop with its hand-over to Hamerly's bounds
(kmeanslab.cluster._small): chosen by the path rule, the hand-over really happens (and
not on small fits), exactly plain Lloyd's result (labels, iterations, inertia) whatever
the iteration of the hand-over; one BLAS thread natively; the cheap cancellation check."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import kmeanslab.cluster._lloyd as core
import kmeanslab.cluster._polish as polish
import kmeanslab.cluster._small as small
from _speed_helpers import assert_fit_is_plain_lloyd, blobs
from kmeanslab import KMeans
from kmeanslab.cluster._k_means_common import _column_stats


@pytest.mark.parametrize(("n", "d", "k", "path"), [
    (10_000, 2, 8, "small"), (3_000, 2, 64, "small"), (5_000, 1, 10, "small"),
    (3_000, 3, 8, "small"), (3_000, 8, 16, "small"), (4_096, 8, 8, "small"),
    (30_000, 2, 8, "grid"), (3_000, 64, 8, "elkan"), (3_000, 16, 8, "small"),
    (3_000, 16, 32, "small"), (3_000, 17, 8, "elkan"),
    (15_000, 3, 32, "small" if sys.platform == "emscripten" else "hamerly"),
    # (the bounded paths fold repeated rows first; natively the keyed Hamerly rows win)
    (20_000, 4, 8, "narrow" if sys.platform == "emscripten" else "hamerly"),
    (100_000, 4, 8, "hamerly"),
])
def test_path_rule(n, d, k, path):
    assert core.choose_path(np.zeros((n, d)), k) == path


def _count_hand_overs(monkeypatch):
    calls = []
    real = small._bounds_from

    def counting(sd, *args):
        calls.append(sd.n)
        return real(sd, *args)

    monkeypatch.setattr(small, "_bounds_from", counting)
    return calls


def test_mid_size_fit_hands_over_to_the_bounds(monkeypatch, rng):
    calls = _count_hand_overs(monkeypatch)
    km = KMeans(8, n_init=1, random_state=0).fit(blobs(rng, 10_000, 2, 8, 2.5))
    assert km.n_iter_ > 5
    assert calls and calls[0] == 10_000
    calls.clear()
    # a small fit keeps every distance: bounds would cost more calls than they save
    KMeans(8, n_init=1, random_state=0).fit(blobs(rng, 1_000, 2, 8, 2.5))
    assert calls == []



@pytest.mark.parametrize("share", [0.02, 0.2, 1.0])
@pytest.mark.parametrize("d", [1, 2, 3, 8, 16])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_same_result_as_plain_lloyd(monkeypatch, rng, share, d, dtype, weighted):
    """Overlapping blobs (many iterations, many points near a boundary), the hand-over
    early, late or never: plain Lloyd's labels, iteration count and inertia."""
    monkeypatch.setattr(small, "_HANDOVER_SHARE", share)
    calls = _count_hand_overs(monkeypatch)
    n, k = 4_000, 12
    X = (blobs(rng, n, d, k, 2.5) + 40.0).astype(dtype)
    w = rng.uniform(0.2, 2.0, n) if weighted else None
    init = X[rng.choice(n, k, replace=False)].astype(np.float64)
    assert core.choose_path(X, k) == "small"
    assert_fit_is_plain_lloyd(X, init, w)
    if share == 1.0:
        assert calls and calls[0] == n  # (handed over at the second iteration)


@pytest.mark.parametrize("kw", [{"tol": 0.0}, {"max_iter": 4}, {"max_iter": 1}, {"tol": 1e-2}])
def test_tol_and_max_iter_as_plain_lloyd(monkeypatch, rng, kw):
    monkeypatch.setattr(small, "_HANDOVER_SHARE", 1.0)
    X = blobs(rng, 5_000, 2, 10, 3.0)
    init = X[:10].copy()
    assert_fit_is_plain_lloyd(X, init, **kw)


def test_empty_cluster_relocated_like_plain_lloyd(monkeypatch, rng):
    monkeypatch.setattr(small, "_HANDOVER_SHARE", 1.0)
    X = blobs(rng, 4_000, 2, 6, 1.0)
    init = np.vstack([X[:6], X[:1] + 1e3])  # the far center loses every point
    assert_fit_is_plain_lloyd(X, init)


def test_exact_ties_go_to_the_lowest_center(monkeypatch):
    """Integer data, many points exactly halfway between integer centers: the identity
    is exact there, so the ties go to the lower index, as in plain Lloyd."""
    monkeypatch.setattr(small, "_HANDOVER_SHARE", 1.0)
    rng = np.random.default_rng(6)
    X = rng.integers(0, 40, (6_000, 2)).astype(np.float64)
    init = np.array([[10, 10], [30, 10], [10, 30], [30, 30], [20, 20]], dtype=np.float64)
    assert core.choose_path(X, 5) == "small"
    for max_iter in (1, 300):
        assert_fit_is_plain_lloyd(X, init, max_iter=max_iter)


def _numpys_blas(info):
    """NumPy's own BLAS (numpy.libs / numpy/.dylibs): the fit's products run there;
    SciPy's, loaded with scikit-learn (and after our first scan), is not ours to limit."""
    return info["user_api"] == "blas" and "numpy" in Path(info["filepath"]).parent.name


def test_one_blas_thread_during_the_fit(monkeypatch, rng):
    """Natively the small loop's products run on one BLAS thread (as scikit-learn's
    KMeans): a loaded machine's cores make OpenBLAS's threads wait on each other."""
    if sys.platform == "emscripten":
        pytest.skip("Pyodide: one thread, no BLAS")
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not any(_numpys_blas(i) for i in threadpoolctl.threadpool_info()):
        pytest.skip("no NumPy BLAS library that threadpoolctl can see")
    seen = []
    real = small._Small.sq_dists

    def spying(self, *args):
        seen.append(max(i["num_threads"] for i in threadpoolctl.threadpool_info()
                        if _numpys_blas(i)))
        return real(self, *args)

    monkeypatch.setattr(small._Small, "sq_dists", spying)
    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        KMeans(8, n_init=1, random_state=0).fit(blobs(rng, 3_000, 16, 8, 2.5)[:, :8])
        assert seen and set(seen) == {1}


def test_cancellation_check():
    """The polishing check: centers 1 apart next to one 2e9 away cancel (True); ordinary
    blobs do not (False); coinciding centers have nothing to tell apart (False)."""
    rng = np.random.default_rng(0)
    far = 1e9
    X = np.vstack([rng.normal(-far, 0.3, (50, 2)), rng.normal(far, 0.3, (100, 2))])
    C = np.array([[-far, 0.0], [far, 0.0], [far + 1.0, 0.0]])
    assert polish._may_cancel(X, C, _column_stats(X))
    Y = blobs(rng, 500, 3, 4, 1.0)
    assert not polish._may_cancel(Y, Y[:4], _column_stats(Y))
    assert not polish._may_cancel(Y, np.vstack([Y[:2], Y[:1]]), _column_stats(Y))
