"""Worker entry points of the Image panel.

The page decodes the image itself and sends its RGBA pixels as a transferable buffer;
:func:`image_quantize` returns the quantized RGBA pixels ready for a canvas, the
palette with each color's share, the measures, and a sample of pixels before and
after for the color-cloud plots. The last result stays in the worker, so that
:func:`image_png` encodes the download without the pixels crossing again. Files the
browser cannot decode come to :func:`image_decode`, which reads them with Pillow.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Generator
from typing import Any

import numpy as np

from ..image import _decode
from ..image import _quantize as q
from ..image._png import write_indexed_png_steps
from ..image._steps import spans

Record = dict[str, Any]
CLOUD_SIZE = 10_000
# a record to the worker at least this often, so that Cancel is seen within ~50 ms
REPORT_SECONDS = 0.04
ALPHA_NOTE = ("The image has transparency, so it was quantized in RGBA: its fully transparent "
              "pixels share one transparent palette entry, and MSE and PSNR count the four "
              "channels of premultiplied RGBA (a colour error weighs as much as its pixel "
              "is opaque).")
_last: dict[str, Any] = {}  # labels, palette and token of the last result


def _rgba(pixels: Any, width: int, height: int) -> np.ndarray:
    """(height, width, 4) view of the page's RGBA buffer, validated."""
    width, height = int(width), int(height)
    if width < 1 or height < 1:
        raise ValueError(f"The image is {width} x {height} pixels; it has no pixels to quantize.")
    if width * height > q.MAX_PIXELS:
        raise ValueError(f"The image has {width * height:,} pixels; the limit is "
                         f"{q.MAX_PIXELS:,} (50 megapixels).")
    flat = np.frombuffer(pixels, dtype=np.uint8)
    if flat.size != width * height * 4:
        raise ValueError(f"pixels has {flat.size} bytes; a {width} x {height} RGBA image "
                         f"has {width * height * 4}.")
    return flat.reshape(height, width, 4)


def image_quantize(
    pixels: Any,
    width: int,
    height: int,
    n_colors: int = 16,
    method: str = "kmeans",
    dither: str = "none",
    random_state: int = 0,
    n_init: int = 1,
    random_swap: bool = False,
) -> Generator[Record, None, Record]:
    """Quantize an RGBA image to ``n_colors`` colors; see :func:`kmeanslab.image.quantize_image`.

    A generator: it yields ``{"stage": ...}`` records (the first before any work, so
    that Cancel can stop a queued job, then at least every ``REPORT_SECONDS`` while it
    works: every pass over the pixels runs in chunks, :mod:`kmeanslab.image._steps`),
    so the worker can stop it between two records. Parameters are checked first; an
    invalid one raises ``ValueError`` naming it. Returns: ``rgba`` (quantized pixels,
    flat uint8), ``palette`` (flat n x 3 uint8 RGB), ``palette_alpha`` (n uint8, 255
    for an opaque image), ``transparent`` (whether the image has transparency, and was
    quantized in RGBA), ``counts``, ``mse``, ``psnr``, ``n_colors_in``,
    ``n_colors_out``, ``n_iter``, ``n_bins``, ``seconds``, ``note`` (a warning, or
    ""), ``swap`` (with ``random_swap``: ``mse_kmeans``, the plain k-means palette's
    error without dithering, ``mse`` after the swaps, ``tried``, ``accepted``,
    ``seconds``; else None), and ``cloud``: ``before`` / ``after`` flat (m x channels)
    uint8 colors of up to 10,000 sampled pixels (``channels`` 4 with transparency,
    when only pixels not fully transparent are sampled; ``hidden`` counts the fully
    transparent ones). The last result (for :func:`image_png`) changes only when a
    run completes: a cancelled run leaves the previous one.
    """
    image = _rgba(pixels, width, height)
    steps = q.quantize_image_steps(image, int(n_colors), method=str(method),
                                   dither=str(dither), random_state=int(random_state),
                                   n_init=int(n_init), random_swap=bool(random_swap))
    return _forward(_quantize(image, steps, int(random_state)), int(width) * int(height))


