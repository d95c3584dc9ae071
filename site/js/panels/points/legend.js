// The Points plot's legend: a swatch per cluster and the center marker, as HTML under
// the canvas (readable by screen readers, never hiding a point).
import { CLUSTER_COLORS } from "../../draw/palette.js";

const MAX_SHOWN = 12;
const shown = new WeakMap(); // list -> what it shows

/** Fill `list` (<ul>) for `k` clusters (0: points not clustered), centers and placed marks. */
export function renderLegend(list, { k = 0, centers = false, placed = 0, trails = false }) {
  // drawn again on every Run, step and stroke: rebuilt only when it changes (a DOM write
  // costs a style recalculation and layout before the next frame)
  const key = `${k} ${centers} ${placed} ${trails}`;
  if (shown.get(list) === key) return;
  shown.set(list, key);
  const items = [];
  const item = (cls, color, text) => {
    const li = document.createElement("li");
    const mark = document.createElement("span");
    mark.className = `mark ${cls}`;
    if (color) mark.style.setProperty("--mark", color);
    mark.setAttribute("aria-hidden", "true");
    li.append(mark, text);
    items.push(li);
  };
  if (!k) item("point", "var(--canvas-ink, #555)", "point (not clustered)");
  for (let j = 0; j < Math.min(k, MAX_SHOWN); j++) item("point", CLUSTER_COLORS[j % CLUSTER_COLORS.length], `cluster ${j + 1}`);
  if (k > MAX_SHOWN) {
    const li = document.createElement("li");
    li.textContent = `… ${k - MAX_SHOWN} more clusters`;
    items.push(li);
  }
  if (centers) item("center", "#888", "center (mean of its cluster)");
  if (trails) item("trail", null, "path of a center");
  if (placed) item("placed", null, "initial center placed by hand");
  list.replaceChildren(...items);
}
