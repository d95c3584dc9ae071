// The start-up snapshot with NumPy and kmeanslab loaded and imported (see snapshot.js).
//
// Pyodide 0.27's memory snapshot is the interpreter's linear memory. After loadPackage, that
// memory also holds the data of NumPy's shared libraries and the Python objects that point
// into their code (through the wasm function table), but their code itself (the wasm
// instances, their table entries, the dynamic linker's JS bookkeeping) lives outside it. So a
// snapshot taken after the import is usable only if a later start loads the same libraries
// again at the same places: the same memory base (their data is already in the snapshot's
// heap, allocated by malloc at the time) and the same table base. The maker records each
// library's bases in load order; a restore then loads each one with an emscripten "handle"
// that carries them (loadWebAssemblyModule's path for a library already placed, meant for
// threads), so nothing is allocated again and the table grows exactly as it did; then it
// writes the snapshot's memory back over what instantiating the libraries wrote (their data
// segments, relocations, constructors), so the heap is exactly the maker's. (Caveat: what
// Pyodide allocated between restoring the snapshot and this write-back is freed by it;
// in 0.27.7 that is finalizeBootstrap's API.runPythonInternal_dict, which nothing calls
// after start-up. Check again on a Pyodide upgrade.)
//
// A cached visit then skips loadPackage's Python side and the import (about 0.65 s there,
// traced: 376 ms packages + 272 ms import, both slow right after a snapshot start because the
// interpreter's wasm code is not optimized yet). The files are still written (lazy imports,
// importlib.metadata), from the early wheels. Any mismatch (another table length, a library
// that loads another one, a wheel that is not the recorded one) is refused before anything
// is changed, or fails the start, which then starts afresh (worker.js).

import { compiledBySize, findCompiled, writeWheel } from "./early-wheels.js";

/**
 * Load ``packages`` into ``pyodide`` (started with _makeSnapshot, the base snapshot already
 * taken), import ``module``, and take the snapshot. Returns {meta, bytes}: meta {packages:
 * {name: channel}, wheels: {file name: sha256}, dynlibs: [{name, global, memoryBase,
 * tableBase}], tableAfter}. Throws where such a snapshot cannot be made (the caller then
 * keeps the base one).
 */
export async function takePackageSnapshot(pyodide, packages, module, lock) {
  const M = pyodide._module;
  if (!M?.wasmTable || typeof M.loadDynamicLibrary !== "function") {
    throw new Error("no dynamic linker to record");
  }
  const dynlibs = [];
  const bases = [];
  const nativeLoad = M.loadDynamicLibrary;
  const nativeInstantiate = WebAssembly.instantiate;
  M.loadDynamicLibrary = function (name, flags) {
    dynlibs.push({ name, global: Boolean(flags?.global), tableAt: M.wasmTable.length });
    return nativeLoad.apply(this, arguments);
  };
  WebAssembly.instantiate = function (source, imports) {
    // (a side module's imports: its bases, read from emscripten's import proxy)
    if (imports?.["GOT.mem"] && imports.env) {
      bases.push({ memoryBase: imports.env.__memory_base, tableBase: imports.env.__table_base });
    }
    return nativeInstantiate.apply(this, arguments);
  };
  try {
    await pyodide.loadPackage(packages, { messageCallback: () => {} });
  } finally {
    M.loadDynamicLibrary = nativeLoad;
    WebAssembly.instantiate = nativeInstantiate;
  }
  const tableAfter = M.wasmTable.length;
  // One instance per load, each at the table's end: no library loaded another one (that
  // one would be placed by malloc on a restore, not at its recorded base).
  if (bases.length !== dynlibs.length) throw new Error(`${dynlibs.length} loads, ${bases.length} libraries`);
  dynlibs.forEach((lib, i) => {
    if (bases[i].tableBase !== lib.tableAt && bases[i].tableBase !== 0) {
      throw new Error(`${lib.name}: table base ${bases[i].tableBase}, table at ${lib.tableAt}`);
    }
    Object.assign(lib, bases[i], { tableBase: lib.tableAt });
  });
  pyodide.pyimport(module).destroy();
  // (the import resolved nothing through the table: a restore rebuilds it to here only)
  if (M.wasmTable.length !== tableAfter) throw new Error("the import grew the function table");
  const wheels = {};
  for (const name of Object.keys(pyodide.loadedPackages)) {
    const pkg = lock.packages?.[name];
    if (!pkg) throw new Error(`${name} is not in the lock file`);
    wheels[pkg.file_name] = pkg.sha256;
  }
  // Pyodide checks that the JS object of loaded packages is still empty (as at its start);
  // it is emptied for the snapshot and refilled on a restore from ``packages``.
  const loaded = { ...pyodide.loadedPackages };
  for (const name of Object.keys(loaded)) delete pyodide.loadedPackages[name];
  let bytes;
  try {
    bytes = pyodide.makeMemorySnapshot();
  } finally {
    Object.assign(pyodide.loadedPackages, loaded);
  }
  return { meta: { packages: loaded, wheels, dynlibs, tableAfter }, bytes };
}

