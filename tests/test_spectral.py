"""Spectral clustering: the chapter's moons, parity with scikit-learn, each eigensolver."""

import warnings

import numpy as np
import pytest

from kmeanslab.app import drain
from kmeanslab.cluster import _spectral as spectral
from kmeanslab.cluster._spectral import SpectralClustering, _knn_steps, spectral_embedding_steps

sk_datasets = pytest.importorskip("sklearn.datasets")
sk_metrics = pytest.importorskip("sklearn.metrics")
sk_neighbors = pytest.importorskip("sklearn.neighbors")




def _subspace_cosines(A, B):
    qa, qb = np.linalg.qr(A)[0], np.linalg.qr(B)[0]
    return np.linalg.svd(qa.T @ qb, compute_uv=False)


def test_chapter_moons_ari():
    X, y = sk_datasets.make_moons(200, noise=0.05, random_state=0)
    labels = SpectralClustering(2, n_neighbors=10, random_state=0).fit_predict(X)
    assert labels.dtype == np.intp and labels.shape == (200,)
    assert sk_metrics.adjusted_rand_score(y, labels) >= 0.99
    from kmeanslab import KMeans

    km = KMeans(2, n_init=10, random_state=0).fit(X).labels_
    assert sk_metrics.adjusted_rand_score(y, km) < 0.5


def test_knn_matches_sklearn_graph():
    X, _ = sk_datasets.make_blobs(300, random_state=0)
    _, neighbors = drain(_knn_steps(X, 7))
    A = sk_neighbors.kneighbors_graph(X, 7, include_self=True).toarray()
    mine = np.zeros_like(A)
    mine[np.repeat(np.arange(300), 7), neighbors.ravel()] = 1
    np.testing.assert_array_equal(mine, A)


@pytest.mark.parametrize("n", [300, 900])
def test_connected_graph_matches_sklearn_labels(n, monkeypatch):
    # One connected graph with k > components: the dense (300) and LOBPCG (900) paths.
    monkeypatch.setattr(spectral, "DENSE_MAX", 500)
    X, _ = sk_datasets.make_blobs(n, centers=3, cluster_std=2.0, random_state=2)
    ours = SpectralClustering(3, random_state=0).fit_predict(X)
    from sklearn.cluster import SpectralClustering as SkSpectral

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SkSpectral(3, affinity="nearest_neighbors", random_state=0).fit_predict(X)
    assert sk_metrics.adjusted_rand_score(theirs, ours) > 0.98


def test_lobpcg_and_dense_give_the_same_embedding(monkeypatch):
    X, _ = sk_datasets.make_blobs(400, centers=4, cluster_std=1.5, random_state=1)
    _, neighbors = drain(_knn_steps(X, 10))
    _, dense = drain(spectral_embedding_steps(neighbors, 4, 0))
    monkeypatch.setattr(spectral, "DENSE_MAX", 10)
    records, iterative = drain(spectral_embedding_steps(neighbors, 4, 0))
    assert len(records) > 2 and records[-1] == 1.0
    np.testing.assert_allclose(_subspace_cosines(dense, iterative), 1.0, atol=1e-6)


def test_embedding_matches_sklearn_spectral_embedding():
    from sklearn.manifold import spectral_embedding

    X, _ = sk_datasets.make_blobs(250, centers=3, cluster_std=2.0, random_state=3)
    A = sk_neighbors.kneighbors_graph(X, 10, include_self=True)
    theirs = spectral_embedding(0.5 * (A + A.T), n_components=3, drop_first=False,
                                random_state=0)
    _, neighbors = drain(_knn_steps(X, 10))
    _, ours = drain(spectral_embedding_steps(neighbors, 3, 0))
    np.testing.assert_allclose(_subspace_cosines(theirs, ours), 1.0, atol=1e-6)


def test_components_give_exact_indicators():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(60, 2)), rng.normal(size=(40, 2)) + 100])
    model = SpectralClustering(2, n_neighbors=5, random_state=0, n_init=2).fit(X)
    assert len(set(model.labels_[:60].tolist())) == 1
    assert len(set(model.labels_[60:].tolist())) == 1
    assert model.labels_[0] != model.labels_[60]
    assert model.embedding_.shape == (100, 2) and model.neighbors_.shape == (100, 5)


def test_fit_steps_progress_stages_and_determinism():
    X, _ = sk_datasets.make_moons(300, noise=0.05, random_state=1)
    model = SpectralClustering(2, random_state=4, n_init=3)
    records, returned = drain(model.fit_steps(X))
    assert returned is model
    stages = [r["stage"] for r in records]
    assert stages[0] == "neighbors" and stages[-1] == "kmeans" and "embedding" in stages
    assert all(0.0 <= r["fraction"] <= 1.0 for r in records)
    again = SpectralClustering(2, random_state=4, n_init=3).fit_predict(X)
    np.testing.assert_array_equal(model.labels_, again)


@pytest.mark.parametrize(
    ("kwargs", "X", "error", "match"),
    [
        ({"affinity": "rbf"}, np.zeros((20, 2)), ValueError, "affinity='rbf'"),
        ({"assign_labels": "discretize"}, np.zeros((20, 2)), ValueError, "assign_labels"),
        ({"n_clusters": 0}, np.zeros((20, 2)), ValueError, "n_clusters=0"),
        ({"n_neighbors": 2.5}, np.zeros((20, 2)), TypeError, "n_neighbors"),
        ({"n_clusters": 30}, np.zeros((20, 2)), ValueError, "n_samples=20"),
        ({"n_neighbors": 30}, np.zeros((20, 2)), ValueError, "n_neighbors=30"),
        ({}, np.zeros(20), ValueError, "2-d"),
        ({}, np.full((20, 2), np.nan), ValueError, "NaN"),
    ],
)
def test_validation(kwargs, X, error, match):
    with pytest.raises(error, match=match):
        SpectralClustering(**{"n_clusters": 2, **kwargs}).fit(X)
