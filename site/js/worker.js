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
const BRIDGE_MODULE = "kmeanslab.app._bridge"; // (what the worker imports; in the snapshot too)
const HELPER_ALIVE_MS = 10000;
// the build's gzipped copy of the runtime's wasm (py/kmeanslab_build/offline.py's WASM_GZ)
const WASM_GZ_NAME = "pyodide.asm.wasmz";
const PORT_WAIT_MS = 5000; // (the page's helper port, when it said one comes: see below)
// Start-up tricks left out for measuring (engine.js: ?startup=no-early,no-snapshot,...).
const SKIP = new Set(new URL(self.location.href).searchParams.get("startup")?.split(",") ?? []);
const scriptStart = performance.now();
// Messages from the page before worker-main.js listens: replayed by it, in order.
// The wheels' helper's port, when the page started one (start-worker.js): the page's
// message comes first, before any of the engine's.
const queued = [];
let wheelPort = null;
let wheelsAsked = false; // (a port that comes after the jobs went elsewhere is closed)
// start-worker.js names this worker so when it sends a helper's port. The port is its
// first message, but traced, the lock file was sometimes read before that message was
// delivered (1 start in 3): the wheels then went to a helper started here, which began
// only once the runtime was up. So the jobs wait for a port that is known to be coming.
// The wait is timed from here: once the runtime's start has begun (a long task), neither
// the port's message nor a timer can run until it ends.
const PORT_COMING = self.name === "kmeanslab:python+wheels-port";
let portArrived;
const portReady = PORT_COMING ? Promise.race([
  new Promise((resolve) => { portArrived = resolve; }),
  new Promise((resolve) => setTimeout(resolve, PORT_WAIT_MS)),
]) : Promise.resolve();
self.onmessage = (event) => {
  if (event.data?.type !== "kmeanslab:wheels-port") queued.push(event);
};
// (a listener of its own: worker-main.js replaces onmessage once it runs, and the port can
// come after that)
self.addEventListener("message", (event) => {
  if (event.data?.type !== "kmeanslab:wheels-port") return;
  if (wheelsAsked) {
    event.ports[0].postMessage({ type: "close" });
  } else {
    wheelPort = event.ports[0];
    portArrived?.();
  }
});

/** Start fetching the runtime's files; see ``use`` for how loadPyodide gets them. */
function prefetchRuntime(pyodideUrl) {
  const wasmUrl = new URL("pyodide.asm.wasm", pyodideUrl).href;
  const wasm = fetchWasm(wasmUrl, new URL(WASM_GZ_NAME, pyodideUrl).href);
  const compiled = typeof WebAssembly.compileStreaming === "function"
    ? WebAssembly.compileStreaming(wasm)
    : wasm.then((r) => r.arrayBuffer()).then((bytes) => WebAssembly.compile(bytes));
  compiled.catch(() => {}); // then fetched and compiled again when loadPyodide asks
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
  // The runtime's own files are in when the wasm (the largest, 10 MB) is: on a first
  // visit the wheels and the byte code are asked for only then (fetchesFree below).
  // (Compiled stands for downloaded: V8 compiles lazily, so the two end together.)
  const runtimeIn = compiled.then(() => {}, () => {});
  return { lock, use, runtimeIn, compiled };
}

/**
 * The runtime's wasm as a response to compile as it streams in: the build's gzipped copy
 * (``gzUrl``, 3.2 MB instead of 10.1: static hosts need not compress it), inflated on the
 * way, else the wasm itself (no such copy, or no DecompressionStream here). The gzipped
 * copy leaves room in a first visit's bytes for the shipped snapshot (startup_snapshot.py).
 * A copy that does not inflate fails the compile: ``use`` then fetches the wasm itself.
 */
function fetchWasm(wasmUrl, gzUrl) {
  if (SKIP.has("no-wasm-gz") || typeof DecompressionStream !== "function") return fetch(wasmUrl);
  return fetch(gzUrl).then((packed) => {
    if (!packed.ok) return fetch(wasmUrl);
    return new Response(packed.body.pipeThrough(new DecompressionStream("gzip")), {
      headers: { "Content-Type": "application/wasm" },
    });
  }, () => fetch(wasmUrl));
}

