"""Centroid index (CI): how many clusters two sets of centers disagree on."""

from __future__ import annotations

from ..cluster._centroid import _centroid_index
from ..utils.validation import check_array


def centroid_index(centers_a, centers_b) -> int:
    """Centroid index of two sets of cluster centers (Fränti, Rezaei and Zhao, 2014).

    Every center of ``centers_a`` is mapped to its nearest center of ``centers_b``; the
    centers of B that receive no center of A are *orphans*. The same is done from B to A,
    and CI is the larger of the two orphan counts. CI = 0 means that the two solutions
    have the same cluster structure (every true cluster was found, if B is the ground
    truth); CI = c means that c clusters are missing or wrongly placed (for instance two
    centers in one true cluster and none in another gives CI = 1). The index is
    symmetric, and does not depend on the order of the centers.

    Parameters
    ----------
    centers_a : array-like of shape (n_clusters_a, n_features)
        One set of centers, e.g. those found by k-means.
    centers_b : array-like of shape (n_clusters_b, n_features)
        The other set, e.g. the means of the ground-truth clusters. The two sets may
        have different sizes; then CI is at least the difference of the sizes.

    Returns
    -------
    ci : int
        Between 0 and ``max(n_clusters_a, n_clusters_b) - 1``.

    Raises
    ------
    ValueError
        If either set is not a finite 2-d array, or the two have different numbers of
        features.

    References
    ----------
    P. Fränti, M. Rezaei and Q. Zhao, "Centroid index: cluster level similarity
    measure", Pattern Recognition 47(9), 2014, pp. 3034-3045. scikit-learn has no
    equivalent.
    """
    A = check_array(centers_a, name="centers_a", dtype=("float64",))
    B = check_array(centers_b, name="centers_b", dtype=("float64",))
    if A.shape[1] != B.shape[1]:
        raise ValueError(
            f"centers_a has {A.shape[1]} features but centers_b has {B.shape[1]}; "
            "the two sets of centers must have the same number of features."
        )
    return _centroid_index(A, B)
