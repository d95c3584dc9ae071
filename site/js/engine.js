// Main-thread client of the worker: call(op, args, {onProgress, signal}) -> Promise.
// Owns the worker's life; every call gets exactly one answer; an AbortSignal cancels.
//
// The cancel guarantee: a cancelled call is answered (AbortError) within CANCEL_GRACE_MS.
// A queued call is answered at once. The running one is asked to stop; Python ops that
// yield records stop by themselves between two records. An op that does not answer in
// time (one long NumPy call, a non-generator op) is answered as cancelled anyway. If it is
// still running RESTART_AFTER_MS after the cancel, the worker, which cannot be interrupted
// without SharedArrayBuffer (the page runs on any static host, so without cross-origin
// isolation), is terminated and a new one started: from the start-up snapshot and cached
// files, it is usable again in a few seconds, with the packages loaded before. (The wait
// spares a restart when a new Run supersedes a job that was about to end anyway.) Calls
// made meanwhile wait and then run. A package load that
// is cancelled is answered at once and left to finish in the worker (nothing is lost: the
// next one to need it finds it loaded).
//
// The queue is kept here, not in the worker: one job at a time is sent, so that a worker
// restart loses no call that was waiting.
import { MSG, transferables } from "./protocol.js";

/** How long the running job has to confirm a cancel before it is answered all the same (the
 *  guarantee is 200 ms; the rest is for a busy main thread). */
export const CANCEL_GRACE_MS = 120;
/** How long a cancelled job that goes on may hold the worker before it is replaced. */
export const RESTART_AFTER_MS = 1000;

export class EngineError extends Error {
  constructor({ name, message, traceback }) {
    super(message);
    this.name = name === "AbortError" ? "AbortError" : "EngineError";
    this.pythonType = name;
    this.traceback = traceback;
  }
}

const abortError = () => new EngineError({ name: "AbortError", message: "Cancelled", traceback: "" });

/**
 * The worker's URL. A page opened with ``?startup=no-early,no-snapshot,no-pycache`` passes
 * that list on: the worker then leaves out those start-up tricks (``python build.py bench
 * startup --tricks`` measures each one's gain that way).
 */
function workerUrlFor(location) {
  const url = new URL("./worker.js", import.meta.url);
  const startup = new URL(location.href).searchParams.get("startup");
  if (startup) url.searchParams.set("startup", startup);
  return url;
}

/**
 * The worker start-worker.js started during parsing, if its URL is ``url``; taken once
 * (a restarted worker is a new one). Its messages so far are returned to be replayed.
 */
function adoptEarlyWorker(url) {
  const early = self.kmeanslabEarlyWorker;
  if (!early || !url) return null;
  delete self.kmeanslabEarlyWorker;
  if (early.url === url) return early;
  early.worker.terminate();
  early.helper?.terminate(); // its wheels' helper would wait for jobs forever
  return null;
}

export class Engine extends EventTarget {
  constructor(workerUrl = workerUrlFor(self.location)) {
    super();
    this.workerUrl = workerUrl;
    this.state = "loading";
    this.message = "Loading the Python runtime…";
    this.timings = null;
    this.snapshotStore = null; // how saving the start-up snapshot went (storeSnapshot)
    /** Workers started so far (1 + restarts): worker-held results die with a worker. */
    this.generation = 0;
    this._nextId = 1;
    this._queue = []; // jobs not yet sent
    this._running = null; // the job the worker has
    this._loaded = new Set(); // packages loaded on request, loaded again after a restart
    this.ready = new Promise((resolve, reject) => {
      this._readyResolve = resolve;
      this._readyReject = reject;
    });
    this.ready.catch(() => {}); // an error is reported through "status"; no unhandled rejection
    this._start();
  }

  _start() {
    this.generation++;
    this._workerReady = false;
    const early = adoptEarlyWorker(this.generation === 1 ? String(this.workerUrl) : null);
    let worker = early?.worker;
    try {
      worker ??= new Worker(this.workerUrl, { type: "module" });
    } catch (err) {
      this._worker = null;
      this._setStatus("error", `This browser cannot start Python here (${err.message}): it needs module workers. Use a current Firefox, Safari or Chrome.`);
      return;
    }
    /** True when this worker is the one start-worker.js started while the page parsed. */
    this.startedEarly = Boolean(early);
    this._worker = worker;
    const failed = (message) => {
      if (worker !== this._worker) return;
      this._setStatus("error", `The worker failed to start: ${message || "unknown error"}. Reload the page.`);
      // No answer will come for calls in flight or waiting: fail them instead of waiting forever.
      this._failAll("The worker stopped. Reload the page.");
    };
    worker.onmessage = ({ data }) => { if (worker === this._worker) this._receive(data); };
    worker.onerror = (event) => {
      event.preventDefault?.();
      failed(event.message);
    };
    for (const event of early?.early ?? []) {
      if ("error" in event) failed(event.error);
      else this._receive(event.data);
    }
  }

  /** Run kmeanslab.app.<op>(**args) in the worker. Typed arrays in args are transferred. */
  call(op, args = {}, { onProgress, signal } = {}) {
    return this._enqueue({ type: MSG.CALL, op, args }, transferables(args), { onProgress, signal });
  }

