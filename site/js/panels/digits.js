// Digits panel: cluster the 1,797 handwritten digits without labels, match clusters to
// digits two ways, explore the confusion, embed with PCA or live t-SNE, draw a digit.
// The screen shows one committed result at a time (summary, centers, restarts, matrix,
// embedding): a run draws its live progress, and a cancel or an error puts the previous
// result back whole. The settings of the shown result live in the URL.
import { paintDigitCanvas } from "../draw/digit-images.js";
import { attachExport } from "../export/dialog.js";
import { readForm } from "../form.js";
import { statusFor } from "../status.js";
import { DrawPad } from "./digits/pad.js";
import { fillCenters, fillConfusion, fillRestarts } from "./digits/tables.js";
import { TEMPLATE } from "./digits/template.js";
import { num, pct, plural, withArticle } from "./digits/text.js";
import { readDigitsHash, writeDigitsHash } from "./digits/url-state.js";
import { drawEmbeddingCard, drawSelection } from "./digits/views.js";

const { busy, say } = statusFor("digits"); // this panel's status line

const FIELDS = {
  n_clusters: { type: "int", min: 2, max: 30, label: "k (clusters)" },
  n_init: { type: "int", min: 1, max: 50, label: "Restarts (n_init)" },
  seed: { type: "int", min: 0, max: 2 ** 32 - 1, label: "Seed" },
  n_components: { type: "int", min: 1, max: 64, label: "PCA components" },
  perplexity: { type: "float", min: 2, max: 100, label: "Perplexity" },
  tsne_iter: { type: "int", min: 50, max: 2000, label: "t-SNE iterations" },
};
const PREPROCESS = ["none", "pca", "tsne"];
const MATCHING = ["majority", "hungarian"];
// The chapter's two results: k-means on the raw pixels (about 79% after matching), and
// k-means on a 2-D t-SNE embedding (about 93%). Both with the chapter's k and ten restarts.
const PRESETS = {
  raw: { title: "The chapter's k-means on the raw pixels: about 79% of the digits matched.",
    fields: { preprocess: "none" } },
  tsne: { title: "The chapter's t-SNE, then k-means on the 2-D embedding: about 93% matched.",
    fields: { preprocess: "tsne", perplexity: "30", tsne_iter: "500" } },
};

export class DigitsPanel {
  constructor(root, engine) {
    this.engine = engine;
    this.root = root;
    root.insertAdjacentHTML("beforeend", TEMPLATE);
    this.$ = (sel) => root.querySelector(sel);
    this.form = this.$("form");
    this.error = this.$(".form-error");
    this.cancelButton = this.form.elements.cancel;
    this.digits = null; // {data: Uint8Array(n*64), target: Uint8Array(n)}
    this.result = null; // the committed result; with t-SNE, its embedding in .embedding
    this.tsneCache = null; // {key, points, iteration, ms}: the last complete t-SNE
    this.live = null; // {points, iteration}: the t-SNE frame of a run in progress
    this.framePending = 0; // requestAnimationFrame id of the next live frame
    this.restarts = [];
    this.job = null;
    this.selection = null; // {cell: [true, column]} or {cluster: c}
    this.defaults = { ...this.fieldValues(), matching: "majority" };
    this.lastHash = null;
    this.form.addEventListener("submit", (e) => { e.preventDefault(); this.run(); });
    for (const radio of this.form.elements.preprocess) radio.addEventListener("change", () => this.syncPreprocess());
    this.cancelButton.addEventListener("click", () => this.job?.abort());
    root.querySelectorAll('input[name="matching"]').forEach((r) => r.addEventListener("change", () => {
      this.render();
      if (this.result) this.updateUrl(this.result.params);
    }));
    root.querySelectorAll("[data-preset]").forEach((b) => b.addEventListener("click", () => this.applyPreset(b.dataset.preset)));
    this.pad = new DrawPad(this.$(".digits-pad"), () => this.predict());
    this.$('button[name="clear"]').addEventListener("click", () => this.clearDrawing());
    new ResizeObserver(() => this.redrawCanvases()).observe(this.$(".digits-results"));
    this.syncPreprocess();
    attachExport(root, this, engine, "digits");
  }

  shown() {
    this.loadDigits().catch((err) => say(`Could not load the digits: ${err.message}`, "error"));
    if (location.hash === this.lastHash) return;
    const state = readDigitsHash(location.hash);
    if (state) this.restore(state);
    else if (this.result) this.updateUrl(this.result.params); // back from another panel
  }

  get preprocess() {
    return this.form.elements.preprocess.value;
  }

  get matching() {
    return this.root.querySelector('input[name="matching"]:checked').value;
  }

  /** The form's raw values (strings), by field name. */
  fieldValues() {
    const values = { preprocess: this.preprocess };
    for (const name of Object.keys(FIELDS)) values[name] = this.form.elements[name].value;
    return values;
  }

