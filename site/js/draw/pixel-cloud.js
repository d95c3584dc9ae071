// The chapter's pixel cloud: sampled pixels in color space, Red vs Green and Red vs Blue,
// each point drawn in its own color (the original or its palette color). With an alpha
// channel (channels = 4) each point is drawn with its pixel's opacity.
import { cssColor } from "./palette.js";
import { fitCanvas } from "./view.js";

const PAIRS = [[1, "Green"], [2, "Blue"]];

/**
 * Draw pixels at `positions` (flat Uint8Array r, g, b[, a], ... with `channels` values a
 * pixel) as two scatter plots side by side, each point filled with its color in
 * `colors` (same layout; default: its own color).
 */
export function drawPixelCloud(canvas, positions, title, colors = positions, channels = 3) {
  const [w, h] = fitCanvas(canvas);
  const ctx = canvas.getContext("2d");
  const dpr = window.devicePixelRatio || 1;
  ctx.fillStyle = cssColor("--canvas-bg", "#fff");
  ctx.fillRect(0, 0, w, h);
  const ink = cssColor("--canvas-ink", "#555");
  const pad = { left: 34 * dpr, right: 16 * dpr, top: 22 * dpr, bottom: 28 * dpr };
  const gap = 18 * dpr;
  const plotW = (w - pad.left * 2 - pad.right - gap) / 2;
  const plotH = h - pad.top - pad.bottom;
  const size = Math.max(1, Math.round(1.6 * dpr));
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.fillStyle = ink;
  ctx.textBaseline = "top";
  if (title) {
    // a long title (one with a note) shrinks to the canvas width on a phone
    const room = w - pad.left - 4 * dpr;
    const width = ctx.measureText(title).width;
    if (width > room) ctx.font = `${Math.max(7, (11 * room) / width) * dpr}px system-ui, sans-serif`;
    ctx.fillText(title, pad.left, 4 * dpr);
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  }
  PAIRS.forEach(([channel, name], p) => {
    const x0 = pad.left + p * (plotW + gap + pad.left);
    const sx = plotW / 255, sy = plotH / 255;
    axes(ctx, x0, pad.top, plotW, plotH, name, ink, dpr);
    if (!positions) return;
    for (let i = 0; i < positions.length; i += channels) {
      ctx.fillStyle = channels === 4
        ? `rgb(${colors[i]} ${colors[i + 1]} ${colors[i + 2]} / ${colors[i + 3] / 255})`
        : `rgb(${colors[i]},${colors[i + 1]},${colors[i + 2]})`;
      const x = x0 + positions[i] * sx, y = pad.top + plotH - positions[i + channel] * sy;
      ctx.fillRect(Math.round(x - size / 2), Math.round(y - size / 2), size, size);
    }
  });
}

function axes(ctx, x, y, w, h, yName, ink, dpr) {
  ctx.strokeStyle = ink;
  ctx.lineWidth = dpr;
  ctx.strokeRect(x + 0.5, y + 0.5, w, h);
  ctx.fillStyle = ink;
  ctx.textBaseline = "top";
  ctx.textAlign = "center";
  ctx.fillText("Red", x + w / 2, y + h + 12 * dpr);
  ctx.fillText("0", x, y + h + 2 * dpr);
  ctx.fillText("255", x + w, y + h + 2 * dpr);
  ctx.save();
  ctx.translate(x - 20 * dpr, y + h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(yName, 0, 0);
  ctx.restore();
  ctx.textAlign = "start";
}
