"""Open the built page in headless Chromium for the benchmark suites."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..constants import ENV_CHROMIUM
from ..serve import make_server

LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def chromium_path() -> str | None:
    """$KMEANSLAB_CHROMIUM, Debian's Chromium, or None for Playwright's own."""
    for candidate in (os.environ.get(ENV_CHROMIUM), "/usr/bin/chromium",
                      "/usr/bin/chromium-browser", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@contextlib.contextmanager
def open_page(dist: Path) -> Iterator[Any]:
    """A page of ``dist/index.html`` served on 127.0.0.1, once Python is ready in it."""
    from playwright.sync_api import sync_playwright

    server = make_server(dist, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html#digits"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
            page = browser.new_page()
            page.set_default_timeout(600_000)
            page.goto(url)
            # A locator, not wait_for_function: the page's CSP forbids eval.
            page.locator("html[data-state=ready]").wait_for(state="attached")
            yield page
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
