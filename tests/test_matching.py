"""Hungarian matching and accuracies after matching, against SciPy and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm
from scipy.optimize import linear_sum_assignment as sp_lsa
from scipy.stats import mode

from kmeanslab import KMeans
from kmeanslab.metrics import confusion_matrix
from kmeanslab.metrics._matching import (
    contingency_matrix,
    hungarian_mapping,
    linear_sum_assignment,
    majority_mapping,
    matched_accuracy,
)


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (5, 5), (10, 10), (4, 7), (7, 4), (30, 10)])
@pytest.mark.parametrize("maximize", [False, True])
def test_lsa_equals_scipy_on_random_matrices(shape, maximize):
    rng = np.random.default_rng(shape[0] * 100 + shape[1])
    for _ in range(20):
        C = rng.normal(size=shape)
        ours = linear_sum_assignment(C, maximize=maximize)
        theirs = sp_lsa(C, maximize=maximize)
        np.testing.assert_array_equal(ours[0], theirs[0])
        np.testing.assert_array_equal(ours[1], theirs[1])
        assert ours[0].dtype == np.intp


@pytest.mark.parametrize("shape", [(6, 6), (10, 10), (8, 12), (12, 8)])
def test_lsa_equals_scipy_with_ties(shape):
    """Small integer costs: many optimal assignments; the same one is chosen."""
    rng = np.random.default_rng(7)
    for _ in range(50):
        C = rng.integers(0, 4, size=shape)
        ours = linear_sum_assignment(C, maximize=True)
        theirs = sp_lsa(C, maximize=True)
        np.testing.assert_array_equal(ours[1], theirs[1])
        np.testing.assert_array_equal(ours[0], theirs[0])


def test_lsa_inf_and_errors():
    C = np.array([[np.inf, 1.0], [2.0, np.inf]])
    np.testing.assert_array_equal(linear_sum_assignment(C)[1], sp_lsa(C)[1])
    with pytest.raises(ValueError, match="infeasible"):
        linear_sum_assignment(np.array([[np.inf, np.inf], [1.0, 2.0]]))
    with pytest.raises(ValueError, match="invalid numeric"):
        linear_sum_assignment(np.array([[np.nan, 1.0], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="2-d"):
        linear_sum_assignment(np.zeros(3))
    r, c = linear_sum_assignment(np.zeros((0, 3)))
    assert r.size == c.size == 0


def test_digits_mapping_accuracy_and_confusion(digits):
    X, y = digits
    labels = KMeans(10, n_init=10, random_state=0).fit(X).labels_
    # The chapter: labels[mask] = mode(digits.target[mask])[0]
    chapter = np.zeros_like(labels)
    for i in range(10):
        mask = labels == i
        chapter[mask] = mode(y[mask])[0]
    maj = majority_mapping(labels, y)
    np.testing.assert_array_equal(maj[labels], chapter)
    assert matched_accuracy(labels, y, "majority") == pytest.approx(
        skm.accuracy_score(y, chapter))
    assert abs(matched_accuracy(labels, y, "majority") - 0.7935) <= 0.02
    # One-to-one: the SciPy assignment on the contingency table.
    table = contingency_matrix(labels, y)
    np.testing.assert_array_equal(table, skm.confusion_matrix(labels, y))
    rows, cols = sp_lsa(table, maximize=True)
    hun = hungarian_mapping(labels, y)
    np.testing.assert_array_equal(hun[rows], cols)
    assert sorted(hun) == list(range(10))
    assert matched_accuracy(labels, y) == pytest.approx(table[rows, cols].sum() / len(y))
    # Confusion of truth vs prediction, as the chapter's heatmap.
    np.testing.assert_array_equal(confusion_matrix(y, hun[labels], 10),
                                  skm.confusion_matrix(y, hun[labels]))


def test_more_and_fewer_clusters_than_classes(digits):
    X, y = digits
    for k in (5, 15):
        labels = KMeans(k, n_init=2, random_state=1).fit(X).labels_
        hun = hungarian_mapping(labels, y, k, 10)
        assert (hun >= 0).sum() == min(k, 10)
        matched = hun[hun >= 0]
        assert len(set(matched.tolist())) == matched.size
        table = contingency_matrix(labels, y, k, 10)
        r, c = sp_lsa(table, maximize=True)
        acc = matched_accuracy(labels, y, "hungarian")
        assert acc == pytest.approx(table[r, c].sum() / len(y))
        assert matched_accuracy(labels, y, "majority") >= acc


def test_mapping_validation():
    with pytest.raises(ValueError, match="labels has 2 values but y has 3"):
        contingency_matrix([0, 1], [0, 1, 2])
    with pytest.raises(ValueError, match="integers"):
        contingency_matrix([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match="method="):
        matched_accuracy([0, 1], [0, 1], "best")
    assert majority_mapping([0, 0, 2], [1, 1, 0], 4, 2).tolist() == [1, -1, 0, -1]
