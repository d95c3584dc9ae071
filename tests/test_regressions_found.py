"""Minimal failing examples found by the property-based tests, kept as explicit tests.

Each test is the shrunk example Hypothesis printed (data written out, so no generator is
needed to reproduce it) and the exact right value, computed in float64 by differences
from the model's own centers. Each
comment or docstring says what was wrong underneath.
"""

from __future__ import annotations

import warnings

import numpy as np

from kmeanslab.cluster import KMeans, MiniBatchKMeans
from kmeanslab.manifold import TSNE


def _sq64(X, C):
    diff = np.asarray(X, np.float64)[:, None, :] - np.asarray(C, np.float64)[None, :, :]
    return np.einsum("ijk,ijk->ij", diff, diff)


# Was wrong: float32 transform by ||x||^2 - 2x.c + ||c||^2 loses the small distances (relative
# error ~ u * spread^2 / d^2)
def test_kmeans_float32_transform_small_distance():
    X = np.array([[-5.170555255062936e-07], [-3.943768206227105e-06],
                  [-3.924257725884672e-06], [-2.897138529078802e-06],
                  [-2.6370209980086656e-06], [-9.87738744129274e-08]], dtype=np.float32)
    m = KMeans(3, random_state=0).fit(X)
    T2 = m.transform(X).astype(np.float64) ** 2
    np.testing.assert_allclose(T2, _sq64(X, m.cluster_centers_), rtol=1e-3, atol=0)


# Was wrong: float32 score() by the expanded distance: a point that is a center scores 3.5e-18
# instead of 0
def test_kmeans_float32_score_zero_when_centers_are_points():
    X = np.array([[-7.890589586168062e-07, 4.5685765144298784e-06, -1.4069408393879712e-07],
                  [-3.432672428971273e-06, 6.18260457940778e-07, -1.0582640243228525e-05]],
                 dtype=np.float32)
    m = KMeans(2, random_state=0).fit(X)
    assert m.inertia_ == 0.0
    assert m.score(X) == 0.0
    assert np.all(m.transform(X)[np.arange(2), m.labels_] == 0.0)


def test_minibatch_float32_inertia_zero_on_duplicates():
    a = [2.4103740e-06, -3.7374678e-06]
    b = [3.4894938e-06, -4.2509437e-06]
    pattern = "aabaaabaaabbbabababbaaa"
    X = np.array([a if c == "a" else b for c in pattern], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 5 clusters, 2 distinct points
        m = MiniBatchKMeans(5, batch_size=256, random_state=0).fit(X)
    exact = float(_sq64(X, m.cluster_centers_)[np.arange(len(X)), m.labels_].sum())
    assert exact == 0.0
    assert m.inertia_ == 0.0


# Was wrong: MiniBatchKMeans float32 transform by the expanded distance (relative error 1.5e-3
# on a small distance)
def test_minibatch_float32_transform_small_distance():
    X = np.array([[-3.382082013558829e-06], [-5.0033777370117605e-06],
                  [-3.3016212910297327e-06], [-7.409208819808555e-07],
                  [1.84930127034022e-06]], dtype=np.float32)
    m = MiniBatchKMeans(5, batch_size=256, random_state=0).fit(X)
    T2 = m.transform(X).astype(np.float64) ** 2
    np.testing.assert_allclose(T2, _sq64(X, m.cluster_centers_), rtol=1e-3, atol=0)


# Was wrong: all-but-one zero weights: zero-weight clusters are relocated every iteration, so
# KMeans never converges and runs max_iter (scikit-learn stops after 2)
def test_kmeans_all_but_one_zero_weight_converges():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(61, 3)) * 1000.0
    w = np.zeros(61)
    w[17] = 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = KMeans(16, random_state=0).fit(X, sample_weight=w)
    assert m.inertia_ == 0.0
    assert m.n_iter_ <= 3


# Was wrong: MiniBatchKMeans seeds on 3 * batch_size rows drawn ignoring the weights; when all
# of them weigh 0, k-means++ draws with NaN probabilities (ValueError: Probabilities contain
# NaN)
def test_minibatch_seeding_subset_with_zero_weights():
    X = np.linspace(-1.0, 1.0, 3001).reshape(-1, 1)
    w = np.zeros(3001)
    w[1234] = 2.0
    m = MiniBatchKMeans(1, batch_size=256, random_state=0).fit(X, sample_weight=w)
    # the running-mean updates of the mini-batch steps may round the last bits
    np.testing.assert_allclose(m.cluster_centers_, X[1234:1235], rtol=1e-13)
    assert m.inertia_ <= 1e-26
    m = MiniBatchKMeans(3, batch_size=256, random_state=0).fit(X, sample_weight=w)
    assert np.isfinite(m.cluster_centers_).all() and m.inertia_ <= 1e-26


# Was wrong: zero weights: a zero-weight cluster's center is put on a sample after the last
# assignment, so labels_ is stale (sample 2 is center 2 but labelled 1; predict(X) says 2)
def test_kmeans_zero_weight_labels_are_nearest():
    X = np.array([
        [-1.927655288666262e-06, 5.016552913104247e-06, -4.7444029255646476e-07,
         -9.216886479823143e-07],
        [6.05140036832147e-06, -1.2166102713688591e-06, 2.858275433484973e-06,
         2.1892343451323236e-06],
        [-7.124113637778934e-07, 3.249394752394653e-06, -3.2821942004502444e-06,
         -3.1489509341541333e-06]])
    w = np.array([0.0, 4.124769736987811, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 2 distinct clusters of weight > 0
        m = KMeans(3, random_state=2).fit(X, sample_weight=w)
    D = _sq64(X, m.cluster_centers_)
    np.testing.assert_array_equal(D[np.arange(3), m.labels_], D.min(axis=1))
    np.testing.assert_array_equal(m.predict(X), m.labels_)


# Was wrong: grid path (n >= 16384, d <= 2): when every grid cell is ambiguous the cell sums are
# np.bincount of nothing, int64, and adding the float sums raises UFuncTypeError
def test_kmeans_grid_path_identical_rows():
    X = np.ones((16384, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 1 distinct point, 2 clusters
        m = KMeans(2, random_state=0).fit(X)
    assert m.inertia_ == 0.0
    np.testing.assert_array_equal(m.cluster_centers_[m.labels_], X)


# ------------------------------------------------------------- faults fixed on this branch


def test_tsne_small_data_finite():
    """Issue 16, item 2: 30 points in 3 groups, perplexity 5, raised OverflowError
    (the grid's estimate of Z went negative, was clamped, and the repulsion exploded)."""
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(c, 1.0, (10, 4)) for c in (0.0, 5.0, 10.0)])
    E = TSNE(perplexity=5, random_state=0).fit_transform(X)
    assert E.shape == (30, 2) and np.isfinite(E).all()


def test_silhouette_identical_rows_is_zero():
    """Found comparing with scikit-learn: on identical rows its expanded distances are
    ~1e-8 and its silhouettes 0.29; the definition gives 0/0, counted as 0 (ours)."""
    from kmeanslab.metrics import silhouette_samples

    s = silhouette_samples(np.ones((21, 8)), [0] * 20 + [1])
    np.testing.assert_array_equal(s, np.zeros(21))
