"""The two sample photos, ``china.jpg`` and ``flower.jpg``, as scikit-learn loads them.

The JPEG files are scikit-learn's (``sklearn/datasets/images/``); the build copies them,
with their attribution note, into ``dist/data/``. They are not in the kmeanslab wheel: the
page fetches that wheel at start, and 340 kB of photos that few sessions ask for would
more than double it.

Where the bytes come from, first found wins:

1. ``dist/data/`` of a source checkout (written by ``python build.py``);
2. scikit-learn's installed copy (found without importing scikit-learn);
3. inside Pyodide in a Web Worker (the kmeans-lab page and its test harness), the site's
   own ``data/`` folder, fetched from the same origin with a synchronous request (allowed
   in a worker, where it blocks nothing the visitor sees), ``../data/<name>`` relative
   to the worker script, which is where the build puts it.

Decoding a JPEG needs Pillow, as in scikit-learn. A pure-NumPy decoder would have to
copy libjpeg's integer IDCT and chroma upsampling to give scikit-learn's exact pixels,
and pre-decoded pixels are 820 kB per photo (530 kB deflated: three times the JPEGs, and
the build, standard library only, could not make them). The page already ships Pillow's
wheel (1 MB) and loads it only on request, so the start-up download is unchanged and only
a session that calls these functions pays for Pillow.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

import numpy as np

from ..utils._bunch import Bunch
from ..utils._param_validation import StrOptions, validate_params

#: The sample images, in scikit-learn's order (``load_sample_images`` sorts by path).
IMAGE_NAMES = ("china.jpg", "flower.jpg")
SHAPE = (427, 640, 3)

_REPO = Path(__file__).resolve().parents[3]  # py/kmeanslab/datasets/_images.py
_DIST_DIR = _REPO / "dist" / "data"
_SK_IMAGES = ("datasets", "images")
#: The site's data folder, relative to the worker script (dist/js/worker.js -> dist/data/).
PAGE_DATA_URL = "../data/"

DESCR = """\
Sample images
-------------

Two photographs, 427 x 640 pixels, RGB, 8 bits per channel, taken from scikit-learn's
``sklearn/datasets/images`` (where they are used for colour quantization examples).

Image: china.jpg
Released under a creative commons license. [1]
Attribution: Some rights reserved by danielbuechele [2]
Retrieved 21st August, 2011 from [3] by Robert Layton

[1] https://creativecommons.org/licenses/by/2.0/
[2] https://www.flickr.com/photos/danielbuechele/
[3] https://www.flickr.com/photos/danielbuechele/6061409035/sizes/z/in/photostream/

Image: flower.jpg
Released under a creative commons license. [1]
Attribution: Some rights reserved by danielbuechele [2]
Retrieved 21st August, 2011 from [3] by Robert Layton

[1] https://creativecommons.org/licenses/by/2.0/
[2] https://www.flickr.com/photos/vultilion/
[3] https://www.flickr.com/photos/vultilion/6056698931/sizes/z/in/photostream/
"""

_PILLOW_HINT = (
    "Decoding the sample JPEG images needs Pillow, as in scikit-learn. Install it with "
    "`pip install pillow`; inside Pyodide, load it first with "
    "`await pyodide.loadPackage('pillow')` (in the kmeans-lab page: "
    "`engine.loadPackages(['pillow'])`)."
)

#: Raw JPEG bytes and where they came from, by name (a page fetch is made once).
_RAW: dict[str, tuple[bytes, str]] = {}


def _local_file(folder: Path, name: str) -> tuple[bytes, str] | None:
    path = folder / name
    return (path.read_bytes(), str(path)) if path.is_file() else None


def _from_dist(name: str) -> tuple[bytes, str] | None:
    return _local_file(_DIST_DIR, name)


def _from_sklearn(name: str) -> tuple[bytes, str] | None:
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    return _local_file(Path(list(spec.submodule_search_locations)[0]).joinpath(*_SK_IMAGES), name)


def _from_page(name: str) -> tuple[bytes, str] | None:
    """Fetch ``name`` from the site's data folder (Pyodide in a worker only)."""
    if sys.platform != "emscripten":
        return None
    import js  # Pyodide's bridge to the JavaScript global scope
    from pyodide.ffi import JsException

    if not hasattr(js, "WorkerGlobalScope"):
        return None  # a page's main thread may not make a synchronous binary request
    url = js.URL.new(PAGE_DATA_URL + name, js.location.href).href
    request = js.XMLHttpRequest.new()
    try:
        request.open("GET", url, False)
        request.responseType = "arraybuffer"
        request.send()
    except JsException:  # offline, or the site is not where the build puts it
        return None
    if request.status != 200:
        return None
    return bytes(request.response.to_py()), url


_SOURCES = (_from_dist, _from_sklearn, _from_page)


def _raw_bytes(name: str) -> tuple[bytes, str]:
    if name not in _RAW:
        for source in _SOURCES:
            found = source(name)
            if found is not None:
                _RAW[name] = found
                break
        else:
            raise FileNotFoundError(
                f"Sample image {name!r} not found: looked in {_DIST_DIR} (run `python "
                "build.py` in a kmeanslab checkout), in scikit-learn's installed "
                "sklearn/datasets/images/ (`pip install scikit-learn`) and, inside Pyodide "
                f"in a worker, at {PAGE_DATA_URL}{name} next to the worker script."
            )
    return _RAW[name]


def _pil_image():
    try:
        from PIL import Image
    except ImportError as err:
        raise ImportError(_PILLOW_HINT) from err
    return Image


def _decode(raw: bytes, Image) -> np.ndarray:
    with Image.open(io.BytesIO(raw)) as image:
        # np.array, not np.asarray: a writable array the caller owns (same values as
        # scikit-learn's read-only one)
        return np.array(image, dtype=np.uint8)


def load_sample_image(image_name: str) -> np.ndarray:
    """Load one sample photo, as ``sklearn.datasets.load_sample_image``.

    Parameters
    ----------
    image_name : {"china.jpg", "flower.jpg"}
        The photo to load.

    Returns
    -------
    ndarray of uint8, shape (427, 640, 3)
        Height x width x RGB, the pixels Pillow decodes from scikit-learn's JPEG file
        (equal to scikit-learn's array; this one is writable).

    Raises
    ------
    ValueError
        If ``image_name`` is not one of the two names.
    ImportError
        If Pillow is not installed (or, in Pyodide, not loaded); says how to get it.
    FileNotFoundError
        If no copy of the file is found; says where it looked.

    See the module docstring for where the JPEG bytes come from.
    """
    validate_params({"image_name": [StrOptions(IMAGE_NAMES)]}, {"image_name": image_name},
                    "load_sample_image")
    Image = _pil_image()
    return _decode(_raw_bytes(image_name)[0], Image)


def load_sample_images() -> Bunch:
    """Load both sample photos, as ``sklearn.datasets.load_sample_images``.

    Returns
    -------
    Bunch
        ``images``: list of two uint8 arrays of shape (427, 640, 3) (china, then flower);
        ``filenames``: list of the paths (or, in the page, URLs) they were read from;
        ``DESCR``: the description and the photos' attribution and license.

    Raises
    ------
    ImportError
        If Pillow is not installed (or, in Pyodide, not loaded).
    FileNotFoundError
        If no copy of the files is found.
    """
    Image = _pil_image()
    found = [_raw_bytes(name) for name in IMAGE_NAMES]
    return Bunch(images=[_decode(raw, Image) for raw, _ in found],
                 filenames=[where for _, where in found], DESCR=DESCR)
