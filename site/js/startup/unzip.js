// Unpacks wheels off Python's thread (see early-wheels.js) with fflate's zip reader
// (vendor/fflate.js, MIT).
//
// Why fflate and not the browser's DecompressionStream (used here until 2026-11): NumPy's
// wheel is 338 entries, most of a few kB, and a stream per entry (a Blob, a pipe and a
// Response each) cost about 250 ms of CPU in its helper worker, against about 60 ms of
// actual inflating. On a 2-core machine that CPU is taken from the runtime's own start,
// which runs at the same time: with fflate, first visits were ready 107-190 ms sooner
// (medians of 12 alternated first visits, two runs) and the helper's unpacking takes
// about 150 ms of CPU cold.
import { unzipSync } from "../vendor/fflate.js";

/**
 * The entries of a zip file, inflated: [{name, data}] in the central directory's order,
 * each ``data`` a Uint8Array with a buffer of its own (they are transferred), or null for
 * what the reader does not handle (other compression methods, a damaged file): the
 * caller then lets Pyodide unpack the wheel itself.
 */
export async function inflateZip(bytes) {
  const sizes = new Map();
  let files;
  try {
    files = unzipSync(bytes, {
      filter: ({ name, originalSize }) => {
        sizes.set(name, originalSize);
        return true;
      },
    });
  } catch {
    return null;
  }
  const out = [];
  for (const [name, size] of sizes) {
    const data = files[name];
    // (an entry that inflates to another size than its header says: the file is damaged)
    if (!data || data.length !== size) throw new Error(`${name}: inflated to ${data?.length} bytes, not ${size}`);
    out.push({ name, data });
  }
  return out;
}
