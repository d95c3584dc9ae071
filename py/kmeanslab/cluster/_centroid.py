"""The core of the centroid index, for validated float64 centers.

It lives here rather than in :mod:`kmeanslab.metrics` so that the web worker's start
(which imports :mod:`kmeanslab.cluster`, not the metrics package and its image measures)
can report clusters found. The public function is :func:`kmeanslab.metrics.centroid_index`.
"""

from __future__ import annotations

import numpy as np

from ..utils._distances import NearestKernel


def _orphans(A: np.ndarray, B: np.ndarray) -> int:
    """How many rows of ``B`` are the nearest row of B to no row of ``A``."""
    nearest = NearestKernel(B).nearest(A)[0]
    return int(B.shape[0] - np.count_nonzero(np.bincount(nearest, minlength=B.shape[0])))


def _centroid_index(A: np.ndarray, B: np.ndarray) -> int:
    """max(orphans of B mapping A into B, orphans of A mapping B into A)."""
    return max(_orphans(A, B), _orphans(B, A))
