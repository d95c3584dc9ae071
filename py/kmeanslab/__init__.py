"""kmeanslab: pure-NumPy k-means with scikit-learn's API.

The same code runs natively and in the browser under Pyodide (wasm32, one thread,
no BLAS), which is why the kernels avoid large matrix products and use ``np.intp``
for every label and index.
"""

import importlib

from ._kmeans import KMeans, MiniBatchKMeans, kmeans_plusplus, lloyd_steps
from ._validation import ConvergenceWarning, NotFittedError

__all__ = [
    "ConvergenceWarning",
    "KMeans",
    "MiniBatchKMeans",
    "NotFittedError",
    "datasets",
    "kmeans_plusplus",
    "lloyd_steps",
    "metrics",
]
__version__ = "0.1.0"

#: Submodules imported on first use (``kmeanslab.metrics``), so that importing the package,
#: as the web worker does before it reports "ready", runs only what k-means needs.
_LAZY_SUBMODULES = ("datasets", "metrics")


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
