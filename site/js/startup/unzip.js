// A small zip reader (stored and deflated entries), inflating with the browser's
// DecompressionStream: used to unpack wheels off Python's thread (see early-wheels.js).

/**
 * The entries of a zip file, inflated: [{name, data}] in the central directory's order,
 * or null for what this small reader does not handle (zip64, encryption, other methods).
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
  const entries = [];
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
    entries.push({ name, method, size, raw: bytes.subarray(start, start + packed) });
    at += 46 + nameLength + extra + comment;
  }
  return Promise.all(entries.map(async ({ name, method, size, raw }) => {
    const data = method === 0 ? raw.slice()
      : new Uint8Array(await new Response(new Blob([raw]).stream()
        .pipeThrough(new DecompressionStream("deflate-raw"))).arrayBuffer());
    if (data.length !== size) throw new Error(`${name}: inflated to ${data.length} bytes, not ${size}`);
    return { name, data };
  }));
}
