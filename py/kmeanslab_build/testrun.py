"""``build.py test``: the one test command for a fresh machine.

Installs the test dependencies when missing, runs ``ruff check py tests`` (a finding
fails the run, with ruff's output), builds dist/ when stale, finds a Chromium
(``browser.find_chromium``, installing Playwright's own where the network allows),
exports it as ``KMEANSLAB_CHROMIUM`` and runs ``python -m pytest tests``. When no
Chromium can be had it stops with exit code 2 and says what to install.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from .browser import NO_CHROMIUM, find_chromium
from .constants import DEFAULT_OUT, ENV_CHROMIUM, ENV_DIST, PYPROJECT, REPO_ROOT, TEST_EXTRA
from .errors import BuildError

#: Exit code when the environment lacks something the tests need (Chromium, deps).
EXIT_ENVIRONMENT = 2
#: What ``ruff check`` looks at (pyproject.toml's [tool.ruff] holds the rules).
LINT_PATHS = ("py", "tests")
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


def _has_path_argument(args: list[str]) -> bool:
    """Return True when the pytest arguments already name test paths."""
    return any(
        not arg.startswith("-") and (REPO_ROOT / arg.split("::")[0]).exists() for arg in args
    )


def run_lint(root: Path = REPO_ROOT) -> tuple[int, str]:
    """Run ``ruff check py tests`` in ``root``; return its exit code and output."""
    command = [sys.executable, "-m", "ruff", "check", *LINT_PATHS]
    proc = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def run_tests(pytest_args: list[str]) -> int:
    """Lint, then run the whole test suite as on a fresh machine; return the exit code."""
    from .assemble import build, report
    from .stale import stale_reason

    try:
        ensure_test_dependencies()
        chromium = find_chromium(install=True)
    except BuildError as exc:
        print(f"build.py test: error: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    if chromium is None:
        print(NO_CHROMIUM, file=sys.stderr)
        return EXIT_ENVIRONMENT
    code, output = run_lint()
    if code != 0:
        print(output, file=sys.stderr)
        print(
            f"build.py test: ruff check {' '.join(LINT_PATHS)} is not clean (exit {code}); "
            "fix the findings above (ruff check --fix py tests fixes some), then run again.",
            file=sys.stderr,
        )
        return code
    print(f"ruff check {' '.join(LINT_PATHS)}: {output.splitlines()[-1] if output else 'ok'}")
    out = Path(os.environ.get(ENV_DIST) or DEFAULT_OUT)
    reason = stale_reason(out)
    if reason:
        print(f"Building ({reason}) ...", flush=True)
        try:
            print(report(build(out)), flush=True)
        except BuildError as exc:
            print(f"build.py test: build failed: {exc}", file=sys.stderr)
            return 1
    print(f"Chromium: {chromium}", flush=True)
    env = {**os.environ, ENV_CHROMIUM: chromium}
    paths = [] if _has_path_argument(pytest_args) else ["tests"]
    command = [sys.executable, "-m", "pytest", *paths, *pytest_args]
    return subprocess.call(command, cwd=REPO_ROOT, env=env)
