"""Hamerly's bounds for exact Lloyd on large data (Hamerly, "Making k-means even
faster", SDM 2010), kept lazily through cumulative center drifts, plus each point's
runner-up center and a bound on the third closest, so most undecided points are
settled by two exact distances instead of ``n_clusters``. Narrow data's undecided rows
(up to ``_KEYED_MAX_K`` clusters) instead get all their distances at once
(:mod:`._keyrows`)."""

from __future__ import annotations

import contextlib
import time

import numpy as np

from ..utils._distances import (
    SMALL_D,
    pass_rows,
    sq_dist_to_assigned,
)
from ..utils._threads import NATIVE, WORKERS, ThreadChoice, map_chunks, one_blas_thread
from ._k_means_common import _CHUNK
from ._keyrows import FIRST_BLOCK, KEY_MAX_K, NearestKeys, key_estep, set_bounds

# narrow data's undecided rows get all their distances by NearestKeys (a module global so
# that tests can turn it off), in Pyodide too: there the block's product is NumPy's own
# loop (no BLAS), yet one product and whole-block minima beat the runner-up tests' many
# gathers and the three argmin passes of their full rows. Pyodide 0.27.7 under Node, min
# of 5 alternating fits, keyed / runner-up (loaded 2-core machine, +-20%): 100,000 x 3
# k=16 0.75-0.81, 60,000 x 8 k=16 0.60-0.78, 100,000 x 5 k=24 0.86, 30,000 x 8 k=10
# 0.76-1.22; k=32 (20,000 x 3) 0.92-1.36, past _KEYED_MAX_K anyway (2026-11-29)
_KEY_ROWS = True


# most clusters for which the keyed rows pay (the kernel takes up to KEY_MAX_K): a whole
# row per undecided point costs more than the runner-up bookkeeping it saves as k grows.
# Natively, one process, min of 5 alternating fits, keyed / not (ms): k=10 8-d 115 / 221,
# k=16 3-d 207 / 259, 8-d 543 / 873; k=24 2-d 100 / 100, 3-d 234 / 243, 5-d 527 / 687;
# k=32 2-d 75 / 75, 3-d 66 / 59, 8-d 305 / 279; k=40 2-d 195 / 113; k=64 2-d 225 / 105,
# 4-d 321 / 219 (overlapping blobs, 2026-11-29)
_KEYED_MAX_K = 24


def _keys_for(d, k) -> bool:
    """Whether this path takes :class:`NearestKeys` rows for ``d`` features and ``k``
    clusters (narrow data, at most ``_KEYED_MAX_K`` clusters)."""
    return _KEY_ROWS and d <= SMALL_D and k <= min(_KEYED_MAX_K, KEY_MAX_K)


def keyed(d, k) -> bool:
    """:func:`_keys_for` natively: the path rule (``choose_path``) was measured with the
    keyed rows natively only, and keeps Pyodide's choices."""
    return NATIVE and _keys_for(d, k)


# threads for the keyed E steps: chosen per fit by measurement (``ThreadChoice``), or
# this many when set (tests). Python threads pay only where each NumPy call of a thread
# runs long: NumPy gives up the GIL for every call and takes it back after, so two
# threads hand the GIL over at many calls, a futex wake-up of several microseconds each,
# and on a loaded machine a thread put aside while it holds the GIL stalls the other.
# The keyed rows' steps are some 40 calls per chunk of ~6,000 rows (2-50 us each). Per
# call, 20,000 elements, two threads' speed-up over one: matmul (one BLAS thread) and
# minimum.reduce of (16, 20,000) 2.0, gathers 1.7-1.8, einsum 1.2-1.6, nonzero 0.9-1.0
# (it keeps the GIL), a 4 us ufunc 0.7. Whole fits on a loaded 2-core machine (load
# 1.7-3.4), min of 7 (ms, 1 / 2 threads): 100,000 x 3 k=16 chunks shared 63-67 / 68-72
# wall; every thread running the whole step on its own half of the rows 69-73 / 77-82
# wall, 73 / 80-109 CPU; 300,000 x 3 k=16 341 / 396 (2026-11-29). Hence the choice by
# measurement: each thread takes the whole step (bound test, keyed rows, bounds) on its
# own half of the rows, one hand-over per step, when the previous step flagged enough
# rows for a few chunks per thread
_KEYED_THREADS: int | None = None
# flagged rows, in keyed chunks per thread, from which a step may take threads
_THREAD_MIN_CHUNKS = 2


