// Points panel: generate, draw or import 2-d points; cluster them in the worker with
// k-means, mini-batch k-means or spectral clustering; step through E and M; share by URL.
import { drawScatter } from "../draw/scatter.js";
import { View, dataBounds, fitCanvas } from "../draw/view.js";
import { readForm } from "../form.js";
import { attachExport } from "../export/dialog.js";
import { busy, say } from "../status.js";
import { Analysis } from "./points/analysis.js";
import { CsvImport, formatPoints } from "./points/csv.js";
import { DATA_FIELDS, FIELDS, PRESETS } from "./points/fields.js";
import { History } from "./points/history.js";
import { PointerTools } from "./points/pointer.js";
import { Stepper } from "./points/stepper.js";
import { SwapView, foundText } from "./points/swap.js";
import { readHash, writeHash } from "./points/url-state.js";

const EMPTY_FRAME = { x0: -10, x1: 10, y0: -7.5, y1: 7.5 };
const fmt = (x) => Number(x).toLocaleString("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });

export class PointsPanel {
  constructor(root, engine) {
    this.engine = engine;
    this.root = root;
    this.form = root.querySelector("form");
    this.el = this.form.elements;
    this.canvas = root.querySelector("canvas#points-canvas");
    this.summary = root.querySelector("#points-summary");
    this.error = root.querySelector(".form-error");
    this.restarts = root.querySelector("#points-restarts");
    this.defaults = Object.fromEntries(Object.keys(FIELDS).map((k) => [k, this.el[k].value]));
    this.points = new Float64Array(0);
    this.truth = null;
    this.frame = EMPTY_FRAME;
    this.dataKey = null;
    this.result = null;
    this.placed = new Float64Array(0);
    this.history = new History();
    this.job = null;
    this.stepper = new Stepper(root.querySelector("#points-stepper"), (rec, trail) => this.drawStep(rec, trail));
    this.swap = new SwapView(root.querySelector("#points-swap"));
    this.analysis = new Analysis(this, root.querySelector("#points-analysis"), root.querySelector("#points-compare"));
    this.pointer = new PointerTools(this.canvas, {
      view: () => this.view,
      mode: () => (this.el.init.value === "click" && this.el.method.value !== "spectral" ? "place" : this.form.querySelector('[name="tool"]:checked').value),
      brush: () => Number(this.el.brush.value),
      begin: () => this.beginEdit(),
      add: (pts) => this.addPoints(pts),
      erase: (x, y, r) => this.erasePoints(x, y, r),
      place: (x, y) => this.placeCenter(x, y),
      end: () => this.draw(),
    });
    this.csv = new CsvImport(this, this.el.csv);
    this.wire();
    this.syncVisibility();
    new ResizeObserver(() => this.draw()).observe(this.canvas);
    this.draw();
    this.restore();
    attachExport(root, this, engine, "points");
  }

  wire() {
    const on = (name, fn) => this.el[name].addEventListener("click", fn);
    this.form.addEventListener("submit", (e) => { e.preventDefault(); this.run(); });
    this.form.addEventListener("change", (e) => {
      this.syncVisibility();
      if (["regions", "trails"].includes(e.target.name)) this.draw();
      if (e.target.name === "init" || e.target.name === "n_clusters") this.draw();
    });
    on("generate", () => this.generateOnly());
    on("step", () => this.step());
    on("cancel", () => this.job?.abort());
    on("escape", () => this.escape());
    on("undo", () => this.restoreState(this.history.undo(this.snapshot())));
    on("redo", () => this.restoreState(this.history.redo(this.snapshot())));
    on("clear", () => { this.beginEdit(); this.setPoints(new Float64Array(0), null, EMPTY_FRAME); });
    on("export", () => this.exportCsv());
    this.el.csv.addEventListener("change", () => this.csv.open(this.el.csv.files[0]));
    for (const b of this.root.querySelectorAll("[data-preset]")) {
      b.addEventListener("click", () => this.applyPreset(b.dataset.preset));
    }
  }

  /** Show only the fields that apply to the chosen dataset and method. */
  syncVisibility() {
    for (const [attr, value] of [["forKind", this.el.kind.value], ["forMethod", this.el.method.value]]) {
      for (const el of this.form.querySelectorAll(`[data-${attr === "forKind" ? "for-kind" : "for-method"}]`)) {
        el.hidden = !el.dataset[attr].split(" ").includes(value);
      }
    }
  }

  // ---- data -------------------------------------------------------------------

  snapshot() {
    return { points: this.points, truth: this.truth, frame: this.frame, kind: this.el.kind.value, key: this.dataKey };
  }

  restoreState(state) {
    if (!state) return;
    this.el.kind.value = state.kind;
    this.dataKey = state.key;
    this.syncVisibility();
    this.setPoints(state.points, state.truth, state.frame);
  }

  setPoints(points, truth, frame = dataBounds(points)) {
    this.points = points;
    this.truth = truth;
    this.frame = points.length ? frame : EMPTY_FRAME;
    this.result = null;
    this.stepper.hide();
    this.swap.hide();
    this.restarts.hidden = true;
    this.root.querySelector("#points-side").hidden = true;
    this.el.undo.disabled = !this.history.canUndo;
    this.el.redo.disabled = !this.history.canRedo;
    this.draw();
  }

  /** Before a hand edit: remember the state for undo; the data becomes "drawn". */
  beginEdit() {
    this.history.push(this.snapshot());
    this.el.kind.value = "drawn";
    this.dataKey = null;
    this.syncVisibility();
  }

  addPoints(pts) {
    const next = new Float64Array(this.points.length + pts.length);
    next.set(this.points);
    next.set(pts, this.points.length);
    this.setPoints(next, null, this.frame);
  }

  erasePoints(x, y, r) {
    const keep = [];
    for (let i = 0; i < this.points.length; i += 2) {
      if (Math.hypot(this.points[i] - x, this.points[i + 1] - y) > r) keep.push(this.points[i], this.points[i + 1]);
    }
    if (keep.length !== this.points.length) this.setPoints(new Float64Array(keep), null, this.frame);
  }

  placeCenter(x, y) {
    const k = Number(this.el.n_clusters.value) || 1;
    const placed = Array.from(this.placed);
    if (placed.length / 2 >= k) placed.splice(0, placed.length - 2 * (k - 1));
    placed.push(x, y);
    this.placed = new Float64Array(placed);
    this.draw();
  }

  async generate(params, signal) {
    const key = JSON.stringify(DATA_FIELDS.map((k) => params[k]));
    if (params.kind === "drawn" || this.dataKey === key) return;
    const gen = await this.engine.call("generate", {
      kind: params.kind, n_samples: params.n_samples, centers: params.centers,
      cluster_std: params.cluster_std, noise: params.noise, random_state: params.data_seed,
    }, { signal });
    this.history.push(this.snapshot());
    this.dataKey = key;
    this.setPoints(gen.points, gen.truth);
  }

  async generateOnly() {
    const params = readForm(this.form, FIELDS, this.error);
    if (!params) return;
    await this.asJob("Generating points…", async (signal) => {
      await this.generate(params, signal);
      say(`Generated ${this.points.length / 2} points.`);
    });
  }

  /** Points read from a file become the data, as a hand edit (undoable). */
  usePoints(points) {
    this.beginEdit();
    this.setPoints(points, null);
    this.error.hidden = true;
  }

  exportCsv() {
    if (!this.points.length) {
      say("There are no points to export yet.", "error");
      return;
    }
    const labels = this.result?.labels?.length === this.points.length / 2 ? this.result.labels : null;
    const blob = new Blob([formatPoints(this.points, labels)], { type: "text/csv" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = labels ? "points-clustered.csv" : "points.csv";
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  // ---- jobs ---------------------------------------------------------------------

  startJob() {
    this.job?.abort();
    const job = new AbortController();
    this.job = job;
    this.el.cancel.disabled = false;
    return job;
  }

  endJob(job) {
    if (this.job !== job) return;
    this.job = null;
    this.el.cancel.disabled = true;
  }

  async asJob(message, work) {
    const job = this.startJob();
    const done = busy(message);
    try {
      await work(job.signal);
      return true;
    } catch (err) {
      if (err.name === "AbortError") say("Cancelled; the previous result is still shown.");
      else say(`${message.replace(/…$/, "")} failed: ${err.message}`, "error");
      return false;
    } finally {
      done();
      this.endJob(job);
    }
  }

  /** The current points and settings, or null (with a message) when they can't be used. */
  current() {
    const params = readForm(this.form, FIELDS, this.error);
    if (!params) return null;
    if (!this.points.length) {
      this.error.textContent = "There are no points yet: press Generate, draw on the plot, or import a CSV.";
      this.error.hidden = false;
      return null;
    }
    return { points: this.points, params };
  }

  /** Initial centers for one run: hand-placed ones, or as k-means would seed them. */
  async initialCenters(params, signal) {
    if (params.init === "click") {
      if (this.placed.length / 2 !== params.n_clusters) {
        throw new Error(`place ${params.n_clusters} initial centers by clicking the plot (${this.placed.length / 2} placed so far)`);
      }
      return this.placed.slice();
    }
    const r = await this.engine.call("init_centers", {
      points: this.points.slice(), n_clusters: params.n_clusters, init: params.init, random_state: params.seed,
    }, { signal });
    return r.centers;
  }

  async prepare(params, signal) {
    await this.generate(params, signal);
    if (!this.points.length) throw new Error("there are no points yet: press Generate, draw on the plot, or import a CSV");
  }

  /** Adjusted Rand index of `labels` against the true groups (in Python), or null. */
  async adjustedRand(labels, signal) {
    if (!this.truth || this.truth.length !== labels.length) return null;
    const r = await this.engine.call("points_adjusted_rand", { labels_a: this.truth.slice(), labels_b: labels.slice() }, { signal });
    return r.ari;
  }

  async run({ seedCenters = false } = {}) {
    const params = readForm(this.form, FIELDS, this.error);
    if (!params) return;
    await this.asJob("Clustering…", async (signal) => {
      await this.prepare(params, signal);
      const points = this.points;
      const truth = this.truth && this.truth.length === points.length / 2 ? this.truth.slice() : null;
      const swap = params.method === "random_swap";
      let res;
      if (params.method === "spectral") {
        res = await this.engine.call("points_spectral", {
          points: points.slice(), n_clusters: params.n_clusters, n_neighbors: params.n_neighbors, random_state: params.seed,
        }, { signal, onProgress: (p) => say(`Spectral clustering: ${p.stage ?? "working"}…`) });
        res.centers = null;
      } else {
        // seedCenters: start from the seed's own centers (the chapter's bad seed)
        const init = params.init === "click" || seedCenters ? await this.initialCenters(params, signal) : null;
        if (swap) this.swap.begin();
        res = await this.engine.call("fit", {
          points: points.slice(), n_clusters: params.n_clusters, init: params.init === "click" ? "k-means++" : params.init,
          init_centers: init, n_init: params.n_init, max_iter: params.max_iter, random_state: params.seed,
          method: params.method, batch_size: params.batch_size, truth,
        }, {
          signal,
          onProgress: (p) => (swap ? this.showSwap(p)
            : say(`k-means: run ${p.run + 1} of ${p.n_runs}, iteration ${p.iteration}, inertia ${fmt(p.inertia)}`)),
        });
      }
      res.ari = await this.adjustedRand(res.labels, signal);
      if (points !== this.points) return; // the data changed meanwhile
      res.method = params.method;
      res.params = params;
      this.result = res;
      this.stepper.hide();
      if (swap) {
        res.plain_found = res.n_true ? `${res.plain_clusters_found} of ${res.n_true} clusters found` : null;
        this.swap.finish(res);
      } else this.swap.hide();
      this.showRestarts(res);
      // after random swap, a line from each center of plain k-means' answer to its final
      // place: the centers that jumped stand out
      if (swap && this.el.trails.checked) {
        this.draw({ labels: res.labels, centers: res.centers, trail: [res.plain_centers, res.centers], text: this.describe() });
      } else this.draw();
      this.updateUrl(params);
      say(`Done: ${this.describe()}`);
    });
  }

  /** A record of the random swap search: the kept swap drawn, the counts and chart. */
  showSwap(rec) {
    this.swap.record(rec);
    if (!rec.labels) return;
    const k = rec.centers.length / 2;
    const text = rec.kind === "start"
      ? `Plain k-means from the seed: ${k} clusters, inertia ${fmt(rec.inertia)}`
      : `Swap ${rec.swaps_tried} kept: center ${rec.center + 1} jumped from (${fmt(rec.from[0])}, ${fmt(rec.from[1])}) to (${fmt(rec.to[0])}, ${fmt(rec.to[1])}); inertia ${fmt(rec.inertia)}`;
    // the trail from the previous kept solution shows the center that jumped
    const trail = rec.kind === "swap" && this.swapCenters ? [this.swapCenters, rec.centers] : null;
    this.swapCenters = rec.centers;
    this.draw({ labels: rec.labels, centers: rec.centers, trail, text });
  }

  /** The bad seed's fix: random swap from the same initial centers. */
  escape() {
    this.el.method.value = "random_swap";
    this.syncVisibility();
    return this.run({ seedCenters: true });
  }

  async step() {
    const params = readForm(this.form, FIELDS, this.error);
    if (!params) return;
    await this.asJob("Computing every step…", async (signal) => {
      await this.prepare(params, signal);
      const centers = await this.initialCenters(params, signal);
      const records = [];
      await this.engine.call("steps", {
        points: this.points.slice(), init_centers: centers, max_iter: params.max_iter,
      }, { signal, onProgress: (rec) => records.push(rec) });
      this.result = null;
      this.restarts.hidden = true;
      this.stepper.load(records);
      this.stepParams = params;
      this.updateUrl(params);
      const last = records[records.length - 1];
      say(`${records.length - 1} steps ready: press "Next" or "Play". Final inertia ${fmt(last.inertia)}.`);
    });
  }

  /** Run k-means and spectral clustering on the same points and show both. */
  async sideBySide() {
    const params = readForm(this.form, FIELDS, this.error);
    if (!params) return;
    await this.asJob("Clustering both ways…", async (signal) => {
      await this.prepare(params, signal);
      const points = this.points;
      const km = await this.engine.call("fit", {
        points: points.slice(), n_clusters: params.n_clusters, init: "k-means++",
        n_init: params.n_init, max_iter: params.max_iter, random_state: params.seed,
      }, { signal });
      const sp = await this.engine.call("points_spectral", {
        points: points.slice(), n_clusters: params.n_clusters, n_neighbors: params.n_neighbors,
        random_state: params.seed,
      }, { signal });
      // both scores before anything is drawn, so a cancel leaves no half-drawn pair
      const aris = [await this.adjustedRand(km.labels, signal), await this.adjustedRand(sp.labels, signal)];
      const side = this.root.querySelector("#points-side");
      side.hidden = false;
      const parts = [["#side-kmeans", km, "k-means", km.centers], ["#side-spectral", sp, `Spectral clustering (${params.n_neighbors} neighbors)`, null]];
      for (const [i, [selector, res, name, centers]] of parts.entries()) {
        const canvas = side.querySelector(selector);
        const [w, h] = fitCanvas(canvas);
        drawScatter(canvas.getContext("2d"), new View(this.frame, w, h), { points, labels: res.labels, centers });
        const ari = aris[i];
        const text = `${name}: adjusted Rand index ${ari === null ? "n/a" : ari.toFixed(3)} against the true groups`;
        canvas.nextElementSibling.textContent = text;
        canvas.setAttribute("aria-label", `Scatter plot, ${text}`);
      }
      this.result = { ...km, method: params.method, ari: aris[0], params: { ...params, init: "k-means++" } };
      this.showRestarts(km);
      this.draw();
      this.updateUrl(params);
      say(`Done: k-means ARI ${aris[0]?.toFixed(3)}, spectral ARI ${aris[1]?.toFixed(3)}.`);
    });
  }

  showRestarts(res) {
    const runs = res.inertia_per_init ? Array.from(res.inertia_per_init) : [];
    this.restarts.hidden = runs.length < 2;
    const body = this.restarts.querySelector("tbody");
    body.replaceChildren(...runs.map((inertia, i) => {
      const tr = document.createElement("tr");
      if (i === res.best_init) tr.className = "kept";
      for (const text of [String(i + 1), fmt(inertia), i === res.best_init ? "kept (lowest inertia)" : ""]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }));
  }

  // ---- presets and URL ------------------------------------------------------------

  setFields(values) {
    for (const [name, value] of Object.entries(values)) {
      if (this.el[name] && name in FIELDS) this.el[name].value = value;
    }
    this.syncVisibility();
  }

  applyPreset(name) {
    const preset = PRESETS[name];
    this.setFields({ ...this.defaults, ...preset.fields });
    this.el.regions.checked = Boolean(preset.regions);
    this.placed = new Float64Array(0);
    this.el.escape.hidden = name !== "bad-seed";
    say(preset.title);
    if (preset.then === "step") return this.step();
    if (preset.then === "side-by-side") return this.sideBySide();
    return this.run();
  }

  updateUrl(params) {
    const { hash, note } = writeHash(params, this.defaults, this.points);
    history.replaceState(null, "", hash);
    this.csv.linkNotice(note);
  }

  async restore() {
    let state = null;
    try {
      state = readHash(location.hash);
    } catch {
      say("The link's points could not be read; showing the default data instead.", "error");
    }
    if (state) {
      this.setFields(state.values);
      if (state.points) {
        this.el.kind.value = "drawn";
        this.setPoints(state.points, null);
      }
      return this.run();
    }
    await this.engine.ready.catch(() => {});
    if (this.engine.state !== "ready" || this.points.length || this.job) return; // a Run pressed while loading goes first
    const params = readForm(this.form, FIELDS, this.error);
    if (params && await this.asJob("Generating points…", (signal) => this.generate(params, signal))) say("Ready");
  }

  /** For "Code & notebook": the data, the parameters of the shown result and its numbers. */
  exportState() {
    const r = this.result;
    const steps = !r && this.stepper.records.length ? this.stepParams : null;
    const params = r?.params ?? steps;
    if (!params || !this.points.length) return "Run or step k-means first: the code reproduces a result.";
    const last = steps ? this.stepper.records[this.stepper.records.length - 1] : null;
    const shown = steps ? this.stepper.records[this.stepper.pos] : r; // what the plot shows
    return {
      labels: shown?.labels ?? null, centers: shown?.centers ?? null,
      mode: steps ? "steps" : "fit", params, points: this.points, truth: this.truth,
      placed: this.placed.length ? this.placed : null,
      result: r ? { inertia: r.inertia ?? null, n_iter: r.n_iter ?? null, best_init: r.best_init ?? 0, ari: r.ari }
        : { inertia: last?.inertia ?? null },
    };
  }

  // ---- drawing --------------------------------------------------------------------

  get view() {
    const [w, h] = [this.canvas.width, this.canvas.height];
    return new View(this.frame, w, h);
  }

  describe() {
    const n = this.points.length / 2;
    const r = this.result;
    if (!n) return "No points yet. Draw on the plot, import a CSV, or press Generate.";
    if (!r) {
      if (this.el.init.value === "click" && this.el.method.value !== "spectral") {
        return `${n} points. Click the plot to place ${this.el.n_clusters.value} initial centers (${this.placed.length / 2} placed), then press Run.`;
      }
      return `${n} points, not clustered yet. Press Run.`;
    }
    const k = r.centers ? r.centers.length / 2 : new Set(r.labels).size;
    const ari = (r.n_true ? `, ${foundText(r)}` : "") +
      (r.ari === null ? "" : `, adjusted Rand index ${r.ari.toFixed(3)} against the true groups`);
    if (r.method === "spectral") {
      return `Spectral clustering: ${k} clusters of ${n} points${ari}, ${Math.round(r.seconds * 1000)} ms in Python`;
    }
    const iters = r.method === "random_swap" ? `${r.swaps_tried} swaps tried, ${r.swaps_accepted} kept`
      : `${r.n_iter} iteration${r.n_iter === 1 ? "" : "s"}`;
    const name = { minibatch: "Mini-batch k-means: ", random_swap: "k-means + random swap: " }[r.method] ?? "";
    return `${name}${k} cluster${k === 1 ? "" : "s"} of ${n} points, inertia ${fmt(r.inertia)}, ${iters}${ari}, ${Math.round(r.seconds * 1000)} ms in Python`;
  }

  draw(extra = null) {
    const [w, h] = fitCanvas(this.canvas);
    const ctx = this.canvas.getContext("2d");
    const r = this.result;
    const showPlaced = this.el.init.value === "click" && this.el.method.value !== "spectral" && !extra;
    drawScatter(ctx, new View(this.frame, w, h), {
      points: this.points,
      labels: extra ? extra.labels : r?.labels ?? null,
      centers: extra ? extra.centers : r?.centers ?? null,
      trails: extra && this.el.trails.checked ? extra.trail : null,
      placed: showPlaced && this.placed.length ? this.placed : null,
      regions: this.el.regions.checked,
    });
    const text = extra ? extra.text : this.describe();
    this.canvas.setAttribute("aria-label", `Scatter plot: ${text}`);
    this.summary.textContent = text;
    this.el.undo.disabled = !this.history.canUndo;
    this.el.redo.disabled = !this.history.canRedo;
  }

  drawStep(rec, trail) {
    const k = rec.centers.length / 2;
    const text = rec.phase === "init"
      ? `${this.points.length / 2} points and ${k} initial centers`
      : `Iteration ${rec.iteration + 1}, ${rec.phase === "assign" ? "E" : "M"} step: ${k} clusters, inertia ${fmt(rec.inertia)}`;
    this.draw({ labels: rec.labels ?? null, centers: rec.centers, trail, text });
  }
}
