"""Exceptions and warnings (mirrors :mod:`sklearn.exceptions`)."""

__all__ = ["ConvergenceWarning", "NotFittedError"]


class NotFittedError(ValueError, AttributeError):
    """Raised when an estimator is used before ``fit`` (like scikit-learn's)."""


class ConvergenceWarning(UserWarning):
    """A recoverable oddity of the fit (fewer distinct clusters than asked, ...)."""


def not_fitted_error(message: str, also: tuple = ()) -> NotFittedError:
    """A :class:`NotFittedError` with ``message``; when scikit-learn is already imported
    it is also scikit-learn's ``NotFittedError``, so that code (and ``check_estimator``)
    catching that one catches it too. scikit-learn is never imported here. ``also``:
    more exception classes it should be (PCA's earlier RuntimeError)."""
    import sys

    sk = sys.modules.get("sklearn.exceptions")
    sk_error = getattr(sk, "NotFittedError", None)
    bases = (NotFittedError,) + (() if sk_error is None else (sk_error,)) + tuple(also)
    if len(bases) == 1:
        return NotFittedError(message)
    cls = _BOTH.get(bases)
    if cls is None:
        cls = _BOTH[bases] = type("NotFittedError", bases, {
            "__module__": __name__,
            "__doc__": NotFittedError.__doc__,
        })
    return cls(message)


_BOTH: dict = {}
