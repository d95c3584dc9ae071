"""One truth per setting (issue 11): for the same points, k, init, restarts and seed,
the page's Run (``fit``), Step by step (``steps``), the restarts table and Compare with
scikit-learn start from the same centers and report the same inertia and iteration
count (scikit-learn's ``n_iter_`` convention)."""

from __future__ import annotations

import numpy as np
import pytest

from kmeanslab import app
from kmeanslab.app._restarts import restart_inits
from kmeanslab.cluster import KMeans, lloyd_steps


def op(name, *args, **kwargs):
    return app.drain(app.OPERATIONS[name](*args, **kwargs))


@pytest.fixture(scope="module")
def blobs():
    return op("generate", "blobs", 300, 4, 0.6, 0.05, 0)[1]["points"].reshape(-1)


@pytest.fixture(scope="module")
def lumpy():
    # drawn-like data with repeated rows (KMeans seeds the distinct rows, weighted). Not
    # rounded: on a grid of values, exact ties of distance are decided by rounding error,
    # differently by the stepper's plain Lloyd and Run's bounded one
    rng = np.random.default_rng(7)
    X = rng.normal(size=(400, 2)) * [3, 1]
    return np.concatenate([X, X[:150]]).reshape(-1)


@pytest.fixture(scope="module")
def lattice():
    # integer-valued points, as a class types them in: k-means++ and random starts are
    # data points, so the first assignment is full of exact ties of distance (a point
    # halfway between two centers), which both go to the lower index
    rng = np.random.default_rng(3)
    return np.round(rng.normal(size=(300, 2)) * [3, 2]).reshape(-1)


@pytest.mark.parametrize("data", ["blobs", "lumpy", "lattice"])
@pytest.mark.parametrize("init", ["random", "k-means++"])
@pytest.mark.parametrize("n_init", [1, 3])
def test_run_ends_where_the_stepper_ends(request, data, init, n_init):
    pts = request.getfixturevalue(data).tobytes()
    k = {"blobs": 4, "lumpy": 5, "lattice": 6}[data]
    for seed in range(8):
        fit = op("fit", pts, n_clusters=k, init=init, n_init=n_init, random_state=seed)[1]
        records, steps = op("steps", pts, n_clusters=k, init=init, n_init=n_init,
                            random_state=seed)
        last = records[-1]
        where = f"{data}, init={init}, n_init={n_init}, seed={seed}"
        assert last["phase"] == "assign" and last["converged"], where
        assert last["inertia"] == pytest.approx(fit["inertia"], rel=1e-10), where
        np.testing.assert_array_equal(last["labels"], fit["labels"], err_msg=where)
        assert last["n_iter"] == steps["n_iter"] == fit["n_iter"], where
        # the restarts table: same runs, same one kept
        assert steps["best_init"] == fit["best_init"], where
        np.testing.assert_allclose(steps["inertia_per_init"], fit["inertia_per_init"],
                                   rtol=1e-12, err_msg=where)
        assert sum(r["phase"] == "restarts" for r in records) > 0 or n_init == 1


def test_compare_reports_runs_numbers(blobs):
    pytest.importorskip("sklearn")
    pts = blobs.tobytes()
    for init in ("random", "k-means++"):
        for seed in range(8):
            for n_init in (1, 4):
                fit = op("fit", pts, n_clusters=4, init=init, n_init=n_init,
                         random_state=seed)[1]
                cmp = op("points_compare_sklearn", pts, None, 4, init=init, n_init=n_init,
                         random_state=seed)[1]
                where = f"init={init}, n_init={n_init}, seed={seed}"
                assert cmp["best_init"] == fit["best_init"], where
                for row in ("kmeanslab", "sklearn"):
                    assert cmp[row]["n_iter"] == fit["n_iter"], (row, where)
                    assert cmp[row]["inertia"] == pytest.approx(fit["inertia"], rel=1e-9), where


