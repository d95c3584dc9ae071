// Early wheels. Pyodide's loadPackage only starts downloading once the runtime is up, and
// then unpacks each wheel with Python's zipfile, which is slow right after a snapshot
// start (the interpreter's wasm code is not optimized yet): about 1 s for NumPy. So the
// wheels of BASE_PACKAGES are fetched while the runtime boots (on a first visit once the
// runtime's own files are in: worker.js's fetchesFree), with the SHA-256 of the site's
// lock file as Subresource Integrity (the same check loadPackage makes), and unzipped
// (unzip.js). loadPackage then gets these bytes instead of a second download, and its
// unpack step writes the inflated files (the rest of loadPackage, shared libraries and
// bookkeeping, is unchanged). Anything unexpected falls back to Pyodide's own path.
//
// Both the download and the inflating run in a helper worker (unzip-worker.js), given its
// jobs by worker.js (startWheels) before the runtime's start: this worker's thread is busy for
// seconds in the runtime's synchronous start, and traced in headless Chromium, a wheel
// fetched here was often handed on to be inflated only once the runtime was up, so the
// inflating sat on the way to "ready". The helper's answers wait in this worker's queue
// until it is free, which is when they are needed.

/**
 * The early wheels from ``jobs`` (worker.js's startWheels: a promise of the helper's jobs,
 * or of null where no helper could start: then they are fetched and inflated here).
 */
export function earlyWheels(jobs, pyodideUrl, names, lockText) {
  const stats = {};
  const t0 = performance.now();
  const wheels = jobs.then(async (list) => {
    stats.helper = list?.[0]?.via ?? "none"; // (which helper was asked: see worker.js)
    list ??= fromLock(JSON.parse(await lockText), pyodideUrl, names);
    const seen = new Map(); // file name -> {name, url, integrity, sha256, version, ready}
    for (const job of list) {
      const { name, url, integrity } = job;
      const asked = job.result ?? Promise.resolve({ error: "no helper" });
      const ready = asked.catch(() => ({ error: "the helper failed" })).then((data) => {
        // (on this worker's clock, from the call; "received": when this thread took it)
        const at = (epoch) => Math.round(epoch - performance.timeOrigin - t0);
        if (data.fetchedAt) stats[`${name}_fetched`] = at(data.fetchedAt);
        if (data.inflatedAt) stats[`${name}_inflated`] = at(data.inflatedAt);
        if (data.compiledAt) stats[`${name}_compiled`] = at(data.compiledAt);
        stats[`${name}_received`] = Math.round(performance.now() - t0);
        return data.error ? here(url, integrity, data.bytes)
          : { bytes: data.bytes, files: data.files, compiled: job.compiled };
      });
      ready.catch(() => {}); // loadPackage reports a failed download itself
      seen.set(job.file, { ...job, ready });
    }
    return seen;
  });
  wheels.catch(() => {});
  return { wheels, stats, unpacked: new Set() };
}

/** The jobs of ``names`` and their dependencies from the parsed lock file ``lock``. */
function fromLock(lock, pyodideUrl, names) {
  const jobs = [];
  const add = (name) => {
    const pkg = lock.packages?.[name];
    if (!pkg || jobs.some((j) => j.name === name)) return;
    jobs.push({
      name, file: pkg.file_name, url: new URL(pkg.file_name, pyodideUrl).href,
      integrity: `sha256-${hexToBase64(pkg.sha256)}`, sha256: pkg.sha256, version: lock.info?.version,
    });
    for (const dep of pkg.depends ?? []) add(dep);
  };
  for (const name of names) add(name);
  return jobs;
}

/** The same shape with nothing fetched early: loadPackage does all (for measuring). */
export function noEarlyWheels() {
  const wheels = Promise.reject(new Error("early wheels left out"));
  wheels.catch(() => {});
  return { wheels, stats: {}, unpacked: new Set() };
}

/**
 * Modification time of every source file the unpacker writes (1980-01-01): fixed, so the
 * byte code saved on one visit (pycache.js) is valid for the same wheels on the next.
 */
const SOURCE_MTIME_MS = 315532800000;

/**
 * Let loadPackage use the early wheels; returns a function that undoes it.
 * Replaces, until then, the global fetch (for these URLs and integrities only) and the
 * unpack step of Pyodide's package loader (for these files only).
 */
