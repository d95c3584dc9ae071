// Run by py/kmeanslab_build/pycache.py (the build), in Node: start the vendored Pyodide
// from dist/pyodide/, load the page's start-up packages, give their sources the fixed time
// the page's wheel unpacker gives them (site/js/startup/early-wheels.js), import what the
// page's worker imports at start-up, and write the .pyc files Python wrote under the
// wheels' folders into OUT (same relative paths as in site-packages).
//   node pycache_node.mjs PYODIDE_DIR OUT MTIME_S MODULE,... PACKAGE,... TOP,...
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, out, mtime, modules, packages, tops] = process.argv.slice(2);
const indexURL = pyodideDir.endsWith("/") ? pyodideDir : `${pyodideDir}/`;
const { loadPyodide } = await import(pathToFileURL(join(indexURL, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL, stdout: () => {}, stderr: (s) => console.error(s) });
await pyodide.loadPackage(packages.split(","), { messageCallback: () => {} });
pyodide.globals.set("TOPS", tops.split(","));
pyodide.globals.set("MTIME", Number(mtime));
pyodide.globals.set("MODULES", modules.split(","));
const found = pyodide.runPython(`
import importlib, os, site, sys
root = site.getsitepackages()[0]
for top in TOPS:
    for folder, _, names in os.walk(os.path.join(root, top)):
        for name in names:
            if name.endswith(".py"):
                os.utime(os.path.join(folder, name), (MTIME, MTIME))
sys.dont_write_bytecode = False
for module in MODULES:
    importlib.import_module(module)
sys.dont_write_bytecode = True
found = []
for top in TOPS:
    for folder, _, names in os.walk(os.path.join(root, top)):
        if os.path.basename(folder) == "__pycache__":
            for name in names:
                if name.endswith(".pyc"):
                    found.append(os.path.relpath(os.path.join(folder, name), root))
sorted(found), root
`).toJs();
const [files, root] = found;
for (const rel of files) {
  const path = join(out, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, pyodide.FS.readFile(`${root}/${rel}`));
}
console.log(JSON.stringify({ files: files.length, root }));
