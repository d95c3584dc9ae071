// Helpers of the Image panel's jobs: what each stage of the worker is called, a promise
// that gives up at once on Cancel, and a wait for an idle moment.

export const STAGES = {
  queued: "starting", "reading pixels": "reading the pixels", "counting colors": "counting colors",
  "grouping colors": "grouping colors", seeding: "choosing the first colors", "k-means iteration": "k-means",
  "mini-batch step": "mini-batch k-means", "assigning colors": "k-means", "random swap": "random swap",
  measuring: "measuring", "mapping pixels": "drawing", dithering: "dithering", drawing: "drawing",
};

/** `promise`, or an AbortError as soon as `signal` aborts (the worker may answer later). */
export function untilAborted(promise, signal) {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new DOMException("Cancelled", "AbortError"));
    if (signal.aborted) { onAbort(); return; }
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Resolve when the browser is idle (start-up work first), or after `ms` at most. */
export const idle = (ms = 1500) => new Promise((resolve) => (self.requestIdleCallback
  ? requestIdleCallback(() => resolve(), { timeout: ms }) : setTimeout(resolve, 50)));
