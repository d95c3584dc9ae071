// Reads and validates a panel's form. Each bad field is marked and named in a message
// that says what is wrong and what to do; nothing runs until all fields are valid.

/**
 * Parse `form`'s fields per `spec` ({name: {type: int|float|choice, min, max, label}}).
 * Returns the values, or null after showing the problems in `errorEl`.
 */
export function readForm(form, spec, errorEl) {
  const values = {};
  const problems = [];
  for (const [name, rule] of Object.entries(spec)) {
    const el = form.elements[name];
    if (!el) continue;
    const raw = el.value.trim();
    let problem = null;
    let value = raw;
    if (rule.type === "choice") {
      if (!rule.values.includes(raw)) problem = `must be one of ${rule.values.join(", ")}`;
    } else {
      value = Number(raw);
      const range = `from ${rule.min.toLocaleString("en-US")} to ${rule.max.toLocaleString("en-US")}`;
      if (raw === "" || !Number.isFinite(value)) problem = `must be a number ${range}`;
      else if (rule.type === "int" && !Number.isInteger(value)) problem = `must be a whole number ${range}`;
      else if (value < rule.min || value > rule.max) problem = `must be ${range}; it is ${raw}`;
    }
    const hidden = el.closest("label")?.hidden;
    el.setAttribute("aria-invalid", problem && !hidden ? "true" : "false");
    if (problem && !hidden) problems.push(`${rule.label ?? name} ${problem}.`);
    values[name] = value;
  }
  errorEl.hidden = problems.length === 0;
  errorEl.textContent = problems.join(" ");
  if (problems.length) {
    form.querySelector('[aria-invalid="true"]')?.focus();
    return null;
  }
  return values;
}

// ---- Runs pressed before Python is ready ------------------------------------------------
//
// Until main.js has built a panel, its form has no handler: a press on Run would submit
// the form as a page navigation (and lose the click). boot.js calls holdEarlyRuns()
// first thing; main.js replays the held runs once the panel exists (replayEarlyRuns).
// Once a panel exists, its Run goes to the engine, which keeps the call until Python is
// ready; showQueuedRuns() says so next to the button meanwhile.

const held = new Set();
let holding = false;

/** Keep submits of panel forms that have no panel yet (boot.js, before main.js runs). */
export function holdEarlyRuns(isBuilt) {
  holding = true;
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const section = form.closest?.("section.panel");
    if (!holding || !section || isBuilt(section.dataset.panel)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    held.add(form);
    waitNote(form, true);
  }, true);
}

/** Submit again, through the panel now built, the runs held for ``section``'s form. */
export function replayEarlyRuns(section) {
  for (const form of [...held]) {
    if (!section.contains(form)) continue;
    held.delete(form);
    form.requestSubmit();
    // Python may be ready already: then nothing else would take the note away.
    if (document.documentElement.dataset.state !== "loading") waitNote(form, false);
  }
}

/** The note beside a form's submit button: "waiting for Python", shown or removed. */
function waitNote(form, on) {
  const button = form.querySelector('button[type="submit"], button:not([type])');
  let note = form.querySelector(".run-wait");
  if (!on) {
    note?.remove();
    return;
  }
  if (!note) {
    note = document.createElement("span");
    note.className = "run-wait";
    note.setAttribute("aria-live", "polite");
    (button ?? form).insertAdjacentElement(button ? "afterend" : "beforeend", note);
  }
  note.textContent = "Waiting for Python to load: this runs as soon as it is ready.";
}

/** While the engine loads (first start or a restart), note each Run pressed meanwhile. */
export function showQueuedRuns(engine) {
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.closest?.("section.panel") || engine.state !== "loading") return;
    waitNote(form, true);
  }, true);
  engine.addEventListener("status", ({ detail }) => {
    if (detail.state === "loading") return;
    for (const note of document.querySelectorAll(".run-wait")) {
      if (!held.has(note.closest("form"))) note.remove();
    }
  });
}

// ---- Errors said next to a control are said in the status line too ------------------------

/**
 * Watch the alert paragraphs (``[role=alert]``) of panel ``name`` in ``section``: when one
 * shows a message, the status line (the panel's) says it as an error, so the header never
 * says "Done" above a refused run, and the message is scrolled into view.
 */
export function mirrorErrors(section, name, say) {
  const seen = new WeakMap();
  const check = () => {
    for (const el of section.querySelectorAll("form [role=alert], .form-error")) {
      const text = el.hidden ? "" : el.textContent.trim();
      if (text && seen.get(el) !== text) {
        say(text, "error", name);
        if (!el.contains(document.activeElement)) el.scrollIntoView({ block: "nearest" });
      }
      seen.set(el, text);
    }
  };
  new MutationObserver(check).observe(section, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["hidden"],
  });
}