/**
 * The early wheels' downloads (startup/early-wheels.js), given to a helper worker once the
 * lock file is read, ``after`` has resolved (see fetchesFree) and the page's helper port
 * is here (or will not come): resolves to [{name, file, url, integrity, sha256, version,
 * result, via}], ``result`` the helper's answer (a promise). The helper is the one the
 * page started (wheelPort), else one started here. (Traced: a helper started from this
 * worker began its downloads late, sometimes only once the runtime was up, because this
 * thread is busy from the runtime's start on; one started by the page does not wait.)
 * ``precompile``: a promise of whether the helper should also compile their shared
 * libraries (sent with the jobs).
 */
function startWheels(pyodideUrl, lockText, names, precompile, after) {
  return Promise.all([lockText, precompile, after, portReady]).then(([text, compile]) => {
    const lock = JSON.parse(text);
    const jobs = [];
    const add = (name) => {
      const pkg = lock.packages?.[name];
      if (!pkg || jobs.some((j) => j.name === name)) return;
      const sha = pkg.sha256.match(/../g).map((h) => parseInt(h, 16));
      jobs.push({
        id: jobs.length, name, file: pkg.file_name, url: new URL(pkg.file_name, pyodideUrl).href,
        integrity: `sha256-${btoa(String.fromCharCode(...sha))}`, sha256: pkg.sha256,
        version: lock.info?.version, compiled: { modules: null },
      });
      for (const dep of pkg.depends ?? []) add(dep);
    };
    for (const name of names) add(name);
    wheelsAsked = true;
    let helper = null;
    let target = wheelPort;
    if (!target) {
      try {
        helper = new Worker(new URL("./startup/unzip-worker.js", import.meta.url), { type: "module" });
        target = helper;
      } catch {
        return null; // early-wheels.js fetches and inflates them itself
      }
    }
    // (in the start-up timings: "page" is the helper start-worker.js started, "worker" one
    // started here, which begins late: see PORT_COMING)
    for (const job of jobs) job.via = helper ? "worker" : "page";
    const answers = new Map();
    let left = jobs.length;
    // The page's helper says "alive" once its script runs. If its script never loads (a
    // flaky network), nothing reports that on a port: without an answer in
    // HELPER_ALIVE_MS the jobs fail, and Pyodide downloads the wheels itself (waiting for
    // answers that never come froze the start-up).
    let alive = Boolean(helper); // (a helper started here reports failures by onerror)
    target.onmessage = ({ data }) => {
      if (data?.type === "alive") {
        alive = true;
        return;
      }
      if (data?.type === "modules") {
        // (sent before the files; optional: see unzip-worker.js)
        const job = jobs[data.id];
        if (job) job.compiled.modules = data.modules;
        return;
      }
      answers.get(data.id)?.resolve(data);
      if (--left === 0) helper?.terminate();
    };
    if (!alive) {
      setTimeout(() => {
        if (alive) return;
        for (const { reject } of answers.values()) reject(new Error("the wheel helper did not start"));
      }, HELPER_ALIVE_MS);
    }
    if (helper) {
      helper.onerror = (event) => {
        event.preventDefault?.();
        for (const { reject } of answers.values()) reject(new Error(event.message || "the wheel helper failed"));
      };
    }
    for (const job of jobs) {
      job.result = new Promise((resolve, reject) => answers.set(job.id, { resolve, reject }));
      job.result.catch(() => {});
    }
    const asked = jobs.map(({ id, url, integrity }) => ({ id, url, integrity, compile }));
    if (helper) {
      for (const job of asked) helper.postMessage(job);
      if (!jobs.length) helper.terminate();
    } else {
      wheelPort.postMessage({ type: "jobs", jobs: asked });
    }
    return jobs;
  }, (err) => {
    // no lock file: no jobs; the page's helper is told to end (not left idle)
    wheelsAsked = true;
    wheelPort?.postMessage({ type: "close" });
    throw err;
  });
}

