"""Fresh sets of the kinds of the clustering basic benchmark (A, S, Unbalance, Dim, G2,
Birch), generated from their published descriptions.

The benchmark's own files are fixed examples; a method tuned on them can pass them and
fail the next set of the same kind. These generators draw a new set of each kind per
seed, so a result can be checked on many instances of a kind rather than one example.
"""

from __future__ import annotations

import re

import numpy as np

from ._extra_generators import _rng, _shuffled

__all__ = ["BENCHMARK_KINDS", "make_benchmark_like"]

# the four sets of the benchmark kept in ``shared/sipu`` beside the clone (not copied into
# the repository: their README states no licence)
SIPU_SETS = ("s1", "s4", "a1", "unbalance")

# kind -> one-line description (the ``kind`` names accepted, apart from the dim and g2
# families, which take their dimension and spread in the name)
BENCHMARK_KINDS = {
    "a1": "20 round clusters of 150 points, 2-d (A sets: more clusters, same density)",
    "a2": "35 round clusters of 150 points: a1's and 15 more",
    "a3": "50 round clusters of 150 points: a2's and 15 more",
    "s1": "15 Gaussian clusters, 5,000 points, 2-d, little overlap (S sets)",
    "s2": "as s1, more overlap",
    "s3": "as s1, more overlap still",
    "s4": "as s1, heavy overlap",
    "unbalance": "3 dense clusters of 2,000 points and 5 sparse ones of 100, 2-d",
    "dimD": "16 well-separated Gaussian clusters, 1,024 points, D features (32..1024)",
    "g2-D-SD": "2 Gaussian clusters of 1,024 points in D features, centers 500 and 600 "
               "in every feature, standard deviation SD (10..100)",
    "birch1": "100 clusters on a 10 x 10 grid, 100,000 points (BIRCH DS1)",
    "birch2": "100 clusters along a sine curve, 100,000 points (BIRCH DS2)",
}

# spacing of neighbouring centers over the cluster spread (median) in the S sets: the
# overlap grows from S1 to S4 (measured as 6.2 and 2.6 on the published S1 and S4)
_S_RATIO = {"s1": 6.2, "s2": 4.6, "s3": 3.4, "s4": 2.6}


