// Python's start-up snapshot: a memory image of the started interpreter, kept in the service
// worker's cache so that a later visit skips most of Python's start-up (a cached visit's
// runtime phase: about 0.7 s against 2.5 s). Made aside, it holds NumPy and kmeanslab
// loaded and imported too (packages-in-snapshot.js: Pyodide 0.27 does not restore shared
// libraries by itself), so that a cached visit skips loading and importing them.
//
// Made aside: on a first visit the page's worker starts Python the plain way, and only
// after "ready", once the page says where to store it (STORE_SNAPSHOT), a worker of its
// own (snapshotter.js) starts a second interpreter, takes the snapshot and stores it.
// Made inline (the page's own interpreter, before NumPy loads: ``?startup=snapshot-inline``)
// the warm-up imports below and the snapshot's making sat on the first visit's critical
// path. ``python build.py bench startup --tricks`` measures both.

/** Where this build keeps the snapshot for a given Pyodide version (in Cache Storage). */
export const snapshotUrl = (pyodideUrl, version) => `${pyodideUrl}snapshot-${version}.bin`;

/**
 * Where a failure to make or store the snapshot is noted, in the same build's cache: a
 * snapshot that could not be stored (the storage quota, typically) would otherwise be
 * made again, by a second interpreter of about 80 MB, after every later first start of
 * this build. A new build (a new cache) tries again.
 */
export const failedUrl = (pyodideUrl, version) => `${pyodideUrl}startup-no-snapshot-${version}.json`;

/**
 * Where a failure to restore a snapshot with the packages is noted (same build's cache):
 * the snapshotter then stores the bare interpreter's only. Otherwise every other visit
 * would read 36 MB, fail, start afresh, and the visit after would make it again.
 */
export const noPackagesUrl = (pyodideUrl, version) =>
  `${pyodideUrl}startup-no-package-snapshot-${version}.json`;

/** Note (in the cache ``cache``) that restoring the packages' snapshot failed. */
export function notePackagesFailed(pyodideUrl, version, cache, message) {
  return noteFailure(cache, noPackagesUrl(pyodideUrl, version), message);
}

