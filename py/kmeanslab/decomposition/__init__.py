"""Matrix decomposition: PCA (mirrors :mod:`sklearn.decomposition`)."""

from ._pca import PCA

__all__ = ["PCA"]
