"""Property-based tests (Hypothesis): every exact-Lloyd path of KMeans (small, narrow,
Elkan, Hamerly and, on 1 to 3 features, the grid) gives plain Lloyd's (``lloyd_steps``)
labels, iterations and inertia, from the same start.

The data are what breaks the paths' shortcuts: integer lattices (rows exactly halfway
between two centers, which the kernels' dot-product identity breaks by rounding), rows a
hair from such a midpoint, repeated rows (from 2**14 rows the bounded paths fold them
into weighted rows), common offsets up to 1e6, float32 input, weights with zeros, and
starts with repeated centers (empty clusters at once). Cases where the paths may
legitimately differ are skipped: ties that each path's rounding may break apart (see
``_relocation_ties`` and ``_rounding_ties``), a shift of exactly 0 at tol=0 after a
relocation, near-ties on wide float32 data (the float32 identity, as scikit-learn's).
Exact ties are kept: every path sends them to the lowest index (labels: the lowest
center; relocations: the lowest row).
"""

from __future__ import annotations

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import assume, given, note, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import kmeanslab.cluster._kmeans as kmeans_module  # noqa: E402
from kmeanslab import KMeans, lloyd_steps  # noqa: E402
from kmeanslab.utils._distances import SMALL_D  # noqa: E402

PATHS = ["small", "narrow", "elkan", "hamerly", "grid"]


