// The Points panel's presets and its link: the URL holds the whole picture (settings,
// points, display options, the step shown, the side-by-side pair), and a link reopens it.
import { statusFor } from "../../status.js";
import { FIELDS, PRESETS } from "./fields.js";
import { readHash, writeHash } from "./url-state.js";

const { say } = statusFor("points"); // this panel's status line

export function setFields(panel, values) {
  for (const [name, value] of Object.entries(values)) {
    if (panel.el[name] && name in FIELDS) panel.el[name].value = value;
  }
  panel.syncVisibility();
}

export function applyPreset(panel, name) {
  const preset = PRESETS[name];
  panel.fields.clearAll();
  setFields(panel, { ...panel.defaults, ...preset.fields });
  panel.el.regions.checked = Boolean(preset.regions);
  panel.el.trails.checked = true;
  panel.placed = new Float64Array(0);
  panel.el.escape.hidden = name !== "bad-seed";
  say(preset.title);
  if (preset.then === "step") return panel.step();
  if (preset.then === "side-by-side") return panel.sideBySide();
  return panel.run();
}

/** The URL holds the whole picture: settings, points, display options and the view
 * (the step shown, the side-by-side pair, the escape button of the bad-seed preset). */
export function updateUrl(panel, params) {
  panel.shownParams = params;
  const view = panel.stepper.active ? { view: "step", step: panel.stepper.pos }
    : panel.side.active ? { view: "side" } : {};
  const values = {
    ...params, ...view,
    regions: panel.el.regions.checked ? 1 : 0, trails: panel.el.trails.checked ? 1 : 0,
    ...(panel.el.escape.hidden ? {} : { escape: 1 }),
  };
  const { hash, note } = writeHash(values, { ...panel.defaults, regions: 0, trails: 1 }, panel.points);
  // (replaceState costs 0.3 to 5 ms on a busy machine: not when the link is the same)
  if (hash !== location.hash) history.replaceState(null, "", hash);
  panel.csv.linkNotice(note);
}

export async function restore(panel) {
  let state = null;
  try {
    state = readHash(location.hash);
  } catch {
    say("The link's points could not be read; showing the default data instead.", "error");
  }
  if (state) {
    const v = state.values;
    setFields(panel, v);
    panel.el.regions.checked = v.regions === "1";
    panel.el.trails.checked = v.trails !== "0";
    panel.el.escape.hidden = v.escape !== "1";
    if (state.points) {
      panel.el.kind.value = "drawn";
      panel.setPoints(state.points, null);
    }
    if (v.view === "step") return panel.step({ pos: Number(v.step) || 0 });
    if (v.view === "side") return panel.sideBySide();
    return panel.run();
  }
  await panel.engine.ready.catch(() => {});
  if (panel.engine.state !== "ready" || panel.points.length || panel.job) return; // a Run pressed while loading goes first
  const params = panel.fields.read(FIELDS);
  if (params && await panel.asJob("Generating points…", (signal) => panel.generate(params, signal))) say("Ready");
  panel.fields.clearAll();
}
