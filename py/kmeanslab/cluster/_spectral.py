"""Spectral clustering with a k-nearest-neighbors affinity (scikit-learn's algorithm).

1. Affinity: the kNN connectivity A (each point and its ``n_neighbors - 1`` nearest
   others, self included as in ``kneighbors_graph(include_self=True)``), symmetrized
   ``W = 0.5 * (A + A.T)``; self-loops are ignored, as ``csgraph.laplacian`` does.
2. Spectral embedding: eigenvectors of the ``n_clusters`` smallest eigenvalues of the
   normalized Laplacian ``L = I - D^-1/2 W D^-1/2`` (the largest of
   ``M = D^-1/2 W D^-1/2``), divided by ``sqrt(D)``, signs made deterministic.
3. k-means (:class:`kmeanslab.KMeans`, ``n_init`` runs) on the embedding.

No SciPy: the graph is kept as edge arrays, products use ``np.bincount``. The
eigenvectors come from, in order of preference:

- the connected components of the graph when there are at least ``n_clusters`` of them
  (eigenvalue 0 of L, one indicator vector per component, exact and instant; this is
  the case of well-separated groups such as the chapter's moons);
- ``np.linalg.eigh`` of the dense M when ``n_samples <= DENSE_MAX`` (dense eigh is
  O(n^3) and, in Pyodide without LAPACK/BLAS, about 0.2 s at n=500 and 10 s at 2,000);
- otherwise LOBPCG on M in the complement of the known component vectors.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Generator
from typing import Any

import numpy as np

from ..utils._estimator import BaseEstimator, ClusterMixin, feature_names_of
from ..utils.validation import check_dense_2d
from ._kmeans import KMeans

__all__ = ["SpectralClustering", "spectral_embedding_steps"]

Record = dict[str, Any]

#: Largest n for which the dense eigensolver is used.
DENSE_MAX = 500
#: Elements in one block of the pairwise distance matrix (2 MB of float64): one block
#: plus its argpartition takes a few tens of ms in Pyodide, between two progress records.
CHUNK_ELEMENTS = 1 << 18


# --------------------------------------------------------------------------- graph
def _knn_steps(X: np.ndarray, n_neighbors: int) -> Generator[float, None, np.ndarray]:
    """(n, n_neighbors) indices of each point's nearest points (itself included)."""
    n, d = X.shape
    cols = np.ascontiguousarray(X.T)
    out = np.empty((n, n_neighbors), dtype=np.intp)
    step = max(1, min(n, CHUNK_ELEMENTS // n))
    buf = np.empty(step * n)
    tmp = np.empty(step * n)
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        D = buf[: (hi - lo) * n].reshape(hi - lo, n)
        T = tmp[: (hi - lo) * n].reshape(hi - lo, n)
        np.subtract(cols[0, lo:hi, None], cols[0][None, :], out=D)
        np.square(D, out=D)
        for j in range(1, d):
            np.subtract(cols[j, lo:hi, None], cols[j][None, :], out=T)
            np.square(T, out=T)
            D += T
        # The point itself (distance 0) must be among its neighbors even with ties.
        D[np.arange(hi - lo), np.arange(lo, hi)] = -1.0
        if n_neighbors < n:
            out[lo:hi] = np.argpartition(D, n_neighbors - 1, axis=1)[:, :n_neighbors]
        else:
            out[lo:hi] = np.arange(n, dtype=np.intp)
        yield hi / n
    return out


class _Graph:
    """Normalized adjacency M = D^-1/2 W D^-1/2 of the symmetrized kNN graph."""

    def __init__(self, neighbors: np.ndarray):
        n, k = neighbors.shape
        src = np.repeat(np.arange(n, dtype=np.intp), k)
        dst = neighbors.reshape(-1).astype(np.intp, copy=False)
        keep = src != dst  # self-loops are ignored by the normalized Laplacian
        src, dst = src[keep], dst[keep]
        # W = 0.5 (A + A.T): both directions with weight 0.5, duplicates merged.
        s = np.concatenate([src, dst])
        t = np.concatenate([dst, src])
        key = s.astype(np.int64) * n + t
        key, weight = np.unique(key, return_counts=True)
        self.n = n
        self.src = (key // n).astype(np.intp)
        self.dst = (key % n).astype(np.intp)
        w = 0.5 * weight
        self.degree = np.bincount(self.src, weights=w, minlength=n)
        safe = np.where(self.degree > 0, self.degree, 1.0)
        self.sqrt_degree = np.sqrt(safe)
        self.weight = w / (self.sqrt_degree[self.src] * self.sqrt_degree[self.dst])

    def matvec(self, V: np.ndarray) -> np.ndarray:
        """M @ V for V of shape (n, m), one bincount per column."""
        out = np.empty_like(V)
        for j in range(V.shape[1]):
            out[:, j] = np.bincount(
                self.src, weights=self.weight * V[self.dst, j], minlength=self.n
            )
        return out

    def dense(self) -> np.ndarray:
        M = np.zeros((self.n, self.n))
        M[self.src, self.dst] = self.weight
        return M

    def components(self) -> np.ndarray:
        """Connected-component label of each node (0..c-1, by first node)."""
        parent = np.arange(self.n, dtype=np.intp)
        while True:
            pu, pv = parent[self.src], parent[self.dst]
            differ = pu != pv
            if not differ.any():
                break
            lo, hi = np.minimum(pu, pv)[differ], np.maximum(pu, pv)[differ]
            np.minimum.at(parent, hi, lo)
            while True:  # pointer jumping: every node points at its root
                grand = parent[parent]
                if np.array_equal(grand, parent):
                    break
                parent = grand
        _, labels = np.unique(parent, return_inverse=True)
        return labels.reshape(-1).astype(np.intp)


# --------------------------------------------------------------------- eigensolver
def _orthonormalize(B: np.ndarray, AB: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Orthonormal basis Q of span(B) and A @ Q, dropping near-dependent directions."""
    for _ in range(2):  # twice: the second pass repairs the rounding of the first
        scale = np.sqrt(np.einsum("ij,ij->j", B, B))
        scale[scale == 0] = 1.0
        G = (B.T @ B) / np.outer(scale, scale)
        s, U = np.linalg.eigh(G)
        keep = s > 1e-12 * s.max()
        T = U[:, keep] / np.sqrt(s[keep]) / scale[:, None]
        B, AB = B @ T, AB @ T
    return B, AB


def _lobpcg_largest(
    graph: _Graph,
    n_wanted: int,
    constraints: np.ndarray,
    rng: np.random.Generator,
    tol: float = 1e-7,
    max_iter: int = 500,
) -> Generator[float, None, np.ndarray]:
    """Eigenvectors of the ``n_wanted`` largest eigenvalues of M orthogonal to
    ``constraints`` (orthonormal columns), by LOBPCG without preconditioner."""
    n = graph.n
    m = min(n_wanted + 3, n - constraints.shape[1])

    def project(V: np.ndarray) -> np.ndarray:
        if constraints.shape[1]:
            V = V - constraints @ (constraints.T @ V)
        return V

    X = project(rng.standard_normal((n, m)))
    X, AX = _orthonormalize(X, graph.matvec(X))
    P = AP = None
    for it in range(max_iter):
        S = X.T @ AX
        theta, Z = np.linalg.eigh(0.5 * (S + S.T))
        Z = Z[:, ::-1]
        X, AX, theta = X @ Z, AX @ Z, theta[::-1]
        R = project(AX - X * theta)
        residual = np.sqrt(np.einsum("ij,ij->j", R, R))[:n_wanted]
        if residual.max() < tol:
            break
        AR = graph.matvec(R)
        blocks, ablocks = [X, R], [AX, AR]
        if P is not None:
            blocks.append(P)
            ablocks.append(AP)
        Q, AQ = _orthonormalize(np.hstack(blocks), np.hstack(ablocks))
        S = Q.T @ AQ
        _, Z = np.linalg.eigh(0.5 * (S + S.T))
        Z = Z[:, ::-1][:, :m]
        X_new, AX_new = Q @ Z, AQ @ Z
        C = X.T @ X_new
        P, AP = X_new - X @ C, AX_new - AX @ C
        X, AX = X_new, AX_new
        yield min(1.0, (it + 1) / max_iter)
    else:
        warnings.warn(
            f"Spectral embedding did not converge in {max_iter} iterations "
            f"(residual {residual.max():.2e}); the clusters may be approximate.",
            RuntimeWarning,
            stacklevel=3,
        )
    return X[:, :n_wanted]


def _component_vectors(graph: _Graph, labels: np.ndarray, count: int) -> np.ndarray:
    """Orthonormal null vectors of L: sqrt(degree) on each of the ``count`` largest
    components (ties: lowest label), as columns."""
    sizes = np.bincount(labels)
    chosen = np.argsort(-sizes, kind="stable")[:count]
    V = np.zeros((graph.n, count))
    for j, c in enumerate(chosen.tolist()):
        member = labels == c
        v = graph.sqrt_degree * member
        V[:, j] = v / np.linalg.norm(v)
    return V


def spectral_embedding_steps(
    neighbors: np.ndarray,
    n_components: int,
    random_state: int | np.random.Generator | None = None,
) -> Generator[float, None, np.ndarray]:
    """Spectral embedding of a kNN graph given as (n, k) neighbor indices.

    Yields the fraction done; returns the (n, n_components) embedding (eigenvectors of
    the smallest normalized-Laplacian eigenvalues divided by sqrt(degree), each column's
    largest entry made positive).
    """
    graph = _Graph(neighbors)
    labels = graph.components()
    n_comp = int(labels.max()) + 1
    if n_comp > 1:
        warnings.warn(
            f"Graph is not fully connected ({n_comp} components), spectral embedding "
            "may not work as expected.",
            UserWarning,
            stacklevel=3,
        )
    if n_comp >= n_components:
        V = _component_vectors(graph, labels, n_components)
    elif graph.n <= DENSE_MAX:
        _, vecs = np.linalg.eigh(graph.dense())
        V = vecs[:, ::-1][:, :n_components]
    else:
        Y = _component_vectors(graph, labels, n_comp)
        rng = np.random.default_rng(random_state)
        extra = yield from _lobpcg_largest(graph, n_components - n_comp, Y, rng)
        V = np.hstack([Y, extra])
    yield 1.0
    E = V / graph.sqrt_degree[:, None]
    rows = np.argmax(np.abs(E), axis=0)
    signs = np.sign(E[rows, np.arange(E.shape[1])])
    signs[signs == 0] = 1.0
    return E * signs


# ---------------------------------------------------------------------- estimator
def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name}={value} should be >= {minimum}.")
    return int(value)


class SpectralClustering(ClusterMixin, BaseEstimator):
    """Spectral clustering on a k-nearest-neighbors graph (NumPy only).

    scikit-learn's :class:`~sklearn.cluster.SpectralClustering` with
    ``affinity="nearest_neighbors"`` and ``assign_labels="kmeans"`` (its default
    affinity, "rbf", is not implemented); Ng, Jordan and Weiss (NIPS 2001), von Luxburg
    (2007).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, and dimension of the spectral embedding.
    affinity : {"nearest_neighbors"}, default="nearest_neighbors"
        Only the kNN connectivity graph is implemented.
    n_neighbors : int, default=10
        Neighbors of each point in the graph (the point itself included).
    random_state : int, Generator or None
        Seeds the eigensolver's start and the k-means initialization.
    assign_labels : {"kmeans"}, default="kmeans"
        How labels are drawn from the embedding.
    n_init : int, default=10
        k-means runs on the embedding; the best inertia is kept.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), intp
    embedding_ : ndarray of shape (n_samples, n_clusters)
        The spectral embedding k-means ran on.
    neighbors_ : ndarray of shape (n_samples, n_neighbors), intp
        The kNN graph (indices of each point's neighbors).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,), object (DataFrame input)

    Raises
    ------
    ValueError
        From ``fit``: an unsupported ``affinity`` or ``assign_labels``, ``n_clusters``
        or ``n_init`` below 1, ``n_samples`` below ``n_clusters`` or ``n_neighbors``, X
        not 2-d or with NaN or infinity.
    TypeError
        A non-integer ``n_clusters``, ``n_neighbors`` or ``n_init``.
    """

    _fitted_attribute = "labels_"
    _sklearn_tags = {"estimator_type": "clusterer"}

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        affinity: str = "nearest_neighbors",
        n_neighbors: int = 10,
        random_state: int | np.random.Generator | None = None,
        assign_labels: str = "kmeans",
        n_init: int = 10,
    ):
        self.n_clusters = n_clusters
        self.affinity = affinity
        self.n_neighbors = n_neighbors
        self.random_state = random_state
        self.assign_labels = assign_labels
        self.n_init = n_init

    def _validate(self, X: object) -> np.ndarray:
        if self.affinity != "nearest_neighbors":
            raise ValueError(
                f"affinity={self.affinity!r} is not supported; expected 'nearest_neighbors'."
            )
        if self.assign_labels != "kmeans":
            raise ValueError(
                f"assign_labels={self.assign_labels!r} is not supported; expected 'kmeans'."
            )
        _check_int("n_clusters", self.n_clusters, 1)
        _check_int("n_neighbors", self.n_neighbors, 1)
        _check_int("n_init", self.n_init, 1)
        X = check_dense_2d(X)
        n = len(X)
        if n < self.n_clusters:
            raise ValueError(f"n_samples={n} should be >= n_clusters={self.n_clusters}.")
        if n < self.n_neighbors:
            raise ValueError(f"n_samples={n} should be >= n_neighbors={self.n_neighbors}.")
        return X

    def fit_steps(self, X: object, y: object = None) -> Generator[Record, None, SpectralClustering]:
        """Fit, yielding ``{"stage": "neighbors" | "embedding" | "kmeans", "fraction"}``.

        Each record follows a short stretch of work (one block of distances, one
        eigensolver iteration, one k-means iteration), so a caller can report progress
        and stop by no longer iterating. Returns ``self`` (the StopIteration value).
        """
        names = feature_names_of(X)
        X = self._validate(X)
        if isinstance(self.random_state, np.random.Generator):
            rng = self.random_state
        else:
            rng = np.random.default_rng(self.random_state)
        neighbors = yield from _stage("neighbors", _knn_steps(X, int(self.n_neighbors)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # disconnected graph: by design
            embedding = yield from _stage(
                "embedding", spectral_embedding_steps(neighbors, int(self.n_clusters), rng)
            )
        seed = int(rng.integers(2**31 - 1))
        model = KMeans(n_clusters=int(self.n_clusters), n_init=int(self.n_init), random_state=seed)
        for record in model.fit_steps(embedding):
            runs = max(int(record.get("n_runs", 1)), 1)
            yield {"stage": "kmeans", "fraction": min(1.0, int(record.get("run", 0)) / runs)}
        yield {"stage": "kmeans", "fraction": 1.0}
        self.neighbors_ = neighbors
        self.embedding_ = embedding
        self.labels_ = np.asarray(model.labels_, dtype=np.intp)
        self._set_input_attributes(names, X.shape[1])
        return self

    def fit(self, X: object, y: object = None) -> SpectralClustering:
        """Fit the model to X of shape (n_samples, n_features); returns self."""
        for _ in self.fit_steps(X):
            pass
        return self


def _stage(name: str, steps: Generator[float, None, Any]) -> Generator[Record, None, Any]:
    """Wrap a generator of fractions into progress records of one stage."""
    while True:
        try:
            fraction = next(steps)
        except StopIteration as stop:
            return stop.value
        yield {"stage": name, "fraction": float(fraction)}
