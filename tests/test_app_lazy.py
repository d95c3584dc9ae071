"""The worker's entry module imports only what k-means needs; the rest loads on first use."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest

from kmeanslab import app


@pytest.mark.parametrize("module", sorted(app.LAZY_OPERATIONS))
def test_lazy_names_are_the_modules_operations(module: str) -> None:
    own = importlib.import_module(f"kmeanslab.{module}").OPERATIONS
    assert set(app.LAZY_OPERATIONS[module]) == set(own)
    assert set(own) <= set(app.OPERATIONS)


def test_a_lazy_operation_runs_the_modules_own() -> None:
    a = np.array([0, 0, 1, 1, 2, 2], dtype=np.int32)
    b = np.array([1, 1, 0, 0, 2, 2], dtype=np.int32)
    args = dict(labels_a=memoryview(a.tobytes()), labels_b=memoryview(b.tobytes()))
    from kmeanslab.app_analysis import OPERATIONS as own

    assert app.OPERATIONS["points_adjusted_rand"](**args) == own["points_adjusted_rand"](**args)
    assert app.OPERATIONS["points_adjusted_rand"].__name__ == "points_adjusted_rand"


def test_importing_the_bridge_leaves_the_other_panels_unimported() -> None:
    # A fresh import in this process (no subprocess: this suite also runs inside Pyodide),
    # then the modules as they were, so other tests keep their imported objects.
    ours = lambda name: name == "kmeanslab" or name.startswith("kmeanslab.")  # noqa: E731
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if ours(name)}
    try:
        importlib.import_module("kmeanslab._bridge")
        out = {name for name in sys.modules if ours(name)}
    finally:
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved)
    for heavy in ("app_image", "app_digits", "app_analysis", "embed", "spectral", "quantize",
                  "metrics", "digits", "silhouette", "matching"):
        assert f"kmeanslab.{heavy}" not in out
    assert "kmeanslab.app" in out and "kmeanslab._kmeans" in out


def test_package_attributes_still_reach_the_submodules() -> None:
    import kmeanslab

    assert kmeanslab.metrics.silhouette_score is not None
    assert kmeanslab.datasets.load_digits().data.shape == (1797, 64)
    with pytest.raises(AttributeError):
        kmeanslab.no_such_thing  # noqa: B018
