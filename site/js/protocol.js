// The worker protocol, in one place. Both sides import these names.
//
// page -> worker   {type: CALL, id, op, args}        run kmeanslab.app.<op>(**args)
//                  {type: LOAD, id, packages}         load more Pyodide packages (e.g. pillow)
//                  {type: CANCEL, id}                 stop job id (the running one: the page
//                                                     sends one job at a time, and replaces a
//                                                     worker that does not confirm in time)
//                  {type: STORE_SNAPSHOT, cache}      save the start-up snapshot into that
//                                                     Cache Storage cache
// worker -> page   {type: STATUS, state, message, timings?}   loading | ready | error
//                  (timings: runtime, packages, import, total ms; snapshot: started from one)
//                  {type: PROGRESS, id, value}        a record yielded by a long op
//                  {type: RESULT, id, value}          exactly one RESULT or ERROR per call
//                  {type: ERROR, id, error: {name, message, traceback}}
//                  {type: STORE_SNAPSHOT, outcome, message}   how saving it went
//
// Typed arrays in args and values cross as transferables, never as JSON.

export const MSG = Object.freeze({
  CALL: "call",
  LOAD: "load",
  CANCEL: "cancel",
  STORE_SNAPSHOT: "store-snapshot",
  STATUS: "status",
  PROGRESS: "progress",
  RESULT: "result",
  ERROR: "error",
});

/** Every ArrayBuffer reachable in a plain value, for postMessage's transfer list. */
export function transferables(value, found = new Set()) {
  if (value == null || typeof value !== "object") return [...found];
  if (ArrayBuffer.isView(value)) {
    found.add(value.buffer);
  } else if (value instanceof ArrayBuffer) {
    found.add(value);
  } else {
    for (const v of Object.values(value)) transferables(v, found);
  }
  return [...found];
}
