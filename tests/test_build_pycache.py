"""Native tests of the shipped start-up byte code (py/kmeanslab_build/pycache.py).

The build runs the vendored Pyodide in Node to make NumPy's and kmeanslab's .pyc files with
the page's own Python; without Node it ships none and says so in one line. Builds from the
download cache that ``python build.py`` filled (no downloads).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
import sys
import zipfile
from pathlib import Path

import pytest

if sys.platform == "emscripten":  # (the build runs natively only; Node is not there)
    pytest.skip("the build runs natively", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))

from _build_helpers import build_from_cache, manifest, node_build  # noqa: E402
from kmeanslab_build import pycache as pyc  # noqa: E402
from kmeanslab_build.check import check_dist  # noqa: E402

#: CPython 3.12's byte-code magic number (Pyodide 0.27.7's Python is 3.12.7; the host's
#: may be another version, whose .pyc files the page could not use).
MAGIC_312 = (3531).to_bytes(2, "little") + b"\r\n"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build that makes the byte code with Node (an empty byte-code cache of its own)."""
    return node_build(tmp_path_factory, pyc)


def test_the_build_ships_the_pages_byte_code_for_its_sources(dist: Path) -> None:
    lock = json.loads((dist / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    entry = lock[pyc.LOCK_KEY]
    assert entry["file_name"] == pyc.bundle_name(lock) + pyc.SUFFIX
    assert ".gz" not in entry["file_name"]  # (some hosts add Content-Encoding to .gz)
    shipped = (dist / "pyodide" / entry["file_name"]).read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == entry["sha256"]
    blob = gzip.decompress(shipped)
    assert f"pyodide/{entry['file_name']}" in manifest(dist)["core"]  # offline from install on
    assert check_dist(dist) == []
    files = dict(pyc.unpack(blob))
    assert "kmeanslab/app/__pycache__/_bridge.cpython-312.pyc" in files
    assert "numpy/__pycache__/__init__.cpython-312.pyc" in files
    assert "numpy/random/__pycache__/__init__.cpython-312.pyc" in files
    # each one checked by its source's size and the unpacker's fixed time, as the page does
    sources = {}
    for name in ("numpy", "kmeanslab"):
        wheel = dist / "pyodide" / lock["packages"][name]["file_name"]
        with zipfile.ZipFile(wheel) as zf:
            sources |= {i.filename: i.file_size for i in zf.infolist()}
    for rel, data in files.items():
        folder, base = rel.rsplit("/__pycache__/", 1)
        source = f"{folder}/{base.split('.', 1)[0]}.py"
        flags, mtime, size = struct.unpack("<III", data[4:16])
        assert data[:4] == MAGIC_312, rel
        assert (flags, mtime, size) == (0, pyc.SOURCE_MTIME_S, sources[source]), rel


def test_a_build_without_node_ships_no_byte_code_and_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("shutil.which", lambda name: None)  # (Node not on PATH)
    monkeypatch.setattr(pyc, "cache_root", lambda: tmp_path / "cache")
    dist = build_from_cache(tmp_path / "dist")
    notes = [s for s in capsys.readouterr().err.splitlines() if "byte code" in s]
    assert notes == ["note: Node is not installed, so no start-up byte code is shipped: a "
                     "first visit compiles NumPy and kmeanslab from source."]
    lock = json.loads((dist / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    assert pyc.LOCK_KEY not in lock
    assert not list((dist / "pyodide").glob("pycache-*"))
    assert not any(rel.startswith("pyodide/pycache-") for rel in manifest(dist)["core"])
    assert check_dist(dist) == []


def test_a_failing_node_does_not_fail_the_build(tmp_path, monkeypatch, capsys):
    (tmp_path / "pyodide").mkdir()
    lock = {"info": {"version": "0.27.7"},
            "packages": {"kmeanslab": {"file_name": "k.whl", "sha256": "ab" * 32}}}
    (tmp_path / "pyodide" / "pyodide-lock.json").write_text(json.dumps(lock))
    with zipfile.ZipFile(tmp_path / "pyodide" / "k.whl", "w") as zf:
        zf.writestr("kmeanslab/__init__.py", "")
    monkeypatch.setattr(pyc, "cache_root", lambda: tmp_path / "cache")
    assert pyc.ship_pycache(tmp_path / "pyodide", node=sys.executable) == {
        "pycache": None, "pycache_files": 0}
    assert "could not be made" in capsys.readouterr().err
    assert pyc.LOCK_KEY not in json.loads((tmp_path / "pyodide" / "pyodide-lock.json").read_text())


def test_bundle_round_trip_and_truncation() -> None:
    entries = [("a/__pycache__/x.cpython-312.pyc", b"\x00\x01"), ("b/y.pyc", b"")]
    blob = pyc.pack(entries)
    assert pyc.unpack(blob) == entries
    with pytest.raises(ValueError, match="truncated"):
        pyc.unpack(blob[:-1])
