// Hosts Pyodide and runs kmeanslab.app operations, one job at a time.
// Long operations are Python generators: between two records this loop yields to the
// event loop, so a CANCEL message is seen quickly without SharedArrayBuffer.
import { MSG, transferables } from "./protocol.js";

const PYODIDE_URL = new URL("../pyodide/", import.meta.url).href;
const BASE_PACKAGES = ["numpy", "kmeanslab"];

const post = (msg) => self.postMessage(msg, transferables(msg));
const status = (state, message, extra = {}) => post({ type: MSG.STATUS, state, message, ...extra });

// NumPy and kmeanslab are fetched and inflated while the runtime boots (see earlyWheels).
const early = earlyWheels(BASE_PACKAGES);

let bridge = null;
const queue = [];
const cancelled = new Set();
let running = null;
// A memory snapshot of the freshly started interpreter (before any package), kept until
// the page says where to store it (STORE_SNAPSHOT), so that the next visit skips most of
// Python's start-up. Pyodide 0.27 cannot snapshot after NumPy's shared libraries load.
let pendingSnapshot = null;

const ready = boot().catch((err) => {
  status("error", `Python could not start: ${err.message}. Reload the page to try again.`);
  throw err;
});

/** Where this build keeps the snapshot for a given Pyodide version (in Cache Storage). */
const snapshotUrl = (version) => `${PYODIDE_URL}snapshot-${version}.bin`;

// Standard-library modules that loadPackage (importlib.metadata, for its cache reset) and
// the imports of NumPy and kmeanslab need. Imported before the snapshot is taken, they are
// in it: a cached visit then skips running them, which is slow right after a snapshot
// start (the interpreter's wasm code is not optimized yet). Pure Python or built in.
const SNAPSHOT_IMPORTS = `
def _warm():
    import importlib
    for name in ("importlib.metadata", "email.message", "csv", "datetime", "pickle",
                 "ctypes", "numbers", "platform", "__future__", "dataclasses"):
        try:
            importlib.import_module(name)
        except Exception:
            pass
_warm()
del _warm
`;

async function readSnapshot(url) {
  try {
    const hit = await self.caches?.match(url);
    return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
  } catch {
    return null; // no Cache Storage here (opaque origin, some private modes)
  }
}

async function startRuntime(loadPyodide, version) {
  const snapshot = await readSnapshot(snapshotUrl(version));
  if (snapshot) {
    try {
      return { pyodide: await loadPyodide({ indexURL: PYODIDE_URL, _loadSnapshot: snapshot }), snapshot: true };
    } catch (err) {
      console.warn(`Starting from the saved snapshot failed (${err.message}); starting afresh.`);
      self.caches?.keys().then((names) => names.forEach((n) => caches.open(n).then((c) => c.delete(snapshotUrl(version)))));
    }
  }
  const pyodide = await loadPyodide({ indexURL: PYODIDE_URL, _makeSnapshot: Boolean(self.caches) });
  if (self.caches) {
    try {
      pyodide.runPython(SNAPSHOT_IMPORTS);
      pendingSnapshot = { url: snapshotUrl(version), bytes: pyodide.makeMemorySnapshot() };
    } catch {
      pendingSnapshot = null;
    }
  }
  return { pyodide, snapshot: false };
}

async function boot() {
  const t0 = performance.now();
  status("loading", "Loading the Python runtime (Pyodide, about 14 MB)…");
  const { loadPyodide, version } = await import(`${PYODIDE_URL}pyodide.mjs`);
  const { pyodide, snapshot } = await startRuntime(loadPyodide, version);
  const tRuntime = performance.now();
  status("loading", "Loading NumPy and kmeanslab…");
  const restore = await useEarlyWheels(pyodide, early);
  try {
    await pyodide.loadPackage(BASE_PACKAGES, { messageCallback: () => {}, errorCallback: console.warn });
  } finally {
    restore();
  }
  const tPackages = performance.now();
  const pyc = await usePycache(pyodide, early);
  bridge = pyodide.pyimport("kmeanslab._bridge");
  pyc.done();
  const tImport = performance.now();
  self.pyodide = pyodide;
  const timings = {
    runtime: tRuntime - t0,
    packages: tPackages - tRuntime,
    import: tImport - tPackages,
    total: tImport - t0,
    snapshot,
    wheels: early.stats,
    pycache: pyc.restored,
  };
  status("ready", "Ready", { timings });
}

