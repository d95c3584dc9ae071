// Test harness page: starts worker.js (Pyodide runs pytest there, off the main thread),
// shows pytest's output as it comes, and publishes the outcome for the browser test:
// window.result = {exit_code, output} and <html data-state="done"> (or "error" when the
// suite could not even start; exit_code is then -1 and output says why).
const root = document.documentElement;
const log = document.getElementById("log");
const status = document.getElementById("status");
const worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });

function finish(state, result) {
  window.result = result;
  status.textContent = state === "done" ? `pytest exited with ${result.exit_code}` : "Harness error";
  root.dataset.state = state;
  worker.terminate();
}

worker.onmessage = ({ data }) => {
  if (data.type === "out") log.append(data.text);
  else if (data.type === "status") status.textContent = data.text;
  else if (data.type === "done") finish("done", { exit_code: data.exit_code, output: data.output });
  else if (data.type === "error") finish("error", { exit_code: -1, output: `${log.textContent}\n${data.message}` });
};
worker.onerror = (event) => {
  event.preventDefault();
  finish("error", { exit_code: -1, output: `${log.textContent}\nworker error: ${event.message}` });
};
root.dataset.state = "running";
