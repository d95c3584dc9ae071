"""Many Gaussian blobs of varied size and overlap, in the manner of the S and A sets."""

from __future__ import annotations

import numbers

import numpy as np

from ._extra_generators import _check_n_samples, _rng, _shuffled

__all__ = ["make_many_blobs"]


def make_many_blobs(n_samples: int = 5000, centers: int = 15, *, overlap: float = 0.5,
                    random_state=None) -> tuple[np.ndarray, np.ndarray]:
    """Many round Gaussian blobs in 2-d, of varied size, spread and overlap.

    The kind of data on which k-means from one seeding misses clusters: the centers are
    spread over the square [0, 100]^2 with no two closer than a minimum gap (like the
    benchmark sets S1-S4 and A1-A3 of Fränti and Sieranoja, 2018), each blob gets a
    share of the points between 0.5 and 1.5 times the average and a standard deviation
    between 0.6 and 1.4 times a base one. ``overlap`` sets the base spread relative to
    the gap: 0 gives well separated blobs, 1 blobs that touch heavily (as S4).

    Parameters
    ----------
    n_samples : int, default=5000
        Total number of points (at least ``centers``; every blob gets one or more).
    centers : int, default=15
        Number of blobs, from 1 to 100.
    overlap : float, default=0.5
        From 0 to 1.
    random_state : int, numpy.random.Generator or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), np.intp
        The blob of each point, 0 to ``centers - 1``.

    Raises
    ------
    ValueError
        If ``centers`` is outside 1..100, ``n_samples < centers``, or ``overlap``
        outside [0, 1].

    References
    ----------
    P. Fränti and S. Sieranoja, "K-means properties on six clustering benchmark
    datasets", Applied Intelligence 48(12), 2018. scikit-learn's nearest equivalent is
    ``make_blobs`` (same size and spread for every blob, no minimum gap).
    """
    k = _check_n_samples(centers, "centers")
    if k > 100:
        raise ValueError(f"centers={k} should be <= 100.")
    n = _check_n_samples(n_samples, "n_samples", minimum=k)
    if not isinstance(overlap, numbers.Real) or not 0.0 <= float(overlap) <= 1.0:
        raise ValueError(f"overlap={overlap!r} should be a number in [0, 1].")
    rng = _rng(random_state)
    # minimum gap between centers: a fraction of the spacing of k points on a grid, so
    # that the blobs fill the square whatever k is
    gap = 0.7 * 100.0 / np.sqrt(k)
    means = np.empty((k, 2))
    placed = 0
    for _ in range(200 * k):  # rejection sampling; the gap leaves room for 100 blobs
        p = rng.uniform(0.0, 100.0, size=2)
        if placed == 0 or np.min(((means[:placed] - p) ** 2).sum(axis=1)) >= gap * gap:
            means[placed] = p
            placed += 1
            if placed == k:
                break
    if placed < k:  # (not seen; then the last ones go anywhere)
        means[placed:] = rng.uniform(0.0, 100.0, size=(k - placed, 2))
    share = rng.uniform(0.5, 1.5, size=k)
    counts = np.maximum(1, np.floor(share / share.sum() * n).astype(np.intp))
    counts[np.argmax(counts)] += n - int(counts.sum())
    base = gap * (0.12 + 0.23 * float(overlap))
    stds = base * rng.uniform(0.6, 1.4, size=k)
    y = np.repeat(np.arange(k, dtype=np.intp), counts)
    X = means[y] + rng.standard_normal((n, 2)) * stds[y, None]
    return _shuffled(X, y, rng)
