"""Cooperative steps: long image work as generators that can be stopped between chunks.

The page's worker runs Python on its only thread and sees a "cancel" message only
between two records of a generator (:mod:`kmeanslab.app._bridge`). A 24-megapixel
image takes seconds to quantize, so every pass over its pixels here is cut into chunks
of ``CHUNK`` pixels, and every k-means loop into its iterations, each followed by a
``yield`` of a short stage name. :func:`kmeanslab.app.image.image_quantize` forwards
one record every few ten milliseconds; the plain functions (``quantize_image``) run
the same generators to the end with :func:`drain`.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")
#: A generator of stage names (``str``) that returns a value of type T.
Steps = Generator[str, None, T]
#: Pixels per chunk of a pass over an image: about 5-20 ms of NumPy work in Pyodide
#: on an idle machine.
#: (``np.take(..., out=...)`` here uses ``mode="clip"``: the default "raise" buffers
#: ``out``, a copy per chunk; the indices are in range by construction.)
CHUNK = 1 << 19


def drain(steps: Steps[T]) -> T:
    """Run ``steps`` to its end and return its value (the synchronous form)."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def spans(n: int, size: int | None = None) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of consecutive chunks of ``range(n)``, each at most ``size``
    (default ``CHUNK``, read at each call) long."""
    size = size or CHUNK
    for start in range(0, n, size):
        yield start, min(start + size, n)
