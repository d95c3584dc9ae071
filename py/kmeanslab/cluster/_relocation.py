"""Where empty clusters go: scikit-learn's relocation rule, made safe for zero weights."""

from __future__ import annotations

import numpy as np


def relocation_targets(dist, w, n_empty: int) -> np.ndarray:
    """The points that ``n_empty`` empty clusters take (intp indices, at most ``n_empty``).

    scikit-learn's rule, the points farthest from their centers, among the points that
    would change something: a positive weight (a zero-weight point leaves its new cluster
    without weight, so it was relocated again at every iteration and the fit never
    converged) and a positive distance (a point on its own center gains nothing). When
    fewer points qualify, the other empty clusters keep their centers.
    """
    dist = np.asarray(dist, dtype=np.float64)
    if w is not None:
        dist = np.where(np.asarray(w) > 0, dist, 0.0)
    n = min(n_empty, int(np.count_nonzero(dist > 0)))
    if n == 0:
        return np.empty(0, dtype=np.intp)
    return np.argpartition(dist, -n)[: -n - 1 : -1].astype(np.intp)
