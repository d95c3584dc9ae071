"""Color quantization speed and quality: kmeanslab.quantize vs scikit-learn and Pillow.

In the page, the Image panel's own path is timed from decoded pixels (the RGBA the
panel reads from its canvas) to the quantized image drawn on its canvas, for
china.jpg, flower.jpg and a 12-megapixel (4000 x 3000) enlargement of china.jpg,
all at k=16. The same pixels are timed natively. Quality is the MSE relative to the
best of scikit-learn's full KMeans (n_init=1) over seeds fitted on all pixels, and
PSNR against Pillow's median cut.
"""

from __future__ import annotations

import numpy as np

from . import BenchContext, median_ms, print_table

K = 16
OPEN_PANEL_JS = """async () => {
  if (location.hash !== '#image') location.hash = '#image';
  while (!window.kmeanslab.panels.image) await new Promise(r => setTimeout(r, 20));
}"""
LOAD_SAMPLE_JS = """async (name) => {
  const panel = window.kmeanslab.panels.image;
  panel.form.elements.n_colors.value = String(K_VALUE);
  const blob = await (await fetch('data/' + name)).blob();
  await panel.load(blob, name);
  return [panel.image.width, panel.image.height];
}""".replace("K_VALUE", str(K))
ENLARGE_JS = """async ([w, h]) => {
  const panel = window.kmeanslab.panels.image;
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(panel.image.canvas, 0, 0, w, h);
  panel.image = {canvas, width: w, height: h, name: `china-${w}x${h}.png`, bytes: 0};
  panel.compare.setOriginal(canvas);
  return [w, h];
}"""
RUN_JS = """async (repeat) => {
  const panel = window.kmeanslab.panels.image;
  const out = [];
  for (let i = 0; i < repeat; i++) {
    await panel.run();
    const r = panel.result;
    out.push({...r.timing, mse: r.mse, psnr: r.psnr});
  }
  return out;
}"""
OP_JS = """async ([impl, repeat]) => {
  const {canvas, width, height} = window.kmeanslab.panels.image.image;
  const out = [];
  for (let i = 0; i < repeat; i++) {
    const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    out.push(await window.kmeanslab.engine.call('image_bench',
      {pixels: new Uint8Array(data.buffer), width, height, n_colors: K_VALUE, impl,
       random_state: i}));
  }
  return out;
}""".replace("K_VALUE", str(K))
CANVAS_RGB_JS = """() => {
  const {canvas, width, height} = window.kmeanslab.panels.image.image;
  return Array.from(canvas.getContext('2d').getImageData(0, 0, width, height).data);
}"""


def _median(values: list[float]) -> float:
    return float(np.median(values))


def _sklearn_best(X: np.ndarray, seeds: range, bits: int = 8) -> float:
    """Least MSE of sklearn KMeans(n_init=1) over seeds, fitted on all pixels.

    The pixels are passed as their distinct colors weighted by their counts: the same
    objective as every pixel (so the same result up to k-means++ sampling), faster.
    With ``bits`` < 8 the colors are first rounded to that many bits per channel (for
    the 12 MP image, whose 1.3 million distinct colors take minutes); the MSE is then
    measured on the real pixels.
    """
    from sklearn.cluster import KMeans

    channels = X.astype(np.int64) >> (8 - bits) << (8 - bits)
    packed = channels[:, 0] | channels[:, 1] << 8 | channels[:, 2] << 16
    keys, counts = np.unique(packed, return_counts=True)
    colors = np.stack([keys & 255, (keys >> 8) & 255, keys >> 16], axis=1).astype(np.float64)
    best = np.inf
    for s in seeds:
        km = KMeans(K, n_init=1, init="k-means++", random_state=s)
        km.fit(colors, sample_weight=counts.astype(np.float64))
        if bits == 8:
            best = min(best, km.inertia_ / X.size)
        else:
            labels = km.predict(X)
            best = min(best, float(((X - km.cluster_centers_[labels]) ** 2).mean()))
    return best


