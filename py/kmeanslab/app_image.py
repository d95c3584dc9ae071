"""Worker entry points of the Image panel (merged into :data:`kmeanslab.app.OPERATIONS`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

OPERATIONS: dict[str, Callable[..., Any]] = {}