# =========================================================================== Lloyd cores
class _Bounds:
    """Distance bounds of every point, kept lazily through cumulative center drifts.

    Each point i has a label a, a runner-up label ``lab2[i]`` (its second closest center
    when last computed) and, from the time t0 its bounds were set: u >= d(x, c_a),
    lo <= d(x, c_j) for every j != a, and l3 <= d(x, c_j) for every j not in {a, lab2}.
    Stored are ``ub = u - P0[a]``, ``gap = (lo + D0) - ub`` and ``l3 = l3 + D0``, where P
    (per center) sums the center's moves and D sums the largest move of each iteration.
    Now ``u_now <= ub + P[a]``, ``lo_now >= gap + ub - D`` and ``l3_now >= l3 - D``, so
    ``gap - P[a] >= D`` proves that the label is unchanged (Hamerly's test, one gather
    and two elementwise passes per iteration); nothing per point is updated when the
    centers move. The runner-up and third bound let most of the remaining points be
    decided from two exact distances instead of ``n_clusters``.
    """

    def __init__(self, n, k):
        self.ub = np.empty(n)
        self.gap = np.empty(n)
        self.l3 = np.empty(n)
        self.lab2 = np.empty(n, dtype=np.intp)
        self.P = np.zeros(k)
        self.D = 0.0
        self._mask = np.empty(n, dtype=bool)

    def set(self, idx, labels, u, lo):
        """New bounds ``u`` (own center) and ``lo`` (any other) for points ``idx``."""
        ub = u - self.P[labels]
        self.ub[idx] = ub
        self.gap[idx] = (lo + self.D) - ub

    def set_all(self, idx, lab1, lab2, d1, d2, d3, half_min):
        """Bounds from exact squared distances to the three closest centers."""
        u = np.sqrt(d1, dtype=np.float64)
        lo = np.sqrt(d2, dtype=np.float64)
        np.maximum(lo, half_min[lab1], out=lo)
        self.set(idx, lab1, u, lo)
        self.l3[idx] = np.sqrt(d3, dtype=np.float64) + self.D
        self.lab2[idx] = lab2

    def flagged(self, labels, start=0, stop=None):
        """Indices of the points (of rows ``start:stop``) whose label the bounds cannot
        prove."""
        rows = slice(start, labels.size if stop is None else stop)
        t = self.P[labels[rows]]  # np.take is many times slower in Pyodide
        np.subtract(self.gap[rows], t, out=t)
        mask = self._mask[rows]
        np.less(t, self.D, out=mask)
        F = np.flatnonzero(mask)
        if start:
            F += start
        return F

    def second_test(self, F, labels, half_min):
        """Hamerly's second test for the flagged points ``F``: their lower bounds raised
        to half the distance from their center to its nearest other (kept, as it may
        beat the stale bound). Returns ``(keep, labF, bound)``: positions in ``F`` still
        undecided, ``labels[F]`` and the raised lower bounds."""
        labF = labels[F]
        ubF = self.ub[F]
        ucur = ubF + self.P[labF]
        bound = self.gap[F] + ubF - self.D
        np.maximum(half_min[labF], bound, out=bound)
        self.gap[F] = (bound + self.D) - ubF
        return np.flatnonzero(ucur >= bound), labF, bound  # equality may be a tie

    def drift(self, moves, margin):
        self.P += moves + margin
        self.D += float(moves.max()) + margin

    def forget(self, idx, labels):
        """Points ``idx`` sit exactly on their (new) center; nothing else is known."""
        self.ub[idx] = -self.P[labels[idx]]
        self.gap[idx] = -np.inf
        self.l3[idx] = -np.inf


# from this many features on, a flagged point's own exact distance is computed first and
# the runner-up's only if that does not settle it (CPU time, one thread: 5-10% less at
# d = 64 and 128; at d = 16, 4-8% more over many iterations)
_OWN_FIRST_D = 32


class _Worker:
    """One thread's kernel and scratch buffers for the chunked first E step."""

    def __init__(self, kern, dtype):
        c = kern.chunk
        self.kern = kern
        self.lab2 = np.empty(c, dtype=np.intp)
        self.d = [np.empty(c, dtype=dtype) for _ in range(3)]


