"""What a static host needs beyond the files: ``_headers``, ``embed.html``, the CSP.

- ``dist/_headers`` (the format of Netlify and Cloudflare Pages) sends the
  Content-Security-Policy as a real header, so that the worker is held to it too, and
  long cache lifetimes for the files whose names carry their version. ``serve`` applies
  the same file, so the tests run under the policy a host would send.
- ``js/embed-host.js`` is sent with ``Access-Control-Allow-Origin: *``: documentation
  pages on other origins load it as a module script, which CORS would block otherwise.
- ``dist/embed.html`` is ``index.html`` in embed mode (``<html class="embed">``), so
  the compact layout is there from the first paint.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from .constants import (
    CONTENT_SECURITY_POLICY,
    DIST_PYODIDE_DIR,
    EMBED_NAME,
    HEADERS_NAME,
    INDEX_NAME,
)
from .errors import BuildError

#: Headers for every file.
COMMON_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
)
#: Files other sites load: documentation pages on another origin import the embed
#: helper as a module script, which the browser fetches in CORS mode (README,
#: "Embedding it in documentation"). It holds no data, so any origin may read it.
CROSS_ORIGIN_FILES = ("js/embed-host.js",)
CROSS_ORIGIN_HEADERS = (("Access-Control-Allow-Origin", "*"),)
#: Files whose name changes when their content does (third-party wheels, versioned).
IMMUTABLE = "public, max-age=31536000, immutable"
_VERSIONED = re.compile(r"^[A-Za-z0-9_.]+-\d[^/]*\.(whl|zip)$")
_CSP_META = re.compile(
    r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', re.IGNORECASE
)


def immutable_files(files: dict[str, str]) -> list[str]:
    """Files that may be cached for a year: the versioned Pyodide packages.

    The kmeanslab wheel keeps its name across builds of the same version, so it is
    left out, as are the runtime files (the service worker caches them by hash).
    """
    prefix = f"{DIST_PYODIDE_DIR}/"
    return sorted(
        rel for rel in files
        if rel.startswith(prefix) and _VERSIONED.match(rel[len(prefix):])
        and not rel[len(prefix):].startswith("kmeanslab-")
    )


def headers_text(files: dict[str, str]) -> str:
    """The ``_headers`` file for the output ``files`` (paths relative to dist/)."""
    lines = [
        "# Response headers for static hosts that read this file (Netlify, Cloudflare",
        "# Pages). Paths are from the site root: under a sub-path, prefix them.",
        "/*",
        *(f"  {name}: {value}" for name, value in COMMON_HEADERS),
    ]
    for rel in CROSS_ORIGIN_FILES:
        if rel in files:
            lines += [f"/{rel}", *(f"  {name}: {value}" for name, value in CROSS_ORIGIN_HEADERS)]
    for rel in immutable_files(files):
        lines += [f"/{rel}", f"  Cache-Control: {IMMUTABLE}"]
    return "\n".join(lines) + "\n"


def write_headers(root: Path) -> Path:
    """Write ``root/_headers`` for the files now in ``root``."""
    files = {p.relative_to(root).as_posix(): "" for p in root.rglob("*") if p.is_file()}
    path = root / HEADERS_NAME
    path.write_text(headers_text(files), encoding="utf-8")
    return path


def parse_headers(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Parse a ``_headers`` file into ``[(path pattern, [(name, value), ...]), ...]``."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw[0].isspace():
            rules.append((raw.strip(), []))
        elif rules and ":" in raw:
            name, value = raw.strip().split(":", 1)
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def headers_for(path: str, rules: list[tuple[str, list[tuple[str, str]]]]) -> list[tuple[str, str]]:
    """Headers of every rule whose pattern matches ``path`` (``/...``, ``*`` a splat)."""
    found = []
    for pattern, headers in rules:
        if fnmatch.fnmatchcase(path, pattern):
            found.extend(headers)
    return found


def check_csp_meta(root: Path) -> None:
    """Stop the build when index.html's CSP ``<meta>`` differs from the policy."""
    index = root / INDEX_NAME
    if not index.is_file():
        return
    match = _CSP_META.search(index.read_text(encoding="utf-8"))
    if match is None or match.group(1) != CONTENT_SECURITY_POLICY:
        raise BuildError(
            f"{INDEX_NAME} must carry <meta http-equiv=\"Content-Security-Policy\" "
            f"content=\"{CONTENT_SECURITY_POLICY}\"> (the policy in "
            "py/kmeanslab_build/constants.py)."
        )


def write_embed_page(root: Path) -> Path | None:
    """Write ``root/embed.html``: index.html with ``class="embed"`` on ``<html>``."""
    index = root / INDEX_NAME
    if not index.is_file():
        return None
    text = index.read_text(encoding="utf-8")
    tag = re.search(r"<html\b[^>]*>", text)
    if tag is None or "class=" in tag.group(0):
        raise BuildError(f"{INDEX_NAME}: expected one <html ...> tag without a class.")
    embed_tag = tag.group(0)[:-1] + ' class="embed">'
    text = text[: tag.start()] + embed_tag + text[tag.end():]
    text = re.sub(r"<title>[^<]*</title>", "<title>kmeans-lab (embedded)</title>", text, count=1)
    path = root / EMBED_NAME
    path.write_text(text, encoding="utf-8")
    return path
