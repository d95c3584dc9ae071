"""scikit-learn's estimator contract: check_estimator, clone, Pipeline, GridSearchCV,
cross_val_score; the full constructor signatures, callable init, k_means(), feature
names, scipy.sparse input (issue 15, "The estimator contract")."""

from __future__ import annotations

import inspect
import subprocess
import sys
import tracemalloc
import warnings

import numpy as np
import pytest

from kmeanslab import KMeans, MiniBatchKMeans
from kmeanslab.cluster import SpectralClustering, k_means
from kmeanslab.decomposition import PCA

if sys.platform == "emscripten":
    pytest.skip("the contract checks are native tests (scikit-learn's check suite is "
                "long, and the page loads scikit-learn only on request)",
                allow_module_level=True)
sklearn = pytest.importorskip("sklearn")

from sklearn.utils.estimator_checks import (  # noqa: E402
    check_estimator,
    parametrize_with_checks,
)

# The sample-weight-equivalence checks fail for scikit-learn's own KMeans and
# MiniBatchKMeans (their seeding draws depend on the repeated rows): expected here too.
# test_expected_failures_are_sklearns_own checks that this is still so.
_SW_CHECKS = (
    "check_sample_weight_equivalence",
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
)
_REASON = "scikit-learn's own estimator of the same name fails it too"


def _expected_failed(estimator):
    if isinstance(estimator, KMeans | MiniBatchKMeans):
        return dict.fromkeys(_SW_CHECKS, _REASON)
    return {}


with warnings.catch_warnings():
    # "does not inherit from BaseEstimator": by design, see kmeanslab.utils._estimator
    warnings.simplefilter("ignore", UserWarning)
    _checks = parametrize_with_checks(
        [KMeans(), MiniBatchKMeans(), SpectralClustering(), PCA()],
        expected_failed_checks=_expected_failed,
    )


@_checks
def test_check_estimator(estimator, check):
    check(estimator)


def test_expected_failures_are_sklearns_own():
    from sklearn.cluster import KMeans as SkKMeans
    from sklearn.cluster import MiniBatchKMeans as SkMiniBatchKMeans

    for ours, theirs in ((KMeans(), SkKMeans()), (MiniBatchKMeans(), SkMiniBatchKMeans())):
        failed_sk = {r["check_name"] for r in check_estimator(theirs, on_fail=None)
                     if r["status"] == "failed"}
        failed_ours = {r["check_name"] for r in check_estimator(ours, on_fail=None)
                       if r["status"] == "failed"}
        assert failed_ours <= failed_sk


# --------------------------------------------------------------------------- tools
def _blobs():
    from sklearn.datasets import make_blobs

    return make_blobs(300, centers=4, cluster_std=0.6, random_state=0)


def test_clone_pipeline_gridsearch_cross_val_score():
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _blobs()
    km = KMeans(4, n_init=3, random_state=0, algorithm="elkan")
    twin = clone(km)
    assert twin is not km and twin.get_params() == km.get_params()
    assert not hasattr(twin, "cluster_centers_")

    pipe = Pipeline([("scale", StandardScaler()), ("km", KMeans(4, random_state=0))])
    labels = pipe.fit_predict(X)
    assert sklearn.metrics.adjusted_rand_score(y, labels) > 0.95
    assert pipe.transform(X).shape == (300, 4)
    pipe.set_params(km__n_clusters=3)
    assert pipe.fit(X).named_steps["km"].cluster_centers_.shape == (3, 2)

    # KMeans.score is -inertia: the search prefers more clusters, as scikit-learn's does
    search = GridSearchCV(KMeans(random_state=0), {"n_clusters": [2, 4, 6]}, cv=3).fit(X)
    assert search.best_params_ == {"n_clusters": 6}
    assert isinstance(search.best_estimator_, KMeans)

    scores = cross_val_score(KMeans(4, random_state=0), X, cv=3)
    assert scores.shape == (3,) and np.all(scores < 0)


