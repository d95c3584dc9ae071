// Hosts Pyodide and runs kmeanslab.app operations, one job at a time (loaded by worker.js,
// which has already started the runtime's downloads: self.kmeanslabWorkerStart).
// Long operations are Python generators: between two records this loop yields to the
// event loop, so a CANCEL message is seen quickly without SharedArrayBuffer.
import { MSG, transferables } from "./protocol.js";
import { earlyWheels, noEarlyWheels, useEarlyWheels } from "./startup/early-wheels.js";
import { lookupPycache, storePycache, usePycache } from "./startup/pycache.js";
import { notePackagesFailed, snapshotAside, storeSnapshotBytes } from "./startup/snapshot.js";

const PYODIDE_URL = new URL("../pyodide/", import.meta.url).href;

// What worker.js started: when it ran (ms of this worker's clock: the start-up bench's
// timeline), the runtime's downloads and the messages that came before this module.
const {
  scriptStart: SCRIPT_START, runtimeFiles, runtime, queued, skip: SKIP,
  basePackages: BASE_PACKAGES, wheelJobs, pycacheShipped, freshRuntime, bridgeModule: BRIDGE_MODULE,
} = self.kmeanslabWorkerStart;
delete self.kmeanslabWorkerStart;
const post = (msg) => self.postMessage(msg, transferables(msg));
const status = (state, message, extra = {}) => post({ type: MSG.STATUS, state, message, ...extra });

// NumPy and kmeanslab are fetched and inflated while the runtime boots (startup/).
const early = SKIP.has("no-early") ? noEarlyWheels()
  : earlyWheels(wheelJobs, PYODIDE_URL, BASE_PACKAGES, runtimeFiles.lock);
// ... and their byte code (from an earlier visit, else the build's) looked up meanwhile.
const pycache = SKIP.has("no-pycache") || SKIP.has("no-early")
  ? Promise.resolve({ url: null, bundle: null, from: null })
  : lookupPycache(early.wheels, PYODIDE_URL, pycacheShipped);

let bridge = null;
const queue = [];
const cancelled = new Set();
let running = null;
// The start-up snapshot (startup/snapshot.js): made aside after "ready" on a first
// visit (the default), or here before NumPy loads (?startup=snapshot-inline), kept until
// the page says where to store it (STORE_SNAPSHOT).
let pendingSnapshot = null;
let snapshotCost = null; // ms the inline snapshot took on the critical path (the bench)
let restoreFailed = null; // {version, message}: this visit's snapshot restore failed

const ready = boot().catch((err) => {
  status("error", `Python could not start: ${err.message}. Reload the page to try again.`);
  throw err;
});

async function boot() {
  const t0 = performance.now();
  status("loading", "Loading the Python runtime (Pyodide, about 12 MB)…");
  const started = await runtime; // (worker.js started it)
  let { pyodide } = started;
  const { snapshot, loadCalled, modulesIn } = started;
  pendingSnapshot = started.pendingSnapshot;
  snapshotCost = started.snapshotCost;
  const tRuntime = performance.now();
  status("loading", "Loading NumPy and kmeanslab…");
  // A snapshot that holds the packages: their libraries loaded again where it expects them
  // (startup/packages-in-snapshot.js); if that fails, this interpreter is unusable: afresh.
  let fromSnapshot = false;
  if (started.stored?.meta.packages) {
    try {
      const { restorePackages } = await import("./startup/packages-in-snapshot.js");
      const { bytes, meta } = started.stored;
      const at = new Uint32Array(bytes.buffer, bytes.byteOffset, 2)[1]; // (Pyodide's header size)
      await restorePackages(pyodide, meta, bytes.subarray(at), early);
      fromSnapshot = true;
    } catch (err) {
      console.warn(`The snapshot's packages could not be restored (${err.message}); starting afresh.`);
      started.forget();
      // noted when the page says where the cache is (storeSnapshot): later snapshots bare
      restoreFailed = { version: started.version, message: err.message };
      started.pyodide = null; // (the failed interpreter: let it go, 36 MB or more)
      pyodide = await freshRuntime();
    }
  }
  started.stored = null; // (its memory image: 21-36 MB, restored by now)
  if (!fromSnapshot) {
    const restore = await useEarlyWheels(pyodide, early);
    try {
      await pyodide.loadPackage(BASE_PACKAGES, { messageCallback: () => {}, errorCallback: console.warn });
    } finally {
      restore();
    }
  }
  const tPackages = performance.now();
  const pyc = await usePycache(pyodide, early, pycache);
  bridge = pyodide.pyimport(BRIDGE_MODULE);
  pyc.done();
  const tImport = performance.now();
  self.pyodide = pyodide;
  const timings = {
    // (from worker.js's first line, where the runtime's start begins)
    runtime: tRuntime - SCRIPT_START,
    packages: tPackages - tRuntime,
    import: tImport - tPackages,
    total: tImport - SCRIPT_START,
    // where this timeline starts on the page's clock (the page adds its timeOrigin back)
    origin: performance.timeOrigin,
    script: SCRIPT_START,
    boot: t0,
    modulesIn, // (pyodide.mjs and snapshot.js imported)
    loadCalled,
    snapshot,
    snapshotFrom: started.snapshotFrom, // "saved" (an earlier visit's), "shipped" (the build's) or null
    snapshotPackages: fromSnapshot, // NumPy and kmeanslab came imported in the snapshot
    snapshotCost,
    wheels: early.stats,
    pycache: pyc.restored,
    pycacheFrom: pyc.from, // "cache" (an earlier visit's), "shipped" (the build's) or null
  };
  status("ready", "Ready", { timings });
}