def _forward(steps: Generator[str, None, Record], n_pixels: int) -> Generator[Record, None, Record]:
    """Pass on one record of ``steps`` every ``REPORT_SECONDS`` (and the first at once)."""
    yield {"stage": "queued", "pixels": n_pixels}
    last = time.perf_counter()
    while True:
        try:
            stage = next(steps)
        except StopIteration as stop:
            return stop.value
        now = time.perf_counter()
        if now - last >= REPORT_SECONDS:
            last = now
            yield {"stage": stage}


def _quantize(image: np.ndarray, steps: Any, seed: int) -> Generator[str, None, Record]:
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        result = yield from steps
    palette = result.palette
    transparent = palette.shape[1] == 4
    table = np.zeros((palette.shape[0], 4), dtype=np.uint8)
    table[:, :palette.shape[1]] = palette
    if not transparent:
        table[:, 3] = 255
    words = table.reshape(-1).view("<u4")
    labels = result.labels.reshape(-1)
    rgba = np.empty(labels.size, dtype="<u4")
    for lo, hi in spans(labels.size):
        np.take(words, labels[lo:hi], out=rgba[lo:hi], mode="clip")
        yield "drawing"
    flat = image.reshape(-1, 4)
    if transparent:  # no colour shows under full transparency: sample the visible pixels
        visible = np.flatnonzero(flat[:, 3] > 0).astype(np.intp)
        sample = visible[_sample(visible.size, seed)]
    else:
        sample = _sample(flat.shape[0], seed)
    channels = 4 if transparent else 3
    seconds = time.perf_counter() - start
    token = int(_last.get("token", 0)) + 1
    _last.clear()  # only now: a cancelled run never reaches this line
    _last.update(labels=result.labels, palette=palette, token=token)
    return {
        "rgba": rgba.view(np.uint8),
        "token": token,
        "width": int(image.shape[1]),
        "height": int(image.shape[0]),
        "palette": np.ascontiguousarray(palette[:, :3]),
        "palette_alpha": np.ascontiguousarray(table[:, 3]),
        "transparent": transparent,
        "counts": result.counts.astype(np.float64),
        "mse": result.mse,
        "psnr": result.psnr,
        "n_colors_in": result.n_colors_in,
        "n_colors_out": result.n_colors_out,
        "n_iter": result.n_iter,
        "n_bins": result.n_bins,
        "seconds": seconds,
        "swap": result.swap,
        "note": " ".join([str(w.message) for w in caught] + [ALPHA_NOTE] * transparent),
        "cloud": {
            "channels": channels,
            "hidden": int(flat.shape[0] - visible.size) if transparent else 0,
            "before": np.ascontiguousarray(flat[sample, :channels]),
            "after": np.ascontiguousarray(table[labels[sample], :channels]),
        },
    }


def _sample(n_pixels: int, seed: int) -> np.ndarray:
    """Indices of up to ``CLOUD_SIZE`` distinct pixels, as the chapter samples them."""
    if n_pixels <= CLOUD_SIZE:
        return np.arange(n_pixels, dtype=np.intp)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_pixels, CLOUD_SIZE, replace=False)).astype(np.intp)


def image_decode(data: Any) -> Record:
    """Read an image file the browser could not decode, with Pillow.

    ``data`` is the file's bytes. Returns ``{"needs": "pillow", "format": ...}`` when
    Pillow is not loaded yet (the page loads it and calls again), else ``pixels``
    (flat RGBA uint8), ``width``, ``height``, ``format`` (e.g. "TIFF") and ``notes``
    (what was converted: pages, bit depth, colour space; "" when nothing). Raises
    ``ValueError`` naming the format when the file cannot be read, or is over
    ``MAX_PIXELS`` (50 megapixels).
    """
    data = bytes(memoryview(data))
    reason = _decode.refusal(data)
    if reason:
        raise ValueError(reason)
    if not _decode.pillow_available():
        return {"needs": "pillow", "format": _decode.identify(data) or "this file"}
    decoded = _decode.decode_image(data, q.MAX_PIXELS)
    h, w = decoded.pixels.shape[:2]
    return {"pixels": decoded.pixels.reshape(-1), "width": int(w), "height": int(h),
            "format": decoded.format, "notes": "; ".join(decoded.notes)}


