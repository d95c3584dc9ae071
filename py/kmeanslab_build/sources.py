"""The source files of the build: package version, package files, staleness inputs."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from .constants import IGNORED_NAMES, IGNORED_SUFFIXES, PACKAGE_INIT
from .errors import BuildError


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
