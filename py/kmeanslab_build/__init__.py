"""Build, check, serve and test kmeans-lab's static site (standard library only).

Modules, one job each: ``pins`` (pinned hashes and lock entries), ``constants``
(names and paths), ``cache`` (the download cache), ``release`` (reading a local
official Pyodide release), ``fetch`` (getting every pinned file), ``hashing``,
``wheel`` (the kmeanslab wheel), ``npy`` and ``data`` (the bundled data), ``lock``
(the trimmed lock), ``sums`` (SHA256SUMS), ``assemble`` (writing dist/), ``check``
(``--check``), ``stale`` (is dist/ out of date), ``serve`` (the local server) and
``browser`` (the one Chromium lookup) and ``testrun`` (the one test command).
"""

from .errors import BuildError

__all__ = ["BuildError"]