def image_png(token: int | None = None, rgba: Any = None, width: int | None = None,
              height: int | None = None, palette: Any = None,
              palette_alpha: Any = None) -> Generator[Record, None, Record]:
    """The last quantized image as an indexed-color PNG file (bytes as uint8).

    ``token`` (from :func:`image_quantize`'s result) makes sure the file is the image
    the page shows, not a later one. A worker that was restarted (after a cancel) has
    lost that result: the page then sends what it shows instead, the quantized image
    ``rgba`` (``width * height * 4`` uint8, the result's ``rgba``) with its ``palette``
    (``(n, 3)`` uint8, flat) and ``palette_alpha`` (``n`` uint8), and the indices are
    read back from the colors (each pixel is exactly one palette entry). A generator,
    like :func:`image_quantize`: the rows are compressed a chunk at a time. Raises
    ``ValueError`` when neither is available, or when ``rgba`` holds a color that is
    not in the palette.
    """
    if rgba is not None:
        labels, table = _labels_from_rgba(rgba, int(width), int(height), palette, palette_alpha)
    elif not _last or (token is not None and int(token) != _last["token"]):
        raise ValueError("That quantized image is no longer in memory; quantize it again.")
    else:
        labels, table = _last["labels"], _last["palette"]
    data = yield from _forward(write_indexed_png_steps(labels, table), labels.size)
    return {"png": np.frombuffer(data, dtype=np.uint8), "size": len(data)}


def _labels_from_rgba(rgba: Any, width: int, height: int, palette: Any,
                      palette_alpha: Any) -> tuple[np.ndarray, np.ndarray]:
    """The (height, width) palette indices of a quantized RGBA image, and the palette as
    (n, 3) uint8, or (n, 4) when an entry is not opaque (as the quantizer gives it)."""
    words = np.frombuffer(memoryview(rgba), dtype="<u4")
    rgb = np.frombuffer(memoryview(palette), dtype=np.uint8).reshape(-1, 3)
    alpha = np.frombuffer(memoryview(palette_alpha), dtype=np.uint8)
    if words.size != width * height or alpha.size != rgb.shape[0]:
        raise ValueError(f"rgba holds {words.size} pixels for a {width} x {height} image "
                         f"and {rgb.shape[0]} palette colors with {alpha.size} alphas; "
                         "quantize the image again.")
    table = np.concatenate([rgb, alpha[:, None]], axis=1)
    keys = np.ascontiguousarray(table).view("<u4").reshape(-1)
    order = np.argsort(keys, kind="stable").astype(np.intp)
    labels = np.empty(words.size, dtype=np.uint8)
    for lo, hi in spans(words.size):
        at = np.searchsorted(keys[order], words[lo:hi]).astype(np.intp)
        np.minimum(at, keys.size - 1, out=at)
        found = order[at]
        if not np.array_equal(keys[found], words[lo:hi]):
            raise ValueError("The image on screen has colors outside its palette; "
                             "quantize it again.")
        labels[lo:hi] = found
    return labels.reshape(height, width), (table if bool(np.any(alpha < 255)) else rgb)


def image_bench(pixels: Any, width: int, height: int, n_colors: int = 16,
                impl: str = "kmeanslab", random_state: int = 0) -> Record:
    """Time one quantizer on an RGBA image in the worker (``python build.py bench``).

    ``impl`` is "kmeanslab" or, once scikit-learn is loaded, "sklearn_lloyd" or
    "sklearn_minibatch" fitted on all pixels as the chapter does. Returns ms and MSE.
    """
    image = _rgba(pixels, width, height)
    start = time.perf_counter()
    if impl == "kmeanslab":
        value = q.quantize_image(image, int(n_colors), random_state=int(random_state)).mse
    else:
        from sklearn.cluster import KMeans, MiniBatchKMeans

        X = image.reshape(-1, 4)[:, :3].astype(np.float64)
        cls = {"sklearn_lloyd": KMeans, "sklearn_minibatch": MiniBatchKMeans}[impl]
        model = cls(int(n_colors), n_init=1, random_state=int(random_state)).fit(X)
        value = float(((X - model.cluster_centers_[model.labels_]) ** 2).mean())
    return {"ms": (time.perf_counter() - start) * 1000, "mse": value}
