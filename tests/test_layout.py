"""The package's layout: scikit-learn's import paths, no import cycles, small modules.

Import cycles are found statically (module-level ``import`` statements, which run at import
time), so a cycle that happens to work today because of import order is still caught.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "py" / "kmeanslab"
MAX_LINES = 420  # "modules stay under about 400 lines"

# What scikit-learn's users import, by scikit-learn's module path with `sklearn` replaced.
SKLEARN_PATHS = {
    "cluster": ["KMeans", "MiniBatchKMeans", "SpectralClustering", "kmeans_plusplus"],
    "metrics": ["accuracy_score", "adjusted_rand_score", "confusion_matrix",
                "euclidean_distances", "pairwise_distances_argmin",
                "pairwise_distances_argmin_min", "silhouette_samples", "silhouette_score"],
    "metrics.pairwise": ["euclidean_distances", "pairwise_distances_argmin",
                         "pairwise_distances_argmin_min"],
    "datasets": ["load_digits", "make_blobs", "make_circles", "make_moons"],
    "manifold": ["TSNE", "trustworthiness"],
    "decomposition": ["PCA"],
    "exceptions": ["ConvergenceWarning", "NotFittedError"],
    "utils": ["Bunch"],
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["kmeanslab", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of the package that ``name`` imports when it is imported (module level)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.parse(path.read_text()).body:  # top level only: function bodies run later
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    # importing a.b.c imports a and a.b first
    closure = set()
    for target in found:
        parts = target.split(".")
        closure.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return {t for t in closure if t in known and t != name}


def test_no_import_cycles() -> None:
    modules = _modules()
    known = set(modules)
    graph = {name: _imports(name, path, known) for name, path in modules.items()}
    # a package imports its parents first: that edge is not a cycle of the code's making
    for name in graph:
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


@pytest.mark.parametrize("name", sorted(_modules()))
def test_modules_stay_small(name: str) -> None:
    lines = len(_modules()[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by job (house style)"


@pytest.mark.parametrize("module", sorted(SKLEARN_PATHS))
def test_scikit_learn_import_paths(module: str) -> None:
    mod = importlib.import_module(f"kmeanslab.{module}")
    missing = [name for name in SKLEARN_PATHS[module] if not hasattr(mod, name)]
    assert not missing, f"kmeanslab.{module} lacks {missing}"
