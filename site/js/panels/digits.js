// Digits panel: cluster the 1,797 handwritten digits without labels, match clusters to
// digits two ways, explore the confusion, embed with PCA or live t-SNE, draw a digit.
import { CLUSTER_COLORS, cssColor } from "../draw/palette.js";
import { drawGallery, paintDigitCanvas } from "../draw/digit-images.js";
import { drawEmbedding } from "../draw/embedding.js";
import { attachExport } from "../export/dialog.js";
import { readForm } from "../form.js";
import { busy, say } from "../status.js";
import { DrawPad } from "./digits/pad.js";
import { fillCenters, fillConfusion, fillRestarts } from "./digits/tables.js";
import { TEMPLATE } from "./digits/template.js";

const FIELDS = {
  n_clusters: { type: "int", min: 2, max: 30, label: "k (clusters)" },
  n_init: { type: "int", min: 1, max: 50, label: "Restarts (n_init)" },
  seed: { type: "int", min: 0, max: 2 ** 32 - 1, label: "Seed" },
  preprocess: { type: "choice", values: ["none", "pca", "tsne"] },
  n_components: { type: "int", min: 1, max: 64, label: "PCA components" },
  perplexity: { type: "float", min: 2, max: 100, label: "Perplexity" },
  tsne_iter: { type: "int", min: 50, max: 2000, label: "t-SNE iterations" },
};
const pct = (x) => `${(100 * x).toFixed(1)}%`;

export class DigitsPanel {
  constructor(root, engine) {
    this.engine = engine;
    root.insertAdjacentHTML("beforeend", TEMPLATE);
    this.$ = (sel) => root.querySelector(sel);
    this.form = this.$("form");
    this.error = this.$(".form-error");
    this.cancelButton = this.form.elements.cancel;
    this.digits = null; // {data: Uint8Array(n*64), target: Uint8Array(n)}
    this.embedding = null; // {points: Float32Array, key, iteration}
    this.result = null;
    this.restarts = [];
    this.job = null;
    this.selection = null;
    this.form.addEventListener("submit", (e) => { e.preventDefault(); this.run(); });
    this.form.elements.preprocess.addEventListener("change", () => this.syncPreprocess());
    this.cancelButton.addEventListener("click", () => this.job?.abort());
    root.querySelectorAll('input[name="matching"]').forEach((r) => r.addEventListener("change", () => this.render()));
    this.pad = new DrawPad(this.$(".digits-pad"), () => this.predict());
    this.$('button[name="clear"]').addEventListener("click", () => this.clearDrawing());
    new ResizeObserver(() => this.redrawCanvases()).observe(this.$(".digits-results"));
    this.syncPreprocess();
    attachExport(root, this, engine, "digits");
  }

  shown() {
    this.loadDigits().catch((err) => say(`Could not load the digits: ${err.message}`, "error"));
  }

  syncPreprocess() {
    const mode = this.form.elements.preprocess.value;
    for (const label of this.form.querySelectorAll("[data-for]")) label.hidden = label.dataset.for !== mode;
    this.$(".digits-embedding-card").hidden = mode !== "tsne" && !this.embedding;
  }

  async loadDigits() {
    if (this.digits) return this.digits;
    this._loading ??= this.engine.ready.then(() => this.engine.call("digits_load"));
    const d = await this._loading;
    this.digits = { data: d.data, target: d.target };
    return this.digits;
  }

  get matching() {
    return this.form.closest(".panel").querySelector('input[name="matching"]:checked').value;
  }

  async run() {
    const p = readForm(this.form, FIELDS, this.error);
    if (!p) return;
    this.job?.abort();
    const job = new AbortController();
    this.job = job;
    this.cancelButton.disabled = false;
    const done = busy("Clustering the digits…");
    try {
      await this.loadDigits();
      let embedding;
      if (p.preprocess === "tsne") embedding = await this.runTsne(p, job.signal);
      const t0 = performance.now();
      this.restarts = [];
      const res = await this.engine.call("digits_kmeans", {
        n_clusters: p.n_clusters, n_init: p.n_init, random_state: p.seed, preprocess: p.preprocess,
        n_components: p.n_components, ...(embedding ? { embedding: embedding.slice(), n_embed: 2 } : {}),
      }, { signal: job.signal, onProgress: (r) => this.onKmeansProgress(r) });
      res.wallMs = performance.now() - t0;
      res.params = p;
      this.result = res;
      this.selection = null;
      this.render();
      say(`Done: ${this.describe()}`);
    } catch (err) {
      if (err.name === "AbortError") say("Cancelled; the previous result is still shown.");
      else say(`Could not cluster the digits: ${err.message}`, "error");
    } finally {
      done();
      this.progress("");
      if (this.job === job) {
        this.job = null;
        this.cancelButton.disabled = true;
      }
    }
  }

