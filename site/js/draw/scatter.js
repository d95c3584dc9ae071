// Scatter plot of 2-d points colored by cluster, with the centers marked.
// Points (and decision regions) are written straight into pixels: exact colors, fast
// for 100,000 points. Markers are drawn on top with the vector API.
import { CLUSTER_COLORS, rgb, cssColor } from "./palette.js";
import { View } from "./view.js";

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
export function drawScatter(ctx, view, { points, labels = null, centers = null, trails = null, placed = null, regions = false, axes = false }) {
  const dpr = window.devicePixelRatio || 1;
  const background = hexOr(cssColor("--canvas-bg", "#ffffff"), "#ffffff");
  const ink = hexOr(cssColor("--canvas-ink", "#555555"), "#555555");
  const n = points.length / 2;
  const s = pointSize(n, dpr);
  if (n <= VECTOR_MAX_POINTS && !(regions && centers)) {
    drawSquares(ctx, view, points, labels, s, background, ink);
  } else {
    drawPixels(ctx, view, points, labels, s, regions && centers ? centers : null, background, ink);
  }
  if (trails) drawTrails(ctx, view, trails, dpr);
  if (centers) drawCenters(ctx, view, centers, dpr);
  if (placed) drawPlaced(ctx, view, placed, dpr);
  if (axes) drawAxes(ctx, view, dpr);
}

// Up to this many points (and no regions), the squares are drawn with fillRect: the same
// pixels (whole-pixel squares, exact colors, later points on top), without a buffer of
// the whole canvas to fill and copy (2 of the 2.4 ms of a redraw of 300 points).
const VECTOR_MAX_POINTS = 5000;

function drawSquares(ctx, view, points, labels, s, background, ink) {
  const half = s >> 1;
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, view.width, view.height);
  let last = null;
  for (let i = 0; i < points.length / 2; i++) {
    const color = labels ? CLUSTER_COLORS[labels[i] % CLUSTER_COLORS.length] : ink;
    if (color !== last) ctx.fillStyle = last = color;
    ctx.fillRect(Math.round(view.px(points[2 * i])) - half, Math.round(view.py(points[2 * i + 1])) - half, s, s);
  }
}

function drawPixels(ctx, view, points, labels, s, regionCenters, background, ink) {
  const { width, height } = view;
  const inkRGBA = pack(rgb(ink));
  const image = new ImageData(width, height);
  const pixels = new Uint32Array(image.data.buffer);
  if (regionCenters) fillRegions(pixels, view, regionCenters, background);
  else pixels.fill(pack(rgb(background)));
  const n = points.length / 2;
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
}

/** Room (CSS px) left for the tick labels of the axes: left and bottom. */
export const AXIS_MARGIN = { left: 44, bottom: 26, top: 8, right: 8 };

/**
 * A View of `bounds` in a `width` x `height` canvas that leaves AXIS_MARGIN free for
 * the axes (equal x and y scales, centered in what remains). The pointer tools map
 * through the same view, so drawing stays under the finger.
 */
export function axesView(bounds, width, height, dpr = window.devicePixelRatio || 1) {
  const m = Object.fromEntries(Object.entries(AXIS_MARGIN).map(([k, v]) => [k, v * dpr]));
  const inner = new View(bounds, Math.max(1, width - m.left - m.right), Math.max(1, height - m.top - m.bottom));
  const view = new View(bounds, width, height);
  view.scale = inner.scale;
  view.ox = inner.ox + m.left;
  view.oy = inner.oy + m.top;
  view.margin = m;
  return view;
}

/** About `count` round tick values covering [lo, hi] (1, 2 or 5 times a power of 10). */
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? 10 * power;
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return ticks;
}

const TICK_FORMATS = new Map(); // digits -> formatter (toLocaleString makes one per call)

function tickText(v, step) {
  const digits = Math.min(20, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  if (!TICK_FORMATS.has(digits)) {
    TICK_FORMATS.set(digits, new Intl.NumberFormat("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));
  }
  return TICK_FORMATS.get(digits).format(v);
}

/** x and y axes along the bottom and left edges, with ticks and tick labels. */
function drawAxes(ctx, view, dpr) {
  const m = view.margin ?? { left: 0, bottom: 0, top: 0, right: 0 };
  const { width, height } = view;
  const ink = cssColor("--muted", "#555555");
  const bg = hexOr(cssColor("--canvas-bg", "#ffffff"), "#ffffff");
  // the margins are the axes' own: clear them so points near the edge don't hide ticks
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, m.left, height);
  ctx.fillRect(0, height - m.bottom, width, m.bottom);
  const left = m.left, bottom = height - m.bottom;
  const xs = niceTicks(view.dataX(left), view.dataX(width - m.right), Math.max(2, Math.round(width / (90 * dpr))));
  const ys = niceTicks(view.dataY(bottom), view.dataY(m.top), Math.max(2, Math.round(height / (60 * dpr))));
  // tests and tools read the plot's pixels without the axes
  ctx.canvas.dataset.plotArea = [Math.ceil(left + dpr), 0, width, Math.floor(bottom - dpr)].join(",");
  ctx.strokeStyle = ink;
  ctx.fillStyle = ink;
  ctx.lineWidth = dpr;
  ctx.beginPath();
  ctx.moveTo(left, m.top);
  ctx.lineTo(left, bottom);
  ctx.lineTo(width - m.right, bottom);
  ctx.stroke();
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const xStep = xs.length > 1 ? xs[1] - xs[0] : 1;
  for (const v of xs) {
    const x = view.px(v);
    if (x < left - 0.5) continue;
    ctx.beginPath();
    ctx.moveTo(x, bottom);
    ctx.lineTo(x, bottom + 4 * dpr);
    ctx.stroke();
    ctx.fillText(tickText(v, xStep), x, bottom + 6 * dpr);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const yStep = ys.length > 1 ? ys[1] - ys[0] : 1;
  for (const v of ys) {
    const y = view.py(v);
    if (y > bottom + 0.5) continue;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left - 4 * dpr, y);
    ctx.stroke();
    ctx.fillText(tickText(v, yStep), left - 6 * dpr, y);
  }
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
