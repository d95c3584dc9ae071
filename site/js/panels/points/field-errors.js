// Messages next to the Points form's controls: each bad value gets a line under its own
// control, in plain words with what to do, announced (role=alert) and tied to the control
// (aria-describedby, aria-invalid); the first one is scrolled into view and focused.

const COUNT = new Intl.NumberFormat("en-US"); // (one formatter: toLocaleString makes one per call)
const count = (n) => COUNT.format(Number(n));

/** The problem with `raw` for a field `rule` ({type, min, max, label, values}), or null. */
export function fieldProblem(rule, raw) {
  const label = rule.label;
  if (rule.type === "choice") return rule.values.includes(raw) ? null : `${label}: choose one of the listed options.`;
  const value = Number(raw);
  const int = rule.type === "int";
  if (raw !== "" && Number.isFinite(value) && (!int || Number.isInteger(value)) && value >= rule.min && value <= rule.max) return null;
  // (the message is written only for a bad value: every Run reads every field)
  const what = int ? "a whole number" : "a number";
  const range = `from ${count(rule.min)} to ${count(rule.max)}`;
  if (raw === "") return `${label} is empty: enter ${what} ${range}.`;
  if (!Number.isFinite(value)) return `${label} must be ${what}: enter ${what} ${range}.`;
  if (int && !Number.isInteger(value)) return `${label} must be ${what}: enter ${what} ${range}.`;
  if (value < rule.min) return `${label} is ${raw}, which is too small: enter ${what} ${range}.`;
  return `${label} is ${raw}, which is too large: enter ${what} ${range}.`;
}

export class FieldErrors {
  constructor(form) {
    this.form = form;
    this.shown = new Map(); // field name -> message element
    form.addEventListener("input", (e) => e.target.name && this.clear(e.target.name));
  }

  /** Read `spec`'s visible fields: the values, or null after showing every problem. */
  read(spec) {
    this.clearAll();
    const values = {};
    const problems = [];
    for (const [name, rule] of Object.entries(spec)) {
      const el = this.form.elements[name];
      if (!el) continue;
      const raw = el.value.trim();
      values[name] = rule.type === "choice" ? raw : Number(raw);
      const hidden = el.closest("[hidden]") !== null;
      const problem = hidden ? null : fieldProblem(rule, raw);
      if (problem) problems.push([name, problem]);
    }
    if (!problems.length) return values;
    problems.forEach(([name, text], i) => this.show(name, text, i === 0));
    return null;
  }

  /** Show `text` under the control `name`; `focus`: scroll to it and focus it. */
  show(name, text, focus = true) {
    const el = this.form.elements[name];
    if (!el) return;
    const holder = el.closest("label") ?? el;
    let p = this.shown.get(name);
    if (!p) {
      p = document.createElement("p");
      p.className = "field-error";
      p.id = `${this.form.id}-${name}-error`;
      p.setAttribute("role", "alert");
      holder.after(p);
      this.shown.set(name, p);
    }
    p.textContent = text;
    el.setAttribute("aria-invalid", "true");
    el.setAttribute("aria-describedby", p.id);
    if (focus) {
      holder.scrollIntoView({ block: "center", behavior: "instant" });
      el.focus({ preventScroll: true });
    }
  }

  clear(name) {
    const p = this.shown.get(name);
    const el = this.form.elements[name];
    if (el?.setAttribute) {
      el.setAttribute("aria-invalid", "false");
      el.removeAttribute("aria-describedby");
    }
    if (p) p.remove();
    this.shown.delete(name);
  }

  clearAll() {
    for (const name of [...this.shown.keys()]) this.clear(name);
  }

  /** The first message shown, or "" (for the status line). */
  get first() {
    return this.shown.values().next().value?.textContent ?? "";
  }
}