// ---------------------------------------------------------------------------------------
// Early wheels. Pyodide's loadPackage only starts downloading once the runtime is up, and
// then unpacks each wheel with Python's zipfile, which is slow right after a snapshot
// start (the interpreter's wasm code is not optimized yet): about 1 s for NumPy. So the
// worker fetches the wheels of BASE_PACKAGES at once, with the SHA-256 of the site's lock
// file as Subresource Integrity (the same check loadPackage makes), and inflates them with
// the browser's DecompressionStream while the runtime boots. loadPackage then gets these
// bytes instead of a second download, and its unpack step writes the inflated files (the
// rest of loadPackage, shared libraries and bookkeeping, is unchanged). Anything
// unexpected falls back to Pyodide's own path.

/** Start fetching and inflating the wheels of ``names`` and their dependencies. */
function earlyWheels(names) {
  const stats = {};
  const t0 = performance.now();
  const wheels = (async () => {
    const lock = await (await fetch(`${PYODIDE_URL}pyodide-lock.json`)).json();
    const seen = new Map(); // file name -> {url, integrity, bytes, files}
    const add = (name) => {
      const pkg = lock.packages?.[name];
      if (!pkg || [...seen.values()].some((w) => w.name === name)) return;
      const url = new URL(pkg.file_name, PYODIDE_URL).href;
      const integrity = `sha256-${hexToBase64(pkg.sha256)}`;
      const response = fetch(url, { integrity });
      const wheel = { name, url, integrity, sha256: pkg.sha256, version: lock.info?.version, response, ready: null };
      wheel.ready = response
        .then((r) => {
          if (!r.ok) throw new Error(`HTTP ${r.status}`);
          return r.arrayBuffer();
        })
        .then(async (buffer) => {
          stats[`${name}_fetched`] = Math.round(performance.now() - t0);
          const result = await inflateAside(new Uint8Array(buffer));
          stats[`${name}_inflated`] = Math.round(performance.now() - t0);
          return result;
        });
      wheel.ready.catch(() => {}); // loadPackage reports a failed download itself
      seen.set(pkg.file_name, wheel);
      for (const dep of pkg.depends ?? []) add(dep);
    };
    for (const name of names) add(name);
    return seen;
  })();
  wheels.catch(() => {});
  const pycache = wheels.then(async (seen) => {
    const url = pycacheUrl(seen);
    const hit = await self.caches?.match(url);
    return { url, bundle: hit ? readBundle(new Uint8Array(await hit.arrayBuffer())) : null };
  }).catch(() => ({ url: null, bundle: null }));
  return { wheels, stats, pycache, unpacked: new Set() };
}

/**
 * Let loadPackage use the early wheels; returns a function that undoes it.
 * Replaces, until then, the global fetch (for these URLs and integrities only) and the
 * unpack step of Pyodide's package loader (for these files only).
 */
