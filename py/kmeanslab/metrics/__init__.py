"""Metrics: distances, clustering scores, label matchings and image measures.

Mirrors :mod:`sklearn.metrics` where scikit-learn has the function.

The names are imported from their modules when first used (PEP 562), not with the
package: the Points panel's first Run scores itself with :func:`adjusted_rand_score`,
and importing every metric with it (the image measures pull in :mod:`kmeanslab.image`)
cost that Run about 100 ms in the page.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: public name -> (module, name in it)
_WHERE = {
    "accuracy_score": ("._classification", "accuracy_score"),
    "adjusted_rand_score": ("._classification", "adjusted_rand_score"),
    "centroid_index": ("._centroid_index", "centroid_index"),
    "confusion_matrix": ("._classification", "confusion_matrix"),
    "contingency_matrix": ("._matching", "contingency_matrix"),
    "euclidean_distances": (".pairwise", "euclidean_distances"),
    "hungarian_mapping": ("._matching", "hungarian_mapping"),
    "image_mse": ("..image._measures", "mse"),
    "inertia": ("._classification", "inertia"),
    "linear_sum_assignment": ("._matching", "linear_sum_assignment"),
    "majority_mapping": ("._matching", "majority_mapping"),
    "match_labels_majority": ("._classification", "match_labels_majority"),
    "matched_accuracy": ("._matching", "matched_accuracy"),
    "pairwise_distances_argmin": (".pairwise", "pairwise_distances_argmin"),
    "pairwise_distances_argmin_min": (".pairwise", "pairwise_distances_argmin_min"),
    "psnr": ("..image._measures", "psnr"),
    "silhouette_samples": ("._unsupervised", "silhouette_samples"),
    "silhouette_score": ("._unsupervised", "silhouette_score"),
}

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


#: public submodules, attributes of the package as in scikit-learn (``metrics.pairwise``)
_SUBMODULES = frozenset({"pairwise"})


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:  # (importing it sets the attribute for later look-ups)
        return importlib.import_module(f".{name}", __name__)
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attr = _WHERE[name]
    value = getattr(importlib.import_module(module, __name__), attr)
    globals()[name] = value  # (looked up once)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)


if TYPE_CHECKING:  # (for type checkers and editors: the same names, imported eagerly)
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
