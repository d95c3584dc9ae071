"""Glue between the web worker (JavaScript) and :mod:`kmeanslab.app`.

Only this module knows about Pyodide. It turns the worker's JS arguments into plain
Python (typed arrays become memoryviews, read without copying by ``np.frombuffer``),
runs an operation, and turns results back into JS objects whose arrays are flat typed
arrays the worker can transfer. Generators are driven one record at a time by the
worker, so it can post progress and see "cancel" between records.
"""

from __future__ import annotations

import inspect
import traceback
from typing import Any

import numpy as np

from .. import app

# Keep typed-array dtypes the page understands; anything else is widened.
_JS_DTYPES = {np.dtype(t) for t in ("float32", "float64", "int32", "uint8", "uint32", "int8")}


def _plain(value: Any) -> Any:
    """Make ``value`` convertible by ``to_js``: flat arrays of JS-typed-array dtypes."""
    if isinstance(value, np.ndarray):
        arr = np.ascontiguousarray(value).ravel()
        if arr.dtype not in _JS_DTYPES:
            arr = arr.astype(np.int32 if arr.dtype.kind in "iub" else np.float64)
        return arr
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _to_js(value: Any) -> Any:
    from js import Object  # type: ignore[import-not-found]
    from pyodide.ffi import to_js  # type: ignore[import-not-found]

    return to_js(_plain(value), dict_converter=Object.fromEntries)


def operations() -> list[str]:
    """Names of the operations the worker may call."""
    return list(app.OPERATIONS)


def start(op: str, js_args: Any) -> Any:
    """Call ``app.<op>`` with the worker's arguments.

    Returns ``{"done": True, "value": result}`` for a plain function, or the
    generator itself for a long operation, which :func:`step` then drives.
    """
    if op not in app.OPERATIONS:
        raise ValueError(f"Unknown operation {op!r}; expected one of {sorted(app.OPERATIONS)}.")
    kwargs = js_args.to_py() if hasattr(js_args, "to_py") else dict(js_args or {})
    result = app.OPERATIONS[op](**kwargs)
    if inspect.isgenerator(result):
        return result
    return _to_js({"done": True, "value": result})


def step(gen: Any) -> Any:
    """Advance a long operation by one record: ``{"done", "value"}`` as a JS object."""
    try:
        record = next(gen)
    except StopIteration as stop:
        return _to_js({"done": True, "value": stop.value})
    return _to_js({"done": False, "value": record})


def format_exception(exc: BaseException) -> dict[str, str]:
    """Name, message and traceback of a Python exception, for the page."""
    return {
        "name": type(exc).__name__,
        "message": str(exc),
        "traceback": "".join(traceback.format_exception(exc)),
    }
