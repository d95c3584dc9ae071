"""Shared by the native tests of the build's start-up files (test_build_pycache.py,
test_build_snapshot.py): a build from the download cache, the service worker's
manifest, and a build that makes its file with Node in a cache of its own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kmeanslab_build import BuildError
from kmeanslab_build.assemble import build


def build_from_cache(out: Path) -> Path:
    """Build into ``out`` from the download cache that ``python build.py`` filled."""
    try:
        build(out, allow_download=False)
    except BuildError as exc:
        pytest.fail(f"{exc}\nRun 'python build.py' once (it fills the cache), then test.")
    return out


def manifest(dist: Path) -> dict:
    """The manifest the build wrote into ``dist/sw.js`` (version, core, files)."""
    text = (dist / "sw.js").read_text(encoding="utf-8")
    line = next(s for s in text.splitlines() if s.startswith("const BUILD = {"))
    return json.loads(line[len("const BUILD = "):-1])


def node_build(tmp_path_factory: pytest.TempPathFactory, module) -> Path:
    """A build whose ``module`` (pycache or startup_snapshot) makes its file with Node,
    in an empty build cache of its own (skipped without Node)."""
    if shutil.which("node") is None:
        pytest.skip("Node is not installed")
    patch = pytest.MonkeyPatch()
    patch.setattr(module, "cache_root", lambda: tmp_path_factory.mktemp("cache"))
    try:
        return build_from_cache(tmp_path_factory.mktemp("with-node") / "dist")
    finally:
        patch.undo()
