"""The state of a random-swap search and one trial swap, updating only what it touches.

Invariant kept between swaps: every point is labelled with its nearest center (exactly),
``d1`` holds its squared distance to that center, and ``sums``/``weights`` hold the
weighted sums and total weights of the clusters. The centers themselves need not be the
means of their clusters (the search runs only two k-means iterations per swap).

A k-means iteration after a swap moves only a few centers. A point whose own center did
not move can only change label to one of the moved centers (its distances to all the
others are unchanged, and its own center was its nearest), so it costs one distance per
moved center; only the points of the moved clusters need all ``k`` distances. This is the
"activity detection" of Kaukoranta, Fränti and Nevalainen (2000), exact here.
"""

from __future__ import annotations

import numpy as np

# features up to which distances are summed feature by feature
_DIFF_MAX_D = 8


def _sq_dists(Xs: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Squared distances, shape (len(Xs), len(P)). Few features: summed feature by
    feature from differences, which is exact (no cancellation in the
    ||x||^2 - 2x.c + ||c||^2 identity); more: the identity, one matrix product."""
    if Xs.shape[1] > _DIFF_MAX_D:
        out = Xs @ (-2.0 * P.T)
        out += np.einsum("ij,ij->i", Xs, Xs)[:, None]
        out += np.einsum("ij,ij->i", P, P)[None, :]
        return np.maximum(out, 0.0, out=out)
    out = np.zeros((Xs.shape[0], P.shape[0]))
    for f in range(Xs.shape[1]):
        diff = Xs[:, f, None] - P[None, :, f]
        diff *= diff
        out += diff
    return out


class SwapState:
    """Centers, labels, distances and cluster sums of one solution (float64)."""

    def __init__(self, X, w, centers):
        self.X, self.w = X, w
        self.wX = X * w[:, None]
        self.k = centers.shape[0]
        self.centers = np.array(centers, dtype=np.float64)
        self.labels = np.empty(X.shape[0], dtype=np.intp)
        self.d1 = np.empty(X.shape[0])
        step = max(1, (1 << 16) // self.k)
        for s in range(0, X.shape[0], step):
            D = _sq_dists(X[s:s + step], self.centers)
            self.labels[s:s + step] = lab = D.argmin(axis=1)
            self.d1[s:s + step] = D[np.arange(lab.size), lab]
        self._refill_sums()
        # squared radius of each cluster: an upper bound of its members' d1
        self.radius2 = np.zeros(self.k)
        np.maximum.at(self.radius2, self.labels, self.d1)
        # how far each center moved in the last M step (only read for moved centers)
        self.drift = np.zeros(self.k)
        self._pending = np.ones(self.k, dtype=bool)
        self.sse = float(self.d1 @ w)

    def _refill_sums(self):
        k, d = self.k, self.X.shape[1]
        self.weights = np.bincount(self.labels, weights=self.w, minlength=k)
        self.sums = np.empty((k, d))
        for f in range(d):
            self.sums[:, f] = np.bincount(self.labels, weights=self.wX[:, f], minlength=k)

    def copy(self) -> SwapState:
        new = object.__new__(SwapState)
        new.X, new.w, new.wX, new.k = self.X, self.w, self.wX, self.k
        new.centers = self.centers.copy()
        new.labels = self.labels.copy()
        new.d1 = self.d1.copy()
        new.sums = self.sums.copy()
        new.weights = self.weights.copy()
        new.radius2 = self.radius2.copy()
        new.drift = self.drift.copy()
        new.sse = self.sse
        new._pending = self._pending
        return new

    # -- the pieces of a swap -----------------------------------------------------------
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

    def swap(self, j: int, r: int, n_local_iter: int, bound: float = np.inf) -> None:
        """Move center ``j`` onto point ``r``, repartition locally, then run
        ``n_local_iter`` k-means iterations on what moved (Fränti 2018, Alg. 1).

        A trial that cannot plausibly get below ``bound`` stops early: if its error,
        less the last iteration's gain for each iteration left, is still above it (k-means
        gains shrink from one iteration to the next). Measured on the S4 and A1 sets,
        60% of trials stop after one iteration, and none of them would have been kept.
        Its ``sse`` is then above ``bound``."""
        X = self.X
        self.centers[j] = X[r]
        self.drift[j] = np.inf
        # a jump, not a shift: the old radius bounds nothing (all k centers are candidates)
        self.radius2[j] = np.inf
        # local repartition: the removed cluster's points go to their nearest center,
        # the other points move to the new center only if it is nearer
        changed = self._estep(np.array([j], dtype=np.intp))
        changed[j] = True
        sse = float(self.d1 @ self.w)
        for it in range(n_local_iter):
            changed = self._estep(self._mstep(changed))
            previous, sse = sse, float(self.d1 @ self.w)
            if sse - (n_local_iter - 1 - it) * (previous - sse) > bound:
                break
        self._pending = changed
        self.sse = sse

    def converge(self, max_iter: int = 300) -> int:
        """Continue the local k-means iterations until no label changes (at most
        ``max_iter``); returns the number of iterations run. The radii are then
        measured exactly (during swaps they are bounds that only grow)."""
        changed = self._pending
        it = 0
        while it < max_iter and changed.any():
            changed = self._estep(self._mstep(changed))
            it += 1
        self._pending = changed
        self.sse = float(self.d1 @ self.w)
        self.radius2[:] = 0.0
        np.maximum.at(self.radius2, self.labels, self.d1)
        return it
