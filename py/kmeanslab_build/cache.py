"""The download cache: verified pinned files kept outside the repository.

Layout: ``<cache>/files/<sha256>/<file name>`` plus ``origin.txt`` saying where the
bytes came from. ``<cache>`` is ``$KMEANSLAB_CACHE``, else
``$XDG_CACHE_HOME/kmeans-lab``, else ``~/.cache/kmeans-lab``. A file enters the cache
only once verified, by an atomic rename from a temporary folder inside the cache.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .constants import CACHE_APP_DIR, CACHE_FILES_DIR, CACHE_ORIGIN_NAME, ENV_CACHE
from .hashing import verify_one

#: Temporary folders older than this are left over from an interrupted build.
STALE_TEMP_SECONDS = 6 * 3600
TEMP_PREFIXES = (".tmp-", ".stage-")


def cache_root() -> Path:
    """Return the cache directory (not created)."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / CACHE_APP_DIR


def cached_path(name: str, sha256: str, root: Path | None = None) -> Path:
    """Return where the pinned file ``name`` with hash ``sha256`` lives in the cache."""
    return (root or cache_root()) / CACHE_FILES_DIR / sha256 / name


def lookup_one(name: str, sha256: str, root: Path | None = None) -> Path | None:
    """Return the verified cached copy of ``name``, or None when it is not cached.

    Raises
    ------
    BuildError
        If a cached copy exists but its hash is wrong (tampered or corrupt): the
        message names the file and says to delete it so that it is fetched again.
    """
    path = cached_path(name, sha256, root)
    if not path.is_file():
        return None
    hint = f"The cached copy is corrupt or was modified: delete {path.parent} and rebuild."
    verify_one(path, name, sha256, hint=hint)
    return path


def origin_of(path: Path) -> str:
    """Return the recorded origin of a cached file ("unknown" when not recorded)."""
    origin = path.parent / CACHE_ORIGIN_NAME
    return origin.read_text(encoding="utf-8").strip() if origin.is_file() else "unknown"


def store_one(src: Path, name: str, sha256: str, origin: str, root: Path | None = None) -> Path:
    """Verify ``src`` and move it into the cache as ``name``; return the cached path.

    The file is verified before anything is written, staged in a temporary folder on
    the cache's file system, and renamed into place, so the cache never holds a
    half-written or unverified file.
    """
    verify_one(src, name, sha256, hint=f"Source: {origin}")
    final = cached_path(name, sha256, root)
    final.parent.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".stage-", dir=final.parent.parent))
    try:
        staged_dir = staging / sha256
        staged_dir.mkdir()
        shutil.move(str(src), staged_dir / name)
        (staged_dir / CACHE_ORIGIN_NAME).write_text(origin + "\n", encoding="utf-8")
        if final.is_file():
            return final  # another build stored it meanwhile
        if final.parent.exists():
            shutil.rmtree(final.parent)
        os.replace(staged_dir, final.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def sweep_stale_temp(root: Path | None = None) -> None:
    """Remove temporary folders that an interrupted build left in the cache."""
    for base in ((root or cache_root()), (root or cache_root()) / CACHE_FILES_DIR):
        if not base.is_dir():
            continue
        for path in base.iterdir():
            old = time.time() - path.stat().st_mtime > STALE_TEMP_SECONDS
            if path.is_dir() and path.name.startswith(TEMP_PREFIXES) and old:
                shutil.rmtree(path, ignore_errors=True)


def store_bytes(path: Path, blob: bytes) -> None:
    """Keep ``blob`` at ``path`` for the next build (atomically; best effort: a cache
    that cannot be written only costs the next build the time to make it again)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as f:
            f.write(blob)
        Path(f.name).replace(path)
    except OSError:
        pass


def read_checked(path: Path, check: Callable[[bytes], object]) -> bytes | None:
    """The bytes at ``path`` if ``check`` accepts them (it raises ValueError if not);
    None if the file is missing, unreadable or refused: made by an earlier build, or not."""
    try:
        blob = path.read_bytes()
        check(blob)
    except (OSError, ValueError):
        return None
    return blob
