"""The E steps of the wide path (`_elkan`): Elkan's bounds, a screen of the second
E step from the first one's distance block, and the ranking of a block's centers
(`ranked`: exact ties between equal centers).

The second E step is where a well-clustered fit usually converges (no label changes),
and Elkan's bounds settle few points there: the centers' first moves are large (on
3,000 x 64, k=8 blobs 19% of the points pass them, on 1,797 x 64, k=10 30%). The
screen instead compares each point's own center with each other one as a pair: with
``d_j`` the first E step's squared distances (less ``||x||^2``), ``c`` the old centers,
``delta_j`` their moves and ``u`` the distance from ``x`` to its center ``a``, exactly

    d'_j - d'_a = d_j - d_a - 2 (x - c_a).(delta_j - delta_a) + K[a, j]
    K[a, j] = ||c'_j||^2 - ||c_j||^2 - ||c'_a||^2 + ||c_a||^2 - 2 c_a.(delta_j - delta_a)

so ``d_j - d_a - 2 u ||delta_j - delta_a|| + K[a, j]`` is a lower bound of the new gap:
where it exceeds the rounding of both E steps for every ``j``, the label stays (93-99%
of the points on those shapes: the clusters' moves are alike, their differences small).
Only the other points get their distances (one product on their rows); if one of them
changes label, the step falls back to every distance (and sets Elkan's bounds from them).
"""

from __future__ import annotations

import math

import numpy as np

from ..utils._ties import exact_near_ties, has_twins

_FULL_PASS = 0.6  # above this fraction of points to look at, compute every distance
_SCREEN_MAX = 0.25  # above this fraction of points failing the screen: every distance
# rounding units of the screen: the two E steps' blocks (2 x 2), the point's distance
# (inside its square root), the screen's own low-precision operations (5), doubled
_SCREEN_TAUS = 20.0


def screen_second(st, labels):
    """Points whose label the second E step may change, from the first E step's block.

    ``st.first`` is ``(D, cs_old, cc_old, rx)``: the first E step's
    ``(n_clusters, n)`` block of squared distances less the points' squared norms (in
    ``st.dtype``, ``labels`` its argmin), the centers it was computed with (float64,
    shifted coordinates), their squared norms and a bound of the points' norms;
    ``st.cs`` are the new centers. Returns the indices (np.intp) of the points that
    fail the pairwise bound (see the module docstring), or None when more than
    ``_SCREEN_MAX`` of the first rows do (then the step computes every distance).
    """
    D, cs_old, cc_old, rx = st.first
    DT = D.T  # (n, k), C-contiguous: the product's own layout
    n, k = DT.shape
    dt = DT.dtype
    cs_new, cc_new = st.cs, st.cc
    # (few calls on small tables: in Pyodide each costs 5-20 us, no BLAS for matmul)
    delta = cs_new - cs_old
    diff = delta[None, :, :] - delta[:, None, :]  # [a, j] = delta_j - delta_a (small)
    M = np.sqrt(np.einsum("abj,abj->ab", diff, diff))
    H = np.einsum("aj,bj->ab", cs_old, delta)  # [a, j] = c_a . delta_j
    H *= -2.0
    H += cc_new - cc_old
    K = H - np.diag(H)[:, None]
    # every rounding is relative to (|x| + |c|)^2: a product of d terms and the center's
    # rounding to the block's dtype cost at most (d + 4) eps of it per entry (doubled)
    eps = float(np.finfo(dt).eps)
    rc = math.sqrt(max(float(cc_old.max()), float(cc_new.max())))
    tau = 2.0 * (st.d + 4) * eps * (rx + rc) ** 2
    K -= _SCREEN_TAUS * tau
    K.flat[:: k + 1] = np.inf  # (a point's own center is no rival)
    # (2 u, u rounded up by its square root and the float64 tables' rounding)
    M *= 2.0 * (1.0 + 4.0 * eps + 1e-12)
    # own-center entries: labels are the rows' argmins
    da = DT.ravel().take(np.arange(0, n * k, k, dtype=np.intp) + labels)
    # u, an upper bound of the distance to the own center (the block, the norms in
    # float64 against the dtype's and the square root each within tau: never negative)
    u = da + st.xsq64
    u += 3.0 * tau
    np.sqrt(u, out=u)
    u = u.astype(dt)
    K, M = K.astype(dt), M.astype(dt)

    def fails(s, e):
        G = DT[s:e] - da[s:e, None]
        G += K.take(labels[s:e], axis=0)
        T = M.take(labels[s:e], axis=0)
        T *= u[s:e, None]
        return np.flatnonzero(~(G > T).all(axis=1))

    # the first rows first: where the centers' first moves unsettle most points (the
    # digits: 99%), the screen stops there (a few small calls, not a pass over all)
    head = n // 16
    R0 = fails(0, head)
    if R0.size > _SCREEN_MAX * head:
        return None
    R1 = fails(head, n)
    R1 += head
    return np.concatenate([R0, R1])


