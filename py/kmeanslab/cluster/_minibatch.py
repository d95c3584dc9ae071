"""Mini-batch k-means (Sculley, "Web-scale k-means clustering", WWW 2010), with
scikit-learn's :class:`~sklearn.cluster.MiniBatchKMeans` semantics."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np

from ..utils._distances import NearestKernel
from ..utils._estimator import feature_names_of
from ..utils.validation import (
    BOOLEAN,
    NONE,
    VERBOSE,
    Interval,
    check_random_state,
    check_sample_weight,
)
from . import _sparse
from ._base import _BaseKMeans
from ._k_means_common import _label_sums, _tolerance


class MiniBatchKMeans(_BaseKMeans):
    """Mini-batch k-means (scikit-learn's algorithm), for large data and color quantization.

    Parameters
    ----------
    n_clusters : int, default=8
    init : {"k-means++", "random"}, callable or array-like of shape \
(n_clusters, n_features), default="k-means++"
        Seeding (run on a random subset of ``init_size`` samples), a callable
        ``init(X, n_clusters, random_state)``, or the initial centers.
    max_iter : int, default=100
        Maximum number of passes over the data (epochs).
    batch_size : int, default=1024
        Samples per mini-batch.
    verbose : int or bool, default=0
        Print each step's mean batch inertia.
    compute_labels : bool, default=True
        Compute ``labels_`` and ``inertia_`` on the whole data at the end of ``fit``
        (and of the batch in ``partial_fit``).
    random_state : int, numpy.random.Generator, RandomState or None, default=None
    tol : float, default=0.0
        Early stop when the squared center change of a step is at most ``tol`` times the
        mean per-feature variance (0 disables it).
    max_no_improvement : int or None, default=10
        Early stop after this many steps without improvement of the smoothed batch
        inertia (None disables it).
    init_size : int or None, default=None
        Samples the seeding runs on (and the n_init candidates are scored on); None
        means ``3 * batch_size``, or ``3 * n_clusters`` if that is smaller than
        ``n_clusters``; at most n_samples.
    n_init : "auto" or int, default="auto"
        Number of seedings tried (each scored on the same validation subset); "auto" is
        1 for "k-means++", a callable or an array, 3 for "random".
    reassignment_ratio : float, default=0.01
        Centers whose accumulated weight is below this fraction of the largest are
        re-seeded from the batch from time to time.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features), dtype of X
    labels_ : ndarray of shape (n_samples,), np.intp (with ``compute_labels``)
    inertia_ : float
        Exact (float64) weighted inertia of X (with ``compute_labels``).
    n_iter_ : int
        Epochs run; ``n_steps_``: mini-batch steps run.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,), object (DataFrame input)

    Raises
    ------
    ValueError
        As :class:`KMeans`.
    """

    _parameter_constraints: dict = {
        **_BaseKMeans._parameter_constraints,
        "batch_size": [Interval("int", 1, None, "left")],
        "verbose": [VERBOSE],
        "compute_labels": [BOOLEAN],
        "max_no_improvement": [Interval("int", 0, None, "left"), NONE],
        "init_size": [Interval("int", 1, None, "left"), NONE],
        "reassignment_ratio": [Interval("real", 0, None, "left")],
    }
    _default_n_init = 3

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init="k-means++",
        max_iter: int = 100,
        batch_size: int = 1024,
        verbose: int = 0,
        compute_labels: bool = True,
        random_state=None,
        tol: float = 0.0,
        max_no_improvement: int | None = 10,
        init_size: int | None = None,
        n_init="auto",
        reassignment_ratio: float = 0.01,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.verbose = verbose
        self.compute_labels = compute_labels
        self.random_state = random_state
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio

    def _sizes(self, n):
        """(batch size, init size) for n samples, as scikit-learn's."""
        batch = min(self.batch_size, n)
        init_size = self.init_size
        if init_size is None:
            init_size = 3 * batch
            if init_size < self.n_clusters:
                init_size = 3 * self.n_clusters
        elif init_size < self.n_clusters:
            warnings.warn(
                f"init_size={init_size} should be larger than n_clusters={self.n_clusters}. "
                "Setting it to min(3*n_clusters, n_samples)",
                RuntimeWarning,
                stacklevel=3,
            )
            init_size = 3 * self.n_clusters
        return batch, min(init_size, n)

    def _init_subset(self, X, init, rng, w, init_size):
        if isinstance(init, str) and init_size < X.shape[0]:
            if np.all(w > 0):
                idx = rng.integers(0, X.shape[0], init_size).astype(np.intp)
            else:  # a zero-weight row cannot seed a center: draw the subset among the others
                positive = np.flatnonzero(w > 0).astype(np.intp)
                if positive.size <= init_size:
                    idx = positive
                else:
                    idx = positive[rng.integers(0, positive.size, init_size)]
            return self._init_centroids(X[idx], init, rng, w[idx])
        return self._init_centroids(X, init, rng, w)

    def fit(self, X, y=None, sample_weight=None) -> MiniBatchKMeans:
        """Compute the centers on X (array-like or scipy.sparse, shape (n_samples,
        n_features)) by mini-batches; returns self."""
        for _ in self.fit_steps(X, y, sample_weight):
            pass
        return self

    def fit_steps(self, X, y=None, sample_weight=None) -> Iterator[dict]:
        """Fit like :meth:`fit`, yielding ``{"step": i, "n_steps": n_steps, "inertia":
        mean batch inertia}`` after every mini-batch step (validation happens now)."""
        return self._fit_steps(*self._fit_input(X, sample_weight))

    def _fit_steps(self, X, w, n_init, init, names=None):
        n = X.shape[0]
        sparse = _sparse.is_sparse(X)
        rng = check_random_state(self.random_state)
        batch, init_size = self._sizes(n)
        tol = float(_sparse.mean_variance(X) * self.tol) if sparse else _tolerance(X, self.tol)
        valid = rng.integers(0, n, init_size).astype(np.intp)
        X_valid, w_valid = X[valid], w[valid].astype(np.float64)
        best = None
        for _ in range(n_init):
            centers = self._init_subset(X, init, rng, w, init_size)
            d1 = self._batch_labels(X_valid, centers)[1]
            inertia = float(np.einsum("i,i->", d1.astype(np.float64), w_valid))
            if best is None or inertia < best[1]:
                best = (centers, inertia)
        centers = best[0].copy()
        self._counts = np.zeros(self.n_clusters, dtype=X.dtype)
        self._n_since_last_reassign = 0
        ewa = {"ewa": None, "ewa_min": None, "no_improvement": 0}
        n_steps = (self.max_iter * n) // batch
        w64 = w.astype(np.float64)
        uniform = bool(np.all(w64 == w64[0]))
        cdf = None if uniform else np.cumsum(w64 / w64.sum())
        unit = np.ones(batch, dtype=X.dtype)
        i = 0
        for i in range(n_steps):
            if uniform:
                idx = rng.integers(0, n, batch).astype(np.intp)
            else:
                idx = np.searchsorted(cdf, rng.random(batch) * cdf[-1]).astype(np.intp)
                np.clip(idx, None, n - 1, out=idx)
            old = centers.copy() if tol > 0 else None
            batch_inertia = self._step(X[idx], unit, centers, rng)
            diff = 0.0 if old is None else float(np.sum((centers - old) ** 2))
            if self.verbose:
                print(f"Minibatch step {i}/{n_steps}: mean batch inertia: "
                      f"{batch_inertia / batch}")
            yield {"step": i, "n_steps": n_steps, "inertia": batch_inertia / batch}
            if self._converged(i, n, batch, diff, batch_inertia, tol, ewa):
                break
        self.cluster_centers_ = centers
        self._rng = rng  # partial_fit goes on with it
        self._set_input_attributes(names, X.shape[1])
        self.n_steps_ = i + 1
        self.n_iter_ = int(np.ceil((i + 1) * batch / n))
        if self.compute_labels:
            self.labels_, d1 = self._nearest(X)
            self.inertia_ = float(np.einsum("i,i->", d1, w64))

    @staticmethod
    def _batch_labels(Xb, centers):
        """Labels and squared distances of a batch (the fast kernel: the values steer
        the algorithm only; reported values come from :meth:`_nearest`)."""
        if _sparse.is_sparse(Xb):
            return _sparse.nearest(Xb, _sparse.row_sq_norms(Xb), centers, refine=False)
        return NearestKernel(centers).nearest(Xb)

    def _step(self, Xb, wb, centers, rng) -> float:
        """One mini-batch update of ``centers`` (in place); returns the batch inertia."""
        k = self.n_clusters
        labels, d1 = self._batch_labels(Xb, centers)
        wb64 = wb.astype(np.float64)
        inertia = float(np.einsum("i,i->", d1.astype(np.float64), wb64))
        if _sparse.is_sparse(Xb):
            S, W = _sparse._cluster_sums(Xb, wb64, labels, k)
        else:
            S, W, _ = _label_sums(Xb, wb64, labels, k, np.zeros(Xb.shape[1]))
        counts = self._counts.astype(np.float64)
        hit = W > 0
        total = counts[hit] + W[hit]
        centers[hit] = (centers[hit] * counts[hit, None] + S[hit]) / total[:, None]
        self._counts[hit] = total
        self._n_since_last_reassign += Xb.shape[0]
        if (self._counts == 0).any() or self._n_since_last_reassign >= 10 * k:
            self._n_since_last_reassign = 0
            if self.reassignment_ratio > 0:
                self._reassign(Xb, centers, rng)
        return inertia

    def _reassign(self, Xb, centers, rng):
        to_reassign = self._counts < self.reassignment_ratio * self._counts.max()
        if to_reassign.sum() > 0.5 * Xb.shape[0]:
            keep = np.argsort(self._counts)[int(0.5 * Xb.shape[0]) :]
            to_reassign[keep] = False
        n_reassigns = int(to_reassign.sum())
        if n_reassigns:
            picks = rng.choice(Xb.shape[0], size=n_reassigns, replace=False)
            rows = _sparse.dense_rows(Xb, picks) if _sparse.is_sparse(Xb) else Xb[picks]
            centers[to_reassign] = rows
            self._counts[to_reassign] = np.min(self._counts[~to_reassign])

    def _converged(self, step, n, batch, diff, batch_inertia, tol, st) -> bool:
        batch_inertia /= batch
        if step == 0:  # the first step's inertia is that of the initialization
            return False
        if st["ewa"] is None:
            st["ewa"] = batch_inertia
        else:
            alpha = min(batch * 2.0 / (n + 1), 1.0)
            st["ewa"] = st["ewa"] * (1 - alpha) + batch_inertia * alpha
        if tol > 0.0 and diff <= tol:
            return True
        if st["ewa_min"] is None or st["ewa"] < st["ewa_min"]:
            st["no_improvement"] = 0
            st["ewa_min"] = st["ewa"]
        else:
            st["no_improvement"] += 1
        return (
            self.max_no_improvement is not None
            and st["no_improvement"] >= self.max_no_improvement
        )

    def partial_fit(self, X, y=None, sample_weight=None) -> MiniBatchKMeans:
        """Update the centers with one mini-batch X (initializing them on the first
        call); with ``compute_labels``, ``labels_`` and ``inertia_`` are those of X."""
        self._validate_params()
        fitted = hasattr(self, "cluster_centers_")
        names = feature_names_of(X)
        X = self._validate_data(X, reset=not fitted)
        if fitted and not _sparse.is_sparse(X):
            X = X.astype(self.cluster_centers_.dtype, copy=False)
        w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        if not fitted:
            self._rng = check_random_state(self.random_state)
            _, init = self._check_params_vs_input(X)
            _, init_size = self._sizes(X.shape[0])
            self.cluster_centers_ = self._init_subset(X, init, self._rng, w, init_size)
            self._counts = np.zeros(self.n_clusters, dtype=X.dtype)
            self._n_since_last_reassign = 0
            self._set_input_attributes(names, X.shape[1])
            self.n_steps_ = 0
        self._step(X, w, self.cluster_centers_, self._rng)
        if self.compute_labels:
            self.labels_, d1 = self._nearest(X)
            self.inertia_ = float(np.einsum("i,i->", d1, w.astype(np.float64)))
        self.n_steps_ += 1
        return self
