"""Is dist/ out of date? (serve and test rebuild when it is.)"""

from __future__ import annotations

from pathlib import Path

from .constants import BUILD_SCRIPT, DIST_INFO_NAME, PY_DIR, PYPROJECT, SITE_DIR


def stale_reason(out: Path, inputs: tuple[Path, ...] = (SITE_DIR, PY_DIR, BUILD_SCRIPT, PYPROJECT)
                 ) -> str:
    """Return why ``out`` needs a rebuild, or an empty string when it is up to date.

    ``out`` is stale when its ``build-info.json`` is missing or older than any file
    under ``inputs`` (site/, py/, build.py and pyproject.toml, which gives the wheel its
    metadata; caches like ``__pycache__`` ignored).
    """
    from .sources import newest_mtime

    info = out / DIST_INFO_NAME
    if not info.is_file():
        return f"{out} has no {DIST_INFO_NAME}"
    if newest_mtime(list(inputs)) > info.stat().st_mtime:
        return "site/, py/, build.py or pyproject.toml changed since the last build"
    return ""
