"""``python build.py figures``: the README's benchmark figure drawn from the bench's JSON.

Native only (needs kmeanslab_build and matplotlib; excluded from the Pyodide suite).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")

from kmeanslab_build.bench.scaling import loglog_slope, slopes  # noqa: E402
from kmeanslab_build.figures import DPI, FIGSIZE, main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def synthetic_results() -> dict:
    """Per-iteration cost a * n**b with known exponents, 20 iterations per fit."""
    exps = {"kmeanslab": 1.0, "sklearn": 0.9, "plain": 1.1}
    results = [
        {"n": n, "place": place, "impl": impl, "ms": 20 * 1e-4 * n ** b, "n_iter": 20,
         "inertia": 1.0}
        for place in ("native", "page") for impl, b in exps.items()
        for n in (1_000, 10_000, 30_000, 100_000)
    ]
    return {"suite": "scaling", "k": 8, "repeat": 3, "when": "2026-01-01T00:00:00Z",
            "results": results}


def test_loglog_slope_recovers_the_exponent():
    n = np.array([1e3, 3e3, 1e4, 3e4, 1e5])
    assert loglog_slope(n, 0.002 * n**1.0) == pytest.approx(1.0)
    assert loglog_slope(n, 5.0 * n**0.5) == pytest.approx(0.5)
    assert loglog_slope(n, 7.0 * n**2) == pytest.approx(2.0)


def test_loglog_slope_needs_two_distinct_sizes():
    with pytest.raises(ValueError, match="at least two distinct positive n"):
        loglog_slope([1000, 1000], [1.0, 2.0])


def test_slopes_per_fit_and_per_iteration():
    fitted = slopes(synthetic_results()["results"])
    assert fitted[("native", "sklearn")] == pytest.approx((0.9, 0.9))
    assert fitted[("page", "plain")] == pytest.approx((1.1, 1.1))


def test_slopes_above_min_n_ignore_small_sizes():
    data = synthetic_results()["results"]
    for r in data:  # a fixed per-call cost that swamps the smallest size only
        if r["n"] == 1_000:
            r["ms"] += 50.0
    assert slopes(data)[("native", "kmeanslab")][1] < 0.8
    assert slopes(data, 30_000)[("native", "kmeanslab")] == pytest.approx((1.0, 1.0))
    assert ("page", "plain") not in slopes(data, 100_000)  # one size left: no slope


def test_figures_draws_a_png_of_the_expected_size(tmp_path, capsys):
    source = tmp_path / "scaling.json"
    source.write_text(json.dumps(synthetic_results()))
    assert main(source, tmp_path / "img") == 0
    png = tmp_path / "img" / "bench-scaling.png"
    with Image.open(png) as im:
        assert im.format == "PNG"
        assert im.size == (round(FIGSIZE[0] * DPI), round(FIGSIZE[1] * DPI))
        # something was drawn: not a blank canvas
        assert np.unique(np.asarray(im.convert("L"))).size > 10
    svg = (tmp_path / "img" / "bench-scaling.svg").read_text()
    assert "<svg" in svg and "slope 0.90" in svg
    assert "wrote" in capsys.readouterr().out


def test_figures_redraw_the_same_files(tmp_path):
    source = tmp_path / "scaling.json"
    source.write_text(json.dumps(synthetic_results()))
    main(source, tmp_path / "a")
    main(source, tmp_path / "b")
    for name in ("bench-scaling.png", "bench-scaling.svg"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_figures_without_results_says_to_run_the_bench(tmp_path, capsys):
    assert main(tmp_path / "missing.json", tmp_path / "img") == 2
    err = capsys.readouterr().err
    assert "run `python build.py bench scaling` first" in err
    assert not (tmp_path / "img").exists()


def test_figures_rejects_other_json(tmp_path, capsys):
    source = tmp_path / "other.json"
    source.write_text(json.dumps([1, 2, 3]))
    assert main(source, tmp_path / "img") == 2
    assert "expected an object with a 'results' list" in capsys.readouterr().err


def test_build_py_figures_command_exit_code(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "figures", "--from",
         str(tmp_path / "none.json"), "--out", str(tmp_path / "img")],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2
    assert "python build.py bench scaling" in proc.stderr
