// Scatter plot of 2-d points colored by cluster, with the centers marked.
// Points (and decision regions) are written straight into pixels: exact colors, fast
// for 100,000 points. Markers are drawn on top with the vector API.
import { CLUSTER_COLORS, rgb, cssColor } from "./palette.js";

const PALETTE_RGB = CLUSTER_COLORS.map(rgb);
const pack = ([r, g, b]) => ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0; // RGBA in a little-endian Uint32
const PALETTE_RGBA = PALETTE_RGB.map(pack);

function pointSize(n, dpr) {
  const css = n > 50000 ? 1.5 : n > 5000 ? 2.5 : n > 800 ? 3.5 : 5;
  return Math.max(1, Math.round(css * dpr));
}

function hexOr(value, fallback) {
  return /^#[0-9a-f]{6}$/i.test(value) ? value : fallback;
}

/** Shade each pixel by its nearest center: k-means's straight boundaries. */
function fillRegions(pixels, view, centers, background) {
  const { width, height } = view;
  const k = centers.length / 2;
  const bg = rgb(background);
  const tints = PALETTE_RGB.map((c) => pack(c.map((v, i) => Math.round(bg[i] + (v - bg[i]) * 0.22))));
  const cx = [], cy = [];
  for (let j = 0; j < k; j++) {
    cx.push(view.px(centers[2 * j]));
    cy.push(view.py(centers[2 * j + 1]));
  }
  const step = 2;
  for (let y = 0; y < height; y += step) {
    for (let x = 0; x < width; x += step) {
      let best = 0, bestD = Infinity;
      for (let j = 0; j < k; j++) {
        const d = (x - cx[j]) ** 2 + (y - cy[j]) ** 2;
        if (d < bestD) { bestD = d; best = j; }
      }
      const color = tints[best % tints.length];
      for (let dy = 0; dy < step && y + dy < height; dy++) {
        const row = (y + dy) * width;
        for (let dx = 0; dx < step && x + dx < width; dx++) pixels[row + x + dx] = color;
      }
    }
  }
}

/**
 * Draw `points` (interleaved x, y) colored by `labels` (or the neutral ink when null),
 * `centers` (interleaved, or null), `trails` (list of center arrays, oldest first),
 * `placed` (hand-placed initial centers) and, with `regions`, the nearest-center areas.
 */
export function drawScatter(ctx, view, { points, labels = null, centers = null, trails = null, placed = null, regions = false }) {
  const { width, height } = view;
  const dpr = window.devicePixelRatio || 1;
  const background = hexOr(cssColor("--canvas-bg", "#ffffff"), "#ffffff");
  const inkRGBA = pack(rgb(hexOr(cssColor("--canvas-ink", "#555555"), "#555555")));
  const image = new ImageData(width, height);
  const pixels = new Uint32Array(image.data.buffer);
  if (regions && centers) fillRegions(pixels, view, centers, background);
  else pixels.fill(pack(rgb(background)));

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
  if (placed) drawPlaced(ctx, view, placed, dpr);
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

/** Hand-placed initial centers: numbered rings. */
function drawPlaced(ctx, view, placed, dpr) {
  ctx.font = `bold ${11 * dpr}px system-ui, sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (let j = 0; j < placed.length / 2; j++) {
    const x = view.px(placed[2 * j]);
    const y = view.py(placed[2 * j + 1]);
    ctx.beginPath();
    ctx.arc(x, y, 9 * dpr, 0, 2 * Math.PI);
    ctx.fillStyle = "#ffffff";
    ctx.fill();
    ctx.lineWidth = 3 * dpr;
    ctx.strokeStyle = CLUSTER_COLORS[j % CLUSTER_COLORS.length];
    ctx.stroke();
    ctx.fillStyle = "#000000";
    ctx.fillText(String(j + 1), x, y + 0.5 * dpr);
  }
}

/** Paths the centers took (a list of interleaved center arrays, oldest first). */
function drawTrails(ctx, view, trails, dpr) {
  if (trails.length < 2) return;
  const k = trails[0].length / 2;
  ctx.lineWidth = 2 * dpr;
  ctx.setLineDash([4 * dpr, 3 * dpr]);
  ctx.strokeStyle = "#000000";
  for (let j = 0; j < k; j++) {
    ctx.beginPath();
    trails.forEach((c, t) => {
      const x = view.px(c[2 * j]), y = view.py(c[2 * j + 1]);
      if (t === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }
  ctx.setLineDash([]);
}