def native_rows(name: str, image: np.ndarray, repeat: int, seeds: range) -> tuple[list, float]:
    """Native times and MSE: kmeanslab, sklearn MiniBatchKMeans, Pillow median cut."""
    from PIL import Image
    from sklearn.cluster import MiniBatchKMeans

    from kmeanslab.image import _quantize as q

    X = image.reshape(-1, 3).astype(np.float64)
    ms_ours, ours = median_ms(lambda: q.quantize_image(image, K, random_state=0), repeat)
    if X.shape[0] > 3_000_000:  # sklearn baselines on 12 MP take many minutes natively
        return [[name, "kmeanslab.quantize", ms_ours, 1.0, float("nan"), ours.psnr]], ours.mse
    best = _sklearn_best(X, seeds)

    def minibatch() -> float:
        m = MiniBatchKMeans(K, n_init=1, random_state=0).fit(X)
        return float(((X - m.cluster_centers_[m.labels_]) ** 2).mean())

    ms_mb, mse_mb = median_ms(minibatch, repeat if image.size < 3_000_000 else 1)
    rows = [
        [name, "kmeanslab.quantize", ms_ours, 1.0, ours.mse / best, ours.psnr],
        [name, "sklearn MiniBatchKMeans", ms_mb, ms_mb / ms_ours, mse_mb / best,
         10 * np.log10(255**2 / mse_mb)],
    ]
    if image.size < 3_000_000 * 3:  # Pillow's median cut takes minutes on 12 MP
        ms_pil, pil = median_ms(lambda: np.asarray(Image.fromarray(image).quantize(
            K, method=Image.Quantize.MEDIANCUT).convert("RGB")), repeat)
        mse_pil = q.mse(image, pil)
        rows.append([name, "Pillow MEDIANCUT", ms_pil, ms_pil / ms_ours, mse_pil / best,
                     10 * np.log10(255**2 / mse_pil)])
    return rows, best


def _native_image(page, sample: str, size: tuple[int, int] | None) -> np.ndarray:
    """The page's pixels for a sample; for the enlargement, Pillow's bicubic resize."""
    if size:
        from PIL import Image
        from sklearn.datasets import load_sample_image

        small = Image.fromarray(load_sample_image(sample))
        return np.asarray(small.resize(size, Image.Resampling.BICUBIC))
    w, h = page.evaluate("() => [kmeanslab.panels.image.image.width, "
                         "kmeanslab.panels.image.image.height]")
    rgba = np.asarray(page.evaluate(CANVAS_RGB_JS), dtype=np.uint8).reshape(h, w, 4)
    return np.ascontiguousarray(rgba[..., :3])


def run(ctx: BenchContext) -> None:
    page = ctx.page
    page.evaluate(OPEN_PANEL_JS)
    # The 12 MP image first, while the worker's memory is fresh (scikit-learn loads later).
    workloads = [("china.jpg", (4000, 3000)), ("china.jpg", None), ("flower.jpg", None)]
    sklearn_loaded = False
    page_rows, native_table = [], []
    for sample, enlarge in workloads:
        page.evaluate(LOAD_SAMPLE_JS, sample)
        if enlarge:
            page.evaluate(ENLARGE_JS, list(enlarge))
        label = f"{sample} {enlarge[0]}x{enlarge[1]}" if enlarge else sample
        runs = page.evaluate(RUN_JS, ctx.repeat + 1)[1:]  # the first run warms the JIT up
        image = _native_image(page, sample, enlarge)
        seeds = range(1) if enlarge else range(5)
        rows, best = native_rows(label, image, ctx.repeat, seeds)
        native_table += rows
        total = _median([r["total"] for r in runs])
        page_rows.append([
            label, "panel: pixels to drawn image", total, _median([r["python"] for r in runs]),
            _median([r["all"] for r in runs]), runs[-1]["mse"] / best, runs[-1]["psnr"],
            total / rows[0][2],
        ])
        print(f"{label}: page runs (ms to drawn) {[round(r['total']) for r in runs]}", flush=True)
        if not enlarge:
            if not sklearn_loaded:
                ms_load = ctx.load_packages(["scikit-learn"])
                print(f"(scikit-learn loaded into the page in {ms_load:.0f} ms, for baselines)")
                sklearn_loaded = True
            for impl, name in (("kmeanslab", "kmeanslab op alone (Pyodide)"),
                               ("sklearn_minibatch", "sklearn MiniBatchKMeans (Pyodide)")):
                results = page.evaluate(OP_JS, [impl, ctx.repeat])
                ms = _median([r["ms"] for r in results])
                mse = _median([r["mse"] for r in results])
                page_rows.append([label, name, ms, ms, ms, mse / best,
                                  10 * np.log10(255**2 / mse), ms / rows[0][2]])
    print_table(
        f"Image quantization in the page, k={K} (ms, median of {ctx.repeat}; "
        "MSE relative to the best sklearn KMeans fitted on all pixels)",
        ["image", "what", "ms to drawn", "ms in Python", "ms all drawn", "MSE rel",
         "PSNR dB", "x native"],
        page_rows,
    )
    print_table(f"Image quantization natively, k={K} (ms; ratio to kmeanslab)",
                ["image", "implementation", "ms", "x kmeanslab", "MSE rel", "PSNR dB"],
                native_table)
