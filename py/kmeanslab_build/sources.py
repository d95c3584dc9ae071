"""The source files of the build: package version and metadata, package files, staleness."""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .constants import IGNORED_NAMES, IGNORED_SUFFIXES, KMEANSLAB_NAME, PACKAGE_INIT, PYPROJECT
from .errors import BuildError

_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def package_version(init: Path = PACKAGE_INIT) -> str:
    """Return ``__version__`` from ``__init__.py`` without importing the package."""
    tree = ast.parse(init.read_text(encoding="utf-8"), str(init))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value
    raise BuildError(f"{init}: no __version__ = '...' string found.")


@dataclass(frozen=True)
class ProjectMetadata:
    """What the wheel's METADATA and the Pyodide lock entry say about the package."""

    name: str
    version: str
    summary: str
    requires_python: str
    requires_dist: tuple[str, ...]

    @property
    def depends(self) -> tuple[str, ...]:
        """The runtime requirements' names, lower case: the lock entry's ``depends``."""
        return tuple(_REQUIREMENT_NAME.match(req).group(1).lower() for req in self.requires_dist)


def project_metadata(pyproject: Path = PYPROJECT, init: Path = PACKAGE_INIT) -> ProjectMetadata:
    """Read the package's metadata from ``pyproject.toml`` and its version from ``__init__``.

    ``pyproject.toml`` must declare the version dynamic (setuptools reads the same
    ``__version__``), so that the version is written in one place only.

    Raises
    ------
    BuildError
        If pyproject.toml sets a static version, names another package, or lacks a field.
    """
    project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    if "version" in project or "version" not in project.get("dynamic", []):
        raise BuildError(
            f"{pyproject}: [project] should declare dynamic = [\"version\"] and not set "
            f"version: the version is __version__ in {init}."
        )
    if project.get("name") != KMEANSLAB_NAME:
        raise BuildError(f"{pyproject}: [project] name={project.get('name')!r}, expected "
                         f"{KMEANSLAB_NAME!r}.")
    try:
        return ProjectMetadata(
            name=project["name"],
            version=package_version(init),
            summary=project["description"],
            requires_python=project["requires-python"],
            requires_dist=tuple(project["dependencies"]),
        )
    except KeyError as err:
        raise BuildError(f"{pyproject}: [project] lacks {err.args[0]!r}.") from None


def is_ignored(path: Path) -> bool:
    """Return True for caches and editor files that are never built or watched."""
    return any(part in IGNORED_NAMES for part in path.parts) or path.name.endswith(IGNORED_SUFFIXES)


def walk_files(root: Path) -> Iterator[Path]:
    """Yield the files under ``root`` (sorted, ignored ones skipped)."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not is_ignored(path.relative_to(root)):
            yield path


def newest_mtime(roots: list[Path]) -> float:
    """Return the newest modification time of any file under ``roots`` (0 if none)."""
    times = [p.stat().st_mtime for root in roots for p in walk_files(root)]
    times += [root.stat().st_mtime for root in roots if root.is_file()]
    return max(times, default=0.0)
