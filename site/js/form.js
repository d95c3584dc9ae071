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
