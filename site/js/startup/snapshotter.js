// Makes Python's start-up snapshot aside from the page's worker (see snapshot.js): starts
// an interpreter, warms its imports, loads and imports the start-up packages, takes the
// snapshot, stores it, answers, and is ended.
import { storeSnapshotBytes, takeSnapshotsAside } from "./snapshot.js";
// (fetched with this worker's own script, at its start: snapshot.js imports it only once
// the bare snapshot is taken, seconds later, when the page may be at work on a file the
// user gave it, and the page then shows no request of any kind)
import "./packages-in-snapshot.js";

self.onmessage = async ({ data: { pyodideUrl, url, cache, packages, module } }) => {
  try {
    const [{ loadPyodide }, lock] = await Promise.all([
      import(`${pyodideUrl}pyodide.mjs`),
      fetch(`${pyodideUrl}pyodide-lock.json`).then((r) => r.json()),
    ]);
    const pyodide = await loadPyodide({ indexURL: pyodideUrl, _makeSnapshot: true });
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
