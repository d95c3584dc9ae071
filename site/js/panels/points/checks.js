// Checks of the Points settings against the data (points there, k and neighbors within
// their number, hand-placed centers all placed): a message next to the control, in
// plain words with what to do, and a FieldError that stops the job.

const COUNT = new Intl.NumberFormat("en-US"); // (one formatter: toLocaleString makes one per call)
const count = (n) => COUNT.format(Number(n));

/** A message next to control `name` that stops the job (shown in the status too). */
function fieldError(panel, name, text) {
  panel.fields.show(name, text);
  const err = new Error(text);
  err.name = "FieldError";
  return err;
}

/** Settings that need the data: points exist, k and neighbors fit their number. */
export function checkData(panel, params) {
  const n = panel.points.length / 2;
  if (!n) {
    panel.error.textContent = "There are no points yet: press Generate, draw on the plot, or import a CSV.";
    panel.error.hidden = false;
    panel.error.scrollIntoView({ block: "center", behavior: "instant" });
    const err = new Error(panel.error.textContent);
    err.name = "FieldError";
    throw err;
  }
  const only = n === 1 ? "there is only 1 point" : `there are only ${count(n)} points`;
  if (params.n_clusters > n) {
    throw fieldError(panel, "n_clusters", `k is ${count(params.n_clusters)} but ${only}: choose k from 1 to ${count(n)}, or add points.`);
  }
  if (params.method === "spectral" && params.n_neighbors >= n) {
    throw fieldError(panel, "n_neighbors", `Neighbors is ${count(params.n_neighbors)} but ${only}: choose fewer neighbors than points (at most ${count(n - 1)}), or add points.`);
  }
  if (params.init === "click" && params.method !== "spectral" && panel.placed.length / 2 !== params.n_clusters) {
    throw fieldError(panel, "init", `Place ${params.n_clusters} initial centers by clicking the plot (${panel.placed.length / 2} placed so far), or choose another Init.`);
  }
}
