// Original vs quantized: side by side, or one over the other with a draggable divider.
// Both canvases hold the images at full resolution; the split is a CSS clip of the top
// canvas (no redraw while dragging), and zoom scales them with crisp pixels.

export class Compare {
  /** `root` holds .compare-stage with two canvases, the mode radios, zoom select and split slider. */
  constructor(root) {
    this.root = root;
    this.stage = root.querySelector(".compare-stage");
    this.original = root.querySelector("canvas.original");
    this.quantized = root.querySelector("canvas.quantized");
    this.slider = root.querySelector('input[name="split"]');
    this.zoom = root.querySelector('select[name="zoom"]');
    for (const radio of root.querySelectorAll('input[name="view"]')) {
      radio.addEventListener("change", () => this.setMode(radio.value));
    }
    this.slider.addEventListener("input", () => this.setSplit(Number(this.slider.value)));
    this.zoom.addEventListener("change", () => this.applyZoom());
    this.stage.addEventListener("pointerdown", (e) => this.drag(e));
    // zoomed side by side, each pane scrolls: the other follows, so both show the same spot
    this.panes = [...root.querySelectorAll(".pane-scroll")];
    for (const pane of this.panes) pane.addEventListener("scroll", () => this.follow(pane), { passive: true });
    this.setMode(root.querySelector('input[name="view"]:checked').value);
    this.setSplit(Number(this.slider.value));
  }

  setMode(mode) {
    this.mode = mode;
    this.stage.dataset.mode = mode;
    this.slider.closest("label").hidden = mode !== "split";
    this.applyZoom();
  }

  setSplit(percent) {
    const p = Math.min(100, Math.max(0, percent));
    this.slider.value = String(Math.round(p));
    this.stage.style.setProperty("--split", `${p}%`);
  }

  /** Dragging anywhere on the split view moves the divider to the pointer. */
  drag(event) {
    if (this.mode !== "split" || event.button !== 0) return;
    const move = (e) => {
      const rect = this.quantized.getBoundingClientRect();
      this.setSplit(((e.clientX - rect.left) / rect.width) * 100);
    };
    move(event);
    this.stage.setPointerCapture(event.pointerId);
    const up = () => {
      this.stage.removeEventListener("pointermove", move);
      this.stage.removeEventListener("pointerup", up);
      this.stage.removeEventListener("pointercancel", up);
    };
    this.stage.addEventListener("pointermove", move);
    this.stage.addEventListener("pointerup", up);
    this.stage.addEventListener("pointercancel", up);
    event.preventDefault();
  }

  follow(source) {
    for (const pane of this.panes) {
      if (pane === source) continue;
      if (pane.scrollLeft !== source.scrollLeft) pane.scrollLeft = source.scrollLeft;
      if (pane.scrollTop !== source.scrollTop) pane.scrollTop = source.scrollTop;
    }
  }

  applyZoom() {
    const zoom = this.zoom.value;
    this.stage.dataset.zoom = zoom;
    const dpr = window.devicePixelRatio || 1;
    for (const canvas of [this.original, this.quantized]) {
      canvas.style.width = zoom === "fit" ? "" : `${(canvas.width * Number(zoom)) / dpr}px`;
    }
  }

  /** Show a new original (a canvas at full size); the quantized view is cleared. */
  setOriginal(source) {
    copyCanvas(source, this.original);
    this.quantized.width = source.width;
    this.quantized.height = source.height;
    this.stage.style.setProperty("--aspect", `${source.width} / ${source.height}`);
    this.root.classList.remove("has-result");
    this.root.classList.add("has-image"); // transparent pixels show a checkerboard from now on
    this.applyZoom();
  }

  /** Draw quantized RGBA pixels (a Uint8Array of width * height * 4). */
  setQuantized(rgba, width, height) {
    this.quantized.width = width;
    this.quantized.height = height;
    const data = new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length), width, height);
    this.quantized.getContext("2d").putImageData(data, 0, 0);
    this.root.classList.add("has-result");
    this.applyZoom();
  }
}

function copyCanvas(from, to) {
  to.width = from.width;
  to.height = from.height;
  to.getContext("2d").drawImage(from, 0, 0);
}
