"""Property-based tests (Hypothesis) of t-SNE, the silhouette, the label matchings and
colour quantization, through their public APIs, on generated data (``_property_data``).

Bounded by the "ci" profile of ``conftest.py``; minimal failing examples are kept as
explicit tests in ``test_regressions_found.py``.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import assume, given, note  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from _property_data import Case, cases  # noqa: E402
from kmeanslab.image import quantize, write_indexed_png  # noqa: E402
from kmeanslab.manifold import TSNE  # noqa: E402
from kmeanslab.metrics import (  # noqa: E402
    hungarian_mapping,
    linear_sum_assignment,
    matched_accuracy,
    silhouette_samples,
    silhouette_score,
)

# ------------------------------------------------------------------------------ t-SNE


@st.composite
def tsne_cases(draw: st.DrawFn) -> tuple[Case, float, str]:
    case = draw(cases(weights=("none",)))
    # t-SNE's cost is per sample: keep n below 1,500 (the grid method runs past 600).
    n = min(case.n, draw(st.sampled_from((8, 40, 200, 1500))))
    case = Case(**{**case.__dict__, "n": n, "n_distinct": min(case.n_distinct, n)})
    perplexity = draw(st.one_of(
        st.floats(1e-3, max(2e-3, n - 1e-6), allow_nan=False),  # valid (n >= 2)
        st.sampled_from((30.0, float(n), n + 1.0))))  # the default, and invalid ones
    return case, perplexity, draw(st.sampled_from(("pca", "random")))


@given(spec=tsne_cases())
def test_tsne_finite_or_documented_error(spec):
    """Every valid perplexity, any data: a finite (n, 2) embedding; otherwise ValueError."""
    case, perplexity, init = spec
    X, _ = case.data()
    model = TSNE(perplexity=perplexity, init=init, random_state=case.seed % 100,
                 max_iter=200, n_iter_exaggeration=80)
    if case.n < 2 or not perplexity < case.n:
        with pytest.raises(ValueError, match="n_samples"):
            model.fit_transform(X)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        E = model.fit_transform(X)
    assert E.shape == (case.n, 2) and E.dtype == np.float64
    assert np.isfinite(E).all()
    assert np.isfinite(model.kl_divergence_)
    # Only the documented warning (all samples identical), and only then.
    assert all(issubclass(w.category, UserWarning) and "identical" in str(w.message)
               for w in caught), [str(w.message) for w in caught]
    if len(np.unique(X, axis=0)) > 1:
        assert not caught


# ------------------------------------------------------------------------- silhouette


def _silhouette_exact(X: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Definition, in float64 by differences (scikit-learn's conventions for 0/0 and
    singleton clusters)."""
    X = np.asarray(X, dtype=np.float64)
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2))
    out = np.zeros(len(X))
    for i in range(len(X)):
        own = labels == labels[i]
        if own.sum() == 1:
            continue
        a = D[i, own].sum() / (own.sum() - 1)
        b = min(D[i, labels == c].mean() for c in np.unique(labels) if c != labels[i])
        out[i] = 0.0 if max(a, b) == 0 else (b - a) / max(a, b)
    return out


@given(case=cases(weights=("none",)), n_labels=st.integers(1, 12), data=st.data())
def test_silhouette_range_and_exact(case, n_labels, data):
    n = min(case.n, 300)  # the reference is n^2 d
    X, _ = Case(**{**case.__dict__, "n": n, "n_distinct": min(case.n_distinct, n)}).data()
    labels = np.asarray(data.draw(st.lists(st.integers(0, n_labels - 1), min_size=n,
                                           max_size=n)))
    k = len(np.unique(labels))
    if not 2 <= k <= n - 1:
        with pytest.raises(ValueError, match="Number of labels"):
            silhouette_samples(X, labels)
        return
    s = silhouette_samples(X, labels)
    assert s.shape == (n,) and np.all(s >= -1.0) and np.all(s <= 1.0)
    np.testing.assert_allclose(s, _silhouette_exact(X, labels), rtol=0, atol=1e-9)
    assert silhouette_score(X, labels) == pytest.approx(float(s.mean()), abs=1e-12)


@given(case=cases(dtypes=("float64",), weights=("none",)), data=st.data())
def test_silhouette_matches_sklearn(case, data):
    """Where scikit-learn's expanded distances are accurate: no large offset and no
    duplicate rows (on 21 identical rows scikit-learn finds distances of ~1e-8, not 0,
    and silhouettes of 0.29 where the definition gives 0/0 := 0, as ours does)."""
    metrics = pytest.importorskip("sklearn.metrics")
    n = min(case.n, 300)
    case = Case(**{**case.__dict__, "n": n, "n_distinct": n, "offset": 0.0, "scale": 1.0})
    X, _ = case.data()
    labels = np.asarray(data.draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)))
    assume(2 <= len(np.unique(labels)) <= n - 1)
    np.testing.assert_allclose(silhouette_samples(X, labels),
                               metrics.silhouette_samples(X, labels), rtol=0, atol=1e-7)


