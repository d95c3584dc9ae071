"""Runs inside Pyodide (see worker.js): install the pytest wheels, run the suite.

Not a test module and not run natively.
"""

from __future__ import annotations

import importlib
import io
import os
import site
import sys
import zipfile
from contextlib import redirect_stdout
from pathlib import Path


class Tee(io.TextIOBase):
    """A text stream that keeps what is written and passes each piece to ``emit``."""

    def __init__(self, emit) -> None:
        self.parts: list[str] = []
        self.emit = emit

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.emit(text)
        return len(text)

    def getvalue(self) -> str:
        return "".join(self.parts)


def install_wheels(folder: str) -> None:
    """Unpack every wheel in ``folder`` into site-packages (pure-Python wheels only)."""
    target = site.getsitepackages()[0]
    for wheel in sorted(Path(folder).glob("*.whl")):
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
    importlib.invalidate_caches()


def main(wheel_dir: str, root: str, args, emit) -> tuple[int, str]:
    """Run ``pytest.main(args)`` in ``root``; return its exit code and its output."""
    install_wheels(wheel_dir)
    import pytest

    os.chdir(root)
    stream = Tee(emit)
    with redirect_stdout(stream):
        code = pytest.main(list(args))
    sys.stdout.flush()
    return int(code), stream.getvalue()
