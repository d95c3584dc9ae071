// Registers the service worker (sw.js) once Python is ready, so that its downloads never
// compete with the first start, and says in the footer when the page works offline.

const SW_URL = new URL("../sw.js", import.meta.url);
const SCOPE = new URL("../", import.meta.url);

function note(text) {
  const el = document.getElementById("offline-note");
  if (el) el.textContent = text;
}

/** The service worker's build version, or null when none controls this page yet. */
export function activeVersion() {
  const sw = navigator.serviceWorker;
  if (!sw?.controller) return Promise.resolve(null);
  return new Promise((resolve) => {
    const onMessage = ({ data }) => {
      if (data?.type !== "kmeanslab:version") return;
      sw.removeEventListener("message", onMessage);
      resolve(data.version);
    };
    sw.addEventListener("message", onMessage);
    sw.controller.postMessage({ type: "kmeanslab:version" });
  });
}

/**
 * Register sw.js after ``ready`` resolves. Resolves with the registration, or null
 * where service workers are unavailable (file://, some private modes): the page works
 * the same, only not offline.
 */
export async function registerOffline(ready) {
  const sw = navigator.serviceWorker;
  if (!sw || !/^https?:$/.test(location.protocol)) return null;
  try {
    await ready;
  } catch {
    return null; // Python failed: nothing worth caching
  }
  try {
    const reg = await sw.register(SW_URL, { scope: SCOPE.href, type: "classic", updateViaCache: "none" });
    await sw.ready;
    note("Saved on this device: works offline.");
    return reg;
  } catch (err) {
    console.warn(`Offline use is not available: ${err.message}`);
    return null;
  }
}
