"""Principal component analysis in NumPy only (scikit-learn's ``PCA``, full solver)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import not_fitted_error
from ..utils._estimator import BaseEstimator, TransformerMixin, feature_names_of
from ..utils.validation import check_dense_2d as _check_2d
from ..utils.validation import check_n_features

__all__ = ["PCA"]


class PCA(TransformerMixin, BaseEstimator):
    """Principal component analysis by an eigendecomposition of the covariance.

    Follows :class:`sklearn.decomposition.PCA` (full solver): components sorted by
    explained variance, signs fixed so that each component's largest-magnitude
    coefficient is positive (scikit-learn's ``svd_flip`` on ``Vt``).

    Parameters
    ----------
    n_components : int or None, default=None
        Number of components to keep; ``None`` keeps ``min(n_samples, n_features)``.
    copy : bool, default=True
        Accepted for scikit-learn compatibility: X is never modified.
    whiten : bool, default=False
        Scale the projections to unit variance.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
    explained_variance_ : ndarray of shape (n_components,)
    explained_variance_ratio_ : ndarray of shape (n_components,)
    singular_values_ : ndarray of shape (n_components,)
    mean_ : ndarray of shape (n_features,)
    n_components_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,), object (DataFrame input)

    Raises
    ------
    ValueError
        From ``fit``: ``n_components`` outside 1..min(n_samples, n_features), X not 2-d
        or with NaN or infinity; from ``transform``: a different number of features.
    NotFittedError
        From ``transform`` before ``fit`` (also a RuntimeError, as it used to be).
    """

    _fitted_attribute = "components_"
    _sklearn_tags = {"transformer": True, "preserves_dtype": ["float64"]}

    def __init__(self, n_components: int | None = None, *, copy: bool = True,
                 whiten: bool = False):
        self.n_components = n_components
        self.copy = copy
        self.whiten = whiten

    def fit(self, X: Any, y: Any = None) -> PCA:
        """Fit the model on ``X`` (n_samples, n_features); returns ``self``."""
        names = feature_names_of(X)
        X = _check_2d(X)
        n, d = X.shape
        k = min(n, d) if self.n_components is None else self.n_components
        if not isinstance(k, int | np.integer) or not 1 <= k <= min(n, d):
            raise ValueError(
                f"n_components={self.n_components!r} must be an int from 1 to "
                f"min(n_samples, n_features)={min(n, d)}."
            )
        self.mean_ = X.mean(axis=0)
        Xc = X - self.mean_
        # d x d covariance: one small product, then a symmetric eigensolver.
        cov = Xc.T @ Xc
        values, vectors = np.linalg.eigh(cov)
        order = np.argsort(values)[::-1][:k]
        values = np.clip(values[order], 0.0, None)
        components = vectors[:, order].T
        signs = np.sign(components[np.arange(k), np.argmax(np.abs(components), axis=1)])
        signs[signs == 0] = 1.0
        self.components_ = components * signs[:, None]
        self.explained_variance_ = values / max(n - 1, 1)
        total = np.trace(cov) / max(n - 1, 1)
        self.explained_variance_ratio_ = (
            self.explained_variance_ / total if total > 0 else np.zeros(k)
        )
        self.singular_values_ = np.sqrt(values)
        self.n_components_ = int(k)
        self._set_input_attributes(names, d)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Project ``X`` on the components."""
        if not hasattr(self, "components_"):
            raise not_fitted_error(
                "This PCA instance is not fitted yet; call fit first.", also=(RuntimeError,)
            )
        self._check_feature_names(X)
        X = _check_2d(X)
        check_n_features(self, X)
        Z = (X - self.mean_) @ self.components_.T
        if self.whiten:
            Z /= np.sqrt(np.maximum(self.explained_variance_, 1e-300))
        return Z

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit, then project ``X``."""
        return self.fit(X).transform(X)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """``["pca0", "pca1", ...]`` (object array of shape (n_components_,)), as
        scikit-learn's."""
        return self._prefixed_feature_names_out(self.n_components_, input_features)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """Map projections back to the input space."""
        Z = np.asarray(Z, dtype=np.float64)
        if self.whiten:
            Z = Z * np.sqrt(self.explained_variance_)
        return Z @ self.components_ + self.mean_
