// Points panel: generate, draw or import 2-d points; cluster them in the worker with
// k-means, mini-batch k-means or spectral clustering; step through E and M; share by URL.
import { axesView, drawScatter } from "../draw/scatter.js";
import { dataBounds, fitCanvas } from "../draw/view.js";
import { attachExport } from "../export/dialog.js";
import { statusFor } from "../status.js";
import { Analysis } from "./points/analysis.js";
import { CsvImport, formatPoints } from "./points/csv.js";
import { checkData } from "./points/checks.js";
import { FieldErrors } from "./points/field-errors.js";
import { DATA_FIELDS, FIELDS } from "./points/fields.js";
import { History } from "./points/history.js";
import { renderLegend } from "./points/legend.js";
import { PointerTools } from "./points/pointer.js";
import { Stepper } from "./points/stepper.js";
import { SwapView } from "./points/swap.js";
import { applyPreset, restore, setFields, updateUrl } from "./points/link.js";
import { describe } from "./points/describe.js";
import { SideBySide } from "./points/side.js";

const { busy, say } = statusFor("points"); // this panel's status line

const EMPTY_FRAME = { x0: -10, x1: 10, y0: -7.5, y1: 7.5 };
// A job shows itself (status message, spinner, progress, Cancel) only once it has run
// this long: a Run on a few hundred points ends sooner, and then nothing on screen
// changes before its result, so the page draws no frame in between (a frame of the
// spinner held the worker's answer back by 5-40 ms on a loaded 2-core machine).
export const QUIET_MS = 100;
const FMT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const fmt = (x) => FMT.format(Number(x));
const COUNT = new Intl.NumberFormat("en-US"); // (one formatter: toLocaleString makes one per call)
const count = (n) => COUNT.format(Number(n));

export class PointsPanel {
  constructor(root, engine) {
    this.engine = engine;
    this.root = root;
    this.form = root.querySelector("form");
    this.el = this.form.elements;
    this.canvas = root.querySelector("canvas#points-canvas");
    this.summary = root.querySelector("#points-summary");
    this.error = root.querySelector(".form-error");
    this.fields = new FieldErrors(this.form);
    this.legend = root.querySelector("#points-legend");
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
    this.resultView = null; // what the plot shows for this.result when not plain (random swap)
    this.stepper = new Stepper(root.querySelector("#points-stepper"), (rec, trail) => this.drawStep(rec, trail),
      (pos) => this.stepParams && this.updateUrl(this.stepParams));
    this.side = new SideBySide(root.querySelector("#points-side"));
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
    new ResizeObserver(() => { this.redraw(); this.side.redraw(this); }).observe(this.canvas);
    this.draw();
    this.restore();
    attachExport(root, this, engine, "points");
  }

