// Scatter plot of 2-d points colored by cluster, with the centers marked.
// Points are written straight into pixels (exact colors, fast for 100,000 points);
// markers are drawn on top with the vector API.
import { CLUSTER_COLORS, rgb, cssColor } from "./palette.js";

const PALETTE_RGBA = CLUSTER_COLORS.map((hex) => {
  const [r, g, b] = rgb(hex);
  return (255 << 24) | (b << 16) | (g << 8) | r; // little-endian RGBA in a Uint32
});

function pointSize(n, dpr) {
  const css = n > 50000 ? 1.5 : n > 5000 ? 2.5 : n > 800 ? 3.5 : 5;
  return Math.max(1, Math.round(css * dpr));
}

/**
 * Draw `points` (interleaved x, y) with `labels` (cluster per point, or null for
 * uncolored) and `centers` (interleaved, or null) through `view`.
 */
export function drawScatter(ctx, view, { points, labels = null, centers = null, trails = null }) {
  const { width, height } = view;
  const dpr = window.devicePixelRatio || 1;
  const background = cssColor("--canvas-bg", "#ffffff");
  const ink = cssColor("--canvas-ink", "#555555");
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, width, height);

  const image = ctx.getImageData(0, 0, width, height);
  const pixels = new Uint32Array(image.data.buffer);
  const [ir, ig, ib] = rgb(ink.startsWith("#") && ink.length === 7 ? ink : "#555555");
  const inkRGBA = (255 << 24) | (ib << 16) | (ig << 8) | ir;
  const n = points.length / 2;
  const s = pointSize(n, dpr);
  const half = s >> 1;
  for (let i = 0; i < n; i++) {
    const cx = Math.round(view.px(points[2 * i])) - half;
    const cy = Math.round(view.py(points[2 * i + 1])) - half;
    const color = labels ? PALETTE_RGBA[labels[i] % PALETTE_RGBA.length] : inkRGBA;
    for (let dy = 0; dy < s; dy++) {
      const y = cy + dy;
      if (y < 0 || y >= height) continue;
      const row = y * width;
      for (let dx = 0; dx < s; dx++) {
        const x = cx + dx;
        if (x >= 0 && x < width) pixels[row + x] = color;
      }
    }
  }
  ctx.putImageData(image, 0, 0);

  if (trails) drawTrails(ctx, view, trails, dpr);
  if (centers) drawCenters(ctx, view, centers, dpr);
}

/** Center markers: a colored disc with a dark ring and a light halo, readable on any cluster. */
export function drawCenters(ctx, view, centers, dpr = window.devicePixelRatio || 1) {
  const r = 7 * dpr;
  for (let j = 0; j < centers.length / 2; j++) {
    const x = view.px(centers[2 * j]);
    const y = view.py(centers[2 * j + 1]);
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = CLUSTER_COLORS[j % CLUSTER_COLORS.length];
    ctx.fill();
    ctx.lineWidth = 2.5 * dpr;
    ctx.strokeStyle = "#000000";
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(x, y, r + 2 * dpr, 0, 2 * Math.PI);
    ctx.lineWidth = 1.5 * dpr;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
  }
}

/** Paths the centers took (a list of interleaved center arrays, oldest first). */
function drawTrails(ctx, view, trails, dpr) {
  if (trails.length < 2) return;
  const k = trails[0].length / 2;
  ctx.lineWidth = 2 * dpr;
  for (let j = 0; j < k; j++) {
    ctx.beginPath();
    ctx.strokeStyle = "#000000";
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    trails.forEach((c, t) => {
      const x = view.px(c[2 * j]), y = view.py(c[2 * j + 1]);
      if (t === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }
  ctx.setLineDash([]);
}
