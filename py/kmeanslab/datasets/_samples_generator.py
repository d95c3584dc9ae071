"""Toy data generators in NumPy only, with scikit-learn's signatures and semantics.

An integer ``random_state`` seeds a ``numpy.random.RandomState`` drawn from in the same
order as scikit-learn, so ``make_blobs`` and ``make_moons`` give exactly scikit-learn's
points: the chapter's figures and seeds (its bad seed ``rseed=0``) reproduce as printed.
A ``numpy.random.Generator`` is honoured too (other points, same distribution). Labels
are ``np.intp``.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["make_blobs", "make_moons"]


def _legacy_rng(random_state):
    """A RandomState for None or an int (scikit-learn's stream), else the given generator."""
    if random_state is None or isinstance(random_state, numbers.Integral):
        return np.random.RandomState(random_state)
    if isinstance(random_state, np.random.RandomState | np.random.Generator):
        return random_state
    raise ValueError(
        f"random_state={random_state!r} should be None, an int, a numpy RandomState or "
        "Generator."
    )


def _shuffle(rng, X, y):
    # As sklearn.utils.shuffle: shuffle an index array in place with the same generator.
    perm = np.arange(X.shape[0])
    rng.shuffle(perm)
    return X[perm], y[perm]


def make_blobs(
    n_samples=100,
    n_features: int = 2,
    *,
    centers=None,
    cluster_std=1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs for clustering.

    Parameters
    ----------
    n_samples : int or array-like of int, default=100
        Total number of points, split as evenly as possible between the centers (the
        first ``n_samples % n_centers`` centers get one more), or the number per center.
    n_features : int, default=2
        Number of features; ignored when ``centers`` is an array.
    centers : int or array-like of shape (n_centers, n_features), default=None
        Number of centers drawn uniformly in ``center_box`` (3 when None and
        ``n_samples`` is an int), or the centers themselves.
    cluster_std : float or array-like of float, default=1.0
        Standard deviation of each blob (one value, or one per center).
    center_box : tuple of float, default=(-10.0, 10.0)
        Bounds of each coordinate of random centers.
    shuffle : bool, default=True
        Shuffle the points (otherwise they come blob by blob).
    random_state : int, numpy.random.Generator or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), np.intp
        The blob of each point.
    """
    rng = _legacy_rng(random_state)
    if isinstance(n_samples, numbers.Integral):
        if n_samples < 0:
            raise ValueError(f"n_samples={n_samples} should be >= 0.")
        if centers is None:
            centers = 3
        if isinstance(centers, numbers.Integral):
            n_centers = int(centers)
            if n_centers < 1:
                raise ValueError(f"centers={centers} should be >= 1.")
            centers = rng.uniform(center_box[0], center_box[1], size=(n_centers, n_features))
        else:
            centers = np.atleast_2d(np.asarray(centers, dtype=np.float64))
            n_features = centers.shape[1]
            n_centers = centers.shape[0]
        per_center = np.full(n_centers, n_samples // n_centers, dtype=np.intp)
        per_center[: n_samples % n_centers] += 1
    else:
        per_center = np.asarray(n_samples, dtype=np.intp)
        n_centers = per_center.shape[0]
        if centers is None:
            centers = rng.uniform(center_box[0], center_box[1], size=(n_centers, n_features))
        else:
            centers = np.atleast_2d(np.asarray(centers, dtype=np.float64))
            if centers.shape[0] != n_centers:
                raise ValueError(
                    "Length of `n_samples` not consistent with number of centers. Got "
                    f"n_samples = {tuple(per_center)} and centers = {centers.shape[0]}."
                )
            n_features = centers.shape[1]
    stds = np.broadcast_to(np.asarray(cluster_std, dtype=np.float64), (n_centers,))
    if stds.ndim != 1 or (stds < 0).any():
        raise ValueError("cluster_std should be a non-negative float or one per center.")
    X = np.empty((int(per_center.sum()), n_features))
    y = np.repeat(np.arange(n_centers, dtype=np.intp), per_center)
    start = 0
    for i in range(n_centers):
        stop = start + int(per_center[i])
        X[start:stop] = rng.normal(centers[i], stds[i], size=(stop - start, n_features))
        start = stop
    if shuffle:
        X, y = _shuffle(rng, X, y)
    return X, y


def make_moons(
    n_samples=100, *, shuffle: bool = True, noise: float | None = None, random_state=None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (a case k-means cannot separate).

    Parameters
    ----------
    n_samples : int or tuple of (int, int), default=100
        Total number of points (the outer moon gets ``n_samples // 2``), or the number
        in the outer and in the inner moon.
    shuffle : bool, default=True
    noise : float or None, default=None
        Standard deviation of Gaussian noise added to the points.
    random_state : int, numpy.random.Generator or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
        Outer moon: unit half circle centered at (0, 0), upper half. Inner moon: unit
        half circle centered at (1, 0.5), lower half.
    y : ndarray of shape (n_samples,), np.intp
        0 for the outer moon, 1 for the inner one.
    """
    if isinstance(n_samples, numbers.Integral):
        n_out = n_samples // 2
        n_in = n_samples - n_out
    else:
        try:
            n_out, n_in = (int(v) for v in n_samples)
        except (TypeError, ValueError):
            raise ValueError(
                "`n_samples` can be either an int or a two-element tuple."
            ) from None
    rng = _legacy_rng(random_state)
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.vstack(
        [
            np.append(np.cos(t_out), 1 - np.cos(t_in)),
            np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5),
        ]
    ).T
    y = np.concatenate([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    if shuffle:
        X, y = _shuffle(rng, X, y)
    if noise is not None:
        X += rng.normal(scale=noise, size=X.shape)
    return X, y