# --------------------------------------------------------------------------- matching


@st.composite
def labellings(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(0, 400))
    k = draw(st.integers(1, 15))
    c = draw(st.integers(1, 15))
    labels = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    y = draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n))
    return np.asarray(labels, dtype=np.intp), np.asarray(y, dtype=np.intp)


@given(pair=labellings(), seed=st.integers(0, 2**32 - 1))
def test_matching_range_and_permutation_invariance(pair, seed):
    labels, y = pair
    rng = np.random.default_rng(seed)
    perm_k = rng.permutation(max(labels.max(initial=0) + 1, 1)).astype(np.intp)
    perm_c = rng.permutation(max(y.max(initial=0) + 1, 1)).astype(np.intp)
    for method in ("majority", "hungarian"):
        acc = matched_accuracy(labels, y, method)
        assert 0.0 <= acc <= 1.0
        # Renaming the clusters or the classes changes no accuracy.
        assert matched_accuracy(perm_k[labels], y, method) == pytest.approx(acc, abs=1e-12)
        assert matched_accuracy(labels, perm_c[y], method) == pytest.approx(acc, abs=1e-12)
    # One-to-one can never beat each cluster taking its majority class.
    assert matched_accuracy(labels, y, "hungarian") <= matched_accuracy(labels, y) + 1e-12
    if labels.size:
        # A clustering that is a renaming of the classes scores 1 both ways.
        assert matched_accuracy(perm_c[y], y, "hungarian") == 1.0
        assert matched_accuracy(perm_c[y], y, "majority") == 1.0
        mapping = hungarian_mapping(labels, y)
        assert len(set(mapping[mapping >= 0].tolist())) == int((mapping >= 0).sum())


@given(rows=st.integers(0, 9), cols=st.integers(0, 9), seed=st.integers(0, 2**32 - 1),
       integer=st.booleans(), maximize=st.booleans())
def test_linear_sum_assignment_optimal_like_scipy(rows, cols, seed, integer, maximize):
    optimize = pytest.importorskip("scipy.optimize")
    rng = np.random.default_rng(seed)
    C = rng.integers(0, 4, (rows, cols)).astype(float) if integer else rng.random((rows, cols))
    r, c = linear_sum_assignment(C, maximize=maximize)
    sr, sc = optimize.linear_sum_assignment(C, maximize=maximize)
    assert len(r) == min(rows, cols) and len(set(c.tolist())) == len(c)
    assert np.all(np.diff(r) > 0)
    assert C[r, c].sum() == pytest.approx(C[sr, sc].sum(), abs=1e-9)


# ----------------------------------------------------------------------- quantization


@st.composite
def images(draw: st.DrawFn) -> np.ndarray:
    h = draw(st.integers(1, 48))
    w = draw(st.integers(1, 48))
    channels = draw(st.sampled_from((3, 4)))
    kind = draw(st.sampled_from(("noise", "few", "one", "gradient")))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "noise":
        img = rng.integers(0, 256, (h, w, channels))
    elif kind == "few":
        colors = rng.integers(0, 256, (draw(st.integers(2, 8)), channels))
        img = colors[rng.integers(0, len(colors), (h, w))]
    elif kind == "one":
        img = np.broadcast_to(rng.integers(0, 256, channels), (h, w, channels))
    else:
        ramp = np.linspace(0, 255, max(h, w))
        img = np.stack([ramp[:h, None] + 0 * ramp[None, :w],
                        ramp[None, :w] + 0 * ramp[:h, None],
                        np.full((h, w), 128.0)] + [np.full((h, w), 255.0)] * (channels - 3),
                       axis=2)
    return np.ascontiguousarray(img, dtype=np.uint8)


@given(image=images(), n_colors=st.integers(1, 256),
       method=st.sampled_from(("kmeans", "minibatch")),
       dither=st.sampled_from(("none", "ordered", "floyd-steinberg")))
def test_quantize_palette_indices_png(image, n_colors, method, dither):
    Image = pytest.importorskip("PIL.Image")
    note(f"image shape {image.shape}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # fewer colors than n_colors
        palette, labels = quantize(image, n_colors, method=method, dither=dither,
                                   random_state=0)
    h, w = image.shape[:2]
    assert palette.dtype == np.uint8 and palette.ndim == 2 and palette.shape[1] >= 3
    assert 1 <= palette.shape[0] <= n_colors
    assert labels.shape == (h, w) and labels.max() < palette.shape[0]
    png = write_indexed_png(labels, palette)
    with Image.open(io.BytesIO(png)) as im:
        assert im.size == (w, h) and im.mode == "P"
        np.testing.assert_array_equal(np.asarray(im), labels)
        decoded = np.asarray(im.getpalette()[: 3 * palette.shape[0]], dtype=np.uint8)
    np.testing.assert_array_equal(decoded.reshape(-1, 3), palette[:, :3])
