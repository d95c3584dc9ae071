"""Input and parameter validation shared by the estimators.

Public entry points validate here, then call private cores that assume valid input.
Parameter rules are data (``_parameter_constraints`` dicts of the estimators), checked
by :func:`validate_params`; checks that need the data say both values.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ConvergenceWarning",
    "Interval",
    "NotFittedError",
    "StrOptions",
    "check_array",
    "check_is_fitted",
    "check_n_features",
    "check_random_state",
    "check_sample_weight",
    "validate_params",
]


class NotFittedError(ValueError, AttributeError):
    """Raised when an estimator is used before ``fit`` (like scikit-learn's)."""


class ConvergenceWarning(UserWarning):
    """A recoverable oddity of the fit (fewer distinct clusters than asked, ...)."""


# --------------------------------------------------------------------------- constraints
@dataclass(frozen=True)
class Interval:
    """Numbers of ``kind`` ("int" or "real") in a range; ``None`` means unbounded."""

    kind: str
    left: float | None
    right: float | None
    closed: str = "both"  # "left", "right", "both" or "neither"

    def is_satisfied_by(self, value) -> bool:
        if isinstance(value, bool | np.bool_):
            return False
        if self.kind == "int":
            if not isinstance(value, numbers.Integral):
                return False
        elif not isinstance(value, numbers.Real) or np.isnan(value):
            return False
        if self.left is not None:
            if value < self.left or (value == self.left and self.closed in ("right", "neither")):
                return False
        if self.right is not None:
            if value > self.right or (value == self.right and self.closed in ("left", "neither")):
                return False
        return True

    def __str__(self) -> str:
        noun = "an int" if self.kind == "int" else "a float"
        lo = "-inf" if self.left is None else self.left
        hi = "inf" if self.right is None else self.right
        lb = "[" if self.closed in ("left", "both") and self.left is not None else "("
        rb = "]" if self.closed in ("right", "both") and self.right is not None else ")"
        return f"{noun} in the range {lb}{lo}, {hi}{rb}"


@dataclass(frozen=True)
class StrOptions:
    """One of a fixed set of strings."""

    options: frozenset

    def __init__(self, options: Iterable[str]):
        object.__setattr__(self, "options", frozenset(options))

    def is_satisfied_by(self, value) -> bool:
        return isinstance(value, str) and value in self.options

    def __str__(self) -> str:
        return "a str among {" + ", ".join(repr(o) for o in sorted(self.options)) + "}"


class _ArrayLike:
    def is_satisfied_by(self, value) -> bool:
        return not isinstance(value, str) and (
            hasattr(value, "__array__") or isinstance(value, list | tuple)
        )

    def __str__(self) -> str:
        return "an array-like"


class _RandomState:
    def is_satisfied_by(self, value) -> bool:
        return (
            value is None
            or isinstance(value, np.random.Generator | np.random.RandomState)
            or (isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0)
        )

    def __str__(self) -> str:
        return "None, an int >= 0 or a numpy.random.Generator"


class _NoneConstraint:
    def is_satisfied_by(self, value) -> bool:
        return value is None

    def __str__(self) -> str:
        return "None"


ARRAY_LIKE = _ArrayLike()
RANDOM_STATE = _RandomState()
NONE = _NoneConstraint()


def validate_params(constraints: dict, params: dict, caller: str) -> None:
    """Check ``params`` against ``constraints`` (a dict of lists of accepted kinds).

    Raises
    ------
    ValueError
        Naming the parameter, what it accepts, and what it got.
    """
    for name, accepted in constraints.items():
        if name not in params:
            continue
        value = params[name]
        if any(c.is_satisfied_by(value) for c in accepted):
            continue
        kinds = [str(c) for c in accepted]
        what = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]
        raise ValueError(
            f"The '{name}' parameter of {caller} must be {what}. Got {value!r} instead."
        )


# --------------------------------------------------------------------------- arrays
def check_array(X, *, name: str = "X", dtype=("float64", "float32"), copy: bool = False):
    """Return ``X`` as a finite 2-d float array (float32 kept, anything else float64).

    Raises
    ------
    ValueError
        If X is not 2-d, is empty, is complex, or contains NaN or infinity.
    """
    if isinstance(X, str):
        raise ValueError(f"Expected a 2-dimensional array for {name}, got a string.")
    arr = np.asarray(X)
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported in {name}.")
    target = arr.dtype if arr.dtype.name in dtype else np.dtype(dtype[0])
    try:
        arr = np.array(arr, dtype=target, copy=True) if copy else arr.astype(target, copy=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} could not be converted to a float array: {exc}") from None
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
    # may be an overflow of finite values, so then look at the values themselves
    with np.errstate(over="ignore", invalid="ignore"):
        finite_sum = np.isfinite(arr.sum())
    if not finite_sum and not np.isfinite(arr).all():
        raise ValueError(f"Input {name} contains NaN or infinity.")
    if not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr)
    return arr


def check_sample_weight(sample_weight, n_samples: int, dtype) -> np.ndarray:
    """Return sample weights as a 1-d array of ``dtype``; ``None`` means all ones.

    Raises
    ------
    ValueError
        If the shape is wrong, a weight is negative, NaN or infinite, or all are zero.
    """
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
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
        raise ValueError("sample_weight sums to 0: at least one weight should be > 0.")
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
        raise NotFittedError(
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
