"""Random swap clustering (Fränti 2018): k-means that escapes its local optima.

k-means only moves each center within its neighbourhood, so a start with two centers in
one true cluster and none in another stays wrong. Random swap moves one center at a time
to another part of the data, fine-tunes with two k-means iterations, and keeps the swap
only if the error dropped. The search state is in :mod:`._swap_state`, a trial swap in
:mod:`._swap_trial`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..utils._threads import one_blas_thread
from ..utils.validation import (
    ARRAY_LIKE,
    RANDOM_STATE,
    Interval,
    StrOptions,
    check_array,
    check_random_state,
    check_sample_weight,
)
from ._kmeans import _BaseKMeans
from ._swap_state import SwapState, _cluster_sums, _sq_dists
from ._swap_trial import trial_swap

# a progress record at least every this many swaps tried, so that the consumer of
# fit_steps (the page's worker) can cancel between swaps within a few milliseconds
_REPORT_EVERY = 16
# patience="auto": this many swaps per cluster without an accepted one end the search
# (measured waits for a fixing swap: up to 4.5 k on overlapping S4-like sets); with at
# most 4 clusters every cluster neighbours every other (alpha = k - 1 in Fränti's
# (k / alpha)^2), and fewer suffice (no run on G2 sets needed a swap at all)
_PATIENCE_PER_CLUSTER = 5
_PATIENCE_FEW_CLUSTERS = 4
# share of the swaps whose removed center is drawn by inverse merge cost (else uniformly)
_BY_MERGE_COST = 0.75


class RandomSwapKMeans(_BaseKMeans):
    """K-means with random swaps of centers: finds every cluster far more often.

    Starts from one seeding (k-means++ by default, one candidate per center) run to a
    k-means fixed point, then repeats a *trial swap*: a center is moved onto a data
    point, the points of the removed cluster and those nearer the new center are
    repartitioned, and ``n_local_iter`` k-means iterations fine-tune the centers. The
    swap is kept if the inertia dropped; a kept solution is then iterated to its k-means
    fixed point (or until KMeans' ``tol``), so the result is a k-means solution like
    KMeans' own: labels are the nearest centers.

    Which swap. Fränti (2018) draws both choices uniformly. Here a quarter of the removed
    centers are drawn uniformly and three quarters with probability inversely
    proportional to the square of Ward's cost of merging the cluster into its nearest
    neighbour (a center sharing a true cluster with another one is cheap to merge; the
    square halved the misses on heavily overlapping sets); half of the new places are
    drawn uniformly and half with probability proportional to the squared distance to
    the current center (as k-means++: regions lacking a center). The uniform shares keep
    the paper's guarantee that every swap has a chance.

    Each trial touches only what it can change (:mod:`._swap_trial`): the points of the
    clusters the new center can reach (by the triangle inequality on the cluster radii)
    and of the removed cluster are repartitioned, the first centroid step is computed
    from the cluster sums alone, and the partition steps run on the members of the
    changed clusters only. Most trials stop after that first centroid step, when their
    error is far above the one to beat. The state is not copied; a kept trial is applied
    with distance bounds (:mod:`._swap_state`).

    Stopping rule. Fränti (2018) shows that the expected number of swaps to fix one
    misplaced center is about ``(k / alpha)^2`` with uniform choices (``alpha``: the
    number of clusters in a neighbourhood), and that once the structure is right, swaps
    bring no real gain. The biased choices above make the fixing swap likely: measured
    on generated A, S, Unbalance and Dim sets (60 runs per kind, 15 n_clusters of
    patience), the wait for a swap that fixed a cluster was at most 0.7 k swaps on the
    A sets, k on Unbalance, 3 k on S3 and 4.5 k on S4 (99% within 3.3 k). The search
    therefore stops after ``patience`` consecutive swaps without an accepted one
    (``"auto"``: 5 * n_clusters, or 4 * n_clusters up to 4 clusters), or after
    ``max_iter`` swaps in all, which bounds the time (each swap is O(n_samples) at
    worst).

    Parameters
    ----------
    n_clusters : int, default=8
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features), \
default="k-means++"
        The starting solution, as for :class:`KMeans` (one run).
    max_iter : int, default=5000
        Hard cap on the number of trial swaps.
    patience : "auto" or int, default="auto"
        Consecutive swaps without an accepted one after which the search stops
        ("auto": 5 * n_clusters; 4 * n_clusters for at most 4 clusters).
    n_local_iter : int, default=2
        k-means iterations after each trial swap (the paper's choice is 2).
    tol : float, default=1e-4
        Tolerance of the k-means runs (the first one and those after a kept swap), as
        :class:`KMeans`' ``tol``: a run also stops when the squared center shifts of an
        iteration sum to at most ``tol`` times the mean per-feature variance.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the seeding and the swaps; a fixed seed gives the same result.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features), dtype of X
    labels_ : ndarray of shape (n_samples,), dtype np.intp
    inertia_ : float
    n_iter_ : int
        Trial swaps made (the iterations of this algorithm).
    n_features_in_ : int
    n_swaps_tried_, n_swaps_accepted_ : int
    swap_history_ : ndarray of shape (n_swaps_accepted_ + 1, 2), float64
        ``(swap number, inertia)`` of the starting k-means solution (swap 0) and after
        each accepted swap, its k-means iterations converged.
    inertia_start_ : float
        Inertia of plain k-means from the same seeding (before any swap).

    References
    ----------
    P. Fränti, "Efficiency of random swap clustering", Journal of Big Data 5:13, 2018.
    P. Fränti and J. Kivijärvi, "Randomised local search algorithm for the clustering
    problem", Pattern Analysis and Applications 3(4), 2000. scikit-learn has no
    equivalent; its ``KMeans(n_init=10)`` is the usual (weaker) remedy.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval("int", 1, None, "left")],
        "init": [StrOptions({"k-means++", "random"}), ARRAY_LIKE],
        "max_iter": [Interval("int", 0, None, "left")],
        "patience": [StrOptions({"auto"}), Interval("int", 1, None, "left")],
        "n_local_iter": [Interval("int", 1, None, "left")],
        "tol": [Interval("real", 0, None, "left")],
        "random_state": [RANDOM_STATE],
    }

    def __init__(self, n_clusters: int = 8, *, init="k-means++", max_iter: int = 5000,
                 patience="auto", n_local_iter: int = 2, tol: float = 1e-4,
                 random_state=None):
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.patience = patience
        self.n_local_iter = n_local_iter
        self.tol = tol
        self.random_state = random_state

    n_init = 1  # one seeding; read by _BaseKMeans._check_params_vs_input

    def fit(self, X, y=None, sample_weight=None) -> RandomSwapKMeans:
        """Compute the clustering of X (see the class docstring); returns self.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            float32 data stays float32 in the result; anything else becomes float64.
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None

        Raises
        ------
        ValueError
            For a parameter outside its accepted values, or fewer samples than clusters.
        """
        steps = self.fit_steps(X, y, sample_weight)
        # one BLAS thread, as scikit-learn's KMeans does: the products here are small,
        # and threads waiting on each other made them up to 50x slower on a busy
        # machine (1,024 x 32 by 32 x 16: 15 ms against 0.3 ms)
        with one_blas_thread():
            for _ in steps:
                pass
        return self

    def fit_steps(self, X, y=None, sample_weight=None) -> Iterator[dict]:
        """Fit like :meth:`fit`, yielding a record after the start and every accepted
        swap, and a progress record at least every 16 swaps tried.

        Input is validated when this is called; the fitted attributes are set when the
        generator is exhausted. Closing it early (``.close()``, the page's Cancel) stops
        between two swaps and leaves the estimator as it was.

        Yields
        ------
        dict
            ``{"kind", "swaps_tried", "swaps_accepted", "inertia"}``; ``kind`` is
            ``"start"`` (plain k-means from the seeding), ``"swap"`` (an accepted swap,
            with ``"center"``: its index, ``"from"`` and ``"to"``: its old and new place,
            shape (n_features,)), ``"progress"``, or ``"final"`` (after the last k-means
            finish). ``start``, ``swap`` and ``final`` also carry ``"centers"`` (float64,
            (n_clusters, n_features)) and ``"labels"`` (np.intp, (n_samples,)).
        """
        self._validate_params()
        X = check_array(X)
        _, init = self._check_params_vs_input(X)
        w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        return self._fit_steps(X, w, init)

    def _fit_steps(self, X, w, init):
        rng = check_random_state(self.random_state)
        k = self.n_clusters
        X64 = X.astype(np.float64, copy=False)
        w64 = w.astype(np.float64, copy=False)
        state = SwapState(X64, w64, k)
        if isinstance(init, str) and init == "k-means++":
            seeds = _seed_plusplus(state.X, state.xx, w64, k, rng)
        else:
            seeds = self._init_centroids(X, init, rng, w).astype(np.float64) - state.shift
        state.set_centers(seeds)
        # KMeans' absolute tolerance: tol times the mean per-feature variance (the state's
        # rows are centered, so that is the mean of their squared norms over n_features)
        tol = float(self.tol * state.xx.mean() / X.shape[1])
        state.converge(tol=tol)
        inertia_start = state.sse
        history = [(0.0, state.sse)]
        yield _record("start", 0, 0, state, full=True)
        patience = ((_PATIENCE_PER_CLUSTER if k > 4 else _PATIENCE_FEW_CLUSTERS) * k
                    if self.patience == "auto"
                    else int(self.patience))
        uniform = np.cumsum(w64)
        tried = accepted = since = 0
        by_distance = by_cost = None
        # one center cannot be swapped anywhere better; no point can hold a new center
        # when every point already is one
        searching = k > 1 and X.shape[0] > k
        while searching and tried < self.max_iter and since < patience:
            if rng.random() < _BY_MERGE_COST:
                if by_cost is None:
                    by_cost = np.cumsum(_inverse_merge_cost(state))
                j = _draw(by_cost, rng)
            else:
                j = int(rng.integers(k))
            if rng.random() < 0.5:
                r = _draw(uniform, rng)
            else:
                if by_distance is None:  # (recomputed only after an accepted swap)
                    by_distance = np.cumsum(state.d1 * w64)
                r = _draw(by_distance if by_distance[-1] > 0 else uniform, rng)
            tried += 1
            since += 1
            # (a gain below rounding is no gain: the kept error must really fall)
            bound = state.sse * (1 - 1e-12)
            trial = trial_swap(state, j, r, self.n_local_iter, bound)
            if trial.sse < bound:
                snap = state.snapshot()
                state.apply(trial.centers, trial.moved, j)
                state.converge(tol=tol)
                if not state.sse < snap[-1]:  # (a bound below by rounding only)
                    state.restore(snap)
                    continue
                source = snap[0][j] + state.shift
                by_distance = by_cost = None
                accepted += 1
                since = 0
                history.append((float(tried), state.sse))
                rec = _record("swap", tried, accepted, state, full=True)
                rec.update(center=j, **{"from": source, "to": X64[r].copy()})
                yield rec
            elif tried % _REPORT_EVERY == 0:
                yield _record("progress", tried, accepted, state)
        state.converge(tol=tol)
        # labels are the nearest centers, and the centers the means of their members
        # (of the labels before the last step if ``tol`` stopped the last run, as in
        # KMeans); the inertia is measured from the data as given (not centered)
        labels = state.labels.copy()
        centers = state.centers + state.shift
        # means from the data as given where the centers are means (exact: a cluster of
        # one point is centered on it, not off by the rounding of the centering)
        W = np.bincount(labels, weights=w64, minlength=k)
        mean = (W > 0) & ~state._pending
        sums = _cluster_sums(labels, X64, k, w64)
        centers[mean] = sums[mean] / W[mean, None]
        if X.shape[1] <= 8:  # (exact: 0 for points on their center)
            diff = X64 - centers[labels]
            inertia = float(np.einsum("ij,ij->i", diff, diff) @ w64)
        else:  # (a pass over wide data: the state's own error, to rounding)
            inertia = state.sse
        yield {"kind": "final", "swaps_tried": tried, "swaps_accepted": accepted,
               "inertia": inertia, "centers": centers, "labels": labels}
        self.cluster_centers_ = centers.astype(X.dtype)
        self.labels_ = labels
        self.inertia_ = inertia
        self.n_iter_ = tried
        self.n_features_in_ = X.shape[1]
        self.n_swaps_tried_ = tried
        self.n_swaps_accepted_ = accepted
        self.swap_history_ = np.asarray(history, dtype=np.float64)
        self.inertia_start_ = float(inertia_start)


