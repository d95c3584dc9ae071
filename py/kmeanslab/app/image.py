"""Worker entry points of the Image panel.

The page decodes the image itself and sends its RGBA pixels as a transferable buffer;
:func:`image_quantize` returns the quantized RGBA pixels ready for a canvas, the
palette with each color's share, the measures, and a sample of pixels before and
after for the color-cloud plots. The last result stays in the worker, so that
:func:`image_png` encodes the download without the pixels crossing again.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Generator
from typing import Any

import numpy as np

from ..image import _quantize as q
from ..image._png import write_indexed_png

Record = dict[str, Any]
CLOUD_SIZE = 10_000
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
) -> Generator[Record, None, Record]:
    """Quantize an RGBA image to ``n_colors`` colors; see :func:`kmeanslab.quantize.quantize_image`.

    Yields one progress record before the work starts (so Cancel can stop a queued
    job), then returns: ``rgba`` (quantized pixels, flat uint8), ``palette`` (flat
    n x 3 uint8), ``counts``, ``mse``, ``psnr``, ``n_colors_in``, ``n_colors_out``,
    ``n_iter``, ``n_bins``, ``seconds``, ``note`` (a warning, or ""), and ``cloud``:
    ``before`` / ``after`` flat (m x 3) uint8 colors of up to 10,000 sampled pixels.
    """
    image = _rgba(pixels, width, height)
    yield {"stage": "quantizing", "pixels": int(image.shape[0] * image.shape[1])}
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        result = q.quantize_image(image, int(n_colors), method=str(method), dither=str(dither),
                                  random_state=int(random_state), n_init=int(n_init))
    palette = result.palette
    table = np.zeros((palette.shape[0], 4), dtype=np.uint8)
    table[:, :3] = palette
    table[:, 3] = 255
    rgba = table.reshape(-1).view("<u4")[result.labels.reshape(-1)].view(np.uint8)
    seconds = time.perf_counter() - start
    token = int(_last.get("token", 0)) + 1
    _last.clear()
    _last.update(labels=result.labels, palette=palette, token=token)
    flat = image.reshape(-1, 4)
    sample = _sample(flat.shape[0], int(random_state))
    return {
        "rgba": rgba,
        "token": token,
        "width": int(width),
        "height": int(height),
        "palette": palette,
        "counts": result.counts.astype(np.float64),
        "mse": result.mse,
        "psnr": result.psnr,
        "n_colors_in": result.n_colors_in,
        "n_colors_out": result.n_colors_out,
        "n_iter": result.n_iter,
        "n_bins": result.n_bins,
        "seconds": seconds,
        "note": " ".join(str(w.message) for w in caught),
        "cloud": {
            "before": np.ascontiguousarray(flat[sample, :3]),
            "after": np.ascontiguousarray(palette[result.labels.reshape(-1)[sample]]),
        },
    }


def _sample(n_pixels: int, seed: int) -> np.ndarray:
    """Indices of up to ``CLOUD_SIZE`` distinct pixels, as the chapter samples them."""
    if n_pixels <= CLOUD_SIZE:
        return np.arange(n_pixels, dtype=np.intp)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_pixels, CLOUD_SIZE, replace=False)).astype(np.intp)


def image_png(token: int | None = None) -> Record:
    """The last quantized image as an indexed-color PNG file (bytes as uint8).

    ``token`` (from :func:`image_quantize`'s result) makes sure the file is the image
    the page shows, not a later one.
    """
    if not _last or (token is not None and int(token) != _last["token"]):
        raise ValueError("That quantized image is no longer in memory; quantize it again.")
    data = write_indexed_png(_last["labels"], _last["palette"])
    return {"png": np.frombuffer(data, dtype=np.uint8), "size": len(data)}


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
