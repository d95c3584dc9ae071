// The Points panel's state in the URL: settings as query parameters after "#points?",
// drawn or imported points exactly when the link can hold them (the shorter of their
// decimal text and their float64 bytes), else as 16-bit coordinates on their bounding
// box, which only the link holds: the points in the page are never rounded to it.

const MAX_URL_POINTS = 4000; // approximate (16-bit) links stay under ~22 kB
const MAX_EXACT_CHARS = 24000; // exact encodings up to about as long

function toBase64Url(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

/** Encode interleaved points compactly: "x0,x1,y0,y1~base64url(uint16 pairs)". */
export function encodePoints(points) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    x0 = Math.min(x0, points[i]); x1 = Math.max(x1, points[i]);
    y0 = Math.min(y0, points[i + 1]); y1 = Math.max(y1, points[i + 1]);
  }
  const q = new Uint16Array(points.length);
  const sx = x1 > x0 ? 65535 / (x1 - x0) : 0;
  const sy = y1 > y0 ? 65535 / (y1 - y0) : 0;
  for (let i = 0; i < points.length; i += 2) {
    q[i] = Math.round((points[i] - x0) * sx);
    q[i + 1] = Math.round((points[i + 1] - y0) * sy);
  }
  const box = [x0, x1, y0, y1].map((v) => +v.toPrecision(8)).join(",");
  return `${box}~${toBase64Url(new Uint8Array(q.buffer))}`;
}

/** Exact text of the points: "d_" and decimals, or "f_" and base64url float64 bytes. */
export function encodeExact(points) {
  const parts = new Array(points.length);
  let length = 2;
  for (let i = 0; i < points.length; i++) {
    parts[i] = String(points[i]); // shortest text that reads back as the same double
    length += parts[i].length + 1;
  }
  const binary = Math.ceil((points.length * 8 * 4) / 3) + 2;
  if (length <= binary) return `d_${parts.join("_")}`;
  const bytes = new Uint8Array(points.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < points.length; i++) view.setFloat64(8 * i, points[i], true);
  return `f_${toBase64Url(bytes)}`;
}

function decodeExact(text) {
  const body = text.slice(2);
  if (text.startsWith("d_")) {
    const values = body ? body.split("_").map(Number) : [];
    if (values.length % 2 || !values.every(Number.isFinite)) throw new Error("bad points");
    return Float64Array.from(values);
  }
  const bytes = fromBase64Url(body);
  if (bytes.length % 16) throw new Error("bad points");
  const view = new DataView(bytes.buffer);
  const points = new Float64Array(bytes.length / 8);
  for (let i = 0; i < points.length; i++) points[i] = view.getFloat64(8 * i, true);
  if (!points.every(Number.isFinite)) throw new Error("bad points");
  return points;
}

/** The link's text for the points: exact when it fits, else 16-bit, else none. */
export function pointsForUrl(points) {
  const n = points.length / 2;
  const exact = encodeExact(points);
  if (exact.length <= MAX_EXACT_CHARS) return { text: exact, note: null };
  const count = n.toLocaleString("en-US");
  if (n <= MAX_URL_POINTS) {
    return {
      text: encodePoints(points),
      note: `This page's link holds your ${count} points only to 1/65,535 of their range, to stay short. Use Export CSV to share them exactly.`,
    };
  }
  return { text: null, note: `This page's link cannot hold ${count} points. Use Export CSV to share them.` };
}

/** Decode what encodePoints or encodeExact wrote; throws on malformed text. */
export function decodePoints(text) {
  if (text.startsWith("d_") || text.startsWith("f_")) return decodeExact(text);
  const [box, data] = text.split("~");
  const [x0, x1, y0, y1] = box.split(",").map(Number);
  if (![x0, x1, y0, y1].every(Number.isFinite) || data === undefined) throw new Error("bad points");
  const bytes = fromBase64Url(data);
  if (bytes.length % 4) throw new Error("bad points");
  const q = new Uint16Array(bytes.buffer);
  const points = new Float64Array(q.length);
  for (let i = 0; i < q.length; i += 2) {
    points[i] = x0 + (q[i] / 65535) * (x1 - x0);
    points[i + 1] = y0 + (q[i + 1] / 65535) * (y1 - y0);
  }
  return points;
}

/**
 * URL hash for the settings (only those that differ from the defaults) and points:
 * `{hash, note}`, the note (or null) saying when the link does not hold the points exactly.
 */
export function writeHash(values, defaults, points) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (String(value) !== String(defaults[name])) params.set(name, value);
  }
  let note = null;
  if (values.kind === "drawn" && points?.length) {
    const encoded = pointsForUrl(points);
    if (encoded.text) params.set("points", encoded.text);
    note = encoded.note;
  }
  const query = params.toString();
  return { hash: query ? `#points?${query}` : "#points", note };
}

/** Settings and points from a "#points?..." hash, or null when there are none. */
export function readHash(hash) {
  const i = hash.indexOf("?");
  if (!hash.startsWith("#points") || i < 0) return null;
  const params = new URLSearchParams(hash.slice(i + 1));
  const values = {};
  let points = null;
  for (const [name, value] of params) {
    if (name === "points") points = decodePoints(value);
    else values[name] = value;
  }
  return { values, points };
}

export { MAX_URL_POINTS };