def test_signatures_match_sklearn():
    from sklearn.cluster import KMeans as SkKMeans
    from sklearn.cluster import MiniBatchKMeans as SkMiniBatchKMeans
    from sklearn.cluster import k_means as sk_k_means

    def params(f):
        return {n: (p.kind, p.default) for n, p in inspect.signature(f).parameters.items()}

    assert params(KMeans) == params(SkKMeans)
    assert params(MiniBatchKMeans) == params(SkMiniBatchKMeans)
    assert params(k_means) == params(sk_k_means)


def test_k_means_function_matches_sklearn():
    from sklearn.cluster import k_means as sk_k_means

    X, _ = _blobs()
    init = X[:4]
    ours = k_means(X, 4, init=init, return_n_iter=True)
    theirs = sk_k_means(X, 4, init=init, return_n_iter=True)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10)
    assert np.array_equal(ours[1], theirs[1])
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-10)
    assert ours[3] == theirs[3]
    assert len(k_means(X, 4, init=init)) == 3


def test_callable_init_gets_a_random_state():
    X, _ = _blobs()
    seen = {}

    def init(data, n_clusters, random_state):
        seen["rs"] = random_state
        return data[random_state.permutation(len(data))[:n_clusters]]

    km = KMeans(4, init=init, random_state=1).fit(X)
    assert isinstance(seen["rs"], np.random.RandomState)
    assert km.cluster_centers_.shape == (4, 2)
    again = KMeans(4, init=init, random_state=1).fit(X)
    np.testing.assert_array_equal(km.cluster_centers_, again.cluster_centers_)
    bad = KMeans(4, init=lambda d, k, random_state: d[:3])
    with pytest.raises(ValueError, match=r"The shape of the initial centers \(3, 2\) does "
                                         r"not match the number of clusters 4"):
        bad.fit(X)
    mb = MiniBatchKMeans(4, init=init, random_state=1).fit(X)
    assert mb.cluster_centers_.shape == (4, 2)


def test_messages_match_sklearn():
    X = np.random.default_rng(0).random((5, 2))
    with pytest.raises(ValueError, match=r"^n_samples=5 should be >= n_clusters=8\.$"):
        KMeans().fit(X)
    with pytest.raises(ValueError, match=r"The shape of the initial centers \(2, 3\) does "
                                         r"not match the number of features of the data 2"):
        KMeans(2, init=np.zeros((2, 3))).fit(X)


def test_algorithm_verbose_copy_x(capsys):
    X, _ = _blobs()
    base = KMeans(4, random_state=0).fit(X)
    elkan = KMeans(4, random_state=0, algorithm="elkan").fit(X)
    assert np.array_equal(base.labels_, elkan.labels_)
    np.testing.assert_array_equal(base.cluster_centers_, elkan.cluster_centers_)
    with pytest.raises(ValueError, match=r"'algorithm' parameter .*'elkan', 'lloyd'"):
        KMeans(algorithm="full").fit(X)
    keep = X.copy()
    KMeans(4, random_state=0, copy_x=False, verbose=1).fit(X)
    assert np.array_equal(X, keep)
    out = capsys.readouterr().out
    assert "Initialization complete" in out and "Iteration 0, inertia" in out


def test_minibatch_parameters():
    X, _ = _blobs()
    mb = MiniBatchKMeans(4, random_state=0, compute_labels=False, batch_size=64).fit(X)
    assert not hasattr(mb, "labels_") and mb.cluster_centers_.shape == (4, 2)
    with pytest.warns(RuntimeWarning, match="init_size=2 should be larger than n_clusters=4"):
        MiniBatchKMeans(4, init_size=2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="'compute_labels'"):
        MiniBatchKMeans(compute_labels="yes").fit(X)


class _Frame:
    """A DataFrame-like object (pandas is not needed): ``.columns`` and ``__array__``."""

    def __init__(self, values, columns):
        self.values, self.columns = np.asarray(values), list(columns)

    def __array__(self, dtype=None, copy=None):
        return self.values if dtype is None else self.values.astype(dtype)

    @property
    def shape(self):
        return self.values.shape