  wire() {
    const on = (name, fn) => this.el[name].addEventListener("click", fn);
    this.form.addEventListener("submit", (e) => { e.preventDefault(); this.run(); });
    this.form.addEventListener("change", (e) => {
      this.syncVisibility();
      // display options and settings never discard what is shown: redraw it as it is
      if (["regions", "trails", "init", "n_clusters"].includes(e.target.name)) this.redraw();
      if (["regions", "trails"].includes(e.target.name) && this.shownParams) this.updateUrl(this.shownParams);
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
    this.resultView = null;
    this.shownParams = null;
    this.stepper.hide();
    this.swap.hide();
    this.restarts.hidden = true;
    this.side.hide();
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
    const params = this.readParams();
    if (!params) return;
    await this.asJob("Generating points…", async (signal) => {
      await this.generate(params, signal);
      say(`Generated ${count(this.points.length / 2)} points.`);
    });
  }

  /** Points read from a file become the data, as a hand edit (undoable). */
  usePoints(points) {
    this.beginEdit();
    this.setPoints(points, null);
    this.error.hidden = true;
    this.fields.clearAll();
  }

  exportCsv() {
    if (!this.points.length) {
      say("There are no points to export yet.", "error");
      return;
    }
    const n = this.points.length / 2;
    const labels = this.result?.labels?.length === n ? this.result.labels : null;
    const extra = this.side.result?.spectral?.labels?.length === n ? { spectral: this.side.result.spectral.labels } : null;
    const blob = new Blob([formatPoints(this.points, labels, extra)], { type: "text/csv" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = labels ? "points-clustered.csv" : "points.csv";
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  // ---- jobs ---------------------------------------------------------------------

  /** The panel's one job (the previous one is cancelled); Cancel is enabled after
   * ``quiet`` ms (see QUIET_MS), at once by default. */
  startJob(quiet = 0) {
    this.job?.abort();
    const job = new AbortController();
    this.job = job;
    job.shown = false;
    const show = () => {
      job.shown = true;
      if (this.job === job) this.el.cancel.disabled = false;
    };
    if (quiet > 0) job.timer = setTimeout(show, quiet);
    else show();
    return job;
  }

  endJob(job) {
    clearTimeout(job.timer);
    if (this.job !== job) return;
    this.job = null;
    this.el.cancel.disabled = true;
  }

  async asJob(message, work) {
    const job = this.startJob(QUIET_MS);
    const done = busy(message, { after: QUIET_MS });
    try {
      await work(job.signal);
      return true;
    } catch (err) {
      if (err.name === "AbortError") say("Cancelled; the previous result is still shown.");
      else if (err.name === "FieldError") say(err.message, "error");
      else say(`${message.replace(/…$/, "")} failed: ${err.message}`, "error");
      this.restoreScreen();
      return false;
    } finally {
      done();
      this.endJob(job);
    }
  }

  /** A progress message of the running job, once it shows itself (QUIET_MS). */
  progress(text) {
    if (this.job?.shown) say(text);
  }

  /** After a cancel or an error: every part shows the previous result, whole. */
  restoreScreen() {
    this.swapCenters = null;
    if (this.result?.method === "random_swap" && !this.stepper.active) this.swap.finish(this.result);
    else this.swap.hide();
    this.redraw();
  }

  /** The form's values, or null after a message next to each bad control. */
  readParams() {
    this.error.hidden = true;
    const params = this.fields.read(FIELDS);
    if (!params) say(this.fields.first, "error");
    return params;
  }

  /** The current points and settings, or null (with a message) when they can't be used. */
  current() {
    const params = this.readParams();
    if (!params) return null;
    try {
      this.checkData(params);
    } catch (err) {
      say(err.message, "error");
      return null;
    }
    return { points: this.points, params };
  }

  /** Settings that need the data (points/checks.js): throws a FieldError, shown. */
  checkData(params) { checkData(this, params); }

  /** Where every run starts: hand-placed centers, or the seed's (computed in Python). */
  startArgs(params) {
    return params.init === "click"
      ? { init: "k-means++", init_centers: this.placed.slice() }
      : { init: params.init, init_centers: null };
  }

  async prepare(params, signal) {
    await this.generate(params, signal);
    this.checkData(params);
  }

  /** Adjusted Rand index of `labels` against the true groups (in Python), or null. */
  async adjustedRand(labels, signal) {
    if (!this.truth || this.truth.length !== labels.length) return null;
    const r = await this.engine.call("points_adjusted_rand", { labels_a: this.truth.slice(), labels_b: labels.slice() }, { signal });
    return r.ari;
  }

  async run() {
    const params = this.readParams();
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
        }, { signal, onProgress: (p) => this.progress(`Spectral clustering: ${p.stage ?? "working"}…`) });
        res.centers = null;
      } else {
        if (swap) this.swap.begin();
        res = await this.engine.call("fit", {
          points: points.slice(), n_clusters: params.n_clusters, ...this.startArgs(params),
          n_init: params.n_init, max_iter: params.max_iter, random_state: params.seed,
          method: params.method, batch_size: params.batch_size, truth,
        }, {
          signal,
          onProgress: (p) => (swap ? this.showSwap(p)
            : this.progress(`k-means: run ${p.run + 1} of ${p.n_runs}, iteration ${p.iteration}, inertia ${fmt(p.inertia)}`)),
        });
      }
      res.ari ??= await this.adjustedRand(res.labels, signal); // fit scores it when it had the truth
      if (points !== this.points) return; // the data changed meanwhile
      res.method = params.method;
      res.params = params;
      this.result = res;
      this.stepper.hide();
      this.side.hide();
      if (swap) {
        res.plain_found = res.n_true ? `${res.plain_clusters_found} of ${res.n_true} clusters found` : null;
        this.swap.finish(res);
      } else this.swap.hide();
      this.showRestarts(res);
      // after random swap, a line from each center of plain k-means' answer to its final
      // place (with "Center trails"): the centers that jumped stand out
      this.resultView = swap ? { labels: res.labels, centers: res.centers, trail: [res.plain_centers, res.centers], text: this.describe() } : null;
      this.redraw();
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
      : `Swap ${count(rec.swaps_tried)} kept: center ${rec.center + 1} jumped from (${fmt(rec.from[0])}, ${fmt(rec.from[1])}) to (${fmt(rec.to[0])}, ${fmt(rec.to[1])}); inertia ${fmt(rec.inertia)}`;
    // the trail from the previous kept solution shows the center that jumped
    const trail = rec.kind === "swap" && this.swapCenters ? [this.swapCenters, rec.centers] : null;
    this.swapCenters = rec.centers;
    this.draw({ labels: rec.labels, centers: rec.centers, trail, text });
  }

  /** The bad seed's fix: random swap from the same initial centers (random swap starts
   * from the first restart's centers, as Run and Step do). */
  escape() {
    this.el.method.value = "random_swap";
    this.syncVisibility();
    return this.run();
  }

  /** Every E and M step of the run Run keeps (its restarts fitted first, in Python). */
  async step({ pos = 0 } = {}) {
    const params = this.readParams();
    if (!params) return false;
    return this.asJob("Computing every step…", async (signal) => {
      await this.prepare(params, signal);
      const records = [];
      const r = await this.engine.call("steps", {
        points: this.points.slice(), n_clusters: params.n_clusters, ...this.startArgs(params),
        n_init: params.n_init, max_iter: params.max_iter, random_state: params.seed,
      }, {
        signal,
        onProgress: (rec) => (rec.phase === "restarts"
          ? this.progress(`Restart ${rec.run + 1} of ${rec.n_runs}: iteration ${rec.iteration + 1}, inertia ${fmt(rec.inertia)}`)
          : records.push(rec)),
      });
      this.result = null;
      this.resultView = null;
      this.swap.hide();
      this.side.hide();
      this.stepParams = params;
      this.stepBest = r.best_init;
      this.showRestarts(r);
      this.stepper.load(records, pos);
      this.updateUrl(params);
      say(`${records.length - 1} steps ready: press "Next" or "Play". Final inertia ${fmt(r.inertia)} after ${r.n_iter} iteration${r.n_iter === 1 ? "" : "s"}.`);
    });
  }

  /** Run k-means and spectral clustering on the same points and show both. */
  async sideBySide() {
    const params = this.readParams();
    if (!params) return false;
    return this.asJob("Clustering both ways…", async (signal) => {
      await this.prepare({ ...params, init: "k-means++" }, signal);
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
      this.stepper.hide();
      this.swap.hide();
      this.result = { ...km, method: "kmeans", ari: aris[0], params: { ...params, method: "kmeans", init: "k-means++" } };
      this.resultView = null;
      this.side.show(this, { km, sp, aris, params });
      this.showRestarts(km);
      this.redraw();
      this.updateUrl(params);
      say(`Done: k-means ARI ${aris[0]?.toFixed(3)}, spectral ARI ${aris[1]?.toFixed(3)}.`);
    });
  }

  showRestarts(res) {
    const runs = res?.inertia_per_init ? Array.from(res.inertia_per_init) : [];
    this.restarts.hidden = runs.length < 2;
    const body = this.restarts.querySelector("tbody");
    body.replaceChildren(...runs.map((inertia, i) => {
      const tr = document.createElement("tr");
      if (i === res.best_init) tr.className = "kept";
      for (const text of [count(i + 1), fmt(inertia), i === res.best_init ? "kept (lowest inertia)" : ""]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }));
  }

  // ---- presets and URL (points/link.js) -------------------------------------------

  setFields(values) { setFields(this, values); }
  applyPreset(name) { return applyPreset(this, name); }
  updateUrl(params) { updateUrl(this, params); }
  restore() { return restore(this); }

  /** For "Code & notebook": the data, the parameters of the shown result and its numbers. */
  exportState() {
    const r = this.result;
    const steps = !r && this.stepper.records.length ? this.stepParams : null;
    const params = r?.params ?? steps;
    if (!params || !this.points.length) return "Run or step k-means first: the code reproduces a result.";
    const last = steps ? this.stepper.records[this.stepper.records.length - 1] : null;
    const shown = steps ? this.stepper.records[this.stepper.pos] : r; // what the plot shows
    const side = this.side.active ? this.side.exportState() : null;
    return {
      labels: shown?.labels ?? null, centers: shown?.centers ?? null,
      mode: steps ? "steps" : side ? "side" : "fit", params, points: this.points, truth: this.truth,
      placed: this.placed.length ? this.placed : null,
      result: r ? { inertia: r.inertia ?? null, n_iter: r.n_iter ?? null, best_init: r.best_init ?? 0, ari: r.ari }
        : { inertia: last?.inertia ?? null, n_iter: last?.n_iter ?? null, best_init: this.stepBest ?? 0 },
      ...(side ? { side } : {}),
    };
  }

  // ---- drawing --------------------------------------------------------------------

  get view() {
    const [w, h] = [this.canvas.width, this.canvas.height];
    return axesView(this.frame, w, h, w / (this.canvas.getBoundingClientRect().width || w));
  }

  describe() { return describe(this); }

  /** Draw again what is shown (a step, a random swap result, a result, the data):
   * display options change how, never what. */
  redraw() {
    if (this.stepper.active) return this.stepper.go(this.stepper.pos);
    if (this.resultView && this.result) return this.draw({ ...this.resultView, text: this.describe() });
    return this.draw();
  }

  draw(extra = null) {
    fitCanvas(this.canvas);
    const ctx = this.canvas.getContext("2d");
    const r = this.result;
    const showPlaced = this.el.init.value === "click" && this.el.method.value !== "spectral" && !extra;
    const labels = extra ? extra.labels : r?.labels ?? null;
    const centers = extra ? extra.centers : r?.centers ?? null;
    const trails = extra && this.el.trails.checked ? extra.trail : null;
    drawScatter(ctx, this.view, {
      points: this.points, labels, centers, trails,
      placed: showPlaced && this.placed.length ? this.placed : null,
      regions: this.el.regions.checked,
      axes: true,
    });
    const k = centers ? centers.length / 2 : labels ? maxLabel(labels) + 1 : 0;
    renderLegend(this.legend, {
      k: labels ? k : 0, centers: Boolean(centers), trails: Boolean(trails && trails.length > 1),
      placed: showPlaced ? this.placed.length / 2 : 0,
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
      ? `${count(this.points.length / 2)} points and ${k} initial centers`
      : `Iteration ${rec.iteration + 1}, ${rec.phase === "assign" ? "E" : "M"} step: ${k} clusters, inertia ${fmt(rec.inertia)}`;
    this.draw({ labels: rec.labels ?? null, centers: rec.centers, trail, text });
  }
}

/** The largest label, by a loop (never spread a data-sized array into a call). */
function maxLabel(labels) {
  let m = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > m) m = labels[i];
  return m;
}