export async function useEarlyWheels(pyodide, { wheels, stats, unpacked: written }) {
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
  const nativeInstantiate = WebAssembly.instantiate;
  const precompiled = compiledBySize(unpacked);
  if (precompiled.size) {
    // Pyodide loads each shared library of these wheels with WebAssembly.instantiate of
    // its bytes (read back from the file system): the helper compiled them meanwhile.
    WebAssembly.instantiate = function (source, imports) {
      const module = ArrayBuffer.isView(source) ? findCompiled(precompiled, source) : null;
      if (!module) return nativeInstantiate.apply(this, arguments);
      stats.precompiled = (stats.precompiled ?? 0) + 1;
      return nativeInstantiate.call(this, module, imports).then((instance) => ({ module, instance }));
    };
  }
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
  const undoReset = lighterCacheReset(api, pyodide);
  return () => {
    undoReset();
    self.fetch = nativeFetch;
    WebAssembly.instantiate = nativeInstantiate;
    if (loader) api.package_loader = loader;
  };
}

// Python's import-cache reset, less the import of importlib.metadata when nothing has
// imported it yet (it then has no cache to clear). Pyodide 0.27's loadPackage ends with
// importlib.invalidate_caches(), whose PathFinder part (Python 3.12.7) imports
// importlib.metadata only to clear its path cache: email, csv, zipfile and more, about
// 0.2 s on a first visit (traced: the last 205-255 ms of loadPackage), for a module
// that NumPy and kmeanslab never import. (A cached visit has it in the snapshot already.)
const CACHE_RESET = `
def _reset():
    import sys
    import importlib
    from importlib import _bootstrap_external as ext
    if "importlib.metadata" in sys.modules:
        return importlib.invalidate_caches()
    for finder in sys.meta_path:
        if finder is not ext.PathFinder:
            if hasattr(finder, "invalidate_caches"):
                finder.invalidate_caches()
            continue
        # PathFinder.invalidate_caches without its last two lines
        for name, entry in list(sys.path_importer_cache.items()):
            if entry is None or not ext._path_isabs(name):
                del sys.path_importer_cache[name]
            elif hasattr(entry, "invalidate_caches"):
                entry.invalidate_caches()
        ext._NamespacePath._epoch += 1
_reset
`;

/** Give loadPackage the lighter cache reset (CACHE_RESET); returns the undo. */
function lighterCacheReset(api, pyodide) {
  const importlib = api?.importlib;
  if (!importlib || typeof importlib.invalidate_caches !== "function") return () => {};
  let reset;
  const globals = pyodide.toPy({}); // (the function keeps what it needs of them)
  try {
    reset = pyodide.runPython(CACHE_RESET, { globals });
  } catch {
    return () => {}; // (another Python: Pyodide's own reset)
  } finally {
    globals.destroy();
  }
  api.importlib = new Proxy(importlib, {
    get: (target, prop) => (prop === "invalidate_caches" ? () => reset() : Reflect.get(target, prop)),
  });
  return () => {
    api.importlib = importlib;
    reset.destroy();
  };
}

/**
 * Write an inflated wheel as Pyodide's ``unpack_buffer`` would; returns the paths of its
 * shared libraries, or null (nothing written) when this wheel needs Pyodide's own code.
 */
export function writeWheel(pyodide, { bytes, files }, kw) {
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

/** The helper's compiled shared libraries, by byte length: [{data, module}]. */
export function compiledBySize(unpacked) {
  const bySize = new Map();
  for (const { files, compiled } of unpacked.values()) {
    for (const { name, data } of files ?? []) {
      const module = compiled?.modules?.[name];
      if (!(module instanceof WebAssembly.Module)) continue;
      if (!bySize.has(data.length)) bySize.set(data.length, []);
      bySize.get(data.length).push({ data, module });
    }
  }
  return bySize;
}

/** The module compiled from exactly the bytes ``source`` (compared in full), or null. */
export function findCompiled(bySize, source) {
  const bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  for (const { data, module } of bySize.get(bytes.length) ?? []) {
    if (sameBytes(bytes, data) && equalBytes(bytes, data)) return module;
  }
  return null;
}

function equalBytes(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameBytes(a, b) {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 4099) if (a[i] !== b[i]) return false;
  return a[a.length - 1] === b[b.length - 1];
}

function hexToBase64(hex) {
  return btoa(String.fromCharCode(...hex.match(/../g).map((h) => parseInt(h, 16))));
}

/** Fetch and inflate on this thread: {bytes, files} (files null if not inflatable). */
async function here(url, integrity, bytes = null) {
  if (!bytes) {
    const r = await fetch(url, { integrity });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    bytes = new Uint8Array(await r.arrayBuffer());
  }
  const { inflateZip } = await import("./unzip.js"); // (only here: keeps the graph short)
  return { bytes, files: await inflateZip(bytes).catch(() => null) };
}
