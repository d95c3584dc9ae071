// "Code & notebook": a modal dialog with the Python that reproduces a panel's result,
// in two flavours (kmeanslab / scikit-learn), a Copy button and notebook / script
// downloads. The code is made in the worker (kmeanslab.app.export), from the state the
// panel hands over. A native <dialog> opened with showModal() keeps focus inside it
// (the page behind is inert) and closes on Escape; focus returns to the opening button.

const FLAVOURS = [["kmeanslab", "kmeanslab"], ["sklearn", "scikit-learn"]];
const fmtBytes = (n) => (n < 1024 ? `${n} bytes` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`);

let dialog = null;
let matplotlib = null; // the promise of its one load, shared by every panel
const MPL_SIZE = "about 9 MB, once; the page stays usable";

/** matplotlib in the worker, loaded on the first figure request; progress in `tell`. */
function loadMatplotlib(engine, tell) {
  matplotlib ??= engine.loadPackages(["matplotlib"], {
    onProgress: (p) => p.message && tell(`Loading matplotlib (${MPL_SIZE}): ${p.message}`),
  }).catch((err) => { matplotlib = null; throw err; });
  return matplotlib;
}

function build() {
  const d = document.createElement("dialog");
  d.className = "export-dialog";
  d.setAttribute("aria-labelledby", "export-title");
  d.setAttribute("aria-describedby", "export-what");
  d.innerHTML = `
    <form method="dialog" class="export-head">
      <h2 id="export-title">Code &amp; notebook</h2>
      <button type="submit" class="export-close" aria-label="Close">×</button>
    </form>
    <p id="export-what" class="export-what"></p>
    <fieldset class="export-flavour">
      <legend>Imports from</legend>
      ${FLAVOURS.map(([v, label], i) => `<label><input type="radio" name="export-flavour" value="${v}"${i ? "" : " checked"}> ${label}</label>`).join("")}
    </fieldset>
    <p class="export-note" hidden></p>
    <pre class="export-code" tabindex="0" aria-label="Python code"><code></code></pre>
    <div class="export-actions">
      <button type="button" name="copy" class="primary">Copy code</button>
      <button type="button" name="notebook">Download notebook (.ipynb)</button>
      <button type="button" name="script">Download .py</button>
    </div>
    <div class="export-figure">
      <label>Figure format
        <select name="figure-format">
          <option value="svg">SVG</option>
          <option value="png">PNG (2x)</option>
          <option value="pdf">PDF</option>
        </select>
      </label>
      <button type="button" name="figure">Download figure</button>
    </div>
    <p class="export-status" role="status" aria-live="polite"></p>`;
  document.body.append(d);
  return d;
}

function save(text, type, filename) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

async function copy(text, pre) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard refused (permissions, insecure context): select the code for Ctrl+C.
    const range = document.createRange();
    range.selectNodeContents(pre);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    return false;
  }
}

/**
 * Open the dialog for a panel. `getState()` returns the panel's state, or a string
 * saying why there is nothing to export yet.
 */
export function openExport({ engine, panel, getState, opener }) {
  const state = getState();
  if (typeof state === "string") return state;
  dialog ??= build();
  const d = dialog;
  const q = (sel) => d.querySelector(sel);
  const status = q(".export-status");
  const codeEl = q(".export-code code");
  let current = null;
  let token = 0;
  const flavour = () => q('input[name="export-flavour"]:checked').value;
  // A copy of the state for every call: its typed arrays are transferred to the worker.
  const args = (fl) => ({ panel, flavour: fl, state: structuredClone(state) });

  async function show() {
    const mine = ++token;
    // The worker runs one job at a time: behind a running fit, the code waits for it.
    status.textContent = document.documentElement.dataset.state === "busy"
      ? "A computation is running: the code is written as soon as it ends…" : "Writing the code…";
    codeEl.textContent = "";
    try {
      const res = await engine.call("export_code", args(flavour()));
      if (mine !== token) return;
      current = res;
      codeEl.textContent = res.code;
      q(".export-what").textContent = `${res.title}. Run it as it is: it prints the numbers the page showed.`;
      const note = res.code.match(/^# .*(differ|close to the page|no scikit-learn).*$/m);
      q(".export-note").hidden = !note;
      q(".export-note").textContent = note ? "scikit-learn differs here: see the comments in the code." : "";
      status.textContent = `${res.code.split("\n").length} lines of Python.`;
    } catch (err) {
      if (mine === token) status.textContent = `Could not write the code: ${err.message}`;
    }
  }

  d.onchange = (e) => { if (e.target.name === "export-flavour") show(); };
  d.onclick = async (e) => {
    const name = e.target.closest("button")?.name;
    if (name === "copy" && current) {
      const ok = await copy(current.code, q(".export-code"));
      status.textContent = ok ? "Copied the code to the clipboard." : "The browser did not allow copying: the code is selected, press Ctrl+C.";
    } else if (name === "script" && current) {
      save(current.code, "text/x-python", current.filename);
      status.textContent = `Saved ${current.filename}.`;
    } else if (name === "figure") {
      figure();
    } else if (name === "notebook") {
      status.textContent = "Writing the notebook…";
      try {
        const nb = await engine.call("export_notebook", args(flavour()));
        save(nb.notebook, "application/x-ipynb+json", nb.filename);
        status.textContent = `Saved ${nb.filename} (${fmtBytes(nb.size)}).`;
      } catch (err) {
        status.textContent = `Could not write the notebook: ${err.message}`;
      }
    }
  };
  async function figure() {
    const format = q('select[name="figure-format"]').value;
    const tell = (text) => { status.textContent = text; };
    try {
      if (document.documentElement.dataset.state === "busy") tell("A computation is running: the figure waits for it to end…");
      else if (!matplotlib) tell(`Loading matplotlib (${MPL_SIZE})…`);
      await loadMatplotlib(engine, tell);
      // The worker runs one job at a time: a running fit finishes first.
      tell(document.documentElement.dataset.state === "busy"
        ? "A computation is running: the figure is drawn as soon as it ends…" : "Drawing the figure…");
      const res = await engine.call("export_figure", { panel, format, state: structuredClone(state) });
      save(res.data, res.mime, res.filename);
      tell(`Saved ${res.filename} (${fmtBytes(res.size)}).`);
    } catch (err) {
      tell(`Could not draw the figure: ${err.message}`);
    }
  }

  d.onclose = () => { token++; opener?.focus(); };
  d.showModal();
  q('input[name="export-flavour"]:checked').focus();
  show();
  return null;
}

/**
 * Put a "Code & notebook" button under a panel's title. `panelObj.exportState()`
 * returns the state for kmeanslab.app.export, or a string saying what to do first.
 */
export function attachExport(root, panelObj, engine, panel) {
  const bar = document.createElement("div");
  bar.className = "export-bar";
  bar.innerHTML = `<button type="button" class="export-open" aria-haspopup="dialog">Code &amp; notebook</button>
    <span class="export-hint" aria-live="polite"></span>`;
  const button = bar.querySelector("button");
  const hint = bar.querySelector(".export-hint");
  button.addEventListener("click", () => {
    const why = openExport({ engine, panel, getState: () => panelObj.exportState(), opener: button });
    hint.textContent = why ?? "";
  });
  const title = root.querySelector(".panel-title");
  if (title) title.after(bar);
  else root.prepend(bar);
  return bar;
}
