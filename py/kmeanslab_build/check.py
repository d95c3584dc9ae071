"""``build.py --check``: verify the cache and an existing dist/ without writing."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from . import cache
from .constants import DIST_LOCK_NAME, DIST_PYODIDE_DIR, DIST_SUMS_NAME, KMEANSLAB_NAME
from .errors import BuildError
from .hashing import sha256_file, verify_one
from .lock import check_official_lock
from .pins import (
    LOCK_ENTRIES,
    LOCK_INFO,
    OFFICIAL_LOCK_NAME,
    OFFICIAL_LOCK_SHA256,
    VENDORED_SHA256,
)
from .release import extract_from_release
from .sums import output_files, read_sums


def check_cache() -> list[str]:
    """Return problems with the cached pinned files (missing ones are problems).

    The official ``pyodide-lock.json`` is cached only when it came with the runtime
    (npm or a release): when it is there, its hash and the pinned entries are checked.
    """
    problems = []
    for name, sha in sorted(VENDORED_SHA256.items()):
        try:
            if cache.lookup_one(name, sha) is None:
                problems.append(f"cache: {name} is not cached ({cache.cached_path(name, sha)})")
        except BuildError as exc:
            problems.append(f"cache: {exc}")
    try:
        lock = cache.lookup_one(OFFICIAL_LOCK_NAME, OFFICIAL_LOCK_SHA256)
        if lock is not None:
            check_official_lock(lock)
    except BuildError as exc:
        problems.append(f"cache: {exc}")
    return problems


def check_release(release: Path) -> list[str]:
    """Return problems with a local official release (read into a temporary folder)."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="kmeanslab-check-") as tmp:
        try:
            found = extract_from_release(release, [*VENDORED_SHA256, OFFICIAL_LOCK_NAME], Path(tmp))
            lock = found.pop(OFFICIAL_LOCK_NAME, None)
            if lock is not None:
                check_official_lock(lock)
        except BuildError as exc:
            return [f"release: {exc}"]
        for name, path in sorted(found.items()):
            try:
                verify_one(path, name, VENDORED_SHA256[name])
            except BuildError as exc:
                problems.append(f"release: {exc}")
    return problems


def check_dist(out: Path) -> list[str]:
    """Return problems with ``out``: SHA256SUMS, vendored pins and the trimmed lock."""
    if not (out / DIST_SUMS_NAME).is_file():
        return [f"dist: {out / DIST_SUMS_NAME} is missing"]
    problems = []
    sums = read_sums(out)
    present = set(output_files(out))
    for rel in sorted(set(sums) - present):
        problems.append(f"dist: {rel} is listed in SHA256SUMS but missing")
    for rel in sorted(present - set(sums)):
        problems.append(f"dist: {rel} is not listed in SHA256SUMS")
    for rel in sorted(set(sums) & present):
        actual = sha256_file(out / rel)
        if actual != sums[rel]:
            problems.append(f"dist: {rel}: SHA256SUMS says {sums[rel]}, file has {actual}")
    for name, sha in sorted(VENDORED_SHA256.items()):
        rel = f"{DIST_PYODIDE_DIR}/{name}"
        if rel in present and sums.get(rel) != sha:
            problems.append(f"dist: {rel}: pinned {sha}, SHA256SUMS says {sums.get(rel)}")
    return problems + _check_lock(out, sums)


def _check_lock(out: Path, sums: dict[str, str]) -> list[str]:
    path = out / DIST_PYODIDE_DIR / DIST_LOCK_NAME
    if not path.is_file():
        return [f"dist: {DIST_PYODIDE_DIR}/{DIST_LOCK_NAME} is missing"]
    lock = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    if lock.get("info") != dict(LOCK_INFO):
        problems.append(f"dist lock: info {lock.get('info')} differs from the pinned one")
    packages = lock.get("packages", {})
    if set(packages) != {*LOCK_ENTRIES, KMEANSLAB_NAME}:
        problems.append(f"dist lock: packages {sorted(packages)} are not the shipped set")
    for name, entry in sorted(packages.items()):
        if name in LOCK_ENTRIES and entry != LOCK_ENTRIES[name]:
            problems.append(f"dist lock: entry {name} differs from the pinned one")
        rel = f"{DIST_PYODIDE_DIR}/{entry.get('file_name')}"
        if sums.get(rel) != entry.get("sha256"):
            problems.append(
                f"dist lock: {name}: sha256 {entry.get('sha256')} but {rel} has {sums.get(rel)}"
            )
    return problems


def check(out: Path, release: Path | None = None) -> int:
    """Run every check, print the outcome; return 0 when all pass, else 1."""
    from .stale import stale_reason

    problems = check_cache()
    checked = [f"cache ({cache.cache_root()})"]
    if release is not None:
        problems += check_release(release.expanduser().resolve())
        checked.append(str(release))
    if out.exists():
        problems += check_dist(out.resolve())
        checked.append(str(out))
        reason = stale_reason(out)
        if reason:
            print(f"note: {out} is out of date ({reason}); run python build.py.")
    else:
        print(f"note: {out} does not exist; not checked.")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check failed: {len(problems)} problem(s).", file=sys.stderr)
        return 1
    print(f"check passed: {', '.join(checked)} match the pins and SHA256SUMS.")
    return 0
