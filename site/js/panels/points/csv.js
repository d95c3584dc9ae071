// CSV of points in and out. Files are read in Python in the worker (kmeanslab.app.
// points_io.points_parse_csv, the standard library's csv module: one delimiter per file,
// decimal commas, quotes, BOM, header); what it says is shown next to the import control.
// Numbers go out exactly as they are held: a JS number's shortest round-trip text.
import { statusFor } from "../../status.js";

const { say } = statusFor("points"); // this panel's status line

/** CSV text of the points, with a cluster column when labels are given. */
export function formatPoints(points, labels = null, extra = null) {
  // `extra`: more label columns by name (the side-by-side view: {spectral: labels})
  const more = extra ? Object.entries(extra) : [];
  const names = labels ? [more.length ? "kmeans" : "cluster", ...more.map(([name]) => name)] : [];
  const rows = [["x", "y", ...names].join(",")];
  for (let i = 0; i < points.length / 2; i++) {
    let row = `${points[2 * i]},${points[2 * i + 1]}`;
    if (labels) row += `,${labels[i]}`;
    if (labels) for (const [, column] of more) row += `,${column[i]}`;
    rows.push(row);
  }
  return rows.join("\n") + "\n";
}

/** Interleaved x, y of columns `cx` and `cy` of a row-major table of `width` columns. */
export function pickColumns(values, width, cx, cy) {
  const n = values.length / width;
  const points = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    points[2 * i] = values[i * width + cx];
    points[2 * i + 1] = values[i * width + cy];
  }
  return points;
}

// 200,000 rows of a few full-precision numbers are under 20 MB; far larger files are not
// point lists, and reading them would hold the page's memory for nothing.
const MAX_BYTES = 64 * 2 ** 20;

const plural = (n, word) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;

function element(tag, props = {}, children = []) {
  const el = Object.assign(document.createElement(tag), props);
  el.append(...children);
  return el;
}

/**
 * The import control's companion: a message (what was read, or what is wrong and what to
 * do) and, for files of more than two numeric columns, a choice of the x and y columns.
 * `panel` gives `engine`, `asJob(message, work)`, and `usePoints(points)`.
 */
export class CsvImport {
  constructor(panel, input) {
    this.panel = panel;
    this.input = input;
    this.table = null;
    const after = input.closest(".actions") ?? input;
    this.error = element("p", { className: "form-error csv-error", id: "points-csv-error", hidden: true });
    this.error.setAttribute("role", "alert");
    this.note = element("p", { className: "csv-note", id: "points-csv-note", hidden: true });
    this.note.setAttribute("aria-live", "polite");
    this.x = element("select", { name: "csv_x" });
    this.y = element("select", { name: "csv_y" });
    this.columns = element("div", { className: "csv-columns", hidden: true }, [
      element("label", {}, ["x column ", this.x]),
      element("label", {}, ["y column ", this.y]),
    ]);
    this.link = element("p", { className: "csv-note", id: "points-link-note", hidden: true });
    this.link.setAttribute("aria-live", "polite");
    this.columns.setAttribute("role", "group");
    this.columns.setAttribute("aria-label", "Columns of the imported file to use as x and y");
    after.after(this.error, this.note, this.columns, this.link);
    for (const select of [this.x, this.y]) select.addEventListener("change", () => this.choose());
  }

  /** Read `file`; on success the panel's points become the file's. */
  async open(file) {
    this.input.value = "";
    if (!file) return;
    if (file.size > MAX_BYTES) {
      const mb = Math.round(file.size / 2 ** 20).toLocaleString("en-US");
      this.fail(file.name, `The file is ${mb} MB; the panel reads files of up to ${MAX_BYTES / 2 ** 20} MB (200,000 points of x and y take about 8 MB). Keep only the columns and rows you need.`);
      return;
    }
    let result = null;
    const text = await file.text();
    await this.panel.asJob("Reading the CSV file…", async (signal) => {
      result = await this.panel.engine.call("points_parse_csv", { text }, { signal });
    });
    if (!result) return; // cancelled or failed: asJob said so in the status line
    if (result.error) {
      this.fail(file.name, result.error);
      return;
    }
    const width = result.columns.length;
    this.table = { name: file.name, values: result.values, width, result };
    this.error.hidden = true;
    this.fillChoices(result.columns);
    this.columns.hidden = width <= 2;
    this.use(0, 1);
  }

  fail(name, message) {
    this.error.textContent = `Could not import "${name}": ${message} Your points are unchanged.`;
    this.error.hidden = false;
    this.error.scrollIntoView({ block: "nearest" });
    this.note.hidden = true;
    this.columns.hidden = true;
    say("CSV import failed; your points are unchanged.", "error");
  }

  fillChoices(names) {
    for (const select of [this.x, this.y]) {
      select.replaceChildren(...names.map((name, j) => element("option", { value: String(j), textContent: name })));
    }
  }

  /** The person picked other columns: the same file's table, other x and y. */
  choose() {
    if (!this.table) return;
    this.use(Number(this.x.value), Number(this.y.value));
  }

  use(cx, cy) {
    const { name, values, width, result } = this.table;
    this.x.value = String(cx);
    this.y.value = String(cy);
    const points = width === 2 ? result.points : pickColumns(values, width, cx, cy);
    this.panel.usePoints(points);
    const how = [`${result.delimiter}-separated`];
    if (result.decimal_comma) how.push("decimal commas");
    if (result.header) how.push("with a header");
    const parts = [`Read ${plural(result.n_points, "point")} from "${name}" (${how.join(", ")}).`];
    if (width > 2) {
      parts.push(`It has ${width} numeric columns: x is ${result.columns[cx]} and y is ${result.columns[cy]}; choose others below.`);
    }
    if (result.ignored.length) parts.push(`Left out, as they hold no numbers: ${result.ignored.join(", ")}.`);
    this.notice(parts.join(" "));
    say(`Imported ${plural(result.n_points, "point")} from the file.`);
  }

  /** A plain note under the import and export buttons (or none, with null). */
  notice(text) {
    this.note.textContent = text ?? "";
    this.note.hidden = !text;
  }

  /** What the page link holds of the points, when it cannot hold them exactly (or null). */
  linkNotice(text) {
    this.link.textContent = text ?? "";
    this.link.hidden = !text;
  }
}
