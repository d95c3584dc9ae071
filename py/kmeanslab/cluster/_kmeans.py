"""K-means clustering with scikit-learn's API: :class:`KMeans` and :func:`k_means`.

The fit itself runs in :mod:`._lloyd` (exact Lloyd with distance bounds) for dense data
and in :mod:`._sparse` for scipy.sparse data; the shared post-fit API is in
:mod:`._base`."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np

from ..utils._distances import SMALL_D
from ..utils.validation import (
    BOOLEAN,
    VERBOSE,
    ConvergenceWarning,
    StrOptions,
    check_random_state,
)
from . import _sparse
from ._base import _BaseKMeans
from ._k_means_common import (
    _column_stats,
    _is_same_clustering,
    _tolerance,
)
from ._lloyd import _lloyd_bounded, choose_path
from ._polish import polish_if_needed
from ._repeated_rows import _deduplicate
from ._small import _Small, lloyd_small
from ._small_exact import _bincount, _min

__all__ = ["KMeans", "k_means"]


class KMeans(_BaseKMeans):
    """K-means clustering: exact Lloyd (scikit-learn's ``algorithm="lloyd"``) with
    distance bounds, scikit-learn's API.

    Parameters
    ----------
    n_clusters : int, default=8
        The number of clusters (centers).
    init : {"k-means++", "random"}, callable or array-like of shape \
(n_clusters, n_features), default="k-means++"
        Greedy k-means++ seeding, ``n_clusters`` distinct samples drawn with probability
        proportional to their weight, a callable ``init(X, n_clusters, random_state)``
        returning the centers (``random_state`` is a ``numpy.random.RandomState``, as
        scikit-learn passes), or the initial centers themselves.
    n_init : "auto" or int, default="auto"
        Number of runs from different seeds; the one with the lowest inertia is kept.
        "auto" means 1 for "k-means++", a callable or an array, 10 for "random".
    max_iter : int, default=300
        Maximum number of Lloyd iterations per run.
    tol : float, default=1e-4
        A run stops when the total squared center shift of an iteration is at most
        ``tol`` times the mean per-feature variance of X (or when no label changes).
    verbose : int or bool, default=0
        Print "Initialization complete" and each iteration's inertia, as scikit-learn.
    random_state : int, numpy.random.Generator, RandomState or None, default=None
        Seed or generator for the initialization; fixed for reproducible results.
    copy_x : bool, default=True
        Accepted for scikit-learn compatibility: X is never modified here (the fit
        works on shifted copies or on differences), whatever its value.
    algorithm : {"lloyd", "elkan"}, default="lloyd"
        Both are exact Lloyd and give the same result; both run the fastest exact path
        for the data (every distance for small data, Elkan's or Hamerly's bounds, a grid
        filter for large 2-d data: see ``kmeanslab.cluster._lloyd.choose_path``).

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features), dtype of X (float32
        or float64)
    labels_ : ndarray of shape (n_samples,), dtype np.intp
    inertia_ : float
        Weighted sum of squared distances of the samples to their closest center.
    n_iter_ : int
        Lloyd iterations of the kept run.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,), object
        Column names, when X had string column names (a pandas DataFrame).
    inertia_per_init_ : ndarray of shape (n_init,)
        Final inertia of each run, in the order they were run.
    best_init_ : int
        Index of the kept run in ``inertia_per_init_``.

    Raises
    ------
    ValueError
        From ``fit``: a parameter outside what it accepts (named, with the accepted
        values), ``n_samples < n_clusters`` ("n_samples=5 should be >= n_clusters=8."),
        an init array of the wrong shape, NaN or infinity in X.

    Notes
    -----
    Source: scikit-learn's ``sklearn.cluster.KMeans`` (same fixed point, convergence
    rule and empty-cluster relocation); bounds from Elkan (ICML 2003) and Hamerly (SDM
    2010); seeding from Arthur and Vassilvitskii (SODA 2007).
    """

    _parameter_constraints: dict = {
        **_BaseKMeans._parameter_constraints,
        "verbose": [VERBOSE],
        "copy_x": [BOOLEAN],
        "algorithm": [StrOptions({"lloyd", "elkan"})],
    }

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init="k-means++",
        n_init="auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        verbose: int = 0,
        random_state=None,
        copy_x: bool = True,
        algorithm: str = "lloyd",
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state
        self.copy_x = copy_x
        self.algorithm = algorithm

    def fit(self, X, y=None, sample_weight=None) -> KMeans:
        """Compute the k-means clustering of X.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            float32 data stays float32; anything else becomes float64.
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : KMeans
        """
        # (fit_steps without its progress records, which cost a few microseconds per
        # iteration: a good part of a small fit in Pyodide)
        for _ in self._fit_steps(*self._fit_input(X, sample_weight), records=False,
                                 unit_weights=sample_weight is None):
            pass
        return self

    def fit_steps(self, X, y=None, sample_weight=None) -> Iterator[dict]:
        """Fit like :meth:`fit`, yielding a progress record after every Lloyd iteration.

        Input is validated when this is called; the fit happens as the returned generator
        is consumed and the fitted attributes are set when it is exhausted (an abandoned
        generator leaves the learned attributes as they were).

        Yields
        ------
        dict
            ``{"run": r, "n_runs": n_init, "iteration": i, "inertia": float}`` with ``r``
            and ``i`` counted from 0; inertia is that of the iteration's assignment with
            respect to the centers it was made with (as scikit-learn's verbose output).
        """
        return self._fit_steps(*self._fit_input(X, sample_weight),
                               unit_weights=sample_weight is None)

    def _fit_steps(self, X, w, n_init, init, names=None, records=True, unit_weights=False):
        # (seeding a Generator from OS entropy costs a few ms in Pyodide: only if needed)
        rng = None if isinstance(init, np.ndarray) else check_random_state(self.random_state)
        n, n_features = X.shape
        inverse = None
        path = None
        exact = False  # the run's distances were exact differences (tiny narrow fits)
        if _sparse.is_sparse(X):
            tol = float(_sparse.mean_variance(X) * self.tol)

            def run(centers_init):
                return _sparse.lloyd_sparse(X, w, centers_init, self.max_iter, tol)
        else:
            path = choose_path(X, self.n_clusters)
            if path == "small":  # (its own statistics, from its own copy of the data)
                data = _Small(X, w, self.n_clusters, unit_weights)
                stats, exact = data.stats, data.exact
                tol = _tolerance(X, self.tol, stats.mean_variance)
                quiet = not (records or self.verbose)

                def run(centers_init):
                    return lloyd_small(X, w, centers_init, self.max_iter, tol, None, data,
                                       records=not quiet)
            else:
                stats = _column_stats(X, keep_centered=n_features > SMALL_D and path == "elkan")
                tol = _tolerance(X, self.tol, stats.mean_variance)
                dedup = _deduplicate(X, w, self.n_clusters)
                if dedup is not None:
                    X, w, inverse, copies = dedup
                    stats = stats._replace(centered=None, copies=copies)
                    path = choose_path(X, self.n_clusters)

                reports = bool(records or self.verbose)  # (else no inertia per iteration)

                def run(centers_init):
                    return _lloyd_bounded(X, w, centers_init, self.max_iter, tol, stats, path,
                                          reports)
        best = None
        per_init = np.empty(n_init)
        for r in range(n_init):
            core = run(self._init_centroids(X, init, rng, w))
            if self.verbose:
                print("Initialization complete")
            if records or self.verbose:
                result = yield from self._reported(core, r, n_init)
            else:  # the run to its end, nothing to report
                result = _run_to_end(core)
            labels, inertia, centers, n_iter = result
            per_init[r] = inertia
            if best is None or (
                inertia < best[1] and not _is_same_clustering(labels, best[0], self.n_clusters)
            ):
                best = (labels, inertia, centers, n_iter, r)
        labels, inertia, centers, n_iter, r = best
        # (tiny narrow fits computed exact differences: nothing to polish)
        if not _sparse.is_sparse(X) and not exact:
            polished = polish_if_needed(X, w, labels, centers, n_iter, self.max_iter, stats)
            if polished is not None:
                labels, inertia, centers, n_iter = polished
        if inverse is not None:
            labels = labels[inverse]
        # (a count, not np.unique: sorting 100k labels costs milliseconds in Pyodide;
        # counted only when a cluster is empty)
        counts = _bincount(labels, None, self.n_clusters)
        if not _min(counts) > 0:
            distinct = int(np.count_nonzero(counts))
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
        self.inertia_per_init_ = per_init
        self.best_init_ = int(r)
        self._set_input_attributes(names, n_features)

    def _reported(self, core, r, n_init):
        """Run ``core`` yielding a progress record per iteration; returns its result."""
        while True:
            try:
                it, inertia = next(core)
            except StopIteration as stop:
                return stop.value
            if self.verbose:
                print(f"Iteration {it}, inertia {inertia}.")
            yield {"run": r, "n_runs": n_init, "iteration": it, "inertia": inertia}


def _run_to_end(core):
    """The return value of the generator ``core``, its records discarded."""
    while True:
        try:
            next(core)
        except StopIteration as stop:
            return stop.value


def k_means(
    X,
    n_clusters,
    *,
    sample_weight=None,
    init="k-means++",
    n_init="auto",
    max_iter=300,
    verbose=False,
    tol=1e-4,
    random_state=None,
    copy_x=True,
    algorithm="lloyd",
    return_n_iter=False,
):
    """K-means clustering as a function (scikit-learn's ``sklearn.cluster.k_means``).

    Parameters are those of :class:`KMeans` (same meaning and defaults), plus X and
    ``sample_weight`` of its ``fit``.

    Returns
    -------
    centroid : ndarray of shape (n_clusters, n_features), dtype of X
    label : ndarray of shape (n_samples,), np.intp
    inertia : float
    best_n_iter : int
        Only with ``return_n_iter=True``: Lloyd iterations of the kept run.

    Raises
    ------
    ValueError
        As :meth:`KMeans.fit`.
    """
    est = KMeans(
        n_clusters=n_clusters, init=init, n_init=n_init, max_iter=max_iter, verbose=verbose,
        tol=tol, random_state=random_state, copy_x=copy_x, algorithm=algorithm,
    ).fit(X, sample_weight=sample_weight)
    if return_n_iter:
        return est.cluster_centers_, est.labels_, est.inertia_, est.n_iter_
    return est.cluster_centers_, est.labels_, est.inertia_
