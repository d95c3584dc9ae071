"""What the Points panel's Run and Step no longer do (issue 12), tested without timings:
the fit sends only the progress records worth their cost (each is a conversion to JS, a
message and a status-line redraw in the page, more than a small fit's iteration: the
pacing interval is set to "never" or "always" and the records counted), the score
against the true groups counts instead of sorting, and the first Run imports only the
metric it uses."""

from __future__ import annotations

import pytest

from kmeanslab import app
from kmeanslab.app import _restarts


def op(name, *args, **kwargs):
    return app.drain(app.OPERATIONS[name](*args, **kwargs))


@pytest.fixture(scope="module")
def blobs():
    return op("generate", "blobs", 300, 4, 0.6, 0.05, 0)[1]["points"].reshape(-1).tobytes()


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_a_short_fit_sends_only_each_restarts_first_record(blobs, init, monkeypatch):
    monkeypatch.setattr(_restarts, "RECORD_EVERY", float("inf"))
    records, result = op("fit", blobs, n_clusters=4, init=init, n_init=1, random_state=0)
    assert records == [] and result["n_iter"] >= 2  # (the fit iterated, none sent)
    records, result = op("fit", blobs, n_clusters=4, init=init, n_init=3, random_state=0)
    assert [r["run"] for r in records] == [1, 2]
    assert all(r["iteration"] == 0 and r["n_runs"] == 3 for r in records)
    # the stepper's restarts: the same pacing, tagged
    records, _ = op("steps", blobs, n_clusters=4, init=init, n_init=3, random_state=0)
    restarts = [r for r in records if r.get("phase") == "restarts"]
    assert [r["run"] for r in restarts] == [1, 2]


def test_a_long_fit_sends_a_record_per_iteration_when_they_take_long(blobs, monkeypatch):
    monkeypatch.setattr(_restarts, "RECORD_EVERY", 0.0)
    records, result = op("fit", blobs, n_clusters=4, init="random", n_init=2, random_state=2)
    per_run = [sum(r["run"] == run for r in records) for run in (0, 1)]
    assert per_run[result["best_init"]] >= result["n_iter"] - 1
    assert all(n >= 2 for n in per_run)


def test_pacing_keeps_results(blobs, monkeypatch):
    # the records sent change nothing in what the fit returns
    results = []
    for every in (0.0, float("inf")):
        monkeypatch.setattr(_restarts, "RECORD_EVERY", every)
        results.append(op("fit", blobs, n_clusters=4, init="k-means++", n_init=3,
                          random_state=5)[1])
    assert results[0]["inertia"] == results[1]["inertia"]
    assert results[0]["labels"].tolist() == results[1]["labels"].tolist()


def test_the_panels_adjusted_rand_index_counts_without_sorting(monkeypatch):
    # Run scores itself against the true groups: small non-negative integer labels are
    # counted into the contingency table directly (np.unique sorted them three times),
    # with the same integers, so the same score as for the same labels as floats.
    import numpy as np

    from kmeanslab.metrics import _classification

    rng = np.random.default_rng(1)
    truth = rng.integers(0, 4, 300).astype(np.int32)
    labels = np.where(rng.random(300) < 0.8, truth, rng.integers(0, 5, 300))
    expected = _classification.adjusted_rand_score(truth.astype(float), labels.astype(float))

    def no_sort(*args, **kwargs):
        raise AssertionError("the labels were sorted")

    monkeypatch.setattr(_classification.np, "unique", no_sort)
    assert _classification.adjusted_rand_score(truth, labels) == expected
    assert 0.5 < expected < 1.0


def test_the_first_run_scoring_itself_imports_only_its_own_metric():
    # The first Run after start scores itself (adjusted Rand index, clusters found):
    # it imported the whole metrics package with it, image measures and kmeanslab.image
    # included (about 100 ms in the page). A fresh import in this process (no
    # subprocess: this suite also runs inside Pyodide), then the modules as they were.
    import importlib
    import sys

    import numpy as np

    ours = lambda name: name == "kmeanslab" or name.startswith("kmeanslab.")  # noqa: E731
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if ours(name)}
    try:
        fresh = importlib.import_module("kmeanslab.app")
        gen = fresh.OPERATIONS["generate"]("blobs", 300, 4, 0.6, 0.05, 0)
        pts = gen["points"].reshape(-1).tobytes()
        _, result = fresh.drain(fresh.OPERATIONS["fit"](
            pts, n_clusters=4, n_init=1, random_state=0, truth=gen["truth"].tobytes()))
        out = {name for name in sys.modules if ours(name)}
    finally:
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved)
    assert np.isfinite(result["ari"]) and result["clusters_found"] == 4
    assert "kmeanslab.metrics._classification" in out
    for heavy in ("image", "image._measures", "metrics._unsupervised", "metrics._matching",
                  "metrics.pairwise"):
        assert f"kmeanslab.{heavy}" not in out, heavy
