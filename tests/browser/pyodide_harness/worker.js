// Runs the native pytest suite inside Pyodide: loads the packages named by
// ../suite/manifest.json from the dist's lock, writes the test files and the pytest
// wheels into Pyodide's file system, then hands over to run_suite.py.
import { loadPyodide } from "../pyodide/pyodide.mjs";

const SUITE_URL = new URL("../suite/", import.meta.url);
const post = (message) => self.postMessage(message);
const say = (text) => post({ type: "status", text });
const out = (text) => post({ type: "out", text });

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function writeFile(pyodide, path, bytes) {
  pyodide.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
  pyodide.FS.writeFile(path, bytes);
}

async function run() {
  const manifest = await (await fetch(new URL("manifest.json", SUITE_URL))).json();
  const pyodide = await loadPyodide({ indexURL: new URL("../pyodide/", import.meta.url).href });
  say(`Loading ${manifest.packages.join(", ")}…`);
  await pyodide.loadPackage(manifest.packages, {
    messageCallback: (m) => out(`${m}\n`),
    errorCallback: (m) => out(`${m}\n`),
  });
  say("Writing the tests…");
  const wheelDir = "/tmp/test-wheels";
  for (const rel of manifest.wheels) {
    writeFile(pyodide, `${wheelDir}/${rel.split("/").pop()}`, await fetchBytes(new URL(rel, SUITE_URL)));
  }
  for (const rel of manifest.files) {
    writeFile(pyodide, `${manifest.root}/${rel}`, await fetchBytes(new URL(rel, SUITE_URL)));
  }
  writeFile(pyodide, "/tmp/harness/run_suite.py", await fetchBytes(new URL("run_suite.py", import.meta.url)));
  say("Running pytest…");
  pyodide.runPython("import sys; sys.path.insert(0, '/tmp/harness')");
  const runSuite = pyodide.pyimport("run_suite");
  try {
    const [exitCode, output] = runSuite.main(wheelDir, manifest.root, manifest.args, out).toJs();
    post({ type: "done", exit_code: exitCode, output });
  } finally {
    runSuite.destroy();
  }
}

run().catch((err) => post({ type: "error", message: err.stack || String(err) }));
