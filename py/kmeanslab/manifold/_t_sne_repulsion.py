"""Repulsive forces and the normalization ``Z`` of t-SNE: exact, and by FFT on a grid.

``method="exact"`` sums over all ``n^2`` pairs; ``method="fft"`` is the FIt-SNE scheme
(Linderman et al., 2019, "Fast interpolation-based t-SNE for improved visualization of
single-cell RNA-seq data", Nature Methods 16): polynomial interpolation on a regular grid
and an FFT convolution with the Cauchy kernel.
"""

from __future__ import annotations

import numpy as np

_LADDER = 1.08  # grid spacings are powers of this, so kernel spectra can be reused


def _repulsion_exact(Y: np.ndarray, chunk: int = 256) -> tuple[np.ndarray, float]:
    """Exact ``sum_j q_ij^2 (y_i - y_j)`` per point (unnormalized) and ``Z``.

    ``Y`` has shape (n_components, n_samples): one contiguous row per coordinate.
    """
    dim, n = Y.shape
    force = np.empty_like(Y)
    Z = 0.0
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        diffs = [Y[a, start:stop, None] - Y[a, None, :] for a in range(dim)]
        d2 = diffs[0] * diffs[0]
        for d in diffs[1:]:
            d2 += d * d
        q = 1.0 / (1.0 + d2)
        Z += float(q.sum()) - (stop - start)
        q *= q
        for a in range(dim):
            force[a, start:stop] = (q * diffs[a]).sum(axis=1)
    return force, Z


