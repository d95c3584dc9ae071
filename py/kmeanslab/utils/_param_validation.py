"""Parameter rules as data, as scikit-learn's ``_param_validation``.

Each estimator keeps a ``_parameter_constraints`` dict; :func:`validate_params` checks
the parameters against it and names the parameter, its value and what is accepted.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ARRAY_LIKE",
    "BOOLEAN",
    "CALLABLE",
    "NONE",
    "RANDOM_STATE",
    "VERBOSE",
    "Interval",
    "StrOptions",
    "validate_params",
]


# --------------------------------------------------------------------------- constraints
_BOOLS = (bool, np.bool_)


@dataclass(frozen=True)
class Interval:
    """Numbers of ``kind`` ("int" or "real") in a range; ``None`` means unbounded."""

    kind: str
    left: float | None
    right: float | None
    closed: str = "both"  # "left", "right", "both" or "neither"

    def is_satisfied_by(self, value) -> bool:
        # (exact types first: an ABC isinstance costs microseconds in Pyodide)
        cls = type(value)
        if cls is int:
            pass
        elif cls is float:
            if self.kind == "int" or value != value:  # NaN
                return False
        elif isinstance(value, _BOOLS):
            return False
        elif self.kind == "int":
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
            or hasattr(value, "toarray")  # scipy.sparse
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


class _Callable:
    def is_satisfied_by(self, value) -> bool:
        return callable(value) and not isinstance(value, type)

    def __str__(self) -> str:
        return "a callable"


class _Boolean:
    def is_satisfied_by(self, value) -> bool:
        return isinstance(value, _BOOLS)

    def __str__(self) -> str:
        return "an instance of 'bool'"


class _Verbose:
    def is_satisfied_by(self, value) -> bool:
        return isinstance(value, _BOOLS) or (
            isinstance(value, numbers.Integral) and value >= 0
        )

    def __str__(self) -> str:
        return "a bool or an int in the range [0, inf)"


ARRAY_LIKE = _ArrayLike()
CALLABLE = _Callable()
BOOLEAN = _Boolean()
VERBOSE = _Verbose()
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
        for c in accepted:
            if c.is_satisfied_by(value):
                break
        else:
            _raise_invalid(name, accepted, value, caller)


def _raise_invalid(name, accepted, value, caller):
    kinds = [str(c) for c in accepted]
    what = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]
    raise ValueError(
        f"The '{name}' parameter of {caller} must be {what}. Got {value!r} instead."
    )