// Standard-library modules that loadPackage (importlib.metadata, for its cache reset) and
// the imports of NumPy and kmeanslab need. Imported before the snapshot is taken, they are
// in it: a cached visit then skips running them, which is slow right after a snapshot
// start (the interpreter's wasm code is not optimized yet). Pure Python or built in.
export const SNAPSHOT_IMPORTS = `
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

/**
 * The saved snapshot as a promise of its bytes, or null (none saved, or no Cache
 * Storage here). Only the lookup is awaited: loadPyodide takes the promise and awaits it
 * once its own script has loaded, so reading the snapshot (about 20 MB) overlaps that.
 */
export async function readSnapshot(url) {
  try {
    const hit = await self.caches?.match(url);
    return hit ? hit.arrayBuffer() : null;
  } catch {
    return null; // no Cache Storage here (opaque origin, some private modes)
  }
}

/** Drop a snapshot that failed to start (from every cache of this origin). */
export function forgetSnapshot(url) {
  self.caches?.keys()
    .then((names) => Promise.all(names.map((n) => caches.open(n).then((c) => c.delete(url)))))
    .catch(() => {}); // nothing to drop where Cache Storage is unavailable
}

/** Warm the imports and take the snapshot of ``pyodide`` (started with _makeSnapshot). */
export function takeSnapshot(pyodide) {
  pyodide.runPython(SNAPSHOT_IMPORTS);
  return packSnapshot({ packages: null }, pyodide.makeMemorySnapshot());
}

// What is stored: "KLSN", the size of a JSON header (what the snapshot holds beyond the
// bare interpreter: packages-in-snapshot.js's meta, or {packages: null}), the header, padding
// to 16 bytes (Pyodide reads the snapshot through 32-bit views), then Pyodide's snapshot.
const MAGIC = 0x4e534c4b;

/** ``bytes`` (Pyodide's snapshot) with the header ``meta``, as stored. */
export function packSnapshot(meta, bytes) {
  const head = new TextEncoder().encode(JSON.stringify(meta));
  const at = Math.ceil((8 + head.length) / 16) * 16;
  const out = new Uint8Array(at + bytes.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, head.length, true);
  out.set(head, 8);
  out.set(bytes, at);
  return out;
}

/** {meta, bytes} of a stored snapshot (an ArrayBuffer); throws if it is not one. */
export function unpackSnapshot(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength < 8 || view.getUint32(0, true) !== MAGIC) throw new Error("not a kmeans-lab snapshot");
  const size = view.getUint32(4, true);
  const meta = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, size)));
  return { meta, bytes: new Uint8Array(buffer, Math.ceil((8 + size) / 16) * 16) };
}

/** Whether the snapshot's recorded wheels are the ones the lock file ``lock`` names. */
export function sameWheels(meta, lock) {
  const files = new Map(Object.values(lock.packages ?? {}).map((p) => [p.file_name, p.sha256]));
  return Object.entries(meta.wheels ?? {}).every(([file, sha]) => files.get(file) === sha);
}

/**
 * The snapshots the snapshotter makes, best first, each packed (packSnapshot): with
 * ``packages`` loaded and ``module`` imported (packages-in-snapshot.js) where that works,
 * then the bare interpreter's (the one stored where the first does not fit the storage
 * quota, or could not be made: the packages then load and import on each start).
 */
export async function takeSnapshotsAside(pyodide, packages, module, lock) {
  pyodide.runPython(SNAPSHOT_IMPORTS);
  const base = packSnapshot({ packages: null }, pyodide.makeMemorySnapshot());
  if (!packages?.length) return [base];
  try {
    const { takePackageSnapshot } = await import("./packages-in-snapshot.js");
    const { meta, bytes } = await takePackageSnapshot(pyodide, packages, module, lock);
    return [packSnapshot(meta, bytes), base];
  } catch (err) {
    console.warn(`The start-up snapshot holds the bare interpreter only: ${err.message}`);
    return [base];
  }
}

/**
 * Store snapshot bytes under ``url`` in the cache named ``cache``, if that cache still
 * exists: a newer build's service worker may have deleted it meanwhile (Update now in
 * another tab), and opening it would make an orphan 20 MB cache.
 */
export async function storeSnapshotBytes(cache, url, bytes) {
  if (!(await caches.has(cache))) return;
  const response = new Response(bytes, { headers: { "Content-Type": "application/octet-stream" } });
  await (await caches.open(cache)).put(url, response);
}

/**
 * Make and store the snapshot in a worker of its own (``wasm``: the runtime's compiled
 * module, which it then uses instead of fetching and compiling the wasm again). Resolves {outcome, message}: outcome
 * "stored"; "exists" (stored meanwhile); "busy" (another page of this origin is making
 * it); "failed" (it could not be made or stored: that is noted in the build's cache,
 * failedUrl); "failed-before" (noted so by an earlier visit of this build: none is made);
 * "stopped" (no answer: the next visit tries again).
 */
export async function snapshotAside(pyodideUrl, version, cache, { packages, module, wasm } = {}) {
  const url = snapshotUrl(pyodideUrl, version);
  const failed = failedUrl(pyodideUrl, version);
  // One snapshotter per origin at a time: pages with several embeds, or several tabs, on
  // a first visit would each start a second interpreter (250 MB for three embeds). The
  // others skip; whoever comes later finds the snapshot stored and makes none.
  const once = async () => {
    if (await caches.match(url)) return { outcome: "exists", message: null };
    const noted = await caches.match(failed, { cacheName: cache });
    if (noted) {
      const { message } = await noted.json().catch(() => ({}));
      console.info(`No start-up snapshot is made for this build: it failed before (${message}).`);
      return { outcome: "failed-before", message };
    }
    const bare = await caches.match(noPackagesUrl(pyodideUrl, version), { cacheName: cache });
    const { ok, message } = await startSnapshotter({
      pyodideUrl, url, cache, packages: bare ? null : packages, module, wasm: wasm ?? null,
    });
    if (ok) return { outcome: "stored", message: null };
    if (!message) return { outcome: "stopped", message: null };
    await noteFailure(cache, failed, message);
    return { outcome: "failed", message };
  };
  if (!navigator.locks) return once();
  return navigator.locks.request("kmeanslab-snapshot", { ifAvailable: true },
    (lock) => (lock ? once() : { outcome: "busy", message: null }));
}

/** Note in the cache ``cache`` (if it still exists) that the snapshot failed, and why. */
async function noteFailure(cache, failed, message) {
  try {
    if (!(await caches.has(cache))) return;
    const body = JSON.stringify({ message, at: new Date().toISOString() });
    await (await caches.open(cache)).put(failed, new Response(body, {
      headers: { "Content-Type": "application/json" },
    }));
  } catch (err) {
    console.warn(`The failed start-up snapshot could not be noted: ${err.message}`);
  }
}

/** Resolves {ok, message}: message is null when the snapshotter did not answer. */
function startSnapshotter(asked) {
  let job = asked;
  return new Promise((resolve) => {
    let helper;
    try {
      helper = new Worker(new URL("./snapshotter.js", import.meta.url), { type: "module" });
    } catch (err) {
      console.warn(`The start-up snapshot was not made: ${err.message}`);
      resolve({ ok: false, message: null }); // no worker here now; perhaps next time
      return;
    }
    const finish = (ok, message) => {
      if (!ok) console.warn(`The start-up snapshot was not made: ${message}`);
      helper.terminate();
      resolve({ ok, message: ok ? null : message });
    };
    helper.onmessage = ({ data }) => {
      if (data.resend && job.wasm) {
        job = { ...job, wasm: null };
        helper.postMessage(job);
      } else {
        finish(data.ok, data.message);
      }
    };
    helper.onerror = (event) => {
      event.preventDefault?.();
      finish(false, event.message || "the snapshot worker failed");
    };
    try {
      helper.postMessage(job);
    } catch {
      // (a compiled module this engine cannot send to a worker: it fetches the wasm)
      helper.postMessage({ ...job, wasm: null });
    }
  });
}
