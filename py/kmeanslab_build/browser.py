"""Which Chromium drives the page, and how it is started: the one lookup.

Used by ``build.py test`` (which exports the answer as ``$KMEANSLAB_CHROMIUM``), the
browser tests' conftest, ``build.py bench`` and ``build.py screenshots``. Order:
``$KMEANSLAB_CHROMIUM``, Debian's Chromium, one on ``PATH``, then Playwright's own
(whose download fails on machines without internet, hence last).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .constants import CHROMIUM_CANDIDATES, ENV_CHROMIUM
from .errors import BuildError

#: Flags that work here (no sandbox as root, no GPU) and keep Chromium from calling
#: home, so that the tests can fail on any request leaving 127.0.0.1.
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
)
PLAYWRIGHT_INSTALL_TIMEOUT_S = 900
NO_CHROMIUM = f"""\
No Chromium found for the browser tests (looked at ${ENV_CHROMIUM}, \
{", ".join(CHROMIUM_CANDIDATES)}, PATH and Playwright's own).
Install one, then run the command again:
  - Debian/Ubuntu:  sudo apt-get install chromium
  - elsewhere, with network access:  python -m playwright install chromium
  - or point {ENV_CHROMIUM} at a Chromium or Chrome executable."""


def _executable(path: str | None) -> str | None:
    if path and Path(path).is_file() and os.access(path, os.X_OK):
        return str(Path(path))
    return None


def playwright_chromium() -> str | None:
    """Return the path of Playwright's own Chromium when it is installed, else None."""
    code = (
        "from playwright.sync_api import sync_playwright\n"
        "with sync_playwright() as p: print(p.chromium.executable_path)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    return _executable(proc.stdout.strip()) if proc.returncode == 0 else None


def find_chromium(*, install: bool = False) -> str | None:
    """Return the Chromium executable to drive, or None when there is none.

    Parameters
    ----------
    install : bool
        When no Chromium is found, run ``python -m playwright install chromium`` and
        look again (``build.py test`` does; the others just report None).

    Raises
    ------
    BuildError
        If ``$KMEANSLAB_CHROMIUM`` is set but is not an executable file.
    """
    chosen = os.environ.get(ENV_CHROMIUM)
    if chosen:
        if _executable(chosen) is None:
            raise BuildError(f"{ENV_CHROMIUM}={chosen} is not an executable file.")
        return chosen
    candidates = [*CHROMIUM_CANDIDATES, shutil.which("chromium"), shutil.which("chromium-browser")]
    for candidate in candidates:
        if _executable(candidate):
            return candidate
    found = playwright_chromium()
    if found or not install:
        return found
    print("No Chromium found; trying: python -m playwright install chromium", flush=True)
    try:
        subprocess.run(
            [sys.executable, "-m", "playwright", "install", "chromium"],
            timeout=PLAYWRIGHT_INSTALL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"playwright install chromium failed: {exc}", file=sys.stderr)
    return playwright_chromium()


def launch(playwright, **options):
    """Launch the found Chromium with ``LAUNCH_ARGS`` from a Playwright instance.

    Raises
    ------
    BuildError
        When no Chromium is found (saying what to install) or it does not start.
    """
    executable = find_chromium()
    if executable is None:
        raise BuildError(NO_CHROMIUM)
    try:
        return playwright.chromium.launch(
            executable_path=executable, args=list(LAUNCH_ARGS), **options
        )
    except Exception as exc:  # Playwright raises its own Error types
        raise BuildError(f"Could not start Chromium ({executable}): {exc}\n{NO_CHROMIUM}") from exc
