"""Exceptions and warnings (mirrors :mod:`sklearn.exceptions`)."""

__all__ = ["ConvergenceWarning", "NotFittedError"]


class NotFittedError(ValueError, AttributeError):
    """Raised when an estimator is used before ``fit`` (like scikit-learn's)."""


class ConvergenceWarning(UserWarning):
    """A recoverable oddity of the fit (fewer distinct clusters than asked, ...)."""
