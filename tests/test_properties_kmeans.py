"""Property-based tests (Hypothesis) of KMeans and MiniBatchKMeans on generated data.

Data: 1 row to tens of thousands, 1 to 100 features, float64 / float32 / int64,
common offsets up to 1e9 and scales from 1e-6 to 1e6, duplicate rows, weights with
zeros, k from 1 to n (see ``_property_data``). Every reported value is checked against
its exact float64 value computed by differences. The example count is bounded by the
"ci" profile of ``conftest.py``. Minimal failing examples are kept as explicit tests in
``test_regressions_found.py``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, note  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from _property_data import Case, cases, sq_distances64, tolerance  # noqa: E402
from kmeanslab.cluster import KMeans, MiniBatchKMeans  # noqa: E402
from kmeanslab.cluster._keyrows import NearestKeys  # noqa: E402

ESTIMATORS = {"kmeans": KMeans, "minibatch": MiniBatchKMeans}


def _fit(name: str, case: Case, X, w, **extra):
    params = {"n_clusters": case.k, "random_state": case.seed % 1000}
    if name == "minibatch":
        params["batch_size"] = 256
    params.update(extra)
    model = ESTIMATORS[name](**params)
    with warnings.catch_warnings():
        # ConvergenceWarning (fewer distinct points than clusters) is documented.
        warnings.simplefilter("ignore")
        if w is not None and not np.any(w > 0):
            with pytest.raises(ValueError, match="sample_weight"):
                model.fit(X, sample_weight=w)
            return None
        return model.fit(X, sample_weight=w)


def check_nearest(X, C, labels, what: str) -> None:
    """Every label is a nearest center, within the rounding of the input dtype."""
    tol = tolerance(X, C)
    D = sq_distances64(X, C)
    assert labels.shape == (X.shape[0],)
    assert labels.dtype == np.intp
    assert labels.min() >= 0 and labels.max() < C.shape[0]
    own = D[np.arange(X.shape[0]), labels]
    best = D.min(axis=1)
    slack = 2.0 * tol.slack(own)  # each of the two centers may be off by its rounding
    worst = int(np.argmax(own - best - slack))
    assert own[worst] - best[worst] <= slack[worst], (
        f"{what}: sample {worst} is labelled {labels[worst]} at squared distance "
        f"{own[worst]!r}, but center {int(np.argmin(D[worst]))} is at {best[worst]!r}")


def _fitted(name: str, case: Case):
    """(X, w, model) for a generated case; model is None when the weights are all 0."""
    X, w = case.data()
    note(f"X[:3]={X[:3]!r}")
    model = _fit(name, case, X, w)
    if model is not None:
        C = model.cluster_centers_
        assert C.shape == (case.k, case.d) and np.isfinite(C).all()
        assert C.dtype == (np.float32 if X.dtype == np.float32 else np.float64)
    return X, w, model


def _weights64(w, n: int) -> np.ndarray:
    return np.ones(n) if w is None else np.asarray(w, dtype=np.float64)


@pytest.mark.parametrize("name", ["kmeans", "minibatch"])
@given(case=cases())
def test_fit_reports_exact_values(name, case):
    """No exception but the documented ValueError; labels_ and predict(X) nearest;
    inertia_, -score(X) and transform(X) exact.

    One fit, four checks: each check fails on its own line, so Hypothesis shrinks and
    reports each kind of failure separately.
    """
    X, w, model = _fitted(name, case)
    if model is None:
        return
    C = model.cluster_centers_
    D = sq_distances64(X, C)
    ww = _weights64(w, case.n)
    tol = tolerance(X, C)
    check_nearest(X, C, model.labels_, "labels_")
    _check_predict(X, C, D, model, tol)
    _check_inertia(D, ww, model, tol)
    _check_score(X, w, D, ww, model, tol)
    _check_transform(X, D, model, tol)


def _check_predict(X, C, D, model, tol) -> None:
    pred = model.predict(X)
    check_nearest(X, C, pred, "predict(X)")
    # Where predict breaks a tie differently from labels_, both centers are equally near.
    differ = pred != model.labels_
    assert tol.close(float(D[differ, pred[differ]].sum()),
                     float(D[differ, model.labels_[differ]].sum()), max(1, differ.sum()))


def _check_inertia(D, ww, model, tol) -> None:
    exact = float(D[np.arange(len(D)), model.labels_] @ ww)
    assert tol.close(model.inertia_, exact, ww.sum()), (
        f"inertia_={model.inertia_!r}, exact {exact!r}")


def _check_score(X, w, D, ww, model, tol) -> None:
    exact = float(D.min(axis=1) @ ww)
    score = -model.score(X, sample_weight=w)
    assert tol.close(score, exact, ww.sum()), f"-score(X)={score!r}, exact {exact!r}"


def _check_transform(X, D, model, tol) -> None:
    T = model.transform(X)
    assert T.shape == D.shape and np.isfinite(T).all()
    T2 = T.astype(np.float64) ** 2
    bad = np.abs(T2 - D) > tol.slack(D)
    assert not bad.any(), (
        f"transform: {int(bad.sum())} squared distances off, e.g. {T2[bad][0]!r} "
        f"against exact {D[bad][0]!r}")


@st.composite
def translations(draw: st.DrawFn) -> tuple[Case, int, float]:
    """A case on a dyadic grid and a translation that keeps ``X + t`` exact in its dtype."""
    case = draw(cases(weights=("none", "some_zero")))
    mantissa = {"float64": 52, "float32": 23, "int64": 62}[case.dtype]
    p = draw(st.integers(-20, 20)) if case.dtype != "int64" else 0
    t_bits = draw(st.integers(0, max(0, mantissa - 12)))
    m = draw(st.integers(-(2**t_bits), 2**t_bits))
    return case, p, float(m)


def _grid_data(case: Case, p: int) -> np.ndarray:
    """Integers below 2**10 (float32) or 2**20, times 2**p: exact, generic positions."""
    rng = np.random.default_rng(case.seed)
    R = 2**10 if case.dtype == "float32" else 2**20
    base = rng.integers(-R, R, (case.n_distinct, case.d))
    rows = np.r_[np.arange(case.n_distinct),
                 rng.integers(0, case.n_distinct, case.n - case.n_distinct)]
    X = base[rng.permutation(rows)].astype(np.float64) * 2.0**p
    return X.astype(case.dtype)


@pytest.mark.parametrize("name", ["kmeans", "minibatch"])
@given(spec=translations())
def test_translation_equivariance(name, spec):
    """Fitting X + t from init + t gives centers + t and the same labels (within ties)."""
    case, p, m = spec
    X = _grid_data(case, p)
    t = (m * 2.0**p) if case.dtype != "int64" else int(m)
    Xt = X + np.asarray(t, dtype=X.dtype)
    assert np.array_equal((Xt - np.asarray(t, dtype=X.dtype)), X)  # the shift is exact
    distinct = np.unique(X, axis=0)
    k = min(case.k, len(distinct))
    init = distinct[np.random.default_rng(case.seed).permutation(len(distinct))[:k]]
    init = init.astype(np.float64 if X.dtype != np.float32 else np.float32)
    w = None if case.weights == "none" else np.random.default_rng(case.seed).uniform(0, 1, case.n)
    case = Case(**{**case.__dict__, "k": k})
    a = _fit(name, case, X, w, init=init, n_init=1)
    b = _fit(name, case, Xt, w, init=init + t, n_init=1)
    tol = tolerance(X)
    C = a.cluster_centers_.astype(np.float64)
    Ct = b.cluster_centers_.astype(np.float64) - t
    u = np.finfo(np.float32 if X.dtype == np.float32 else np.float64).eps
    # Centers stored at magnitude |t| carry its rounding.
    slack = 4 * u * (abs(t) + np.abs(X.astype(np.float64)).max()) + np.sqrt(
        tol.rel * tol.spread)
    assert np.abs(Ct - C).max() <= slack, f"centers moved by {np.abs(Ct - C).max()!r}"
    D = sq_distances64(X, a.cluster_centers_)
    differ = np.flatnonzero(a.labels_ != b.labels_)
    gap = np.abs(D[differ, a.labels_[differ]] - D[differ, b.labels_[differ]])
    # The translated fit's centers sit at magnitude |t|, with that rounding.
    tol_t = tolerance(Xt, b.cluster_centers_)
    assert np.all(gap <= 2.0 * tol_t.slack(D[differ].min(axis=1))), (
        f"{differ.size} labels changed, not at ties (gap {gap.max()!r})")


@st.composite
def _kernel_cases(draw):
    """Rows of narrow data at any offset and scale, integer or not, with or without one
    far row; centers drawn from the rows (copies included: exact ties)."""
    d = draw(st.integers(1, 8))
    m = draw(st.integers(2, 300))
    k = draw(st.integers(1, 24))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = 10.0 ** draw(st.integers(-6, 6))
    offset = draw(st.sampled_from([0.0, 1.0, -3.5e3, 1e6, 1e9]))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, d)) * scale + offset
    if draw(st.booleans()):
        X = np.round(X / scale) * scale  # a lattice: many exact ties
    if draw(st.booleans()):
        X[0, 0] += scale * 10.0 ** draw(st.integers(3, 8))  # one far row
    C = X[rng.integers(0, m, k)].copy()
    return X, C


@given(case=_kernel_cases())
def test_keyed_rows_match_exact_differences(case):
    """The keyed rows (cluster/_keyrows.py: natively the Hamerly path's undecided rows),
    whatever the data's extent, offset or ties: the argmin of the exact float64
    differences (ties to the lowest index), and an upper and a lower bound."""
    X, C = case
    lab, d1, d2 = NearestKeys(C).nearest2(X.T, slice(0, len(X)))
    D = np.einsum("ijk,ijk->ij", *(2 * [X[:, None] - C[None]]))
    np.testing.assert_array_equal(lab, D.argmin(axis=1))
    S = np.sort(D, axis=1)
    assert np.all(d1 >= S[:, 0])
    if C.shape[0] > 1:
        assert np.all(d2 <= S[:, 1])
