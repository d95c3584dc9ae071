// Starts the Python worker while the HTML is still being parsed. A classic script in the
// head runs at once, where the module scripts (boot.js and its imports) run only after
// the document is parsed and their whole import graph has arrived: starting here gains
// the time of those fetches (a few hundred ms on a first visit, more on a slow network),
// and the runtime boot is the longest step of the start-up. The engine (engine.js) adopts
// this worker and replays the messages it sent before the engine was there to hear them.
// A classic script, not a module: it cannot import; it shares the ?startup= rule with
// engine.js's workerUrlFor, which checks that the URLs are equal before adopting.
(() => {
  try {
    const url = new URL("worker.js", document.currentScript.src);
    const startup = new URL(location.href).searchParams.get("startup");
    const skip = new Set(startup?.split(",") ?? []); // (tricks left out, as in worker.js)
    // (left out for measuring: the engine then starts the worker once the modules ran)
    if (skip.has("no-early-worker")) return;
    if (startup) url.searchParams.set("startup", startup);
    const helped = !skip.has("no-early");
    // (the name tells worker.js to wait for the helper's port: see PORT_COMING there)
    const worker = new Worker(url, helped
      ? { type: "module", name: "kmeanslab:python+wheels-port" } : { type: "module" });
    const early = [];
    worker.onmessage = (event) => early.push({ data: event.data });
    worker.onerror = (event) => {
      event.preventDefault();
      early.push({ error: event.message || "unknown error" });
    };
    self.kmeanslabEarlyWorker = { worker, url: url.href, early };
    // The early wheels' helper (startup/unzip-worker.js), started here rather than by the
    // Python worker: that one's thread is busy from the runtime's start on, and a helper
    // it started (traced) often began downloading only once the runtime was up. The
    // Python worker sends the helper its jobs on this channel.
    if (helped) {
      const helper = new Worker(new URL("startup/unzip-worker.js", url), { type: "module" });
      const { port1, port2 } = new MessageChannel();
      helper.postMessage({ type: "port" }, [port1]);
      worker.postMessage({ type: "kmeanslab:wheels-port" }, [port2]);
      self.kmeanslabEarlyWorker.helper = helper; // (ended by the engine if not adopted)
    }
  } catch {
    // No module workers here: the engine tries again itself and says what is missing.
  }
})();
