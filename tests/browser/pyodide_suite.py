"""The native test suite, packed into a web root to run inside Pyodide in Chromium.

Used by ``test_in_pyodide.py``. The web root holds the built dist's ``pyodide/`` folder
(the runtime, its trimmed lock and the kmeanslab wheel), the harness page
(``pyodide_harness/``), the native test files and the pure-Python wheels of pytest and
its dependencies, at the versions Pyodide 0.27.7's official lock pins. Those wheels are
downloaded once with pip into the user cache and checked by SHA-256.

What does not run inside Pyodide is listed here, in :data:`EXCLUDED_FILES` and
:data:`DESELECTED`, each with its reason; nothing is skipped silently.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kmeanslab_build.cache import cache_root

TESTS_DIR = Path(__file__).resolve().parents[1]
HARNESS_DIR = Path(__file__).resolve().parent / "pyodide_harness"

#: Pure-Python wheels pytest needs inside Pyodide: the versions pinned by Pyodide 0.27.7's
#: pyodide-lock.json (pytest 8.1.1's other dependencies are for Python < 3.11 only), with
#: the SHA-256 of the wheel PyPI serves (Pyodide's lock hashes its own re-hosted copies).
TEST_WHEELS: dict[str, str] = {
    "pytest-8.1.1-py3-none-any.whl": (
        "2a8386cfc11fa9d2c50ee7b2a57e7d898ef90470a7a34c4b949ff59662bb78b7"
    ),
    "pluggy-1.5.0-py3-none-any.whl": (
        "44e1ad92c8ca002de6377e165f3e0f1be63266ab4d554740532335b9d75ea669"
    ),
    "iniconfig-2.0.0-py3-none-any.whl": (
        "b6a85871a79d2e3b22d2d1b94ac2824226a63c6b741c88f7ae975f18b6778374"
    ),
    "packaging-24.2-py3-none-any.whl": (
        "09abb1bccd265c01f4a3aa3f7a7db064b36514d2cba19a2f694fe6150451a759"
    ),
}
WHEELS_CACHE_NAME = "pyodide-test-wheels"

#: Pyodide packages loaded from the dist's trimmed lock before the tests run (their
#: dependencies come along). micropip is not shipped and not needed: the test wheels are
#: unpacked into site-packages directly.
PACKAGES = ("numpy", "scipy", "scikit-learn", "pillow", "kmeanslab")

#: Test files that cannot run inside Pyodide, and why.
EXCLUDED_FILES: dict[str, str] = {
    "test_build.py": (
        "tests build.py: needs kmeanslab_build, subprocess, threads, the download cache "
        "and the host file system"
    ),
    "test_build_sources.py": (
        "tests where the build's inputs come from (npm, pip, Chromium, ruff): needs "
        "kmeanslab_build, subprocess and the download cache"
    ),
    "test_build_hosting.py": (
        "tests the built dist's _headers and the dev server: needs kmeanslab_build, a "
        "built dist/ and a local HTTP server"
    ),
    "test_build_bench.py": (
        "tests `python build.py bench startup --against`: needs kmeanslab_build and "
        "subprocess"
    ),
    "test_figures.py": (
        "tests `python build.py figures`: needs kmeanslab_build, matplotlib, Pillow, "
        "subprocess and the host file system"
    ),
    "test_properties_kmeans.py": (
        "Hypothesis property tests: Hypothesis is not in Pyodide's lock, and they run "
        "natively (their minimal examples run in Pyodide as test_regressions_found.py)"
    ),
    "test_properties_other.py": (
        "Hypothesis property tests: Hypothesis is not in Pyodide's lock, and they run "
        "natively (their minimal examples run in Pyodide as test_regressions_found.py)"
    ),
}

#: Single tests (pytest node ids) that cannot run inside Pyodide, and why.
DESELECTED: dict[str, str] = {
    "tests/test_digits.py::test_load_digits_fallbacks": (
        "tests the source-checkout fallback, which converts scikit-learn's CSV with "
        "kmeanslab_build.data (build-time code, not in the kmeanslab wheel)"
    ),
}

#: Where the suite lives in Pyodide's file system (the pytest rootdir).
SUITE_ROOT = "/home/pyodide/suite"


class SuiteError(RuntimeError):
    """The suite could not be prepared; the message says what to do."""


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def wheels_cache() -> Path:
    """Return the folder the test wheels are cached in (``<user cache>/kmeans-lab/...``)."""
    return cache_root() / WHEELS_CACHE_NAME


def _requirement(wheel: str) -> str:
    name, version = wheel.split("-")[:2]
    return f"{name}=={version}"


def _pip_command(dest: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "-d",
        str(dest),
        *(_requirement(w) for w in TEST_WHEELS),
    ]


def _missing(folder: Path) -> list[str]:
    """Return the wheels absent from ``folder`` or whose hash is wrong."""
    return [
        name
        for name, sha in TEST_WHEELS.items()
        if not (folder / name).is_file() or sha256_of(folder / name) != sha
    ]


def fetch_test_wheels(cache: Path | None = None) -> list[Path]:
    """Return the cached test wheels, downloading them with pip the first time.

    Downloads go to a temporary folder inside the cache; a wheel enters the cache only
    once its SHA-256 matches :data:`TEST_WHEELS`, so a second run needs no network.

    Raises
    ------
    SuiteError
        If pip cannot download them or a hash is wrong; the message gives the command
        to run by hand.
    """
    cache = cache or wheels_cache()
    if _missing(cache):
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".tmp-", dir=cache) as tmp:
            command = _pip_command(Path(tmp))
            done = subprocess.run(command, capture_output=True, text=True)
            bad = _missing(Path(tmp)) if done.returncode == 0 else list(TEST_WHEELS)
            if bad:
                raise SuiteError(
                    f"Could not get the pytest wheels for Pyodide ({', '.join(bad)}) into "
                    f"{cache}.\npip said: {(done.stderr or done.stdout).strip()[-1500:]}\n"
                    "With network access to PyPI, run:\n  "
                    + " ".join(_pip_command(cache))
                    + "\nor copy these files there from a machine that has them."
                )
            for name in TEST_WHEELS:
                (Path(tmp) / name).replace(cache / name)
    return [cache / name for name in TEST_WHEELS]


def suite_files(tests_dir: Path = TESTS_DIR) -> list[Path]:
    """Return the native test files to run inside Pyodide (conftest.py first), with the
    helper modules they import (``tests/_*.py``)."""
    files = sorted(p for p in tests_dir.glob("test_*.py") if p.name not in EXCLUDED_FILES)
    helpers = sorted(tests_dir.glob("_*.py"))
    return [tests_dir / "conftest.py", *helpers, *files]


def check_packages(dist: Path) -> None:
    """Raise :class:`SuiteError` unless the dist's lock lists every package in PACKAGES."""
    lock = json.loads((dist / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    missing = [name for name in PACKAGES if name not in lock["packages"]]
    if missing:
        raise SuiteError(
            f"{dist / 'pyodide' / 'pyodide-lock.json'} lacks {', '.join(missing)}: "
            "rebuild with `python build.py --out DIR` (it ships them)."
        )


def pytest_args() -> list[str]:
    """Return the arguments of ``pytest.main`` inside Pyodide."""
    args = ["-q", "-p", "no:cacheprovider", "-ra", "--rootdir", SUITE_ROOT, "tests"]
    for node_id in DESELECTED:
        args += ["--deselect", node_id]
    return args


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        target.symlink_to(source, target_is_directory=source.is_dir())
    except OSError:
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)


def make_web_root(root: Path, dist: Path, tests_dir: Path = TESTS_DIR) -> Path:
    """Fill ``root`` with everything the harness page needs, and return it.

    Layout: ``pyodide/`` and ``data/`` (the dist's), ``harness/`` (the page),
    ``suite/manifest.json``,
    ``suite/wheels/*.whl`` and ``suite/tests/*.py``. The manifest lists the packages to
    load, the wheels to unpack, the files to write under :data:`SUITE_ROOT` and the
    arguments of ``pytest.main``.
    """
    check_packages(dist)
    wheels = fetch_test_wheels()
    _link_or_copy(dist / "pyodide", root / "pyodide")
    # The site's data/ folder, one level above the harness worker as it is above the page's
    # (dist/js/worker.js): load_sample_image fetches the photos from there in a worker.
    _link_or_copy(dist / "data", root / "data")
    shutil.copytree(HARNESS_DIR, root / "harness")
    suite = root / "suite"
    (suite / "wheels").mkdir(parents=True)
    (suite / "tests").mkdir()
    for wheel in wheels:
        _link_or_copy(wheel, suite / "wheels" / wheel.name)
    files = suite_files(tests_dir)
    for path in files:
        shutil.copy2(path, suite / "tests" / path.name)
    manifest = {
        "packages": list(PACKAGES),
        "wheels": [f"wheels/{w.name}" for w in wheels],
        "files": [f"tests/{p.name}" for p in files],
        "root": SUITE_ROOT,
        "args": pytest_args(),
    }
    (suite / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return root