async function useEarlyWheels(pyodide, { wheels, stats, unpacked: written }) {
  let byFile;
  try {
    byFile = await wheels;
  } catch {
    return () => {};
  }
  const byUrl = new Map([...byFile.values()].map((w) => [w.url, w]));
  const unpacked = new Map(); // file name -> {bytes, files} once downloaded and inflated
  await Promise.all([...byFile].map(async ([file, w]) => {
    try {
      unpacked.set(file, await w.ready);
    } catch { /* Pyodide downloads and unpacks it itself */ }
  }));
  const nativeFetch = self.fetch;
  self.fetch = function (input, init) {
    const url = input instanceof Request ? input.url : String(input);
    const w = byUrl.get(url);
    if (w && (init?.integrity ?? "") === w.integrity && unpacked.has(w.url.split("/").pop())) {
      byUrl.delete(url);
      return Promise.resolve(new Response(unpacked.get(w.url.split("/").pop()).bytes));
    }
    return nativeFetch.call(this, input, init);
  };
  const api = pyodide._api;
  const loader = api?.package_loader;
  if (loader) {
    api.package_loader = new Proxy(loader, {
      get(target, prop) {
        if (prop !== "unpack_buffer") return Reflect.get(target, prop);
        return {
          callKwargs(kw) {
            const wheel = unpacked.get(kw.filename);
            const done = wheel && writeWheel(pyodide, wheel, kw);
            if (done) {
              stats.js_unpacked = (stats.js_unpacked ?? 0) + 1;
              written.add(kw.filename);
              return done;
            }
            const unpack = target.unpack_buffer;
            try {
              return unpack.callKwargs(kw);
            } finally {
              unpack.destroy();
            }
          },
        };
      },
    });
  }
  return () => {
    self.fetch = nativeFetch;
    if (loader) api.package_loader = loader;
  };
}

/**
 * Write an inflated wheel as Pyodide's ``unpack_buffer`` would; returns the paths of its
 * shared libraries, or null (nothing written) when this wheel needs Pyodide's own code.
 */
function writeWheel(pyodide, { bytes, files }, kw) {
  const { buffer, filename, extract_dir: dir, installer, source } = kw;
  if (!files || !dir || !filename.endsWith(".whl") || !sameBytes(buffer, bytes)) return null;
  const tops = new Set(files.map((f) => f.name.split("/", 1)[0]));
  const distInfo = [...tops].filter((t) => t.endsWith(".dist-info"));
  // Data files (a .data folder) and odd names are left to Pyodide's unpacker.
  if (distInfo.length !== 1 || [...tops].some((t) => t.endsWith(".data"))) return null;
  if (files.some((f) => f.name.startsWith("/") || f.name.split("/").includes(".."))) return null;
  const { FS } = pyodide;
  const made = new Set();
  const mkdir = (path) => {
    if (!made.has(path)) {
      FS.mkdirTree(path);
      made.add(path);
    }
  };
  const dynlibs = [];
  for (const { name, data } of files) {
    const path = `${dir}/${name}`;
    if (name.endsWith("/")) {
      mkdir(path.slice(0, -1));
      continue;
    }
    mkdir(path.slice(0, path.lastIndexOf("/")));
    FS.writeFile(path, data);
    if (name.endsWith(".py")) FS.utime(path, SOURCE_MTIME_MS, SOURCE_MTIME_MS);
    if (isDynlib(name)) dynlibs.push(path);
  }
  if (installer) FS.writeFile(`${dir}/${distInfo[0]}/INSTALLER`, installer);
  if (source) FS.writeFile(`${dir}/${distInfo[0]}/PYODIDE_SOURCE`, source);
  return dynlibs;
}

/** Pyodide's should_load_dynlib: a .so file not tagged for another interpreter. */
function isDynlib(path) {
  const base = path.slice(path.lastIndexOf("/") + 1);
  if (!/\.so(.\d+)*$/.test(base) || base.endsWith(".")) return false;
  const suffixes = base.replace(/^\.+/, "").split(".").slice(1).map((s) => `.${s}`);
  const at = suffixes.indexOf(".so");
  const tag = suffixes.at(at - 1);
  if ([".cpython-312-wasm32-emscripten", ".abi3", ""].includes(tag)) return true;
  return !/^\.(cpython|pypy|jython)-[0-9]{2,}[a-z]*(-[a-z0-9_-]*)?/.test(tag);
}

// ---------------------------------------------------------------------------------------
// Byte-code cache. The wheels hold Python sources only, and Pyodide does not write .pyc
// files, so every visit compiles NumPy's and kmeanslab's modules again: about 40% of the
// import. On a visit without the cache the worker lets Python write the .pyc files of what
// it imports, and stores them next to the start-up snapshot (a few MB), under a name made
// of the Pyodide version and the wheels' SHA-256 (so another wheel never meets old byte
// code). The next visit writes them back before the import. Python checks each .pyc
// against its source's size and modification time, and the early-wheel unpacker gives
// every source the same fixed time; a wheel unpacked by Pyodide itself gets the current
// time, so its modules just compile as before.

