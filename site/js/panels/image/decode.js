// Decoding a picked, dropped or pasted file into pixels, with clear refusals.
// Size is checked from the file's header before any decoding work starts. What the
// browser cannot decode (TIFF, PPM, TGA, ...) goes to the worker, which loads Pillow
// for it on first need (never for a file the browser reads).

export const MAX_PIXELS = 50_000_000;
const HEADER_BYTES = 1 << 18;
// The pillow wheel in dist/pyodide/ (987,254 bytes; tests/test_image_decode.py checks it).
export const PILLOW_SIZE = "1.0 MB";

export class ImageInputError extends Error {}

const fmtInt = (n) => n.toLocaleString("en-US");

/**
 * Read a File or Blob into {canvas, width, height}; throws ImageInputError with a message.
 * `fallback(file, name)`, when given, decodes what the browser cannot (see decodeInWorker).
 */
export async function decodeImage(file, name = file.name || "the pasted image", { fallback } = {}) {
  if (!file || file.size === 0) throw new ImageInputError(`“${name}” is empty (0 bytes); choose an image file.`);
  const head = new DataView(await file.slice(0, HEADER_BYTES).arrayBuffer());
  const size = headerSize(head);
  if (size) checkSize(size.width, size.height, name);
  let bitmap;
  try {
    bitmap = await toBitmap(file);
  } catch {
    if (fallback) return fallback(file, name);
    throw new ImageInputError(`“${name}” could not be read as an image: it is not a JPEG, PNG, WebP or GIF this browser can decode, or the file is damaged. Choose another file.`);
  }
  try {
    checkSize(bitmap.width, bitmap.height, name);
    const canvas = document.createElement("canvas");
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.getContext("2d").drawImage(bitmap, 0, 0);
    return { canvas, width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}

/**
 * Decode `file` with Pillow in the worker: {canvas, width, height, format, notes}.
 * The first call tells whether Pillow is needed and not loaded yet; it is then loaded
 * (its size said in the status through `onStatus`) and the file read again.
 */
export async function decodeInWorker(engine, file, name, { onStatus = () => {}, signal } = {}) {
  const send = async () => engine.call("image_decode", { data: new Uint8Array(await file.arrayBuffer()) }, { signal });
  let res;
  try {
    res = await send();
    if (res.needs === "pillow") {
      const what = `Loading Pillow (${PILLOW_SIZE}, once) to read ${res.format}`;
      onStatus(`${what}…`);
      await engine.loadPackages(["pillow"], { signal, onProgress: (p) => p.message && onStatus(`${what}: ${p.message}`) });
      onStatus(`Reading ${name} with Pillow…`);
      res = await send();
    }
  } catch (err) {
    if (err.name === "AbortError") throw err;
    // A ValueError says what the file is; anything else is a failure of the reader.
    const why = err.pythonType === "ValueError" ? err.message : `the worker could not read it (${err.message}).`;
    throw new ImageInputError(`“${name}” could not be read as an image: ${why}`);
  }
  checkSize(res.width, res.height, name);
  const canvas = document.createElement("canvas");
  canvas.width = res.width;
  canvas.height = res.height;
  const px = res.pixels;
  const data = new ImageData(new Uint8ClampedArray(px.buffer, px.byteOffset, px.length), res.width, res.height);
  canvas.getContext("2d").putImageData(data, 0, 0);
  return { canvas, width: res.width, height: res.height, format: res.format, notes: res.notes, reader: "Pillow" };
}

function checkSize(width, height, name) {
  if (!(width > 0 && height > 0)) {
    throw new ImageInputError(`“${name}” is ${width} × ${height} pixels: it has no pixels to quantize.`);
  }
  if (width * height > MAX_PIXELS) {
    throw new ImageInputError(`“${name}” is ${fmtInt(width)} × ${fmtInt(height)} = ${(width * height / 1e6).toFixed(1)} megapixels, over the limit of ${MAX_PIXELS / 1e6} megapixels. Scale it down first.`);
  }
}

async function toBitmap(file) {
  try {
    return await createImageBitmap(file, { imageOrientation: "from-image" }); // EXIF orientation
  } catch (err) {
    if (err instanceof TypeError) return createImageBitmap(file); // option unknown: default is from-image
    throw err;
  }
}

/** {width, height} from a PNG, GIF, JPEG, WebP or BMP header, or null when unknown. */
export function headerSize(view) {
  const u8 = (i) => view.getUint8(i);
  const n = view.byteLength;
  try {
    if (n >= 24 && view.getUint32(0) === 0x89504e47) return { width: view.getUint32(16), height: view.getUint32(20) };
    if (n >= 10 && u8(0) === 0x47 && u8(1) === 0x49 && u8(2) === 0x46) {
      return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
    }
    if (n >= 26 && u8(0) === 0x42 && u8(1) === 0x4d) {
      return { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
    }
    if (n >= 30 && view.getUint32(0) === 0x52494646 && view.getUint32(8) === 0x57454250) return webpSize(view);
    if (n >= 4 && view.getUint16(0) === 0xffd8) return jpegSize(view);
  } catch {
    return null; // header shorter than it claims: let the decoder judge
  }
  return null;
}

function webpSize(view) {
  const kind = view.getUint32(12);
  if (kind === 0x56503820) return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff }; // "VP8 "
  if (kind === 0x5650384c) { // "VP8L"
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (kind === 0x56503858) { // "VP8X"
    const w = view.getUint8(24) | (view.getUint8(25) << 8) | (view.getUint8(26) << 16);
    const h = view.getUint8(27) | (view.getUint8(28) << 8) | (view.getUint8(29) << 16);
    return { width: w + 1, height: h + 1 };
  }
  return null;
}

function jpegSize(view) {
  let i = 2;
  while (i + 9 < view.byteLength) {
    if (view.getUint8(i) !== 0xff) return null;
    const marker = view.getUint8(i + 1);
    if (marker === 0xff) { i += 1; continue; }
    const isSof = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isSof) return { width: view.getUint16(i + 7), height: view.getUint16(i + 5) };
    i += 2 + view.getUint16(i + 2);
  }
  return null;
}
