// Messages of the Image panel, in plain words, next to the control they are about.
// Each slot is a role="alert" paragraph (announced when its text changes); showing one
// scrolls it into view, so a message below the fold is not missed.

const fmtInt = (n) => n.toLocaleString("en-US");
export const DIFFUSION_MAX_PIXELS = 16_000_000; // kmeanslab.image._quantize.DIFFUSION_MAX_PIXELS

export class Messages {
  constructor(root) {
    this.slots = Object.fromEntries([...root.querySelectorAll("[data-msg]")].map((el) => [el.dataset.msg, el]));
  }

  /** Show `text` in slot `where` (file, fields, dither, run); the others are cleared. */
  show(where, text) {
    for (const [name, el] of Object.entries(this.slots)) {
      const now = name === where ? text : "";
      if (el.textContent !== now) el.textContent = now;
      el.hidden = !now;
    }
    const el = this.slots[where];
    if (text && el) el.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  clear() {
    this.show(null, "");
  }
}

/** The refusal of error diffusion on a large image, before any work, or null. */
export function ditherRefusal(dither, width, height) {
  const n = width * height;
  if (dither !== "floyd-steinberg" || n <= DIFFUSION_MAX_PIXELS) return null;
  return `Error diffusion works on pictures of up to ${DIFFUSION_MAX_PIXELS / 1e6} megapixels (${fmtInt(DIFFUSION_MAX_PIXELS)} pixels), `
    + `and this one has ${fmtInt(n)} pixels. Choose “ordered” dithering or none, or use a smaller picture.`;
}

/** A worker error as a sentence for a person: [slot, text]. */
export function explain(err) {
  const type = err.pythonType ?? err.name;
  if (type === "MemoryError" || /out of memory|memory access out of bounds/i.test(err.message)) {
    return ["run", "The browser ran out of memory for this picture. Try fewer colors, no dithering, or a smaller picture."];
  }
  if (/dither=/.test(err.message)) return ["dither", "This dithering cannot be used on this picture. Choose “ordered” dithering or none."];
  if (type === "ValueError") return ["run", `This picture could not be quantized: ${err.message}`];
  return ["run", `Something went wrong while quantizing (${err.message}). Try again; if it happens again, reload the page.`];
}
