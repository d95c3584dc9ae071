"""Data sets: the generators of the chapter's figures and the bundled data.

Mirrors :mod:`sklearn.datasets`. ``load_digits`` and the sample images are imported on
first use, so that the web worker's start imports only the generators.
"""

import importlib

from ._benchmark_like import make_benchmark_like
from ._extra_generators import (
    make_anisotropic_blobs,
    make_circles,
    make_uniform,
    make_varied_blobs,
)
from ._many_blobs import make_many_blobs
from ._samples_generator import make_blobs, make_moons

__all__ = [
    "load_digits",  # noqa: F822 (module __getattr__ below)
    "load_sample_image",  # noqa: F822
    "load_sample_images",  # noqa: F822
    "make_anisotropic_blobs",
    "make_benchmark_like",
    "make_blobs",
    "make_circles",
    "make_many_blobs",
    "make_moons",
    "make_uniform",
    "make_varied_blobs",
]

_LAZY = {"load_digits": "._base", "load_sample_image": "._images",
         "load_sample_images": "._images", "Bunch": "..utils._bunch"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