def test_feature_names_and_feature_names_out():
    X, _ = _blobs()
    km = KMeans(3, random_state=0).fit(_Frame(X, ["a", "b"]))
    assert list(km.feature_names_in_) == ["a", "b"] and km.n_features_in_ == 2
    assert list(km.get_feature_names_out()) == ["kmeans0", "kmeans1", "kmeans2"]
    km.predict(_Frame(X, ["a", "b"]))
    with pytest.raises(ValueError, match="feature names should match"):
        km.predict(_Frame(X, ["b", "a"]))
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        km.predict(X)
    assert not hasattr(KMeans(3, random_state=0).fit(X), "feature_names_in_")
    pca = PCA(2).fit(_Frame(X, ["a", "b"]))
    assert list(pca.get_feature_names_out()) == ["pca0", "pca1"]
    assert list(MiniBatchKMeans(2, random_state=0).fit(X).get_feature_names_out()) == [
        "minibatchkmeans0", "minibatchkmeans1"]


def test_importing_kmeanslab_imports_neither_sklearn_nor_scipy():
    if sys.platform == "emscripten":
        pytest.skip("no subprocess in Pyodide")
    code = ("import sys, kmeanslab, kmeanslab.cluster, kmeanslab.decomposition; "
            "kmeanslab.KMeans(2).fit([[0.0], [1.0], [5.0]]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))")
    import os

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True).stdout.strip()
    assert out == "[]"


# --------------------------------------------------------------------------- sparse
def _text_like(n=2000, d=5000, density=0.01, seed=0, fmt="csr"):
    sp = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=density, format=fmt, random_state=seed, dtype=np.float64)
    # topics: rows of a group share a block of columns, so there are clusters to find
    topic = rng.integers(0, 5, n)
    cols = (topic[:, None] * 40 + rng.integers(0, 40, (n, 8))).ravel()
    rows = np.repeat(np.arange(n), 8)
    X = X + sp.csr_matrix((rng.random(n * 8) + 1.0, (rows, cols)), shape=(n, d))
    return X.asformat(fmt), topic


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_matches_sklearn_from_the_same_init(fmt):
    from sklearn.cluster import KMeans as SkKMeans

    X, _ = _text_like(600, 1500, fmt=fmt)
    init = X[[0, 1, 2, 3, 4]].toarray()
    ours = KMeans(5, init=init, n_init=1).fit(X)
    theirs = SkKMeans(5, init=init, n_init=1).fit(X)
    assert np.array_equal(ours.labels_, theirs.labels_)
    np.testing.assert_allclose(ours.inertia_, theirs.inertia_, rtol=1e-9)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, atol=1e-12)
    assert ours.n_iter_ == theirs.n_iter_
    assert np.array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-9)
    np.testing.assert_allclose(ours.score(X), theirs.score(X), rtol=1e-9)
    # and the same as on the dense array
    dense = KMeans(5, init=init, n_init=1).fit(X.toarray())
    assert np.array_equal(dense.labels_, ours.labels_)


def test_sparse_text_like_data_bounded_memory():
    X, topic = _text_like()  # 2000 x 5000, about 1.2% non-zeros
    tracemalloc.start()
    km = KMeans(5, random_state=0, n_init=3).fit(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    dense_bytes = X.shape[0] * X.shape[1] * 8  # 80 MB
    assert peak < dense_bytes / 4
    assert sklearn.metrics.adjusted_rand_score(topic, km.labels_) > 0.9
    mb = MiniBatchKMeans(5, random_state=0, n_init=3, batch_size=256).fit(X)
    assert mb.labels_.shape == (2000,)
    exact = ((X.toarray() - mb.cluster_centers_[mb.labels_]) ** 2).sum()
    np.testing.assert_allclose(mb.inertia_, exact, rtol=1e-9)


def test_sparse_kmeans_plusplus_picks_rows():
    from kmeanslab import kmeans_plusplus

    X, _ = _text_like(300, 800)
    centers, idx = kmeans_plusplus(X, 4, random_state=0)
    np.testing.assert_array_equal(centers, X[idx].toarray())
