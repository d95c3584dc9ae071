// Makes Python's start-up snapshot aside from the page's worker (see snapshot.js): starts
// an interpreter, warms its imports, loads and imports the start-up packages, takes the
// snapshot, stores it, answers, and is ended.
import { storeSnapshotBytes, takeSnapshotsAside } from "./snapshot.js";
// (fetched with this worker's own script, at its start: snapshot.js imports it only once
// the bare snapshot is taken, seconds later, when the page may be at work on a file the
// user gave it, and the page then shows no request of any kind)
import "./packages-in-snapshot.js";

// A job whose compiled runtime could not be received here: asked again without it.
self.onmessageerror = () => self.postMessage({ ok: false, resend: true });

self.onmessage = async ({ data: { pyodideUrl, url, cache, packages, module, wasm } }) => {
  try {
    const [{ loadPyodide }, lock] = await Promise.all([
      import(`${pyodideUrl}pyodide.mjs`),
      fetch(`${pyodideUrl}pyodide-lock.json`).then((r) => r.json()),
    ]);
    const restore = wasm ? handOver(wasm, new URL("pyodide.asm.wasm", pyodideUrl).href) : () => {};
    let pyodide;
    try {
      pyodide = await loadPyodide({ indexURL: pyodideUrl, _makeSnapshot: true });
    } finally {
      restore();
    }
    const snapshots = await takeSnapshotsAside(pyodide, packages, module, lock);
    let failure = null;
    for (const bytes of snapshots) {
      try {
        await storeSnapshotBytes(cache, url, bytes);
        self.postMessage({ ok: true });
        return;
      } catch (err) {
        // (the quota, typically: the smaller one may still fit)
        failure = `storing it failed: ${err?.name}: ${err?.message}`;
      }
    }
    self.postMessage({ ok: false, message: failure });
  } catch (err) {
    self.postMessage({ ok: false, message: err?.message ?? String(err) });
  }
};

/**
 * Have loadPyodide use ``wasm`` (the Python worker's compiled runtime) instead of fetching
 * and compiling ``wasmUrl``: the page downloads only the wasm's gzipped copy, so fetching
 * the wasm itself here would download 10 MB more, and compiling it again costs a core
 * for about a second. Returns the function that puts fetch and instantiateStreaming back.
 */
function handOver(wasm, wasmUrl) {
  const nativeFetch = self.fetch;
  const nativeInstantiate = WebAssembly.instantiateStreaming;
  const marker = new Response(null);
  self.fetch = function (input, init) {
    const asked = input instanceof Request ? input.url : String(input);
    return asked === wasmUrl ? Promise.resolve(marker) : nativeFetch.call(this, input, init);
  };
  WebAssembly.instantiateStreaming = async function (source, imports) {
    if ((await source) !== marker) return nativeInstantiate.call(this, source, imports);
    return { module: wasm, instance: await WebAssembly.instantiate(wasm, imports) };
  };
  return () => {
    self.fetch = nativeFetch;
    WebAssembly.instantiateStreaming = nativeInstantiate;
  };
}