def _lagrange_weights(t: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    """Lagrange basis at ``t`` (n,) for nodes at integer ``offsets``; p arrays of (n,)."""
    p = len(offsets)
    W = []
    for a in range(p):
        w = np.ones_like(t)
        for b in range(p):
            if a != b:
                w *= (t - offsets[b]) * (1.0 / (offsets[a] - offsets[b]))
        W.append(w)
    return W


class _FFTRepulsion:
    """Repulsion on a regular grid: interpolate, convolve by FFT, interpolate back.

    The FIt-SNE scheme (Linderman et al., 2019) on one global grid of ``G x G`` nodes:
    each point spreads its charges ``1, y_1, y_2`` onto the ``p x p`` nodes around it
    with Lagrange weights; the grid is convolved with the Cauchy kernel and its square
    by ``rfft2`` on the ``2G x 2G`` circulant embedding; potentials are interpolated
    back with the same weights. ``Z`` comes from the spectrum by Parseval's identity,
    so it needs no inverse transform.

    Parameters
    ----------
    n_interp : int
        Nodes per dimension in each point's interpolation stencil.
    spacing : float
        Target distance between grid nodes in embedding units (the kernel's width is
        1); it grows past this when the embedding is wider than ``max_nodes`` nodes.
    min_nodes, max_nodes : int
        Bounds on ``G``. ``2G`` is a power of two: other FFT sizes are several times
        slower in Pyodide's NumPy.
    """

    def __init__(self, n_interp: int = 3, spacing: float = 0.75, min_nodes: int = 32,
                 max_nodes: int = 128):
        self.offsets = np.arange(n_interp) - (n_interp - 1) // 2
        self.spacing = spacing
        self.min_nodes = min_nodes
        self.max_nodes = max_nodes
        self._cache_key: tuple[int, int] | None = None
        self._cache = np.empty(0)

    def grid(self, Y: np.ndarray) -> tuple[np.ndarray, int, int]:
        """Origin (per dimension), spacing level and nodes per dimension for ``Y``.

        The spacing is ``LADDER ** level``, the smallest such value that fits the
        embedding into the grid, so the kernels' spectra can be reused across the many
        iterations in which the level does not change.
        """
        lo = Y.min(axis=1)
        extent = max(float((Y.max(axis=1) - lo).max()), 1e-12)
        span = len(self.offsets) - 1
        want = int(np.ceil(extent / self.spacing)) + 1 + span
        G = self.min_nodes
        while G < want and G < self.max_nodes:
            G *= 2
        G = min(G, self.max_nodes)
        level = int(np.ceil(np.log(extent / (G - 1 - span)) / np.log(_LADDER)))
        h = _LADDER**level
        return lo + h * self.offsets[0], level, G

    def _kernels(self, level: int, G: int) -> np.ndarray:
        """Spectra of the Cauchy kernel and its square on the 2G x 2G circulant grid."""
        if self._cache_key != (level, G):
            M = 2 * G
            off = np.arange(M, dtype=np.float64)
            off[G:] -= M
            off *= _LADDER**level
            off *= off
            k1 = 1.0 / (1.0 + (off[:, None] + off[None, :]))
            self._cache = np.fft.rfft2(np.stack([k1, k1 * k1]))
            self._cache_key = (level, G)
        return self._cache

    def _stencil_kernel(self, h: float) -> np.ndarray:
        """Cauchy kernel between the p^2 nodes of one stencil, (p^2, p^2), in the order
        of the weights built in ``__call__`` (x offset major)."""
        offs = self.offsets
        dx = np.repeat(offs, len(offs)) * h
        dy = np.tile(offs, len(offs)) * h
        return 1.0 / (1.0 + (dx[:, None] - dx[None, :]) ** 2 + (dy[:, None] - dy[None, :]) ** 2)

    def __call__(self, Y: np.ndarray) -> tuple[np.ndarray, float]:
        n = Y.shape[1]
        origin, level, G = self.grid(Y)
        h = _LADDER**level
        offs = self.offsets
        p = len(offs)
        stencils = []
        for a in range(2):
            u = (Y[a] - origin[a]) * (1.0 / h)
            base = np.floor(u) if p % 2 == 0 else np.rint(u)
            np.clip(base, -offs[0], G - 1 - offs[-1], out=base)
            stencils.append((base.astype(np.intp), _lagrange_weights(u - base, offs)))
        (bx, wx), (by, wy) = stencils
        nodes, weights = [], []
        for i in range(p):
            for j in range(p):
                nodes.append((bx + offs[i]) * G + (by + offs[j]))
                weights.append(wx[i] * wy[j])
        node = np.concatenate(nodes)
        W = np.concatenate(weights)
        M = 2 * G
        charges = np.zeros((3, M, M))
        charges[0, :G, :G] = np.bincount(node, W, minlength=G * G).reshape(G, G)
        for a in range(2):
            qw = W * np.tile(Y[a], p * p)
            charges[a + 1, :G, :G] = np.bincount(node, qw, minlength=G * G).reshape(G, G)
        kernels = self._kernels(level, G)
        spectra = np.fft.rfft2(charges)
        # Z = sum over nodes of c0 * (K1 conv c0), by Parseval on the half spectrum.
        power = (spectra[0].real ** 2 + spectra[0].imag ** 2) * kernels[0].real
        total = (2.0 * power.sum() - power[:, 0].sum() - power[:, -1].sum()) / (M * M)
        # Remove each point's interaction with itself as the grid sees it,
        # w_i^T K1 w_i over its p^2 stencil nodes, not the exact K1(0) = 1: the
        # interpolation error of the self terms then cancels instead of adding up to a
        # multiple of n, which on few or far-apart points exceeds Z itself.
        Wm = W.reshape(p * p, n)
        Z = total - float(np.einsum("in,in->", self._stencil_kernel(h) @ Wm, Wm))
        spectra *= kernels[1]
        pot = np.fft.irfft2(spectra, s=(M, M))
        force = np.empty_like(Y)
        phi = []
        for c in range(3):
            grid = np.ascontiguousarray(pot[c, :G, :G]).ravel()
            phi.append((grid[node] * W).reshape(p * p, n).sum(axis=0))
        force[0] = Y[0] * phi[0] - phi[1]
        force[1] = Y[1] * phi[0] - phi[2]
        return force, float(Z)
