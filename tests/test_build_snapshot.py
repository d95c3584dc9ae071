"""Native tests of what a first visit starts from: the shipped bare start-up snapshot
(py/kmeanslab_build/startup_snapshot.py) and the gzipped copy of the runtime's wasm
(offline.py's WASM_GZ).

The build runs the vendored Pyodide in Node to make the snapshot with the page's own code;
without Node it ships none and says so in one line. Builds from the download cache that
``python build.py`` filled (no downloads).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from pathlib import Path

import pytest

if sys.platform == "emscripten":  # (the build runs natively only; Node is not there)
    pytest.skip("the build runs natively", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))

from _build_helpers import build_from_cache, manifest, node_build  # noqa: E402
from kmeanslab_build import startup_snapshot as snap  # noqa: E402
from kmeanslab_build.check import check_dist  # noqa: E402
from kmeanslab_build.offline import WASM_GZ  # noqa: E402
from kmeanslab_build.pins import RUNTIME_SHA256  # noqa: E402

#: Pyodide 0.27.7's own snapshot (makeMemorySnapshot) starts with these bytes
PYODIDE_SNAPSHOT_MAGIC = b"\x00snp"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build that makes the snapshot with Node (an empty snapshot cache of its own)."""
    return node_build(tmp_path_factory, snap)


def test_the_build_ships_the_bare_interpreters_snapshot(dist: Path) -> None:
    lock = json.loads((dist / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    entry = lock[snap.LOCK_KEY]
    assert ".gz" not in entry["file_name"]  # (some hosts add Content-Encoding to .gz)
    # (not where the page keeps the snapshot it saves, snapshot-<version>.bin)
    assert not entry["file_name"].startswith("snapshot-")
    shipped = (dist / "pyodide" / entry["file_name"]).read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == entry["sha256"]
    assert len(shipped) < 8e6  # (gzipped: about 5.5 MB of about 21)
    blob = gzip.decompress(shipped)
    meta = snap.check_packed(blob)
    assert meta == {"packages": None}  # the bare interpreter's: no wheels in it
    size = int.from_bytes(blob[4:8], "little")
    image = blob[-(-(8 + size) // 16) * 16:]
    assert image[:4] == PYODIDE_SNAPSHOT_MAGIC
    assert f"pyodide/{entry['file_name']}" in manifest(dist)["core"]  # offline from install on
    assert check_dist(dist) == []
    info = json.loads((dist / "build-info.json").read_text(encoding="utf-8"))
    assert info["snapshot"] == entry["file_name"] and 15 < info["snapshot_mb"] < 40


def test_the_snapshot_holds_no_path_of_the_machine_that_built_it(dist: Path) -> None:
    """Made in Node, whose script path Emscripten would take for the program's name
    (Python's sys.executable and $_): the page's is ./this.program."""
    lock = json.loads((dist / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    blob = gzip.decompress((dist / "pyodide" / lock[snap.LOCK_KEY]["file_name"]).read_bytes())
    assert b"./this.program" in blob
    for leak in (str(ROOT).encode(), snap.NODE_SCRIPT.name.encode(), str(dist).encode(),
                 str(dist.parent).encode(), b"-build-"):  # (the staging folder's name)
        assert leak not in blob, leak


def test_the_wasm_ships_gzipped_beside_itself(dist: Path) -> None:
    packed = (dist / "pyodide" / WASM_GZ).read_bytes()
    assert len(packed) < 0.4 * (dist / "pyodide" / "pyodide.asm.wasm").stat().st_size
    assert hashlib.sha256(gzip.decompress(packed)).hexdigest() == RUNTIME_SHA256["pyodide.asm.wasm"]
    core = manifest(dist)["core"]
    # the service worker keeps the copy the worker fetches, not the 10 MB wasm as well
    assert f"pyodide/{WASM_GZ}" in core and "pyodide/pyodide.asm.wasm" not in core
    assert "pyodide/pyodide.asm.wasm" in manifest(dist)["files"]  # (the fallback)


def test_a_build_without_node_ships_no_snapshot_and_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("shutil.which", lambda name: None)  # (Node not on PATH)
    monkeypatch.setattr(snap, "cache_root", lambda: tmp_path / "cache")
    dist = build_from_cache(tmp_path / "dist")
    notes = [s for s in capsys.readouterr().err.splitlines() if "snapshot" in s]
    assert notes == ["note: Node is not installed, so no start-up snapshot is shipped: a first "
                     "visit starts Python afresh."]
    lock = json.loads((dist / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    assert snap.LOCK_KEY not in lock
    assert not list((dist / "pyodide").glob("*.snapz"))
    assert not any(rel.endswith(snap.SUFFIX) for rel in manifest(dist)["core"])
    assert check_dist(dist) == []


def test_a_failing_node_does_not_fail_the_build(tmp_path, monkeypatch, capsys):
    (tmp_path / "pyodide").mkdir()
    (tmp_path / "js" / "startup").mkdir(parents=True)
    (tmp_path / "js" / "startup" / "snapshot.js").write_text("export {};")
    lock = {"info": {"version": "0.27.7"}, "packages": {}}
    (tmp_path / "pyodide" / "pyodide-lock.json").write_text(json.dumps(lock))
    monkeypatch.setattr(snap, "cache_root", lambda: tmp_path / "cache")
    assert snap.ship_snapshot(tmp_path, node=sys.executable) == {"snapshot": None,
                                                                 "snapshot_mb": 0.0}
    assert "could not be made" in capsys.readouterr().err
    assert snap.LOCK_KEY not in json.loads((tmp_path / "pyodide" / "pyodide-lock.json").read_text())


@pytest.mark.parametrize("blob, message", [
    (b"", "no KLSN magic"),
    (b"XXXX" + bytes(12), "no KLSN magic"),
    (b"KLSN" + (2).to_bytes(4, "little") + b"{}" + bytes(6), "holds no memory image"),
])
def test_check_packed_refuses_what_the_page_could_not_read(blob, message):
    with pytest.raises(ValueError, match=message):
        snap.check_packed(blob)
