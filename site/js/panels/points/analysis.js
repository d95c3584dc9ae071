// "Choose k" (elbow and silhouette) and "Compare with scikit-learn": jobs that read the
// panel's current points, run in the worker with progress, and draw their own charts.
import { drawLineChart } from "../../draw/line-chart.js";
import { drawSilhouettePlot } from "../../draw/silhouette-plot.js";
import { statusFor } from "../../status.js";

const { busy, say } = statusFor("points"); // this panel's status line

const fmt = (x, digits = 1) => Number(x).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export class Analysis {
  /**
   * @param panel the Points panel: engine, current() -> {points, params}, startArgs(params),
   *              startJob() -> AbortController, endJob(job)
   */
  constructor(panel, analysisRoot, compareRoot) {
    this.panel = panel;
    this.result = analysisRoot.querySelector(".analysis-result");
    this.chart = analysisRoot.querySelector("#analysis-chart");
    this.plot = analysisRoot.querySelector("#silhouette-plot");
    this.compareTable = compareRoot.querySelector("table");
    this.compareButton = compareRoot.querySelector('[name="compare"]');
    this.sklearnLoaded = false;
    analysisRoot.querySelector('[name="elbow"]').addEventListener("click", () => this.elbow());
    analysisRoot.querySelector('[name="silhouette"]').addEventListener("click", () => this.silhouette());
    this.compareButton.addEventListener("click", () => this.compare());
  }

  /** Run `work(job)` as the panel's one job, with the status line and errors handled. */
  async job(message, work) {
    const state = this.panel.current();
    if (!state) return;
    const job = this.panel.startJob();
    const done = busy(message);
    try {
      await work(state, job.signal);
    } catch (err) {
      // the charts and tables are replaced only when a job ends well: the previous
      // result stays whole after a cancel or an error
      if (err.name === "AbortError") say("Cancelled; the previous result is still shown.");
      else say(`${message.replace(/…$/, "")} failed: ${err.message}`, "error");
    } finally {
      done();
      this.panel.endJob(job);
    }
  }

  elbow() {
    return this.job("Computing the elbow…", async ({ points, params }, signal) => {
      const n = points.length / 2;
      const kMax = Math.min(10, n);
      const r = await this.panel.engine.call("points_elbow", {
        points: points.slice(), k_min: 1, k_max: kMax, n_init: 3, random_state: params.seed,
      }, { signal, onProgress: (p) => say(`Elbow: k = ${p.k} of ${kMax}, inertia ${fmt(p.inertia)}`) });
      if (!r.k.length) throw new Error("no k could be computed");
      const ks = Array.from(r.k);
      this.plot.hidden = true;
      this.chart.hidden = false;
      drawLineChart(this.chart, {
        x: ks, y: Array.from(r.inertia), mark: ks.indexOf(r.suggested_k),
        xLabel: "k", yLabel: "inertia", title: "Inertia for each k",
      });
      this.result.textContent = `Elbow: inertia falls fast up to k = ${r.suggested_k}, then slowly; suggested k = ${r.suggested_k}. ` +
        ks.map((k, i) => `k=${k}: ${fmt(r.inertia[i])}`).join(", ");
      say(`Elbow done: suggested k = ${r.suggested_k}`);
    });
  }

  silhouette() {
    return this.job("Computing silhouettes…", async ({ points, params }, signal) => {
      const n = points.length / 2;
      const kMax = Math.min(10, n - 1);
      if (kMax < 2) throw new Error("Silhouette needs at least 3 points");
      const r = await this.panel.engine.call("points_silhouette", {
        points: points.slice(), k_min: 2, k_max: kMax,
        chosen_k: Math.min(Math.max(params.n_clusters, 2), kMax), n_init: 3, random_state: params.seed,
      }, { signal, onProgress: (p) => p.k && say(`Silhouette: k = ${p.k} of ${kMax}`) });
      const ks = Array.from(r.k);
      const scores = Array.from(r.mean_silhouette);
      this.chart.hidden = false;
      this.plot.hidden = false;
      drawLineChart(this.chart, {
        x: ks, y: scores, mark: ks.indexOf(r.suggested_k),
        xLabel: "k", yLabel: "mean silhouette", title: "Mean silhouette for each k",
      });
      const chosenMean = scores[ks.indexOf(r.chosen_k)];
      drawSilhouettePlot(this.plot, { samples: r.samples, labels: r.labels, mean: chosenMean });
      const sampled = r.sampled < n ? ` (scored on a random sample of ${r.sampled.toLocaleString("en-US")} points)` : "";
      this.result.textContent = `Silhouette: highest mean at k = ${r.suggested_k}; suggested k = ${r.suggested_k}${sampled}. ` +
        ks.map((k, i) => `k=${k}: ${scores[i].toFixed(3)}`).join(", ") + `. The plot shows each point's silhouette for k = ${r.chosen_k}.`;
      say(`Silhouette done: suggested k = ${r.suggested_k}`);
    });
  }

  compare() {
    return this.job("Comparing with scikit-learn…", async ({ points, params }, signal) => {
      if (!this.sklearnLoaded) {
        say("Loading scikit-learn and SciPy (about 26 MB, once)…");
        await this.panel.engine.loadPackages(["scikit-learn"], {
          signal, onProgress: (p) => p.message && say(`Loading scikit-learn (about 26 MB, once): ${p.message}`),
        });
        this.sklearnLoaded = true;
      }
      // from the start of the restart Run keeps (computed in Python, as Run and Step do)
      const r = await this.panel.engine.call("points_compare_sklearn", {
        points: points.slice(), n_clusters: params.n_clusters, ...this.panel.startArgs(params),
        n_init: params.method === "kmeans" ? params.n_init : 1, random_state: params.seed,
        max_iter: params.max_iter,
      }, {
        signal, onProgress: (p) => say(p.phase === "restarts"
          ? `Restart ${p.run + 1} of ${p.n_runs}: iteration ${p.iteration + 1}` : `Comparing: ${p.stage ?? "working"}…`),
      });
      const body = this.compareTable.tBodies[0];
      body.replaceChildren(...[["kmeanslab", r.kmeanslab], ["scikit-learn", r.sklearn]].map(([name, v]) => {
        const tr = document.createElement("tr");
        for (const text of [name, fmt(v.inertia, 3), v.n_iter.toLocaleString("en-US"), `${fmt(v.ms, 1)} ms`]) {
          const td = document.createElement(tr.children.length ? "td" : "th");
          td.textContent = text;
          tr.append(td);
        }
        return tr;
      }));
      this.compareTable.hidden = false;
      say(`Compared: kmeanslab ${fmt(r.kmeanslab.ms)} ms, scikit-learn ${fmt(r.sklearn.ms)} ms, same start.`);
    });
  }
}
