"""The trimmed ``pyodide-lock.json`` the site ships, and its check against the official one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import BuildError
from .hashing import sha256_file
from .pins import LOCK_ENTRIES, LOCK_INFO, OFFICIAL_LOCK_SHA256


def trimmed_lock(extra: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return the site's lock: the official ``info`` and only the shipped packages.

    Parameters
    ----------
    extra : dict
        Entries to add, keyed by package name (the kmeanslab wheel).
    """
    packages = {name: dict(entry) for name, entry in LOCK_ENTRIES.items()}
    packages.update(extra)
    return {"info": dict(LOCK_INFO), "packages": packages}


def lock_json(lock: dict[str, Any]) -> str:
    """Serialize a lock with sorted keys, as written to dist."""
    return json.dumps(lock, indent=2, sort_keys=True) + "\n"


def check_official_lock(path: Path) -> list[str]:
    """Check the pinned ``info`` and entries against an official lock file.

    Returns
    -------
    list of str
        Notes worth printing (a lock whose bytes differ from the pinned one but whose
        relevant entries agree).

    Raises
    ------
    BuildError
        If ``info`` or any shipped package's entry differs from the pins.
    """
    notes = []
    actual_sha = sha256_file(path)
    if actual_sha != OFFICIAL_LOCK_SHA256:
        notes.append(
            f"{path.name}: SHA-256 {actual_sha} differs from the pinned "
            f"{OFFICIAL_LOCK_SHA256}; checking its entries one by one."
        )
    official = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for key, value in LOCK_INFO.items():
        if official.get("info", {}).get(key) != value:
            problems.append(
                f"info.{key}: pinned {value!r}, official {official.get('info', {}).get(key)!r}"
            )
    for name, entry in LOCK_ENTRIES.items():
        theirs = official.get("packages", {}).get(name)
        if theirs != entry:
            problems.append(f"packages.{name}: pinned {entry}, official {theirs}")
    if problems:
        raise BuildError(
            "The official lock disagrees with py/kmeanslab_build/pins.py:\n  "
            + "\n  ".join(problems)
        )
    return notes
