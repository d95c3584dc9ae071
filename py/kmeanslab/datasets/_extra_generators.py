"""Two-dimensional toy datasets beyond blobs and moons (NumPy only).

Each generator returns ``(X, y)``: ``X`` float64 of shape (n_samples, 2) and ``y`` the
true group of each point as ``np.intp``. They follow scikit-learn's semantics (sizes,
shapes, geometry, statistics) but draw from ``np.random.default_rng``, so the random
stream differs from scikit-learn's.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = ["make_anisotropic_blobs", "make_circles", "make_uniform", "make_varied_blobs"]

#: The linear map of scikit-learn's "Demonstration of k-means assumptions" example
#: (rounded): it stretches round blobs into slanted ellipses.
ANISOTROPIC_TRANSFORMATION = ((0.6, -0.6), (-0.4, 0.8))


def _check_n_samples(n_samples: object, name: str = "n_samples", minimum: int = 1) -> int:
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {n_samples!r}.")
    if n_samples < minimum:
        raise ValueError(f"{name}={n_samples} should be >= {minimum}.")
    return int(n_samples)


def _rng(random_state: int | np.random.Generator | None) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None or (
        isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool)
    ):
        return np.random.default_rng(random_state)
    raise TypeError(
        f"random_state must be None, an int or a numpy.random.Generator, got {random_state!r}."
    )


def _shuffled(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y)).astype(np.intp)
    return X[order], y[order]


def _blobs(
    n_samples: int,
    centers: int | Sequence[Sequence[float]] | np.ndarray,
    cluster_std: float | Sequence[float],
    rng: np.random.Generator,
    center_box: tuple[float, float] = (-10.0, 10.0),
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs, split as evenly as scikit-learn's ``make_blobs`` does."""
    stds = np.atleast_1d(np.asarray(cluster_std, dtype=np.float64))
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        n_centers = _check_n_samples(centers, "centers")
        center_xy = rng.uniform(center_box[0], center_box[1], size=(n_centers, 2))
    else:
        center_xy = np.asarray(centers, dtype=np.float64)
        if center_xy.ndim != 2 or center_xy.shape[1] != 2 or len(center_xy) == 0:
            raise ValueError(
                f"centers must be an int or an array of shape (n_centers, 2), "
                f"got shape {center_xy.shape}."
            )
        n_centers = len(center_xy)
    if stds.size == 1:
        stds = np.full(n_centers, stds[0])
    if stds.size != n_centers:
        raise ValueError(
            f"cluster_std has {stds.size} values but there are {n_centers} centers."
        )
    if np.any(stds < 0) or not np.all(np.isfinite(stds)):
        raise ValueError(f"cluster_std must be finite and >= 0, got {stds.tolist()}.")
    per_center = np.full(n_centers, n_samples // n_centers, dtype=np.intp)
    per_center[: n_samples % n_centers] += 1
    X = np.empty((n_samples, 2), dtype=np.float64)
    y = np.repeat(np.arange(n_centers, dtype=np.intp), per_center)
    start = 0
    for i, count in enumerate(per_center.tolist()):
        X[start : start + count] = rng.normal(center_xy[i], stds[i], size=(count, 2))
        start += count
    return _shuffled(X, y, rng)


def make_circles(
    n_samples: int | tuple[int, int] = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: int | np.random.Generator | None = None,
    factor: float = 0.8,
) -> tuple[np.ndarray, np.ndarray]:
    """A large circle containing a smaller one (scikit-learn's ``make_circles``).

    Parameters
    ----------
    n_samples : int or tuple of two ints, default=100
        Total number of points (the outer circle gets ``n_samples // 2``), or the
        numbers on the outer and the inner circle.
    shuffle : bool, default=True
        Shuffle the points (otherwise outer circle first).
    noise : float or None, default=None
        Standard deviation of Gaussian noise added to each coordinate.
    random_state : int, Generator or None
        Seed of ``np.random.default_rng``.
    factor : float, default=0.8
        Radius of the inner circle relative to the outer one (unit), in ``[0, 1)``.

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), intp
        0 for the outer circle, 1 for the inner one.
    """
    if isinstance(n_samples, numbers.Integral) and not isinstance(n_samples, bool):
        total = _check_n_samples(n_samples)
        n_out = total // 2
        n_in = total - n_out
    else:
        try:
            n_out, n_in = n_samples  # type: ignore[misc]
        except (TypeError, ValueError):
            raise ValueError(
                f"n_samples must be an int or a tuple of two ints, got {n_samples!r}."
            ) from None
        n_out = _check_n_samples(n_out, "n_samples[0]", 0)
        n_in = _check_n_samples(n_in, "n_samples[1]", 0)
    if not 0 <= factor < 1:
        raise ValueError(f"factor={factor} should be in [0, 1).")
    if noise is not None and not noise >= 0:
        raise ValueError(f"noise={noise} should be None or >= 0.")
    rng = _rng(random_state)
    angle_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    angle_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.empty((n_out + n_in, 2), dtype=np.float64)
    X[:n_out, 0], X[:n_out, 1] = np.cos(angle_out), np.sin(angle_out)
    X[n_out:, 0], X[n_out:, 1] = factor * np.cos(angle_in), factor * np.sin(angle_in)
    y = np.concatenate([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    if shuffle:
        X, y = _shuffled(X, y, rng)
    if noise is not None:
        X += rng.normal(scale=noise, size=X.shape)
    return X, y


def make_anisotropic_blobs(
    n_samples: int = 500,
    *,
    centers: int | Sequence[Sequence[float]] | np.ndarray = 3,
    random_state: int | np.random.Generator | None = None,
    transformation: Sequence[Sequence[float]] | np.ndarray = ANISOTROPIC_TRANSFORMATION,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs stretched by a linear map: ``X @ transformation``.

    The "anisotropically distributed blobs" of scikit-learn's k-means assumptions
    example, where k-means cuts across the elongated groups.

    Parameters
    ----------
    n_samples : int, default=500
    centers : int or array of shape (n_centers, 2), default=3
        Number of blobs (centers drawn uniformly in [-10, 10]^2) or their centers.
    random_state : int, Generator or None
    transformation : array of shape (2, 2)
        The linear map applied on the right of the (n_samples, 2) points.

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), intp
    """
    n = _check_n_samples(n_samples)
    T = np.asarray(transformation, dtype=np.float64)
    if T.shape != (2, 2) or not np.all(np.isfinite(T)):
        raise ValueError(f"transformation must be a finite 2x2 matrix, got shape {T.shape}.")
    X, y = _blobs(n, centers, 1.0, _rng(random_state))
    # X @ T written out: a 2x2 product is two fused elementwise lines.
    Xt = np.empty_like(X)
    Xt[:, 0] = X[:, 0] * T[0, 0] + X[:, 1] * T[1, 0]
    Xt[:, 1] = X[:, 0] * T[0, 1] + X[:, 1] * T[1, 1]
    return Xt, y


def make_varied_blobs(
    n_samples: int = 500,
    *,
    cluster_std: Sequence[float] | np.ndarray = (1.0, 2.5, 0.5),
    random_state: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs of different spreads, one per entry of ``cluster_std``.

    scikit-learn's "unequal variance" example: k-means, which assumes equal spherical
    clusters, gives part of the wide blob to its tight neighbors.

    Parameters
    ----------
    n_samples : int, default=500
    cluster_std : sequence of floats, default=(1.0, 2.5, 0.5)
        Standard deviation of each blob; its length is the number of blobs (centers
        drawn uniformly in [-10, 10]^2).
    random_state : int, Generator or None

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), intp
    """
    n = _check_n_samples(n_samples)
    stds = np.atleast_1d(np.asarray(cluster_std, dtype=np.float64))
    if stds.ndim != 1 or stds.size == 0:
        raise ValueError("cluster_std must be a non-empty sequence of floats.")
    return _blobs(n, int(stds.size), stds, _rng(random_state))


def make_uniform(
    n_samples: int = 500,
    *,
    low: float = -1.0,
    high: float = 1.0,
    random_state: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in the square ``[low, high)^2``: data with no clusters at all.

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), intp
        All zeros (a single group).
    """
    n = _check_n_samples(n_samples)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"low={low} should be finite and below high={high}.")
    X = _rng(random_state).uniform(low, high, size=(n, 2))
    return X, np.zeros(n, dtype=np.intp)