/**
 * An instance whose data relocations are not applied: they only write the addresses of
 * the library's data into its data, which the memory write-back (restorePackages) puts
 * back as the maker left them anyway (NumPy's core library has thousands: traced, a large
 * part of instantiating it). Its constructors still run (they may set more than memory).
 */
function placed({ module, instance }) {
  const exports = { ...instance.exports, __wasm_apply_data_relocs: () => {} };
  return { module, instance: { exports } };
}

/**
 * After a start from a package snapshot: write the wheels' files (the early wheels,
 * ``early``: early-wheels.js), load the recorded libraries at their recorded places, write
 * the snapshot's memory ``memory`` back, and mark the packages loaded. Throws if anything
 * differs from the record (the interpreter is then unusable: start afresh).
 */
export async function restorePackages(pyodide, meta, memory, early) {
  const M = pyodide._module;
  const t0 = performance.now();
  const byFile = await early.wheels;
  const site = pyodide._api?.sitePackages ?? "/lib/python3.12/site-packages";
  const wheels = new Map();
  for (const [file, sha] of Object.entries(meta.wheels)) {
    const w = byFile.get(file);
    if (!w || w.sha256 !== sha) throw new Error(`${file} is not the wheel the snapshot was made with`);
    wheels.set(file, await w.ready);
  }
  for (const [file, wheel] of wheels) {
    const kw = {
      buffer: wheel.bytes, filename: file, extract_dir: site,
      installer: "pyodide.loadPackage", source: "pyodide",
    };
    if (!writeWheel(pyodide, wheel, kw)) throw new Error(`${file} could not be written here`);
    early.unpacked.add(file);
    early.stats.js_unpacked = (early.stats.js_unpacked ?? 0) + 1;
  }
  const t1 = performance.now();
  const precompiled = compiledBySize(wheels);
  const nativeInstantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = function (source, imports) {
    const module = ArrayBuffer.isView(source) ? findCompiled(precompiled, source) : null;
    if (!module) return nativeInstantiate.apply(this, arguments).then(placed);
    early.stats.precompiled = (early.stats.precompiled ?? 0) + 1;
    return nativeInstantiate.call(this, module, imports).then((instance) => placed({ module, instance }));
  };
  const fs = { findObject: (path, quiet) => M.FS.findObject(path, quiet), readFile: (path) => M.FS.readFile(path) };
  const handle = M._PyMem_RawMalloc(64); // (freed by the memory write-back below)
  try {
    for (const lib of meta.dynlibs) {
      if (M.wasmTable.length !== lib.tableBase) {
        throw new Error(`${lib.name}: the function table is at ${M.wasmTable.length}, not ${lib.tableBase}`);
      }
      // emscripten's struct dso: +8 loaded, +12 memory base, +20 table base, +28 data
      M.HEAPU8.fill(0, handle, handle + 64);
      M.HEAPU8[handle + 8] = 1;
      M.HEAPU32[(handle + 12) >> 2] = lib.memoryBase;
      M.HEAPU32[(handle + 20) >> 2] = lib.tableBase;
      const flags = { loadAsync: true, nodelete: true, allowUndefined: true, global: lib.global, fs };
      await M.loadDynamicLibrary(lib.name, flags, lib.global ? null : {}, handle);
      delete M.LDSO.loadedLibsByHandle[handle];
      // (as Pyodide's loadDynlib: the library is found by its base name too)
      const base = lib.name.slice(lib.name.lastIndexOf("/") + 1);
      M.LDSO.loadedLibsByName[base] ??= M.LDSO.loadedLibsByName[lib.name];
    }
  } finally {
    WebAssembly.instantiate = nativeInstantiate;
  }
  if (M.wasmTable.length !== meta.tableAfter) {
    throw new Error(`the function table ends at ${M.wasmTable.length}, not ${meta.tableAfter}`);
  }
  const t2 = performance.now();
  M.HEAP8.set(new Int8Array(memory.buffer, memory.byteOffset, memory.byteLength));
  Object.assign(pyodide.loadedPackages, meta.packages);
  // (ms: waiting for the wheels and writing their files; the libraries; the memory)
  Object.assign(early.stats, {
    restore_files: Math.round(t1 - t0), restore_libs: Math.round(t2 - t1),
    restore_memory: Math.round(performance.now() - t2),
  });
}
