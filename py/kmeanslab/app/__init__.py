"""The web worker's entry points: plain data in, plain data out, no UI logic.

One module per panel (:mod:`.points`, :mod:`.image`, :mod:`.digits`), plus the Points
panel's analyses (:mod:`.analysis`) and the in-page benchmark (:mod:`.bench`). Arrays
arrive as buffers (memoryviews of the page's typed arrays) and leave as NumPy arrays,
which :mod:`._bridge` hands back as flat typed arrays. Long operations are generators:
they yield progress records and ``return`` the result.

:data:`REGISTRY` is the one list of operation names: each name is a function of that
name in the module it maps to. Only :mod:`.points` is imported with the package (the
worker reports "ready" after importing it); the other modules are imported on the first
call of one of their operations, so start-up runs only what k-means needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Generator
from typing import Any

from . import points

Record = dict[str, Any]

#: operation name -> the module of :mod:`kmeanslab.app` that defines a function of that name
REGISTRY: dict[str, str] = {
    "info": "points",
    "generate": "points",
    "init_centers": "points",
    "fit": "points",
    "steps": "points",
    "points_sklearn_kmeans": "points",
    "points_elbow": "analysis",
    "points_silhouette": "analysis",
    "points_spectral": "analysis",
    "points_compare_sklearn": "analysis",
    "points_adjusted_rand": "analysis",
    "points_parse_csv": "points_io",
    "image_quantize": "image",
    "image_png": "image",
    "image_decode": "image",
    "image_bench": "image",
    "digits_load": "digits",
    "digits_kmeans": "digits",
    "digits_tsne": "digits",
    "digits_predict": "digits",
    "digits_bench_sklearn_tsne": "digits",
    "bench_kmeans": "bench",
    "export_code": "export",
    "export_notebook": "export",
    "export_figure": "figure",
}

#: modules imported with the package; the others load on first use
EAGER_MODULES = ("points",)


def drain(operation: Any) -> tuple[list[Record], Any]:
    """Run an operation natively to its end: its progress records and its result.

    A long operation is a generator whose ``return`` value is the result; a plain
    operation's result is returned as it is, with no records.
    """
    if not isinstance(operation, Generator):
        return [], operation
    records = []
    while True:
        try:
            records.append(next(operation))
        except StopIteration as stop:
            return records, stop.value


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """``kmeanslab.app.<module>.<name>``, imported when first called."""

    def operation(*args: Any, **kwargs: Any) -> Any:
        target = getattr(importlib.import_module(f".{module}", __name__), name)
        return target(*args, **kwargs)

    operation.__name__ = operation.__qualname__ = name
    operation.__doc__ = f"Runs kmeanslab.app.{module}.{name} (imported on first use)."
    return operation


OPERATIONS: dict[str, Callable[..., Any]] = {
    name: getattr(points, name) if module in EAGER_MODULES else _lazy(module, name)
    for name, module in REGISTRY.items()
}
