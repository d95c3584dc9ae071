// 8x8 digit images (values 0..16, dark ink on the light canvas background), alone or as
// a gallery. Drawn with pixel blocks, no smoothing, so they look as the data are.

const INK = [29, 29, 31];

/** Gray level for a value 0..16: the chapter's binary colormap (0 = paper, 16 = ink). */
export function inkColor(value, paper = [255, 255, 255]) {
  const t = Math.max(0, Math.min(1, value / 16));
  const c = paper.map((p, i) => Math.round(p + (INK[i] - p) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Draw one image of `side` x `side` values from `values[offset...]` into a square. */
export function drawDigit(ctx, values, offset, x, y, size, side = 8) {
  const cell = size / side;
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      ctx.fillStyle = inkColor(values[offset + r * side + c]);
      const x0 = Math.round(x + c * cell), y0 = Math.round(y + r * cell);
      ctx.fillRect(x0, y0, Math.round(x + (c + 1) * cell) - x0, Math.round(y + (r + 1) * cell) - y0);
    }
  }
}

/** Fill a small canvas (e.g. 8x8 backing pixels) with one digit image. */
export function paintDigitCanvas(canvas, values, offset = 0, side = 8) {
  canvas.width = side;
  canvas.height = side;
  const ctx = canvas.getContext("2d");
  drawDigit(ctx, values, offset, 0, 0, side, side);
}

/**
 * A gallery of digits `data[i*64 ...]` for each i in `indices`, wrapped to the canvas
 * width. Returns the number drawn (at most `max`).
 */
export function drawGallery(canvas, data, indices, { tile = 28, gap = 3, max = 400 } = {}) {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(tile, canvas.getBoundingClientRect().width || 300);
  const perRow = Math.max(1, Math.floor((width + gap) / (tile + gap)));
  const shown = Math.min(indices.length, max);
  const rows = Math.max(1, Math.ceil(shown / perRow));
  const height = rows * (tile + gap) - gap;
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  for (let n = 0; n < shown; n++) {
    const x = (n % perRow) * (tile + gap), y = Math.floor(n / perRow) * (tile + gap);
    drawDigit(ctx, data, indices[n] * 64, x, y, tile);
  }
  return shown;
}
