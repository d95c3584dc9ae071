"""Ship the start-up byte code: NumPy's and kmeanslab's ``.pyc`` files, made at build time.

The page's Python (Pyodide 0.27.7: CPython 3.12.7) compiles every module it imports from
source on a first visit (0.47-0.62 s of its start-up on a loaded 2-core machine), and
only later visits found the byte code that the first one saved (site/js/startup/
pycache.js). Here the build makes that same bundle with the page's own interpreter: the
vendored Pyodide run in Node (``pycache_node.mjs``) loads the start-up packages from
dist/pyodide/, gives their sources the fixed time the page's wheel unpacker gives them
(early-wheels.js's SOURCE_MTIME_MS), imports what the worker imports at start-up (and
numpy.random) and hands back the ``.pyc`` files Python wrote. The bundle, gzipped, goes
into dist/pyodide/ under the name the page looks for (plus ``SUFFIX``), and the lock file names it
(``kmeanslab_pycache``), so the worker fetches it on a first visit and writes it back
before the import, as on a cached visit; the service worker lists it among its core
files.

Why Python's own timestamp-checked byte code, not ``py_compile`` in unchecked-hash mode:
the host Python is another version (another magic number), so the compiling must be done
by the page's interpreter anyway; and a timestamp ``.pyc`` is checked by Python against
its source's size and time on every import, so byte code that does not fit the sources
(a changed unpacker, a wheel unpacked by Pyodide itself) is ignored and the source
compiled, where unchecked byte code would run silently whatever the source says. It is
also the very format the cached visit already uses, so both paths share one reader.

Without Node (or if it fails) the build goes on without the bundle: the first visit then
compiles from source, as before, and saves the byte code for the next one.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
import subprocess
import tempfile
import zipfile
from pathlib import Path

from .cache import cache_root
from .constants import DIST_LOCK_NAME
from .node_made import cached_or_made
from .offline import boot_packages

#: What the worker imports at start-up (site/js/worker-main.js), and numpy.random, which
#: the Points panel (the page's default) imports for its first data right after "ready".
STARTUP_MODULES = ("kmeanslab.app._bridge", "numpy.random")
#: early-wheels.js's SOURCE_MTIME_MS in seconds (1980-01-01): every source's time there.
SOURCE_MTIME_S = 315532800
#: The lock file's key naming the shipped bundle: {"file_name", "sha256"}.
LOCK_KEY = "kmeanslab_pycache"
NODE_SCRIPT = Path(__file__).with_name("pycache_node.mjs")
#: Folder of the build cache holding bundles already made (by bundle name).
CACHE_DIR = "pycache"
#: the shipped file's suffix: not ".gz", which some static hosts (Apache's AddEncoding
#: x-gzip .gz) serve with Content-Encoding: gzip, so the browser would inflate it on the
#: way and the service worker's integrity check of the file would fail its whole install
SUFFIX = ".pycz"
NODE_TIMEOUT_S = 300


def bundle_name(lock: dict) -> str:
    """The name pycache.js's pycacheUrl gives the bundle of the start-up wheels in ``lock``.

    ``pycache-<Pyodide version>-<name>-<sha256[:16]>_...bin``, names sorted.
    """
    packages = lock["packages"]
    tag = "_".join(sorted(f"{n}-{packages[n]['sha256'][:16]}" for n in boot_packages(lock)))
    return f"pycache-{lock['info']['version']}-{tag}.bin"


def pack(entries: list[tuple[str, bytes]]) -> bytes:
    """[(relative path, bytes), ...] as pycache.js's bundle: uint32 LE index size, JSON
    index of [name, size] pairs, then the bytes in that order."""
    index = json.dumps([[name, len(data)] for name, data in entries],
                       separators=(",", ":")).encode("utf-8")
    return struct.pack("<I", len(index)) + index + b"".join(data for _, data in entries)


def unpack(blob: bytes) -> list[tuple[str, bytes]]:
    """The entries of a bundle (the inverse of :func:`pack`).

    Raises
    ------
    ValueError
        If ``blob`` is not a whole bundle (truncated, or its index is not JSON).
    """
    if len(blob) < 4:
        raise ValueError(f"a byte-code bundle needs at least 4 bytes, got {len(blob)}")
    (size,) = struct.unpack_from("<I", blob)
    index = json.loads(blob[4:4 + size].decode("utf-8"))
    at, out = 4 + size, []
    for name, length in index:
        if at + length > len(blob):
            raise ValueError(f"truncated byte-code bundle: {name} ends past byte {len(blob)}")
        out.append((name, blob[at:at + length]))
        at += length
    return out


def wheel_tops(wheel: Path) -> list[str]:
    """The top-level folders and modules of ``wheel``, .dist-info and .data aside."""
    with zipfile.ZipFile(wheel) as zf:
        tops = {name.split("/", 1)[0] for name in zf.namelist()}
    return sorted(t for t in tops if not t.endswith((".dist-info", ".data")))


def ship_pycache(pyodide_dir: Path, node: str | None = None) -> dict:
    """Make the start-up byte code into ``pyodide_dir`` and name it in its lock file.

    Parameters
    ----------
    pyodide_dir : Path
        dist's pyodide/ folder, with the runtime, the lock and the start-up wheels.
    node : str, optional
        The Node executable (default: ``node`` on PATH).

    Returns
    -------
    dict
        ``{"pycache": file name or None, "pycache_files": count}``, for build-info.json.
        The file is the bundle gzipped (``<bundle_name>`` + :data:`SUFFIX`).
        Never raises for a missing or failing Node: it prints one line and ships none.
    """
    lock_path = pyodide_dir / DIST_LOCK_NAME
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    name = bundle_name(lock)
    # (the recipe in the cache key too: another Node script, module list or source time
    # makes other byte code for the same wheels)
    recipe = hashlib.sha256(NODE_SCRIPT.read_bytes()
                            + repr((STARTUP_MODULES, SOURCE_MTIME_S)).encode()).hexdigest()
    cached = cache_root() / CACHE_DIR / f"{name}-{recipe[:12]}"
    blob = cached_or_made(cached, unpack, lambda node: _compile(pyodide_dir, lock, node), node,
                          "start-up byte code",
                          "a first visit compiles NumPy and kmeanslab from source")
    if blob is None:
        return {"pycache": None, "pycache_files": 0}
    # gzip: 2.5 MB of byte code is 0.9 MB to download (static hosts do not compress it)
    packed = gzip.compress(blob, compresslevel=6, mtime=0)
    (pyodide_dir / f"{name}{SUFFIX}").write_bytes(packed)
    lock[LOCK_KEY] = {"file_name": f"{name}{SUFFIX}",
                      "sha256": hashlib.sha256(packed).hexdigest()}
    lock_path.write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return {"pycache": f"{name}{SUFFIX}", "pycache_files": len(unpack(blob))}


def _compile(pyodide_dir: Path, lock: dict, node: str) -> bytes:
    packages = boot_packages(lock)
    tops = sorted({t for n in packages
                   for t in wheel_tops(pyodide_dir / lock["packages"][n]["file_name"])})
    with tempfile.TemporaryDirectory(prefix="kmeanslab-pyc-") as out:
        done = subprocess.run(
            [node, str(NODE_SCRIPT), str(pyodide_dir), out, str(SOURCE_MTIME_S),
             ",".join(STARTUP_MODULES), ",".join(packages), ",".join(tops)],
            capture_output=True, text=True, timeout=NODE_TIMEOUT_S, check=False)
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise subprocess.SubprocessError(f"exit code {done.returncode}: {tail}")
        root = Path(out)
        files = sorted(p for p in root.rglob("*.pyc") if p.is_file())
        if not files:
            raise ValueError("Python wrote no .pyc file")
        return pack([(p.relative_to(root).as_posix(), p.read_bytes()) for p in files])

