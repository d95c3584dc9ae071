// Heat levels for table cells: a 0..1 share drives a CSS color-mix (see digits.css), so
// the scale follows the theme; strong cells switch to the contrasting text color.
// The mix skips the middle band of lightness, where neither the normal nor the
// contrasting text would reach WCAG's 4.5:1: weak cells use the lower part of the scale,
// strong ones the upper part (the bounds are per theme, in CSS).

const HOT = 0.55;

/** Style a cell for `count` out of a row `total` (share of the row, 0..1). */
export function heatCell(cell, count, total) {
  const s = Math.sqrt(total > 0 ? count / total : 0);
  const hot = s > HOT;
  cell.style.setProperty("--heat", `${Math.round(s * 100)}%`);
  // Position inside the cell's own band (weak: 0..HOT, strong: HOT..1), 0..1.
  cell.style.setProperty("--heat-f", (hot ? (s - HOT) / (1 - HOT) : s / HOT).toFixed(3));
  cell.classList.toggle("hot", hot);
}
