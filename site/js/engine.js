// Main-thread client of the worker: call(op, args, {onProgress, signal}) -> Promise.
// Owns the worker's life; every call gets exactly one answer; an AbortSignal cancels.
import { MSG, transferables } from "./protocol.js";

export class EngineError extends Error {
  constructor({ name, message, traceback }) {
    super(message);
    this.name = name === "AbortError" ? "AbortError" : "EngineError";
    this.pythonType = name;
    this.traceback = traceback;
  }
}

export class Engine extends EventTarget {
  constructor(workerUrl = new URL("./worker.js", import.meta.url)) {
    super();
    this.state = "loading";
    this.message = "Loading the Python runtime…";
    this.timings = null;
    this._nextId = 1;
    this._pending = new Map();
    this._worker = new Worker(workerUrl, { type: "module" });
    this._worker.onmessage = ({ data }) => this._receive(data);
    this._worker.onerror = (event) => {
      event.preventDefault?.();
      this._setStatus("error", `The worker failed to start: ${event.message || "unknown error"}. Reload the page.`);
      // No answer will come for calls in flight: fail them instead of waiting forever.
      for (const job of this._pending.values()) {
        job.cleanup();
        job.reject(new EngineError({ name: "WorkerError", message: "The worker stopped. Reload the page.", traceback: "" }));
      }
      this._pending.clear();
    };
    this.ready = new Promise((resolve, reject) => {
      this._readyResolve = resolve;
      this._readyReject = reject;
    });
    this.ready.catch(() => {}); // an error is reported through "status"; no unhandled rejection
  }

  /** Run kmeanslab.app.<op>(**args) in the worker. Typed arrays in args are transferred. */
  call(op, args = {}, { onProgress, signal } = {}) {
    return this._send({ type: MSG.CALL, op, args }, transferables(args), { onProgress, signal });
  }

  _send(message, transfer, { onProgress, signal }) {
    if (signal?.aborted) return Promise.reject(new DOMException("Cancelled", "AbortError"));
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => this._worker.postMessage({ type: MSG.CANCEL, id });
      signal?.addEventListener("abort", onAbort, { once: true });
      this._pending.set(id, {
        resolve, reject, onProgress,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      });
      this._worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Load more Pyodide packages (only shipped ones: see dist/pyodide/pyodide-lock.json). */
  loadPackages(packages, { onProgress, signal } = {}) {
    return this._send({ type: MSG.LOAD, packages }, [], { onProgress, signal });
  }

  /** Ask the worker to save its start-up snapshot into the Cache Storage cache ``cache``. */
  storeSnapshot(cache) {
    this._worker.postMessage({ type: MSG.STORE_SNAPSHOT, cache });
  }

  /** Stop the worker for good (before the page reloads into a new build). */
  terminate() {
    this._worker.terminate();
    for (const job of this._pending.values()) {
      job.cleanup();
      job.reject(new EngineError({ name: "WorkerError", message: "The engine was stopped.", traceback: "" }));
    }
    this._pending.clear();
  }

  _setStatus(state, message, timings) {
    this.state = state;
    this.message = message;
    if (timings) this.timings = timings;
    if (state === "ready") this._readyResolve();
    if (state === "error" && this._readyReject) this._readyReject(new Error(message));
    this.dispatchEvent(new CustomEvent("status", { detail: { state, message, timings } }));
  }

  _receive(msg) {
    if (msg.type === MSG.STATUS) {
      this._setStatus(msg.state, msg.message, msg.timings);
      return;
    }
    const job = this._pending.get(msg.id);
    if (!job) return;
    if (msg.type === MSG.PROGRESS) {
      job.onProgress?.(msg.value);
      return;
    }
    this._pending.delete(msg.id);
    job.cleanup();
    if (msg.type === MSG.RESULT) job.resolve(msg.value);
    else job.reject(new EngineError(msg.error));
  }
}
