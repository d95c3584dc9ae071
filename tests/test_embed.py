"""PCA and t-SNE against scikit-learn, and the chapter's t-SNE-then-k-means result."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA as SkPCA
from sklearn.manifold import trustworthiness as sk_trust

from kmeanslab import KMeans
from kmeanslab.manifold._t_sne import (
    PCA,
    TSNE,
    _FFTRepulsion,
    _repulsion_exact,
    conditional_probabilities,
    joint_probabilities,
    nearest_neighbors,
    trustworthiness,
)
from kmeanslab.metrics._matching import matched_accuracy

# scikit-learn 1.x TSNE(n_components=2, init="pca", random_state=0) on the digits,
# measured here: trustworthiness (5 neighbours) 0.99498; k-means accuracy 0.9455.
SKLEARN_TSNE_TRUST = 0.99498


@pytest.mark.parametrize("n_components", [2, 10, 64])
def test_pca_matches_sklearn(digits, n_components):
    X = digits[0]
    ours = PCA(n_components).fit(X)
    sk = SkPCA(n_components, svd_solver="full").fit(X)
    np.testing.assert_allclose(ours.explained_variance_, sk.explained_variance_,
                               rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(ours.explained_variance_ratio_, sk.explained_variance_ratio_,
                               rtol=1e-8, atol=1e-10)
    k = min(n_components, 40)  # the last components are nearly degenerate
    np.testing.assert_allclose(np.abs(ours.components_[:k]), np.abs(sk.components_[:k]),
                               atol=1e-6)
    Z = ours.transform(X)
    np.testing.assert_allclose(np.abs(Z[:, :k]), np.abs(sk.transform(X)[:, :k]), atol=1e-6)
    if n_components == 64:
        np.testing.assert_allclose(ours.inverse_transform(Z), X, atol=1e-8)


def test_pca_validation(digits):
    with pytest.raises(ValueError, match="n_components=0"):
        PCA(0).fit(digits[0])
    with pytest.raises(ValueError, match="n_components=65"):
        PCA(65).fit(digits[0])
    with pytest.raises(ValueError, match="2-d"):
        PCA(2).fit(np.zeros(5))
    with pytest.raises(RuntimeError, match="not fitted"):
        PCA(2).transform(digits[0])


def test_neighbors_and_perplexity_like_sklearn(digits):
    from sklearn.manifold._t_sne import _joint_probabilities_nn
    from sklearn.neighbors import NearestNeighbors

    X = digits[0]
    d2, idx = nearest_neighbors(X, 91)
    nn = NearestNeighbors(n_neighbors=91).fit(X)
    dist = nn.kneighbors_graph(mode="distance")
    dist.data **= 2
    sk_d2 = np.sort(dist.toarray(), axis=1)[:, -91:]
    np.testing.assert_allclose(d2, np.sort(sk_d2, axis=1), rtol=1e-9, atol=1e-6)
    P = conditional_probabilities(d2, 30.0)
    H = -(P * np.log(np.maximum(P, 1e-300))).sum(axis=1)
    np.testing.assert_allclose(H, np.log(30.0), atol=1e-4)
    rows, cols, vals = joint_probabilities(X, 30.0)
    sk_P = _joint_probabilities_nn(dist, 30.0, 0).toarray()
    ours = np.zeros_like(sk_P)
    ours[rows, cols] = vals
    # Equal distances (integer pixels) may pick a different last neighbour: tiny values.
    np.testing.assert_allclose(ours, sk_P, atol=1e-6)
    assert np.abs(ours - sk_P).sum() < 1e-4
    assert np.all(np.diff(rows) >= 0)


@pytest.mark.parametrize("n_interp,spacing", [(3, 0.25), (4, 0.35)])
def test_fft_repulsion_close_to_exact(n_interp, spacing):
    rng = np.random.default_rng(0)
    centers = rng.normal(scale=8.0, size=(6, 2))
    Y = (centers[rng.integers(0, 6, 600)] + rng.normal(size=(600, 2))).T.copy()
    exact, Z = _repulsion_exact(Y)
    approx, Za = _FFTRepulsion(n_interp, spacing, max_nodes=256)(Y)
    assert abs(Za - Z) / Z < 2e-3
    err = np.linalg.norm(approx / Za - exact / Z) / np.linalg.norm(exact / Z)
    assert err < 0.02


def test_trustworthiness_equals_sklearn(digits):
    X = digits[0][:400]
    E = PCA(2).fit_transform(X)
    # Exact up to the order of equally distant neighbours (integer pixels).
    assert trustworthiness(X, E, 5) == pytest.approx(sk_trust(X, E, n_neighbors=5), abs=1e-4)
    rng = np.random.default_rng(0)
    Xc = rng.normal(size=(300, 8))
    Ec = Xc[:, :2] + 0.3 * rng.normal(size=(300, 2))
    assert trustworthiness(Xc, Ec, 5) == pytest.approx(sk_trust(Xc, Ec, n_neighbors=5),
                                                       abs=1e-12)


def test_exact_tsne_small_separates_blobs():
    from sklearn.datasets import make_blobs

    X, y = make_blobs(200, centers=3, n_features=10, random_state=0)
    E = TSNE(method="exact", max_iter=300, n_iter_exaggeration=100, perplexity=20,
             random_state=0).fit_transform(X)
    assert E.shape == (200, 2)
    labels = KMeans(3, n_init=5, random_state=0).fit(E).labels_
    assert matched_accuracy(labels, y) == 1.0


@pytest.fixture(scope="module")
def digits_tsne(digits):
    model = TSNE(n_components=2, init="pca", random_state=0)
    return model, model.fit_transform(digits[0])


def test_tsne_digits_bars(digits, digits_tsne):
    """The chapter: t-SNE then k-means finds the digits (>= 0.93 after matching)."""
    X, y = digits
    model, E = digits_tsne
    assert E.shape == (1797, 2) and np.isfinite(E).all()
    assert trustworthiness(X, E, 5) >= SKLEARN_TSNE_TRUST - 0.01
    assert sk_trust(X, E, n_neighbors=5) >= SKLEARN_TSNE_TRUST - 0.01
    labels = KMeans(10, n_init=10, random_state=0).fit(E).labels_
    assert matched_accuracy(labels, y, "majority") >= 0.93
    assert 0 < model.kl_divergence_ < 1.5


def test_tsne_steps_yield_embeddings_and_are_deterministic(digits, digits_tsne):
    X = digits[0][:300]
    recs = list(_records(TSNE(max_iter=60, n_iter_exaggeration=20).steps(X, every=20)))
    stages = [r["stage"] for r in recs]
    assert stages[0] == "neighbors" and stages[-1] == "optimize"
    its = [r["iteration"] for r in recs if r["stage"] == "optimize"]
    assert its == [0, 20, 40, 60]
    assert recs[-1]["embedding"].shape == (300, 2)
    assert recs[-1]["embedding"].dtype == np.float32
    a = TSNE(max_iter=60, n_iter_exaggeration=20).fit_transform(X)
    b = TSNE(max_iter=60, n_iter_exaggeration=20).fit_transform(X)
    np.testing.assert_array_equal(a, b)


def _records(gen):
    while True:
        try:
            yield next(gen)
        except StopIteration:
            return


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"method": "bh"}, "method"),
        ({"n_components": 3}, "n_components"),
        ({"perplexity": 0}, "perplexity"),
        ({"learning_rate": -1}, "learning_rate"),
        ({"max_iter": 10, "n_iter_exaggeration": 20}, "n_iter_exaggeration"),
        ({"init": "spectral"}, "init"),
    ],
)
def test_tsne_validation(kwargs, match):
    X = np.random.default_rng(0).normal(size=(50, 4))
    with pytest.raises(ValueError, match=match):
        TSNE(**kwargs).fit_transform(X)


# ------------------------------------------------- small and degenerate data (issue 16)


def _groups(n_per=10, offset=0.0):
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(c, 1.0, (n_per, 4)) for c in (0.0, 5.0, 10.0)])
    return X + offset, np.repeat([0, 1, 2], n_per)


@pytest.mark.parametrize("init", ["pca", "random"])
@pytest.mark.parametrize("n", [2, 3, 5, 12, 30])
def test_tsne_small_data_every_perplexity(n, init):
    """Every valid perplexity (< n_samples) gives a finite embedding on few samples."""
    X = _groups(10)[0][np.linspace(0, 29, n).astype(int)]
    for perplexity in sorted({0.5, 1.0, n / 2, n - 1e-3, 5.0 if n > 5 else 0.5}):
        E = TSNE(perplexity=perplexity, init=init, random_state=0, max_iter=150,
                 n_iter_exaggeration=50).fit_transform(X)
        assert E.shape == (n, 2) and np.isfinite(E).all(), (perplexity, init)


def test_tsne_issue_example_separates_groups():
    """30 points in 3 groups of 10, perplexity 5: raised OverflowError; now the groups."""
    X, y = _groups(10)
    model = TSNE(perplexity=5, random_state=0)
    E = model.fit_transform(X)
    assert np.isfinite(E).all() and model.method_ == "exact"
    labels = KMeans(3, n_init=5, random_state=0).fit(E).labels_
    assert matched_accuracy(labels, y) == 1.0


def test_tsne_large_offset_keeps_neighbours():
    """A common offset of 1e9 (distances by |x|^2 - 2x.y + |y|^2 lost every digit)."""
    X, y = _groups(10, offset=1e9)
    E = TSNE(perplexity=5, random_state=0).fit_transform(X)
    labels = KMeans(3, n_init=5, random_state=0).fit(E).labels_
    assert matched_accuracy(labels, y) == 1.0


@pytest.mark.parametrize("init", ["pca", "random"])
def test_tsne_degenerate_inputs(init):
    X, y = _groups(10)
    # Duplicated rows: duplicates land together (pca) or close (random).
    D = np.repeat(X[:10], 3, axis=0)
    E = TSNE(perplexity=5, init=init, random_state=0).fit_transform(D)
    assert np.isfinite(E).all()
    # Constant columns and a single feature: the PCA start pads the missing component.
    C = np.c_[X[:, :1], np.full((30, 3), 7.0)]
    for data in (C, X[:, :1]):
        E = TSNE(perplexity=5, init=init, random_state=0).fit_transform(data)
        assert np.isfinite(E).all()
        labels = KMeans(3, n_init=5, random_state=0).fit(E).labels_
        assert matched_accuracy(labels, y) >= 0.8
    # Every sample identical: a clear warning, and a finite embedding.
    with pytest.warns(UserWarning, match="identical"):
        E = TSNE(perplexity=5, init=init, random_state=0).fit_transform(np.ones((30, 4)))
    assert np.isfinite(E).all()
    if init == "pca":
        assert np.all(E == E[0])


def test_tsne_invalid_perplexity_and_sizes():
    X = _groups(10)[0]
    for perplexity in (30, 31.5):
        with pytest.raises(ValueError, match="perplexity must be less than n_samples") as e:
            TSNE(perplexity=perplexity).fit_transform(X)
        assert "0 < perplexity < 30" in str(e.value)
    with pytest.raises(ValueError, match="n_samples=1"):
        TSNE(perplexity=0.5).fit_transform(X[:1])


def test_fft_used_past_exact_limit_and_z_on_few_points():
    from kmeanslab.manifold._t_sne import EXACT_MAX_SAMPLES

    rng = np.random.default_rng(0)
    small = TSNE(max_iter=20, n_iter_exaggeration=10)
    small.fit(rng.normal(size=(EXACT_MAX_SAMPLES, 3)))
    large = TSNE(max_iter=20, n_iter_exaggeration=10)
    large.fit(rng.normal(size=(EXACT_MAX_SAMPLES + 1, 3)))
    assert (small.method_, large.method_) == ("exact", "fft")
    # Few points far apart: Z is small, and the grid's self terms must not swamp it.
    Y = rng.normal(scale=30.0, size=(2, 5))
    _, Z = _repulsion_exact(Y)
    _, Za = _FFTRepulsion()(Y)
    assert abs(Za - Z) <= 1e-3 * Z