/** Modification time of the sources the early-wheel unpacker writes (1980-01-01). */
const SOURCE_MTIME_MS = 315532800000;
let pendingPycache = null;

function pycacheUrl(wheels) {
  const all = [...wheels.values()];
  const tag = all.map((w) => `${w.name}-${w.sha256.slice(0, 16)}`).sort().join("_");
  return `${PYODIDE_URL}pycache-${all[0]?.version}-${tag}.bin`;
}

/** Write the stored .pyc files, or let Python write them; ``done()`` after the import. */
async function usePycache(pyodide, { wheels, pycache, unpacked }) {
  const none = { restored: false, done: () => {} };
  let seen, cached;
  try {
    [seen, cached] = await Promise.all([wheels, pycache]);
  } catch {
    return none;
  }
  // Only wheels written here have sources with the fixed time the .pyc files expect.
  if (!cached.url || ![...seen.keys()].every((file) => unpacked.has(file))) return none;
  const site = pyodide._api?.sitePackages ?? "/lib/python3.12/site-packages";
  const tops = await topDirs(seen);
  const inside = (rel) => tops.has(rel.split("/", 1)[0]) && /\/__pycache__\/[^/]+\.pyc$/.test(rel)
    && !rel.split("/").includes("..");
  if (cached.bundle) {
    try {
      const { FS } = pyodide;
      for (const [rel, data] of cached.bundle) {
        if (!inside(rel)) continue;
        const path = `${site}/${rel}`;
        FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
        FS.writeFile(path, data);
      }
      return { restored: true, done: () => {} };
    } catch (err) {
      console.warn(`The byte-code cache was not used: ${err.message}`);
      return none;
    }
  }
  if (!self.caches) return none;
  pyodide.runPython("import sys; sys.dont_write_bytecode = False");
  return {
    restored: false,
    done() {
      pyodide.runPython("import sys; sys.dont_write_bytecode = True");
      pendingPycache = { url: cached.url, collect: () => collectPyc(pyodide, site, tops, inside) };
    },
  };
}

async function topDirs(seen) {
  const tops = new Set();
  for (const w of seen.values()) {
    const { files } = await w.ready;
    for (const f of files ?? []) {
      const top = f.name.split("/", 1)[0];
      if (!top.endsWith(".dist-info")) tops.add(top);
    }
  }
  return tops;
}

/** The .pyc files Python wrote under the wheels' folders, as a bundle's bytes. */
function collectPyc(pyodide, site, tops, inside) {
  const { FS } = pyodide;
  const found = [];
  const walk = (rel) => {
    for (const name of FS.readdir(`${site}/${rel}`)) {
      if (name === "." || name === "..") continue;
      const sub = `${rel}/${name}`;
      const { mode } = FS.stat(`${site}/${sub}`);
      if (FS.isDir(mode)) walk(sub);
      else if (inside(sub)) found.push([sub, FS.readFile(`${site}/${sub}`)]);
    }
  };
  for (const top of tops) {
    try {
      walk(top);
    } catch { /* a top-level module file, not a folder */ }
  }
  return found.length ? writeBundle(found) : null;
}

/** [[name, bytes], ...] as one buffer: a JSON index of names and sizes, then the bytes. */
function writeBundle(entries) {
  const index = new TextEncoder().encode(JSON.stringify(entries.map(([n, d]) => [n, d.length])));
  const out = new Uint8Array(4 + index.length + entries.reduce((a, [, d]) => a + d.length, 0));
  new DataView(out.buffer).setUint32(0, index.length, true);
  out.set(index, 4);
  let at = 4 + index.length;
  for (const [, d] of entries) {
    out.set(d, at);
    at += d.length;
  }
  return out;
}

function readBundle(bytes) {
  const size = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  const index = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + size)));
  let at = 4 + size;
  const out = [];
  for (const [name, length] of index) {
    if (at + length > bytes.length) throw new Error("truncated byte-code cache");
    out.push([name, bytes.subarray(at, at + length)]);
    at += length;
  }
  return out;
}

