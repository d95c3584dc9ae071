// "Download PNG": the quantized image on screen as an indexed-color PNG, encoded by the
// worker from the result's labels. A worker restarted after a cancel no longer holds
// them (engine.generation tells), so then the page sends the image it shows and its
// palette, and the worker reads the labels back from the colors: what is on screen can
// always be saved.
import { baseName, formatBytes, saveBlob } from "./palette-export.js";

/** Encode and save ``panel.result``; ``say``/``busy`` are the panel's status line. */
export async function downloadPng(panel, { say, busy }) {
  const res = panel.result;
  if (!res) return;
  const info = panel.root.querySelector(".download-info");
  const done = busy("Encoding the PNG…");
  try {
    const args = res.generation === panel.engine.generation ? { token: res.token }
      : { rgba: res.rgba.slice(), width: res.width, height: res.height,
        palette: res.palette.slice(), palette_alpha: res.palette_alpha.slice() };
    const { png, size } = await panel.engine.call("image_png", args);
    const name = `${baseName(res.name)}-${res.k}colors.png`;
    saveBlob(new Blob([png], { type: "image/png" }), name);
    const bits = [1, 2, 4, 8].find((b) => res.palette.length / 3 <= 2 ** b);
    const alpha = res.transparent ? " with transparency (tRNS)" : "";
    info.textContent = `${name}: ${formatBytes(size)}, indexed PNG${alpha} at ${bits} bit${bits > 1 ? "s" : ""} per pixel (as RGBA it would be ${formatBytes(res.width * res.height * 4)} before compression).`;
    say(`Saved ${name} (${formatBytes(size)}).`);
  } catch (err) {
    info.textContent = `Could not make the PNG: ${err.message}`;
    say(`Could not make the PNG: ${err.message}`, "error");
  } finally {
    done();
  }
}
