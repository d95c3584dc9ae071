// Byte-code cache. The wheels hold Python sources only, and Pyodide does not write .pyc
// files, so every visit compiles NumPy's and kmeanslab's modules again: about 40% of the
// import. On a visit without the cache the worker lets Python write the .pyc files of what
// it imports, and stores them next to the start-up snapshot (a few MB), under a name made
// of the Pyodide version and the wheels' SHA-256 (so another wheel never meets old byte
// code). The next visit writes them back before the import. Python checks each .pyc
// against its source's size and modification time, and the early-wheel unpacker gives
// every source the same fixed time; a wheel unpacked by Pyodide itself gets the current
// time, so its modules just compile as before.
//
// The build also ships that bundle, made with the page's own Python at build time
// (py/kmeanslab_build/pycache.py), gzipped, and names it in the lock file
// ("kmeanslab_pycache"): a first visit fetches it (checked against its SHA-256) while the
// runtime boots and writes it back the same way, so even the first import reads byte
// code; it then stores the inflated bundle where a cached visit looks. A build without Node
// ships none: the first visit then compiles and saves as above. Byte code that does not
// fit the sources is ignored by Python's own check, which compiles the source instead.

let pendingPycache = null;

/** The Cache Storage URL of the byte code for these wheels (next to the snapshot). */
function pycacheUrl(wheels, pyodideUrl) {
  const all = [...wheels.values()];
  const tag = all.map((w) => `${w.name}-${w.sha256.slice(0, 16)}`).sort().join("_");
  return `${pyodideUrl}pycache-${all[0]?.version}-${tag}.bin`;
}

/**
 * Look up the stored byte code for the wheels ``wheels`` (a promise of the early wheels),
 * else the build's (``shipped``: worker.js's request of it, a promise of {gz, response,
 * abort} or null): resolves to {url, bundle, from}, bundle null when there is none (url
 * null: no cache here), from "cache" or "shipped".
 */
export function lookupPycache(wheels, pyodideUrl, shipped) {
  shipped = Promise.resolve(shipped).catch(() => null);
  return wheels.then(async (seen) => {
    const url = pycacheUrl(seen, pyodideUrl);
    const hit = await self.caches?.match(url);
    if (hit) {
      try {
        const bundle = readBundle(new Uint8Array(await hit.arrayBuffer()));
        shipped.then((s) => s?.abort());
        return { url, bundle, from: "cache" };
      } catch (err) {
        // A stored bundle that fails its check (cut short by a full disk, say) would fail
        // every later visit the same way: it is dropped, and this visit takes the build's
        // bundle (or lets Python write one), which storePycache then saves in its place.
        console.warn(`The stored byte code is damaged (${err.message}): it is replaced.`);
        await forget(url);
      }
    }
    const got = await shippedBundle(url, shipped);
    return { url, bundle: got?.bundle ?? null, from: got ? "shipped" : null, raw: got?.raw };
  }).catch((err) => {
    shipped.then((s) => s?.abort());
    console.warn(`The byte-code cache is not available: ${err.message}`);
    return { url: null, bundle: null, from: null };
  });
}

// How long the start waits for the build's bundle once it needs it (the runtime is up by
// then): compiling from source costs about half a second, so a bundle that has not
// arrived by then (a slow or stalled connection) is dropped rather than waited for.
const SHIPPED_WAIT_MS = 3000;

/** The build's bundle {raw, bundle} when it is the one for these wheels (``url``), else null. */
async function shippedBundle(url, shipped) {
  let timer;
  try {
    const asked = await shipped;
    // (a bundle for other wheels is stale: not used)
    if (!asked || asked.gz !== `${url}.pycz`) return null; // (kmeanslab_build.pycache.SUFFIX)
    const late = new Promise((resolve) => { timer = setTimeout(resolve, SHIPPED_WAIT_MS, null); });
    const got = await Promise.race([readShipped(asked), late]);
    if (!got) {
      asked.abort();
      throw new Error(`it had not arrived ${SHIPPED_WAIT_MS} ms after it was needed`);
    }
    return got;
  } catch (err) {
    console.warn(`The shipped byte code was not used (compiling from source): ${err.message}`);
    return null;
  } finally {
    clearTimeout(timer);
  }
}

async function readShipped(asked) {
  const response = await asked.response;
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const inflated = response.body.pipeThrough(new DecompressionStream("gzip"));
  const raw = new Uint8Array(await new Response(inflated).arrayBuffer());
  return { raw, bundle: readBundle(raw) }; // (throws if it is not a whole bundle)
}

