"""Assemble dist/: site, vendored Pyodide, kmeanslab wheel, data, lock, sums, info.

Everything is written into a temporary folder next to the output folder and swapped
into place at the end, so a failed build never leaves a half-written dist/.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from .cache import cache_root
from .constants import (
    DIGITS_NPZ_NAME,
    DIGITS_WHEEL_PATH,
    DIST_DATA_DIR,
    DIST_INFO_NAME,
    DIST_LOCK_NAME,
    DIST_PYODIDE_DIR,
    IGNORED_NAMES,
    KMEANSLAB_NAME,
    SITE_DIR,
)
from .data import extract_data
from .errors import BuildError
from .fetch import ensure_vendored
from .hashing import sha256_file
from .hosting import check_csp_meta, write_embed_page, write_headers
from .lock import check_official_lock, lock_json, trimmed_lock
from .offline import stamp_service_worker, write_wasm_gz
from .pins import LOCK_INFO, PYODIDE_VERSION, SKLEARN_WHEEL, VENDORED_SHA256
from .pycache import ship_pycache
from .sources import package_version, project_metadata
from .startup_snapshot import ship_snapshot
from .sums import write_sums
from .wheel import build_wheel, package_entries


@dataclass
class BuildResult:
    """What a build wrote."""

    out: Path
    files: dict[str, str]
    info: dict


def kmeanslab_entry(version: str, file_name: str, sha256: str) -> dict:
    """Return the lock entry of the kmeanslab wheel (same fields as the official ones)."""
    return {
        "depends": list(project_metadata().depends),
        "file_name": file_name,
        "imports": [KMEANSLAB_NAME],
        "install_dir": "site",
        "name": KMEANSLAB_NAME,
        "package_type": "package",
        "sha256": sha256,
        "unvendored_tests": False,
        "version": version,
    }


def build(
    out: Path,
    pyodide_from: Path | None = None,
    *,
    allow_download: bool = True,
    site_dir: Path = SITE_DIR,
) -> BuildResult:
    """Build the site into ``out``.

    Parameters
    ----------
    out : Path
        Output folder (replaced as a whole at the end).
    pyodide_from : Path, optional
        Local official Pyodide release to take the runtime from.
    allow_download : bool
        Allow ``pip download`` for files missing from the cache.
    site_dir : Path
        The static site copied as-is (absent: nothing copied).
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}-build-", dir=out.parent))
    try:
        stage = scratch / out.name
        work = scratch / "work"
        stage.mkdir()
        work.mkdir()
        vendored = ensure_vendored(pyodide_from, allow_download=allow_download, workdir=work)
        if vendored.official_lock is not None:
            for note in check_official_lock(vendored.official_lock):
                print(note, file=sys.stderr)
        info = _assemble(stage, vendored.paths, site_dir)
        # (after the wheel and the lock, before the sums and the service worker's list)
        info.update(ship_pycache(stage / DIST_PYODIDE_DIR))
        info.update(ship_snapshot(stage))
        info.update(write_wasm_gz(stage / DIST_PYODIDE_DIR))
        info["sources"] = dict(sorted(vendored.origins.items()))
        info.update(_hosting(stage))
        (stage / DIST_INFO_NAME).write_text(
            json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        files = write_sums(stage)
        _swap_into_place(stage, out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return BuildResult(out=out, files=files, info=info)


def _assemble(stage: Path, vendored: dict[str, Path], site_dir: Path) -> dict:
    _copy_site(site_dir, stage)
    pyodide_dir = _fresh_dir(stage / DIST_PYODIDE_DIR)
    data_dir = _fresh_dir(stage / DIST_DATA_DIR)
    for name in sorted(VENDORED_SHA256):
        copied = Path(shutil.copyfile(vendored[name], pyodide_dir / name))
        if sha256_file(copied) != VENDORED_SHA256[name]:
            raise BuildError(f"{name} changed while being copied to {copied}; rebuild.")
    data = extract_data(vendored[SKLEARN_WHEEL], data_dir, DIGITS_NPZ_NAME)
    version = package_version()
    entries = package_entries(extra={DIGITS_WHEEL_PATH: data[DIGITS_NPZ_NAME].read_bytes()})
    wheel = build_wheel(pyodide_dir, version, entries)
    wheel_sha = sha256_file(wheel)
    lock = trimmed_lock({KMEANSLAB_NAME: kmeanslab_entry(version, wheel.name, wheel_sha)})
    (pyodide_dir / DIST_LOCK_NAME).write_text(lock_json(lock), encoding="utf-8")
    return {
        "kmeanslab_version": version,
        "kmeanslab_wheel": wheel.name,
        "kmeanslab_sha256": wheel_sha,
        "pyodide_version": PYODIDE_VERSION,
        "python_in_pyodide": LOCK_INFO["python"],
        "site_copied": site_dir.is_dir(),
    }


def _hosting(stage: Path) -> dict:
    """embed.html, _headers and the service worker's manifest (stamped last)."""
    check_csp_meta(stage)
    write_embed_page(stage)
    write_headers(stage)
    return {"service_worker_version": stamp_service_worker(stage)}


def _fresh_dir(path: Path) -> Path:
    """Create ``path``; a folder of that name from site/ would collide with ours."""
    if path.exists():
        raise BuildError(
            f"site/ has a {path.name}/ folder, but dist/{path.name}/ is "
            "written by the build; rename it in site/."
        )
    path.mkdir()
    return path


def _copy_site(site_dir: Path, stage: Path) -> None:
    if not site_dir.is_dir():
        print(f"note: {site_dir} does not exist; no site files copied.", file=sys.stderr)
        return
    shutil.copytree(
        site_dir, stage, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*IGNORED_NAMES)
    )


def _swap_into_place(stage: Path, out: Path) -> None:
    """Replace ``out`` by ``stage`` with two renames; the old copy is removed last."""
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out} exists and is not a folder.")
    old = None
    if out.exists():
        old = out.parent / f".{out.name}-old-{uuid.uuid4().hex[:8]}"
        os.replace(out, old)
    os.replace(stage, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def report(result: BuildResult) -> str:
    """Return a short human summary of a build."""
    total = sum((result.out / rel).stat().st_size for rel in result.files)
    return (
        f"Built {result.out} ({len(result.files)} files, {total / 1e6:.1f} MB): "
        f"Pyodide {result.info['pyodide_version']}, "
        f"{result.info['kmeanslab_wheel']} (sha256 {result.info['kmeanslab_sha256'][:12]}...); "
        f"cache {cache_root()}"
    )
