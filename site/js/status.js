// The status line and <html data-state>: loading | ready | busy | error.
// Tests and embedding pages watch data-state; people read the status line.
const line = () => document.getElementById("status");

let engineState = "loading";
let busyCount = 0;

function publish() {
  const state = engineState === "ready" && busyCount > 0 ? "busy" : engineState;
  document.documentElement.dataset.state = state;
}

/** Reflect the engine's own state (loading, ready, error) and its message. */
export function engineStatus(state, message) {
  // Benchmarks and embedding pages read when Python became usable.
  if (state === "ready" && engineState !== "ready") performance.mark("kmeanslab-ready");
  engineState = state;
  say(message, state === "error" ? "error" : "info");
  publish();
}

/** Show a message in the status line; kind "error" styles it as an error. */
export function say(message, kind = "info") {
  const el = line();
  el.textContent = message;
  el.classList.toggle("is-error", kind === "error");
}

/** Mark a job as running until the returned function is called. */
export function busy(message) {
  busyCount++;
  if (message) say(message);
  publish();
  let done = false;
  return () => {
    if (done) return;
    done = true;
    busyCount--;
    publish();
  };
}
