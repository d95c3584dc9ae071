// Registers the service worker (sw.js) once Python is ready, so that its downloads never
// compete with the first start; then lets the worker save its start-up snapshot into the
// service worker's cache, and says in the footer that the page works offline. When a new
// build has been saved, the footer offers to switch to it (see sw.js for why the page,
// not the service worker, decides when).

const SW_URL = new URL("../sw.js", import.meta.url);
const SCOPE = new URL("../", import.meta.url);

function note(text) {
  const el = document.getElementById("offline-note");
  if (el) el.textContent = text;
  return el;
}

/** Packages loaded on first use (not at install): what each one serves, in the footer. */
const ON_DEMAND = [
  ["scikit_learn-", "Compare with scikit-learn"],
  ["matplotlib-", "figure downloads"],
  ["pillow-", "uncommon image formats (TIFF, PPM, ...)"],
];

/** The features whose packages are not yet saved in the cache named ``cache``. */
async function notSaved(cache) {
  try {
    const keys = (await (await caches.open(cache)).keys()).map((r) => r.url);
    return ON_DEMAND.filter(([file]) => !keys.some((url) => url.includes(`/pyodide/${file}`))).map(([, what]) => what);
  } catch {
    return ON_DEMAND.map(([, what]) => what);
  }
}

const list = (items) => (items.length < 2 ? items.join("")
  : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`);

/**
 * Say in the footer what works offline, and, offline, say so: the three panels, the
 * sample photos and the digits are saved at install; the packages loaded on first use
 * are saved only once used.
 */
async function sayOffline(cache) {
  const missing = cache ? await notSaved(cache) : ON_DEMAND.map(([, what]) => what);
  const saved = "the three panels, the sample photos and the digits";
  if (document.querySelector("#offline-note button")) return; // an update offer stays
  const what = list(missing);
  const need = missing.length
    ? ` ${what.charAt(0).toUpperCase()}${what.slice(1)} ${missing.length > 1 ? "need" : "needs"} a connection the first time.`
    : "";
  if (navigator.onLine === false) {
    note(`You are offline. Saved on this device and working: ${saved}.${need}`);
  } else {
    note(`Saved on this device: ${saved} work offline.${need}`);
  }
}

/**
 * Offer the waiting service worker ``waiting`` (a new build, fully cached): a button stops
 * this page's Python worker, lets the new build take over and reloads into it. Without a
 * click, the new build starts once every page of the old one is closed.
 */
function offerUpdate(waiting, engine) {
  const el = note("A new version is saved on this device. ");
  if (!el || el.querySelector("button")) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "update-button";
  button.textContent = "Update now";
  button.addEventListener("click", () => {
    button.disabled = true;
    button.textContent = "Updating…";
    navigator.serviceWorker.addEventListener("controllerchange", () => location.reload(), { once: true });
    engine.terminate(); // its Python worker would keep the old build busy
    waiting.postMessage({ type: "kmeanslab:activate" });
    setTimeout(() => {
      note("Close the other kmeans-lab tabs to finish the update, then reload this one.");
    }, 15000);
  });
  el.append(button);
}

/** Watch ``reg`` for a new build that finished installing while this page runs. */
function watchUpdates(reg, engine) {
  const sw = navigator.serviceWorker;
  if (reg.waiting && sw.controller) offerUpdate(reg.waiting, engine);
  reg.addEventListener("updatefound", () => {
    const worker = reg.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed" && sw.controller) offerUpdate(worker, engine);
    });
  });
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
    // build now. It installs beside the old one and waits (see offerUpdate).
    const hadController = Boolean(sw.controller);
    sw.addEventListener("controllerchange", () => {
      // Another tab switched to the new build: this page still runs the old one.
      if (hadController) note("A new version is active: reload this page to use it.");
    });
    const { cache } = await buildOf(active);
    if (cache) engine.storeSnapshot(cache);
    await sayOffline(cache);
    for (const type of ["online", "offline"]) window.addEventListener(type, () => sayOffline(cache));
    watchUpdates(reg, engine);
    reg.update().catch(() => {}); // offline, or the server is gone: keep the cached build
    return reg;
  } catch (err) {
    console.warn(`Offline use is not available: ${err.message}`);
    return null;
  }
}
