// A 2-d embedding as a scatter of small squares, one color per group (true digit or
// cluster), drawn without anti-aliasing so each group keeps one exact color.
import { CLUSTER_COLORS } from "./palette.js";
import { View, dataBounds, fitCanvas } from "./view.js";

/** Draw `points` (interleaved x, y) colored by `groups` (Int32Array-like) on `canvas`. */
export function drawEmbedding(canvas, points, groups, background = "#ffffff") {
  const [w, h] = fitCanvas(canvas);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, w, h);
  if (!points || points.length === 0) return;
  const view = new View(dataBounds(points), w, h);
  const size = Math.max(3, Math.round(Math.min(w, h) / 160));
  const half = Math.floor(size / 2);
  const n = points.length / 2;
  // One fillStyle per color, not per point: setting it parses the color string, which
  // was most of the cost of a frame (the live t-SNE draws one every few iterations).
  const colors = CLUSTER_COLORS.length;
  for (let c = 0; c < colors; c++) {
    ctx.fillStyle = CLUSTER_COLORS[c];
    for (let i = 0; i < n; i++) {
      if ((groups ? groups[i] : 0) % colors !== c) continue;
      ctx.fillRect(Math.round(view.px(points[2 * i])) - half, Math.round(view.py(points[2 * i + 1])) - half, size, size);
    }
  }
}