  async runTsne(p, signal) {
    const key = `${p.perplexity}/${p.tsne_iter}`;
    if (this.embedding?.key === key && this.embedding.complete) return this.embedding.points;
    this.$(".digits-embedding-card").hidden = false;
    const t0 = performance.now();
    const res = await this.engine.call("digits_tsne", {
      perplexity: p.perplexity, max_iter: p.tsne_iter, n_iter_exaggeration: Math.min(150, Math.round(p.tsne_iter * 0.3)),
    }, {
      signal,
      onProgress: (r) => {
        if (r.stage === "neighbors") {
          this.progress(`t-SNE: finding neighbours (${r.rows_done} of ${r.n_samples} digits)`);
          return;
        }
        this.embedding = { points: r.embedding, key, complete: false, iteration: r.iteration };
        this.progress(`t-SNE: iteration ${r.iteration} of ${r.max_iter}${r.exaggeration > 1 ? " (early exaggeration)" : ""}`);
        this.drawEmbedding(false);
      },
    });
    this.embedding = { points: res.embedding, key, complete: true, iteration: res.n_iter, ms: performance.now() - t0 };
    this.drawEmbedding(false);
    return res.embedding;
  }

  onKmeansProgress(r) {
    if (r.stage === "restart") {
      this.restarts.push(r);
      fillRestarts(this.$(".digits-restarts tbody"), this.restarts, -1);
      this.progress(`k-means: restart ${r.run + 1} of ${r.n_runs} done, accuracy ${pct(r.accuracy_majority)}`);
    } else {
      this.progress(`k-means: restart ${r.run + 1} of ${r.n_runs}, iteration ${r.iteration + 1}`);
    }
  }

  progress(text) {
    this.$(".digits-progress").textContent = text;
  }

  mapping() {
    const r = this.result;
    return this.matching === "hungarian" ? r.mapping_hungarian : r.mapping_majority;
  }

  method() {
    const r = this.result;
    const how = { none: "raw pixels", pca: `PCA to ${r.n_features} components (${pct(r.explained_variance)} of the variance)`, tsne: "the 2-D t-SNE embedding" }[r.preprocess];
    const runs = r.inertia_per_init.length;
    return `k-means with k = ${r.n_clusters} on ${how}, best of ${runs} restart${runs === 1 ? "" : "s"} (inertia ${Math.round(r.inertia).toLocaleString("en-US")}), ${(r.seconds).toFixed(2)} s in Python.`;
  }

  /** For "Code & notebook": the parameters of the shown result and its numbers. */
  exportState() {
    const r = this.result;
    if (!r) return "Run k-means on the digits first: the code reproduces a result.";
    return {
      center_images: r.center_images, mapping: this.mapping(), matching: this.matching, contingency: r.contingency,
      params: r.params, result: { inertia: r.inertia, best_init: r.best_init, accuracy_majority: r.accuracy_majority, accuracy_hungarian: r.accuracy_hungarian } };
  }

  describe() {
    const r = this.result;
    if (!r) return "not clustered yet";
    return `accuracy ${pct(r.accuracy_majority)} with majority matching, ${pct(r.accuracy_hungarian)} one-to-one; ${this.method()}`;
  }

  /** Predicted digit of each sample under the chosen matching (-1: unmatched cluster). */
  predictions() {
    const map = this.mapping();
    return Int32Array.from(this.result.labels, (c) => map[c]);
  }

  render() {
    const r = this.result;
    if (!r) return;
    this.$(".digits-summary").innerHTML = `Accuracy after matching clusters to digits: <strong class="acc-majority">${pct(r.accuracy_majority)}</strong> majority (the chapter's), <strong class="acc-hungarian">${pct(r.accuracy_hungarian)}</strong> one-to-one. <span class="muted">${this.method()}</span>`;
    this.$(".digits-summary").dataset.accuracyMajority = r.accuracy_majority.toFixed(4);
    this.$(".digits-summary").dataset.accuracyHungarian = r.accuracy_hungarian.toFixed(4);
    fillCenters(this.$(".digits-centers"), r, this.mapping(), (c) => this.showCluster(c));
    const restarts = [...r.inertia_per_init].map((inertia, i) => ({
      inertia, accuracy_majority: r.accuracy_per_init_majority[i], accuracy_hungarian: r.accuracy_per_init_hungarian[i],
    }));
    fillRestarts(this.$(".digits-restarts tbody"), restarts, r.best_init);
    fillConfusion(this.$(".digits-confusion"), this.confusion(), (t, p) => this.showCell(t, p));
    this.redrawCanvases();
    if (!this.pad.empty) this.predict();
  }

  confusion() {
    const pred = this.predictions();
    const cols = pred.some((v) => v < 0) ? 11 : 10;
    const m = new Int32Array(10 * cols);
    const target = this.digits.target;
    for (let i = 0; i < pred.length; i++) m[target[i] * cols + (pred[i] < 0 ? 10 : pred[i])]++;
    return m;
  }

