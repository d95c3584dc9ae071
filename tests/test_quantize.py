"""Color quantization against its quality bars and its contract.

Quality bars (issue 4): on china.jpg and flower.jpg at k = 4, 16, 64, the quantized
image's MSE is within 2% of scikit-learn's KMeans(n_clusters=k, n_init=1,
init="k-means++") fitted on all pixels (median over 5 seeds), and its PSNR beats
Pillow's median-cut quantizer.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from kmeanslab.app import drain
from kmeanslab.image import _quantize as q
from kmeanslab.image._histogram import color_histogram

sklearn_datasets = pytest.importorskip("sklearn.datasets")
SEEDS = range(5)


@pytest.fixture(scope="module", params=["china.jpg", "flower.jpg"])
def photo(request):
    return request.param, sklearn_datasets.load_sample_image(request.param)


def sklearn_mse(image: np.ndarray, k: int, seed: int) -> float:
    from sklearn.cluster import KMeans

    X = image.reshape(-1, 3).astype(np.float64)
    km = KMeans(n_clusters=k, n_init=1, init="k-means++", random_state=seed).fit(X)
    return float(((X - km.cluster_centers_[km.labels_]) ** 2).mean())


def pillow_psnr(image: np.ndarray, k: int) -> float:
    from PIL import Image

    quantized = Image.fromarray(image).quantize(k, method=Image.Quantize.MEDIANCUT)
    return q.psnr(image, np.asarray(quantized.convert("RGB")))


@pytest.mark.parametrize("k", [4, 16, 64])
def test_quality_bars(photo, k):
    name, image = photo
    ours = [q.quantize_image(image, k, random_state=s) for s in SEEDS]
    ours_mse = float(np.median([r.mse for r in ours]))
    reference = float(np.median([sklearn_mse(image, k, s) for s in SEEDS]))
    assert ours_mse <= 1.02 * reference, f"{name} k={k}: {ours_mse:.2f} vs {reference:.2f}"
    assert min(r.psnr for r in ours) > pillow_psnr(image, k), f"{name} k={k}"


def test_reported_measures_are_exact(photo):
    _, image = photo
    result = q.quantize_image(image, 16, random_state=0)
    quantized = result.palette[result.labels]
    assert result.mse == pytest.approx(q.mse(image, quantized), rel=1e-9)
    assert result.psnr == pytest.approx(q.psnr(image, quantized), rel=1e-9)
    distinct = len(np.unique(image.reshape(-1, 3), axis=0))
    assert result.n_colors_in == q.count_colors(image) == distinct
    assert result.counts.sum() == image.shape[0] * image.shape[1]
    assert np.array_equal(result.counts, np.bincount(result.labels.ravel(), minlength=16))
    assert list(result.counts) == sorted(result.counts, reverse=True)


def test_quantize_contract():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, size=(40, 30, 3), dtype=np.uint8)
    palette, labels = q.quantize(image, 8, random_state=0)
    assert palette.shape == (8, 3) and palette.dtype == np.uint8
    assert labels.shape == (40, 30) and labels.dtype == np.uint8
    assert labels.max() < 8
    again = q.quantize(image, 8, random_state=0)
    assert np.array_equal(palette, again[0]) and np.array_equal(labels, again[1])


def test_opaque_rgba_input_is_quantized_as_rgb():
    # an alpha channel that is 255 everywhere (what a canvas gives for a JPEG) is
    # ignored; images with transparency are tests/test_quantize_alpha.py's
    rng = np.random.default_rng(2)
    rgb = rng.integers(0, 256, size=(20, 25, 3), dtype=np.uint8)
    rgba = np.dstack([rgb, np.full((20, 25), 255, np.uint8)])
    a = q.quantize_image(rgb, 5, random_state=3)
    b = q.quantize_image(rgba, 5, random_state=3)
    assert b.palette.shape == (5, 3)
    assert np.array_equal(a.palette, b.palette) and np.array_equal(a.labels, b.labels)
    assert a.mse == b.mse


def test_each_pixel_gets_its_nearest_palette_color_on_small_images():
    rng = np.random.default_rng(4)
    image = rng.integers(0, 256, size=(50, 60, 3), dtype=np.uint8)
    result = q.quantize_image(image, 6, random_state=0)
    X = image.reshape(-1, 3).astype(float)
    d = ((X[:, None, :] - result.palette[None].astype(float)) ** 2).sum(-1)
    chosen = d[np.arange(X.shape[0]), result.labels.ravel()]
    # nearest to the unrounded centers; each is within sqrt(3)/2 of its uint8 rounding
    assert np.all(np.sqrt(chosen) <= np.sqrt(d.min(axis=1)) + np.sqrt(3) + 1e-9)


def test_fewer_colors_than_k_uses_them_all():
    image = np.zeros((10, 12, 3), dtype=np.uint8)
    image[:, 6:] = (200, 30, 10)
    image[5:, :3] = (1, 2, 3)
    with pytest.warns(UserWarning, match="only 3 distinct colors"):
        result = q.quantize_image(image, 16)
    assert result.palette.shape == (3, 3)
    assert result.mse == 0 and result.psnr == float("inf")
    assert np.array_equal(result.palette[result.labels], image)


def test_single_pixel_and_single_color():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        result = q.quantize_image(np.full((1, 1, 3), 7, dtype=np.uint8), 2)
    assert result.palette.tolist() == [[7, 7, 7]]
    assert result.labels.shape == (1, 1)


def test_minibatch_and_n_init():
    from sklearn.datasets import load_sample_image

    image = load_sample_image("flower.jpg")
    full = q.quantize_image(image, 16, random_state=0)
    mini = q.quantize_image(image, 16, method="minibatch", random_state=0)
    best = q.quantize_image(image, 16, n_init=4, random_state=0)
    assert mini.palette.shape == (16, 3)
    assert mini.mse < 1.5 * full.mse
    assert best.mse <= min(full.mse, mini.mse) * 1.001


def test_ordered_dithering_uses_the_palette_and_stays_close():
    from sklearn.datasets import load_sample_image

    image = load_sample_image("china.jpg")
    plain = q.quantize_image(image, 8, random_state=0)
    dithered = q.quantize_image(image, 8, dither="ordered", random_state=0)
    assert np.array_equal(plain.palette, dithered.palette)
    assert not np.array_equal(plain.labels, dithered.labels)
    assert dithered.mse == pytest.approx(q.mse(image, dithered.palette[dithered.labels]))
    assert dithered.mse < 1.6 * plain.mse


def test_histogram_lookup_and_grid():
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, size=(30, 40, 3), dtype=np.uint8)
    hist = color_histogram(image)
    assert hist.counts.sum() == 1200
    rgb = hist.rgb
    labels = (rgb[:, 0] > 127).astype(np.uint8)
    assert np.array_equal(hist.lookup(labels).reshape(30, 40), (image[..., 0] > 127))
    means, weights, member = hist.grid(5)
    assert weights.sum() == 1200
    assert np.allclose(np.bincount(member, weights=hist.counts * rgb[:, 1]) / weights, means[:, 1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image": np.zeros((0, 4, 3), np.uint8)}, "no pixels"),
        ({"image": np.zeros((4, 4), np.uint8)}, "shape"),
        ({"image": np.zeros((4, 4, 3), np.float64)}, "uint8"),
        ({"n_colors": 0}, "n_colors=0"),
        ({"n_colors": 257}, "n_colors=257"),
        ({"method": "wu"}, "method='wu'"),
        ({"dither": "fs"}, "dither='fs'"),
        ({"n_init": 0}, "n_init=0"),
        ({"tol": -1}, "tol=-1"),
    ],
)
def test_parameter_errors_name_the_parameter(kwargs, message):
    args = {"image": np.zeros((4, 4, 3), np.uint8), "n_colors": 2, **kwargs}
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        q.quantize_image(args.pop("image"), **args)


def test_mse_shape_mismatch():
    with pytest.raises(ValueError, match="quantized has shape"):
        q.mse(np.zeros((2, 2, 3), np.uint8), np.zeros((2, 3, 3), np.uint8))




def test_worker_operation_and_png_download():
    import io

    from PIL import Image
    from sklearn.datasets import load_sample_image

    from kmeanslab.app import image as app_image

    image = load_sample_image("flower.jpg")
    h, w, _ = image.shape
    rgba = np.dstack([image, np.full((h, w), 255, np.uint8)])
    op = app_image.image_quantize(memoryview(rgba.tobytes()), w, h, 16, random_state=3)
    out = drain_value(op)
    native = q.quantize_image(image, 16, random_state=3)
    assert out["psnr"] == pytest.approx(native.psnr)
    quantized = out["rgba"].reshape(h, w, 4)
    assert np.array_equal(quantized[..., :3], native.palette[native.labels])
    assert np.all(quantized[..., 3] == 255)
    assert out["cloud"]["before"].shape == (10_000, 3)
    assert out["n_colors_out"] == 16 and out["note"] == ""
    png = drain_value(app_image.image_png(out["token"]))
    with pytest.raises(LookupError, match="no longer in memory"):
        drain_value(app_image.image_png(out["token"] - 1))
    decoded = Image.open(io.BytesIO(png["png"].tobytes()))
    assert decoded.mode == "P" and decoded.size == (w, h)
    assert np.array_equal(np.asarray(decoded.convert("RGB")), native.palette[native.labels])
    assert png["size"] < h * w  # 4 bits per pixel before compression


def test_worker_operation_bad_input():
    from kmeanslab.app import image as app_image

    with pytest.raises(ValueError, match="no pixels"):
        drain_value(app_image.image_quantize(memoryview(b""), 0, 5))
    with pytest.raises(ValueError, match="50 megapixels"):
        drain_value(app_image.image_quantize(memoryview(b""), 10_000, 5_001))
    with pytest.raises(ValueError, match="RGBA image"):
        drain_value(app_image.image_quantize(memoryview(b"\0" * 12), 2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = drain_value(app_image.image_quantize(memoryview(bytes(16)), 2, 2, 4))
    assert "only 1 distinct color " in out["note"]  # all four pixels fully transparent


@pytest.mark.parametrize("k", [2, 3, 5, 16, 17, 256])
def test_png_writer_round_trips(k):
    import io

    from PIL import Image

    from kmeanslab.image._png import write_indexed_png

    rng = np.random.default_rng(k)
    for width in (1, 7, 8, 13):
        labels = rng.integers(0, k, size=(5, width)).astype(np.uint8)
        palette = rng.integers(0, 256, size=(k, 3)).astype(np.uint8)
        decoded = Image.open(io.BytesIO(write_indexed_png(labels, palette)))
        assert np.array_equal(np.asarray(decoded.convert("RGB")), palette[labels])


def test_floyd_steinberg_wavefront_equals_the_sequential_scan():
    from sklearn.datasets import load_sample_image

    crop = load_sample_image("china.jpg")[100:140, 200:250]
    result = q.quantize_image(crop, 4, dither="floyd-steinberg", random_state=0)
    p = result.palette.astype(np.float32)
    pp = (p * p).sum(axis=1)
    buf = np.zeros((41, 52, 3), np.float32)
    buf[:40, 1:51] = crop
    expected = np.zeros((40, 50), np.uint8)
    w = [np.float32(v / 16) for v in (7, 3, 5, 1)]
    for y in range(40):  # the textbook scan, with the same float32 arithmetic
        for x in range(1, 51):
            px = np.clip(buf[y, x], 0, 255)
            d = px[None] @ p.T
            d *= -2
            d += pp
            i = int(np.argmin(d))
            expected[y, x - 1] = i
            err = px - p[i]
            buf[y, x + 1] += err * w[0]
            buf[y + 1, x - 1] += err * w[1]
            buf[y + 1, x] += err * w[2]
            buf[y + 1, x + 1] += err * w[3]
    assert np.array_equal(result.labels, expected)
    assert result.mse == pytest.approx(q.mse(crop, result.palette[result.labels]))


def test_error_diffusion_size_limit():
    with pytest.raises(ValueError, match="up to 16 megapixels"):
        q.quantize_image(np.zeros((4001, 4000, 3), np.uint8), 4, dither="floyd-steinberg")


def drain_value(gen):
    """The result of a worker operation run natively."""
    return drain(gen)[1]
