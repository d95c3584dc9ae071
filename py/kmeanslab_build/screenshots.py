"""``python build.py screenshots``: the README's pictures, taken from the real built page."""

from __future__ import annotations

from pathlib import Path

from .bench.runner import open_page
from .constants import SITE_DIR

#: name -> (URL hash, JavaScript to run once ready, viewport width)
SHOTS = {
    "points": ("#points", "document.querySelector('[data-preset=em-steps]').click()", 1280),
}


def take(dist: Path, out: Path = SITE_DIR / "img") -> list[Path]:
    """Save one PNG per entry of SHOTS into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with open_page(dist) as page:
        for name, (hash_, script, width) in SHOTS.items():
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(f"location.hash = {hash_!r}")
            page.evaluate(script)
            # A locator, not wait_for_function: the page's CSP forbids eval.
            page.locator("html[data-state=ready]").wait_for(state="attached")
            page.evaluate("document.querySelector('[name=next]')?.click()")
            page.evaluate("document.querySelector('[name=next]')?.click()")
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=False)
            written.append(path)
    return written
