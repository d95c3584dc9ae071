// Points panel: generate data, run k-means in the worker, draw the result.
import { drawScatter } from "../draw/scatter.js";
import { View, dataBounds, fitCanvas } from "../draw/view.js";
import { readForm } from "../form.js";
import { busy, say } from "../status.js";

const FIELDS = {
  kind: { type: "choice", values: ["blobs", "moons"] },
  n_samples: { type: "int", min: 1, max: 200000, label: "Points" },
  centers: { type: "int", min: 1, max: 20, label: "Blobs" },
  cluster_std: { type: "float", min: 0, max: 10, label: "Spread" },
  noise: { type: "float", min: 0, max: 1, label: "Noise" },
  data_seed: { type: "int", min: 0, max: 2 ** 32 - 1, label: "Data seed" },
  n_clusters: { type: "int", min: 1, max: 20, label: "k (clusters)" },
  init: { type: "choice", values: ["k-means++", "random"] },
  n_init: { type: "int", min: 1, max: 50, label: "Restarts (n_init)" },
  max_iter: { type: "int", min: 1, max: 1000, label: "Max iterations" },
  seed: { type: "int", min: 0, max: 2 ** 32 - 1, label: "Seed" },
};
const DATA_KEYS = ["kind", "n_samples", "centers", "cluster_std", "noise", "data_seed"];

export class PointsPanel {
  constructor(root, engine) {
    this.engine = engine;
    this.form = root.querySelector("form");
    this.canvas = root.querySelector("canvas");
    this.summary = root.querySelector("figcaption");
    this.error = root.querySelector(".form-error");
    this.cancelButton = this.form.elements.cancel;
    this.data = null; // {points: Float64Array, key}
    this.result = null; // {labels, centers, inertia, ...}
    this.job = null;

    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.run();
    });
    this.form.elements.kind.addEventListener("change", () => this.syncKind());
    this.cancelButton.addEventListener("click", () => this.job?.abort());
    new ResizeObserver(() => this.draw()).observe(this.canvas);
    this.syncKind();
    this.draw();
  }

  syncKind() {
    const kind = this.form.elements.kind.value;
    for (const label of this.form.querySelectorAll("[data-for-kind]")) {
      label.hidden = label.dataset.forKind !== kind;
    }
  }

  async run() {
    const params = readForm(this.form, FIELDS, this.error);
    if (!params) return;
    this.job?.abort();
    const job = new AbortController();
    this.job = job;
    this.cancelButton.disabled = false;
    const done = busy("Running k-means…");
    try {
      const key = JSON.stringify(DATA_KEYS.map((k) => params[k]));
      if (!this.data || this.data.key !== key) {
        const gen = await this.engine.call("generate", {
          kind: params.kind, n_samples: params.n_samples, centers: params.centers,
          cluster_std: params.cluster_std, noise: params.noise, random_state: params.data_seed,
        }, { signal: job.signal });
        this.data = { points: gen.points, truth: gen.truth, key };
        this.result = null;
        this.draw();
      }
      const t0 = performance.now();
      const res = await this.engine.call("fit", {
        points: this.data.points.slice(), n_clusters: params.n_clusters, init: params.init,
        n_init: params.n_init, max_iter: params.max_iter, random_state: params.seed,
      }, {
        signal: job.signal,
        onProgress: (p) => say(`Running k-means: restart ${p.run + 1} of ${p.n_runs}, iteration ${p.iteration}, inertia ${fmt(p.inertia)}`),
      });
      res.wallMs = performance.now() - t0;
      this.result = res;
      this.draw();
      say(`Done: ${this.describe()}`);
    } catch (err) {
      if (err.name === "AbortError") say("Cancelled; the previous result is still shown.");
      else say(`Could not run k-means: ${err.message}`, "error");
    } finally {
      done();
      if (this.job === job) {
        this.job = null;
        this.cancelButton.disabled = true;
      }
    }
  }

  describe() {
    const r = this.result;
    if (!r) return this.data ? `${this.data.points.length / 2} points, not clustered yet` : "No points yet";
    const k = r.centers.length / 2;
    const iters = `${r.n_iter} iteration${r.n_iter === 1 ? "" : "s"}`;
    return `${k} cluster${k === 1 ? "" : "s"} of ${r.labels.length} points, inertia ${fmt(r.inertia)}, ${iters}, ${Math.round(r.seconds * 1000)} ms in Python`;
  }

  draw() {
    const [w, h] = fitCanvas(this.canvas);
    const ctx = this.canvas.getContext("2d");
    const points = this.data?.points ?? new Float64Array(0);
    const view = new View(dataBounds(points), w, h);
    drawScatter(ctx, view, {
      points,
      labels: this.result?.labels ?? null,
      centers: this.result?.centers ?? null,
    });
    const text = this.describe();
    this.canvas.setAttribute("aria-label", `Scatter plot: ${text}`);
    this.summary.textContent = text;
  }
}

function fmt(x) {
  return Number(x).toLocaleString("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
}
