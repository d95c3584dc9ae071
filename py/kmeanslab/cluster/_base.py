"""What KMeans and MiniBatchKMeans share: parameters, input checks, seeding dispatch and
the fitted model's API (predict, transform, score), as scikit-learn's ``_BaseKMeans``.

Every distance the fitted model reports is exact to about 2**-24 relative (float64, by
differences where the dot-product identity would cancel: see
:func:`kmeanslab.utils._distances.nearest_exact`), whatever the input dtype and however
far the data is from the origin.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..utils._distances import nearest_exact, sq_dists_exact
from ..utils._estimator import BaseEstimator, ClusterMixin, TransformerMixin, feature_names_of
from ..utils.validation import (
    ARRAY_LIKE,
    CALLABLE,
    RANDOM_STATE,
    Interval,
    StrOptions,
    check_array,
    check_n_features,
    check_sample_weight,
    validate_params,
)
from . import _sparse
from ._k_means_common import _check_init_array
from ._seeding import _INIT_METHODS


class _InitArrayOrCallable:
    def is_satisfied_by(self, value) -> bool:
        return ARRAY_LIKE.is_satisfied_by(value) or CALLABLE.is_satisfied_by(value)

    def __str__(self) -> str:
        return ("an array-like of shape (n_clusters, n_features), or a callable "
                "init(X, n_clusters, random_state)")


_INIT_ARRAY_OR_CALLABLE = _InitArrayOrCallable()


class _BaseKMeans(TransformerMixin, ClusterMixin, BaseEstimator):
    """Shared parameter handling and the post-fit API (predict, transform, score)."""

    _parameter_constraints: dict = {
        "n_clusters": [Interval("int", 1, None, "left")],
        "init": [StrOptions({"k-means++", "random"}), _INIT_ARRAY_OR_CALLABLE],
        "n_init": [StrOptions({"auto"}), Interval("int", 1, None, "left")],
        "max_iter": [Interval("int", 1, None, "left")],
        "tol": [Interval("real", 0, None, "left")],
        "random_state": [RANDOM_STATE],
    }
    _default_n_init = 10
    _fitted_attribute = "cluster_centers_"
    _sklearn_tags = {
        "estimator_type": "clusterer",
        "transformer": True,
        "sparse": True,
        "preserves_dtype": ["float64", "float32"],
    }

    # -- parameters and input ----------------------------------------------------------
    def _validate_params(self):
        validate_params(self._parameter_constraints, self.get_params(deep=False),
                        type(self).__name__)

    def _validate_data(self, X, *, reset: bool):
        """X as a C-contiguous float array (float32 kept) or a CSR matrix; unless
        ``reset`` (fit: the fit records them at its end), checks X's feature names and
        count against those seen in fit."""
        if not reset:
            self._check_feature_names(X)
        X = _sparse.check_sparse(X) if _sparse.is_sparse(X) else check_array(X)
        if not reset:
            check_n_features(self, X)
        return X

    def _fit_input(self, X, sample_weight):
        """Validate what ``fit_steps`` gets: (X, weights, n_init, init, feature names)."""
        self._validate_params()
        names = feature_names_of(X)
        X = self._validate_data(X, reset=True)
        n_init, init = self._check_params_vs_input(X)
        w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        return X, w, n_init, init, names

    def _check_params_vs_input(self, X):
        """Checks needing the data; returns (n_init, init) with an init array validated."""
        if X.shape[0] < self.n_clusters:
            raise ValueError(
                f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}."
            )
        init = self.init
        is_array = not (isinstance(init, str) or callable(init))
        if is_array:
            init = _check_init_array(init, X, self.n_clusters)
        if self.n_init == "auto":
            n_init = self._default_n_init if (isinstance(init, str) and init == "random"
                                              ) else 1
        else:
            n_init = self.n_init
        if is_array and n_init != 1:
            warnings.warn(
                "Explicit initial center position passed: performing only one init in "
                f"{type(self).__name__} instead of n_init={n_init}.",
                RuntimeWarning,
                stacklevel=3,
            )
            n_init = 1
        return n_init, init

    def _init_centroids(self, X, init, rng, w):
        """Initial centers (n_clusters, n_features) in the dtype of X."""
        if isinstance(init, str):
            return _INIT_METHODS[init](X, self.n_clusters, w, rng)
        if callable(init):
            # scikit-learn's contract: init(X, n_clusters, random_state) with a RandomState
            legacy = np.random.RandomState(int(rng.integers(2**32)))
            centers = init(X, self.n_clusters, random_state=legacy)
            return _check_init_array(centers, X, self.n_clusters, name="init callable")
        return init.copy()

    # -- after fit ---------------------------------------------------------------------
    def _check_test_data(self, X):
        self._check_fitted()
        X = self._validate_data(X, reset=False)
        return X if _sparse.is_sparse(X) else X.astype(self.cluster_centers_.dtype, copy=False)

    def _nearest(self, X):
        """(labels np.intp, exact squared distances float64) of validated X."""
        if _sparse.is_sparse(X):
            return _sparse.nearest(X, _sparse.row_sq_norms(X), self.cluster_centers_)
        return nearest_exact(X, self.cluster_centers_)

    def predict(self, X) -> np.ndarray:
        """Index of the closest cluster center for each sample.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), np.intp
        """
        return self._nearest(self._check_test_data(X))[0]

    def transform(self, X) -> np.ndarray:
        """Euclidean distances of each sample to every center.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters), dtype of the centers
            Each exact to about 2**-24 relative (before rounding to float32).
        """
        return self._transform(self._check_test_data(X))

    def _transform(self, X):
        if _sparse.is_sparse(X):
            sq = _sparse.sq_dists(X, _sparse.row_sq_norms(X), self.cluster_centers_)
        else:
            sq = sq_dists_exact(X, self.cluster_centers_)
        return np.sqrt(sq, out=sq).astype(self.cluster_centers_.dtype, copy=False)

    def fit_transform(self, X, y=None, sample_weight=None) -> np.ndarray:
        """Fit, then return the distances of X to the centers (see :meth:`transform`)."""
        self.fit(X, sample_weight=sample_weight)
        X = self._validate_data(X, reset=False)
        if not _sparse.is_sparse(X):
            X = X.astype(self.cluster_centers_.dtype, copy=False)
        return self._transform(X)

    def fit_predict(self, X, y=None, sample_weight=None) -> np.ndarray:
        """Fit, then return ``labels_`` (np.intp, shape (n_samples,))."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def score(self, X, y=None, sample_weight=None) -> float:
        """Opposite of the (weighted) inertia of X with respect to the fitted centers,
        computed exactly (float64, see the module docstring)."""
        X = self._check_test_data(X)
        w = check_sample_weight(sample_weight, X.shape[0], np.float64)
        return -float(np.einsum("i,i->", self._nearest(X)[1], w))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the transformed columns: ``"<classname><i>"`` for each center (as
        scikit-learn's), an object array of shape (n_clusters,)."""
        return self._prefixed_feature_names_out(self.cluster_centers_.shape[0],
                                                input_features)

