"""Fixtures that serve the built dist/ on 127.0.0.1 and drive it in Chromium.

Every page fails its test on a request that leaves 127.0.0.1, on an uncaught page
error and on a console error. Tests wait on page state (``html[data-state]``), never
on sleeps.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
# KMEANSLAB_DIST lets parallel work test its own build (python build.py --out DIR).
DIST = Path(os.environ.get("KMEANSLAB_DIST", ROOT / "dist")).resolve()
sys.path.insert(0, str(ROOT / "py"))
from kmeanslab_build import BuildError  # noqa: E402
from kmeanslab_build.browser import launch  # noqa: E402 (the one Chromium lookup)

READY_TIMEOUT_MS = 90_000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def dist_dir() -> Path:
    """dist/, built first when it is missing (``python build.py test`` builds it anyway)."""
    if not (DIST / "build-info.json").exists():
        subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "--out", str(DIST)], check=True, cwd=ROOT
        )
    return DIST


@pytest.fixture(scope="session")
def base_url(dist_dir: Path) -> Iterator[str]:
    from kmeanslab_build.serve import make_server

    server = make_server(dist_dir, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        try:
            b = launch(p)
        except BuildError as exc:  # no silent skip: say what to install
            pytest.fail(str(exc))
        yield b
        b.close()


class PageWatch:
    """Collects what must fail a test: foreign requests, page errors, console errors."""

    def __init__(self) -> None:
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.allowed_console: list[str] = []

    def check(self) -> None:
        assert not self.foreign, f"requests left 127.0.0.1: {self.foreign}"
        errors = [e for e in self.errors if not any(a in e for a in self.allowed_console)]
        assert not errors, f"page errors: {errors}"


@pytest.fixture
def context(browser, base_url):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield ctx
    ctx.close()


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


def first_visit(context, watch: PageWatch, base_url: str, quota: int | None = None):
    """A guarded page of ``context`` opened on the Points panel and ready; with ``quota``,
    its origin may store at most that many bytes (a device short of storage)."""
    from playwright.sync_api import expect

    page = context.new_page()
    guard_page(page, watch)
    if quota is not None:
        context.new_cdp_session(page).send(
            "Storage.overrideQuotaForOrigin", {"origin": base_url.rstrip("/"), "quotaSize": quota})
    page.goto(base_url + "index.html#points")
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)
    return page


def guard_page(page, watch: PageWatch) -> None:
    """Block and record requests that leave 127.0.0.1; record errors."""

    def route(r):
        url = urlparse(r.request.url)
        if url.scheme in ("data", "blob") or url.hostname == "127.0.0.1":
            r.continue_()
        else:
            watch.foreign.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: watch.errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: watch.errors.append(f"console: {msg.text}") if msg.type == "error" else None,
    )


@pytest.fixture
def page(context, watch):
    p = context.new_page()
    guard_page(p, watch)
    yield p
    watch.check()


@pytest.fixture
def app(page, base_url):
    """The app opened on the Points panel and ready."""
    from playwright.sync_api import expect

    page.goto(base_url + "index.html#points")
    expect(page.locator("html")).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)
    return page
