// A small line chart for inertia per step, the elbow, and silhouette per k.
import { fitCanvas } from "./view.js";
import { cssColor } from "./palette.js";

/**
 * Draw `y` (numbers) against `x` (default 1..n). `upto` shows only the first values
 * solid (the rest faint); `mark` highlights one index (e.g. the suggested k).
 */
export function drawLineChart(canvas, { x = null, y, upto = y.length, mark = -1, xLabel = "", yLabel = "", title = "" }) {
  const [w, h] = fitCanvas(canvas);
  const ctx = canvas.getContext("2d");
  const dpr = w / canvas.getBoundingClientRect().width || 1;
  const text = cssColor("--text", "#222");
  const muted = cssColor("--muted", "#666");
  const accent = cssColor("--accent", "#0a5cc2");
  ctx.clearRect(0, 0, w, h);
  if (!y.length) return;
  const xs = x ?? y.map((_, i) => i + 1);
  const pad = { l: 58 * dpr, r: 12 * dpr, t: 10 * dpr, b: 30 * dpr };
  const [x0, x1] = range(xs);
  let [y0, y1] = range(y);
  if (y1 === y0) { y1 += 1; y0 -= 1; }
  const px = (v) => pad.l + ((v - x0) / (x1 - x0 || 1)) * (w - pad.l - pad.r);
  const py = (v) => h - pad.b - ((v - y0) / (y1 - y0)) * (h - pad.t - pad.b);

  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.fillStyle = muted;
  ctx.strokeStyle = muted;
  ctx.lineWidth = dpr;
  ctx.beginPath();
  ctx.moveTo(pad.l, pad.t);
  ctx.lineTo(pad.l, h - pad.b);
  ctx.lineTo(w - pad.r, h - pad.b);
  ctx.stroke();
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of [y0, (y0 + y1) / 2, y1]) ctx.fillText(short(v), pad.l - 6 * dpr, py(v));
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const step = Math.max(1, Math.ceil(xs.length / 10));
  xs.forEach((v, i) => i % step === 0 && ctx.fillText(String(v), px(v), h - pad.b + 5 * dpr));
  ctx.fillText(xLabel, (pad.l + w - pad.r) / 2, h - 13 * dpr);
  ctx.save();
  ctx.translate(12 * dpr, (pad.t + h - pad.b) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(yLabel, 0, -6 * dpr);
  ctx.restore();

  const line = (from, to, color, width) => {
    ctx.beginPath();
    for (let i = from; i < to; i++) {
      if (i === from) ctx.moveTo(px(xs[i]), py(y[i]));
      else ctx.lineTo(px(xs[i]), py(y[i]));
    }
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.stroke();
  };
  line(0, y.length, muted + "55", dpr);
  line(0, upto, accent, 2 * dpr);
  for (let i = 0; i < upto; i++) {
    ctx.beginPath();
    ctx.arc(px(xs[i]), py(y[i]), (i === mark ? 5 : 2.5) * dpr, 0, 2 * Math.PI);
    ctx.fillStyle = i === mark ? text : accent;
    ctx.fill();
  }
  canvas.setAttribute("aria-label", `${title}: ${xs.slice(0, upto).map((v, i) => `${v}: ${short(y[i])}`).join(", ")}`);
}

/** [min, max] of an array of numbers, by a loop: a spread into Math.min overflows the stack. */
export function range(values) {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function short(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (a >= 100) return v.toFixed(0);
  return v.toPrecision(3);
}
