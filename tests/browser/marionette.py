"""A small Marionette client (Firefox's own remote protocol), standard library only.

Playwright for Python drives only its own patched Firefox, which cannot be downloaded
here; Debian's firefox-esr speaks Marionette (``--marionette``): length-prefixed JSON
over TCP, with the WebDriver commands (``WebDriver:Navigate``, ``WebDriver:ExecuteScript``).
Every request to a host other than 127.0.0.1 goes to a proxy that refuses and records it
(``foreign``, see ``refusing_proxy.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from refusing_proxy import RefusingProxy, free_port

FIREFOX_CANDIDATES = ("firefox-esr", "firefox")
CONNECT_TIMEOUT_S = 60


def find_firefox() -> str | None:
    """The Firefox executable on PATH, or None."""
    for name in FIREFOX_CANDIDATES:
        if path := shutil.which(name):
            return path
    return None


class MarionetteError(RuntimeError):
    """An error answer from Firefox."""


class Firefox:
    """A headless Firefox with a fresh profile, driven over Marionette."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.TemporaryDirectory(prefix="kmeanslab-firefox-")
        self.port = free_port()
        self.proxy = RefusingProxy()
        proxy_host, proxy_port = self.proxy.address.split(":")
        prefs = {
            "network.proxy.type": 1,  # manual: everything but 127.0.0.1 goes to the proxy
            "network.proxy.http": proxy_host,
            "network.proxy.http_port": int(proxy_port),
            "network.proxy.ssl": proxy_host,
            "network.proxy.ssl_port": int(proxy_port),
            "network.proxy.no_proxies_on": "127.0.0.1",
            "network.dns.disablePrefetch": True,  # links to other hosts: no look-ups either
            "marionette.port": self.port,
            "browser.shell.checkDefaultBrowser": False,
            "datareporting.policy.dataSubmissionEnabled": False,
            "toolkit.telemetry.reportingpolicy.firstRun": False,
            "browser.startup.homepage_override.mstone": "ignore",
            "network.captive-portal-service.enabled": False,
            "app.update.disabledForTesting": True,
            "browser.safebrowsing.update.enabled": False,
            "extensions.update.enabled": False,
            "network.connectivity-service.enabled": False,
            # Remote settings (blocklists and the like) would call home at start-up.
            "services.settings.server": "data:,#remote-settings-dummy/v1",
        }
        Path(self.profile.name, "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items()),
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [executable, "--headless", "--marionette", "--no-remote",
             "--profile", self.profile.name],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            # Release builds honour services.settings.server only with this set.
            env={**os.environ, "MOZ_REMOTE_SETTINGS_DEVTOOLS": "1"},
        )
        self.sock = self._connect()
        self.stream = self.sock.makefile("rb")
        self._id = 0
        self._read()  # the hello: {"applicationType": "gecko", "marionetteProtocol": 3}
        session = self.command("WebDriver:NewSession", {"capabilities": {}})
        self.capabilities = session["capabilities"]

    @property
    def foreign(self) -> list[str]:
        """Requests that tried to leave 127.0.0.1 (refused by the proxy)."""
        return self.proxy.foreign

    def _connect(self) -> socket.socket:
        deadline = time.monotonic() + CONNECT_TIMEOUT_S
        while True:
            try:
                return socket.create_connection(("127.0.0.1", self.port))
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.2)  # Firefox is still starting; not a wait on the page

    def _read(self) -> Any:
        size = b""
        while (c := self.stream.read(1)) != b":":
            if not c:
                raise MarionetteError("Firefox closed the connection")
            size += c
        return json.loads(self.stream.read(int(size)))

    def command(self, name: str, params: dict | None = None) -> Any:
        """Send one command; return its value or raise MarionetteError."""
        self._id += 1
        data = json.dumps([0, self._id, name, params or {}]).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        while True:
            _, msg_id, error, result = self._read()
            if msg_id == self._id:
                break
        if error:
            raise MarionetteError(f"{error.get('error')}: {error.get('message')}")
        return result.get("value", result) if isinstance(result, dict) else result

    def navigate(self, url: str) -> None:
        self.command("WebDriver:Navigate", {"url": url})

    def script(self, body: str, *args: Any) -> Any:
        """Run ``body`` (a function body; ``arguments`` holds ``args``) in the page."""
        return self.command("WebDriver:ExecuteScript", {"script": body, "args": list(args)})

    def wait(self, body: str, *args: Any, timeout_ms: int = 120_000) -> Any:
        """Run an async function body in the page and return what it resolves to."""
        self.command("WebDriver:SetTimeouts", {"script": timeout_ms})
        script = f"const done = arguments[arguments.length - 1];\n" \
                 f"(async (...args) => {{ {body} }})(...Array.from(arguments).slice(0, -1))" \
                 f".then(done, (e) => done({{error: String(e)}}));"
        return self.command("WebDriver:ExecuteAsyncScript", {"script": script, "args": list(args)})

    def close(self) -> None:
        try:
            self.command("Marionette:Quit", {"flags": ["eForceQuit"]})
        except (MarionetteError, OSError):
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.sock.close()
        self.proxy.close()
        self.profile.cleanup()
