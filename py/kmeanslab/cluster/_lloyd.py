"""K-means clustering in pure NumPy, with scikit-learn's API and semantics.

The exact Lloyd algorithm (same fixed point and convergence rule as scikit-learn's
``algorithm="lloyd"``) is run with distance bounds that prove most labels unchanged
without computing any distance:

* large data (``n_samples * n_clusters > 2**18``): Hamerly's bounds, kept lazily through
  cumulative center drifts (a skipped point costs one gather and two comparisons per
  iteration), plus each point's runner-up center and a bound on the third closest, so
  most undecided points are settled by two exact distances instead of ``n_clusters``;
* large 1-d to 3-d data with few clusters: a flat grid filter (:mod:`._grid`);
* medium data: Hamerly's single lazy bound per point for narrow data (:mod:`._narrow`),
  Elkan's per-center lower bounds for wide data, with few NumPy calls per iteration;
* small and mid-size data (up to 2**14 rows, 16 features; natively up to 2**15 rows for
  3 to 8 features and at most 32 clusters): every distance at every iteration
  (:mod:`._small`), where per-call costs dominate, handing over to Hamerly's bounds once
  few labels change.

:func:`choose_path` holds the rule and the measurements behind it.

Cluster sums are updated incrementally from the points that changed label, and data with
many repeated rows (images: 8-bit colors) is fitted on its distinct rows with summed
weights, which is the same problem.

Everything is written for Pyodide too: one thread, no BLAS (few and small matrix
products), ``np.intp`` labels and indices (int32 on wasm32), bounded memory (chunks).
"""

from __future__ import annotations

import sys

import numpy as np

from ..utils._distances import (
    SMALL_D,
    NearestKernel,
    inertia_exact,
)
from ._elkan import ELKAN_MAX_ENTRIES, lloyd_elkan
from ._grid import GRID_MIN_ROWS, GridFilter, grid_fits
from ._hamerly import _Hamerly, keyed
from ._k_means_common import _pairwise_half_min, _Sums
from ._narrow import lloyd_narrow
from ._relocation import restore_copies
from ._repeated_rows import _row_keys
from ._small import lloyd_small, one_blas_thread


class _GridState:
    """Flat-grid filtering (:class:`~kmeanslab._grid.GridFilter`) for large data of few
    dimensions (:func:`~kmeanslab._grid.grid_fits`): cells provably nearest to one center
    are assigned wholesale, and only the rows that changed label move the sums."""

    def __init__(self, X, labels, kern, w, stats):
        offset, radius = stats.mean, stats.radius
        self.g = GridFilter(X, None if bool(np.all(w == 1)) else w, offset, radius)
        self.g.estep(labels, kern.centers, kern, first=True)

    def estep(self, labels, C, kern, half_min, on_change):
        # the grid moves the changed rows' sums itself (in ``self.sums``, which is the
        # caller's: on_change is sums.move)
        return self.g.estep(labels, C, kern, sums=self.sums), False

    def fill_sums(self, sums):
        self.g.full_sums(sums)
        self.sums = sums

    def drift(self, moves, margin, labels):
        pass  # the grid measures the drift itself, from the centers it last saw

    def forget(self, idx, labels):
        self.g.forget(idx, labels)


def _use_grid(X, k) -> bool:
    n, d = X.shape
    return n >= GRID_MIN_ROWS and grid_fits(d, k)


# n * k up to which Elkan's bounds pay off (a module global here so tests can force a path)
_ELKAN_MAX_ENTRIES = ELKAN_MAX_ENTRIES
# n * (d + 3) up to which the data may be copied twice in float64 (32 MB each)
_ELKAN_MAX_DATA = 1 << 22
# n * k up to which every distance at every iteration (:mod:`._small`) beats the bounds,
# by n_features (see choose_path); _SMALL_MAX_ENTRIES, when set, overrides the table (a
# module global so that tests can force a path)
_SMALL_ENTRIES_BY_D = ((3, 1 << 14), (8, 1 << 13), (16, 1 << 12), (None, 1 << 10))
if sys.platform == "emscripten":  # Pyodide: 1-d and 2-d data a step further (see choose_path)
    _SMALL_ENTRIES_BY_D = ((2, 1 << 15),) + _SMALL_ENTRIES_BY_D
