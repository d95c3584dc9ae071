"""Input validation shared by the estimators.

Public entry points validate here, then call private cores that assume valid input;
checks that need the data say both values. Parameter rules are in
:mod:`._param_validation`.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..exceptions import ConvergenceWarning, NotFittedError, not_fitted_error
from ._param_validation import (
    ARRAY_LIKE,
    BOOLEAN,
    CALLABLE,
    NONE,
    RANDOM_STATE,
    VERBOSE,
    Interval,
    StrOptions,
    validate_params,
)

__all__ = [
    "ARRAY_LIKE",
    "BOOLEAN",
    "CALLABLE",
    "NONE",
    "RANDOM_STATE",
    "VERBOSE",
    "ConvergenceWarning",
    "Interval",
    "NotFittedError",
    "StrOptions",
    "check_2d_float64",
    "check_array",
    "check_dense_2d",
    "check_is_fitted",
    "check_n_features",
    "check_random_state",
    "check_sample_weight",
    "validate_params",
]


# --------------------------------------------------------------------------- arrays
class ConversionError(ValueError, TypeError):
    """Data that cannot become floats: a ValueError (kmeanslab's rule for bad input) that
    is also the TypeError NumPy and scikit-learn raise for it."""


_DIRECT_FINITE_CHECK = 1 << 14  # elements up to which finiteness is checked value by value
# (ndarray.all calls a Python wrapper: its ufunc's reduce in its place, in the fits'
# fixed costs)
_all = np.logical_and.reduce
_ACCEPTED: dict = {}  # accepted dtypes of check_array, as dtype objects, by tuple


def check_array(X, *, name: str = "X", dtype=("float64", "float32"), copy: bool = False):
    """Return ``X`` as a finite 2-d float array (float32 kept, anything else float64).

    Raises
    ------
    ValueError
        If X is not 2-d, is empty, is complex, or contains NaN or infinity.
    TypeError
        If X is a scipy.sparse matrix (the callers that accept one handle it first).
    """
    if isinstance(X, str):
        raise ValueError(f"Expected a 2-dimensional array for {name}, got a string.")
    if hasattr(X, "tocsr") and hasattr(X, "nnz"):  # scipy.sparse, without importing SciPy
        raise TypeError(
            f"Sparse data was passed for {name}, but dense data is required here. "
            f"Use {name}.toarray() to convert to a dense numpy array."
        )
    arr = np.asarray(X)
    if arr.dtype.kind == "c":
        raise ValueError(f"Complex data not supported in {name}.")
    # (dtype.name is a slow property in Pyodide, and comparing a dtype with a string
    # parses the string: the accepted dtypes as dtype objects, made once per tuple)
    key = dtype if isinstance(dtype, tuple) else tuple(dtype)
    accepted = _ACCEPTED.get(key)
    if accepted is None:
        accepted = _ACCEPTED[key] = tuple(np.dtype(t) for t in key)
    target = arr.dtype if arr.dtype in accepted else accepted[0]
    if copy or arr.dtype is not target:
        try:
            arr = (np.array(arr, dtype=target, copy=True) if copy
                   else arr.astype(target, copy=False))
        except (TypeError, ValueError) as exc:
            raise ConversionError(
                f"{name} could not be converted to a float array: {exc}") from None
    if arr.ndim != 2:
        hint = ""
        if arr.ndim == 1:
            hint = (
                " Reshape your data with X.reshape(-1, 1) if it has a single feature"
                " or X.reshape(1, -1) if it contains a single sample."
            )
        raise ValueError(
            f"Expected a 2-dimensional array for {name}, got an array of shape "
            f"{arr.shape} (ndim={arr.ndim}).{hint}"
        )
    if arr.shape[0] < 1:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={arr.shape}) while a minimum of 1 is required."
        )
    if arr.shape[1] < 1:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required."
        )
    # a finite sum proves every value finite (one pass, no temporary); an infinite one
    # may be an overflow of finite values, so then look at the values themselves. Small
    # arrays are looked at directly (entering np.errstate costs more than that there).
    if arr.size <= _DIRECT_FINITE_CHECK:
        finite = bool(_all(np.isfinite(arr), None))
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            finite = bool(np.isfinite(arr.sum())) or bool(np.isfinite(arr).all())
    if not finite:
        raise ValueError(f"Input {name} contains NaN or infinity.")
    if not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr)
    return arr


def check_dense_2d(X, name: str = "X", dtype=("float64",)) -> np.ndarray:
    """:func:`check_array` (float64 by default) for estimators that take dense data only,
    whose 1-d error says "must be 2-d".

    Raises
    ------
    TypeError
        For scipy.sparse input.
    ValueError
        As :func:`check_array`.
    """
    if not (hasattr(X, "tocsr") and hasattr(X, "nnz")):
        shape = np.asarray(X).shape
        if len(shape) != 2:
            raise ValueError(
                f"{name} must be 2-d (n_samples, n_features); got shape {shape}. Reshape "
                f"your data with {name}.reshape(-1, 1) if it has a single feature or "
                f"{name}.reshape(1, -1) if it contains a single sample."
            )
    return check_array(X, name=name, dtype=dtype)


def check_sample_weight(sample_weight, n_samples: int, dtype) -> np.ndarray:
    """Return sample weights as a 1-d array of ``dtype``; ``None`` means all ones.

    Raises
    ------
    ValueError
        If the shape is wrong, a weight is negative, NaN or infinite, or all are zero.
    """
    if sample_weight is None:  # (np.ones is a Python function: two calls in its place)
        w = np.empty(n_samples, dtype=dtype)
        w.fill(1.0)
        return w
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool):
        w = np.full(n_samples, sample_weight, dtype=dtype)
    else:
        w = np.asarray(sample_weight)
        if w.ndim != 1 or w.shape[0] != n_samples:
            raise ValueError(
                f"sample_weight.shape == {w.shape}, expected ({n_samples},) = (n_samples,)."
            )
        try:
            w = w.astype(dtype)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"sample_weight could not be converted to floats: {exc}") from None
    if not np.isfinite(w).all():
        raise ValueError("sample_weight contains NaN or infinity.")
    if (w < 0).any():
        raise ValueError("Negative values in sample_weight: every weight should be >= 0.")
    if not w.sum() > 0:
        raise ValueError(
            "sample_weight sums to 0: at least one weight should be > 0 (all weights are zero)."
        )
    return np.ascontiguousarray(w)


def check_random_state(seed) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for ``seed`` (None, int, Generator, RandomState)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.RandomState):
        # A legacy RandomState draws the seed of a new Generator: still deterministic.
        return np.random.default_rng(seed.randint(0, 2**31 - 1))
    return np.random.default_rng(seed)


def check_is_fitted(estimator, attribute: str = "cluster_centers_") -> None:
    """Raise :class:`NotFittedError` if ``estimator`` has no ``attribute`` yet."""
    if not hasattr(estimator, attribute):
        name = type(estimator).__name__
        raise not_fitted_error(
            f"This {name} instance is not fitted yet. Call 'fit' with appropriate "
            "arguments before using this estimator."
        )


def check_n_features(estimator, X) -> None:
    """Check that ``X`` has as many features as the data ``estimator`` was fitted on."""
    expected = estimator.n_features_in_
    if X.shape[1] != expected:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{expected} features as input."
        )


def check_2d_float64(X, name: str = "X") -> np.ndarray:
    """``X`` as a finite 2-d float64 array (a copy only when needed).

    Raises
    ------
    ValueError
        If ``X`` is not 2-d, or holds NaN or infinity; the message names ``name``.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-d (n_samples, n_features); got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    return X
