"""Native tests of ``python build.py bench startup --against``: its argument check, its
round order and its paired statistics (the visits themselves need Chromium and minutes:
they are what the bench is run for, not tested here)."""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))

from kmeanslab_build.bench import startup_ab  # noqa: E402


def test_the_sign_test_is_the_two_sided_binomial_tail():
    # 10 of 12: P(X <= 2) = (1 + 12 + 66) / 4096, doubled
    assert startup_ab.sign_test(10, 12) == pytest.approx(2 * 79 / 4096)
    assert startup_ab.sign_test(2, 12) == startup_ab.sign_test(10, 12)
    assert startup_ab.sign_test(12, 12) == pytest.approx(2 / 4096)
    assert startup_ab.sign_test(6, 12) == 1.0
    assert startup_ab.sign_test(0, 0) == 1.0
    # against a direct sum over the outcomes at least as unlikely as the one seen
    n = 15
    for wins in range(n + 1):
        p = [math.comb(n, i) / 2**n for i in range(n + 1)]
        direct = sum(q for q in p if q <= p[wins] * (1 + 1e-12))
        assert startup_ab.sign_test(wins, n) == pytest.approx(min(1.0, direct))


def test_each_page_goes_first_in_turn():
    orders = [startup_ab.round_order(i) for i in range(3)]
    assert [o[0] for o in orders] == ["plain", "this", "other"]
    assert all(sorted(o) == ["other", "plain", "this"] for o in orders)
    assert startup_ab.round_order(3) == orders[0]


def _fake_dist(path: Path) -> Path:
    """The two files that make a folder pass for a built site."""
    (path / "pyodide").mkdir(parents=True)
    (path / "index.html").write_text("<!doctype html>")
    (path / "pyodide" / "pyodide-lock.json").write_text("{}")
    return path


def _bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "bench", *args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_another_dist_must_be_a_built_site(tmp_path):
    with pytest.raises(SystemExit, match=r"--against .*not a built dist/ folder .*index\.html"):
        startup_ab.check_dist(tmp_path)
    _fake_dist(tmp_path)
    assert startup_ab.check_dist(tmp_path) == tmp_path.resolve()


def test_the_command_line_refuses_a_folder_that_is_no_build_before_building(tmp_path):
    out = tmp_path / "dist-not-made"
    run = _bench("startup", "--against", str(tmp_path / "nowhere"), "--out", str(out))
    assert run.returncode != 0
    assert "--against" in run.stderr and "not a built dist/ folder" in run.stderr
    assert not out.exists()  # (refused before the build, which takes a minute)


def test_the_report_counts_the_rounds_each_build_was_ready_first(capsys):
    rounds = [{"plain_first": 2800.0, "this_first_ready": this, "other_first_ready": other,
               "this_cached_ready": 800.0, "other_cached_ready": 800.0}
              for this, other in [(2700, 2900), (2750, 2800), (2950, 2900), (2600, 2800)]]
    startup_ab._report(rounds, Path("/tmp/old-dist"))
    out = capsys.readouterr().out
    first = next(line for line in out.splitlines() if line.lstrip("| ").startswith("first visit"))
    cells = [c.strip() for c in first.strip("|").split("|")]
    paired = statistics.median([2700 / 2900, 2750 / 2800, 2950 / 2900, 2600 / 2800])
    assert cells[1:5] == ["2,725", "2,850", f"{paired:.4g}", "3 of 4"]
    assert float(cells[5]) == pytest.approx(startup_ab.sign_test(3, 4))
    cached = next(line for line in out.splitlines() if line.lstrip("| ").startswith("cached visit"))
    assert "0 of 0" in cached  # (ties are not counted either way)
    assert "use --repeat 12 or more" in out


def test_the_startup_suite_hands_over_to_the_ab_rounds_when_asked(monkeypatch, tmp_path):
    from kmeanslab_build.bench import startup

    calls = []
    monkeypatch.setattr(startup_ab, "run", lambda ctx, against: calls.append((ctx, against)))
    monkeypatch.setattr(startup, "against", tmp_path)
    startup.run("the context")
    assert calls == [("the context", tmp_path)]


@pytest.mark.parametrize("extra, message", [
    (["--tricks"], "--tricks and --against OTHER_DIST"),
    (["--repeat", "0"], "argument --repeat: '0': a whole number of at least 1"),
])
def test_the_command_line_refuses_options_that_cannot_go_with_against(tmp_path, extra, message):
    other = _fake_dist(tmp_path / "other")
    run = _bench("startup", "--against", str(other), "--out", str(tmp_path / "dist-not-made"),
                 *extra)
    assert run.returncode != 0
    assert message in run.stderr
    assert not (tmp_path / "dist-not-made").exists()


def test_the_command_line_refuses_the_measured_build_as_the_other(tmp_path):
    out = _fake_dist(tmp_path / "dist")
    run = _bench("startup", "--against", str(out), "--out", str(out))
    assert run.returncode != 0
    assert "that is the build being measured" in run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "pyodide"]  # (not built)


def test_a_build_without_shipped_byte_code_is_not_waited_for(tmp_path):
    from kmeanslab_build.bench.startup_visits import ships_pycache

    (tmp_path / "pyodide").mkdir()
    lock = tmp_path / "pyodide" / "pyodide-lock.json"
    lock.write_text('{"packages": {}}')
    assert not ships_pycache(tmp_path)
    lock.write_text('{"packages": {}, "kmeanslab_pycache": {"file_name": "x.bin"}}')
    assert ships_pycache(tmp_path)
    assert not ships_pycache(tmp_path / "nowhere")


def test_bench_tables_write_whole_numbers_like_the_others():
    from kmeanslab_build.bench import _fmt

    assert _fmt(123456) == "123,456" == _fmt(123456.0)
    assert _fmt(5) == "5" and _fmt(True) == "True" and _fmt("3 of 4") == "3 of 4"
