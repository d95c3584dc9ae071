"""The state of a random-swap search, and applying a kept swap touching only what moved.

Invariant kept between swaps: every point is labelled with its nearest center (exactly,
to the rounding of the distance identity on centered rows), ``d1`` holds its squared
distance to that center, ``sums``/``weights`` hold the weighted sums and total weights
of the clusters, ``radius2`` bounds the ``d1`` of each cluster's members, and
``order``/``starts`` list the members of each cluster. Trials (:mod:`._swap_trial`) read
the state and never change it.

A k-means iteration after a swap moves only a few centers. A point whose own center did
not move can only change label to one of the moved centers (its distances to all the
others are unchanged, and its own center was its nearest), so it costs one distance per
moved center; only the points of the moved clusters need all ``k`` distances. This is the
"activity detection" of Kaukoranta, Fränti and Nevalainen (2000), exact here.
"""

from __future__ import annotations

import numpy as np


def _sq_dists(Xs: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Squared distances, shape (len(Xs), len(P)), by the ||x||^2 - 2x.c + ||c||^2
    identity: one matrix product and two passes, several times faster than summing
    differences feature by feature (measured: 4x on 3,000 x 8 in 2-d). Its cancellation
    error is relative to ||x||^2, which is why the state works on centered data."""
    out = Xs @ (-2.0 * P.T)
    out += np.einsum("ij,ij->i", Xs, Xs)[:, None]
    out += np.einsum("ij,ij->i", P, P)[None, :]
    return np.maximum(out, 0.0, out=out)


def _nearest(Xs: np.ndarray, xx: np.ndarray, C: np.ndarray,
             exclude: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Nearest row of ``C`` (other than row ``exclude``) for each row of ``Xs`` (whose
    squared norms are ``xx``), and the squared distance to it: the argmin needs only
    ||c||^2 - 2x.c (one pass fewer)."""
    G = Xs @ (-2.0 * C.T)
    G += np.einsum("ij,ij->i", C, C)
    if exclude is not None:
        G[:, exclude] = np.inf
    lab = G.argmin(axis=1)
    d = G[np.arange(lab.size), lab]
    d += xx
    return lab, np.maximum(d, 0.0, out=d)


def _cluster_sums(labels, rows, k, weights=None):
    """Per-cluster sums of the ``rows`` (shape (m, d)) by ``labels``, times ``weights``
    if given: shape (k, d). A bincount per feature for few features; else a product
    with the (k, m) one-hot matrix, or one sorted segment sum for many clusters
    (``np.add.at`` was 50x slower on 64 features)."""
    d = rows.shape[1]
    if d <= 8:
        out = np.empty((k, d))
        for f in range(d):
            out[:, f] = np.bincount(labels, weights=rows[:, f] if weights is None
                                    else rows[:, f] * weights, minlength=k)
        return out
    if k <= 64:
        onehot = (labels == np.arange(k)[:, None]).astype(np.float64)
        if weights is not None:
            onehot *= weights
        return onehot @ rows
    if weights is not None:
        rows = rows * weights[:, None]
    out = np.zeros((k, d))
    if labels.size:
        counts = np.bincount(labels, minlength=k)
        full = np.flatnonzero(counts)
        starts = (np.cumsum(counts) - counts)[full]
        out[full] = np.add.reduceat(rows[np.argsort(labels, kind="stable")], starts, axis=0)
    return out


class SwapState:
    """Centers, labels, distances and cluster sums of one solution (float64)."""

    def __init__(self, X, w, k, centers=None):
        """``X`` (n, d) and ``w`` (n,) float64; ``centers`` (k, d) in the coordinates of
        X, or None to give them later to :meth:`set_centers` (in the state's centered
        coordinates, ``X - shift``)."""
        # centered: the distance identity loses precision relative to ||x||^2
        self.shift = X.mean(axis=0)
        self.X, self.w = X - self.shift, w
        X = self.X
        self.wX = X if np.all(w == 1.0) else X * w[:, None]
        self.xx = np.einsum("ij,ij->i", X, X)
        self.k = k
        self.labels = np.empty(X.shape[0], dtype=np.intp)
        self.d1 = np.empty(X.shape[0])
        self.drift = np.zeros(self.k)
        if centers is not None:
            self.set_centers(np.asarray(centers, dtype=np.float64) - self.shift)

    def set_centers(self, centers) -> None:
        """Take ``centers`` and label every point afresh (one full pass), then mark every
        cluster whose members are not those of the last labelling as pending for
        :meth:`converge`."""
        X = self.X
        before = self.labels.copy() if hasattr(self, "sums") else None
        self.centers = np.array(centers, dtype=np.float64)
        step = max(1, (1 << 16) // self.k)
        for s in range(0, X.shape[0], step):
            self.labels[s:s + step], self.d1[s:s + step] = _nearest(
                X[s:s + step], self.xx[s:s + step], self.centers)
        self._refill_sums()
        # squared radius of each cluster: an upper bound of its members' d1
        self.radius2 = np.zeros(self.k)
        np.maximum.at(self.radius2, self.labels, self.d1)
        self._pending = np.ones(self.k, dtype=bool)
        if before is not None:  # only the clusters whose members changed need a mean
            moved = before != self.labels
            self._pending[:] = False
            self._pending[before[moved]] = True
            self._pending[self.labels[moved]] = True
        self.sse = float(self.d1 @ self.w)
        self._index()

    def _index(self) -> None:
        """Members of each cluster: ``order[starts[c]:starts[c + 1]]``; and a scratch
        copy of ``d1`` that a trial may change if it restores it."""
        self.scratch_d = self.d1.copy()
        self.order = np.argsort(self.labels, kind="stable")
        self.starts = np.zeros(self.k + 1, dtype=np.intp)
        np.cumsum(np.bincount(self.labels, minlength=self.k), out=self.starts[1:])

    def members(self, clusters) -> np.ndarray:
        """Indices of the points of ``clusters`` (a sequence of cluster indices)."""
        o, st = self.order, self.starts
        parts = [o[st[c]:st[c + 1]] for c in clusters]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.intp)

    def point_dists(self, idx: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Squared distances of the points ``idx`` to the point ``p``, shape (len(idx),)."""
        out = self.X.take(idx, axis=0) @ (-2.0 * p)
        out += self.xx.take(idx)
        out += float(p @ p)
        return np.maximum(out, 0.0, out=out)

    def apply(self, centers: np.ndarray, moved: np.ndarray, jumped: int) -> None:
        """Move the centers ``moved`` to their rows of ``centers`` (center ``jumped``
        jumps, the others shift) and relabel exactly, touching only the points the
        bounds cannot rule out (as a k-means iteration does, see :meth:`_estep`); the
        changed clusters are left pending for :meth:`converge`."""
        diff = centers[moved] - self.centers[moved]
        step = np.sqrt(np.einsum("ij,ij->i", diff, diff))
        self.centers[moved] = centers[moved]
        self.radius2[moved] = (np.sqrt(self.radius2[moved]) + step) ** 2
        self.drift[moved] = step
        # a jump, not a shift: the old radius bounds nothing (all k centers are
        # candidates for its old members)
        self.drift[jumped] = np.inf
        self.radius2[jumped] = np.inf
        changed = self._estep_any(moved)
        changed[moved] = True
        self._pending = changed
        self.sse = float(self.d1 @ self.w)

    def snapshot(self) -> tuple:
        """What :meth:`restore` needs to undo an accepted swap (copies)."""
        return (self.centers.copy(), self.labels.copy(), self.d1.copy(), self.sums.copy(),
                self.weights.copy(), self.radius2.copy(), self.order, self.starts,
                self.sse)

    def restore(self, snap: tuple) -> None:
        (self.centers, self.labels, self.d1, self.sums, self.weights, self.radius2,
         self.order, self.starts, self.sse) = snap
        self.scratch_d = self.d1.copy()
        self._pending = np.zeros(self.k, dtype=bool)

    def _refill_sums(self):
        self.weights = np.bincount(self.labels, weights=self.w, minlength=self.k)
        self.sums = _cluster_sums(self.labels, self.wX, self.k)

    def _relabel(self, idx, new_labels, new_d1, changed):
        """Give points ``idx`` new labels and distances, keeping the sums right, and mark
        in ``changed`` the clusters whose membership changed."""
        old = self.labels.take(idx)
        moved = old != new_labels
        self.d1[idx] = new_d1
        if not moved.any():
            return
        idx, old, new = idx[moved], old[moved], new_labels[moved]
        self.labels[idx] = new
        changed[old] = True
        changed[new] = True
        k = self.k
        w = self.w.take(idx)
        self.weights -= np.bincount(old, weights=w, minlength=k)
        self.weights += np.bincount(new, weights=w, minlength=k)
        # (take, not fancy indexing: several times faster for rows of a 2-d array)
        V = self.wX.take(idx, axis=0)
        for f in range(V.shape[1]):
            self.sums[:, f] -= np.bincount(old, weights=V[:, f], minlength=k)
            self.sums[:, f] += np.bincount(new, weights=V[:, f], minlength=k)

    def _estep(self, moved_centers):
        """Exact nearest labels after ``moved_centers`` moved (the invariant held before);
        returns a boolean mask of the clusters whose membership changed."""
        k = self.k
        changed = np.zeros(k, dtype=bool)
        if moved_centers.size == 0:
            return changed
        C, X = self.centers, self.X
        # A point of an unmoved cluster a can only go to a moved center c if
        # ||c - a|| < 2 * (its distance to a) <= 2 * radius[a]: most clusters are out of
        # reach of every moved center, and their points are not even looked at.
        moved = np.zeros(k, dtype=bool)
        moved[moved_centers] = True
        cc = _sq_dists(C, C[moved_centers])
        reach = (cc < 4.0 * self.radius2[:, None]).any(axis=1) & ~moved
        code = moved.astype(np.int8)
        code[reach] = 2
        status = code[self.labels]
        own = (status == 1).nonzero()[0]
        jumped = bool(np.isinf(self.radius2[moved_centers]).any())
        # A point x of a moved cluster a can only be nearer to a center b if
        # ||b - a|| < 2 * d(x, a) <= 2 * radius[a]: the candidates are the centers
        # within twice the radius of some moved center (a itself included).
        cand = (cc < 4.0 * self.radius2[moved_centers]).any(axis=1).nonzero()[0]
        if own.size:
            # Before the move every other center b was at least sqrt(d1) from x, and a
            # moved b came at most drift[b] nearer: x stays in a if its new distance
            # to a is within sqrt(d1) - (largest drift of another moved center).
            a = self.labels.take(own)
            dr = self.drift[moved_centers]
            order = np.argsort(dr)[::-1]
            top = dr[order[0]]
            second = dr[order[1]] if dr.size > 1 else 0.0
            other = np.where(a == moved_centers[order[0]], second, top)
            Xo = X.take(own, axis=0)
            diff = Xo - C.take(a, axis=0)
            dn = np.einsum("ij,ij->i", diff, diff)
            slack = np.sqrt(self.d1.take(own)) - other
            # ... or if it is within half the distance from a to its nearest other
            # center (then no center is nearer, whatever moved)
            ccm = cc.copy()
            ccm[moved_centers, np.arange(moved_centers.size)] = np.inf
            half2 = np.full(k, 0.0)
            half2[moved_centers] = ccm.min(axis=0) / 4.0
            stay = ((slack > 0) & (dn <= slack * slack)) | (dn <= half2[a])
            self.d1[own[stay]] = dn[stay]
            if jumped:  # a jumped center's radius is measured afresh; the others keep
                # the bound grown by their drift (tightened when a swap is kept)
                self.radius2[moved_centers] = 0.0
                np.maximum.at(self.radius2, a[stay], dn[stay])
            own = own[~stay]
        if own.size:
            D = _sq_dists(X.take(own, axis=0), C[cand])
            best = D.argmin(axis=1)
            d1 = D[np.arange(own.size), best]
            lab = cand[best]
            self._relabel(own, lab, d1, changed)
            np.maximum.at(self.radius2, lab, d1)
        near = (status == 2).nonzero()[0]
        if near.size:
            # a point x of an unmoved cluster a with d(x, a) <= ||c - a|| / 2 for every
            # moved center c keeps its label
            gap2 = cc.min(axis=1) / 4.0
            near = near[self.d1[near] > gap2[self.labels[near]]]
        if near.size:  # only the moved centers can have become nearer
            D = _sq_dists(X.take(near, axis=0), C[moved_centers])
            best = D.argmin(axis=1)
            bd = D[np.arange(near.size), best]
            nearer = bd < self.d1[near]
            if nearer.any():
                lab = moved_centers[best[nearer]]
                self._relabel(near[nearer], lab, bd[nearer], changed)
                np.maximum.at(self.radius2, lab, bd[nearer])
        return changed

    def _estep_any(self, moved_centers):
        """:meth:`_estep`, or with at most 4 clusters a plain pass over every point
        (each cluster neighbours the others, so the bounds rule out little, and the
        copies of the rows they select cost more than the pass: 5x on 2 clusters in
        1,024 features)."""
        if self.k > 4:
            return self._estep(moved_centers)
        labels = np.empty_like(self.labels)
        d1 = np.empty_like(self.d1)
        step = max(1, (1 << 16) // self.k)
        for s in range(0, self.X.shape[0], step):
            labels[s:s + step], d1[s:s + step] = _nearest(
                self.X[s:s + step], self.xx[s:s + step], self.centers)
        diff = labels != self.labels
        changed = np.zeros(self.k, dtype=bool)
        changed[self.labels[diff]] = True
        changed[labels[diff]] = True
        self.labels, self.d1 = labels, d1
        if diff.any():
            self._refill_sums()
        return changed

    def _mstep(self, changed):
        """Move the centers of the ``changed`` clusters to their means (an empty
        cluster's center stays); returns the indices of the centers that moved."""
        clusters = changed.nonzero()[0]
        if clusters.size == 0:
            return clusters
        wt = self.weights[clusters]
        keep = wt > 0
        clusters = clusters[keep]
        new = self.sums[clusters] / wt[keep, None]
        old = self.centers[clusters]
        self.centers[clusters] = new
        # the radius of a moved cluster grows at most by the shift (triangle inequality)
        diff = new - old
        step = np.sqrt(np.einsum("ij,ij->i", diff, diff))
        self.radius2[clusters] = (np.sqrt(self.radius2[clusters]) + step) ** 2
        self.drift[clusters] = step
        return clusters

    def converge(self, max_iter: int = 300, tol: float = 0.0) -> int:
        """Continue the local k-means iterations until no label changes, or the squared
        center shifts of an iteration sum to at most ``tol`` (as KMeans' absolute
        tolerance), or ``max_iter`` iterations; returns the number run. Labels are then
        the nearest centers. The radii are measured exactly (during swaps they are
        bounds that only grow)."""
        changed = self._pending
        it = 0
        while it < max_iter and changed.any():
            moved = self._mstep(changed)
            shift2 = float(self.drift[moved] @ self.drift[moved])
            changed = self._estep_any(moved)
            it += 1
            if shift2 <= tol:
                break
        self._pending = changed
        self.sse = float(self.d1 @ self.w)
        self.radius2[:] = 0.0
        np.maximum.at(self.radius2, self.labels, self.d1)
        self._index()
        return it
