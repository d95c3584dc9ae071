// The postMessage API of an embedded panel (see README, "Embedding").
//
// host -> embed   {type: "kmeanslab:set", params?: {...}, points?: [x0, y0, x1, y1, ...],
//                  run?: true}                    set fields (and Points data), then run
//                 {type: "kmeanslab:run"}         run with the current settings
//                 {type: "kmeanslab:preset", name} a Points preset (e.g. "moons-kmeans")
//                 {type: "kmeanslab:get"}         send the current result again
//                 {type: "kmeanslab:code" | "kmeanslab:notebook", flavour?}  the Python /
//                                                 notebook behind the result (js/export/host.js)
// embed -> host   {type: "kmeanslab:ready", panel}            Python is ready
//                 {type: "kmeanslab:state", state}            loading | ready | busy | error
//                 {type: "kmeanslab:height", height}          content height in CSS px
//                 {type: "kmeanslab:result", panel, result}   after each new result
//                 {type: "kmeanslab:error", message}          a message could not be used
//
// Messages are accepted only from the parent window, and only from this page's own
// origin or an origin the embedder listed in the URL (?origin=https://host.example;
// "*" allows any). Results go only to those origins; height and state (which carry no
// data) go to any parent, so that an iframe can size itself wherever it is.
import { ALIASES, whenIdle } from "./embed.js";
import { exportMessage } from "./export/host.js";
import { PRESETS } from "./panels/points/fields.js";

const PREFIX = "kmeanslab:";
const MAX_POINTS = 200_000;
/** Result fields too bulky for a message (pixels, point clouds, timings). */
const BULKY = new Set(["rgba", "cloud", "cloud_colors", "pixels", "timing", "embedding"]);

export class HostApi {
  constructor({ panelName, panel, engine, origins }) {
    this.panelName = panelName;
    this.panel = panel;
    this.engine = engine;
    this.origins = origins;
    this.sent = null;
    this.parent = window.parent !== window ? window.parent : null;
    if (!this.parent) return;
    window.addEventListener("message", (event) => this.receive(event));
    engine.ready.then(() => this.post({ type: `${PREFIX}ready`, panel: panelName }), () => {});
    this.watchState();
    this.watchHeight();
  }

  allowed(origin) {
    return origin === location.origin || this.origins.includes("*") || this.origins.includes(origin);
  }

  /** Post to the parent: anywhere for ``public`` messages, else to allowed origins only. */
  post(message, { isPublic = true } = {}) {
    if (!this.parent) return;
    if (isPublic || this.origins.includes("*")) {
      this.parent.postMessage(message, "*");
      return;
    }
    for (const origin of new Set([location.origin, ...this.origins])) {
      this.parent.postMessage(message, origin);
    }
  }

  watchState() {
    const root = document.documentElement;
    let last = root.dataset.state;
    new MutationObserver(() => {
      const state = root.dataset.state;
      if (state === last) return;
      last = state;
      this.post({ type: `${PREFIX}state`, state });
      if (state === "ready") this.sendResult();
    }).observe(root, { attributes: true, attributeFilter: ["data-state"] });
  }

  watchHeight() {
    let last = 0;
    const measure = () => {
      const height = Math.ceil(document.body.getBoundingClientRect().height);
      if (height === last) return;
      last = height;
      this.post({ type: `${PREFIX}height`, height });
    };
    new ResizeObserver(measure).observe(document.body);
    measure();
  }

  /** The panel's result as plain data, without the bulky parts. */
  result() {
    const r = this.panel.result;
    if (!r || typeof r !== "object") return null;
    const out = {};
    for (const [key, value] of Object.entries(r)) {
      if (BULKY.has(key) || typeof value === "function") continue;
      if (value === null || ["number", "string", "boolean"].includes(typeof value) || ArrayBuffer.isView(value)) {
        out[key] = ArrayBuffer.isView(value) ? value.slice() : value;
      }
    }
    if (out.centers) out.n_clusters = out.centers.length / 2;
    return out;
  }

  sendResult(force = false) {
    const r = this.panel.result;
    if (!r || (r === this.sent && !force)) return;
    this.sent = r;
    this.post({ type: `${PREFIX}result`, panel: this.panelName, result: this.result() }, { isPublic: false });
  }

  fail(message) {
    this.post({ type: `${PREFIX}error`, message }, { isPublic: false });
  }

  receive(event) {
    const data = event.data;
    if (event.source !== this.parent || typeof data?.type !== "string" || !data.type.startsWith(PREFIX)) return;
    if (!this.allowed(event.origin)) return; // not an origin the embedder allowed
    try {
      this.handle(data.type.slice(PREFIX.length), data);
    } catch (err) {
      this.fail(err.message);
    }
  }

  handle(verb, data) {
    if (verb === "get") return this.sendResult(true);
    if (verb === "run") return this.panel.run();
    if (verb === "preset") {
      if (this.panelName !== "points" || !Object.hasOwn(PRESETS, data.name)) {
        throw new Error(`Unknown preset ${JSON.stringify(data.name)}; known: ${Object.keys(PRESETS).join(", ")}.`);
      }
      return this.panel.applyPreset(data.name);
    }
    if (verb === "set") return this.set(data);
    if (verb === "code" || verb === "notebook") {
      return exportMessage(this.engine, this.panelName, this.panel, verb, data)
        .then((m) => this.post(m, { isPublic: false }), (err) => this.fail(err.message));
    }
    throw new Error(`Unknown message type ${JSON.stringify(data.type)}.`);
  }

  set({ params = {}, points = null, run = true }) {
    const fields = Object.fromEntries(Object.entries(params).map(([k, v]) => [ALIASES[k] ?? k, v]));
    const form = this.panel.form;
    const unknown = Object.keys(fields).filter((name) => name !== "regions" && !form.elements[name]);
    if (unknown.length) throw new Error(`Unknown parameter(s) for the ${this.panelName} panel: ${unknown.join(", ")}.`);
    const xy = points === null ? null : checkPoints(points);
    const apply = () => {
      if (this.panelName === "points") this.setPoints(fields, xy);
      else for (const [name, value] of Object.entries(fields)) form.elements[name].value = value;
      if (run) this.panel.run();
    };
    // Wait for a running job to finish, so the new settings are not lost to its result.
    if (document.documentElement.dataset.state === "busy") whenIdle().then(apply);
    else apply();
  }

  setPoints(fields, xy) {
    const panel = this.panel;
    const { regions, ...rest } = fields;
    panel.setFields(rest);
    if (regions !== undefined) panel.el.regions.checked = Boolean(regions);
    if (xy === null) return;
    panel.beginEdit();
    panel.setPoints(xy, null);
  }
}

/** Points from a message as a Float64Array of x, y pairs; throws a readable error. */
function checkPoints(points) {
  let xy;
  try {
    xy = Float64Array.from(points);
  } catch {
    xy = new Float64Array(0);
  }
  if (xy.length < 2 || xy.length % 2 || xy.length / 2 > MAX_POINTS || !xy.every(Number.isFinite)) {
    throw new Error(`points must be a flat list x0, y0, x1, y1, ... of 1 to ${MAX_POINTS} pairs of finite numbers.`);
  }
  return xy;
}