  setFields(values) {
    for (const [name, value] of Object.entries(values)) {
      if (name === "preprocess" || name === "matching") {
        const radio = this.root.querySelector(`input[name="${name}"][value="${CSS.escape(value)}"]`);
        if (radio) radio.checked = true;
      } else if (name in FIELDS) {
        this.form.elements[name].value = value;
      }
    }
    this.syncPreprocess();
  }

  syncPreprocess() {
    const mode = this.preprocess;
    for (const label of this.form.querySelectorAll("[data-for]")) label.hidden = label.dataset.for !== mode;
    if (!this.live) this.drawEmbedding();
  }

  /** Validated parameters from the form, or null after naming the problems. */
  readParams() {
    const p = readForm(this.form, FIELDS, this.error);
    if (!p) return null;
    p.preprocess = this.preprocess;
    return p;
  }

  // ---- presets and URL -------------------------------------------------------------

  applyPreset(name) {
    const preset = PRESETS[name];
    this.setFields({ ...this.defaults, ...preset.fields });
    say(preset.title);
    return this.run();
  }

  updateUrl(params) {
    // Only while this panel is the one on screen: a run ending after a switch to
    // another panel must not take that panel's URL.
    if (!location.hash.startsWith("#digits")) return;
    const hash = writeDigitsHash({ ...params, matching: this.matching }, this.defaults);
    this.lastHash = hash;
    if (hash !== location.hash) history.replaceState(null, "", hash);
  }

  restore(state) {
    this.lastHash = location.hash;
    const { values, unknown } = state;
    const bad = [];
    if ("preprocess" in values && !PREPROCESS.includes(values.preprocess)) bad.push(`preprocess=${values.preprocess}`);
    if ("matching" in values && !MATCHING.includes(values.matching)) bad.push(`matching=${values.matching}`);
    this.setFields({ ...this.defaults, ...values });
    const ignored = [...bad, ...unknown];
    if (ignored.length) say(`This link's ${ignored.join(", ")} ${ignored.length === 1 ? "is" : "are"} not understood by the Digits panel and ${ignored.length === 1 ? "was" : "were"} ignored.`, "error");
    return this.run();
  }

  // ---- running ---------------------------------------------------------------------

  async loadDigits() {
    if (this.digits) return this.digits;
    this._loading ??= this.engine.ready.then(() => this.engine.call("digits_load"));
    const d = await this._loading;
    this.digits = { data: d.data, target: d.target };
    return this.digits;
  }

  async run() {
    const p = this.readParams();
    if (!p) return;
    this.job?.abort();
    const job = new AbortController();
    this.job = job;
    this.cancelButton.disabled = false;
    const done = busy("Clustering the digits…");
    try {
      await this.loadDigits();
      const embedding = p.preprocess === "tsne" ? await this.runTsne(p, job.signal) : null;
      const t0 = performance.now();
      this.restarts = [];
      const res = await this.engine.call("digits_kmeans", {
        n_clusters: p.n_clusters, n_init: p.n_init, random_state: p.seed, preprocess: p.preprocess,
        n_components: p.n_components, ...(embedding ? { embedding: embedding.points.slice(), n_embed: 2 } : {}),
      }, { signal: job.signal, onProgress: (r) => this.onKmeansProgress(r) });
      res.wallMs = performance.now() - t0;
      res.params = p;
      res.embedding = embedding;
      // Commit: from here on everything on screen is this result.
      this.result = res;
      this.live = null;
      this.selection = null;
      this.render();
      this.updateUrl(p);
      say(`Done: ${this.describe()}`);
    } catch (err) {
      if (this.job === job) {
        // Put the previous result back whole: the live embedding, the restarts of the
        // run that did not finish and its progress go.
        this.live = null;
        this.render();
        if (err.name === "AbortError") say(this.result ? "Cancelled; the previous result is still shown." : "Cancelled; nothing was clustered.");
        else say(`Could not cluster the digits: ${err.message}`, "error");
      }
    } finally {
      done();
      if (this.job === job) {
        this.progress("");
        this.job = null;
        this.cancelButton.disabled = true;
      }
    }
  }

  /** The embedding for `p`: the cached one when the settings match, else a live run. */
  async runTsne(p, signal) {
    const key = `${p.perplexity}/${p.tsne_iter}`;
    if (this.tsneCache?.key === key) return this.tsneCache;
    const t0 = performance.now();
    const res = await this.engine.call("digits_tsne", {
      perplexity: p.perplexity, max_iter: p.tsne_iter, n_iter_exaggeration: Math.min(150, Math.round(p.tsne_iter * 0.3)),
    }, {
      signal,
      onProgress: (r) => {
        if (signal.aborted) return;
        if (r.stage === "neighbors") {
          this.progress(`t-SNE: finding neighbours (${num(r.rows_done)} of ${num(r.n_samples)} digits)`);
          return;
        }
        this.live = { points: r.embedding, iteration: r.iteration };
        this.progress(`t-SNE: iteration ${num(r.iteration)} of ${num(r.max_iter)}${r.exaggeration > 1 ? " (early exaggeration)" : ""}`);
        // At most one frame per display refresh: records can come faster than frames.
        this.framePending ||= requestAnimationFrame(() => {
          this.framePending = 0;
          if (this.live) this.drawEmbedding();
        });
      },
    });
    this.tsneCache = { key, points: res.embedding, iteration: res.n_iter, ms: performance.now() - t0 };
    return this.tsneCache;
  }

