// The Points plot's caption: what the plot shows, in words (also its aria-label).
import { foundText } from "./swap.js";

const FMT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const fmt = (x) => FMT.format(Number(x));
const COUNT = new Intl.NumberFormat("en-US"); // (one formatter: toLocaleString makes one per call)
const count = (n) => COUNT.format(Number(n));

/** The caption of the panel's data and result. */
export function describe(panel) {
  const n = count(panel.points.length / 2);
  const r = panel.result;
  if (n === "0") return "No points yet. Draw on the plot, import a CSV, or press Generate.";
  if (!r) {
    if (panel.el.init.value === "click" && panel.el.method.value !== "spectral") {
      return `${n} points. Click the plot to place ${panel.el.n_clusters.value} initial centers (${panel.placed.length / 2} placed), then press Run.`;
    }
    return `${n} points, not clustered yet. Press Run.`;
  }
  const k = r.centers ? r.centers.length / 2 : new Set(r.labels).size;
  const ari = (r.n_true ? `, ${foundText(r)}` : "") +
    (r.ari === null ? "" : `, adjusted Rand index ${r.ari.toFixed(3)} against the true groups`);
  if (r.method === "spectral") {
    return `Spectral clustering: ${k} clusters of ${n} points${ari}, ${count(Math.round(r.seconds * 1000))} ms in Python`;
  }
  const iters = r.method === "random_swap" ? `${count(r.swaps_tried)} swaps tried, ${count(r.swaps_accepted)} kept`
    : `${count(r.n_iter)} iteration${r.n_iter === 1 ? "" : "s"}`;
  const name = { minibatch: "Mini-batch k-means: ", random_swap: "k-means + random swap: " }[r.method] ?? "";
  return `${name}${k} cluster${k === 1 ? "" : "s"} of ${n} points, inertia ${fmt(r.inertia)}, ${iters}${ari}, ${count(Math.round(r.seconds * 1000))} ms in Python`;
}
