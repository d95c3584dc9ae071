"""Native parallelism for the large-data passes: Python threads over row chunks, with
one BLAS thread each.

NumPy releases the GIL in its ufunc loops, reductions, ``argmin`` and matrix products,
so two Python threads each working through their own row chunks use two cores. Work is
handed out chunk by chunk from a shared iterator (no fixed split and no barrier per
chunk), so a thread that the operating system puts aside on a loaded machine only does
fewer chunks; OpenBLAS's own threads instead spin at a barrier in every product and were
measured 1.1-7.6x slower than one thread on a loaded 2-core machine (the whole Hamerly
fit of 100,000 x 64, k=16: 3,900 ms with OpenBLAS's 2 threads, 514 ms with one).

Threads pay only where each NumPy call runs long. A call gives up the GIL and takes it
back when done; with two threads busy, that is a hand-over (a futex wake-up of several
microseconds) at nearly every call. Two threads against one on the same work, per call
of 20,000 elements (2026-11-29, 2-core machine): matmul with one BLAS thread and
``minimum.reduce`` over a (16, 20,000) block 2.0x, gathers 1.7-1.8x, einsum 1.2-1.6x,
``nonzero`` 0.9-1.0x (it keeps the GIL), a 4 us ufunc 0.7x; elementwise passes over
100,000 elements 1.9x, over 10,000 0.74x; and only while the other core is free. Hence
the keyed Hamerly steps (some 40 calls of 2-50 us per span of rows) measure one thread
and two within each fit and take the faster (:class:`ThreadChoice`; ``_KEYED_THREADS``
in :mod:`kmeanslab.cluster._hamerly`).

In Pyodide (``sys.platform == "emscripten"``) there are no threads and no BLAS: one
worker, and :func:`one_blas_thread` does nothing. The BLAS thread count is set through
threadpoolctl where it is installed (a scikit-learn dependency, not ours); without it
the products keep NumPy's default threads.
"""

from __future__ import annotations

import os
import sys

NATIVE = sys.platform != "emscripten"
#: Python threads for the chunked passes (the calling thread included); at most two by
#: default (the target machine has two cores, and a third thread only adds switching);
#: the environment variable KMEANSLAB_THREADS sets it (1: no threads)
_DEFAULT = min(2, os.cpu_count() or 1)
WORKERS = max(1, int(os.environ.get("KMEANSLAB_THREADS") or _DEFAULT)) if NATIVE else 1

_POOL: list = []
_BLAS: list = []  # [list of threadpoolctl library controllers for BLAS, or None]


def _blas_libs():
    if not _BLAS:
        libs = None
        if NATIVE:
            try:  # one scan of the loaded libraries per process (about a millisecond)
                from threadpoolctl import ThreadpoolController

                libs = ThreadpoolController().select(user_api="blas").lib_controllers or None
            except Exception:  # not installed, or it cannot read this platform's libraries
                libs = None
        _BLAS.append(libs)
    return _BLAS[0]


class one_blas_thread:
    """Context manager: BLAS limited to one thread inside, restored on exit.

    Made for a few calls per fit: setting OpenBLAS's thread count costs about 20 us
    (threadpoolctl's own ``limit`` context about 40 ms, as it re-reads every library)."""

    def __enter__(self):
        libs = _blas_libs()
        self._saved = []
        for lib in libs or ():
            n = lib.get_num_threads()
            if n != 1:
                lib.set_num_threads(1)
                self._saved.append((lib, n))
        return self

    def __exit__(self, *exc):
        for lib, n in self._saved:
            lib.set_num_threads(n)
        return False


def map_chunks(job, states, starts) -> int:
    """``sum(job(state, s) for s in starts)``, the starts shared out among up to
    ``len(states)`` threads (the caller's included), each with its own ``state``.

    ``job`` must write only rows of its own chunk. Returns the sum of the results.
    """
    it = iter(starts)

    def loop(state):
        total = 0
        for s in it:  # the next chunk to whichever thread is free (next() holds the GIL)
            total += job(state, s)
        return total

    if len(states) < 2:
        return loop(states[0])
    if not _POOL:  # (imported here: the page's start-up never needs it)
        from concurrent.futures import ThreadPoolExecutor

        _POOL.append(ThreadPoolExecutor(max_workers=WORKERS - 1, thread_name_prefix="kmeanslab"))
    futures = [_POOL[0].submit(loop, st) for st in states[1:]]
    try:
        total = loop(states[0])
    finally:
        results = [f.result() for f in futures]
    return total + sum(results)


def map_ordered(fn, starts) -> list:
    """``[fn(s) for s in starts]``, computed over up to :data:`WORKERS` threads natively.

    The results come back in the order of ``starts``, so a caller that adds them up in
    that order gets the same floating-point sum whatever the threads' timing."""
    starts = list(starts)
    if WORKERS < 2 or len(starts) < 2:
        return [fn(s) for s in starts]
    out = [None] * len(starts)

    def job(_, i):
        out[i] = fn(starts[i])
        return 0

    map_chunks(job, [None] * min(WORKERS, len(starts)), range(len(starts)))
    return out


class ThreadChoice:
    """One or two threads for a fit's repeated passes, chosen by their measured time.

    Two Python threads pay only while the other core is free and each NumPy call runs
    long enough to cover the GIL's hand-over (see the module docstring); on a loaded
    machine one thread does better, on an idle one two. So a fit measures both: its
    first passes run once on one thread and once on two, then every pass takes the
    faster by time per unit of work, and every ``probe`` passes the other is timed
    again (the machine's load changes during a fit). Passes with less than ``min_work``
    units never take threads and are not timed. The result of a pass must not depend on
    the thread count (the callers keep row order), only its time.
    """

    def __init__(self, workers: int, min_work: float, probe: int = 6, forced: bool = False):
        self.workers = workers
        self.min_work = min_work
        self.probe = probe
        self.forced = forced  # every pass of min_work or more takes ``workers`` (tests)
        self._cost = {}  # threads -> seconds per unit of work, last measured
        self._passes = 0

    def pick(self, work: float) -> int:
        """The number of threads for a pass of about ``work`` units."""
        if self.workers < 2 or work < self.min_work:
            return 1
        if self.forced:
            return self.workers
        self._passes += 1
        for t in (1, self.workers):
            if t not in self._cost:
                return t
        best = min(self._cost, key=self._cost.get)
        if self._passes % self.probe == 0:
            return self.workers if best == 1 else 1
        return best

    def record(self, threads: int, seconds: float, work: float) -> None:
        """The time of a pass that ``pick`` gave ``threads`` for."""
        if work >= self.min_work and self.workers >= 2:
            self._cost[threads] = seconds / work
