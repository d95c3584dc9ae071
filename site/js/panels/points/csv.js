// CSV of x,y points (header optional) in, points with cluster labels out.

export class CsvError extends Error {}

const MAX_POINTS = 200000;

/** Parse CSV text into interleaved x, y; throws CsvError naming the line and the problem. */
export function parsePoints(text) {
  const lines = text.split(/\r\n|\n|\r/);
  const values = [];
  let sawData = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith("#")) continue;
    const cells = line.split(/[,;\t]/).map((c) => c.trim());
    const x = Number(cells[0]);
    const y = Number(cells[1]);
    const numeric = cells.length >= 2 && cells[0] !== "" && cells[1] !== "" && Number.isFinite(x) && Number.isFinite(y);
    if (!numeric) {
      if (!sawData && cells.some((c) => c !== "" && Number.isNaN(Number(c)))) {
        sawData = true; // a header line: skip it once
        continue;
      }
      const what = cells.length < 2 ? "has fewer than two columns" : `has "${cells.slice(0, 2).join(",")}", which is not two finite numbers`;
      throw new CsvError(`Line ${i + 1} ${what}. Each line must be x,y (a header line is allowed).`);
    }
    sawData = true;
    values.push(x, y);
    if (values.length / 2 > MAX_POINTS) {
      throw new CsvError(`The file has more than ${MAX_POINTS.toLocaleString("en-US")} points; keep at most that many.`);
    }
  }
  if (!values.length) throw new CsvError("The file has no points. Each line must be x,y.");
  return new Float64Array(values);
}

/** CSV text of the points, with a cluster column when labels are given. */
export function formatPoints(points, labels = null) {
  const rows = [labels ? "x,y,cluster" : "x,y"];
  for (let i = 0; i < points.length / 2; i++) {
    const row = `${points[2 * i]},${points[2 * i + 1]}`;
    rows.push(labels ? `${row},${labels[i]}` : row);
  }
  return rows.join("\n") + "\n";
}