_one_blas_thread = one_blas_thread  # (the small loop borrows it from here)


def _seed_plusplus(Xc, xx, w, k, rng) -> np.ndarray:
    """k-means++ seeding (Arthur and Vassilvitskii 2007) with one candidate per center,
    of centered rows ``Xc`` with squared norms ``xx``: the swaps correct a poor seed, so
    the greedy trials of :func:`kmeans_plusplus` (several candidates per center, each a
    pass over the data) do not pay here."""
    centers = np.empty((k, Xc.shape[1]))
    c = _draw(np.cumsum(w), rng)
    d = np.full(Xc.shape[0], np.inf)
    for i in range(k):
        if i:
            cum = np.cumsum(d * w)
            c = _draw(cum if cum[-1] > 0 else np.cumsum(w), rng)
        centers[i] = Xc[c]
        dc = Xc @ (-2.0 * Xc[c])
        dc += xx
        dc += xx[c]
        np.minimum(d, np.maximum(dc, 0.0, out=dc), out=d)
    return centers


def _draw(cumulative: np.ndarray, rng) -> int:
    """An index drawn with probability proportional to the increments of ``cumulative``."""
    r = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
    return min(r, cumulative.shape[0] - 1)


def _inverse_merge_cost(state) -> np.ndarray:
    """1 / (Ward's cost of merging each cluster into its nearest other cluster), shape
    (n_clusters,): large for a center that shares its cluster with another one."""
    k = state.k
    C, W = state.centers, state.weights
    cc = _sq_dists(C, C)
    np.fill_diagonal(cc, np.inf)
    nb = cc.argmin(axis=1)
    cost = W * W[nb] / np.maximum(W + W[nb], 1e-300) * cc[np.arange(k), nb]
    return np.maximum(cost, 1e-150) ** -2.0


def _record(kind, tried, accepted, state, full=False) -> dict:
    rec = {"kind": kind, "swaps_tried": tried, "swaps_accepted": accepted,
           "inertia": float(state.sse)}
    if full:
        rec["centers"] = state.centers + state.shift
        rec["labels"] = state.labels.copy()
    return rec

