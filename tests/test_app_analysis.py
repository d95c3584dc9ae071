"""Worker operations of the Points analyses, called as the worker calls them."""

import numpy as np
import pytest

from kmeanslab import KMeans
from kmeanslab.app import OPERATIONS, REGISTRY, drain
from kmeanslab.app.analysis import elbow_k

sk_datasets = pytest.importorskip("sklearn.datasets")
sk_metrics = pytest.importorskip("sklearn.metrics")




def _buffer(X):
    return memoryview(np.ascontiguousarray(X, dtype=np.float64).tobytes())


@pytest.fixture(scope="module")
def blobs():
    X, y = sk_datasets.make_blobs(300, centers=4, cluster_std=0.60, random_state=0)
    return X, y


def test_ops_are_registered():
    assert {name for name, module in REGISTRY.items() if module == "analysis"} == {
        "points_elbow", "points_silhouette", "points_spectral",
        "points_compare_sklearn", "points_adjusted_rand",
    }


def test_elbow_on_the_chapter_blobs(blobs):
    X, _ = blobs
    records, result = drain(OPERATIONS["points_elbow"](_buffer(X), 1, 8, 1, 0))
    assert result["k"].dtype == np.int32 and result["k"].tolist() == list(range(1, 9))
    assert result["inertia"].dtype == np.float64
    for k, value in zip(result["k"].tolist(), result["inertia"].tolist(), strict=True):
        assert value == pytest.approx(KMeans(k, n_init=1, random_state=0).fit(X).inertia_)
    assert result["suggested_k"] == 4
    for k_max in (6, 7, 9, 10):
        _, other = drain(OPERATIONS["points_elbow"](_buffer(X), 1, k_max, 1, 0))
        assert other["suggested_k"] == 4
    finished = [r for r in records if "iteration" not in r]
    assert [r["done"] for r in finished] == list(range(1, 9))
    assert all({"k", "inertia", "done", "total"} <= set(r) for r in records)


def test_elbow_rule():
    assert elbow_k(np.arange(1, 7), [100, 40, 10, 8, 7, 6]) == 3
    assert elbow_k(np.arange(1, 3), [10, 1]) == 1
    assert elbow_k(np.arange(1, 5), [5, 5, 5, 5]) == 1


def test_silhouette_matches_sklearn(blobs):
    X, _ = blobs
    records, result = drain(
        OPERATIONS["points_silhouette"](_buffer(X), k_min=2, k_max=6, n_init=1, random_state=0)
    )
    assert result["sampled"] == 300 and result["suggested_k"] == 4 == result["chosen_k"]
    for k, mean in zip(result["k"].tolist(), result["mean_silhouette"].tolist(), strict=True):
        labels = KMeans(k, n_init=1, random_state=0).fit(X).labels_
        assert abs(mean - sk_metrics.silhouette_score(X, labels)) < 1e-9
    labels = KMeans(4, n_init=1, random_state=0).fit(X).labels_
    assert result["labels"].dtype == np.int32
    np.testing.assert_array_equal(result["labels"], labels)
    np.testing.assert_allclose(
        result["samples"], sk_metrics.silhouette_samples(X, labels), rtol=0, atol=1e-9
    )
    assert {"kmeans", "silhouette"} <= {r["stage"] for r in records}


def test_silhouette_subsample_and_chosen_k_outside_range():
    X, _ = sk_datasets.make_blobs(1200, centers=3, random_state=1)
    _, result = drain(
        OPERATIONS["points_silhouette"](_buffer(X), 2, 4, chosen_k=7, sample_size=400)
    )
    idx = result["sample_index"]
    assert result["sampled"] == 400 == len(idx) == len(result["samples"]) == len(result["labels"])
    means = result["mean_silhouette"]
    assert result["chosen_k"] == 7 and result["suggested_k"] == 2 + int(np.argmax(means))
    assert len(result["all_labels"]) == 1200
    np.testing.assert_array_equal(result["labels"], result["all_labels"][idx])
    expected = sk_metrics.silhouette_samples(X[idx], result["all_labels"][idx])
    np.testing.assert_allclose(result["samples"], expected, rtol=0, atol=1e-9)


def test_silhouette_validation():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="k_max=5"):
        drain(OPERATIONS["points_silhouette"](_buffer(X), 2, 5))
    with pytest.raises(ValueError, match="points"):
        drain(OPERATIONS["points_silhouette"](memoryview(b"\0" * 24)))


def test_spectral_on_the_chapter_moons():
    X, y = sk_datasets.make_moons(200, noise=0.05, random_state=0)
    records, result = drain(OPERATIONS["points_spectral"](_buffer(X), 2, 10, 0))
    assert result["labels"].dtype == np.int32 and result["seconds"] >= 0
    assert sk_metrics.adjusted_rand_score(y, result["labels"]) >= 0.99
    assert {r["stage"] for r in records} == {"neighbors", "embedding", "kmeans"}
    ari = OPERATIONS["points_adjusted_rand"](
        memoryview(y.astype(np.int32).tobytes()), memoryview(result["labels"].tobytes())
    )
    assert ari["ari"] >= 0.99


def test_compare_with_sklearn(blobs):
    X, _ = blobs
    centers = X[[0, 1, 2, 3]]
    result = drain(OPERATIONS["points_compare_sklearn"](_buffer(X), _buffer(centers), 4))[1]
    ours, theirs = result["kmeanslab"], result["sklearn"]
    assert ours["inertia"] == pytest.approx(theirs["inertia"], rel=1e-9)
    assert ours["n_iter"] == theirs["n_iter"] and result["same_labels"]
    assert ours["ms"] >= 0 and theirs["ms"] >= 0
    with pytest.raises(ValueError, match="init_centers has 4 centers"):
        drain(OPERATIONS["points_compare_sklearn"](_buffer(X), _buffer(centers), 3))


def test_adjusted_rand_lengths():
    with pytest.raises(ValueError, match="labels_a has 2"):
        OPERATIONS["points_adjusted_rand"](
            memoryview(np.zeros(2, np.int32).tobytes()), memoryview(np.zeros(3, np.int32).tobytes())
        )
