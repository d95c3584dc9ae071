// The status line and <html data-state>: loading | ready | busy | error.
// Tests and embedding pages watch data-state; people read the status line.
//
// The status line belongs to the panel on screen. Each panel has its own last message
// (and its own jobs): a panel that finishes in the background keeps its "Done" for when
// it is shown again, and never writes over the panel on screen. While Python loads (or
// failed), the engine's message is shown instead, whatever the panel.
//
// Which panel said something: each panel module binds say() and busy() to its own name
// with statusFor(name); code outside the panels (main.js) speaks for the panel on screen.

const line = () => document.getElementById("status");
const NETWORK_ERROR = /Failed to fetch|NetworkError|Load failed|network/i;

let engineState = "loading";
let engineMessage = "Starting…";
let current = null; // the panel on screen
const panels = new Map(); // name -> {message, kind, busy}
let busyCount = 0; // jobs of every panel: data-state says "busy" while any runs

function record(name) {
  if (!panels.has(name)) panels.set(name, { message: "", kind: "info", busy: 0 });
  return panels.get(name);
}

function render() {
  const el = line();
  if (!el) return;
  const panel = current ? record(current) : null;
  let message = engineMessage;
  let kind = engineState === "error" ? "error" : "info";
  if (engineState === "ready" && panel) {
    message = panel.message || "Ready";
    kind = panel.message ? panel.kind : "info";
  }
  // A download that failed for want of a network says so in the browser's words only.
  if (kind === "error" && navigator.onLine === false && NETWORK_ERROR.test(message)) {
    message = `${message} You are offline: this needs a connection.`;
  }
  if (el.textContent !== message) el.textContent = message;
  el.classList.toggle("is-error", kind === "error");
  el.classList.toggle("is-busy", engineState === "loading" || Boolean(panel?.busy));
}

function publish() {
  const state = engineState === "ready" && busyCount > 0 ? "busy" : engineState;
  document.documentElement.dataset.state = state;
  render();
}

/** Reflect the engine's own state (loading, ready, error) and its message. */
export function engineStatus(state, message) {
  // Benchmarks and embedding pages read when Python became usable.
  if (state === "ready" && engineState !== "ready") performance.mark("kmeanslab-ready");
  engineState = state;
  engineMessage = message;
  // The engine's "Ready" is every panel's until the panel says more; a restart's
  // "Ready again" is news for every panel.
  if (state === "ready" && message !== "Ready") {
    for (const name of panels.keys()) Object.assign(record(name), { message, kind: "info" });
  }
  publish();
}

/** The panel on screen changed: show its own state. */
export function showPanelStatus(name) {
  current = name;
  record(name);
  render();
}

/** Show a message in the status line of ``panel`` (default: the one on screen); kind "error" styles it. */
export function say(message, kind = "info", panel = current) {
  Object.assign(record(panel ?? "app"), { message, kind });
  render();
}

/**
 * Mark a job of ``panel`` (default: the one on screen) as running until the returned
 * function is called. data-state says "busy" at once; the message and the spinner wait
 * ``after`` ms: a job that ends sooner changes nothing on screen before its result, so
 * the page draws no frame meanwhile (traced: a frame of the spinner held the worker's
 * answer back 5-40 ms on a busy 2-core machine). The returned function's ``shown`` says
 * whether they appeared.
 */
export function busy(message, panel = current, { after = 0 } = {}) {
  const rec = record(panel ?? "app");
  busyCount++;
  let done = false;
  const show = () => {
    if (done || finish.shown) return;
    finish.shown = true;
    rec.busy++;
    if (message) say(message, "info", panel);
    publish();
  };
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    busyCount--;
    if (finish.shown) rec.busy--;
    publish();
  };
  finish.shown = false;
  const timer = after > 0 ? setTimeout(show, after) : null;
  if (after > 0) publish();
  else show();
  return finish;
}

/** say() and busy() bound to the panel ``name``. */
export function statusFor(name) {
  return {
    say: (message, kind = "info") => say(message, kind, name),
    busy: (message, options) => busy(message, name, options),
  };
}

/** The message panel ``name`` would show (for tests and the embed layer). */
export function panelMessage(name) {
  return panels.get(name)?.message ?? "";
}
