// Run by py/kmeanslab_build/startup_snapshot.py (the build), in Node: start the vendored
// Pyodide from dist/pyodide/ with _makeSnapshot, and write the page's own bare start-up
// snapshot (dist/js/startup/snapshot.js's takeSnapshot: the same warm-up imports, the same
// packing) to OUT.
//   node startup_snapshot_node.mjs PYODIDE_DIR SNAPSHOT_JS OUT
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, snapshotJs, out] = process.argv.slice(2);
// Emscripten names the program after Node's script (process.argv[1]): Python's
// sys.executable and $_ would hold this machine's path. The page's are "./this.program".
process.argv[1] = "./this.program";
const indexURL = pyodideDir.endsWith("/") ? pyodideDir : `${pyodideDir}/`;
const { loadPyodide } = await import(pathToFileURL(join(indexURL, "pyodide.mjs")).href);
const { takeSnapshot } = await import(pathToFileURL(snapshotJs).href);
// (LANG: Emscripten takes it from navigator.languages where there is one, else C.UTF-8;
// the page's Python uses no locale, so whichever it is here does not matter there)
const pyodide = await loadPyodide({ indexURL, _makeSnapshot: true, stdout: () => {},
  stderr: (s) => console.error(s) });
const bytes = takeSnapshot(pyodide);
writeFileSync(out, bytes);
console.log(JSON.stringify({ bytes: bytes.length }));