  /** Load more Pyodide packages (only shipped ones: see dist/pyodide/pyodide-lock.json). */
  loadPackages(packages, { onProgress, signal } = {}) {
    return this._enqueue({ type: MSG.LOAD, packages }, [], { onProgress, signal });
  }

  _enqueue(message, transfer, { onProgress, signal }) {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise((resolve, reject) => {
      const job = { id: this._nextId++, message, transfer, onProgress, answered: false };
      const onAbort = () => this._cancel(job);
      signal?.addEventListener("abort", onAbort, { once: true });
      job.answer = (ok, value) => {
        if (job.answered) return;
        job.answered = true;
        clearTimeout(job.timer);
        signal?.removeEventListener("abort", onAbort);
        (ok ? resolve : reject)(value);
      };
      this._queue.push(job);
      this._pump();
    });
  }

  /** Send the next job when the worker is ready and has none. */
  _pump() {
    if (this._running || !this._workerReady) return;
    const job = this._queue.shift();
    if (!job) return;
    this._running = job;
    this._worker.postMessage({ ...job.message, id: job.id }, job.transfer);
  }

  _cancel(job) {
    if (job.answered) return;
    const i = this._queue.indexOf(job);
    if (i >= 0) {
      this._queue.splice(i, 1);
      job.answer(false, abortError());
      return;
    }
    if (this._running !== job) return;
    this._worker.postMessage({ type: MSG.CANCEL, id: job.id });
    job.timer = setTimeout(() => this._overdue(job), CANCEL_GRACE_MS);
  }

  /** The running job did not confirm its cancel in time: answer it, then free the queue. */
  _overdue(job) {
    if (job.answered || this._running !== job) return;
    job.answer(false, abortError());
    if (job.message.type === MSG.LOAD) return; // it finishes in the worker; its answer frees the slot
    job.restartTimer = setTimeout(() => {
      if (this._running === job) this._restart();
    }, RESTART_AFTER_MS - CANCEL_GRACE_MS);
  }

  /** Replace a worker stuck in a cancelled job (see the top of this file). */
  _restart() {
    this._worker?.terminate();
    this._running = null;
    this._setStatus("loading", "Restarting Python: the cancelled job could not stop by itself…", null, { restart: true });
    this._start();
    const packages = [...this._loaded];
    if (packages.length) {
      // Internal job, first in line: what was loaded before is there again for the next call.
      const job = {
        id: this._nextId++, message: { type: MSG.LOAD, packages }, transfer: [], answered: false,
        answer: (ok) => { job.answered = true; if (!ok) packages.forEach((p) => this._loaded.delete(p)); },
      };
      this._queue.unshift(job);
    }
  }

  _failAll(message) {
    const jobs = [...(this._running ? [this._running] : []), ...this._queue];
    this._running = null;
    this._queue = [];
    for (const job of jobs) job.answer(false, new EngineError({ name: "WorkerError", message, traceback: "" }));
  }

  /**
   * Ask the worker to save its start-up snapshot into the Cache Storage cache ``cache``;
   * its answer is kept in ``snapshotStore`` ({outcome, message}, see worker-main.js) and
   * announced by a "snapshot" event.
   */
  storeSnapshot(cache) {
    this._worker?.postMessage({ type: MSG.STORE_SNAPSHOT, cache });
  }

  /** Stop the worker for good (before the page reloads into a new build). */
  terminate() {
    this._worker?.terminate();
    this._workerReady = false;
    this._failAll("The engine was stopped.");
  }

  _setStatus(state, message, timings, extra = {}) {
    this.state = state;
    this.message = message;
    if (timings) this.timings = timings;
    if (state === "ready") this._readyResolve();
    if (state === "error" && this._readyReject) this._readyReject(new Error(message));
    const detail = { state, message, timings, ...extra };
    this.dispatchEvent(new CustomEvent("status", { detail }));
  }

  _receive(msg) {
    if (msg.type === MSG.STORE_SNAPSHOT) {
      this.snapshotStore = { outcome: msg.outcome, message: msg.message };
      this.dispatchEvent(new CustomEvent("snapshot", { detail: this.snapshotStore }));
      return;
    }
    if (msg.type === MSG.STATUS) {
      // After a restart, say why Python is loading again, and that it is back.
      const restarted = this.generation > 1 && msg.state !== "error";
      const message = !restarted ? msg.message
        : msg.state === "ready" ? "Ready again: Python was restarted after the cancel."
          : `Restarting Python after the cancel: ${msg.message.charAt(0).toLowerCase()}${msg.message.slice(1)}`;
      this._setStatus(msg.state, message, msg.timings, restarted ? { restart: true } : {});
      if (msg.state === "ready") {
        this._workerReady = true;
        this._pump();
      }
      return;
    }
    const job = this._running;
    if (!job || job.id !== msg.id) return;
    if (msg.type === MSG.PROGRESS) {
      if (!job.answered) job.onProgress?.(msg.value);
      return;
    }
    this._running = null;
    clearTimeout(job.restartTimer);
    if (msg.type === MSG.RESULT) {
      if (job.message.type === MSG.LOAD) job.message.packages.forEach((p) => this._loaded.add(p));
      job.answer(true, msg.value);
    } else {
      job.answer(false, new EngineError(msg.error));
    }
    this._pump();
  }
}
