// Image panel: quantize a photo's colors in the worker; nothing leaves the machine.
// Decoding happens here (createImageBitmap), or in the worker with Pillow for files the
// browser cannot decode (TIFF, PPM, ...); the pixels cross to the worker as a
// transferable buffer and come back quantized, ready for putImageData.
import { drawPixelCloud } from "../draw/pixel-cloud.js";
import { attachExport } from "../export/dialog.js";
import { readForm } from "../form.js";
import { statusFor } from "../status.js";
import { Compare } from "./image/compare.js";
import { ImageInputError, decodeImage, decodeInWorker } from "./image/decode.js";
import { Messages, ditherRefusal, explain } from "./image/messages.js";
import { STAGES, idle, untilAborted } from "./image/jobs.js";
import { formValues, readHash, writeHash } from "./image/url-state.js";
import {
  baseName, copyText, cssProperties, formatBytes, hexList, renderSwatches, saveBlob,
} from "./image/palette-export.js";
import { TEMPLATE } from "./image/template.js";
import { downloadPng } from "./image/download.js";

const { busy, say } = statusFor("image"); // this panel's status line

const FIELDS = {
  n_colors: { type: "int", min: 2, max: 256, label: "Colors (k)" },
  method: { type: "choice", values: ["kmeans", "minibatch"] },
  dither: { type: "choice", values: ["none", "ordered", "floyd-steinberg"] },
  seed: { type: "int", min: 0, max: 2 ** 32 - 1, label: "Seed" },
};
const DEBOUNCE_MS = 250;
const CHAPTER = { n_colors: "16", method: "minibatch", dither: "none", seed: "0", random_swap: "0" };
const fmtInt = (n) => Number(n).toLocaleString("en-US");

