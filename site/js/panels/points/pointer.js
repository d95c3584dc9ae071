// Drawing on the scatter canvas with mouse, pen or touch (pointer events):
// a click adds a point, a drag sprays points around the pointer, the eraser removes
// points under it, and in "place centers" mode a click places an initial center.

/** Standard normal sample (Box-Muller). */
function gauss() {
  const u = 1 - Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
}

export class PointerTools {
  /**
   * @param canvas the scatter canvas
   * @param hooks {view(), mode() -> "draw"|"erase"|"place", brush() (CSS px),
   *               begin(), add(Float64Array), erase(x, y, radius), place(x, y), end()}
   */
  constructor(canvas, hooks) {
    this.canvas = canvas;
    this.hooks = hooks;
    this.active = null;
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.up(e));
    canvas.addEventListener("pointercancel", (e) => this.up(e));
  }

  /** Data coordinates of a pointer event, and device pixels per CSS pixel. */
  locate(e) {
    const rect = this.canvas.getBoundingClientRect();
    const dpr = this.canvas.width / rect.width;
    const view = this.hooks.view();
    const px = (e.clientX - rect.left) * dpr;
    const py = (e.clientY - rect.top) * dpr;
    return { x: view.dataX(px), y: view.dataY(py), perCss: dpr / view.scale };
  }

  down(e) {
    if (e.button !== 0) return;
    e.preventDefault();
    const mode = this.hooks.mode();
    const at = this.locate(e);
    if (mode === "place") {
      this.hooks.place(at.x, at.y);
      return;
    }
    this.canvas.setPointerCapture(e.pointerId);
    this.active = { id: e.pointerId, mode, last: at, lastTime: 0, moved: false };
    this.hooks.begin();
    if (mode === "draw") this.hooks.add(new Float64Array([at.x, at.y]));
    else this.erase(at);
  }

  move(e) {
    const s = this.active;
    if (!s || e.pointerId !== s.id) return;
    const at = this.locate(e);
    if (s.mode === "erase") {
      this.erase(at);
      return;
    }
    const spread = this.hooks.brush() * at.perCss;
    const now = e.timeStamp;
    const dist = Math.hypot(at.x - s.last.x, at.y - s.last.y) / at.perCss;
    if (spread === 0) {
      if (dist >= 6) {
        this.hooks.add(new Float64Array([at.x, at.y]));
        s.last = at;
      }
      return;
    }
    if (now - s.lastTime < 16) return;
    s.lastTime = now;
    const n = 4;
    const pts = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      pts[2 * i] = at.x + spread * gauss();
      pts[2 * i + 1] = at.y + spread * gauss();
    }
    this.hooks.add(pts);
    s.last = at;
  }

  erase(at) {
    const radius = Math.max(8, this.hooks.brush()) * at.perCss;
    this.hooks.erase(at.x, at.y, radius);
  }

  up(e) {
    if (!this.active || e.pointerId !== this.active.id) return;
    this.active = null;
    this.hooks.end();
  }
}
