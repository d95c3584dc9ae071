"""Manifold learning: t-SNE (mirrors :mod:`sklearn.manifold`)."""

from ._t_sne import TSNE, trustworthiness

__all__ = ["TSNE", "trustworthiness"]