export class ImagePanel {
  constructor(root, engine) {
    this.root = root;
    this.engine = engine;
    root.insertAdjacentHTML("beforeend", TEMPLATE);
    this.form = root.querySelector("form.image-controls");
    this.nameEl = root.querySelector(".image-name");
    this.urlNote = root.querySelector(".url-note");
    this.summary = root.querySelector(".image-summary");
    this.note = root.querySelector(".note");
    this.progress = root.querySelector(".image-progress");
    this.msg = new Messages(root);
    this.compare = new Compare(root.querySelector(".compare"));
    this.image = null; // the picture on screen: {canvas, width, height, name, bytes, sample}
    this.result = null; // its quantized result; both change together (commit)
    this.candidate = null; // a picture chosen but not quantized yet (refused, or failed)
    this.job = null;
    this.timer = null;
    this.lastHash = null;
    this.opened = false;
    this.wire();
    this.restore(readHash(location.hash));
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
    for (const name of ["n_colors", "method", "dither", "seed", "random_swap"]) {
      f[name].addEventListener("change", () => { this.updateUrl(); this.schedule(); });
    }
    f.cancel.addEventListener("click", () => this.cancel());
    for (const button of this.root.querySelectorAll("[data-sample]")) {
      button.addEventListener("click", () => this.loadSample(button.dataset.sample));
    }
    const on = (name, fn) => this.root.querySelector(`button[name="${name}"]`).addEventListener("click", fn);
    on("chapter", () => this.chapter());
    on("download", () => downloadPng(this, { say, busy }));
    on("copy-hex", () => this.copy(hexList(this.result.palette, this.result.palette_alpha), "hex list"));
    on("copy-css", () => this.copy(cssProperties(this.result.palette, this.result.palette_alpha), "CSS custom properties"));
    on("save-palette", () => saveBlob(new Blob([`${cssProperties(this.result.palette, this.result.palette_alpha)}\n`], { type: "text/css" }),
      `${baseName(this.result.name)}-${this.result.k}colors-palette.css`));
    for (const el of this.root.querySelectorAll('.compare [name="view"], .compare [name="zoom"]')) {
      el.addEventListener("change", () => this.updateUrl());
    }
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

  /** On screen: a new "#image?..." link is applied; the first time, the chapter's photo opens. */
  shown() {
    if (location.hash !== this.lastHash && location.hash.startsWith("#image?")) {
      const state = readHash(location.hash);
      this.restore(state);
      if (state?.sample && this.opened) this.loadSample(state.sample);
    }
    if (!this.opened) {
      this.opened = true;
      this.openFirst();
    } else {
      this.updateUrl(); // back from another panel: the link shows this panel's state again
    }
  }

  /** Open china.jpg (or the link's sample) once Python is ready and the page idle, as the
   * chapter does; never before, so that start-up is not delayed, and not over a picture. */
  async openFirst() {
    if (this.restored?.yours) return; // the link asks for the person's own picture
    await this.engine.ready.catch(() => {});
    if (this.engine.state === "error") return;
    await idle();
    if (this.image || this.candidate || this.job) return; // a picture came first
    this.loadSample(this.restored?.sample ?? "china.jpg");
  }

  /** Settings from a link; when it names "your image", say that the picture is not in it. */
  restore(state) {
    this.restored = state;
    if (!state) return;
    const f = this.form.elements;
    for (const [key, value] of Object.entries(state.values)) {
      if (key === "random_swap") f.random_swap.checked = value === "1";
      else if (key === "view") this.root.querySelector(`.compare [name="view"][value="${CSS.escape(value)}"]`)?.click();
      else if (key === "zoom") {
        const zoom = this.root.querySelector('.compare [name="zoom"]');
        if ([...zoom.options].some((o) => o.value === value)) { zoom.value = value; this.compare.applyZoom(); }
      } else if (f[key]) f[key].value = value;
    }
    this.lastHash = location.hash;
    if (state.yours) {
      this.showUrlNote("This link holds the settings but not the picture: a picture you open stays on your computer and never goes into a link. Choose your picture again (or drop it here) to see the result with these settings.");
    }
  }

  showUrlNote(text) {
    this.urlNote.textContent = text;
    this.urlNote.hidden = !text;
  }

  updateUrl() {
    if (this.root.hidden || !location.hash.startsWith("#image")) return; // another panel's URL
    const picture = this.image?.sample ?? (this.image || this.restored?.yours ? "yours" : null);
    const hash = writeHash(formValues(this.root), picture);
    if (hash !== location.hash) history.replaceState(null, "", `${location.pathname}${location.search}${hash}`);
    this.lastHash = location.hash;
  }

  chapter() {
    const f = this.form.elements;
    for (const [key, value] of Object.entries(CHAPTER)) {
      if (key === "random_swap") f.random_swap.checked = false;
      else f[key].value = value;
    }
    if (this.image?.sample === "china.jpg") this.run();
    else this.loadSample("china.jpg");
  }

  async loadSample(name) {
    const job = this.startJob(`Loading ${name}…`);
    try {
      let response;
      try {
        response = await untilAborted(fetch(new URL(`../../data/${name}`, import.meta.url), { signal: job.signal }), job.signal);
      } catch (err) {
        if (err.name === "AbortError") throw err;
        throw new ImageInputError(navigator.onLine === false
          ? `You are offline, and the sample ${name} is not saved on this device yet. Choose a picture from your computer instead.`
          : `The sample ${name} could not be loaded (${err.message}). Check the connection and try again, or choose a picture from your computer.`);
      }
      if (!response.ok) throw new ImageInputError(`The sample ${name} could not be loaded (the server answered ${response.status}). Try again later, or choose a picture from your computer.`);
      const blob = await untilAborted(response.blob(), job.signal);
      await this.open(blob, name, job, name);
    } catch (err) {
      this.failed(err, "file");
    } finally {
      this.endJob(job);
    }
  }

  /** Decode `file` and quantize it; the screen changes only when both succeed. */
  async load(file, name) {
    const job = this.startJob(`Reading ${name}…`);
    try {
      await this.open(file, name, job, null);
    } catch (err) {
      this.failed(err, "file");
    } finally {
      this.endJob(job);
    }
  }

  async open(file, name, job, sample) {
    const fallback = (f, n) => decodeInWorker(this.engine, f, n, { onStatus: (m) => { this.setProgress(m); say(m); }, signal: job.signal });
    const decoded = await untilAborted(decodeImage(file, name, { fallback }), job.signal);
    const reader = decoded.reader ? ` · ${decoded.format}, read with ${decoded.reader}${decoded.notes ? ` (${decoded.notes})` : ""}` : "";
    this.candidate = {
      ...decoded, name, bytes: file.size, sample,
      info: `${name} · ${fmtInt(decoded.width)} × ${fmtInt(decoded.height)} px · ${formatBytes(file.size)}${reader}`,
    };
    if (!sample) this.restored = null;
    await this.quantize(this.candidate, job);
  }

  /** Cancel the running job: the previous result stays, and the panel is free at once. */
  cancel() {
    const job = this.job;
    if (!job) return;
    job.abort();
    this.candidate = null;
    this.endJob(job);
    this.setProgress(this.result ? "Cancelled. The previous result is still shown." : "Cancelled.", true);
    say(this.result ? "Cancelled; the previous result is still shown." : "Cancelled.");
  }

  startJob(message) {
    clearTimeout(this.timer);
    if (this.job) { this.job.abort(); this.endJob(this.job); }
    const job = new AbortController();
    job.done = busy(message);
    this.job = job;
    this.form.elements.cancel.disabled = false;
    this.msg.clear();
    this.setProgress(message);
    return job;
  }

  endJob(job) {
    job.done();
    if (this.job !== job) return;
    this.job = null;
    this.form.elements.cancel.disabled = true;
    this.setProgress("");
  }

  setProgress(text, keep = false) {
    this.progress.textContent = text;
    this.progress.hidden = !text;
    this.progress.classList.toggle("is-final", keep);
  }

  /** A refusal or error: said next to its control; the previous result stays whole. */
  failed(err, where) {
    if (err.name === "AbortError") return;
    let slot = where;
    let text = err instanceof ImageInputError ? err.message : null;
    if (!text) [slot, text] = explain(err);
    const kept = this.result ? " The previous result is still shown." : "";
    this.msg.show(slot, `${text}${kept}`);
    say(text, "error");
  }

  schedule() {
    clearTimeout(this.timer);
    if (this.image || this.candidate) this.timer = setTimeout(() => this.run(), DEBOUNCE_MS);
  }

  /** Read and check the settings; null (with the message shown) when one is wrong. */
  params() {
    const slot = this.msg.slots.fields;
    const params = readForm(this.form, FIELDS, slot);
    if (!params) {
      this.msg.show("fields", `${slot.textContent}${this.result ? " The previous result is still shown." : ""}`);
      return null;
    }
    params.random_swap = this.form.elements.random_swap.checked;
    return params;
  }

  async run() {
    clearTimeout(this.timer);
    const image = this.candidate ?? this.image;
    if (!image) {
      this.msg.show("file", "Choose a picture first: pick a file, drop or paste one, or try a sample.");
      return;
    }
    if (!this.params()) return;
    const job = this.startJob(`Quantizing ${image.name}…`);
    try {
      await this.quantize(image, job);
    } catch (err) {
      this.failed(err, "run");
    } finally {
      this.endJob(job);
    }
  }

  /** Quantize `image`; on success show it with its result, all at once. */
  async quantize(image, job) {
    const params = this.params();
    if (!params) return;
    const refusal = ditherRefusal(params.dither, image.width, image.height);
    if (refusal) {
      const what = image === this.image ? "" : `“${image.name}” (${fmtInt(image.width)} × ${fmtInt(image.height)}) was not quantized. `;
      this.msg.show("dither", `${what}${refusal}${this.result ? " The previous result is still shown." : ""}`);
      say(refusal, "error");
      return;
    }
    const { canvas, width, height, name } = image;
    const label = `Quantizing ${name} to ${params.n_colors} colors${params.random_swap ? " with random swap" : ""}`;
    this.setProgress(`${label}… Cancel keeps the ${this.result ? "previous result" : "page as it is"}.`);
    say(`${label}…`);
    const t0 = performance.now();
    const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    const t1 = performance.now();
    const onProgress = (rec) => {
      if (this.job === job && rec.stage) this.setProgress(`${label}: ${STAGES[rec.stage] ?? rec.stage}… Cancel keeps the ${this.result ? "previous result" : "page as it is"}.`);
    };
    const res = await untilAborted(this.engine.call("image_quantize", {
      pixels: new Uint8Array(pixels.buffer), width, height, n_colors: params.n_colors,
      method: params.method, dither: params.dither, random_state: params.seed, random_swap: params.random_swap,
    }, { signal: job.signal, onProgress }), job.signal);
    if (this.job !== job) return;
    res.timing = { read: t1 - t0, worker: performance.now() - t1, python: res.seconds * 1000 };
    res.generation = this.engine.generation; // the worker that holds its labels
    res.name = name;
    res.k = params.n_colors;
    res.params = params;
    this.commit(image, res);
    res.timing.total = performance.now() - t1;
    this.setMeasure("time", `${Math.round(res.timing.total)} ms (Python ${Math.round(res.timing.python)} ms)`);
    say(`Quantized ${name} to ${res.n_colors_out} colors in ${Math.round(res.timing.total)} ms.`);
  }

  /** Show a picture and its result together: original, quantized, measures, palette, clouds. */
  commit(image, res) {
    this.compare.setOriginal(image.canvas);
    this.compare.setQuantized(res.rgba, res.width, res.height);
    this.image = image;
    this.candidate = null;
    this.result = res;
    this.nameEl.textContent = image.info;
    this.showUrlNote(image.sample ? "" : "The address bar’s link keeps these settings, not your picture: it never leaves your computer.");
    this.msg.clear();
    this.render(res);
    this.updateUrl();
  }

  setMeasure(key, text) {
    this.root.querySelector(`[data-measure="${key}"]`).textContent = text;
  }

  render(res) {
    const set = (key, text) => this.setMeasure(key, text);
    set("n_colors_in", fmtInt(res.n_colors_in));
    set("n_colors_out", fmtInt(res.n_colors_out));
    set("mse", res.mse.toFixed(2));
    set("psnr", Number.isFinite(res.psnr) ? `${res.psnr.toFixed(2)} dB` : "∞ (identical)");
    set("time", "…");
    this.renderSwap(res.swap, res.params?.dither ?? "none");
    this.note.textContent = res.note;
    this.note.hidden = !res.note;
    renderSwatches(this.root.querySelector(".swatches"), res.palette, Array.from(res.counts), res.palette_alpha);
    this.summary.textContent = `${res.name}: ${fmtInt(res.n_colors_in)} colors reduced to ${res.n_colors_out}, PSNR ${Number.isFinite(res.psnr) ? res.psnr.toFixed(2) : "∞"} dB. Computed on this machine; nothing was uploaded.`;
    this.root.querySelector(".download-info").textContent = "";
    this.setResultEnabled(true);
    this.drawClouds();
  }

  /** The random-swap refinement against plain k-means, where a person sees the gain. */
  renderSwap(swap, dither) {
    this.root.querySelector(".swap-measure").hidden = !swap;
    if (!swap) return;
    const gain = swap.mse_kmeans > 0 ? (100 * (swap.mse_kmeans - swap.mse)) / swap.mse_kmeans : 0;
    const kept = `${fmtInt(swap.accepted)} of ${fmtInt(swap.tried)} swaps kept, ${(swap.seconds).toFixed(1)} s${dither !== "none" ? " (palette error before dithering)" : ""}`;
    this.setMeasure("swap", gain > 0
      ? `MSE ${swap.mse_kmeans.toFixed(2)} → ${swap.mse.toFixed(2)} (−${gain.toFixed(1)}%); ${kept}`
      : `no lower error than k-means' ${swap.mse_kmeans.toFixed(2)}; ${kept}`);
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

  async copy(text, what) {
    const ok = await copyText(text);
    this.root.querySelector(".download-info").textContent = ok
      ? `Copied the ${what} to the clipboard.`
      : `The browser did not allow copying; here is the ${what}:\n${text}`;
  }
}
