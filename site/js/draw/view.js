// Maps data coordinates to canvas pixels with equal x and y scales, so clusters keep
// their shape, and back again (for drawing with the pointer).

/** Bounds of interleaved 2-d points, padded by 5% (a unit box when empty). */
export function dataBounds(points) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i], y = points[i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (!(x1 >= x0)) return { x0: -1, x1: 1, y0: -1, y1: 1 };
  const pad = Math.max(x1 - x0, y1 - y0, 1e-9) * 0.05;
  return { x0: x0 - pad, x1: x1 + pad, y0: y0 - pad, y1: y1 + pad };
}

export class View {
  /** A view of `bounds` centered in a canvas of `width` x `height` device pixels. */
  constructor(bounds, width, height) {
    const sx = width / (bounds.x1 - bounds.x0);
    const sy = height / (bounds.y1 - bounds.y0);
    this.scale = Math.min(sx, sy);
    this.ox = (width - this.scale * (bounds.x1 - bounds.x0)) / 2 - this.scale * bounds.x0;
    this.oy = (height + this.scale * (bounds.y1 - bounds.y0)) / 2 + this.scale * bounds.y0;
    this.width = width;
    this.height = height;
  }
  px(x) { return this.ox + this.scale * x; }
  py(y) { return this.oy - this.scale * y; }
  dataX(px) { return (px - this.ox) / this.scale; }
  dataY(py) { return (this.oy - py) / this.scale; }
}

/** Size a canvas's backing store to its CSS box times devicePixelRatio; returns [w, h]. */
export function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  const w = Math.max(1, Math.round(rect.width * dpr));
  const h = Math.max(1, Math.round(rect.height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  return [w, h];
}
