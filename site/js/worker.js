// The Python worker's entry: starts the runtime's downloads, then loads the worker's code
// (worker-main.js: Pyodide, the start-up tricks of startup/, the job loop).
//
// Why this file imports nothing: the runtime's own start (pyodide.asm.wasm streaming in
// and compiling, then the interpreter starting) is the longest step of the start-up, and
// loadPyodide begins those downloads only when it is called. Traced in headless Chromium
// against a plain Pyodide page, our worker called it 200-450 ms later: after its module
// graph had arrived (two levels of imports), pyodide.mjs had been imported and a saved
// snapshot looked up in Cache Storage (80-200 ms on a first visit, when the storage first
// opens). Here the downloads start on this file's first line; pyodide.asm.js and
// pyodide.mjs are imported meanwhile. The wasm is compiled as it streams in, from here
// (loadPyodide would start the compile only once called), and loadPyodide is handed the
// compiled module and the other requests (``use``). The lock file is read once, for
// loadPyodide and the early wheels both, and the wheels' helper worker gets its jobs from
// here too: once the runtime starts, this thread is busy for seconds, and a helper
// started after that (traced) began its downloads only when the runtime was up.

const PYODIDE_URL = new URL("../pyodide/", import.meta.url).href;
const BASE_PACKAGES = ["numpy", "kmeanslab"];
// Start-up tricks left out for measuring (engine.js: ?startup=no-early,no-snapshot,...).
const SKIP = new Set(new URL(self.location.href).searchParams.get("startup")?.split(",") ?? []);
const scriptStart = performance.now();
// Messages from the page before worker-main.js listens: replayed by it, in order.
const queued = [];
self.onmessage = (event) => queued.push(event);

/** Start fetching the runtime's files; see ``use`` for how loadPyodide gets them. */
function prefetchRuntime(pyodideUrl) {
  const wasmUrl = new URL("pyodide.asm.wasm", pyodideUrl).href;
  const compiled = WebAssembly.compileStreaming(fetch(wasmUrl));
  compiled.catch(() => {}); // loadPyodide then fetches and compiles it itself
  const stdlibUrl = new URL("python_stdlib.zip", pyodideUrl).href;
  const pending = new Map([[stdlibUrl, fetch(stdlibUrl)]]);
  pending.get(stdlibUrl).catch(() => {}); // loadPyodide gets the same failure and reports it
  const lockUrl = new URL("pyodide-lock.json", pyodideUrl).href;
  const lock = fetch(lockUrl).then((r) => {
    if (!r.ok) throw new Error(`${lockUrl}: HTTP ${r.status}`);
    return r.text();
  });
  lock.catch(() => {});
  pending.set(lockUrl, lock.then((text) => new Response(text, {
    headers: { "Content-Type": "application/json" },
  })));
  // Parsed and run now, not after the snapshot lookup: loadPyodide then finds
  // _createPyodideModule defined (or awaits this same module if it is still loading).
  import(`${pyodideUrl}pyodide.asm.js`).catch(() => {});

  /**
   * Run ``fn`` (loadPyodide) with these requests answering the first fetch of each URL,
   * and the module compiled here answering its instantiateStreaming of the wasm.
   */
  async function use(fn) {
    const nativeFetch = self.fetch;
    const nativeInstantiate = WebAssembly.instantiateStreaming;
    const marker = new Response(null);
    if (!pending.has(wasmUrl)) pending.set(wasmUrl, Promise.resolve(marker));
    self.fetch = function (input, init) {
      const url = input instanceof Request ? input.url : String(input);
      const early = pending.get(url);
      if (early && !init?.integrity && (init?.method ?? "GET") === "GET") {
        pending.delete(url);
        return early;
      }
      return nativeFetch.call(this, input, init);
    };
    WebAssembly.instantiateStreaming = async function (source, imports) {
      if ((await source) !== marker) return nativeInstantiate.call(this, source, imports);
      let module;
      try {
        module = await compiled;
      } catch {
        // (e.g. a host that sends the wasm without Content-Type application/wasm)
        const bytes = await (await nativeFetch(wasmUrl)).arrayBuffer();
        return WebAssembly.instantiate(bytes, imports);
      }
      return { module, instance: await WebAssembly.instantiate(module, imports) };
    };
    try {
      return await fn();
    } finally {
      self.fetch = nativeFetch;
      WebAssembly.instantiateStreaming = nativeInstantiate;
      pending.clear(); // (a second start, after a failed snapshot, fetches afresh)
    }
  }
  return { lock, use };
}

/**
 * The early wheels' downloads (startup/early-wheels.js), started in a helper worker as
 * soon as the lock file is read: resolves to [{name, file, url, integrity, sha256,
 * version, result}], ``result`` the helper's answer (a promise); the helper is ended once
 * all have answered.
 */
function startWheels(pyodideUrl, lockText, names) {
  let helper;
  try {
    helper = new Worker(new URL("./startup/unzip-worker.js", import.meta.url), { type: "module" });
  } catch {
    return lockText.then(() => null); // early-wheels.js fetches and inflates them itself
  }
  return lockText.then((text) => {
    const lock = JSON.parse(text);
    const jobs = [];
    const add = (name) => {
      const pkg = lock.packages?.[name];
      if (!pkg || jobs.some((j) => j.name === name)) return;
      const sha = pkg.sha256.match(/../g).map((h) => parseInt(h, 16));
      const job = {
        name, file: pkg.file_name, url: new URL(pkg.file_name, pyodideUrl).href,
        integrity: `sha256-${btoa(String.fromCharCode(...sha))}`, sha256: pkg.sha256,
        version: lock.info?.version,
      };
      jobs.push(job);
      for (const dep of pkg.depends ?? []) add(dep);
    };
    for (const name of names) add(name);
    let left = jobs.length;
    for (const [id, job] of jobs.entries()) {
      job.result = new Promise((resolve, reject) => {
        const onMessage = ({ data }) => {
          if (data.id !== id) return;
          helper.removeEventListener("message", onMessage);
          resolve(data);
          if (--left === 0) helper.terminate();
        };
        helper.addEventListener("message", onMessage);
        helper.addEventListener("error", (event) => {
          event.preventDefault?.();
          reject(new Error(event.message || "the wheel helper failed"));
        });
      });
      job.result.catch(() => {});
      helper.postMessage({ id, url: job.url, integrity: job.integrity });
    }
    if (!jobs.length) helper.terminate();
    return jobs;
  });
}

const runtimeFiles = prefetchRuntime(PYODIDE_URL);
const pyodideModule = import(`${PYODIDE_URL}pyodide.mjs`);
pyodideModule.catch(() => {}); // worker-main.js's boot reports it
const wheelJobs = SKIP.has("no-early") ? null : startWheels(PYODIDE_URL, runtimeFiles.lock, BASE_PACKAGES);
wheelJobs?.catch(() => {});
self.kmeanslabWorkerStart = {
  scriptStart, runtimeFiles, pyodideModule, queued, skip: SKIP, basePackages: BASE_PACKAGES, wheelJobs,
};

import("./worker-main.js").catch((err) => {
  // (protocol.js's STATUS message, written out: importing it could fail the same way)
  self.postMessage({
    type: "status",
    state: "error",
    message: `Python could not start: ${err.message}. Reload the page to try again.`,
  });
});
