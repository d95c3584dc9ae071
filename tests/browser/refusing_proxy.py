"""A proxy on 127.0.0.1 that lets nothing through and records what tried to pass.

The engines' smoke tests point the browser's HTTP and HTTPS proxy at it (with 127.0.0.1
exempt), so every request that would leave the machine ends here, refused, and the
test can assert that there was none. Also ``free_port``, for the drivers' own servers.
"""

from __future__ import annotations

import socket
import socketserver
import threading


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (for a driver or browser to listen on)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Refuse(socketserver.BaseRequestHandler):
    """Records the first line of what reaches the proxy and answers 403."""

    def handle(self) -> None:
        self.request.settimeout(5)
        try:
            head = self.request.recv(1024)
        except OSError:
            head = b""
        if head.startswith(b"\x16\x03"):  # WebKit speaks TLS to the proxy for https://, wss://
            seen = "an https:// or wss:// request (TLS to the proxy; target not visible)"
        else:
            seen = head.split(b"\r\n", 1)[0].decode("latin-1") or "an empty connection"
        self.server.foreign.append(seen)  # type: ignore[attr-defined]
        try:
            self.request.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")
        except OSError:
            pass


class RefusingProxy:
    """A proxy on 127.0.0.1 that lets nothing through and lists what it saw."""

    def __init__(self) -> None:
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Refuse)
        self.server.daemon_threads = True
        self.server.foreign = []  # type: ignore[attr-defined]
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def foreign(self) -> list[str]:
        return list(self.server.foreign)  # type: ignore[attr-defined]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
