// A helper worker that fetches and inflates wheels while the Python worker is busy
// starting the runtime (see early-wheels.js). Started by the page (start-worker.js), it
// gets its jobs on a MessagePort from the Python worker and ends itself once all are
// answered; started by the Python worker itself (a worker the engine restarted), it gets
// them as messages and is ended by it.
import { inflateZip } from "./unzip.js";

/**
 * Fetch ``url`` (checked against ``integrity``), inflate it and ``reply`` with both; with
 * ``compile`` (worker.js sets it on a start from a snapshot), compile its shared
 * libraries too (compileDynlibs).
 */
async function run({ id, url, integrity, compile = true }, reply) {
  let bytes = null;
  try {
    const response = await fetch(url, { integrity });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    bytes = new Uint8Array(await response.arrayBuffer());
    const fetchedAt = performance.timeOrigin + performance.now();
    const files = await inflateZip(bytes);
    const inflatedAt = performance.timeOrigin + performance.now();
    const modules = compile ? await compileDynlibs(files) : {};
    const compiledAt = performance.timeOrigin + performance.now();
    const transfer = [bytes.buffer, ...(files || []).map((f) => f.data.buffer)];
    // The compiled modules in a message of their own, before the files (the Python worker
    // takes them up with the files), and optional: a browser that cannot post them throws
    // here, and in Firefox such a message never arrived (sent with the files, the start
    // hung waiting for them). Without them, Pyodide compiles the libraries itself.
    if (Object.keys(modules).length) {
      try {
        reply({ id, type: "modules", modules }, []);
      } catch { /* see above */ }
    }
    reply({ id, bytes, files, fetchedAt, inflatedAt, compiledAt }, transfer);
  } catch (err) {
    // (the Python worker tries again itself; bytes, if any arrived, are passed on)
    reply({ id, error: String(err?.message ?? err), bytes }, []);
  }
}

/**
 * The wheel's shared libraries compiled here, {name: WebAssembly.Module}: Pyodide loads
 * every one of them in loadPackage, one after another, compiling each from bytes (no code
 * cache for those), about 6.5 MB of wasm for NumPy; here that happens while the Python
 * worker is still starting the runtime (early-wheels.js hands them to loadPackage).
 * Asked for only on a start from a snapshot: on a first visit, compiling them beside the
 * runtime's start took cores from it for longer than it saved (see worker.js).
 */
async function compileDynlibs(files) {
  const modules = {};
  await Promise.all((files ?? []).filter((f) => /\.so(\.\d+)*$/.test(f.name)).map(async (f) => {
    try {
      modules[f.name] = await WebAssembly.compile(f.data);
    } catch { /* not wasm (or not here): Pyodide loads it itself and reports */ }
  }));
  return modules;
}

self.onmessage = ({ data, ports }) => {
  if (data?.type !== "port") {
    run(data, (msg, transfer) => self.postMessage(msg, transfer));
    return;
  }
  const [port] = ports;
  port.postMessage({ type: "alive" }); // (the Python worker gives up on a helper that is not)
  port.onmessage = async ({ data: { type, jobs } }) => {
    if (type === "jobs") {
      await Promise.all(jobs.map((job) => run(job, (msg, transfer) => port.postMessage(msg, transfer))));
    }
    self.close(); // all answered, or "close": the Python worker fetches them itself
  };
};
