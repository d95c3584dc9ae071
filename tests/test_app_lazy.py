"""The worker's entry module imports only what k-means needs; the rest loads on first use."""

from __future__ import annotations

import importlib
import inspect
import sys

import numpy as np
import pytest

from kmeanslab import app


@pytest.mark.parametrize("name", sorted(app.REGISTRY))
def test_every_registered_operation_is_a_function_of_its_module(name: str) -> None:
    module = importlib.import_module(f"kmeanslab.app.{app.REGISTRY[name]}")
    assert inspect.isfunction(getattr(module, name))
    assert app.OPERATIONS[name].__name__ == name


def test_no_public_function_of_an_operation_module_is_left_unregistered() -> None:
    # a new panel operation written but not registered would never reach the page
    helpers = {"elbow_k", "plain_lloyd"}
    for module_name in set(app.REGISTRY.values()):
        module = importlib.import_module(f"kmeanslab.app.{module_name}")
        own = {name for name, fn in inspect.getmembers(module, inspect.isfunction)
               if fn.__module__ == module.__name__ and not name.startswith("_")}
        assert own - helpers <= set(app.REGISTRY), module_name


def test_a_lazy_operation_runs_the_modules_own() -> None:
    a = np.array([0, 0, 1, 1, 2, 2], dtype=np.int32)
    b = np.array([1, 1, 0, 0, 2, 2], dtype=np.int32)
    args = dict(labels_a=memoryview(a.tobytes()), labels_b=memoryview(b.tobytes()))
    from kmeanslab.app.analysis import points_adjusted_rand

    assert app.OPERATIONS["points_adjusted_rand"](**args) == points_adjusted_rand(**args)
    assert app.OPERATIONS["points_adjusted_rand"].__name__ == "points_adjusted_rand"


def test_importing_the_bridge_leaves_the_other_panels_unimported() -> None:
    # A fresh import in this process (no subprocess: this suite also runs inside Pyodide),
    # then the modules as they were, so other tests keep their imported objects.
    ours = lambda name: name == "kmeanslab" or name.startswith("kmeanslab.")  # noqa: E731
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if ours(name)}
    try:
        importlib.import_module("kmeanslab.app._bridge")
        out = {name for name in sys.modules if ours(name)}
    finally:
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved)
    for heavy in ("app.image", "app.digits", "app.analysis", "manifold", "decomposition",
                  "cluster._spectral", "image", "metrics", "datasets._base",
                  "metrics._unsupervised", "metrics._matching"):
        assert f"kmeanslab.{heavy}" not in out
    assert "kmeanslab.app.points" in out and "kmeanslab.cluster._kmeans" in out


def test_package_attributes_still_reach_the_submodules() -> None:
    import kmeanslab

    assert kmeanslab.metrics.silhouette_score is not None
    assert kmeanslab.datasets.load_digits().data.shape == (1797, 64)
    with pytest.raises(AttributeError):
        kmeanslab.no_such_thing  # noqa: B018
