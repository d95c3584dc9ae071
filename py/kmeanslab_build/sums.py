"""``SHA256SUMS`` of an output folder: write it, read it."""

from __future__ import annotations

from pathlib import Path

from .constants import DIST_SUMS_NAME
from .hashing import sha256_file


def output_files(root: Path) -> list[str]:
    """Return every file under ``root`` as sorted POSIX paths, except SHA256SUMS."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).as_posix() != DIST_SUMS_NAME
    )


def write_sums(root: Path) -> dict[str, str]:
    """Hash every output file, write ``root/SHA256SUMS``; return ``{path: sha256}``."""
    sums = {rel: sha256_file(root / rel) for rel in output_files(root)}
    text = "".join(f"{sha}  {rel}\n" for rel, sha in sums.items())
    (root / DIST_SUMS_NAME).write_text(text, encoding="utf-8")
    return sums


def read_sums(root: Path) -> dict[str, str]:
    """Return ``{path: sha256}`` from ``root/SHA256SUMS``."""
    sums = {}
    for line in (root / DIST_SUMS_NAME).read_text(encoding="utf-8").splitlines():
        if line.strip():
            sha, rel = line.split("  ", 1)
            sums[rel] = sha
    return sums
