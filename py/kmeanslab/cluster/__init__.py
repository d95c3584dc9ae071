"""Clustering: k-means (exact Lloyd, mini-batch), its seeding, and spectral clustering.

Mirrors :mod:`sklearn.cluster`. The exact-Lloyd kernels are private modules here:
``_elkan`` (small data), ``_grid`` (large 2-d data), ``_hamerly`` (other large data).
"""

from ._kmeans import KMeans, k_means
from ._lloyd_steps import lloyd_steps
from ._minibatch import MiniBatchKMeans
from ._random_swap import RandomSwapKMeans
from ._seeding import kmeans_plusplus

__all__ = [
    "KMeans",
    "MiniBatchKMeans",
    "RandomSwapKMeans",
    "SpectralClustering",  # noqa: F822 (module __getattr__ below)
    "k_means",
    "kmeans_plusplus",
    "lloyd_steps",
]


def __getattr__(name: str):
    # imported on first use: the web worker's start imports only what k-means needs
    if name == "SpectralClustering":
        from ._spectral import SpectralClustering

        return SpectralClustering
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
