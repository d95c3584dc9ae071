import { inflateZip } from "./unzip.js";

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
export function earlyWheels(names, pyodideUrl) {
  const stats = {};
  const t0 = performance.now();
  const wheels = (async () => {
    const lock = await (await fetch(`${pyodideUrl}pyodide-lock.json`)).json();
    const seen = new Map(); // file name -> {url, integrity, bytes, files}
    const add = (name) => {
      const pkg = lock.packages?.[name];
      if (!pkg || [...seen.values()].some((w) => w.name === name)) return;
      const url = new URL(pkg.file_name, pyodideUrl).href;
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
  return { wheels, stats, unpacked: new Set() };
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
    inflater ??= new Worker(new URL("./unzip-worker.js", import.meta.url), { type: "module" });
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
