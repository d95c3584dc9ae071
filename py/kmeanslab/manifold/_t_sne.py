"""t-SNE in NumPy only, to embed data before clustering.

It is built for the browser (Pyodide: one thread, no BLAS, where a matrix
product is slow and elementwise work is fast), after van der Maaten (2014) and
Linderman et al. (2019, "FIt-SNE"):

* input similarities ``P`` over the ``3 * perplexity`` nearest neighbours only (as
  scikit-learn's Barnes-Hut TSNE does), each row calibrated to the perplexity by a
  bisection run on all rows at once, then symmetrized into a sparse list of edges;
* attractive forces summed over those edges with ``np.bincount``;
* repulsive forces and the normalization ``Z`` by polynomial interpolation on a
  regular grid and FFT convolution (``method="fft"``, the FIt-SNE scheme): each point
  spreads its charges onto the ``p x p`` nearest grid nodes with Lagrange weights,
  the grid is convolved with the Cauchy kernels by ``np.fft.rfft2``, and the
  potentials are interpolated back. Cost per iteration ~ ``n p^2 + G^2 log G``
  instead of ``n^2``; ``method="exact"`` keeps the ``n^2`` sums for checks;
* scikit-learn's optimizer (momentum, per-parameter gains, early exaggeration 12),
  with openTSNE's per-phase learning rate ``n / exaggeration`` (scikit-learn's
  gradient carries a factor 4, hence ``n / exaggeration / 4`` here), which converges
  in fewer iterations than scikit-learn's single ``n / 48``.
"""

from __future__ import annotations

import warnings
from collections.abc import Generator
from typing import Any

import numpy as np

from ..decomposition._pca import PCA
from ..utils.validation import check_2d_float64 as _check_2d
from ._t_sne_repulsion import _FFTRepulsion, _repulsion_exact
from ._utils import (  # noqa: F401 (public names of this module too)
    _drain,
    _joint_steps,
    conditional_probabilities,
    joint_probabilities,
    nearest_neighbors,
)

_MACHINE_EPSILON = np.finfo(np.double).eps
# Up to this many samples, method="fft" sums the repulsion exactly: the n^2 sums are as
# fast as the grid there (measured natively: 2.0 ms against 3.2 ms per iteration at
# n=500, 6.9 ms against 3.2 ms at n=800), and the grid's error is not averaged away over
# few points (at n=30 it made the estimate of Z negative and the embedding blow up).
EXACT_MAX_SAMPLES = 600
# Iterations between re-centrings of the embedding (and after the last): a fixed schedule,
# not "when a record is due", so that the embedding does not depend on how often a caller
# asks for progress. The gradient is translation-invariant; re-centring only keeps the
# grid's rounding from drifting with the mean (the FFT repulsion sums to zero only
# approximately), so which schedule matters little, as long as it is one.
_RECENTER_EVERY = 10
# Iterations between evaluations of the KL divergence, which only reports progress (the
# gradient does not need it): a log over every edge, as costly as a tenth of an iteration.
# scikit-learn evaluates it every 50 iterations too (``n_iter_check``).
_KL_EVERY = 50


# ------------------------------------------------------------------ t-SNE


