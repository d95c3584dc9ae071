"""Open the built page in headless Chromium for the benchmark suites."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..browser import LAUNCH_ARGS, launch
from ..browser import find_chromium as chromium_path
from ..serve import make_server

__all__ = ["LAUNCH_ARGS", "chromium_path", "open_page"]


@contextlib.contextmanager
def open_page(dist: Path) -> Iterator[Any]:
    """A page of ``dist/index.html`` served on 127.0.0.1, once Python is ready in it."""
    from playwright.sync_api import sync_playwright

    server = make_server(dist, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html#digits"
    try:
        with sync_playwright() as p:
            browser = launch(p)
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
