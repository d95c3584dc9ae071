"""t-SNE's result does not depend on how often progress is asked for (issue 12).

The page asks ``TSNE.steps`` for a record every 5 iterations, ``fit_transform`` every 50,
and an exported notebook repeats the page's fit: the same settings must give the same
embedding, bit for bit, whatever the cadence.
"""

from __future__ import annotations

import numpy as np

from kmeanslab.manifold import TSNE
from kmeanslab.manifold._utils import _drain


def _blobs() -> np.ndarray:
    rng = np.random.default_rng(3)
    # 1,200 points: past EXACT_MAX_SAMPLES, so the FFT grid (whose rounding follows the
    # embedding's placement) is what runs, as on the digits.
    return np.vstack([rng.normal(c, 1.0, size=(400, 5)) for c in (0, 6, 12)])


def test_the_embedding_does_not_depend_on_the_record_cadence():
    X = _blobs()
    settings = dict(random_state=0, max_iter=123, n_iter_exaggeration=60)
    a = TSNE(**settings).fit_transform(X)
    for every in (1, 5, 7):
        b = _drain(TSNE(**settings).steps(X, every=every))
        np.testing.assert_array_equal(a, b)


def test_records_carry_the_embedding_of_their_iteration():
    X = _blobs()
    settings = dict(random_state=0, max_iter=40, n_iter_exaggeration=20)
    gen = TSNE(**settings).steps(X, every=20)
    records = []
    while True:
        try:
            records.append(next(gen))
        except StopIteration as stop:
            final = stop.value
            break
    optimize = [r for r in records if r["stage"] == "optimize"]
    assert [r["iteration"] for r in optimize] == [0, 20, 40]
    np.testing.assert_array_equal(optimize[-1]["embedding"], final.astype(np.float32))
    # The embedding is centred on the same schedule, whatever the cadence: at the end.
    np.testing.assert_allclose(final.mean(axis=0), 0.0, atol=1e-9)
    assert np.isfinite(optimize[-1]["kl_divergence"]) and optimize[-1]["kl_divergence"] > 0
