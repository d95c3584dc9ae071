"""SHA-256 of files and bytes, and the check that stops the build on a mismatch."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import BuildError

_CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of the file at ``path``, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_one(path: Path, name: str, expected: str, *, hint: str = "") -> None:
    """Check that ``path`` (the file ``name``) has SHA-256 ``expected``.

    Parameters
    ----------
    path : Path
        File to hash.
    name : str
        The pinned file name, for the message.
    expected : str
        Pinned hex SHA-256.
    hint : str, optional
        What the user can do about a mismatch, appended to the message.

    Raises
    ------
    BuildError
        If the hash differs, naming the file, the expected and the actual hash.
    """
    actual = sha256_file(path)
    if actual != expected:
        message = (
            f"SHA-256 mismatch for {name} ({path}):\n  expected {expected}\n  actual   {actual}"
        )
        raise BuildError(message + (f"\n{hint}" if hint else ""))
