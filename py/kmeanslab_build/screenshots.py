"""``python build.py screenshots``: the README's pictures, taken from the real built page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .bench.runner import open_page
from .constants import SITE_DIR

WAIT_MS = 180_000


def _settle(page: Any, text: str) -> None:
    """Wait until the status line says ``text`` and the page is ready again."""
    page.get_by_role("status").filter(has_text=text).wait_for(timeout=WAIT_MS)
    page.locator("html[data-state=ready]").wait_for(state="attached", timeout=WAIT_MS)


def _points(page: Any) -> None:
    page.get_by_role("link", name="Points").click()
    page.get_by_role("button", name="E–M steps", exact=True).click()
    _settle(page, "steps ready")
    for _ in range(3):
        page.get_by_role("button", name="Next", exact=False).first.click()


def _image(page: Any) -> None:
    page.get_by_role("link", name="Image").click()
    page.get_by_role("button", name="china.jpg").click()
    _settle(page, "Quantized china.jpg")


def _digits(page: Any) -> None:
    page.get_by_role("link", name="Digits").click()
    page.locator("#panel-digits").get_by_role("button", name="Run").click()
    _settle(page, "Done: accuracy")


#: name -> what a person does before the picture is taken
SHOTS: dict[str, Callable[[Any], None]] = {"points": _points, "image": _image, "digits": _digits}


def take(dist: Path, out: Path = SITE_DIR / "img") -> list[Path]:
    """Save one 1280 x 900 PNG per entry of SHOTS into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with open_page(dist) as page:
        page.set_viewport_size({"width": 1280, "height": 900})
        for name, act in SHOTS.items():
            act(page)
            page.evaluate("window.scrollTo(0, 0)")
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=False)
            written.append(path)
    return written
