"""kmeanslab: pure-NumPy k-means with scikit-learn's API.

The same code runs natively and in the browser under Pyodide (wasm32, one thread,
no BLAS), which is why the kernels avoid large matrix products and use ``np.intp``
for every label and index.
"""

from . import datasets, metrics
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
