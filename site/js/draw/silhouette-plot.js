// Per-sample silhouette plot: one horizontal bar per point, grouped by cluster and
// sorted within it, with the mean marked (the usual "knife" plot).
import { CLUSTER_COLORS, cssColor } from "./palette.js";
import { range } from "./line-chart.js";
import { fitCanvas } from "./view.js";

export function drawSilhouettePlot(canvas, { samples, labels, mean }) {
  const [w, h] = fitCanvas(canvas);
  const ctx = canvas.getContext("2d");
  const dpr = w / canvas.getBoundingClientRect().width || 1;
  ctx.clearRect(0, 0, w, h);
  const k = range(labels)[1] + 1;
  const groups = Array.from({ length: k }, () => []);
  labels.forEach((c, i) => groups[c].push(samples[i]));
  groups.forEach((g) => g.sort((a, b) => a - b));
  const gap = 4 * dpr;
  const pad = { l: 30 * dpr, r: 10 * dpr, t: 8 * dpr, b: 28 * dpr };
  const rows = samples.length;
  const rowH = (h - pad.t - pad.b - gap * (k - 1)) / rows;
  const lo = Math.min(-0.1, range(samples)[0]);
  const px = (v) => pad.l + ((v - lo) / (1 - lo)) * (w - pad.l - pad.r);
  let y = pad.t;
  const muted = cssColor("--muted", "#666");
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  groups.forEach((g, c) => {
    ctx.fillStyle = CLUSTER_COLORS[c % CLUSTER_COLORS.length];
    const top = y;
    for (const v of g) {
      const a = px(0), b = px(v);
      ctx.fillRect(Math.min(a, b), y, Math.max(Math.abs(b - a), 0.5), Math.max(rowH, 0.5));
      y += rowH;
    }
    ctx.fillStyle = muted;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    if (g.length) ctx.fillText(String(c), pad.l - 6 * dpr, (top + y) / 2);
    y += gap;
  });
  ctx.strokeStyle = muted;
  ctx.lineWidth = dpr;
  ctx.beginPath();
  ctx.moveTo(px(0), pad.t);
  ctx.lineTo(px(0), h - pad.b);
  ctx.moveTo(pad.l, h - pad.b);
  ctx.lineTo(w - pad.r, h - pad.b);
  ctx.stroke();
  ctx.setLineDash([5 * dpr, 4 * dpr]);
  ctx.strokeStyle = cssColor("--error", "#b3261e");
  ctx.beginPath();
  ctx.moveTo(px(mean), pad.t);
  ctx.lineTo(px(mean), h - pad.b);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = muted;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const v of [0, 0.5, 1]) ctx.fillText(String(v), px(v), h - pad.b + 4 * dpr);
  ctx.fillText(`silhouette (mean ${mean.toFixed(3)}, dashed)`, (pad.l + w) / 2, h - 13 * dpr);
  canvas.setAttribute(
    "aria-label",
    `Silhouette plot of ${rows} points in ${k} clusters; mean silhouette ${mean.toFixed(3)}; ` +
      groups.map((g, c) => `cluster ${c}: ${g.length} points, mean ${(g.reduce((s, v) => s + v, 0) / (g.length || 1)).toFixed(2)}`).join("; "),
  );
}
