"""Read pinned files out of a local official Pyodide release.

Accepted: a directory (the files themselves, or a ``pyodide/`` or ``package/`` folder
holding them), the official release tarball ``pyodide-0.27.7.tar.bz2`` (files under
``pyodide/``), or the npm tarball ``pyodide-0.27.7.tgz`` (files under ``package/``).
Only regular files whose path is exactly ``<top>/<pinned name>`` are read, and they are
written under names we choose, so a hostile archive cannot write anywhere else.
"""

from __future__ import annotations

import shutil
import tarfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from .errors import BuildError

#: Folders an official release keeps its files in (release tarball, npm tarball).
RELEASE_TOP_DIRS = ("pyodide", "package")
#: A file every release has, used to find the folder in a directory.
RELEASE_MARKER = "pyodide.asm.wasm"


def extract_from_release(release: Path, wanted: Iterable[str], dest: Path) -> dict[str, Path]:
    """Copy the files named in ``wanted`` that ``release`` has into ``dest``.

    Parameters
    ----------
    release : Path
        Directory or tarball of an official Pyodide release.
    wanted : iterable of str
        Plain file names (no folders), e.g. ``"pyodide.asm.wasm"``.
    dest : Path
        Existing folder to write into.

    Returns
    -------
    dict of str to Path
        The files found, by name; names the release lacks are absent.
    """
    wanted = set(wanted)
    if release.is_dir():
        return _from_directory(release, wanted, dest)
    if release.is_file() and tarfile.is_tarfile(release):
        return _from_tarball(release, wanted, dest)
    raise BuildError(
        f"--pyodide-from {release}: not a directory or a tarball of an official Pyodide "
        "release (expected a folder, pyodide-0.27.7.tar.bz2 or pyodide-0.27.7.tgz)."
    )


def _from_directory(release: Path, wanted: set[str], dest: Path) -> dict[str, Path]:
    candidates = [release, *(release / top for top in RELEASE_TOP_DIRS)]
    base = next((c for c in candidates if (c / RELEASE_MARKER).is_file()), None)
    if base is None:
        raise BuildError(f"--pyodide-from {release}: no {RELEASE_MARKER} found in it.")
    found = {}
    for name in sorted(wanted):
        if (base / name).is_file():
            found[name] = Path(shutil.copyfile(base / name, dest / name))
    return found


def _member_name(member: tarfile.TarInfo) -> str | None:
    """Return the plain file name of a release member, or None when it is not one."""
    if not member.isfile():
        return None
    parts = [p for p in PurePosixPath(member.name).parts if p != "."]
    if len(parts) == 2 and parts[0] in RELEASE_TOP_DIRS:
        return parts[1]
    return None


def _from_tarball(release: Path, wanted: set[str], dest: Path) -> dict[str, Path]:
    found = {}
    with tarfile.open(release, "r:*") as tar:
        for member in tar:
            name = _member_name(member)
            if name is None or name not in wanted or name in found:
                continue
            stream = tar.extractfile(member)
            if stream is None:
                continue
            with stream, open(dest / name, "wb") as out:
                shutil.copyfileobj(stream, out)
            found[name] = dest / name
            if len(found) == len(wanted):
                break
    if not found:
        raise BuildError(
            f"--pyodide-from {release}: no Pyodide files found under "
            f"{' or '.join(d + '/' for d in RELEASE_TOP_DIRS)} in the tarball."
        )
    return found
