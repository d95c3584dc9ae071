"""Birch1 and Birch2 (opt-in: ``python build.py bench birch``; minutes natively).

100,000 points in 100 clusters, generated from the BIRCH paper's description (Zhang,
Ramakrishnan and Livny 1997: DS1, a 10 x 10 grid; DS2, centers along a sine curve) by
:func:`kmeanslab.datasets.make_benchmark_like`. Seeds 0-2 of the same four methods as
:mod:`.sipu`, natively: mean centroid index, runs with CI = 0, mean time per fit and its
ratio to scikit-learn's ``KMeans(n_init=10)``. Not run in the page (a scikit-learn fit
there would take minutes).
"""

from __future__ import annotations

from kmeanslab.datasets._benchmark_like import _class_means

from . import BenchContext, print_table
from .sipu import HEADERS, native_table


def birch_sets():
    from kmeanslab.datasets import make_benchmark_like

    for kind in ("birch1", "birch2"):
        X, y = make_benchmark_like(kind, random_state=1000)
        yield kind, X, _class_means(X, y + 1)


def run(ctx: BenchContext) -> None:
    print_table("Birch1 and Birch2 (generated), seeds 0-2, natively", HEADERS,
                native_table(birch_sets(), seeds=range(3)))


if __name__ == "__main__":  # python -m kmeanslab_build.bench.birch
    run(BenchContext(None, 1))
