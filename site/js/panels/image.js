// Image panel: quantize a photo's colors in the worker; nothing leaves the machine.
// Decoding happens here (createImageBitmap), or in the worker with Pillow for files the
// browser cannot decode (TIFF, PPM, ...); the pixels cross to the worker as a
// transferable buffer and come back quantized, ready for putImageData.
import { drawPixelCloud } from "../draw/pixel-cloud.js";
import { attachExport } from "../export/dialog.js";
import { readForm } from "../form.js";
import { busy, say } from "../status.js";
import { Compare } from "./image/compare.js";
import { ImageInputError, decodeImage, decodeInWorker } from "./image/decode.js";
import {
  baseName, copyText, cssProperties, formatBytes, hexList, renderSwatches, saveBlob,
} from "./image/palette-export.js";
import { TEMPLATE } from "./image/template.js";

const FIELDS = {
  n_colors: { type: "int", min: 2, max: 256, label: "Colors (k)" },
  method: { type: "choice", values: ["kmeans", "minibatch"] },
  dither: { type: "choice", values: ["none", "ordered", "floyd-steinberg"] },
  seed: { type: "int", min: 0, max: 2 ** 32 - 1, label: "Seed" },
};
const DEBOUNCE_MS = 250;
const fmtInt = (n) => Number(n).toLocaleString("en-US");

export class ImagePanel {
  constructor(root, engine) {
    this.root = root;
    this.engine = engine;
    root.insertAdjacentHTML("beforeend", TEMPLATE);
    this.form = root.querySelector("form.image-controls");
    this.error = root.querySelector(".image-error");
    this.nameEl = root.querySelector(".image-name");
    this.summary = root.querySelector(".image-summary");
    this.note = root.querySelector(".note");
    this.compare = new Compare(root.querySelector(".compare"));
    this.image = null; // {canvas, width, height, name, bytes}
    this.result = null;
    this.job = null;
    this.timer = null;
    this.wire();
    this.drawClouds();
    attachExport(root, this, engine, "image");
  }

