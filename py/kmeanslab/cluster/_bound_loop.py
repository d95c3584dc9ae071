"""The iteration loop shared by the bound paths (`_elkan`, `_narrow`).

One Lloyd iteration as scikit-learn's ``lloyd`` does it: E step (through the path's
bounds), inertia, M step, empty clusters relocated to the farthest points, strict
convergence (no label changed) or the center-shift tolerance. The paths differ only in
their bounds, which they hand in as an object (see `_bound_loop`). The state ``st`` is
`_elkan._State`: sums ``S``, weights ``W``, centers ``cs``, points ``X64``, ``move``.
Also here: `_blas_block`, the native distance product of `_elkan`.
"""

from __future__ import annotations

import numpy as np

from ._relocation import relocation_targets, restore_copies

_GEMM_CHUNK = 1 << 19  # m * k * d per BLAS product (see _blas_block)


def _blas_block(Xr, cT):
    """``Xr @ cT`` in row chunks of at most ``_GEMM_CHUNK`` multiply-adds each.

    OpenBLAS multiplies small matrices (m * n * k up to about 1e6 on x86-64) with
    kernels that skip its packing: the digits' full (1797, 64) x (64, 10) product took
    80 us in one call and 44 us in two (one thread, min of 1,500)."""
    m, d = Xr.shape
    k = cT.shape[1]
    step = max(_GEMM_CHUNK // max(k * d, 1), 1)
    if m <= step:
        return Xr @ cT
    parts = -(-m // step)
    step = -(-m // parts)
    out = np.empty((m, k), dtype=np.result_type(Xr, cT))
    for s in range(0, m, step):
        np.matmul(Xr[s : s + step], cT, out=out[s : s + step])
    return out


def _bound_loop(st, bounds, labels, cs, max_iter, tol, records=True):
    """Lloyd's iterations over bounds (Elkan's here, Hamerly's in `_narrow`).

    ``bounds`` gives ``estep(labels, cs)`` (labels in place, returns how many changed),
    ``drift(moves, labels)`` after the centers moved and ``reset(moved, labels)`` for
    rows an empty cluster's relocation moved. Yields ``(iteration, inertia)`` (inertia
    None without ``records``: a fit that reports nothing skips it); returns
    the number of iterations, leaving ``labels``, the state's sums and centers final.
    """
    strict = False
    before = None  # the E step's labels, when a relocation has changed them since
    it = 0
    for it in range(max_iter):
        if it > 0:
            n_changed = bounds.estep(labels, cs)
            if before is not None:  # as scikit-learn: E step against E step
                n_changed = int(np.count_nonzero(labels != before))
        inertia = st.inertia() if records else None
        cs_new, moves, shift_tot, before = _m_step(st, labels, cs)
        yield it, inertia
        cs = cs_new
        if it > 0 and n_changed == 0:
            strict = True
            if before is not None:  # scikit-learn returns the E step's labels
                labels[:] = before
                st.full_sums(labels, cs.shape[0])
            st.set_centers(cs)
            break
        bounds.drift(moves, labels)
        if before is not None:
            bounds.reset(np.flatnonzero(labels != before), labels)
        st.set_centers(cs)
        if shift_tot <= tol:
            break
    if not strict:
        bounds.estep(labels, cs)
    return it + 1


def _m_step(st, labels, cs):
    """The M step of the bound loops (this one and `_narrow`): new centers and moves.

    Returns ``(cs_new, moves, shift_tot, before)``: the (k, d) float64 centers, each
    center's move (k,), the squared moves' sum, and the E step's labels when relocating
    an empty cluster changed ``labels`` in place (else None).
    """
    before = None
    if st.settled():  # no empty cluster (the usual case)
        cs_new = st.S / st.W[:, None]
    else:
        e_labels = labels.copy()
        moved, to = _relocate_empty(st, labels)
        cs_new = _means(st, cs)
        if moved.size:
            before = e_labels
            cs_new[to] = st.X64[moved]  # a relocated center sits on its point
            restore_copies(cs_new, st.W, st.X64, moved, e_labels[moved], st.w, st.copies)
    if st.center_dtype != np.float64:  # the data's dtype, as plain Lloyd's and scikit-learn's
        cs_new = (cs_new + st.offset).astype(st.center_dtype).astype(np.float64) - st.offset
        st.twins = None  # (two means may round to one float32: see _elkan's ranked)
    diff = cs_new - cs
    moves = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    return cs_new, moves, float(np.dot(moves, moves)), before


def _means(st, previous):
    """Cluster means (shifted coordinates); clusters without weight keep ``previous``."""
    W = st.W
    out = previous.copy()
    ok = W > 0
    out[ok] = st.S[ok] / W[ok, None]
    return out


def _relocate_empty(st, labels):
    """scikit-learn's relocation: each empty cluster takes the point farthest from its
    center (one copy of a folded row: ``st.copies``, see `relocation_targets`).

    Returns ``(far, new)``: the moved row indices (their labels are updated in place; a
    folded row taken twice is listed twice) and the clusters they went to."""
    empty = np.flatnonzero(st.W <= 0)
    if empty.size == 0:
        return empty, empty
    diff = st.X64 - st.cs[labels]
    dist = np.einsum("ij,ij->i", diff, diff)
    far = relocation_targets(dist, st.w, empty.size, st.copies)
    st.twins = None  # (a relocated center may sit on another: see _elkan's ranked)
    for new_id, idx in zip(empty[: far.size], far, strict=True):
        one = np.array([idx], dtype=np.intp)
        old = labels[one]
        labels[idx] = new_id
        st.move(one, old, np.array([new_id], dtype=np.intp))
        st.settled()  # (a relocation may empty the cluster it takes from)
    return far, empty[: far.size]
