// Random swap in the Points panel: while the worker searches, the swaps tried and kept
// and the inertia after each kept swap; at the end, the result beside plain k-means'
// answer from the same seeding (the search's starting point), with clusters found.
import { drawLineChart } from "../../draw/line-chart.js";

const FMT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const fmt = (x) => FMT.format(Number(x));
const COUNT = new Intl.NumberFormat("en-US"); // (one formatter: toLocaleString makes one per call)
const count = (n) => COUNT.format(Number(n));

/** "15 of 15 clusters found", or "" when the data has no true groups. */
export function foundText(res) {
  return res && res.n_true ? `${res.clusters_found} of ${res.n_true} clusters found` : "";
}

export class SwapView {
  constructor(root) {
    this.root = root;
    this.state = root.querySelector(".swap-state");
    this.chart = root.querySelector("canvas");
    this.body = root.querySelector("tbody");
    this.xs = [];
    this.ys = [];
  }

  hide() { if (!this.root.hidden) this.root.hidden = true; } // (no write when hidden: see Stepper.pause)

  /** A new search: empty chart, no table. */
  begin() {
    this.xs = [];
    this.ys = [];
    this.body.replaceChildren();
    this.root.hidden = false;
    this.state.textContent = "Plain k-means from the seed first…";
    drawLineChart(this.chart, { y: [] });
  }

  /** One record of the worker's random swap fit (start, swap or progress). */
  record(rec) {
    if (rec.kind === "start" || rec.kind === "swap") {
      this.xs.push(rec.swaps_tried);
      this.ys.push(rec.inertia);
      drawLineChart(this.chart, {
        x: this.xs, y: this.ys, xLabel: "swaps tried", yLabel: "inertia",
        title: "Inertia after each kept swap",
      });
    }
    const kept = `${count(rec.swaps_accepted)} kept`;
    this.state.textContent = rec.kind === "start"
      ? `Plain k-means converged at inertia ${fmt(rec.inertia)}; now swapping centers…`
      : `Swaps tried: ${count(rec.swaps_tried)}, ${kept}. Inertia ${fmt(rec.inertia)}.`;
    this.chart.setAttribute("aria-label", `Inertia after each kept swap, now ${fmt(rec.inertia)}`);
  }

  /** The final result beside plain k-means' answer. */
  finish(res) {
    this.state.textContent = `Done: ${count(res.swaps_tried)} swaps tried, ${count(res.swaps_accepted)} kept, then exact k-means to convergence.`;
    const plain = { inertia: res.plain_inertia, found: res.plain_found };
    const rows = [
      ["Plain k-means (same seed)", plain.inertia, plain.found ?? ""],
      ["k-means + random swap", res.inertia, foundText(res)],
    ];
    this.body.replaceChildren(...rows.map(([name, inertia, found], i) => {
      const tr = document.createElement("tr");
      if (i === 1) tr.className = "kept";
      for (const text of [name, fmt(inertia), found]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }));
  }
}
