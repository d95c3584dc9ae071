"""Serve dist/ on 127.0.0.1 with the MIME types Pyodide needs.

Browser tests import :func:`make_server` and run it in a thread on port 0. The server
sends the headers of ``dist/_headers`` (the Content-Security-Policy a host would send;
caching stays ``no-cache`` here), and can serve dist/ under a sub-path (``base``), as a
host like GitHub Pages does (``https://user.github.io/repo/``).
"""

from __future__ import annotations

import mimetypes
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .constants import HEADERS_NAME, MIME_TYPES
from .hosting import headers_for, parse_headers


class DistHandler(SimpleHTTPRequestHandler):
    """Static files with fixed MIME types, no directory listings, no caching."""

    def guess_type(self, path: str) -> str:
        """Return the MIME type from our table, else from ``mimetypes``."""
        suffix = Path(path).suffix.lower()
        if suffix in MIME_TYPES:
            return MIME_TYPES[suffix]
        return mimetypes.guess_type(path)[0] or MIME_TYPES[""]

    def translate_path(self, path: str) -> str:
        """Map ``<base>rest`` to ``root/rest``; anything outside ``base`` is not found."""
        base = getattr(self.server, "base", "/")
        if base != "/":
            if not path.startswith(base):
                return str(Path(self.directory) / "__outside_base__" / "missing")
            path = "/" + path[len(base):]
        return super().translate_path(path)

    def send_head(self):
        """Answer revalidations by ETag (size and mtime in ns), as static hosts do.

        If-Modified-Since is ignored: its one-second resolution would answer "304 Not
        Modified" for a file rebuilt within the same second (a new sw.js, for one).
        """
        del self.headers["If-Modified-Since"]
        path = Path(self.translate_path(self.path))
        if path.is_file():
            stat = path.stat()
            self.etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
            if self.etag in self.headers.get("If-None-Match", ""):
                self.send_response(304)
                self.end_headers()
                return None
        return super().send_head()

    def end_headers(self) -> None:
        """Send the ETag of the file being answered, if any, then the other headers."""
        etag = getattr(self, "etag", None)
        if etag:
            self.send_header("ETag", etag)
            self.etag = None
        self._common_headers()
        super().end_headers()

    def list_directory(self, path):
        """Refuse directory listings (404)."""
        self.send_error(404, "No directory listings")
        return None

    def _common_headers(self) -> None:
        """``Cache-Control: no-cache`` (a rebuilt dist/ is seen at once), _headers' others."""
        self.send_header("Cache-Control", "no-cache")
        base = getattr(self.server, "base", "/")
        rel = "/" + self.path.split("?", 1)[0][len(base):]
        for name, value in headers_for(rel, getattr(self.server, "header_rules", [])):
            if name.lower() != "cache-control":
                self.send_header(name, value)

    def log_message(self, format: str, *args) -> None:
        """Log requests unless the server is quiet."""
        if not getattr(self.server, "quiet", True):
            super().log_message(format, *args)


def make_server(
    root: Path | str,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    quiet: bool = True,
    base: str = "/",
    headers: bool = True,
    handler: type[DistHandler] = DistHandler,
) -> ThreadingHTTPServer:
    """Return a threading HTTP server for ``root`` (not started).

    Parameters
    ----------
    root : Path or str
        Folder to serve (dist/).
    host : str
        Address to bind, 127.0.0.1 by default.
    port : int
        Port; 0 picks a free one (read it from ``server.server_address[1]``).
    quiet : bool
        Do not log each request.
    base : str
        URL path dist/ is served under, e.g. ``"/some/path/"`` (must start and end
        with ``/``).
    headers : bool
        Send the headers listed in ``root/_headers`` (when it exists).
    handler : type
        A :class:`DistHandler` subclass (the benchmark counts bytes with one).
    """
    if not (base.startswith("/") and base.endswith("/")):
        raise ValueError(f"base must start and end with '/'; it is {base!r}.")
    server = ThreadingHTTPServer((host, port), partial(handler, directory=str(root)))
    server.quiet = quiet
    server.base = base
    rules_file = Path(root) / HEADERS_NAME
    server.header_rules = (
        parse_headers(rules_file.read_text(encoding="utf-8"))
        if headers and rules_file.is_file() else []
    )
    return server


def serve(out: Path, host: str, port: int, base: str = "/") -> int:
    """Build ``out`` when stale, then serve it until interrupted."""
    from .assemble import build, report
    from .stale import stale_reason

    reason = stale_reason(out)
    if reason:
        print(f"Building ({reason}) ...", flush=True)
        print(report(build(out)), flush=True)
    server = make_server(out.resolve(), host, port, quiet=False, base=base)
    real_host, real_port = server.server_address[:2]
    print(f"Serving kmeans-lab at http://{real_host}:{real_port}{base}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
    finally:
        server.server_close()
    return 0