  onKmeansProgress(r) {
    if (this.job?.signal.aborted) return;
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

  // ---- the committed result --------------------------------------------------------

  mapping() {
    const r = this.result;
    return this.matching === "hungarian" ? r.mapping_hungarian : r.mapping_majority;
  }

  method() {
    const r = this.result;
    const how = { none: "raw pixels", pca: `PCA to ${r.n_features} components (${pct(r.explained_variance)} of the variance)`, tsne: "the 2-D t-SNE embedding" }[r.preprocess];
    const runs = r.inertia_per_init.length;
    return `k-means with k = ${r.n_clusters} on ${how}, best of ${runs} restart${plural(runs)} (inertia ${num(r.inertia)}), ${(r.seconds).toFixed(2)} s in Python.`;
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

  /** Draw every part of the panel from the committed result (or the empty state). */
  render() {
    const r = this.result;
    const tbody = this.$(".digits-restarts tbody");
    if (!r) {
      tbody.replaceChildren();
      this.redrawCanvases();
      return;
    }
    const summary = this.$(".digits-summary");
    summary.innerHTML = `Accuracy after matching clusters to digits: <strong class="acc-majority">${pct(r.accuracy_majority)}</strong> majority (the chapter's), <strong class="acc-hungarian">${pct(r.accuracy_hungarian)}</strong> one-to-one. <span class="muted">${this.method()}</span>`;
    summary.dataset.accuracyMajority = r.accuracy_majority.toFixed(4);
    summary.dataset.accuracyHungarian = r.accuracy_hungarian.toFixed(4);
    fillCenters(this.$(".digits-centers"), r, this.mapping(), (c) => this.select({ cluster: c }));
    const restarts = [...r.inertia_per_init].map((inertia, i) => ({
      inertia, accuracy_majority: r.accuracy_per_init_majority[i], accuracy_hungarian: r.accuracy_per_init_hungarian[i],
    }));
    fillRestarts(tbody, restarts, r.best_init);
    this.fillMatrix();
    this.redrawCanvases();
    if (!this.pad.empty) this.predict();
  }

  fillMatrix() {
    fillConfusion(this.$(".digits-confusion"), this.confusion(), this.selection?.cell ?? null,
      (t, p, column, byKey) => this.select({ cell: [t, column] }, !byKey));
  }

  confusion() {
    const pred = this.predictions();
    const cols = pred.some((v) => v < 0) ? 11 : 10;
    const m = new Int32Array(10 * cols);
    const target = this.digits.target;
    for (let i = 0; i < pred.length; i++) m[target[i] * cols + (pred[i] < 0 ? 10 : pred[i])]++;
    return m;
  }

  select(selection, scroll = true) {
    const wasCell = Boolean(this.selection?.cell);
    this.selection = selection;
    // The matrix marks the selected cell (and drops the mark when a center is chosen).
    if (selection.cell || wasCell) this.markCell(selection.cell ?? null);
    this.drawSelection(scroll);
  }

  markCell(cell) {
    for (const td of this.$(".digits-confusion").querySelectorAll("td.selected")) {
      td.classList.remove("selected");
      td.querySelector("button").setAttribute("aria-pressed", "false");
    }
    if (!cell) return;
    const cols = this.$(".digits-confusion thead tr:last-child").children.length - 1;
    const button = this.$(".digits-confusion").querySelectorAll("td button")[cell[0] * cols + cell[1]];
    button?.setAttribute("aria-pressed", "true");
    button?.parentElement.classList.add("selected");
  }

  drawSelection(scroll = false) {
    drawSelection(this, scroll);
  }

  drawEmbedding() {
    drawEmbeddingCard(this);
  }

  redrawCanvases() {
    this.drawEmbedding();
    this.drawSelection();
  }

  // ---- drawing a digit -------------------------------------------------------------

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
    const says = digit < 0 ? "a cluster matched to no digit" : withArticle(digit);
    const text = `Looks like ${says}: nearest is cluster ${out.nearest + 1}'s center (distance ${out.distances[out.nearest].toFixed(1)}).`;
    nearest.setAttribute("aria-label", `Nearest center: cluster ${out.nearest + 1}, matched to ${digit < 0 ? "no digit" : `digit ${digit}`}`);
    return r.preprocess === "none" ? text : `${text} Compared in pixel space with each cluster's mean image.`;
  }
}