class TSNE:
    """t-distributed Stochastic Neighbor Embedding, for the browser.

    Parameters follow :class:`sklearn.manifold.TSNE`; the defaults reproduce the
    chapter's ``TSNE(n_components=2, init='pca', random_state=0)`` in fewer iterations.

    Parameters
    ----------
    n_components : int, default=2
        Embedding dimension; ``method="fft"`` needs 2.
    perplexity : float, default=30.0
    early_exaggeration : float, default=12.0
    learning_rate : float or "auto", default="auto"
        ``"auto"``: ``max(n / exaggeration / 4, 50)`` in each phase (openTSNE's rule in
        scikit-learn's units).
    max_iter : int, default=500
        Total iterations, the first ``n_iter_exaggeration`` of them exaggerated.
    n_iter_exaggeration : int, default=150
    init : {"pca", "random"} or ndarray, default="pca"
        ``"pca"``: the first two principal components scaled to a standard deviation of
        1e-4 on the first, as scikit-learn does. Components the data lacks (fewer
        features or samples than ``n_components``, or rank-deficient data) start as
        noise of standard deviation 1e-6 drawn with ``random_state``.
    method : {"fft", "exact"}, default="fft"
        ``"fft"`` uses the exact sums anyway for ``n_samples <= 600``
        (:data:`EXACT_MAX_SAMPLES`), where they are as fast; ``method_`` says which ran.
    random_state : int, Generator or None, default=None
        Used by ``init="random"``, and by ``init="pca"`` on data with fewer dimensions
        than ``n_components``.
    n_interp : int, default=3
        Interpolation nodes per dimension (``method="fft"``).
    grid_spacing : float, default=0.75
        Target grid spacing in embedding units (``method="fft"``).

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components)
    kl_divergence_ : float
    n_iter_ : int
    method_ : {"fft", "exact"}
        How the repulsion was summed.

    Raises
    ------
    ValueError
        From ``fit``: a parameter out of range (the message names it and the accepted
        values; ``perplexity`` must be less than ``n_samples``), fewer than 2 samples, or
        non-finite input.

    Warns
    -----
    UserWarning
        When all samples are identical: the embedding is then one point (``init="pca"``)
        or structureless (``init="random"``).

    Notes
    -----
    The input is centered and scaled to unit root-mean-square before the neighbour
    distances are computed: the perplexity calibration makes ``P`` invariant to both,
    and a large common offset would otherwise cancel digits in ``|x|^2 - 2 x.y + |y|^2``.
    """

    def __init__(self, n_components: int = 2, *, perplexity: float = 30.0,
                 early_exaggeration: float = 12.0, learning_rate: float | str = "auto",
                 max_iter: int = 500, n_iter_exaggeration: int = 150,
                 init: str | np.ndarray = "pca", method: str = "fft",
                 random_state: Any = None, n_interp: int = 3, grid_spacing: float = 0.75):
        self.n_components = n_components
        self.perplexity = perplexity
        self.early_exaggeration = early_exaggeration
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.n_iter_exaggeration = n_iter_exaggeration
        self.init = init
        self.method = method
        self.random_state = random_state
        self.n_interp = n_interp
        self.grid_spacing = grid_spacing

    def _validate(self, n: int) -> None:
        checks = [
            (self.method in ("fft", "exact"), "method", "'fft' or 'exact'"),
            (isinstance(self.n_components, int | np.integer) and self.n_components >= 1,
             "n_components", "an int >= 1"),
            (self.method != "fft" or self.n_components == 2, "n_components",
             "2 with method='fft'"),
            (float(self.perplexity) > 0, "perplexity", "a number > 0"),
            (float(self.early_exaggeration) >= 1, "early_exaggeration", "a number >= 1"),
            (self.learning_rate == "auto" or (isinstance(self.learning_rate, int | float)
             and self.learning_rate > 0), "learning_rate", "'auto' or a number > 0"),
            (int(self.max_iter) >= 1, "max_iter", "an int >= 1"),
            (0 <= int(self.n_iter_exaggeration) <= int(self.max_iter), "n_iter_exaggeration",
             "an int from 0 to max_iter"),
            (self.n_interp in (2, 3, 4, 5), "n_interp", "2, 3, 4 or 5"),
            (float(self.grid_spacing) > 0, "grid_spacing", "a number > 0"),
        ]
        for ok, name, expected in checks:
            if not ok:
                raise ValueError(f"{name}={getattr(self, name)!r} is invalid; expected {expected}.")
        if n < 2:
            raise ValueError(f"n_samples={n} is too few for t-SNE: at least 2 are needed.")
        if not float(self.perplexity) < n:
            # scikit-learn's wording: "perplexity must be less than n_samples".
            raise ValueError(f"perplexity must be less than n_samples: perplexity="
                             f"{self.perplexity!r}, n_samples={n}; accepted: "
                             f"0 < perplexity < {n}.")

    def _initial(self, X: np.ndarray) -> np.ndarray:
        n = X.shape[0]
        if isinstance(self.init, np.ndarray):
            Y = np.array(self.init, dtype=np.float64)
            if Y.shape != (n, self.n_components):
                raise ValueError(f"init has shape {Y.shape}; expected {(n, self.n_components)}.")
            return Y
        if self.init == "pca":
            k = min(self.n_components, *X.shape)
            Y = np.zeros((n, self.n_components))
            Y[:, :k] = PCA(k).fit_transform(X)
            std = Y.std(axis=0)
            if std[0] == 0.0:
                return Y  # every sample identical: one point
            Y *= 1e-4 / std[0]
            # Components the data lacks (fewer features or samples than n_components,
            # or rank-deficient data) start as tiny noise, not zeros: a coordinate that
            # is zero for every point gets no gradient and stays zero, and t-SNE on a
            # line cannot let points pass each other (1-d runs ended scrambled).
            flat = std <= 1e-8 * std[0]
            if flat.any():
                rng = np.random.default_rng(self.random_state)
                Y[:, flat] = 1e-6 * rng.standard_normal((n, int(flat.sum())))
            return Y
        if self.init == "random":
            rng = np.random.default_rng(self.random_state)
            return 1e-4 * rng.standard_normal((n, self.n_components))
        raise ValueError(f"init={self.init!r} is invalid; expected 'pca', 'random' or an array.")

    def _lr(self, n: int, exaggeration: float) -> float:
        if self.learning_rate == "auto":
            return max(n / exaggeration / 4.0, 50.0)
        return float(self.learning_rate)

    def steps(self, X: Any, every: int = 10) -> Generator[dict[str, Any], None, np.ndarray]:
        """Fit, yielding a record every ``every`` iterations; returns the embedding.

        Records: ``stage`` ("neighbors", "optimize"), ``iteration``, ``max_iter``,
        ``exaggeration``, ``kl_divergence`` (when optimizing: the last one evaluated,
        every 50 iterations and after the last; NaN before the first) and ``embedding``
        (float32 copy of shape (n, n_components)). The embedding does not depend on
        ``every``.

        Raises
        ------
        FloatingPointError
            When the embedding becomes non-finite (seen at the next record).
        """
        X = _check_2d(X)
        n = X.shape[0]
        self._validate(n)
        X = X - X.mean(axis=0)
        scale = float(np.sqrt(np.mean(X * X)))
        if scale > 0.0:
            X /= scale
        else:
            warnings.warn(f"All {n} samples are identical: t-SNE has no structure to embed; "
                          f"the embedding is {'one point' if self.init == 'pca' else 'noise'}.",
                          UserWarning, stacklevel=2)
        steps = _joint_steps(X, float(self.perplexity))
        while True:
            try:
                done = next(steps)
            except StopIteration as stop:
                rows, cols, P = stop.value
                break
            yield {"stage": "neighbors", "iteration": 0, "max_iter": int(self.max_iter),
                   "rows_done": done, "n_samples": n}
        # A record between the symmetrized P and the initial embedding (a PCA): each is
        # a few tens of ms natively, twice that in Pyodide; together too long to cancel.
        yield {"stage": "neighbors", "iteration": 0, "max_iter": int(self.max_iter),
               "rows_done": n, "n_samples": n}
        # P is symmetric and lists each pair both ways: keep each pair once (i < j) and
        # apply its force to both ends, which halves the work over edges per iteration.
        upper = rows < cols
        rows, cols, P = rows[upper], cols[upper], P[upper]
        # KL(P || Q) = sum P log P - sum P log q_num + log Z (P sums to 1); the first term
        # is constant, and over both directions of each pair every sum doubles.
        plogp = 2.0 * float(np.sum(P * np.log(np.maximum(P, _MACHINE_EPSILON))))
        Y = self._initial(X)
        yield {"stage": "optimize", "iteration": 0, "max_iter": int(self.max_iter),
               "exaggeration": float(self.early_exaggeration), "kl_divergence": float("nan"),
               "embedding": Y.astype(np.float32)}
        self.method_ = "fft" if self.method == "fft" and n > EXACT_MAX_SAMPLES else "exact"
        repulse = (_FFTRepulsion(self.n_interp, float(self.grid_spacing))
                   if self.method_ == "fft" else _repulsion_exact)
        Y = np.ascontiguousarray(Y.T)  # (dim, n): 1-d gathers are fast in Pyodide
        update = np.zeros_like(Y)
        gains = np.ones_like(Y)
        grad = np.empty_like(Y)
        dim = Y.shape[0]
        kl = float("nan")
        n_ee = int(self.n_iter_exaggeration)
        max_iter = int(self.max_iter)
        for it in range(max_iter):
            exag = float(self.early_exaggeration) if it < n_ee else 1.0
            momentum = 0.5 if it < n_ee else 0.8
            lr = self._lr(n, exag)
            diffs = [Y[a][rows] - Y[a][cols] for a in range(dim)]
            d2 = diffs[0] * diffs[0]
            for d in diffs[1:]:
                d2 += d * d
            q_num = 1.0 / (1.0 + d2)
            w = P * q_num
            rep, Z = repulse(Y)
            # Z sums q over all ordered pairs i != j, so it is at least the exact sum over
            # the edges of P (each pair counted both ways): a floor for the grid's
            # estimate, whose error on few or far-apart points can exceed Z itself.
            Z = max(Z, 2.0 * float(q_num.sum()), _MACHINE_EPSILON)
            for a in range(dim):
                f = w * diffs[a]
                grad[a] = np.bincount(rows, f, minlength=n)
                grad[a] -= np.bincount(cols, f, minlength=n)
            grad *= 4.0 * exag
            grad -= rep * (4.0 / Z)
            report = (it + 1) % every == 0 or it == max_iter - 1
            if (it + 1) % _KL_EVERY == 0 or it == max_iter - 1:
                kl = plogp + 2.0 * float(np.sum(P * np.log1p(d2))) + float(np.log(Z))
            inc = update * grad < 0.0
            gains = np.where(inc, gains + 0.2, gains * 0.8)
            np.clip(gains, 0.01, None, out=gains)
            update *= momentum
            update -= lr * gains * grad
            Y += update
            if it == n_ee - 1:
                update[:] = 0.0  # openTSNE restarts the momentum after exaggeration
            if (it + 1) % _RECENTER_EVERY == 0 or it == max_iter - 1:
                Y -= Y.mean(axis=1, keepdims=True)
            if report:
                if not np.isfinite(Y).all():
                    raise FloatingPointError(
                        f"t-SNE diverged at iteration {it + 1} (non-finite embedding); "
                        f"try a smaller learning_rate than {lr:g}.")
                yield {"stage": "optimize", "iteration": it + 1, "max_iter": max_iter,
                       "exaggeration": exag, "kl_divergence": kl,
                       "embedding": Y.T.astype(np.float32)}
        Y = np.ascontiguousarray(Y.T)
        self.embedding_ = Y
        self.kl_divergence_ = kl
        self.n_iter_ = max_iter
        return Y

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit and return the embedding, of shape (n_samples, n_components)."""
        return _drain(self.steps(X, every=50))

    def fit(self, X: Any, y: Any = None) -> TSNE:
        """Fit; the embedding is in ``embedding_``."""
        self.fit_transform(X)
        return self


def trustworthiness(X: Any, X_embedded: Any, n_neighbors: int = 5) -> float:
    """How well the embedding keeps neighbourhoods, as ``sklearn.manifold.trustworthiness``.

    1 - 2 / (n k (2n - 3k - 1)) * sum over i of sum over j in the embedding's k
    nearest neighbours of i that are not among its k nearest in ``X`` of
    (rank of j among i's neighbours in ``X`` - k). O(n^2) memory.
    """
    X = _check_2d(X)
    E = _check_2d(X_embedded, "X_embedded")
    n = X.shape[0]
    k = int(n_neighbors)
    if not 1 <= k < n / 2:
        raise ValueError(f"n_neighbors={k} should be less than n_samples / 2 = {n / 2}.")
    sq = np.einsum("ij,ij->i", X, X)
    D = sq[:, None] + sq[None, :] - 2.0 * (X @ X.T)
    np.fill_diagonal(D, np.inf)
    ind_X = np.argsort(D, axis=1, kind="stable")
    del D
    _, ind_E = nearest_neighbors(E, k)
    ranks = np.empty((n, n), dtype=np.intp)
    ranks[np.arange(n)[:, None], ind_X] = np.arange(1, n + 1)
    r = ranks[np.arange(n)[:, None], ind_E] - k
    t = float(np.sum(r[r > 0]))
    return 1.0 - t * (2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)))
