"""Colour quantization of images: k-means on the colours, histograms, dithering, PNG.

No scikit-learn twin (scikit-learn shows colour quantization only as an example).
"""

from ._measures import count_colors, mse, psnr
from ._png import write_indexed_png
from ._quantize import DITHERS, MAX_PIXELS, METHODS, QuantizedImage, quantize, quantize_image

__all__ = [
    "DITHERS",
    "MAX_PIXELS",
    "METHODS",
    "QuantizedImage",
    "count_colors",
    "mse",
    "psnr",
    "quantize",
    "quantize_image",
    "write_indexed_png",
]
