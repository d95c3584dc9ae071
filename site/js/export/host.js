// "Code & notebook" for embedding pages: the message API's "code" and "notebook" verbs.
// host -> embed {type: "kmeanslab:code", flavour?: "kmeanslab" | "sklearn"}
//               {type: "kmeanslab:notebook", flavour?}
// embed -> host {type: "kmeanslab:code", panel, flavour, code, filename, title}
//               {type: "kmeanslab:notebook", panel, flavour, notebook (JSON text), filename, size}

const OPS = { code: "export_code", notebook: "export_notebook" };

/** The reply message for `verb`, made in the worker from the panel's current state. */
export async function exportMessage(engine, panelName, panel, verb, { flavour = "kmeanslab" } = {}) {
  const state = panel.exportState();
  if (typeof state === "string") throw new Error(state);
  const res = await engine.call(OPS[verb], { panel: panelName, flavour, state: structuredClone(state) });
  return { type: `kmeanslab:${verb}`, panel: panelName, ...res };
}