@st.composite
def _cases(draw):
    d = draw(st.sampled_from([1, 2, 3, 5, 8, 20]))
    n = draw(st.integers(12, 600))
    k = draw(st.integers(2, min(12, n // 2)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(["lattice", "near_ties", "blobs"]))
    means = rng.uniform(-8, 8, (k, d))
    X = means[rng.integers(0, k, n)] + rng.normal(size=(n, d)) * 2.5
    if kind != "blobs":
        X = np.round(X)
    repeats = draw(st.integers(0, n // 3))  # rows repeated exactly
    if repeats:
        X[rng.choice(n, repeats, replace=False)] = X[rng.integers(0, n, repeats)]
    init_rows = rng.choice(n, k, replace=False)
    if draw(st.booleans()):  # a repeated center: an empty cluster on the first M step
        init_rows[-1] = init_rows[0]
    init = X[init_rows].copy()
    if kind == "near_ties":  # rows a hair from the midpoint of two starting centers
        t = min(n // 3, 30)
        i, j = rng.integers(0, k, t), rng.integers(0, k, t)
        X[rng.choice(n, t, replace=False)] = 0.5 * (init[i] + init[j]) + rng.normal(
            size=(t, d)) * 1e-12
    offset = draw(st.sampled_from([0.0, 1.0, -250.5, 1e6]))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    X = (X + offset).astype(dtype)
    init = (init + offset).astype(dtype)
    weights = draw(st.sampled_from(["none", "integer", "zeros"]))
    w = None
    if weights == "integer":
        w = rng.integers(1, 4, n).astype(np.float64)
    elif weights == "zeros":
        w = rng.integers(0, 3, n).astype(np.float64)
        w[init_rows] = 1.0
    max_iter = draw(st.sampled_from([1, 2, 5, 300]))
    tol = draw(st.sampled_from([0.0, 1e-4]))
    return X, init, w, max_iter, tol


def _emptied(rec, w) -> bool:
    """Whether an E step (record) left a cluster without weight (an M step relocates)."""
    return bool(np.bincount(rec["labels"], weights=w, minlength=len(rec["centers"])).min() <= 0)


def _on_grid(A) -> np.ndarray:
    """Rows of ``A`` on a 2**-10 grid: their distances are exact in every path."""
    return np.all((A * 1024.0 == np.round(A * 1024.0)) & (np.abs(A) < 2.0**30), axis=1)


def _relocation_ties(X, w, records) -> bool:
    """Whether some M step of plain Lloyd relocated an empty cluster while two distinct
    rows tied within rounding for the largest distance to their centers, in a way that
    each path may round apart (rows and centers off the 2**-10 grid). Exact ties go to
    the lowest row index everywhere (copies of one row are one candidate)."""
    X64 = X.astype(np.float64)
    for rec in records:
        if rec["phase"] != "assign" or "n_iter" in rec or not _emptied(rec, w):
            continue
        labels, C = rec["labels"], rec["centers"].astype(np.float64)
        dist = np.einsum("ij,ij->i", X64 - C[labels], X64 - C[labels])
        if w is not None:
            dist[w <= 0] = 0.0  # (never relocated)
        exact = _on_grid(X64) & _on_grid(C)[labels]
        uniq, inverse = np.unique(X64, axis=0, return_inverse=True)
        far = np.zeros(len(uniq))
        np.maximum.at(far, inverse.ravel(), dist)  # (a row's positive-weight copies)
        inexact = np.ones(len(uniq), dtype=bool)
        inexact[inverse.ravel()[exact]] = False
        order = np.argsort(-far, kind="stable")[: C.shape[0] + 1]
        top, loose = far[order], inexact[order]
        tie = np.isclose(top[1:], top[:-1], rtol=1e-9, atol=0) & (top[1:] > 0)
        if np.any(tie & (loose[1:] | loose[:-1])):
            return True
    return False


def _relocated(w, records) -> bool:
    """Whether some M step of plain Lloyd relocated an empty cluster."""
    return any(rec["phase"] == "assign" and "n_iter" not in rec and _emptied(rec, w)
               for rec in records)


def _rounding_ties(X, records) -> bool:
    """Whether some E step of plain Lloyd had a row whose two nearest centers differ by
    no more than the rounding of the centers themselves. A mean such as 999996.8 or
    2161/196 is not a float64: plain Lloyd holds it rounded in the data's coordinates,
    the paths in shifted ones, and a row at a tie with the exact means (or within their
    rounding of one) goes either way. Ties between equal centers, or of a row and
    centers on a 2**-10 grid (every path computes their distances exactly), are kept:
    those go to the lower index everywhere."""
    X64 = np.unique(X.astype(np.float64), axis=0)  # (folded data: its distinct rows)
    d = X.shape[1]
    for rec in records:
        if rec["phase"] != "assign":
            continue
        C = rec["centers"].astype(np.float64)
        if C.shape[0] < 2:
            continue
        D = ((X64[:, None, :] - C[None]) ** 2).sum(-1)
        order = np.argsort(D, axis=1, kind="stable")[:, :2]
        D2 = np.take_along_axis(D, order, axis=1)
        scale = float(np.abs(X64).max() + np.abs(C).max())
        gap = D2[:, 1] - D2[:, 0]
        bound = 8 * np.finfo(np.float64).eps * np.sqrt(d) * scale * (
            np.sqrt(D2[:, 0]) + np.sqrt(D2[:, 1])) + 16 * np.finfo(np.float64).eps * D2[:, 1]
        on_grid = _on_grid(C)
        exact = on_grid[order[:, 0]] & on_grid[order[:, 1]] & _on_grid(X64)
        same = np.all(C[order[:, 0]] == C[order[:, 1]], axis=1)
        if np.any((gap <= bound) & ~exact & ~same):
            return True
    return False


def _float32_near_ties(X, records) -> bool:
    """Whether some E step of plain Lloyd had a row whose two nearest centers are within
    float32 rounding of each other (on wide float32 data the small and Elkan paths take
    the identity in float32, as scikit-learn does: such a row goes either way)."""
    X64 = np.unique(X.astype(np.float64), axis=0)
    for rec in records:
        if rec["phase"] != "assign":
            continue
        C = rec["centers"].astype(np.float64)
        D = np.sort(((X64[:, None, :] - C[None]) ** 2).sum(-1), axis=1)
        if D.shape[1] > 1 and np.any(D[:, 1] - D[:, 0] <= 1e-5 * (D[:, 1] + 1.0)):
            return True
    return False


@pytest.mark.parametrize("path", PATHS)  # (each path its own examples)
@given(case=_cases())
def test_every_path_is_plain_lloyd(case, path):
    _check(*case, path)


@st.composite
def _folded_cases(draw):
    """From 2**14 rows, with most rows repeated: the bounded paths fit the distinct rows
    with summed weights (``_repeated_rows``), and an empty cluster takes one copy."""
    d = draw(st.sampled_from([1, 2, 3, 5, 20]))
    n = draw(st.integers(1 << 14, 40_000))
    distinct = draw(st.integers(8, 400))
    k = draw(st.integers(2, min(16, distinct // 2)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    base = np.round(rng.normal(size=(distinct, d)) * 4.0)
    X = base[rng.integers(0, distinct, n)]
    init_rows = rng.choice(n, k, replace=False)
    if draw(st.booleans()):
        init_rows[-1] = init_rows[0]
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    w = None
    if draw(st.booleans()):
        w = rng.integers(0, 3, n).astype(np.float64)
        w[init_rows] = 1.0
    return (X.astype(dtype), X[init_rows].astype(dtype), w,
            draw(st.sampled_from([1, 3, 300])), 1e-4)


@pytest.mark.parametrize("path", ["grid", "narrow", "elkan", "hamerly"])
@settings(max_examples=15)
@given(case=_folded_cases())
def test_every_path_is_plain_lloyd_on_folded_rows(case, path):
    _check(*case, path)


def _check(X, init, w, max_iter, tol, path):
    """Fit on ``path`` (forced) and compare with plain Lloyd, outside the cases where the
    two may legitimately differ (see the module docstring)."""
    d = X.shape[1]
    if path == "grid":
        assume(d <= 3)
    if path == "narrow":
        assume(d <= SMALL_D)  # (choose_path gives it narrow data only)
    records = list(lloyd_steps(X, init, sample_weight=w, max_iter=max_iter, tol=tol))
    assume(not _relocation_ties(X, w, records))
    assume(not _rounding_ties(X, records))
    if tol == 0:
        # after a relocation the next M step may give back the same centers, a shift of
        # exactly 0 (stop) or of 1e-32 (go on) by the rounding of each path's means
        assume(not (_relocated(w, records) and any(
            rec.get("shift", 1.0) < 1e-20 for rec in records)))
    if X.dtype == np.float32 and d > SMALL_D and path in ("small", "elkan"):
        assume(not _float32_near_ties(X, records))
    last = records[-1]
    note(f"n={X.shape[0]} d={X.shape[1]} k={init.shape[0]} dtype={X.dtype} path={path}")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kmeans_module, "choose_path", lambda X, k: path)
        km = KMeans(init.shape[0], init=init, n_init=1, max_iter=max_iter, tol=tol).fit(
            X, sample_weight=w)
    np.testing.assert_array_equal(km.labels_, last["labels"])
    assert km.n_iter_ == last["n_iter"]
    # (float32: a mean that falls on a float32 rounding midpoint may round either way,
    # by the last bit of its float64 value: one float32 step, ~1e-9 of the inertia)
    rel = 1e-9 if X.dtype == np.float64 else 1e-6
    assert km.inertia_ == pytest.approx(last["inertia"], rel=rel, abs=1e-12)
    # (the paths sum in other shifted coordinates: the last bits may differ, one float32
    # rounding step on float32 data)
    scale = float(np.abs(X).max()) + 1.0
    atol = (1e-10 if X.dtype == np.float64 else 2.0 * np.finfo(np.float32).eps) * scale
    np.testing.assert_allclose(km.cluster_centers_, last["centers"], rtol=0, atol=atol)
