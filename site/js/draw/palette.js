// Cluster colors: Okabe-Ito first (safe for the common color-vision deficiencies),
// then Paul Tol's muted set, so up to 20 clusters stay distinguishable.
export const CLUSTER_COLORS = [
  "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#332288",
  "#117733", "#882255", "#44AA99", "#999933", "#AA4499", "#88CCEE", "#DDCC77", "#CC6677",
  "#6699CC", "#997700", "#994455", "#555555",
];

/** [r, g, b] of a "#rrggbb" color. */
export function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Read a CSS custom property of the document (theme-aware colors for canvases). */
export function cssColor(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}
