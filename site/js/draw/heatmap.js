// Heat levels for table cells: a 0..1 share drives a CSS color-mix (see digits.css), so
// the scale follows the theme; strong cells switch to the contrasting text color.

/** Style a cell for `count` out of a row `total` (share of the row, 0..1). */
export function heatCell(cell, count, total) {
  const t = total > 0 ? count / total : 0;
  cell.style.setProperty("--heat", `${Math.round(Math.sqrt(t) * 100)}%`);
  cell.classList.toggle("hot", Math.sqrt(t) > 0.55);
}
