"""Ship Python's bare start-up snapshot, made at build time, so that a first visit also
starts from one.

A memory snapshot of the started interpreter (Pyodide's ``makeMemorySnapshot``) spares a
start most of Python's own start-up: the page saved one after a first visit for the next
(site/js/startup/snapshot.js), and a first visit ran the whole start. Here the build makes
that same bare snapshot, with the page's own code (dist/js/startup/snapshot.js's
``takeSnapshot``: the same warm-up imports and packing), in the vendored Pyodide run in
Node (``startup_snapshot_node.mjs``). It goes into dist/pyodide/ gzipped (21 MB is 5.5 MB;
static hosts do not compress it) under a name with its hash, the lock file names it
(``kmeanslab_snapshot``), and the worker starts from it on a first visit (worker.js). The
snapshot with NumPy and kmeanslab loaded is still made aside in the browser after that
visit: its shared libraries' function table differs between Node and a browser (restoring
a Node-made one failed: "the function table is at 11917, not 11916").

Measured (first visits, fresh profiles, quiet 2-core machine, 6 rounds alternated with the
plain Pyodide page): ready 0.49-0.67x the plain page's time from a shipped snapshot,
against 0.78-1.08x without (2026-11-30).

Without Node (or if it fails) the build goes on without it: a first visit then starts
Python afresh, as before.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import tempfile
from pathlib import Path

from .cache import cache_root
from .constants import DIST_LOCK_NAME
from .node_made import cached_or_made
from .pins import RUNTIME_SHA256

#: The lock file's key naming the shipped snapshot: {"file_name", "sha256"}.
LOCK_KEY = "kmeanslab_snapshot"
NODE_SCRIPT = Path(__file__).with_name("startup_snapshot_node.mjs")
#: Folder of the build cache holding snapshots already made.
CACHE_DIR = "snapshot"
#: the shipped file's suffix: not ".gz", which some static hosts serve with
#: Content-Encoding: gzip (see pycache.SUFFIX)
SUFFIX = ".snapz"
#: Pyodide's snapshot format starts with this magic (after the page's own header)
KLSN_MAGIC = 0x4E534C4B
NODE_TIMEOUT_S = 300


def ship_snapshot(dist: Path, node: str | None = None) -> dict:
    """Make the bare start-up snapshot into ``dist/pyodide/`` and name it in the lock file.

    Parameters
    ----------
    dist : Path
        The staged dist/: its ``pyodide/`` folder (runtime and lock) and
        ``js/startup/snapshot.js`` (the page's snapshot code, which makes it).
    node : str, optional
        The Node executable (default: ``node`` on PATH).

    Returns
    -------
    dict
        ``{"snapshot": file name or None, "snapshot_mb": size inflated, in MB}``, for
        build-info.json. Never raises for a missing or failing Node or a site without
        snapshot.js: it prints one line and ships none.
    """
    pyodide_dir, code = dist / "pyodide", dist / "js" / "startup" / "snapshot.js"
    none = {"snapshot": None, "snapshot_mb": 0.0}
    if not code.is_file():
        return none  # (a build of a site without the page's start-up code)
    lock_path = pyodide_dir / DIST_LOCK_NAME
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    # the recipe: the runtime (pinned), the Node script and the page's snapshot code
    recipe = hashlib.sha256(repr(sorted(RUNTIME_SHA256.items())).encode()
                            + NODE_SCRIPT.read_bytes() + code.read_bytes()).hexdigest()
    version = lock["info"]["version"]
    cached = cache_root() / CACHE_DIR / f"snapshot-{version}-{recipe[:16]}.bin"
    blob = cached_or_made(cached, check_packed, lambda node: _make(pyodide_dir, code, node),
                          node, "start-up snapshot", "a first visit starts Python afresh")
    if blob is None:
        return none
    packed = gzip.compress(blob, compresslevel=6, mtime=0)
    sha = hashlib.sha256(packed).hexdigest()
    name = f"shipped-snapshot-{version}-{sha[:16]}{SUFFIX}"
    (pyodide_dir / name).write_bytes(packed)
    # (its size: the page fetches it only where it would arrive in time, see worker.js)
    lock[LOCK_KEY] = {"file_name": name, "sha256": sha, "size": len(packed)}
    lock_path.write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return {"snapshot": name, "snapshot_mb": round(len(blob) / 1e6, 2)}


def check_packed(blob: bytes) -> dict:
    """The header of a snapshot as the page packs it (snapshot.js's packSnapshot).

    Raises
    ------
    ValueError
        If ``blob`` is not one: no "KLSN" magic, a header that is not JSON, or no bytes
        after it.
    """
    if len(blob) < 8 or int.from_bytes(blob[:4], "little") != KLSN_MAGIC:
        raise ValueError("not a kmeans-lab snapshot (no KLSN magic)")
    size = int.from_bytes(blob[4:8], "little")
    meta = json.loads(blob[8:8 + size].decode("utf-8"))
    if len(blob) <= -(-(8 + size) // 16) * 16:
        raise ValueError(f"a snapshot of {len(blob)} bytes holds no memory image")
    return meta


def _make(pyodide_dir: Path, code: Path, node: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="kmeanslab-snap-") as out:
        target = Path(out) / "snapshot.bin"
        # (the time zone and language Emscripten would read from this machine: fixed)
        env = {**os.environ, "TZ": "UTC", "LANG": "C.UTF-8"}
        done = subprocess.run([node, str(NODE_SCRIPT), str(pyodide_dir), str(code), str(target)],
                              capture_output=True, text=True, timeout=NODE_TIMEOUT_S,
                              check=False, env=env)
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise subprocess.SubprocessError(f"exit code {done.returncode}: {tail}")
        blob = target.read_bytes()
    if check_packed(blob).get("packages") is not None:
        raise ValueError("the build's snapshot must be the bare interpreter's")
    return blob