def _estep(st, labels, on_change):
    """One E step with Elkan's bounds (``st.L``, ``st.u`` already moved by the drift).
    Returns the number of changed labels."""
    # (Hamerly's test with half the distance to the closest other center would settle
    # only about 2% more points than these bounds on the digits: not worth its calls)
    if st.L is None:  # no bounds yet (the second E step): every distance, no gathers
        if st.first is not None:  # unless the first E step's block settles most points
            R = screen_second(st, labels)
            st.first = None
            if R is not None and R.size <= _SCREEN_MAX * st.n and (
                R.size == 0
                or np.array_equal(ranked(st, st._sq_block(R, norms=False), R), labels[R])
            ):
                return 0
        old = labels.copy()
        labels[:] = st.assign(None, old)
        moved = np.flatnonzero(labels != old)
        if moved.size:
            on_change(moved, old[moved], labels[moved])
        return moved.size
    bound = st.L.min(axis=0)
    # (nonzero of a 1-d mask: flatnonzero's two Python frames cost 2 us each in Pyodide)
    R = (st.u >= bound).nonzero()[0]  # equality may be a tie: look closer
    if R.size == 0:
        return 0
    if st.narrow:  # the exact distance to the own center settles most points
        uR = st.own_distance(R, labels[R])
        st.u[R] = uR
        R = R[uR >= bound[R]]
        if R.size == 0:
            return 0
    old = labels[R]
    if R.size > _FULL_PASS * st.n:  # most points: all distances, no gathers
        new_all = st.assign(None)
        new = new_all[R]
        labels[:] = new_all
    else:
        new = st.assign(R)
        labels[R] = new
    moved = (new != old).nonzero()[0]
    if moved.size:
        on_change(R[moved], old[moved], new[moved])
    return moved.size


class _ElkanBounds:
    """Elkan's (k, n) lower bounds as `_bound_loop` uses them."""

    def __init__(self, st, margin):
        self.st = st
        self.margin = margin

    def estep(self, labels, cs):
        return _estep(self.st, labels, self.st.move)

    def drift(self, moves, labels):
        if self.st.L is None:  # no bounds yet
            return
        p = moves + self.margin
        self.st.L -= p[:, None]
        self.st.u += p[labels]

    def reset(self, moved, labels):  # relocated points sit on their new center
        self.st.first = None  # (the screen's labels are the first E step's)
        if self.st.L is None:
            return
        self.st.u[moved] = 0.0
        self.st.L[:, moved] = -np.inf


def ranked(st, D, rows):
    """The nearest center of each column of the block ``D`` (``st._sq_block``) of the
    points ``rows`` (None: all). While two centers are equal (a start with a repeated
    row, a relocation onto a center, or two float32 means rounded alike), near-ties go
    by exact differences (``exact_near_ties``): the BLAS product rounds the two equal
    rows of the block apart, and the tied points went to either. (Integer data's exact
    ties need nothing: the products of integers are exact.)"""
    new = D.argmin(axis=0)
    if st.twins is None:  # (start, relocation, float32 rounding: see _bound_loop)
        st.twins = not st.narrow and has_twins(st.cs, st.cc)
    if not st.twins:
        return new
    xsq = st.xsq64 if rows is None else st.xsq64[rows]
    return exact_near_ties(D, new,
                           lambda i: st.X64[i] if rows is None else st.X64[rows[i]],
                           st.cs, xsq)
