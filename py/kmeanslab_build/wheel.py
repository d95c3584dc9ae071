"""Build the kmeanslab wheel: a deterministic pure-Python ``py3-none-any`` wheel.

Entries are sorted, every timestamp is ``ZIP_EPOCH`` and permissions are fixed, so the
same sources give the same bytes (and the same SHA-256 in the lock file).
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Mapping
from pathlib import Path

from .constants import (
    KMEANSLAB_NAME,
    PACKAGE_DIR,
    WHEEL_GENERATOR,
    WHEEL_TAG,
    ZIP_EPOCH,
)
from .sources import project_metadata, walk_files


def wheel_name(version: str, name: str = KMEANSLAB_NAME) -> str:
    """Return the wheel's file name, e.g. ``kmeanslab-0.1.0-py3-none-any.whl``."""
    return f"{name}-{version}-{WHEEL_TAG}.whl"


def record_hash(data: bytes) -> str:
    """Return a RECORD hash field: ``sha256=<urlsafe base64, no padding>``."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


def _metadata(name: str, version: str) -> str:
    project = project_metadata()  # pyproject.toml, as `pip install .` would write it
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {project.summary}",
        f"Requires-Python: {project.requires_python}",
        *(f"Requires-Dist: {req}" for req in project.requires_dist),
    ]
    return "\n".join(lines) + "\n"


def _wheel_file() -> str:
    lines = [
        "Wheel-Version: 1.0",
        f"Generator: {WHEEL_GENERATOR}",
        "Root-Is-Purelib: true",
        f"Tag: {WHEEL_TAG}",
    ]
    return "\n".join(lines) + "\n"


def package_entries(
    package_dir: Path = PACKAGE_DIR, extra: Mapping[str, bytes] | None = None
) -> dict[str, bytes]:
    """Return the wheel's package files, ``{archive path: bytes}``.

    Parameters
    ----------
    package_dir : Path
        The package source folder; its name is the top-level package name.
    extra : mapping of str to bytes, optional
        Generated package data (e.g. ``kmeanslab/data/digits.npz``); wins over a source
        file of the same path.
    """
    top = package_dir.name
    entries = {
        f"{top}/{path.relative_to(package_dir).as_posix()}": path.read_bytes()
        for path in walk_files(package_dir)
    }
    entries.update(extra or {})
    return entries


def build_wheel(
    out_dir: Path, version: str, entries: Mapping[str, bytes], name: str = KMEANSLAB_NAME
) -> Path:
    """Write the wheel of ``entries`` into ``out_dir``; return its path."""
    dist_info = f"{name}-{version}.dist-info"
    files = {path: entries[path] for path in sorted(entries)}
    files[f"{dist_info}/METADATA"] = _metadata(name, version).encode("utf-8")
    files[f"{dist_info}/WHEEL"] = _wheel_file().encode("utf-8")
    record_path = f"{dist_info}/RECORD"
    record = [f"{path},{record_hash(data)},{len(data)}" for path, data in files.items()]
    record.append(f"{record_path},,")
    files[record_path] = ("\n".join(record) + "\n").encode("utf-8")
    target = out_dir / wheel_name(version, name)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return target