def _first_estep(X, labels, workers, bounds, half_min):
    """The first E step: every distance, chunk by chunk (chunks shared out among the
    ``workers``' threads natively: each writes only its own rows)."""
    n = X.shape[0]
    c = workers[0].kern.chunk

    def job(w, s):
        e = min(s + c, n)
        m = e - s
        lab = labels[s:e]
        d1, d2, d3 = (d[:m] for d in w.d)
        w.kern.nearest3_block(X[s:e], lab, w.lab2[:m], d1, d2, d3)
        bounds.set_all(slice(s, e), lab, w.lab2[:m], d1, d2, d3, half_min)
        return 0

    # threads only where every one gets a few chunks
    map_chunks(job, workers if n >= 4 * c * len(workers) else workers[:1], range(0, n, c))


def _first_estep_keys(XT, labels, keys, bounds, half_min):
    """:func:`_first_estep` by :class:`NearestKeys` (narrow data, natively and in Pyodide)."""
    n = labels.size
    # (the chunks of the block alone, as before the longer chunks of the bounded steps:
    # this step's threads need a few chunks each, from 4 * 2 of them)
    c = min(keys[0].chunk, max(256, FIRST_BLOCK // keys[0].k))

    def job(kern, s):
        rows = slice(s, min(s + c, n))
        lab1, d1, d2 = kern.nearest2(XT, rows)
        labels[rows] = lab1
        set_bounds(bounds, rows, lab1, d1, d2, half_min)
        return 0

    map_chunks(job, keys if n >= 4 * c * len(keys) else keys[:1], range(0, n, c))


def _two_dists(XT, C, G, a, r):
    """Exact distances (float64) of rows ``G`` of narrow data to centers ``a`` and
    ``r``, by differences in X's dtype summed column by column as
    :func:`sq_dist_to_assigned` (the same values), read through ``XT`` (a transposed
    view of X): one gather per column serves both centers, no ``(m, d)`` temporaries."""
    CT = C.T
    da = dr = None
    for j in range(XT.shape[0]):
        x = XT[j][G]
        c = CT[j]
        t = x - c[a]
        np.subtract(x, c[r], out=x)
        t *= t
        x *= x
        if da is None:
            da, dr = t, x
        else:
            da += t
            dr += x
    return np.sqrt(da, dtype=np.float64), np.sqrt(dr, dtype=np.float64)


def _bounded_estep(X, labels, C, workers, bounds, half_min, on_change, chunk=None, XT=None):
    """E step with distance bounds. Updates labels and bounds in place.

    Returns ``(n_changed, False)``: ``on_change(indices, old_labels, new_labels)`` has
    received every change, chunk by chunk (False: the caller need not recount the sums).
    There is no full pass when most points are flagged: the bounded step was measured
    7-14% cheaper even then (CPU time, one thread, d 2-128, k 8-32; a threshold of half
    the points cost up to 30% more at k = 64), since the runner-up settles most of them.

    Flagged points are processed ``chunk`` at a time: Hamerly's second test (with the
    current s); then the exact distances to their center and runner-up, which settle
    most of them; the rest get all their distances computed.
    """
    b = bounds
    chunk = chunk or pass_rows(X.shape[1], _CHUNK)
    F_all = b.flagged(labels)
    kern = workers[0].kern
    n_changed = 0
    D = b.D
    for s in range(0, F_all.size, chunk):
        F = F_all[s : s + chunk]
        keep, labF, bound = b.second_test(F, labels, half_min)
        if keep.size == 0:
            continue
        G, a = F[keep], labF[keep]
        if X.shape[1] >= _OWN_FIRST_D:
            # wide data: the exact own distance first (Hamerly's second test against the
            # bound just computed); the runner-up's only for the points still undecided
            da = np.sqrt(sq_dist_to_assigned(X[G], C, a), dtype=np.float64)
            lo = bound[keep]
            done = da < lo
            if done.any():
                i = np.flatnonzero(done)
                b.set(G[i], a[i], da[i], lo[i])
                i = np.flatnonzero(~done)
                if i.size == 0:
                    continue
                G, a, da = G[i], a[i], da[i]
            r = b.lab2[G]
            dr = np.sqrt(sq_dist_to_assigned(X[G], C, r), dtype=np.float64)
        elif XT is None:
            r = b.lab2[G]
            XG = X[G]
            da = np.sqrt(sq_dist_to_assigned(XG, C, a), dtype=np.float64)
            dr = np.sqrt(sq_dist_to_assigned(XG, C, r), dtype=np.float64)
        else:
            r = b.lab2[G]
            da, dr = _two_dists(XT, C, G, a, r)
        l3 = b.l3[G] - D
        sa = half_min[a]
        # the label stays: closer than the runner-up and than every other center
        stay = ((da < dr) & (da < l3)) | (da < sa)
        # the runner-up takes over
        swap = (dr < da) & ((dr < l3) | (dr < half_min[r]))
        swap &= ~stay
        rest = ~(stay | swap)
        if stay.any():
            i = np.flatnonzero(stay)
            lo = np.maximum(np.minimum(dr[i], l3[i]), sa[i])
            b.set(G[i], a[i], da[i], lo)
        if swap.any():
            i = np.flatnonzero(swap)
            Gi, ai, ri = G[i], a[i], r[i]
            lo = np.maximum(np.minimum(da[i], l3[i]), half_min[ri])
            b.set(Gi, ri, dr[i], lo)
            labels[Gi] = ri
            b.lab2[Gi] = ai
            n_changed += i.size
            on_change(Gi, ai, ri)
        if rest.any():
            i = np.flatnonzero(rest)
            Gi, ai = G[i], a[i]
            new, lab2, d1, d2, d3 = kern.nearest3(X[Gi])
            b.set_all(Gi, new, lab2, d1, d2, d3, half_min)
            labels[Gi] = new
            moved = np.flatnonzero(new != ai)
            if moved.size:
                n_changed += moved.size
                on_change(Gi[moved], ai[moved], new[moved])
    return n_changed, False


class _Hamerly:
    """Per-point bounds (:class:`_Bounds`): memory O(n), for large data."""

    def __init__(self, X, labels, kern, half_min):
        self.X = X
        # narrow data's columns (views) for the exact distances of flagged points
        self.XT = X.T if X.shape[1] <= SMALL_D else None
        self.b = _Bounds(X.shape[0], kern.k)
        self.keys = None
        if _keys_for(X.shape[1], kern.k):  # (see kmeanslab.cluster._keyrows)
            keys = NearestKeys(kern.centers)
            workers = WORKERS if _KEYED_THREADS is None else _KEYED_THREADS
            self.keys = [keys] + [keys.worker() for _ in range(workers - 1)]
            # (work: flagged rows, plus the bound test's pass over every row, which costs
            # about a 24th of a keyed row per row)
            self.threads = ThreadChoice(workers, _THREAD_MIN_CHUNKS * workers * keys.chunk,
                                        forced=_KEYED_THREADS is not None)
            self._work = float(X.shape[0])
            t = self.threads.pick(self._work)
            t0 = time.perf_counter()
            with one_blas_thread():
                _first_estep_keys(self.XT, labels, self.keys[:t], self.b, half_min)
            self.threads.record(t, time.perf_counter() - t0, self._work)
            return
        kerns = [kern] + [kern.worker() for _ in range(WORKERS - 1)]
        self.workers = [_Worker(k, X.dtype) for k in kerns]
        with self._blas():
            _first_estep(X, labels, self.workers, self.b, half_min)

    def _blas(self):
        # wide data's products: one BLAS thread (see kmeanslab.utils._threads)
        return contextlib.nullcontext() if self.workers[0].kern.small else one_blas_thread()

    def estep(self, labels, C, kern, half_min, on_change):
        if self.keys is not None:
            self.keys[0].set_centers(C)
            for w in self.keys[1:]:
                w.sync(self.keys[0])
            t = self.threads.pick(self._work)  # (as many rows as the previous step)
            t0 = time.perf_counter()
            with one_blas_thread():
                n_changed, flagged = key_estep(self.XT, labels, self.keys[:t], self.b,
                                               half_min, on_change)
            self._work = flagged + labels.size / 24
            self.threads.record(t, time.perf_counter() - t0, self._work)
            return n_changed, False
        self.workers[0].kern = kern
        for w in self.workers[1:]:
            w.kern.sync(kern)
        with self._blas():
            return _bounded_estep(self.X, labels, C, self.workers, self.b, half_min, on_change,
                                  XT=self.XT)

    def drift(self, moves, margin, labels):
        self.b.drift(moves, margin)

    def forget(self, idx, labels):
        self.b.forget(idx, labels)
