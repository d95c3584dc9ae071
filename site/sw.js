// Service worker: the app and its Python runtime from a cache, so a second visit starts
// fast and works with no network at all.
//
// The build replaces the BUILD line below with this build's manifest: a version (a hash
// of every file's SHA-256), each file's SHA-256 (as a Subresource Integrity string) and
// the "core" files fetched at install (the app shell, the Pyodide runtime, NumPy and
// kmeanslab, and the two sample photos and the digits, small enough to save at once, so
// they open offline from the first visit). Other listed files (scikit-learn, Pillow,
// matplotlib) are cached the first time the page asks for them. A new build is a new sw.js, so the browser installs
// it; it waits until no page runs the old build (or until the page asks it to take over,
// after stopping its Python worker), and on activation every cache of an older build is
// deleted.
//
// Why no skipWaiting() at install: Chrome activates a skip-waiting worker only once the
// old one has no work in flight, and a running Pyodide worker of the old page counts as
// work until it ends. A reload then waits on an activation that waits on the old page:
// the navigation hung for minutes. So the page decides (js/offline.js).
//
// All paths are relative to this file's folder, so dist/ works under any sub-path.

const BUILD = null; // @build-manifest: replaced by py/kmeanslab_build/offline.py
const PREFIX = "kmeanslab-";
const CACHE = BUILD ? `${PREFIX}${BUILD.version}` : null;
const BASE = new URL("./", self.location).href;

/** The dist-relative path of a same-scope URL ("" is the folder itself), or null. */
function relPath(url) {
  const u = new URL(url);
  if (!u.href.startsWith(BASE)) return null;
  const rel = decodeURIComponent(u.pathname.slice(new URL(BASE).pathname.length));
  return rel === "" ? "index.html" : rel;
}

/** Fetch one file checked against its SHA-256: from the HTTP cache when it is there. */
async function fetchChecked(rel) {
  const url = new URL(rel, BASE).href;
  const integrity = BUILD.files[rel];
  try {
    // After a first visit the page has just downloaded these: take the HTTP cache's copy
    // (no second download); the integrity check rejects a copy from an older build.
    return await fetch(url, { cache: "force-cache", integrity });
  } catch {
    return fetch(url, { cache: "reload", integrity });
  }
}

async function addOne(cache, rel) {
  const response = await fetchChecked(rel);
  if (!response.ok) throw new Error(`${rel}: HTTP ${response.status}`);
  await cache.put(new URL(rel, BASE).href, response);
}

/**
 * Serve the core files straight from this build's cache, without running this worker's
 * fetch handler (Chromium's static routing, InstallEvent.addRoutes; elsewhere the handler
 * serves them the same way). On a cached visit the page and its workers ask for about 50
 * of them at once, and each fetch event waited its turn on this worker's thread, on a
 * 2-core machine behind the Python worker's start: traced, the Python worker's imports of
 * pyodide.mjs and its own modules arrived 250-450 ms after its start, against 60-80 ms
 * from the network on a first visit. Only the exact URLs the cache holds (no query: a
 * URL with one still goes to the handler, which ignores it); a file the cache lacks goes
 * to the network, as the handler would do.
 *
 * The routes' promise is passed to the install's waitUntil: the specification makes
 * addRoutes extend the install event's lifetime, but Chromium (addRoutes there sends the
 * rules to the browser process and resolves on its answer) does not, so without it the
 * install could finish before the rules are registered. A rejection is caught: without
 * routes the fetch handler serves everything, so it must not fail the install.
 */
function addCacheRoutes(event) {
  if (typeof event.addRoutes !== "function") return;
  const escape = (path) => path.replace(/[\\:*?()+{}]/g, "\\$&");
  const rules = BUILD.core.map((rel) => ({
    condition: {
      urlPattern: { pathname: escape(new URL(rel, BASE).pathname), search: "" },
      requestMethod: "GET",
    },
    source: { cacheName: CACHE },
  }));
  const warn = (err) => {
    console.warn(`Static routes not added (the fetch handler serves everything): ${err.message}`);
  };
  try {
    event.waitUntil(Promise.resolve(event.addRoutes(rules)).catch(warn));
  } catch (err) {
    warn(err);
  }
}

self.addEventListener("install", (event) => {
  if (!BUILD) return;
  addCacheRoutes(event);
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const have = new Set((await cache.keys()).map((r) => r.url));
    const missing = BUILD.core.filter((rel) => !have.has(new URL(rel, BASE).href));
    // A few at a time: the page may be busy with its own downloads.
    for (let i = 0; i < missing.length; i += 4) {
      await Promise.all(missing.slice(i, i + 4).map((rel) => addOne(cache, rel)));
    }
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

/** A listed file: from this build's cache, else fetched, checked and cached. */
async function listed(request, rel) {
  const cache = await caches.open(CACHE);
  const key = new URL(rel, BASE).href;
  const hit = await cache.match(key);
  if (hit) return hit;
  const response = await fetchChecked(rel);
  if (response.ok) await cache.put(key, response.clone());
  return response;
}

/** Anything else in scope: the network, and the cache as a fallback offline. */
async function passthrough(request) {
  try {
    return await fetch(request);
  } catch (err) {
    const hit = CACHE && await caches.match(request, { ignoreSearch: true, cacheName: CACHE });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || !BUILD) return;
  const rel = relPath(request.url);
  if (rel === null) return;
  if (Object.hasOwn(BUILD.files, rel) && !request.headers.has("range")) {
    event.respondWith(listed(request, rel));
  } else {
    event.respondWith(passthrough(request));
  }
});

// The page asks which build is active, on a MessageChannel port (or as a reply); or tells
// a waiting worker to take over now (it has stopped its own Python worker first).
self.addEventListener("message", (event) => {
  if (event.data?.type === "kmeanslab:activate") {
    event.waitUntil(self.skipWaiting());
    return;
  }
  if (event.data?.type !== "kmeanslab:version") return;
  const reply = { type: "kmeanslab:version", version: BUILD?.version ?? null, cache: CACHE };
  if (event.ports[0]) event.ports[0].postMessage(reply);
  else event.source?.postMessage(reply);
});