/**
 * Start the runtime: from the snapshot saved by an earlier visit if there is one (see
 * startup/snapshot.js), else afresh. Resolves to {pyodide, snapshot (started from one),
 * pendingSnapshot (what to store, once the page says where), snapshotCost, loadCalled}.
 * Called here, not from worker-main.js, so that it does not wait for that module's imports
 * to arrive.
 */
async function startRuntime(runtimeFiles) {
  const [{ loadPyodide, version }, snap] = await Promise.all([
    import(`${PYODIDE_URL}pyodide.mjs`), import("./startup/snapshot.js"),
  ]);
  const modulesIn = performance.now();
  const url = snap.snapshotUrl(PYODIDE_URL, version);
  let snapshot = null;
  let from = null;
  if (!SKIP.has("no-snapshot")) {
    const early = await snapshotLookup;
    if (early?.url === url) {
      ({ found: snapshot, from } = early);
      early.found = null; // (the bytes: not kept past their use)
      if (!snapshot && early.shipped) {
        snapshot = (await early.shipped)?.bytes ?? null;
        early.shipped = null;
        from = snapshot ? "shipped" : null;
      }
    } else {
      snapshot = await snap.readSnapshot(url);
      from = snapshot ? "saved" : null;
    }
  }
  const loadCalled = performance.now();
  const out = { snapshot: false, snapshotFrom: null, pendingSnapshot: null, snapshotCost: null,
    loadCalled, modulesIn };
  // A start from the shipped (bare) snapshot still has the one with the packages made
  // aside after "ready", for the next visit.
  const making = Boolean(self.caches) && !SKIP.has("no-snapshot");
  if (snapshot) {
    try {
      // (packed: snapshot.js; one holding packages is used only with the same wheels)
      let stored = null;
      const bytes = Promise.all([snapshot, runtimeFiles.lock]).then(([buffer, lockText]) => {
        stored = snap.unpackSnapshot(buffer);
        if (stored.meta.packages && !snap.sameWheels(stored.meta, JSON.parse(lockText))) {
          throw new Error("it holds other wheels than this build's");
        }
        // (a build that loads one more base package with the same wheels: not in it)
        if (stored.meta.packages && !BASE_PACKAGES.every((name) => name in stored.meta.packages)) {
          throw new Error("it lacks packages this build loads at start-up");
        }
        if (stored.meta.packages && SKIP.has("no-early")) {
          throw new Error("it needs the early wheels, left out here"); // (for measuring)
        }
        return stored.bytes;
      });
      const pyodide = await runtimeFiles.use(() => loadPyodide({ indexURL: PYODIDE_URL, _loadSnapshot: bytes }));
      // (local time stays this machine's: Emscripten's localtime asks the browser's Date;
      // only time.timezone and time.tzname keep the build's values, and nothing reads them)
      if (from === "shipped") {
        // (made at build time: every first visit would share its random stream)
        pyodide.runPython("import random; random.seed()");
        if (making && !SKIP.has("snapshot-inline")) out.pendingSnapshot = { url, version, aside: true };
      }
      return { ...out, pyodide, snapshot: true, snapshotFrom: from, stored, version,
        forget: () => snap.forgetSnapshot(url) };
    } catch (err) {
      console.warn(`Starting from the ${from} snapshot failed (${err.message}); starting afresh.`);
      if (from === "saved") snap.forgetSnapshot(url);
    }
  }
  const inline = making && SKIP.has("snapshot-inline");
  const pyodide = await runtimeFiles.use(() => loadPyodide({ indexURL: PYODIDE_URL, _makeSnapshot: inline }));
  if (inline) {
    try {
      const t0 = performance.now();
      out.pendingSnapshot = { url, bytes: snap.takeSnapshot(pyodide) };
      out.snapshotCost = performance.now() - t0;
    } catch {
      out.pendingSnapshot = null;
    }
  } else if (making) {
    out.pendingSnapshot = { url, version, aside: true };
  }
  return { ...out, pyodide };
}