function sameBytes(a, b) {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 4099) if (a[i] !== b[i]) return false;
  return a[a.length - 1] === b[b.length - 1];
}

function hexToBase64(hex) {
  return btoa(String.fromCharCode(...hex.match(/../g).map((h) => parseInt(h, 16))));
}

let inflater = null;
let inflaterIds = 0;
let inflaterPending = 0;

/**
 * Inflate a wheel in a helper worker, off this thread, which is busy starting the runtime;
 * resolves to {bytes, files}. Where a helper cannot run, inflates here.
 */
function inflateAside(bytes) {
  const here = () => inflateZip(bytes).then((files) => ({ bytes, files }));
  try {
    if (!inflater) {
      const code = `${inflateZip};
self.onmessage = async ({ data: { id, bytes } }) => {
  let files = null;
  try { files = await inflateZip(bytes); } catch { files = null; }
  self.postMessage({ id, files }, (files || []).map((f) => f.data.buffer));
};`;
      const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
      inflater = new Worker(url);
      URL.revokeObjectURL(url);
    }
  } catch {
    return here();
  }
  const helper = inflater;
  const id = ++inflaterIds;
  inflaterPending++;
  return new Promise((resolve) => {
    const finish = (result) => {
      helper.removeEventListener("message", onMessage);
      helper.removeEventListener("error", onError);
      if (--inflaterPending === 0 && inflater === helper) {
        inflater = null;
        helper.terminate();
      }
      resolve(result);
    };
    const onMessage = ({ data }) => {
      if (data.id === id) finish(data.files ? { bytes, files: data.files } : here());
    };
    const onError = (event) => {
      event.preventDefault?.();
      finish(here());
    };
    helper.addEventListener("message", onMessage);
    helper.addEventListener("error", onError);
    helper.postMessage({ id, bytes }); // a copy: the bytes stay here for loadPackage
  });
}

/**
 * The entries of a zip file, inflated: [{name, data}] in the central directory's order,
 * or null for what this small reader does not handle (zip64, encryption, other methods).
 */
async function inflateZip(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff) return null;
  const decoder = new TextDecoder();
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (view.getUint32(at, true) !== 0x02014b50) return null;
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const packed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true);
    const comment = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    if (flags & 1 || (method !== 0 && method !== 8) || packed === 0xffffffff || size === 0xffffffff) {
      return null;
    }
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (view.getUint32(local, true) !== 0x04034b50) return null;
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    entries.push({ name, method, size, raw: bytes.subarray(start, start + packed) });
    at += 46 + nameLength + extra + comment;
  }
  return Promise.all(entries.map(async ({ name, method, size, raw }) => {
    const data = method === 0 ? raw.slice()
      : new Uint8Array(await new Response(new Blob([raw]).stream()
        .pipeThrough(new DecompressionStream("deflate-raw"))).arrayBuffer());
    if (data.length !== size) throw new Error(`${name}: inflated to ${data.length} bytes, not ${size}`);
    return { name, data };
  }));
}

/** Put the start-up snapshot into the service worker's cache ``cache`` (then drop it). */
async function storeSnapshot(cache) {
  const pyc = pendingPycache;
  pendingPycache = null;
  if (pyc && self.caches && typeof cache === "string") {
    try {
      const bytes = pyc.collect();
      if (bytes) {
        const response = new Response(bytes, { headers: { "Content-Type": "application/octet-stream" } });
        await (await caches.open(cache)).put(pyc.url, response);
      }
    } catch (err) {
      console.warn(`The byte-code cache was not saved: ${err.message}`);
    }
  }
  const pending = pendingSnapshot;
  pendingSnapshot = null;
  if (!pending || !self.caches || typeof cache !== "string") return;
  try {
    const response = new Response(pending.bytes, { headers: { "Content-Type": "application/octet-stream" } });
    await (await caches.open(cache)).put(pending.url, response);
  } catch (err) {
    console.warn(`The start-up snapshot was not saved: ${err.message}`);
  }
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

self.onmessage = ({ data }) => {
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
};
