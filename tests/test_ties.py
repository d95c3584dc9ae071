"""The tie helpers (kmeanslab.utils._ties): equal centers found exactly, near-ties decided
by exact differences in bounded memory."""

from __future__ import annotations

import numpy as np

import kmeanslab.utils._ties as ties


def test_has_twins_needs_equal_rows_not_only_equal_norms():
    # (distinct centers of equal norms are common on integer data: digits' k-means++
    # starts had them in 17 of 200 runs, and took the exact path every E step)
    C = np.array([[3.0, 4.0], [4.0, 3.0], [0.0, 5.0], [1.0, 1.0]])
    assert not ties.has_twins(C)
    assert ties.has_twins(np.vstack([C, C[2]]))
    assert not ties.has_twins(C[:1])


def test_exact_sq_rows_in_slices(monkeypatch):
    monkeypatch.setattr(ties, "_SLICE_ELEMENTS", 7)  # (one row per slice)
    rng = np.random.default_rng(0)
    X, C = rng.normal(size=(9, 3)), rng.normal(size=(4, 3))
    expected = ((X[:, None, :] - C[None]) ** 2).sum(-1)
    np.testing.assert_allclose(ties.exact_sq_rows(X, C), expected, rtol=1e-15)


def test_exact_near_ties_sends_an_exact_tie_to_the_lower_index():
    C = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 0.0]])
    X = np.array([[1.0, 0.0], [2.0, 1e-9], [5.0, 5.0]])
    D = ((X[:, None, :] - C[None]) ** 2).sum(-1).T
    D[2, 0] -= 1e-16  # (a rounding that favours the higher of two equal centers)
    D[2, 1] -= 1e-15
    labels = ties.exact_near_ties(D, D.argmin(axis=0), lambda i: X[i], C,
                                  np.einsum("ij,ij->i", X, X))
    np.testing.assert_array_equal(labels, [0, 1, 1])