def make_benchmark_like(kind: str, *, random_state=None) -> tuple[np.ndarray, np.ndarray]:
    """A new data set of one kind of the clustering basic benchmark, with its labels.

    Kinds (Fränti and Sieranoja 2018 describe the benchmark; the sources of each are
    below):

    - ``"a1"``, ``"a2"``, ``"a3"``: 20, 35 and 50 round Gaussian clusters of 150 points
      each in 2-d, neighbouring centers 4 to 6 spreads apart; each set holds the clusters
      of the one before it and 15 more (Kärkkäinen and Fränti 2002).
    - ``"s1"`` to ``"s4"``: 5,000 points in 15 Gaussian clusters of 300 to 350 points,
      some elongated, with overlap growing from s1 to s4 (Fränti and Virmajoki 2006).
    - ``"unbalance"``: 6,500 points, 3 dense clusters of 2,000 points close together and
      5 sparse ones of 100 points, three times wider, on the other side (Rezaei and
      Fränti 2016).
    - ``"dimD"`` (D from 2 to 1024, e.g. ``"dim32"``): 1,024 points in 16 well-separated
      Gaussian clusters of 64 points in D features, in [0, 255] (Fränti, Virmajoki and
      Hautamäki 2006).
    - ``"g2-D-SD"`` (e.g. ``"g2-16-30"``): 2,048 points in two Gaussian clusters of
      1,024, centered at 500 and 600 in each of D features, standard deviation SD.
    - ``"birch1"``: 100,000 points, 100 clusters of 1,000 on a 10 x 10 grid, radius
      sqrt(2), neighbouring centers 4 sqrt(2) apart (Zhang, Ramakrishnan and Livny 1997,
      data set DS1).
    - ``"birch2"``: 100,000 points, 100 clusters of 1,000 whose centers lie on a sine
      curve of 4 cycles: center i at (2 pi i, 25 sin(2 pi i / 25)), radius sqrt(2) (DS2).

    Parameters
    ----------
    kind : str
        One of the kinds above (``BENCHMARK_KINDS`` lists them).
    random_state : int, numpy.random.Generator or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), np.intp
        The cluster of each point, 0 to n_clusters - 1 (the points are shuffled).

    Raises
    ------
    ValueError
        If ``kind`` is not one of the kinds above, or D or SD is out of range.

    References
    ----------
    P. Fränti and S. Sieranoja, "K-means properties on six clustering benchmark
    datasets", Applied Intelligence 48(12), 2018; T. Zhang, R. Ramakrishnan and M. Livny,
    "BIRCH: A new data clustering algorithm and its applications", Data Mining and
    Knowledge Discovery 1(2), 1997. scikit-learn has no equivalent.
    """
    rng = _rng(random_state)
    name = kind.lower() if isinstance(kind, str) else kind
    if name in ("a1", "a2", "a3"):
        return _a_set(int(name[1]), rng)
    if name in _S_RATIO:
        return _s_set(_S_RATIO[name], rng)
    if name == "unbalance":
        return _unbalance(rng)
    if name in ("birch1", "birch2"):
        return _birch(name, rng)
    m = re.fullmatch(r"dim(\d+)", name) if isinstance(name, str) else None
    if m and 2 <= int(m[1]) <= 1024:
        return _dim(int(m[1]), rng)
    m = re.fullmatch(r"g2-(\d+)-(\d+)", name) if isinstance(name, str) else None
    if m and 1 <= int(m[1]) <= 1024 and 1 <= int(m[2]) <= 100:
        return _g2(int(m[1]), float(m[2]), rng)
    raise ValueError(
        f"kind={kind!r} is not a benchmark kind; expected one of 'a1', 'a2', 'a3', 's1', "
        "'s2', 's3', 's4', 'unbalance', 'birch1', 'birch2', 'dimD' with D in 2..1024, "
        "or 'g2-D-SD' with D in 1..1024 and SD in 1..100."
    )


def _spread_centers(k, side, gap, rng, start=None):
    """k centers in [0, side]^2 (after those of ``start``), no two closer than gap
    (rejection sampling; the gap is chosen to leave room, the fallback never seen)."""
    means = [] if start is None else list(start)
    target = len(means) + k
    for _ in range(2000 * k):
        p = rng.uniform(0.0, side, size=2)
        if not means or min(float(((q - p) ** 2).sum()) for q in means) >= gap * gap:
            means.append(p)
            if len(means) == target:
                break
    while len(means) < target:
        means.append(rng.uniform(0.0, side, size=2))
    return np.array(means)


def _points(means, counts, scale, rng):
    """Gaussian points around ``means``; ``scale`` is (k,) (round clusters) or
    (k, d, d) (a linear map per cluster)."""
    # counts as intp: in wasm32 intp is int32 and repeat refuses int64 counts
    y = np.repeat(np.arange(len(means), dtype=np.intp), np.asarray(counts, dtype=np.intp))
    Z = rng.standard_normal((y.size, means.shape[1]))
    if np.ndim(scale) == 1:
        X = means[y] + Z * np.asarray(scale)[y, None]
    else:
        X = means[y] + np.einsum("nij,nj->ni", np.asarray(scale)[y], Z)
    return _shuffled(X, y, rng)


def _a_set(level, rng):
    # 150 points per cluster, spread ~1,460 in 65,535 units; the square grows with the
    # clusters so that the density stays that of A1 (neighbours 4 to 6 spreads apart)
    sigma, side1 = 1460.0, 65535.0
    means = None
    for k_total in (20, 35, 50)[:level]:
        side = side1 * np.sqrt(k_total / 20)
        new = k_total - (0 if means is None else len(means))
        means = _spread_centers(new, side, 0.36 * side / np.sqrt(k_total), rng, means)
    k = len(means)
    return _points(means, np.full(k, 150), sigma * rng.uniform(0.9, 1.07, k), rng)


