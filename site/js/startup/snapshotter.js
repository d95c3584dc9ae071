// Makes Python's start-up snapshot aside from the page's worker (see snapshot.js): starts
// an interpreter, warms its imports, takes the snapshot, stores it, answers, and is ended.
import { storeSnapshotBytes, takeSnapshot } from "./snapshot.js";

self.onmessage = async ({ data: { pyodideUrl, url, cache } }) => {
  try {
    const { loadPyodide } = await import(`${pyodideUrl}pyodide.mjs`);
    const pyodide = await loadPyodide({ indexURL: pyodideUrl, _makeSnapshot: true });
    const bytes = takeSnapshot(pyodide);
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