def test_the_chapters_seeds(blobs):
    """find_clusters(X, 4, rseed=0) converges to a worse answer; rseed=2 to the four blobs:
    Run, Step and the first restart agree with the chapter's own seeding."""
    X = blobs.reshape(-1, 2)
    for seed, inertia in ((0, 527.19), (2, 212.01)):
        first = restart_inits(X, 4, "random", 1, seed)[0]
        np.testing.assert_array_equal(first, X[np.random.RandomState(seed).permutation(300)[:4]])
        fit = op("fit", blobs.tobytes(), n_clusters=4, init="random", n_init=1,
                 random_state=seed)[1]
        records, _ = op("steps", blobs.tobytes(), n_clusters=4, init="random", n_init=1,
                        random_state=seed)
        assert fit["inertia"] == pytest.approx(inertia, abs=0.01)
        assert records[-1]["inertia"] == pytest.approx(inertia, abs=0.01)


def test_lloyd_steps_counts_iterations_as_kmeans():
    X = np.random.default_rng(3).normal(size=(500, 2))
    for seed in range(10):
        C = X[np.random.RandomState(seed).permutation(500)[:6]]
        last = list(lloyd_steps(X, C, tol=0.0))[-1]
        model = KMeans(6, init=C, n_init=1, tol=0.0).fit(X)
        assert last["n_iter"] == model.n_iter_


@pytest.mark.parametrize("init,n_init,mode", [("random", 1, "steps"), ("random", 3, "fit"),
                                              ("random", 3, "steps"), ("k-means++", 4, "steps")])
def test_exported_code_prints_runs_numbers(blobs, init, n_init, mode):
    import contextlib
    import io
    import re

    params = dict(kind="blobs", n_samples=300, centers=4, cluster_std=0.6, noise=0.05,
                  data_seed=0, method="kmeans", n_clusters=4, init=init, n_init=n_init,
                  max_iter=300, batch_size=1024, n_neighbors=10, seed=0)
    fit = op("fit", blobs.tobytes(), n_clusters=4, init=init, n_init=n_init, random_state=0)[1]
    state = {"params": params, "mode": mode, "points": blobs, "truth": None,
             "result": {"inertia": fit["inertia"], "best_init": fit["best_init"]}}
    flavours = ["kmeanslab"]
    try:
        import sklearn  # noqa: F401
        flavours.append("sklearn")
    except ImportError:
        pass
    for flavour in flavours:
        code = op("export_code", "points", state, flavour)[1]["code"]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<export>", "exec"), {"__name__": "__main__"})
        printed = dict(re.findall(r"^(inertia|iterations): ([-+0-9.e]+)$", out.getvalue(), re.M))
        assert float(printed["inertia"]) == pytest.approx(fit["inertia"], rel=1e-9), flavour
        assert int(printed["iterations"]) == fit["n_iter"], flavour


@pytest.mark.parametrize("method", ["kmeans", "minibatch", "random_swap"])
def test_run_scores_itself_against_the_true_groups(method):
    # the page shows this number without a second call: it must be the same score
    gen = op("generate", "blobs", 300, 4, 1.5, 0.05, 3)[1]
    pts, truth = gen["points"].reshape(-1).tobytes(), gen["truth"]
    r = op("fit", pts, n_clusters=3, n_init=1, random_state=1, method=method,
           truth=truth.tobytes())[1]
    separate = op("points_adjusted_rand", truth.tobytes(), r["labels"].tobytes())[1]["ari"]
    assert r["ari"] == pytest.approx(separate, abs=1e-12)
    assert 0.0 < r["ari"] < 1.0
    assert "ari" not in op("fit", pts, n_clusters=3, n_init=1, random_state=1,
                           method=method)[1]


def test_the_stepper_breaks_exact_ties_to_the_lower_index():
    # 1-d integers, centers among them: 2 is as far from 1 as from 3, -1 from -2 as from
    # 0, -3 from -2 as from -4; each such point goes to the center listed first, as
    # scikit-learn's and KMeans's argmin (the identity's rounding, around the centers'
    # mean, once sent all three the other way)
    X = np.array([[-4.0], [-3], [-2], [-1], [0], [1], [2], [3], [10]])
    C = np.array([[1.0], [-2], [3], [0], [-4]])
    first = next(iter(lloyd_steps(X, C)))
    D = (X - C.T) ** 2
    np.testing.assert_array_equal(first["labels"], D.argmin(axis=1))
    assert first["labels"].tolist() == [4, 1, 1, 1, 3, 0, 0, 2, 2]
