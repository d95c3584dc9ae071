"""Build files made by the vendored Pyodide run in Node (the start-up byte code, the
start-up snapshot), kept in the build cache: made once per recipe, and a build without
Node (or whose Node fails) goes on without them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .cache import read_checked, store_bytes


def cached_or_made(cached: Path, check: Callable[[bytes], object],
                   make: Callable[[str], bytes], node: str | None, what: str,
                   without: str) -> bytes | None:
    """The bytes an earlier build kept at ``cached`` (if ``check`` accepts them), else
    ``make(node)``'s, kept there for the next build.

    ``node`` is the Node executable (default: ``node`` on PATH). Returns None, after one
    line on stderr naming ``what`` is not shipped and ``without`` (what a first visit does
    instead), when there is no Node or making fails (OSError, SubprocessError or
    ValueError from ``make``); never raises those.
    """
    blob = read_checked(cached, check)
    if blob is not None:
        return blob
    node = node or shutil.which("node")
    if node is None:
        print(f"note: Node is not installed, so no {what} is shipped: {without}.",
              file=sys.stderr)
        return None
    started = time.perf_counter()
    try:
        blob = make(node)
    except (OSError, subprocess.SubprocessError, ValueError) as err:
        print(f"note: the {what} could not be made with {node} ({err}): {without}.",
              file=sys.stderr)
        return None
    print(f"{what} made in {time.perf_counter() - started:.1f} s ({len(blob) / 1e6:.1f} MB)",
          file=sys.stderr)
    store_bytes(cached, blob)
    return blob
