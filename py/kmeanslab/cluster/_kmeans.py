"""K-means clustering with scikit-learn's API: :class:`KMeans` and :func:`k_means`.

The fit itself runs in :mod:`._lloyd` (exact Lloyd with distance bounds)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np

from ..utils._distances import (
    SMALL_D,
    NearestKernel,
)
from ..utils.validation import (
    ARRAY_LIKE,
    RANDOM_STATE,
    ConvergenceWarning,
    Interval,
    StrOptions,
    check_array,
    check_is_fitted,
    check_n_features,
    check_random_state,
    check_sample_weight,
    validate_params,
)
from ._k_means_common import (
    _check_init_array,
    _column_stats,
    _deduplicate,
    _is_same_clustering,
    _tolerance,
)
from ._lloyd import _lloyd_bounded, _use_elkan
from ._seeding import _INIT_METHODS


# =========================================================================== estimators
class _BaseKMeans:
    """Shared parameter handling and the post-fit API (predict, transform, score)."""

    _parameter_constraints: dict = {
        "n_clusters": [Interval("int", 1, None, "left")],
        "init": [StrOptions({"k-means++", "random"}), ARRAY_LIKE],
        "n_init": [StrOptions({"auto"}), Interval("int", 1, None, "left")],
        "max_iter": [Interval("int", 1, None, "left")],
        "tol": [Interval("real", 0, None, "left")],
        "random_state": [RANDOM_STATE],
    }
    _default_n_init = 10

    # -- parameters --------------------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict:
        """Parameters of this estimator (as scikit-learn's ``get_params``)."""
        return {name: getattr(self, name) for name in self._parameter_constraints}

    def set_params(self, **params):
        """Set parameters (as scikit-learn's ``set_params``); returns self."""
        for name, value in params.items():
            if name not in self._parameter_constraints:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {sorted(self._parameter_constraints)}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items()
                         if not isinstance(v, np.ndarray))
        return f"{type(self).__name__}({args})"

    def _validate_params(self):
        validate_params(self._parameter_constraints, self.get_params(), type(self).__name__)

    def _check_params_vs_input(self, X):
        """Checks needing the data; returns (n_init, init) with init validated."""
        if X.shape[0] < self.n_clusters:
            raise ValueError(
                f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}."
            )
        init = self.init
        is_array = not isinstance(init, str)
        if is_array:
            init = _check_init_array(init, X, self.n_clusters)
        if self.n_init == "auto":
            n_init = self._default_n_init if (init is not None and not is_array
                                              and init == "random") else 1
        else:
            n_init = self.n_init
        if is_array and n_init != 1:
            warnings.warn(
                "Explicit initial center position passed: performing only one init in "
                f"{type(self).__name__} instead of n_init={n_init}.",
                RuntimeWarning,
                stacklevel=3,
            )
            n_init = 1
        return n_init, init

    def _init_centroids(self, X, init, rng, w):
        if isinstance(init, str):
            return _INIT_METHODS[init](X, self.n_clusters, w, rng)
        return init.copy()

    # -- after fit ---------------------------------------------------------------------
    def _check_test_data(self, X):
        check_is_fitted(self)
        X = check_array(X)
        check_n_features(self, X)
        return X.astype(self.cluster_centers_.dtype, copy=False)

    def predict(self, X) -> np.ndarray:
        """Index (np.intp) of the closest cluster center for each sample of X."""
        X = self._check_test_data(X)
        return NearestKernel(self.cluster_centers_).nearest(X)[0]

    def fit_predict(self, X, y=None, sample_weight=None) -> np.ndarray:
        """Fit, then return ``labels_``."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def transform(self, X) -> np.ndarray:
        """Euclidean distances of each sample to every center, shape (n_samples, n_clusters)."""
        X = self._check_test_data(X)
        return self._transform(X)

    def _transform(self, X):
        kern = NearestKernel(self.cluster_centers_)
        out = np.empty((X.shape[0], self.n_clusters), dtype=X.dtype)
        for s in range(0, X.shape[0], kern.chunk):
            e = min(s + kern.chunk, X.shape[0])
            kern.sq_dists_block(X[s:e], out[s:e])
        return np.sqrt(out, out=out)

    def fit_transform(self, X, y=None, sample_weight=None) -> np.ndarray:
        """Fit, then return the distances of X to the centers."""
        self.fit(X, sample_weight=sample_weight)
        return self._transform(check_array(X).astype(self.cluster_centers_.dtype, copy=False))

    def score(self, X, y=None, sample_weight=None) -> float:
        """Opposite of the inertia of X with respect to the fitted centers."""
        X = self._check_test_data(X)
        w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        labels, d1 = NearestKernel(self.cluster_centers_).nearest(X)
        return -float(np.dot(d1.astype(np.float64), w.astype(np.float64)))


class KMeans(_BaseKMeans):
    """K-means clustering (exact Lloyd with Hamerly bounds), scikit-learn's API.

    Parameters
    ----------
    n_clusters : int, default=8
        The number of clusters (centers).
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features), \
default="k-means++"
        Greedy k-means++ seeding, ``n_clusters`` distinct samples drawn with probability
        proportional to their weight, or the initial centers themselves.
    n_init : "auto" or int, default="auto"
        Number of runs from different seeds; the one with the lowest inertia is kept.
        "auto" means 1 for "k-means++" or an array, 10 for "random".
    max_iter : int, default=300
        Maximum number of Lloyd iterations per run.
    tol : float, default=1e-4
        A run stops when the total squared center shift of an iteration is at most
        ``tol`` times the mean per-feature variance of X (or when no label changes).
    random_state : int, numpy.random.Generator or None, default=None
        Seed or generator for the initialization; fixed for reproducible results.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features), dtype of X (float32 or
        float64)
    labels_ : ndarray of shape (n_samples,), dtype np.intp
    inertia_ : float
        Weighted sum of squared distances of the samples to their closest center.
    n_iter_ : int
        Lloyd iterations of the kept run.
    n_features_in_ : int
    inertia_per_init_ : ndarray of shape (n_init,)
        Final inertia of each run, in the order they were run.
    best_init_ : int
        Index of the kept run in ``inertia_per_init_``.
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init="k-means++",
        n_init="auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y=None, sample_weight=None) -> KMeans:
        """Compute the k-means clustering of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            float32 data stays float32; anything else becomes float64.
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : KMeans
        """
        for _ in self.fit_steps(X, y, sample_weight):
            pass
        return self

    def fit_steps(self, X, y=None, sample_weight=None) -> Iterator[dict]:
        """Fit like :meth:`fit`, yielding a progress record after every Lloyd iteration.

        Input is validated when this is called; the fit happens as the returned generator
        is consumed and the fitted attributes are set when it is exhausted (an abandoned
        generator leaves the estimator as it was).

        Yields
        ------
        dict
            ``{"run": r, "n_runs": n_init, "iteration": i, "inertia": float}`` with ``r``
            and ``i`` counted from 0; inertia is that of the iteration's assignment with
            respect to the centers it was made with (as scikit-learn's verbose output).
        """
        self._validate_params()
        X = check_array(X)
        n_init, init = self._check_params_vs_input(X)
        w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        return self._fit_steps(X, w, n_init, init)

    def _fit_steps(self, X, w, n_init, init):
        # (seeding a Generator from OS entropy costs a few ms in Pyodide: only if needed)
        rng = check_random_state(self.random_state) if isinstance(init, str) else None
        n, n_features = X.shape
        small_wide = n_features > SMALL_D and _use_elkan(n, n_features, self.n_clusters)
        stats = _column_stats(X, keep_centered=small_wide)
        tol = _tolerance(X, self.tol, stats.mean_variance)
        dedup = _deduplicate(X, w, self.n_clusters)
        inverse = None
        if dedup is not None:
            X, w, inverse = dedup
            stats = stats._replace(centered=None)
        best = None
        per_init = np.empty(n_init)
        for run in range(n_init):
            centers_init = self._init_centroids(X, init, rng, w)
            core = _lloyd_bounded(X, w, centers_init, self.max_iter, tol, stats)
            while True:
                try:
                    it, inertia = next(core)
                except StopIteration as stop:
                    labels, inertia, centers, n_iter = stop.value
                    break
                yield {"run": run, "n_runs": n_init, "iteration": it, "inertia": inertia}
            per_init[run] = inertia
            if best is None or (
                inertia < best[1] and not _is_same_clustering(labels, best[0], self.n_clusters)
            ):
                best = (labels, inertia, centers, n_iter, run)
        labels, inertia, centers, n_iter, run = best
        if inverse is not None:
            labels = labels[inverse]
        # (a count, not np.unique: sorting 100k labels costs milliseconds in Pyodide)
        distinct = int(np.count_nonzero(np.bincount(labels, minlength=self.n_clusters)))
        if distinct < self.n_clusters:
            warnings.warn(
                f"Number of distinct clusters ({distinct}) found smaller than "
                f"n_clusters ({self.n_clusters}). Possibly due to duplicate points in X.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.cluster_centers_ = centers
        self.labels_ = labels
        self.inertia_ = float(inertia)
        self.n_iter_ = int(n_iter)
        self.n_features_in_ = n_features
        self.inertia_per_init_ = per_init
        self.best_init_ = int(run)
