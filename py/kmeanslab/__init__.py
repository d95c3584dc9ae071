"""kmeanslab: pure-NumPy k-means with scikit-learn's API and module layout.

Replace ``sklearn`` by ``kmeanslab`` in an import and the code runs: ``kmeanslab.cluster``,
``kmeanslab.metrics``, ``kmeanslab.datasets``, ``kmeanslab.manifold``,
``kmeanslab.decomposition``, plus ``kmeanslab.image`` (colour quantization) and
``kmeanslab.app`` (the web worker's entry points).

The same code runs natively and in the browser under Pyodide (wasm32, one thread,
no BLAS), which is why the kernels avoid large matrix products and use ``np.intp``
for every label and index.
"""

import importlib

from .cluster import KMeans, MiniBatchKMeans, kmeans_plusplus, lloyd_steps
from .exceptions import ConvergenceWarning, NotFittedError

__all__ = [
    "ConvergenceWarning",
    "KMeans",
    "MiniBatchKMeans",
    "NotFittedError",
    "__version__",
    "kmeans_plusplus",
    "lloyd_steps",
]
__version__ = "0.1.0"

#: Subpackages imported on first use (``kmeanslab.metrics``), so that importing the package,
#: as the web worker does before it reports "ready", runs only what k-means needs.
_LAZY_SUBMODULES = ("app", "datasets", "decomposition", "image", "manifold", "metrics", "utils")


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