def _s_set(ratio, rng):
    k, side = 15, 1e6
    gap = 0.55 * side / np.sqrt(k)
    means = _spread_centers(k, side, gap, rng)
    d = np.sqrt(((means[:, None] - means[None]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    sigma = np.median(d.min(axis=1)) / ratio
    counts = rng.integers(300, 351, size=k)
    counts[-1] += 5000 - counts.sum()
    # elongated clusters: axes sigma * (a, b), a rotation per cluster
    major = sigma * rng.uniform(1.0, 1.25, k)
    minor = major * np.where(rng.random(k) < 0.2, rng.uniform(0.1, 0.4, k),
                             rng.uniform(0.7, 1.0, k))
    th = rng.uniform(0, np.pi, k)
    c, s = np.cos(th), np.sin(th)
    A = np.stack([np.stack([c * major, -s * minor], -1), np.stack([s * major, c * minor], -1)],
                 1)
    return _points(means, counts, A, rng)


def _unbalance(rng):
    # dense: 2,000 points, spread ~3,100, centers ~10 spreads apart; sparse: 100 points,
    # spread ~10,000, ~5-7 spreads apart, in a region to the right of the dense ones
    dense = _spread_centers(3, 70000.0, 30000.0, rng) + np.array([130000.0, 320000.0])
    sparse = _spread_centers(5, 130000.0, 50000.0, rng) + np.array([420000.0, 280000.0])
    means = np.vstack([dense, sparse])
    scale = np.r_[3100.0 * rng.uniform(0.95, 1.05, 3), 10000.0 * rng.uniform(0.85, 1.1, 5)]
    return _points(means, np.r_[np.full(3, 2000), np.full(5, 100)], scale, rng)


def _dim(d, rng):
    means = rng.uniform(0.0, 255.0, size=(16, d))
    X, y = _points(means, np.full(16, 64), np.full(16, 10.0), rng)
    return np.clip(X, 0.0, 255.0), y


def _g2(d, sd, rng):
    means = np.array([np.full(d, 500.0), np.full(d, 600.0)])
    return _points(means, np.full(2, 1024), np.full(2, sd), rng)


def _birch(name, rng):
    i = np.arange(100)
    if name == "birch1":
        step = 4.0 * np.sqrt(2.0)
        means = np.stack([i % 10 * step, i // 10 * step], axis=1)
    else:
        means = np.stack([2 * np.pi * i, 25.0 * np.sin(2 * np.pi * i / 25)], axis=1)
    # radius sqrt(2) (root mean squared distance to the center) in 2-d: unit spread
    return _points(means, np.full(100, 1000), np.ones(100), rng)


def _sipu_folder(root):
    """``shared/sipu`` (a ``pathlib.Path``) beside the clone ``root``, or beside the
    folder that holds it (a worktree); None if neither exists."""
    from pathlib import Path  # (here: the worker's start imports this module)

    root = Path(root)
    for base in (root.parent, root.parent.parent):
        if (base / "shared" / "sipu").is_dir():
            return base / "shared" / "sipu"
    return None


def _load_sipu(folder, name: str) -> tuple[np.ndarray, np.ndarray]:
    """One benchmark set in the layout of Gagolewski's clustering-data collection:
    ``NAME.data.gz`` (a point per line) and ``NAME.labels0.gz`` (1-based labels, 0 for
    noise). Returns X float64 (n, d) and y np.intp (n,). For the tests and the bench;
    the package ships no such data."""
    import gzip
    from pathlib import Path

    folder = Path(folder)
    with gzip.open(folder / f"{name}.data.gz", "rt") as f:
        X = np.loadtxt(f, dtype=np.float64, ndmin=2)
    with gzip.open(folder / f"{name}.labels0.gz", "rt") as f:
        y = np.loadtxt(f, dtype=np.intp)
    return X, y


def _class_means(X, y) -> np.ndarray:
    """The mean of each class of ``y`` (label 0 is noise when labels are 1-based, as in
    :func:`_load_sipu`; pass ``y + 1`` for 0-based labels), in label order."""
    return np.array([X[y == c].mean(axis=0) for c in np.unique(y) if c != 0])