  showCluster(c) {
    const idx = [];
    this.result.labels.forEach((l, i) => { if (l === c) idx.push(i); });
    const digit = this.mapping()[c];
    this.selection = { idx, text: `Cluster ${c + 1} (matched to ${digit < 0 ? "no digit" : `digit ${digit}`}): ${idx.length} digits` };
    this.drawSelection();
  }

  showCell(t, p) {
    const pred = this.predictions();
    const idx = [];
    for (let i = 0; i < pred.length; i++) if (this.digits.target[i] === t && pred[i] === p) idx.push(i);
    this.selection = { idx, text: `True ${t}, predicted ${p < 0 ? "none" : p}: ${idx.length} digit${idx.length === 1 ? "" : "s"}` };
    this.drawSelection();
  }

  drawSelection() {
    const s = this.selection;
    if (!s || !this.digits) return;
    const canvas = this.$(".digits-gallery");
    const shown = drawGallery(canvas, this.digits.data, s.idx);
    const more = shown < s.idx.length ? ` (first ${shown} shown)` : "";
    const text = `${s.text}${more}.`;
    this.$(".digits-gallery-caption").textContent = text;
    canvas.setAttribute("aria-label", `Digit images. ${text}`);
    this.$(".digits-gallery-figure").scrollIntoView?.({ block: "nearest" });
  }

  drawEmbedding() {
    const e = this.embedding;
    if (!e) return;
    const byCluster = e.complete && this.result?.preprocess === "tsne" && this.result.labels.length * 2 === e.points.length;
    const groups = byCluster ? this.result.labels : this.digits?.target;
    const canvas = this.$(".digits-embedding");
    drawEmbedding(canvas, e.points, groups, cssColor("--canvas-bg", "#ffffff"));
    const what = byCluster ? "colored by k-means cluster" : "colored by true digit";
    const state = e.complete ? `after ${e.iteration} iterations` : `at iteration ${e.iteration}, still optimizing`;
    const text = `t-SNE embedding of ${e.points.length / 2} digits ${state}, ${what}.`;
    canvas.setAttribute("aria-label", text);
    this.$(".digits-embedding-caption").textContent = `${text}${e.ms ? ` ${(e.ms / 1000).toFixed(1)} s.` : ""}`;
    this.fillLegend(byCluster);
  }

  fillLegend(byCluster) {
    const n = byCluster ? this.result.n_clusters : 10;
    const map = byCluster ? this.mapping() : null;
    const items = [];
    for (let g = 0; g < n; g++) {
      const li = document.createElement("li");
      li.style.setProperty("--swatch", CLUSTER_COLORS[g % CLUSTER_COLORS.length]);
      li.textContent = byCluster ? `cluster ${g + 1} → ${map[g] < 0 ? "none" : map[g]}` : `digit ${g}`;
      items.push(li);
    }
    this.$(".digits-legend").replaceChildren(...items);
  }

  redrawCanvases() {
    if (this.embedding) {
      this.$(".digits-embedding-card").hidden = false;
      this.drawEmbedding();
    }
    this.drawSelection();
  }

  clearDrawing() {
    this.pad.clear();
    paintDigitCanvas(this.$(".digits-mine"), new Float64Array(64));
    this.$(".digits-mine").setAttribute("aria-label", "Your digit at 8 by 8: nothing drawn yet");
    this.$(".digits-prediction").textContent = "Draw a digit in the box; it is shrunk to 8×8 pixels with values 0 to 16, like the dataset.";
  }

  async predict() {
    if (this.pad.empty) return;
    const { ink, width, height } = this.pad.ink();
    const r = this.result;
    try {
      const out = await this.engine.call("digits_predict", {
        ink, width, height, ...(r ? { centers: r.center_images.slice(), n_clusters: r.n_clusters } : {}),
      });
      paintDigitCanvas(this.$(".digits-mine"), out.digit);
      this.$(".digits-mine").setAttribute("aria-label", `Your digit at 8 by 8, values 0 to 16: ${Array.from(out.digit).join(" ")}`);
      const text = this.describePrediction(out);
      this.$(".digits-prediction").textContent = text;
    } catch (err) {
      if (err.name !== "AbortError") this.$(".digits-prediction").textContent = `Could not read the drawing: ${err.message}`;
    }
  }

  describePrediction(out) {
    const r = this.result;
    const nearest = this.$(".digits-nearest");
    if (!r || out.nearest === undefined) return "Run k-means to compare your digit with the cluster centers.";
    paintDigitCanvas(nearest, r.center_images, out.nearest * 64);
    const digit = this.mapping()[out.nearest];
    const says = digit < 0 ? "a cluster matched to no digit" : `a ${digit}`;
    const text = `Looks like ${says}: nearest is cluster ${out.nearest + 1}'s center (distance ${out.distances[out.nearest].toFixed(1)}).`;
    nearest.setAttribute("aria-label", `Nearest center: cluster ${out.nearest + 1}, matched to ${digit < 0 ? "no digit" : `digit ${digit}`}`);
    return r.preprocess === "none" ? text : `${text} Compared in pixel space with each cluster's mean image.`;
  }
}