/** Write the stored .pyc files, or let Python write them; ``done()`` after the import. */
export async function usePycache(pyodide, { wheels, unpacked }, pycache) {
  const none = { restored: false, from: null, done: () => {} };
  let seen, cached;
  try {
    [seen, cached] = await Promise.all([wheels, pycache]);
  } catch {
    return none;
  }
  // Only wheels written here have sources with the fixed time the .pyc files expect.
  if (!cached.url || ![...seen.keys()].every((file) => unpacked.has(file))) return none;
  const site = pyodide._api?.sitePackages ?? "/lib/python3.12/site-packages";
  const tops = await topDirs(seen);
  const inside = (rel) => tops.has(rel.split("/", 1)[0]) && /\/__pycache__\/[^/]+\.pyc$/.test(rel)
    && !rel.split("/").includes("..");
  if (cached.bundle) {
    try {
      const { FS } = pyodide;
      for (const [rel, data] of cached.bundle) {
        if (!inside(rel)) continue;
        const path = `${site}/${rel}`;
        FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
        FS.writeFile(path, data);
      }
      // The build's bundle is kept inflated where the next visit looks (storePycache).
      if (cached.raw && self.caches) pendingPycache = { url: cached.url, collect: () => cached.raw };
      return { restored: true, from: cached.from, done: () => {} };
    } catch (err) {
      console.warn(`The byte-code cache was not used: ${err.message}`);
      return none;
    }
  }
  if (!self.caches) return none;
  pyodide.runPython("import sys; sys.dont_write_bytecode = False");
  return {
    restored: false,
    from: null,
    done() {
      pyodide.runPython("import sys; sys.dont_write_bytecode = True");
      pendingPycache = { url: cached.url, collect: () => collectPyc(pyodide, site, tops, inside) };
    },
  };
}

async function topDirs(seen) {
  const tops = new Set();
  for (const w of seen.values()) {
    const { files } = await w.ready;
    for (const f of files ?? []) {
      const top = f.name.split("/", 1)[0];
      if (!top.endsWith(".dist-info")) tops.add(top);
    }
  }
  return tops;
}

/** The .pyc files Python wrote under the wheels' folders, as a bundle's bytes. */
function collectPyc(pyodide, site, tops, inside) {
  const { FS } = pyodide;
  const found = [];
  const walk = (rel) => {
    for (const name of FS.readdir(`${site}/${rel}`)) {
      if (name === "." || name === "..") continue;
      const sub = `${rel}/${name}`;
      const { mode } = FS.stat(`${site}/${sub}`);
      if (FS.isDir(mode)) walk(sub);
      else if (inside(sub)) found.push([sub, FS.readFile(`${site}/${sub}`)]);
    }
  };
  for (const top of tops) {
    try {
      walk(top);
    } catch { /* a top-level module file, not a folder */ }
  }
  return found.length ? writeBundle(found) : null;
}

/** [[name, bytes], ...] as one buffer: a JSON index of names and sizes, then the bytes. */
function writeBundle(entries) {
  const index = new TextEncoder().encode(JSON.stringify(entries.map(([n, d]) => [n, d.length])));
  const out = new Uint8Array(4 + index.length + entries.reduce((a, [, d]) => a + d.length, 0));
  new DataView(out.buffer).setUint32(0, index.length, true);
  out.set(index, 4);
  let at = 4 + index.length;
  for (const [, d] of entries) {
    out.set(d, at);
    at += d.length;
  }
  return out;
}

/** The entries of a bundle (writeBundle); throws unless the bytes are exactly one bundle. */
function readBundle(bytes) {
  if (bytes.length < 4) throw new Error("truncated byte-code bundle");
  const size = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  if (4 + size > bytes.length) throw new Error("truncated byte-code bundle");
  const index = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + size)));
  if (!Array.isArray(index)) throw new Error("not a byte-code bundle");
  let at = 4 + size;
  const out = [];
  for (const [name, length] of index) {
    if (typeof name !== "string" || !Number.isInteger(length) || length < 0) {
      throw new Error("not a byte-code bundle");
    }
    if (at + length > bytes.length) throw new Error("truncated byte-code bundle");
    out.push([name, bytes.subarray(at, at + length)]);
    at += length;
  }
  if (at !== bytes.length) throw new Error("byte-code bundle with trailing bytes");
  return out;
}

/** Drop ``url`` from every cache of this origin (a damaged stored bundle). */
async function forget(url) {
  try {
    const names = await caches.keys();
    await Promise.all(names.map(async (n) => (await caches.open(n)).delete(url)));
  } catch { /* nothing to drop: storePycache overwrites it anyway */ }
}

/** Put the byte code collected by the last uncached import into the cache ``cache``. */
export async function storePycache(cache) {
  const pyc = pendingPycache;
  pendingPycache = null;
  if (!pyc || !self.caches || typeof cache !== "string") return;
  try {
    const bytes = pyc.collect();
    // (a cache deleted meanwhile by a newer build's activation is not made again)
    if (bytes && await caches.has(cache)) {
      const response = new Response(bytes, { headers: { "Content-Type": "application/octet-stream" } });
      await (await caches.open(cache)).put(pyc.url, response);
    }
  } catch (err) {
    console.warn(`The byte-code cache was not saved: ${err.message}`);
  }
}
