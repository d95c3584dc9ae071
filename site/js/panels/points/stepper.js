// Step mode: walk through the E and M steps of one k-means run, forward and back,
// or play them at an adjustable speed. The records come from the worker's "steps"
// operation; this module only keeps the position and drives the display.
import { drawLineChart } from "../../draw/line-chart.js";

export class Stepper {
  /**
   * @param root the stepper <section>
   * @param show(record, trail) draws the state at a position
   * @param moved(pos) after every move (the URL keeps the step shown)
   */
  constructor(root, show, moved = () => {}) {
    this.root = root;
    this.show = show;
    this.moved = moved;
    this.records = [];
    this.pos = 0;
    this.timer = null;
    this.buttons = Object.fromEntries(
      ["back", "next", "play"].map((n) => [n, root.querySelector(`[name="${n}"]`)]),
    );
    this.speed = root.querySelector('[name="speed"]');
    this.state = root.querySelector(".step-state");
    this.chart = root.querySelector("canvas");
    this.buttons.back.addEventListener("click", () => this.go(this.pos - 1));
    this.buttons.next.addEventListener("click", () => this.go(this.pos + 1));
    this.buttons.play.addEventListener("click", () => (this.timer ? this.pause() : this.play()));
    this.speed.addEventListener("input", () => this.timer && (this.pause(), this.play()));
  }

  /** Start over with `records`: [initial, assign, update, assign, ...], at `pos`. */
  load(records, pos = 0) {
    this.pause();
    this.records = records;
    this.root.hidden = false;
    this.go(pos);
  }

  hide() {
    this.pause();
    this.records = [];
    if (!this.root.hidden) this.root.hidden = true;
  }

  get active() { return this.records.length > 0; }

  go(pos) {
    if (!this.records.length) return;
    this.pos = Math.max(0, Math.min(pos, this.records.length - 1));
    const rec = this.records[this.pos];
    const trail = this.records.slice(0, this.pos + 1).filter((r) => r.phase !== "assign").map((r) => r.centers);
    this.show(rec, trail);
    this.render();
    this.moved(this.pos);
    if (this.pos === this.records.length - 1) this.pause();
  }

  play() {
    if (this.pos >= this.records.length - 1) this.go(0);
    const interval = 1000 / Number(this.speed.value);
    this.timer = setInterval(() => this.go(this.pos + 1), interval);
    this.buttons.play.textContent = "Pause";
  }

  pause() {
    clearInterval(this.timer);
    this.timer = null;
    // (written only when it changes: each Run hides the stepper, and a DOM write costs a
    // style recalculation before the result can be drawn)
    if (this.buttons.play.textContent !== "Play") this.buttons.play.textContent = "Play";
  }

  render() {
    const rec = this.records[this.pos];
    const last = this.pos === this.records.length - 1;
    const next = this.records[this.pos + 1];
    this.buttons.back.disabled = this.pos === 0;
    this.buttons.next.disabled = last;
    this.buttons.next.textContent = !next ? "Next step" : next.phase === "assign" ? "Next: E step" : "Next: M step";
    let text;
    if (rec.phase === "init") text = "Initial centers. The E step will assign each point to its nearest center.";
    else if (rec.phase === "assign") text = `Iteration ${rec.iteration + 1}: E step, points take the color of their nearest center. Inertia ${fmt(rec.inertia)}.`;
    else text = `Iteration ${rec.iteration + 1}: M step, each center moves to the mean of its points. Inertia ${fmt(rec.inertia)}.`;
    if (last) {
      // n_iter as KMeans and scikit-learn count it (the iteration that changed nothing counts)
      const iters = rec.n_iter ?? rec.iteration;
      text += rec.converged
        ? ` Converged after ${iters} iteration${iters === 1 ? "" : "s"}: no point changes cluster any more.`
        : ` Stopped after ${count(iters)} iterations without converging (the max iterations setting).`;
    }
    this.state.textContent = text;
    const values = this.records.filter((r) => r.phase !== "init").map((r) => r.inertia);
    const shown = this.records.slice(1, this.pos + 1).length;
    drawLineChart(this.chart, {
      y: values, upto: shown, xLabel: "step", yLabel: "inertia",
      title: "Inertia after each E and M step",
    });
  }
}

// (one formatter each: toLocaleString makes one per call)
const COUNT = new Intl.NumberFormat("en-US");
const FMT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });

function count(n) {
  return COUNT.format(Number(n));
}

function fmt(x) {
  return FMT.format(Number(x));
}