_SMALL_MAX_ENTRIES: int | None = None


def _small_max_entries(d) -> int:
    if _SMALL_MAX_ENTRIES is not None:
        return _SMALL_MAX_ENTRIES
    return next(e for max_d, e in _SMALL_ENTRIES_BY_D if max_d is None or d <= max_d)


# n_features up to which mid-size data takes Hamerly's single bound (:mod:`._narrow`)
# rather than Elkan's per-center bounds (a module global so that tests can force a path)
_NARROW_MAX_D = SMALL_D
# n * k up to which, in units of 2**18, the narrow loop is used. Natively it beat the
# chunked Hamerly path up to 2**21 until that path took two threads and one BLAS thread;
# since then Hamerly wins above 2**18 (min of 5 alternating fits, same start, ms narrow /
# Hamerly: 30,000 x 2 k=64 108 / 67; k=40 73 / 58; 100,000 x 3 k=16 136 / 116;
# 60,000 x 8 k=16 59 / 41; 20,000 x 3 k=32 58 / 43); in Pyodide they tie there
_NARROW_FACTOR = 1


# n * k up to which narrow data also takes the small loop, which hands over to bounds
# (half as far up to _HYBRID_MAX_D; a forced _SMALL_MAX_ENTRIES turns this off too)
_HYBRID_MAX_ENTRIES = 1 << (19 if sys.platform == "emscripten" else 18)
_HYBRID_MAX_D = 16


def _use_hybrid(n, d, k) -> bool:
    # (from 2**14 rows the bounded paths first fold repeated rows, as in images)
    if _SMALL_MAX_ENTRIES is not None or d > _HYBRID_MAX_D or n >= 1 << 14:
        return False
    return n * k <= (_HYBRID_MAX_ENTRIES if d <= _NARROW_MAX_D else _HYBRID_MAX_ENTRIES >> 1)


# mid-size narrow data (from 2**14 rows) of 3 to SMALL_D features and at most _MID_MAX_K
# clusters takes the small loop up to this many rows too, not the chunked keyed Hamerly
# path natively nor the narrow loop or the Hamerly path in Pyodide (see choose_path)
_MID_MAX_ROWS = 1 << 15
_MID_MIN_D = 3
_MID_MAX_K = 32


def _use_mid_small(X, k, min_d=_MID_MIN_D) -> bool:
    n, d = X.shape
    if _SMALL_MAX_ENTRIES is not None or not 1 << 14 <= n < _MID_MAX_ROWS:
        return False  # (below 2**14 rows: the rule of _use_hybrid)
    if not min_d <= d <= SMALL_D:
        return False
    return k <= _MID_MAX_K and not _repeats(X)


# 2-d and 3-d data of 2**14 to 2**15 rows (no repeated rows) takes the small loop before
# the grid: its keyed blocks there beat the grid's cells at every k up to _MID_MAX_K.
# Natively (median of 7 alternating fits, same k-means++ start, quiet 2-core machine, ms
# grid / small / scikit-learn): 16,384 x 2 k=16 28.6 / 14.3 / 12.1; 20,000 k=8 15.5 /
# 12.6 / 9.3, k=32 77.7 / 35.1 / 33.7; 25,000 k=3 3.1 / 2.5 / 4.5; 30,000 k=2 3.6 / 3.2 /
# 4.7, k=4 8.9 / 8.3 / 8.0, k=8 24.7 / 20.6 / 16.5, k=16 69 / 40 / 35, k=32 50 / 32 / 28;
# 30,000 x 3 k=8 32.0 / 14.5 / 12.1. In Pyodide 0.27.7 under Node (min of 5, ms grid /
# small): 30,000 x 3 k=8 46.7 / 26.2 and 39.9 / 15.4, 25,000 x 3 k=8 34.1 / 15.1,
# 20,000 x 3 k=4 7.1 / 3.8, 30,000 x 2 k=8 15.2 / 12.7, 20,000 x 2 k=16 41.9 / 25.3. Not
# beyond 2**15 rows (natively 60,000 x 2 k=16 46 / 52, 100,000 x 2 k=8 28 / 41), nor for
# 1-d data (30,000 x 1 k=32 4.3 / 13.6). (2026-11-30)
_MID_BEFORE_GRID_D = (2, 3)


