"""scikit-learn's estimator contract, with NumPy as the only dependency.

How: by protocol, not by inheritance. scikit-learn's tools (``clone``, ``Pipeline``,
``GridSearchCV``, ``cross_val_score``, ``check_estimator``) never require an estimator to
subclass ``sklearn.base.BaseEstimator``: they call ``get_params`` / ``set_params``,
``__sklearn_tags__``, ``__sklearn_is_fitted__``, ``fit`` / ``predict`` / ``transform`` and
read ``n_features_in_`` / ``feature_names_in_``. This is the way scikit-learn's developer
guide describes for estimators that do not want the dependency, and the one
scikit-learn-contrib projects use when scikit-learn is optional. The alternatives were
worse here:

* inheriting ``BaseEstimator`` makes scikit-learn a runtime dependency: in the page that
  is about 20 MB more of wheels (scikit-learn 6 MB, SciPy 13 MB) before the first fit,
  and natively an import of a second or more;
* inheriting it only when it is importable gives two different class hierarchies (and
  ``isinstance`` answers) in the two worlds, and still imports it at start-up.

Only ``__sklearn_tags__`` needs scikit-learn's own types (its ``Tags`` dataclasses), and
only scikit-learn calls it, so it imports them on that call: importing kmeanslab never
imports scikit-learn, and everything works without it. ``get_params`` reads the
parameter names from ``__init__``'s signature, as scikit-learn does, so ``clone``
rebuilds an estimator from them.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np

from ..exceptions import not_fitted_error

__all__ = ["BaseEstimator", "ClusterMixin", "TransformerMixin", "feature_names_of"]


def feature_names_of(X):
    """Column names of a DataFrame-like ``X`` (duck typing on ``.columns``; pandas is not
    imported), as an object array, or None when ``X`` has none or they are not all str."""
    columns = getattr(X, "columns", None)
    if columns is None or isinstance(X, np.ndarray):
        return None
    names = np.asarray(list(columns), dtype=object)
    if names.size == 0 or not all(isinstance(c, str) for c in names):
        return None
    return names


class BaseEstimator:
    """Parameters, representation, fitted state and scikit-learn tags (see module doc).

    Subclasses list every parameter as a keyword of ``__init__``, which only stores them;
    ``_fitted_attribute`` names an attribute that exists once fitted; ``_sklearn_tags``
    (a dict) adjusts the tags (keys: ``estimator_type``, ``sparse``, ``transformer``,
    ``preserves_dtype``, ``non_deterministic``).
    """

    _fitted_attribute = "n_features_in_"
    _sklearn_tags: dict = {}

    # -- parameters --------------------------------------------------------------------
    @classmethod
    def _get_param_names(cls) -> list[str]:
        names = cls.__dict__.get("_param_names_cache")
        if names is None:  # (inspect.signature costs tens of microseconds: once per class)
            sig = inspect.signature(cls.__init__)
            names = sorted(
                p.name for p in sig.parameters.values()
                if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
            )
            cls._param_names_cache = names
        return list(names)

    def get_params(self, deep: bool = True) -> dict:
        """Parameters of this estimator (as scikit-learn's ``get_params``).

        With ``deep``, parameters of nested estimators appear as ``name__param``.
        """
        out = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params):
        """Set parameters (as scikit-learn's ``set_params``, ``name__param`` for nested
        estimators); returns self.

        Raises
        ------
        ValueError
            For a name that is not a parameter, naming the valid ones.
        """
        valid = self._get_param_names()
        nested: dict = {}
        for key, value in params.items():
            name, sep, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {self!r}. "
                    f"Valid parameters are: {valid!r}."
                )
            if sep:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub in nested.items():
            getattr(self, name).set_params(**sub)
        return self

    def __repr__(self) -> str:
        # as scikit-learn prints: only the parameters that differ from their defaults
        sig = inspect.signature(type(self).__init__).parameters
        shown = []
        for name in self._get_param_names():
            value = getattr(self, name, None)
            default = sig[name].default
            same = value is default or (
                isinstance(value, str | int | float | bool | type(None))
                and type(value) is type(default) and value == default
            )
            if not same:
                text = repr(value)
                if isinstance(value, np.ndarray):
                    text = f"array of shape {value.shape}"
                shown.append(f"{name}={text}")
        return f"{type(self).__name__}({', '.join(shown)})"

    # -- fitted state ------------------------------------------------------------------
    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, self._fitted_attribute)

    def _check_fitted(self):
        if not self.__sklearn_is_fitted__():
            raise not_fitted_error(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )

    def _set_input_attributes(self, names, n_features: int) -> None:
        """Record ``n_features_in_`` and ``feature_names_in_`` (``names`` from
        :func:`feature_names_of`; None removes a stale one), at the end of a fit."""
        self.n_features_in_ = int(n_features)
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_

    def _check_feature_names(self, X) -> None:
        """Compare the column names of X with those seen in fit, as scikit-learn does:
        a warning when only one of them has names, an error when they differ."""
        names = feature_names_of(X)
        fitted = getattr(self, "feature_names_in_", None)
        if fitted is None and names is None:
            return
        cls = type(self).__name__
        if names is not None and fitted is None:
            warnings.warn(
                f"X has feature names, but {cls} was fitted without feature names",
                UserWarning, stacklevel=3,
            )
        elif names is None:
            warnings.warn(
                f"X does not have valid feature names, but {cls} was fitted with feature "
                "names", UserWarning, stacklevel=3,
            )
        elif len(names) != len(fitted) or not np.array_equal(names, fitted):
            raise ValueError(
                "The feature names should match those that were passed during fit.\n"
                f"Feature names seen at fit time: {list(fitted)}; got: {list(names)}."
            )

    def _prefixed_feature_names_out(self, n_out: int, input_features=None) -> np.ndarray:
        """``[<classname lower><i>]``: scikit-learn's ClassNamePrefixFeaturesOutMixin."""
        self._check_fitted()
        if input_features is not None:
            given = np.asarray(input_features, dtype=object)
            fitted = getattr(self, "feature_names_in_", None)
            if fitted is not None and not np.array_equal(given, fitted):
                raise ValueError("input_features is not equal to feature_names_in_")
            if fitted is None and len(given) != self.n_features_in_:
                raise ValueError(
                    f"input_features should have length equal to number of features "
                    f"({self.n_features_in_}), got {len(given)}"
                )
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{i}" for i in range(n_out)], dtype=object)

    # -- scikit-learn tags -------------------------------------------------------------
    def __sklearn_tags__(self):
        """scikit-learn's tags; called by scikit-learn only, so it imports scikit-learn's
        ``Tags`` types here and nowhere else (see the module docstring)."""
        from sklearn.utils import InputTags, Tags, TargetTags, TransformerTags

        spec = self._sklearn_tags
        transformer = None
        if spec.get("transformer"):
            transformer = TransformerTags(
                preserves_dtype=list(spec.get("preserves_dtype", ["float64"]))
            )
        return Tags(
            estimator_type=spec.get("estimator_type"),
            target_tags=TargetTags(required=False),
            transformer_tags=transformer,
            non_deterministic=bool(spec.get("non_deterministic", False)),
            input_tags=InputTags(sparse=bool(spec.get("sparse", False))),
        )


class ClusterMixin:
    """``fit_predict`` (scikit-learn's ClusterMixin)."""

    def fit_predict(self, X, y=None, **kwargs) -> np.ndarray:
        """Fit on X, then return ``labels_`` (np.intp, shape (n_samples,))."""
        return self.fit(X, **kwargs).labels_


class TransformerMixin:
    """``fit_transform`` (scikit-learn's TransformerMixin)."""

    def fit_transform(self, X, y=None, **fit_params) -> np.ndarray:
        """Fit on X, then return ``transform(X)``."""
        return self.fit(X, y, **fit_params).transform(X)