  wire() {
    const f = this.form.elements;
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.run();
    });
    f.file.addEventListener("change", () => {
      const file = f.file.files[0];
      if (file) this.load(file, file.name);
      f.file.value = "";
    });
    for (const name of ["n_colors", "method", "dither", "seed"]) {
      f[name].addEventListener("change", () => this.schedule());
    }
    f.cancel.addEventListener("click", () => this.job?.abort());
    for (const button of this.root.querySelectorAll("[data-sample]")) {
      button.addEventListener("click", () => this.loadSample(button.dataset.sample));
    }
    const on = (name, fn) => this.root.querySelector(`button[name="${name}"]`).addEventListener("click", fn);
    on("download", () => this.download());
    on("copy-hex", () => this.copy(hexList(this.result.palette, this.result.palette_alpha), "hex list"));
    on("copy-css", () => this.copy(cssProperties(this.result.palette, this.result.palette_alpha), "CSS custom properties"));
    on("save-palette", () => saveBlob(new Blob([`${cssProperties(this.result.palette, this.result.palette_alpha)}\n`], { type: "text/css" }),
      `${baseName(this.result.name)}-${this.result.k}colors-palette.css`));
    this.wireDrop();
    document.addEventListener("paste", (e) => this.paste(e));
    new ResizeObserver(() => this.drawClouds()).observe(this.root.querySelector(".cloud-card"));
  }

  wireDrop() {
    const zone = this.root;
    zone.addEventListener("dragover", (e) => {
      if (![...(e.dataTransfer?.types ?? [])].includes("Files")) return;
      e.preventDefault();
      zone.classList.add("dragging");
    });
    zone.addEventListener("dragleave", (e) => {
      if (!zone.contains(e.relatedTarget)) zone.classList.remove("dragging");
    });
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("dragging");
      const file = e.dataTransfer?.files?.[0];
      if (file) this.load(file, file.name);
    });
  }

  paste(event) {
    if (this.root.hidden) return;
    const item = [...(event.clipboardData?.items ?? [])].find((i) => i.kind === "file");
    const file = item?.getAsFile();
    if (!file) return;
    event.preventDefault();
    this.load(file, file.name && file.name !== "image.png" ? file.name : "pasted-image.png");
  }

  shown() {}

  async loadSample(name) {
    const done = busy(`Loading ${name}…`);
    try {
      const response = await fetch(new URL(`../../data/${name}`, import.meta.url));
      if (!response.ok) throw new ImageInputError(`The sample ${name} could not be loaded (HTTP ${response.status}).`);
      await this.load(await response.blob(), name);
    } catch (err) {
      this.fail(err);
    } finally {
      done();
    }
  }

  /** Decode `file`; on success show it and quantize it, else explain and keep the last result. */
  async load(file, name) {
    const done = busy(`Reading ${name}…`);
    try {
      const fallback = (f, n) => decodeInWorker(this.engine, f, n, { onStatus: (m) => say(m) });
      const decoded = await decodeImage(file, name, { fallback });
      this.job?.abort();
      this.image = { ...decoded, name, bytes: file.size };
      this.result = null;
      this.compare.setOriginal(decoded.canvas);
      this.setResultEnabled(false);
      const reader = decoded.reader ? ` · ${decoded.format}, read with ${decoded.reader}${decoded.notes ? ` (${decoded.notes})` : ""}` : "";
      this.nameEl.textContent = `${name} · ${fmtInt(decoded.width)} × ${fmtInt(decoded.height)} px · ${formatBytes(file.size)}${reader}`;
      this.showError("");
      done();
      await this.run();
    } catch (err) {
      this.fail(err);
    } finally {
      done();
    }
  }

  fail(err) {
    const message = err instanceof ImageInputError ? err.message : `The image could not be opened: ${err.message}`;
    this.showError(`${message}${this.result ? " The previous result is still shown." : ""}`);
    say(message, "error");
  }

  showError(message) {
    this.error.textContent = message;
    this.error.hidden = !message;
  }

  schedule() {
    clearTimeout(this.timer);
    if (this.image) this.timer = setTimeout(() => this.run(), DEBOUNCE_MS);
  }

  async run() {
    clearTimeout(this.timer);
    const params = readForm(this.form, FIELDS, this.error);
    if (!params) return;
    if (!this.image) {
      this.showError("Choose an image first: pick a file, drop or paste one, or try a sample.");
      return;
    }
    this.job?.abort();
    const job = new AbortController();
    this.job = job;
    this.form.elements.cancel.disabled = false;
    const { canvas, width, height, name } = this.image;
    const done = busy(`Quantizing ${name} to ${params.n_colors} colors…`);
    try {
      const t0 = performance.now();
      const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
      const t1 = performance.now();
      const res = await this.engine.call("image_quantize", {
        pixels: new Uint8Array(pixels.buffer), width, height, n_colors: params.n_colors,
        method: params.method, dither: params.dither, random_state: params.seed,
      }, { signal: job.signal });
      if (this.job !== job) return;
      const t2 = performance.now();
      this.compare.setQuantized(res.rgba, res.width, res.height);
      const t3 = performance.now();
      res.timing = { read: t1 - t0, worker: t2 - t1, total: t3 - t1, python: res.seconds * 1000 };
      res.name = name;
      res.k = params.n_colors;
      res.params = params;
      this.result = res;
      this.render(res);
      res.timing.all = performance.now() - t1; // with palette, measures and pixel clouds
      say(`Quantized ${name} to ${res.n_colors_out} colors in ${Math.round(res.timing.total)} ms.`);
    } catch (err) {
      if (err.name === "AbortError") say("Cancelled; the previous result is still shown.");
      else {
        this.showError(`Could not quantize: ${err.message}`);
        say(`Could not quantize: ${err.message}`, "error");
      }
    } finally {
      done();
      if (this.job === job) {
        this.job = null;
        this.form.elements.cancel.disabled = true;
      }
    }
  }

  render(res) {
    const set = (key, text) => { this.root.querySelector(`[data-measure="${key}"]`).textContent = text; };
    set("n_colors_in", fmtInt(res.n_colors_in));
    set("n_colors_out", fmtInt(res.n_colors_out));
    set("mse", res.mse.toFixed(2));
    set("psnr", Number.isFinite(res.psnr) ? `${res.psnr.toFixed(2)} dB` : "∞ (identical)");
    set("time", `${Math.round(res.timing.total)} ms (Python ${Math.round(res.timing.python)} ms)`);
    this.note.textContent = res.note;
    this.note.hidden = !res.note;
    renderSwatches(this.root.querySelector(".swatches"), res.palette, Array.from(res.counts), res.palette_alpha);
    this.summary.textContent = `${res.name}: ${fmtInt(res.n_colors_in)} colors reduced to ${res.n_colors_out}, PSNR ${Number.isFinite(res.psnr) ? res.psnr.toFixed(2) : "∞"} dB. Computed on this machine; nothing was uploaded.`;
    this.root.querySelector(".download-info").textContent = "";
    this.setResultEnabled(true);
    this.drawClouds();
  }

  /** For "Code & notebook": the photo's name, the parameters and the measures shown. */
  exportState() {
    const r = this.result;
    if (!r) return "Quantize an image first: the code reproduces a result.";
    return { name: r.name, params: r.params, token: r.token, result: { mse: r.mse, psnr: r.psnr, n_colors_out: r.n_colors_out } };
  }

  setResultEnabled(on) {
    for (const name of ["download", "copy-hex", "copy-css", "save-palette"]) {
      this.root.querySelector(`button[name="${name}"]`).disabled = !on;
    }
  }

  drawClouds() {
    const cloud = this.result?.cloud;
    const hidden = cloud?.hidden ? ` (${fmtInt(cloud.hidden)} fully transparent pixels left out)` : "";
    drawPixelCloud(this.root.querySelector(".cloud-before"), cloud?.before, `Original colors${hidden}`,
      cloud?.before, cloud?.channels);
    drawPixelCloud(this.root.querySelector(".cloud-after"), cloud?.before,
      this.result ? `The same pixels in their ${this.result.n_colors_out} palette colors` : "Palette colors",
      cloud?.after, cloud?.channels);
  }

  async download() {
    const res = this.result;
    if (!res) return;
    const info = this.root.querySelector(".download-info");
    const done = busy("Encoding the PNG…");
    try {
      const { png, size } = await this.engine.call("image_png", { token: res.token });
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

  async copy(text, what) {
    const ok = await copyText(text);
    this.root.querySelector(".download-info").textContent = ok
      ? `Copied the ${what} to the clipboard.`
      : `The browser did not allow copying; here is the ${what}:\n${text}`;
  }
}