def _repeats(X) -> bool:
    """Whether a sample of rows says that the data repeats rows (images' colours): as
    :func:`._repeated_rows._deduplicate`'s first test, since the small loop does not
    fold them and the bounded paths do."""
    sample = np.sort(_row_keys(X[:: max(1, X.shape[0] // 4096)]))
    return np.count_nonzero(sample[1:] != sample[:-1]) + 1 <= 0.95 * sample.size


def _use_elkan(n, d, k) -> bool:
    return n * k <= _ELKAN_MAX_ENTRIES and n * (d + 3) <= _ELKAN_MAX_DATA


def choose_path(X, k) -> str:
    """The exact-Lloyd path for dense data ``X`` and ``k`` clusters: "small", "grid",
    "narrow", "elkan" or "hamerly" (all give the same result; only the time differs).

    The rule, fitted to measurements (min of alternating fits, the same k-means++ start,
    overlapping and well-separated blobs; natively with NumPy's BLAS / in Pyodide 0.27.7
    under Node). Small loop time / Elkan time (before the small loop's hand-over), native
    / page, at ``n * k`` = 1024, 4096, 8192, 16384: d = 2: 0.43/0.40, 0.56/0.51,
    0.66/0.56, 0.71-0.89/0.66-0.73; d = 8: 0.46/0.43, 0.67/0.56, 0.78/0.62,
    0.73-1.16/0.79-1.03; d = 16: 0.71-0.86, 0.97-1.00, 0.99-1.09, 1.08-1.34; d = 64:
    0.79-1.19, 1.07-1.53, 1.2-2.5, 1.9-2.5 (page 1.3-4.0).

    So every distance at every iteration (:mod:`._small`) up to ``_SMALL_ENTRIES_BY_D``;
    then the flat grid for large 1-d to 3-d data with few clusters (``grid_fits`` in
    :mod:`._grid`, with its own figures), except for 2-d and 3-d data under 2**15 rows,
    which takes the small loop first (``_MID_BEFORE_GRID_D``, with its figures). Then
    under 2**14 rows (from there the bounded paths fold repeated rows first) and
    ``d <= SMALL_D`` up to ``n * k = 2**18`` (2**19 in Pyodide; half that up to
    ``d = 16``, where it beats Elkan's bounds too: 3,000 x 16,
    k=8 page 1.01 against 1.23, k=32 0.62 against 0.74; not at d = 64, 1.02 against
    0.65) the small loop again, handing over to Hamerly's bounds once few labels change
    (a fit that converges in a few iterations never pays for bounds, one that takes many
    pays once they settle most points). Time / the plain NumPy loop's (``plain_lloyd``;
    2026-11-29, loaded 2-core machine, +-20%), hand-over loop / narrow loop:

    ===================  ============  ============
    shape                native        page
    ===================  ============  ============
    3,000 x 3, k=8       0.66 / 1.03   0.90 / 1.39
    3,000 x 2, k=64      0.32 / 0.50   0.56 / 0.72
    4,096 x 8, k=8       0.47 / 0.50   0.44 / 0.66
    10,000 x 2, k=8      0.45 / 0.58   0.58 / 0.79
    10,000 x 8, k=16     0.10 / 0.06   0.19 / 0.27
    ===================  ============  ============

    Beyond, Hamerly's lazy bound (:mod:`._narrow`) up to ``n * k = 2**18`` (natively it
    led up to 2**21 until the chunked path took two threads: see ``_NARROW_FACTOR``; and
    natively from 2**14 rows, once that path took every undecided row's distances from
    one product (:mod:`._keyrows`), it wins there too: CPU ms, one thread, narrow / keyed
    Hamerly: 20,000 x 3 k=12 24 / 17, 20,000 x 8 k=8 17 / 12, 16,384 x 4 k=16 32 / 22,
    40,000 x 5 k=6 23 / 17, 20,000 x 8 k=4 9.6 / 9.6). But natively under 2**15 rows,
    3 to 8 features and up to 32 clusters the small loop beats both (``_use_mid_small``;
    its whole blocks cost fewer calls than the keyed path's chunks and Hamerly's second
    test; data whose rows repeat keeps the bounded paths, which fold them). Wall ms, min of
    5 alternating fits, default threads, loaded 2-core machine, keyed Hamerly / small:
    overlapping 17,000-30,000 x 3 k=12 9.3-28.9 / 6.9-23.3, x 3 k=24-32 25-51 / 20-44,
    x 5 k=2-32 3.0-44 / 1.8-40 (0.54-0.91), x 8 k=2-24 2.7-36 / 2.0-36 (0.55-1.0);
    uniform 20,000-32,000 x 3-8 k=8-32 0.64-0.99; separated 0.75-1.3 (fits of 2-20
    iterations, 2-15 ms). Not beyond: 60,000 x 3 k=16 55 / 79, k=32 193 / 242, 60,000 x 5
    k=16 49 / 55; nor at k=64 (20,000 x 3 63 / 74, x 8 31 / 36) or d=2 (20,000 k=64 49 /
    59). The same in Pyodide, once the small loop took keyed blocks (:mod:`._small_keys`):
    whole fits, Pyodide 0.27.7 under Node, min of 3-5 alternating, ms narrow / small /
    Hamerly (loaded 2-core machine: ratios only): overlapping 20,000 x 3 k=12 31.4 / 16.1
    / 32.7, 16,384 x 4 k=16 70 / 27 / 67, 20,000 x 8 k=12 65 / 21 / 66, 20,000 x 5 k=16
    58 / 38 / 85, 30,000 x 8 k=10 48 / 24 / 35, 20,000 x 3 k=32 258 / 158 / 457; uniform
    20,000 x 3 k=12 97 / 81 / 135; separated 20,000 x 3 k=12 8.7 / 5.6 / 9.9, 20,000 x 6
    k=12 15 / 11 / 17. (Beyond 2**15 rows not always: 100,000 x 5 k=8 252 / 251 / 150.)
    Wide
    data: Elkan's per-center bounds (:mod:`._elkan`: tighter, they save
    whole distance rows) up to 2**18; the chunked Hamerly path (:mod:`._hamerly`) beyond.
    """
    n, d = X.shape
    if n * k <= _small_max_entries(d):
        return "small"
    if d in _MID_BEFORE_GRID_D and _use_mid_small(X, k, min_d=d):
        return "small"
    if _use_grid(X, k):
        return "grid"
    if _use_hybrid(n, d, k) or _use_mid_small(X, k):
        return "small"
    if d <= _NARROW_MAX_D:
        if (n * k <= _ELKAN_MAX_ENTRIES * _NARROW_FACTOR and n * (d + 3) <= _ELKAN_MAX_DATA
                and not (n >= 1 << 14 and keyed(d, k))):  # (natively: see above)
            return "narrow"
    elif _use_elkan(n, d, k):
        return "elkan"
    return "hamerly"


def _lloyd_bounded(X, sample_weight, centers_init, max_iter, tol, stats, path=None,
                   records=True):
    """One exact Lloyd run (scikit-learn's convergence rule) on the path ``path`` (by
    default :func:`choose_path`'s).

    Generator: yields ``(iteration, inertia)`` after every iteration (inertia of the
    E-step labels with respect to the centers they were assigned to); its return value
    is ``(labels, inertia, centers, n_iter)``. Without ``records`` the narrow and Elkan
    paths yield None for the inertia (nobody reads it).
    """
    path = path or choose_path(X, centers_init.shape[0])
    if path == "small":
        core = lloyd_small(X, sample_weight, centers_init, max_iter, tol, stats)
    elif path == "narrow":
        core = lloyd_narrow(X, sample_weight, centers_init, max_iter, tol, stats, records)
    elif path == "elkan":
        core = lloyd_elkan(X, sample_weight, centers_init, max_iter, tol, stats, records)
        if sys.platform != "emscripten":  # (its distance blocks are BLAS products)
            with one_blas_thread():
                return (yield from core)
    else:
        core = _lloyd_kernels(X, sample_weight, centers_init, max_iter, tol, stats,
                              path == "grid")
    return (yield from core)


def _lloyd_kernels(X, sample_weight, centers_init, max_iter, tol, stats, grid):
    """The large-data run: grid filter (``grid``) or Hamerly's bounds."""
    n = X.shape[0]
    k = centers_init.shape[0]
    dtype = X.dtype
    offset, radius = stats.mean, stats.radius
    margin = 16.0 * float(np.finfo(dtype).eps) * (radius + 1e-300)
    w = sample_weight
    C = np.ascontiguousarray(centers_init, dtype=dtype)

    kern = NearestKernel(C)
    labels = np.empty(n, dtype=np.intp)
    if grid:
        state = _GridState(X, labels, kern, w, stats)
        sums = _Sums(X, w, None, k, offset)
        state.fill_sums(sums)
    else:
        state = _Hamerly(X, labels, kern, _pairwise_half_min(C.astype(np.float64)))
        sums = _Sums(X, w, labels, k, offset)
    n_changed = n
    strict = False
    before = None  # the E step's labels, when a relocation has changed them since
    centers64 = C.astype(np.float64)
    it = 0
    for it in range(max_iter):
        if it > 0:
            half_min = None if grid else _pairwise_half_min(centers64)
            n_changed, full = state.estep(labels, C, kern, half_min, sums.move)
            if full:
                if grid:
                    state.fill_sums(sums)
                else:
                    sums.full(labels)
            if before is not None:  # as scikit-learn: E step against E step
                n_changed = int(np.count_nonzero(labels != before))
        inertia = sums.inertia(centers64)
        e_labels = labels.copy() if not sums.W.min() > 0 else None  # (a relocation comes)
        moved, to, left = sums.relocate_empty(C, labels, stats.copies)
        relocated = moved.size > 0
        new64 = sums.centers(centers64)
        if relocated:
            new64[to] = X[moved]  # a relocated center sits on its point
            restore_copies(new64, sums.W, X, moved, left, w, stats.copies)
        C_new = new64.astype(dtype)
        moves = np.sqrt(np.einsum("ij,ij->i", C_new - C, C_new - C, dtype=np.float64))
        shift_tot = float(np.dot(moves, moves))
        yield it, inertia
        C, centers64 = C_new, C_new.astype(np.float64)
        before = e_labels if relocated else None
        if it > 0 and n_changed == 0:
            strict = True  # (scikit-learn returns the E step's labels, and these centers)
            if before is not None:
                labels[:] = before
            break
        state.drift(moves, margin, labels)
        if relocated:
            state.forget(moved, labels)
        kern.set_centers(C)
        if shift_tot <= tol:
            break
    if not strict:
        half_min = None if grid else _pairwise_half_min(centers64)
        state.estep(labels, C, kern, half_min, lambda *args: None)
    inertia = inertia_exact(X, C, labels, w.astype(np.float64, copy=False))
    return labels, inertia, C, it + 1