/** A runtime started afresh, without the snapshot (after a start from it failed later). */
async function freshRuntime() {
  const { loadPyodide } = await import(`${PYODIDE_URL}pyodide.mjs`);
  return runtimeFiles.use(() => loadPyodide({ indexURL: PYODIDE_URL }));
}

const runtimeFiles = prefetchRuntime(PYODIDE_URL);
// The saved snapshot looked up as soon as the lock file says the Pyodide version, not
// once pyodide.mjs and snapshot.js are in: traced on a cached visit, that lookup alone
// took 230-380 ms there, its Cache Storage reads queued behind the service worker's.
// The URL is snapshot.js's snapshotUrl (startRuntime checks it is the same).
// With none saved, the build's shipped bare snapshot (startup_snapshot.py) may stand in
// (``shipped``: see shippedSnapshot). ``saved``/``found``: booleans for the fetches below
// (``found``, the bytes, is dropped by startRuntime once used: 21-36 MB).
const snapshotLookup = SKIP.has("no-snapshot") ? null : runtimeFiles.lock.then(async (text) => {
  const lock = JSON.parse(text);
  const url = `${PYODIDE_URL}snapshot-${lock.info?.version}.bin`;
  const hit = await self.caches?.match(url).catch(() => null); // (none: opaque origins)
  if (hit) return { url, found: hit.arrayBuffer(), from: "saved", saved: true };
  const shipped = SKIP.has("no-shipped-snapshot") ? null : shippedSnapshot(lock);
  return { url, found: null, shipped, from: null, saved: false };
}).catch(() => null); // no lock: startRuntime looks again

// A start from the shipped snapshot saves about 1.2 s of a 2-core machine's time (the
// interpreter's own start, 1.5-2 s after the wasm, against 0.3-0.5 s of inflating and
// restoring), so it is fetched only where its 5.5 MB would arrive within this many ms, by
// the rate the wasm's own download just had (Resource Timing). Fetched beside the wasm
// from the start, it took a share of a slow link from the wasm: at 20 Mbit/s a first
// visit was ready in 11.6-13.9 s with it, 8.4-9.2 s without (throttled Chromium).
const SHIPPED_SNAPSHOT_BUDGET_MS = 800;
// ...and dropped (its download stopped, Python started afresh) if it has not arrived
// this long after it was asked for (a stalled connection).
const SHIPPED_SNAPSHOT_WAIT_MS = 1500;

/**
 * Resolves, once the runtime's wasm is in, to the build's shipped snapshot as a promise of
 * its inflated bytes (an ArrayBuffer), or to null: the build has none, this browser
 * cannot inflate it, or the link is too slow for it (SHIPPED_SNAPSHOT_BUDGET_MS). The
 * bytes' promise rejects on a failed or stalled download: the runtime then starts afresh.
 */
