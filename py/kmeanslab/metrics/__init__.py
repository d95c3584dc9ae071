"""Metrics: distances, clustering scores, label matchings and image measures.

Mirrors :mod:`sklearn.metrics` where scikit-learn has the function.
"""

from ..image._measures import mse as image_mse
from ..image._measures import psnr
from ._centroid_index import centroid_index
from ._classification import (
    accuracy_score,
    adjusted_rand_score,
    confusion_matrix,
    inertia,
    match_labels_majority,
)
from ._matching import (
    contingency_matrix,
    hungarian_mapping,
    linear_sum_assignment,
    majority_mapping,
    matched_accuracy,
)
from ._unsupervised import silhouette_samples, silhouette_score
from .pairwise import (
    euclidean_distances,
    pairwise_distances_argmin,
    pairwise_distances_argmin_min,
)

__all__ = [
    "accuracy_score",
    "adjusted_rand_score",
    "centroid_index",
    "confusion_matrix",
    "contingency_matrix",
    "euclidean_distances",
    "hungarian_mapping",
    "image_mse",
    "inertia",
    "linear_sum_assignment",
    "majority_mapping",
    "match_labels_majority",
    "matched_accuracy",
    "pairwise_distances_argmin",
    "pairwise_distances_argmin_min",
    "psnr",
    "silhouette_samples",
    "silhouette_score",
]
