// A helper worker that inflates wheels while the Python worker is busy starting the runtime.
import { inflateZip } from "./unzip.js";

self.onmessage = async ({ data: { id, bytes } }) => {
  let files = null;
  try {
    files = await inflateZip(bytes);
  } catch {
    files = null;
  }
  self.postMessage({ id, files }, (files || []).map((f) => f.data.buffer));
};
