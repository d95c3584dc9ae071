"""Stamp ``dist/sw.js`` with this build's manifest: version, file hashes, core files.

The version is a hash over every other file's SHA-256, so any change to the site, the
wheel or the data gives a new ``sw.js``; browsers then install the new service worker,
which deletes the caches of older builds when it activates.
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

from .constants import (
    DIST_INFO_NAME,
    DIST_LOCK_NAME,
    DIST_PYODIDE_DIR,
    DIST_SUMS_NAME,
    HEADERS_NAME,
    KMEANSLAB_NAME,
    SW_NAME,
    SW_PLACEHOLDER,
)
from .errors import BuildError
from .hashing import sha256_bytes, sha256_file

#: The build's gzipped copy of the runtime's wasm, which the worker fetches and inflates
#: (site/js/worker.js's fetchWasm): 3.2 MB instead of 10.1 (static hosts do not compress
#: it; the name keeps hosts that map ".gz" to Content-Encoding from inflating it)
WASM_GZ = "pyodide.asm.wasmz"
#: Pyodide runtime files the page always needs (pyodide.js, the classic build, is unused;
#: pyodide.asm.wasm itself only where the gzipped copy cannot be inflated).
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.js", WASM_GZ, "python_stdlib.zip")
#: Files that change with every build and are never requested by the page.
UNLISTED = frozenset({SW_NAME, DIST_SUMS_NAME, DIST_INFO_NAME, HEADERS_NAME})
#: Top-level folders fetched only on demand (cached the first time they are used).
LAZY_DIRS = ("data/", "img/", "examples/")
#: Data the panels open with one click, saved at install all the same (about 390 kB), so
#: that the sample photos and the digits work offline from the first visit on.
EAGER_DATA = ("data/china.jpg", "data/flower.jpg", "data/digits.npz")


def sri(hex_digest: str) -> str:
    """Return a Subresource Integrity string (``sha256-<base64>``) for a hex SHA-256."""
    return "sha256-" + base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


def boot_packages(lock: dict) -> list[str]:
    """kmeanslab and its dependencies in the lock (what the worker loads at start)."""
    todo, seen = [KMEANSLAB_NAME], []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        todo.extend(lock["packages"][name].get("depends", []))
    return sorted(seen)


def core_files(files: dict[str, str], lock: dict) -> list[str]:
    """The files a first start needs: app shell, Pyodide runtime, boot packages' wheels.

    Plus the sample data (:data:`EAGER_DATA`), small enough to save at once.
    """
    pyo = f"{DIST_PYODIDE_DIR}/"
    wheels = {pyo + lock["packages"][n]["file_name"] for n in boot_packages(lock)}
    runtime = {pyo + name for name in (*RUNTIME_FILES, DIST_LOCK_NAME)}
    # the start-up byte code and snapshot, when the build made them (pycache.py,
    # startup_snapshot.py): a first visit uses them
    for key in ("kmeanslab_pycache", "kmeanslab_snapshot"):
        if lock.get(key):
            runtime.add(pyo + lock[key]["file_name"])
    shell = {
        rel for rel in files
        if not rel.startswith(pyo) and not rel.startswith(LAZY_DIRS) and rel not in UNLISTED
    } | {rel for rel in EAGER_DATA if rel in files}
    missing = (runtime | wheels) - set(files)
    if missing:
        raise BuildError(f"files the service worker needs are missing from dist: {sorted(missing)}")
    return sorted(shell | runtime | wheels)


def manifest(root: Path) -> dict:
    """The manifest of the output folder ``root`` (sw.js itself excluded)."""
    files = {
        p.relative_to(root).as_posix(): sha256_file(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() not in UNLISTED
    }
    lock = json.loads((root / DIST_PYODIDE_DIR / DIST_LOCK_NAME).read_text(encoding="utf-8"))
    listing = "".join(f"{sha}  {rel}\n" for rel, sha in files.items())
    return {
        "version": sha256_bytes(listing.encode("utf-8"))[:16],
        "core": core_files(files, lock),
        "files": {rel: sri(sha) for rel, sha in files.items()},
    }


def stamp_service_worker(root: Path) -> str | None:
    """Write the manifest into ``root/sw.js``; return the version (None: no sw.js)."""
    sw = root / SW_NAME
    if not sw.is_file():
        return None
    text = sw.read_text(encoding="utf-8")
    if text.count(SW_PLACEHOLDER) != 1:
        raise BuildError(f"{SW_NAME} must contain the line {SW_PLACEHOLDER!r} exactly once.")
    data = manifest(root)
    stamped = f"const BUILD = {json.dumps(data, sort_keys=True, separators=(',', ':'))};"
    sw.write_text(text.replace(SW_PLACEHOLDER, stamped), encoding="utf-8")
    return data["version"]


def write_wasm_gz(pyodide_dir: Path) -> dict:
    """Write :data:`WASM_GZ` beside ``pyodide_dir``'s ``pyodide.asm.wasm``; returns
    ``{"wasm_gz_mb": size}`` for build-info.json."""
    packed = gzip.compress((pyodide_dir / "pyodide.asm.wasm").read_bytes(), compresslevel=9,
                           mtime=0)
    (pyodide_dir / WASM_GZ).write_bytes(packed)
    return {"wasm_gz_mb": round(len(packed) / 1e6, 2)}
