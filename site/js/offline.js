// Registers the service worker (sw.js) once Python is ready, so that its downloads never
// compete with the first start; then lets the worker save its start-up snapshot into the
// service worker's cache, and says in the footer that the page works offline.

const SW_URL = new URL("../sw.js", import.meta.url);
const SCOPE = new URL("../", import.meta.url);

function note(text) {
  const el = document.getElementById("offline-note");
  if (el) el.textContent = text;
}

/** Ask a service worker for its build: resolves {version, cache} (nulls if none). */
export function buildOf(worker) {
  if (!worker) return Promise.resolve({ version: null, cache: null });
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = ({ data }) => resolve({ version: data.version, cache: data.cache });
    worker.postMessage({ type: "kmeanslab:version" }, [channel.port2]);
  });
}

/**
 * Register sw.js after ``engine.ready``. Resolves with the registration, or null where
 * service workers are unavailable (file://, some private modes): the page works the
 * same there, only not offline.
 */
export async function registerOffline(engine) {
  const sw = navigator.serviceWorker;
  if (!sw || !/^https?:$/.test(location.protocol)) return null;
  try {
    await engine.ready;
  } catch {
    return null; // Python failed: nothing worth caching
  }
  try {
    const reg = await sw.register(SW_URL, { scope: SCOPE.href, type: "classic", updateViaCache: "none" });
    const active = (await sw.ready).active;
    // A registration that exists already is not re-checked by register(): look for a new
    // build now. Its service worker takes over at once and deletes the old cache; this
    // page keeps running the version it started with until it is reloaded.
    const hadController = Boolean(sw.controller);
    sw.addEventListener("controllerchange", () => {
      if (hadController) note("A new version is saved on this device: reload to use it.");
    });
    reg.update().catch(() => {}); // offline, or the server is gone: keep the cached build
    const { cache } = await buildOf(active);
    if (cache) engine.storeSnapshot(cache);
    note("Saved on this device: works offline.");
    return reg;
  } catch (err) {
    console.warn(`Offline use is not available: ${err.message}`);
    return null;
  }
}
