// Makes Python's start-up snapshot aside from the page's worker (see snapshot.js): starts
// an interpreter, warms its imports, loads and imports the start-up packages, takes the
// snapshot, stores it, answers, and is ended.
import { storeSnapshotBytes, takeSnapshotAside } from "./snapshot.js";

self.onmessage = async ({ data: { pyodideUrl, url, cache, packages, module } }) => {
  try {
    const [{ loadPyodide }, lock] = await Promise.all([
      import(`${pyodideUrl}pyodide.mjs`),
      fetch(`${pyodideUrl}pyodide-lock.json`).then((r) => r.json()),
    ]);
    const pyodide = await loadPyodide({ indexURL: pyodideUrl, _makeSnapshot: true });
    const bytes = await takeSnapshotAside(pyodide, packages, module, lock);
    try {
      await storeSnapshotBytes(cache, url, bytes);
    } catch (err) {
      self.postMessage({ ok: false, message: `storing it failed: ${err?.name}: ${err?.message}` });
      return;
    }
    self.postMessage({ ok: true });
  } catch (err) {
    self.postMessage({ ok: false, message: err?.message ?? String(err) });
  }
};