async function shippedSnapshot(lock) {
  const entry = lock.kmeanslab_snapshot;
  if (!entry || typeof DecompressionStream !== "function") return null;
  await runtimeFiles.runtimeIn;
  // (the link's rate: all this worker's downloads so far, the wasm's among them, over the
  // time they took together; one file's own rate undercounts a link it shared)
  const got = performance.getEntriesByType("resource").filter((e) => e.encodedBodySize > 0);
  const sum = got.reduce((total, e) => total + e.encodedBodySize, 0);
  const took = got.length ? Math.max(...got.map((e) => e.responseEnd))
    - Math.min(...got.map((e) => e.responseStart)) : 0;
  const expected = took > 0 ? (entry.size ?? 6e6) * took / sum : 0;
  if (expected > SHIPPED_SNAPSHOT_BUDGET_MS) {
    console.info(`The build's start-up snapshot is not fetched: at this link's rate it would take about ${Math.round(expected)} ms.`);
    return null;
  }
  const sha = entry.sha256.match(/../g).map((h) => parseInt(h, 16));
  const abort = new AbortController();
  const found = fetch(new URL(entry.file_name, PYODIDE_URL).href, {
    integrity: `sha256-${btoa(String.fromCharCode(...sha))}`, signal: abort.signal,
  }).then((response) => {
    if (!response.ok) throw new Error(`${entry.file_name}: HTTP ${response.status}`);
    return new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
  });
  let timer;
  const late = new Promise((resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`it had not arrived ${SHIPPED_SNAPSHOT_WAIT_MS} ms after it was asked for`));
      abort.abort();
    }, SHIPPED_SNAPSHOT_WAIT_MS);
  });
  found.then(() => clearTimeout(timer), () => {}); // (startRuntime gets a failure: afresh)
  late.catch(() => {});
  const bytes = Promise.race([found, late]);
  bytes.catch(() => {});
  return { bytes };
}
const runtime = startRuntime(runtimeFiles);
runtime.catch(() => {}); // worker-main.js's boot reports it
const snapshotSaved = (snapshotLookup ?? Promise.resolve(null)).then((hit) => Boolean(hit?.saved));
// When the wheels and the byte code are asked for: once the runtime's files are in, or at
// once on a visit that starts from a saved snapshot (everything then comes from the
// service worker's cache; a first visit's shipped snapshot comes from the network). Traced on a first visit, their 4.3 MB downloading beside the
// runtime's 14 MB made the wasm arrive 400-550 ms later than in the plain page, and the
// runtime's start waits for it; the network is then idle during that start (1.5 s), when
// they are downloaded and unzipped instead. First visits alternated with the previous
// build: ready 47 and 200 ms sooner (medians of 12, two runs); on a slower network the
// share of those 4.3 MB is larger.
// (?startup=fetch-beside: the old way, beside the runtime's files, for measuring)
const fetchesFree = SKIP.has("fetch-beside") ? Promise.resolve() : Promise.race([runtimeFiles.runtimeIn,
  snapshotSaved.then((saved) => (saved ? undefined : new Promise(() => {})))]);
// The helper compiles the wheels' shared libraries only on a visit from a saved snapshot
// (the jobs say so; by fetchesFree the lookup is done). On a first visit (runtime
// started afresh), compiling NumPy's 6.5 MB of wasm alongside the runtime's start took
// cores from it: without it the runtime phase was 330 ms shorter (median of 6 alternated
// first visits, 2,304 against 2,633 ms) and loadPackage, which then compiles them
// itself, 40 ms longer. From the shipped snapshot, with or without: ready in 1,898 and
// 1,932 ms (medians of 6 alternated first visits, 2026-11-30), so as on a fresh start.
const wheelJobs = SKIP.has("no-early") ? null
  : startWheels(PYODIDE_URL, runtimeFiles.lock, BASE_PACKAGES, snapshotSaved, fetchesFree);
wheelJobs?.catch(() => {});
// The build's start-up byte code (startup/pycache.js), asked for here once the lock file
// names it and fetchesFree: worker-main.js and its imports arrive only once the runtime
// is up (traced).
const pycacheShipped = SKIP.has("no-pycache") || SKIP.has("no-early") ? null
  : Promise.all([runtimeFiles.lock, fetchesFree]).then(([text]) => {
    const entry = JSON.parse(text).kmeanslab_pycache;
    if (!entry) return null;
    const gz = new URL(entry.file_name, PYODIDE_URL).href;
    const sha = entry.sha256.match(/../g).map((h) => parseInt(h, 16));
    const abort = new AbortController();
    const response = fetch(gz, { integrity: `sha256-${btoa(String.fromCharCode(...sha))}`, signal: abort.signal });
    response.catch(() => {});
    return { gz, response, abort: () => abort.abort() };
  });
pycacheShipped?.catch(() => {});
self.kmeanslabWorkerStart = {
  scriptStart, runtimeFiles, runtime, queued, skip: SKIP, basePackages: BASE_PACKAGES, wheelJobs,
  pycacheShipped, freshRuntime, bridgeModule: BRIDGE_MODULE,
};

import("./worker-main.js").catch((err) => {
  // (protocol.js's STATUS message, written out: importing it could fail the same way)
  self.postMessage({
    type: "status",
    state: "error",
    message: `Python could not start: ${err.message}. Reload the page to try again.`,
  });
});
