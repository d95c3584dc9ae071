// The palette as swatches (color, hex, share of pixels) and as text to copy or save.
// Entries with transparency are written "#rrggbbaa" (CSS Color 4) and shown over a
// checkerboard; opaque ones stay "#rrggbb".

const hex2 = (v) => v.toString(16).padStart(2, "0");

/**
 * "#rrggbb" of palette entry i (palette is a flat Uint8Array r, g, b, ...), or
 * "#rrggbbaa" when `alpha` (one value per entry) says it is not opaque.
 */
export function hexOf(palette, i, alpha) {
  const a = alpha ? alpha[i] : 255;
  return `#${hex2(palette[3 * i])}${hex2(palette[3 * i + 1])}${hex2(palette[3 * i + 2])}${a < 255 ? hex2(a) : ""}`;
}

export function hexList(palette, alpha) {
  return Array.from({ length: palette.length / 3 }, (_, i) => hexOf(palette, i, alpha)).join("\n");
}

export function cssProperties(palette, alpha, prefix = "--color") {
  const lines = Array.from({ length: palette.length / 3 }, (_, i) => `  ${prefix}-${i + 1}: ${hexOf(palette, i, alpha)};`);
  return `:root {\n${lines.join("\n")}\n}`;
}

function opacity(a) {
  if (a === 0) return ", fully transparent";
  return a < 255 ? `, ${Math.round((100 * a) / 255)}% opaque` : "";
}

/** Fill `list` (an <ol>) with one swatch per palette color, most used first. */
export function renderSwatches(list, palette, counts, alpha) {
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  list.replaceChildren();
  for (let i = 0; i < counts.length; i++) {
    const hex = hexOf(palette, i, alpha);
    const share = (100 * counts[i]) / total;
    const item = document.createElement("li");
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.style.setProperty("--swatch", hex); // painted over a checkerboard (image.css)
    const code = document.createElement("code");
    code.textContent = hex;
    const pct = document.createElement("span");
    pct.className = "share";
    pct.textContent = `${share < 0.1 && share > 0 ? "<0.1" : share.toFixed(1)}%`;
    item.append(chip, code, pct);
    item.title = `${hex}${opacity(alpha ? alpha[i] : 255)}: ${counts[i].toLocaleString("en-US")} pixels (${share.toFixed(2)}%)`;
    list.append(item);
  }
}

/** Save `blob` as a file named `name` (a temporary object URL, no network). */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Copy text to the clipboard; resolves to false where the browser refuses. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** "photo" from "photo.jpg", with characters file systems reject replaced. */
export function baseName(name) {
  const stem = String(name || "image").replace(/\.[^.]*$/, "") || "image";
  return stem.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, "_").slice(0, 120);
}

export function formatBytes(n) {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}
