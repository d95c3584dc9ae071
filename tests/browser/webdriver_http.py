"""A small W3C WebDriver client over HTTP for WebKit, standard library only.

Playwright for Python drives only its own patched WebKit, which cannot be downloaded
here; Debian's ``webkit2gtk-driver`` brings ``WebKitWebDriver`` (WebKitGTK's WebDriver
server, W3C WebDriver as JSON over HTTP), which starts WebKitGTK's ``MiniBrowser`` in
automation mode. That MiniBrowser is a GTK 3 program with no headless mode, so the driver
runs on a private Xvfb display (Debian's ``xvfb``) started here and stopped on close.

Every request the browser makes to a host other than 127.0.0.1 goes to a local proxy
that refuses it and records it (``foreign``, see ``refusing_proxy.py``), so a test can
assert that nothing left the machine. The page's console is not visible from here: this
driver has no log command and no WebDriver BiDi (``webSocketUrl`` is refused), and
MiniBrowser's ``--enable-write-console-messages-to-stdout`` does not reach the view that
automation opens; ``test_engines.py`` records errors in the page instead.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from typing import Any

from refusing_proxy import RefusingProxy, free_port

DRIVER = "WebKitWebDriver"
#: Where Debian's libwebkit2gtk packages put MiniBrowser (the 4.1 API first).
MINIBROWSER_GLOBS = (
    "/usr/lib/*/webkit2gtk-4.1/MiniBrowser",
    "/usr/libexec/webkit2gtk-4.1/MiniBrowser",
    "/usr/lib/*/webkit2gtk-4.0/MiniBrowser",
    "/usr/libexec/webkit2gtk-4.0/MiniBrowser",
)
CONNECT_TIMEOUT_S = 60
WINDOW = {"width": 1280, "height": 900}


def find_minibrowser() -> str | None:
    """WebKitGTK's MiniBrowser, or None."""
    for pattern in MINIBROWSER_GLOBS:
        if found := sorted(glob.glob(pattern)):
            return found[0]
    return None


def find_webkit() -> tuple[str, str] | None:
    """``(WebKitWebDriver, MiniBrowser)`` when both are installed, else None."""
    driver, browser = shutil.which(DRIVER), find_minibrowser()
    return (driver, browser) if driver and browser else None


class WebDriverError(RuntimeError):
    """An error answer from the WebDriver server."""


class Xvfb:
    """A private X display (Xvfb picks a free number and tells it through -displayfd)."""

    def __init__(self) -> None:
        read, write = os.pipe()
        try:
            self.process = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24",
                 "-nolisten", "tcp", "-noreset"],
                pass_fds=[write], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        finally:
            os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()  # blocks until the display is up
        if not number:
            self.process.kill()
            raise WebDriverError("Xvfb did not start")
        self.display = ":" + number

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class WebKit:
    """MiniBrowser driven by WebKitWebDriver on a private Xvfb display."""

    def __init__(self, driver: str, browser: str) -> None:
        self.xvfb = Xvfb() if shutil.which("Xvfb") else None
        if self.xvfb is None and not os.environ.get("DISPLAY"):
            raise WebDriverError("MiniBrowser needs a display: install xvfb")
        self.proxy = RefusingProxy()
        self.home = tempfile.TemporaryDirectory(prefix="kmeanslab-webkit-")
        env = dict(os.environ, GDK_BACKEND="x11", HOME=self.home.name,
                   XDG_CACHE_HOME=self.home.name + "/cache",
                   XDG_DATA_HOME=self.home.name + "/data",
                   XDG_CONFIG_HOME=self.home.name + "/config")
        env.pop("WAYLAND_DISPLAY", None)
        if self.xvfb:
            env["DISPLAY"] = self.xvfb.display
        self.port = free_port()
        # Its own process group, so that close() can end MiniBrowser and its web processes.
        self.process = subprocess.Popen(
            [driver, f"--port={self.port}", "--host=local"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        self.session = ""
        try:
            self._wait_for_server()
            answer = self._request("POST", "/session", {"capabilities": {"alwaysMatch": {
                "webkitgtk:browserOptions": {"binary": browser, "args": ["--automation"]},
                "proxy": {"proxyType": "manual", "httpProxy": self.proxy.address,
                          "sslProxy": self.proxy.address, "noProxy": ["127.0.0.1"]},
            }}})
        except BaseException:
            self.close()
            raise
        self.session = answer["sessionId"]
        self.capabilities = answer["capabilities"]
        self.command("POST", "window/rect", WINDOW)

    @property
    def foreign(self) -> list[str]:
        """Requests that tried to leave 127.0.0.1 (refused by the proxy)."""
        return self.proxy.foreign

    def _wait_for_server(self) -> None:
        deadline = time.monotonic() + CONNECT_TIMEOUT_S
        while True:
            try:
                if self._request("GET", "/status").get("ready"):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise WebDriverError(f"{DRIVER} did not start (exit {self.process.poll()})")
            time.sleep(0.2)  # the driver is still starting; not a wait on the page

    def _request(self, method: str, path: str, body: dict | None = None,
                 timeout: float = 60) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as exc:
            try:
                value = json.loads(exc.read())["value"]
            except (ValueError, KeyError):
                raise WebDriverError(f"{method} {path}: HTTP {exc.code}") from None
            raise WebDriverError(f"{value.get('error')}: {value.get('message')}") from None

    def command(self, method: str, name: str, body: dict | None = None,
                timeout: float = 60) -> Any:
        """One command of this session (``name`` is the path after /session/{id}/)."""
        return self._request(method, f"/session/{self.session}/{name}", body, timeout)

    def navigate(self, url: str) -> None:
        self.command("POST", "url", {"url": url}, timeout=300)

    def script(self, body: str, *args: Any) -> Any:
        """Run ``body`` (a function body; ``arguments`` holds ``args``) in the page."""
        return self.command("POST", "execute/sync", {"script": body, "args": list(args)})

    def wait(self, body: str, *args: Any, timeout_ms: int = 120_000) -> Any:
        """Run an async function body in the page and return what it resolves to."""
        self.command("POST", "timeouts", {"script": timeout_ms})
        script = f"const done = arguments[arguments.length - 1];\n" \
                 f"(async (...args) => {{ {body} }})(...Array.from(arguments).slice(0, -1))" \
                 f".then(done, (e) => done({{error: String(e)}}));"
        return self.command("POST", "execute/async", {"script": script, "args": list(args)},
                            timeout=timeout_ms / 1000 + 30)

    def close(self) -> None:
        if self.session:
            try:
                self._request("DELETE", f"/session/{self.session}", timeout=20)
            except (WebDriverError, OSError):
                pass
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        try:  # whatever of MiniBrowser outlived its driver (same process group)
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proxy.close()
        if self.xvfb:
            self.xvfb.close()
        self.home.cleanup()
