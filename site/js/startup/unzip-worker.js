// A helper worker that fetches and inflates wheels while the Python worker is busy
// starting the runtime (see early-wheels.js).
import { inflateZip } from "./unzip.js";

self.onmessage = async ({ data: { id, url, integrity } }) => {
  let bytes = null;
  try {
    const response = await fetch(url, { integrity });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    bytes = new Uint8Array(await response.arrayBuffer());
    const fetchedAt = performance.timeOrigin + performance.now();
    const files = await inflateZip(bytes);
    const inflatedAt = performance.timeOrigin + performance.now();
    const transfer = [bytes.buffer, ...(files || []).map((f) => f.data.buffer)];
    self.postMessage({ id, bytes, files, fetchedAt, inflatedAt }, transfer);
  } catch (err) {
    // (the Python worker tries again itself; bytes, if any arrived, are passed on)
    self.postMessage({ id, error: String(err?.message ?? err), bytes });
  }
};
