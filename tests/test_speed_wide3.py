"""The wide path's calls per iteration (round 3, the digits in the page): distances whole
from one product of augmented rows, and no per-iteration inertia when nothing reads it.
Both must keep plain Lloyd's result."""

from __future__ import annotations

import numpy as np
import pytest

import kmeanslab.cluster._elkan as elkan
from kmeanslab import KMeans, kmeans_plusplus, lloyd_steps
from kmeanslab.cluster._lloyd import choose_path


def _plain(X, init, w=None):
    last = list(lloyd_steps(X, init, sample_weight=w))[-1]
    return last["labels"], last["inertia"], last["n_iter"]


def _spy(monkeypatch, cls, name):
    calls = []
    real = getattr(cls, name)

    def spying(self, *args, **kwargs):
        out = real(self, *args, **kwargs)
        calls.append(self)
        return out

    monkeypatch.setattr(cls, name, spying)
    return calls


def _spy_blocks(monkeypatch):
    """Every `_sq_block` call: (state, rows, norms, block, centers, their norms), copied
    when made (the callers work on the block in place)."""
    calls = []
    real = elkan._State._sq_block

    def spying(self, rows, norms=True):
        D = real(self, rows, norms)
        calls.append((self, rows, norms, D.copy(), self.cs.copy(), self.cc.copy()))
        return D

    monkeypatch.setattr(elkan._State, "_sq_block", spying)
    return calls


@pytest.mark.parametrize("case", ["unit64", "weighted", "float32"])
def test_unit_weight_float64_blocks_come_whole_from_one_product(monkeypatch, digits, case):
    """The digits (unit weights, float64): every E step's block after the first is the
    product of the rows [x | ||x||^2 | 1 | 1] with [-2 c | 1 | ||c||^2 | 0], already the
    squared distances (no norm passes); weighted and float32 data keep the product of
    the coordinates. All give the plain loop's labels, iterations and inertia."""
    X, _ = digits
    init = kmeans_plusplus(X, 10, random_state=0)[0]
    w = None
    if case == "weighted":
        w = np.random.default_rng(2).uniform(0.5, 2.0, X.shape[0])
    if case == "float32":
        X, init = X.astype(np.float32), init.astype(np.float32)
    assert choose_path(X, 10) == "elkan"
    blocks = _spy_blocks(monkeypatch)
    km = KMeans(10, init=init, n_init=1).fit(X, sample_weight=w)
    st = blocks[0][0]
    assert st.aug == (case == "unit64")
    whole = 0
    for _, rows, norms, D, cs, cc in blocks:
        if st.aug and norms:  # the squared distances themselves
            whole += 1
            Xr = st.X64 if rows is None else st.X64[rows]
            want = np.einsum("ij,kj->ki", Xr, -2.0 * cs)
            want += np.einsum("ij,ij->i", Xr, Xr) + cc[:, None]
            np.testing.assert_allclose(D, want, rtol=1e-9, atol=1e-6)
    assert (whole > 10) == (case == "unit64")
    labels, inertia, n_iter = _plain(X, init, w)
    assert km.n_iter_ == n_iter > 10
    np.testing.assert_array_equal(km.labels_, labels)
    rel = 1e-9 if case != "float32" else 1e-5
    assert km.inertia_ == pytest.approx(inertia, rel=rel)


def test_fit_computes_the_inertia_once_and_fit_steps_every_iteration(monkeypatch, digits):
    """``KMeans.fit`` reads no per-iteration inertia, so the wide path computes it once
    (the final one); ``fit_steps`` reports every iteration's, and both end equal."""
    X, _ = digits
    init = kmeans_plusplus(X, 10, random_state=0)[0]
    calls = _spy(monkeypatch, elkan._State, "inertia")
    a = KMeans(10, init=init, n_init=1).fit(X)
    assert len(calls) == 1
    calls.clear()
    b = KMeans(10, init=init, n_init=1)
    records = list(b.fit_steps(X))
    assert len(calls) == a.n_iter_ + 1
    assert [r["iteration"] for r in records] == list(range(a.n_iter_))
    assert all(isinstance(r["inertia"], float) for r in records)
    assert records[-1]["inertia"] >= b.inertia_ * (1 - 1e-12)
    assert b.inertia_ == a.inertia_ and b.n_iter_ == a.n_iter_
    np.testing.assert_array_equal(a.labels_, b.labels_)
