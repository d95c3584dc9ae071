// Unpacks wheels off Python's thread (see early-wheels.js): a small reader of the zip's
// central directory, inflating each entry with fflate (vendor/fflate.js, MIT).
//
// Why fflate and not the browser's DecompressionStream (used here until 2026-11): NumPy's
// wheel is 338 entries, most of a few kB, and a stream per entry (a Blob, a pipe and a
// Response each) cost about 250 ms of CPU in its helper worker, against about 60 ms of
// actual inflating. On a 2-core machine that CPU is taken from the runtime's own start,
// which runs at the same time: with fflate, first visits were ready 107-190 ms sooner
// (medians of 12 alternated first visits, two runs); it unzips NumPy in about 150 ms of
// CPU cold. Why not fflate's own unzipSync: it inflates each entry into a buffer of the
// size its header states and checks no CRC, so an entry longer than stated would be cut
// short without a word; here each gets one byte more, and any other length is an error.
import { inflateSync } from "../vendor/fflate.js";

/**
 * The entries of a zip file, inflated: [{name, data}] in the central directory's order,
 * each ``data`` a Uint8Array over a buffer of its own (they are transferred). Resolves to
 * null for what this reader does not handle (zip64, encryption, compression methods other
 * than stored and deflated, a missing or unreadable directory), so that the caller lets
 * Pyodide unpack the wheel; rejects for an entry that inflates to another length than
 * its header states (a damaged file).
 */
export async function inflateZip(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff) return null;
  const decoder = new TextDecoder();
  const out = [];
  try {
    for (let n = 0; n < count; n++) {
      if (view.getUint32(at, true) !== 0x02014b50) return null;
      const flags = view.getUint16(at + 8, true);
      const method = view.getUint16(at + 10, true);
      const packed = view.getUint32(at + 20, true);
      const size = view.getUint32(at + 24, true);
      const nameLength = view.getUint16(at + 28, true);
      const extra = view.getUint16(at + 30, true);
      const comment = view.getUint16(at + 32, true);
      const local = view.getUint32(at + 42, true);
      if (flags & 1 || (method !== 0 && method !== 8) || packed === 0xffffffff || size === 0xffffffff) {
        return null;
      }
      const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
      if (view.getUint32(local, true) !== 0x04034b50) return null;
      const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      const raw = bytes.subarray(start, start + packed);
      const data = method === 0 ? raw.slice() : inflateSync(raw, { out: new Uint8Array(size + 1) });
      if (data.length !== size) throw new Error(`${name}: inflated to ${data.length} bytes, not ${size}`);
      out.push({ name, data });
      at += 46 + nameLength + extra + comment;
    }
  } catch (err) {
    if (err instanceof RangeError) return null; // (an offset past the end: not readable)
    throw err;
  }
  return out;
}
