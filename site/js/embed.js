// Embed mode: one panel, compact, for an iframe in someone else's page.
//
//   embed.html?panel=points&preset=moons-kmeans
//   embed.html?panel=points&kind=moons&k=2&controls=none&origin=https://docs.example.org
//   embed.html?panel=image&sample=china.jpg&n_colors=8
//   index.html?embed&panel=digits           (the same, from index.html)
//
// Query parameters: panel (points | image | digits); controls (compact, the default: the
// controls that matter | full | none: the result only); preset (a Points preset);
// sample (an Image sample); origin (may repeat: host origins allowed to drive the embed
// with postMessage, "*" for any); any other parameter sets the panel's field of that name
// (aliases: k = n_clusters, data = kind, n = n_samples).
import { PRESETS } from "./panels/points/fields.js";

const PANELS = ["points", "image", "digits"];
const CONTROLS = ["compact", "full", "none"];
const RESERVED = new Set(["embed", "panel", "controls", "preset", "sample", "origin"]);
/** Parameters that say how to embed, not what to show: left out of the full app's link. */
const EMBED_ONLY = new Set(["embed", "panel", "controls", "origin"]);
export const ALIASES = Object.freeze({ k: "n_clusters", data: "kind", dataset: "kind", n: "n_samples" });

/** The embed options of this page's URL, or null when the page is not embedded. */
export function embedOptions(loc = location) {
  const query = new URLSearchParams(loc.search);
  const root = document.documentElement;
  if (!root.classList.contains("embed") && !query.has("embed")) return null;
  const hashPanel = loc.hash.slice(1).split("?")[0];
  const panel = [query.get("panel"), hashPanel].find((p) => PANELS.includes(p)) ?? "points";
  const controls = CONTROLS.includes(query.get("controls")) ? query.get("controls") : "compact";
  const params = {};
  for (const [name, value] of query) {
    if (!RESERVED.has(name)) params[ALIASES[name] ?? name] = value;
  }
  const preset = Object.hasOwn(PRESETS, query.get("preset") ?? "") ? query.get("preset") : null;
  return {
    panel, controls, params, preset,
    sample: query.get("sample"),
    origins: query.getAll("origin").filter(Boolean),
  };
}

/** The "#points?..." hash that makes the Points panel restore (and run) these settings. */
function pointsHash(opts) {
  const fields = { ...(opts.preset ? PRESETS[opts.preset].fields : {}), ...opts.params };
  const query = new URLSearchParams(fields).toString();
  return query ? `#points?${query}` : null;
}

/** Mark the page as embedded and point its hash at the panel, before panels start. */
export function enterEmbed(opts) {
  const root = document.documentElement;
  root.classList.add("embed");
  root.dataset.controls = opts.controls;
  root.dataset.embedPanel = opts.panel;
  const fromQuery = opts.panel === "points" ? pointsHash(opts) : null;
  const keep = location.hash.startsWith(`#${opts.panel}`) ? location.hash : `#${opts.panel}`;
  history.replaceState(null, "", `${location.pathname}${location.search}${fromQuery ?? keep}`);
  const full = document.querySelector("a.open-full");
  if (!full) return;
  const update = () => { full.href = fullAppUrl(opts); };
  // The panels keep their state in the URL with history.replaceState (no event fires):
  // follow every change, so the link always opens what the embed shows.
  for (const method of ["replaceState", "pushState"]) {
    const original = history[method].bind(history);
    history[method] = (...args) => {
      original(...args);
      update();
    };
  }
  window.addEventListener("hashchange", update);
  full.addEventListener("click", update);
  update();
}

/**
 * The full app's URL for the embed's current state: ``index.html#<panel>?<settings>``.
 * A panel that wrote its state into the hash is taken as it is; before that, the embed's
 * own settings (its query without the embed-only parameters) are carried over.
 */
export function fullAppUrl(opts, loc = location) {
  const [hashPanel, hashQuery] = loc.hash.slice(1).split(/\?(.*)/s);
  if (hashPanel === opts.panel && hashQuery) return `index.html#${opts.panel}?${hashQuery}`;
  const query = new URLSearchParams();
  for (const [name, value] of new URLSearchParams(loc.search)) {
    if (!EMBED_ONLY.has(name)) query.append(ALIASES[name] ?? name, value);
  }
  const rest = query.toString();
  return `index.html#${opts.panel}${rest ? `?${rest}` : ""}`;
}

/** Once the panel exists: apply what only the panel can do (non-Points fields, samples). */
export function startEmbed(opts, panel) {
  if (opts.panel === "points") {
    if (opts.preset && PRESETS[opts.preset].regions) panel.el.regions.checked = true;
    const then = opts.preset ? PRESETS[opts.preset].then : "run";
    if (then !== "run") whenIdle().then(() => panel.applyPreset(opts.preset));
    return;
  }
  const form = panel.form;
  for (const [name, value] of Object.entries(opts.params)) {
    const field = form?.elements?.[name];
    if (field && "value" in field) field.value = value;
  }
  if (opts.panel === "image" && opts.sample && /^[\w.-]+\.(jpe?g|png)$/i.test(opts.sample)) {
    panel.loadSample(opts.sample);
  }
  // An embed shows a result, not a form waiting for a press (with controls=none there is
  // no button to press): Digits runs its settings at once (queued until Python is ready).
  if (opts.panel === "digits") panel.form?.requestSubmit();
}

/** Resolve the next time the page is "ready" after having been busy (or at once if idle). */
export function whenIdle() {
  const root = document.documentElement;
  return new Promise((resolve) => {
    let seenBusy = root.dataset.state === "busy";
    const observer = new MutationObserver(() => {
      if (root.dataset.state === "busy") seenBusy = true;
      if (root.dataset.state === "ready" && seenBusy) {
        observer.disconnect();
        resolve();
      }
    });
    observer.observe(root, { attributes: true, attributeFilter: ["data-state"] });
  });
}
