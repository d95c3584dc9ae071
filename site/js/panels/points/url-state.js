// The Points panel's state in the URL: settings as query parameters after "#points?",
// drawn points as 16-bit coordinates on their bounding box, base64url-encoded.

const MAX_URL_POINTS = 4000; // keeps links under ~22 kB

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

/** Decode what encodePoints wrote; throws on malformed text. */
export function decodePoints(text) {
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

/** URL hash for the settings (only those that differ from the defaults) and points. */
export function writeHash(values, defaults, points) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (String(value) !== String(defaults[name])) params.set(name, value);
  }
  if (values.kind === "drawn" && points && points.length / 2 <= MAX_URL_POINTS) {
    params.set("points", encodePoints(points));
  }
  const query = params.toString();
  return query ? `#points?${query}` : "#points";
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
