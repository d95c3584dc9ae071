"""Fetch the official Pyodide runtime with npm's own client: ``npm pack pyodide@0.27.7``.

The npm package ``pyodide`` is the official distribution of the runtime files
(``pyodide.js``, ``pyodide.mjs``, ``pyodide.asm.js``, ``pyodide.asm.wasm``,
``python_stdlib.zip``) and of ``pyodide-lock.json``; it does not carry the package
wheels. npm resolves the registry from the user's own settings (``.npmrc``, proxy,
mirror), checks the tarball against the registry's integrity hash, and leaves a
``pyodide-0.27.7.tgz`` that ``release.extract_from_release`` reads like any release.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from .errors import BuildError
from .pins import PYODIDE_VERSION

NPM_SPEC = f"pyodide@{PYODIDE_VERSION}"
NPM_TARBALL = f"pyodide-{PYODIDE_VERSION}.tgz"
NPM_ORIGIN = f"npm pack {NPM_SPEC}"
NPM_TIMEOUT_S = 600
#: How npm is named on Windows and elsewhere.
NPM_NAMES = ("npm", "npm.cmd")
_STACK = re.compile(r"^(npm (error|ERR!))?\s+at\s")


def find_npm() -> str | None:
    """Return npm's executable on ``PATH``, or None."""
    return next((found for name in NPM_NAMES if (found := shutil.which(name))), None)


def npm_pack(dest: Path) -> Path:
    """Run ``npm pack pyodide@0.27.7`` in ``dest``; return the tarball it wrote.

    Lifecycle scripts are never run (``--ignore-scripts``): only the tarball is wanted.

    Raises
    ------
    BuildError
        When npm is not installed, fails (its last lines of output are quoted), or
        writes no ``pyodide-0.27.7.tgz``.
    """
    npm = find_npm()
    if npm is None:
        raise BuildError(f"{NPM_ORIGIN}: npm is not installed (no npm on PATH).")
    command = [npm, "pack", NPM_SPEC, "--ignore-scripts", "--json", "--loglevel=error"]
    try:
        proc = subprocess.run(
            command, cwd=dest, capture_output=True, text=True, timeout=NPM_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"{NPM_ORIGIN} failed: {exc}") from exc
    if proc.returncode != 0:
        raise BuildError(f"{NPM_ORIGIN} failed (exit {proc.returncode}): {_why(proc)}")
    tarball = dest / _reported_name(proc.stdout)
    if not tarball.is_file():
        raise BuildError(f"{NPM_ORIGIN} wrote no {tarball.name} into {dest}.")
    return tarball


def _why(proc: subprocess.CompletedProcess) -> str:
    """npm's own summary of a failure (``--json`` puts it on stdout), else its last lines."""
    try:
        error = json.loads(proc.stdout)["error"]
        return " ".join(str(error[key]) for key in ("summary", "detail") if error.get(key))
    except (ValueError, LookupError, TypeError):
        # Drop the stack trace lines ("npm error     at ..."): they say nothing to a user.
        lines = [line for line in proc.stderr.splitlines() if not _STACK.match(line)]
        return "\n".join(lines[-6:]).strip() or "no output"


def _reported_name(stdout: str) -> str:
    """The tarball's name from ``npm pack --json`` (the expected name when unparsable)."""
    try:
        report = json.loads(stdout)
        return Path(report[0]["filename"]).name
    except (ValueError, LookupError, TypeError):
        return NPM_TARBALL
