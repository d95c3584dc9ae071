// "Moons: both side by side": k-means and spectral clustering on the same points, drawn
// in two small plots with their adjusted Rand index; the export covers both halves.
import { axesView, drawScatter } from "../../draw/scatter.js";
import { fitCanvas } from "../../draw/view.js";

export class SideBySide {
  constructor(root) {
    this.root = root;
    this.result = null;
  }

  get active() { return this.result !== null && !this.root.hidden; }

  hide() {
    this.result = null;
    if (!this.root.hidden) this.root.hidden = true; // (no write when hidden: see Stepper.pause)
  }

  /** Show `km` and `sp` (fit results, labels) with their ARIs, in `panel`'s frame. */
  show(panel, { km, sp, aris, params }) {
    this.result = { kmeans: km, spectral: sp, aris, params };
    this.root.hidden = false;
    this.redraw(panel);
  }

  redraw(panel) {
    if (!this.result) return;
    const { kmeans: km, spectral: sp, aris, params } = this.result;
    const parts = [["#side-kmeans", km, "k-means", km.centers], ["#side-spectral", sp, `Spectral clustering (${params.n_neighbors} neighbors)`, null]];
    for (const [i, [selector, res, name, centers]] of parts.entries()) {
      const canvas = this.root.querySelector(selector);
      const [w, h] = fitCanvas(canvas);
      const dpr = w / (canvas.getBoundingClientRect().width || w);
      drawScatter(canvas.getContext("2d"), axesView(panel.frame, w, h, dpr), { points: panel.points, labels: res.labels, centers, axes: true });
      const ari = aris[i];
      const text = `${name}: adjusted Rand index ${ari === null ? "n/a" : ari.toFixed(3)} against the true groups`;
      canvas.nextElementSibling.textContent = text;
      canvas.setAttribute("aria-label", `Scatter plot, ${text}`);
    }
  }

  /** For "Code & notebook" and the figure: both halves' labels and scores. */
  exportState() {
    const { kmeans: km, spectral: sp, aris, params } = this.result;
    return {
      n_neighbors: params.n_neighbors,
      kmeans: { labels: km.labels, centers: km.centers, inertia: km.inertia, n_iter: km.n_iter, ari: aris[0] },
      spectral: { labels: sp.labels, ari: aris[1] },
    };
  }
}
