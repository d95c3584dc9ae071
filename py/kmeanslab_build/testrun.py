"""``build.py test``: the one test command for a fresh machine.

Installs the test dependencies when missing, builds dist/ when stale, finds a Chromium
(``$KMEANSLAB_CHROMIUM``, Debian's, or Playwright's own, installed where the network
allows), exports it as ``KMEANSLAB_CHROMIUM`` and runs ``python -m pytest tests``.
When no Chromium can be had it stops with exit code 2 and says what to install.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from .constants import (
    CHROMIUM_CANDIDATES,
    DEFAULT_OUT,
    ENV_CHROMIUM,
    ENV_DIST,
    PYPROJECT,
    REPO_ROOT,
    TEST_EXTRA,
)
from .errors import BuildError

#: Exit code when the environment lacks something the tests need (Chromium, deps).
EXIT_ENVIRONMENT = 2
PLAYWRIGHT_INSTALL_TIMEOUT_S = 900
NO_CHROMIUM = f"""\
No Chromium found for the browser tests (looked at ${ENV_CHROMIUM}, \
{", ".join(CHROMIUM_CANDIDATES)}, and Playwright's own).
Install one, then run the command again:
  - Debian/Ubuntu:  sudo apt-get install chromium
  - elsewhere, with network access:  python -m playwright install chromium
  - or point {ENV_CHROMIUM} at a Chromium or Chrome executable."""
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(?:>=\s*([0-9.]+))?")


def required_for_tests(pyproject: Path = PYPROJECT) -> list[str]:
    """Return the runtime and ``test`` extra requirements from pyproject.toml."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return [*project.get("dependencies", []), *project["optional-dependencies"][TEST_EXTRA]]


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def is_satisfied(requirement: str) -> bool:
    """Return True when ``requirement`` (``name`` or ``name>=X.Y``) is installed."""
    match = _REQUIREMENT.match(requirement)
    if match is None:
        return False
    name, minimum = match.groups()
    try:
        installed = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return minimum is None or _version_tuple(installed) >= _version_tuple(minimum)


def ensure_test_dependencies() -> None:
    """``pip install`` whatever test requirement is missing or too old."""
    missing = [req for req in required_for_tests() if not is_satisfied(req)]
    if not missing:
        return
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *missing]
    print(f"Installing test dependencies: {' '.join(missing)}", flush=True)
    if subprocess.call(command, cwd=REPO_ROOT) != 0:
        raise BuildError(
            f"Could not install the test dependencies ({' '.join(command)}); check network "
            "access to the Python package index, or install them yourself: "
            f'python -m pip install -e ".[{TEST_EXTRA}]"'
        )


def _executable(path: str | None) -> str | None:
    if path and Path(path).is_file() and os.access(path, os.X_OK):
        return str(Path(path))
    return None


def playwright_chromium() -> str | None:
    """Return the path of Playwright's own Chromium when it is installed."""
    code = (
        "from playwright.sync_api import sync_playwright\n"
        "with sync_playwright() as p: print(p.chromium.executable_path)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    return _executable(proc.stdout.strip()) if proc.returncode == 0 else None


def find_chromium(*, install: bool = True) -> str | None:
    """Return a Chromium executable, installing Playwright's one if allowed and needed.

    Raises
    ------
    BuildError
        If ``$KMEANSLAB_CHROMIUM`` is set but is not an executable.
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


def _has_path_argument(args: list[str]) -> bool:
    """Return True when the pytest arguments already name test paths."""
    return any(
        not arg.startswith("-") and (REPO_ROOT / arg.split("::")[0]).exists() for arg in args
    )


def run_tests(pytest_args: list[str]) -> int:
    """Run the whole test suite as on a fresh machine; return pytest's exit code."""
    from .assemble import build, report
    from .stale import stale_reason

    try:
        ensure_test_dependencies()
        chromium = find_chromium()
    except BuildError as exc:
        print(f"build.py test: error: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    out = Path(os.environ.get(ENV_DIST) or DEFAULT_OUT)
    reason = stale_reason(out)
    if reason:
        print(f"Building ({reason}) ...", flush=True)
        try:
            print(report(build(out)), flush=True)
        except BuildError as exc:
            print(f"build.py test: build failed: {exc}", file=sys.stderr)
            return 1
    if chromium is None:
        print(NO_CHROMIUM, file=sys.stderr)
        return EXIT_ENVIRONMENT
    print(f"Chromium: {chromium}", flush=True)
    env = {**os.environ, ENV_CHROMIUM: chromium}
    paths = [] if _has_path_argument(pytest_args) else ["tests"]
    command = [sys.executable, "-m", "pytest", *paths, *pytest_args]
    return subprocess.call(command, cwd=REPO_ROOT, env=env)