/**
 * Put the start-up snapshot into the service worker's cache ``cache`` (then drop it), and
 * tell the page how that went: {type: STORE_SNAPSHOT, outcome, message}, outcome as
 * snapshotAside's, or "none" (nothing to store: started from one, or none is made here),
 * "stored"/"failed" for the inline one.
 */
async function storeSnapshot(cache) {
  await storePycache(cache);
  if (restoreFailed && self.caches && typeof cache === "string") {
    await notePackagesFailed(PYODIDE_URL, restoreFailed.version, cache, restoreFailed.message);
    restoreFailed = null;
  }
  const pending = pendingSnapshot;
  pendingSnapshot = null;
  let result = { outcome: "none", message: null };
  if (pending && self.caches && typeof cache === "string") {
    try {
      if (pending.aside) {
        // (the runtime's compiled wasm handed over: see snapshotter.js)
        const wasm = await runtimeFiles.compiled.catch(() => null);
        result = await snapshotAside(PYODIDE_URL, pending.version, cache,
          { packages: BASE_PACKAGES, module: BRIDGE_MODULE, wasm });
      } else {
        await storeSnapshotBytes(cache, pending.url, pending.bytes);
        result = { outcome: "stored", message: null };
      }
    } catch (err) {
      console.warn(`The start-up snapshot was not saved: ${err.message}`);
      result = { outcome: "failed", message: err.message };
    }
  }
  post({ type: MSG.STORE_SNAPSHOT, ...result });
}

/** Resolve after the event loop has had a turn (faster than setTimeout's 4 ms clamp). */
function yieldToEventLoop() {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}

function pyToJs(proxy) {
  // Results are JS objects already (converted by the bridge); free any leftover proxy.
  if (proxy && typeof proxy.destroy === "function" && typeof proxy.toJs === "function") {
    try {
      return proxy.toJs({ dict_converter: Object.fromEntries });
    } finally {
      proxy.destroy();
    }
  }
  return proxy;
}

function errorInfo(err) {
  if (err && err.type && typeof err.message === "string") {
    // A PythonError: the message is the whole traceback; its last line says what happened.
    const lines = err.message.trim().split("\n");
    const last = lines[lines.length - 1];
    const message = last.startsWith(`${err.type}: `) ? last.slice(err.type.length + 2) : last;
    return { name: err.type, message, traceback: err.message };
  }
  return { name: err?.name || "Error", message: err?.message || String(err), traceback: err?.stack || "" };
}

/** Load extra packages from the vendored lock, reporting each message as progress. */
async function loadJob({ id, packages }) {
  try {
    await ready;
    const t0 = performance.now();
    await self.pyodide.loadPackage(packages, {
      messageCallback: (message) => post({ type: MSG.PROGRESS, id, value: { message } }),
      errorCallback: (message) => post({ type: MSG.PROGRESS, id, value: { message, error: true } }),
    });
    post({ type: MSG.RESULT, id, value: { packages, ms: performance.now() - t0 } });
  } catch (err) {
    post({ type: MSG.ERROR, id, error: errorInfo(err) });
  }
}

async function runJob(job) {
  if (job.type === MSG.LOAD) return loadJob(job);
  const { id, op, args } = job;
  let gen = null;
  try {
    await ready;
    const started = bridge.start(op, args ?? {});
    if (started && started.done === true) {
      post({ type: MSG.RESULT, id, value: started.value });
      return;
    }
    gen = started; // a PyProxy of a Python generator
    for (;;) {
      if (cancelled.has(id)) {
        post({ type: MSG.ERROR, id, error: { name: "AbortError", message: "Cancelled", traceback: "" } });
        return;
      }
      const rec = pyToJs(bridge.step(gen));
      if (rec.done) {
        post({ type: MSG.RESULT, id, value: rec.value });
        return;
      }
      post({ type: MSG.PROGRESS, id, value: rec.value });
      await yieldToEventLoop();
    }
  } catch (err) {
    post({ type: MSG.ERROR, id, error: errorInfo(err) });
  } finally {
    if (gen && typeof gen.destroy === "function") {
      try { gen.close?.(); } catch { /* already finished */ }
      gen.destroy();
    }
    cancelled.delete(id);
  }
}

async function pump() {
  if (running) return;
  while (queue.length) {
    running = queue.shift();
    await runJob(running);
    running = null;
  }
}

function onMessage({ data }) {
  if (data.type === MSG.CALL || data.type === MSG.LOAD) {
    queue.push(data);
    pump();
  } else if (data.type === MSG.STORE_SNAPSHOT) {
    ready.then(() => storeSnapshot(data.cache), () => {});
  } else if (data.type === MSG.CANCEL) {
    const i = queue.findIndex((job) => job.id === data.id);
    if (i >= 0) {
      queue.splice(i, 1);
      post({ type: MSG.ERROR, id: data.id, error: { name: "AbortError", message: "Cancelled", traceback: "" } });
    } else if (running && running.id === data.id) {
      cancelled.add(data.id);
    }
  }
}

self.onmessage = onMessage;
for (const event of queued.splice(0)) onMessage(event);
