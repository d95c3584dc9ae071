"""Read back what a canvas shows, as a person would see it."""

from __future__ import annotations

COUNT_COLORS_JS = """
(selector) => {
  const c = document.querySelector(selector);
  // a plot with axes names its plot area (data-plot-area="x0,y0,x1,y1", device pixels):
  // only that is read, not the tick labels around it
  const area = c.dataset.plotArea || `0,0,${c.width},${c.height}`;
  const [x0, y0, x1, y1] = area.split(',').map(Number);
  const w = Math.max(1, x1 - x0), h = Math.max(1, y1 - y0);
  const d = c.getContext('2d').getImageData(x0, y0, w, h).data;
  const counts = {};
  for (let i = 0; i < d.length; i += 4) {
    const key = '#' + [d[i], d[i + 1], d[i + 2]].map(v => v.toString(16).padStart(2, '0')).join('');
    counts[key] = (counts[key] || 0) + 1;
  }
  return counts;
}
"""


def color_counts(page, selector: str) -> dict[str, int]:
    """How many pixels of each color the canvas has."""
    return page.evaluate(COUNT_COLORS_JS, selector)


def cluster_colors(page, selector: str, min_pixels: int = 40) -> set[str]:
    """Colors covering at least ``min_pixels`` pixels, other than background and markers.

    Points are drawn without anti-aliasing, so each cluster is one exact color; the
    center markers' black and white rings and the background are left out.
    """
    background = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--canvas-bg').trim()"
    ).lower()
    ignore = {background, "#000000", "#ffffff"}
    return {
        color
        for color, n in color_counts(page, selector).items()
        if n >= min_pixels and color not in ignore
    }
