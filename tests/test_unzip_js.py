"""The page's wheel unzipper (site/js/startup/unzip.js, on fflate) gives the files Python's
zipfile reads, byte for byte, and null for what it cannot read, so that the caller lets
Pyodide unpack that wheel itself. Run in Node, as the build's byte-code step is."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

if sys.platform == "emscripten":  # (the suite copied into Pyodide has no site/ and no Node)
    pytest.skip("the page's JavaScript is tested natively, with Node", allow_module_level=True)

SITE_JS = Path(__file__).resolve().parents[1] / "site" / "js"
#: Prints, per file given, null or [[name, sha256, length], ...] from inflateZip.
DRIVER = """
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { inflateZip } from "./startup/unzip.js";
const out = [];
for (const path of process.argv.slice(2)) {
  try {
    const files = await inflateZip(new Uint8Array(readFileSync(path)));
    const buffers = new Set(files?.map((f) => f.data.buffer));
    out.push(files && {
      entries: files.map((f) => [f.name, createHash("sha256").update(f.data).digest("hex"),
        f.data.length]),
      ownBuffers: buffers.size === files.length,
    });
  } catch (err) {
    out.push({ error: String(err.message) });
  }
}
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def unzip(tmp_path_factory):
    """``unzip(*paths)``: inflateZip's answer for each file, from a copy of site/js."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node is not installed")
    root = tmp_path_factory.mktemp("js")
    for sub in ("startup", "vendor"):
        shutil.copytree(SITE_JS / sub, root / sub)
    (root / "package.json").write_text('{"type": "module"}')  # (.js as modules in any Node)
    (root / "driver.js").write_text(DRIVER)

    def run(*paths: Path) -> list:
        done = subprocess.run([node, str(root / "driver.js"), *map(str, paths)], check=True,
                              capture_output=True, text=True, timeout=120)
        return json.loads(done.stdout)

    return run


def _expected(path: Path) -> list:
    with zipfile.ZipFile(path) as z:
        return [[i.filename, hashlib.sha256(data := z.read(i)).hexdigest(), len(data)]
                for i in z.infolist()]


def _zip(path: Path, entries: dict[str, bytes], **kwargs) -> Path:
    with zipfile.ZipFile(path, "w", **kwargs) as z:
        for name, data in entries.items():
            if name.endswith("/"):
                z.mkdir(name)
            else:
                method = zipfile.ZIP_STORED if name.endswith(".so") else zipfile.ZIP_DEFLATED
                z.writestr(name, data, compress_type=method)
    return path


def test_entries_are_the_bytes_zipfile_reads(unzip, tmp_path):
    rng = np.random.default_rng(0)
    entries = {
        "pkg/": b"",
        "pkg/__init__.py": b"from ._core import *\n" * 50,
        "pkg/_core.so": rng.bytes(70_000),  # stored, as wheels keep some binaries
        "pkg/data/big.npy": np.arange(300_000, dtype=np.int32).tobytes(),  # 1.2 MB deflated
        "pkg/empty.txt": b"",
        "pkg/noise.bin": rng.bytes(5_000),  # deflate that does not shrink
        "pkg/ünïcode näme.py": "x = 'é'\n".encode(),
        "pkg-1.0.dist-info/RECORD": b"pkg/__init__.py,,\n",
    }
    plain = _zip(tmp_path / "plain.whl", entries)
    local64 = _zip(tmp_path / "local64.whl", {k: v for k, v in entries.items() if k[-1] != "/"})
    with zipfile.ZipFile(local64, "a") as z:  # a local header with a zip64 extra field
        with z.open("pkg/forced64.py", "w", force_zip64=True) as f:
            f.write(b"y = 2\n" * 1000)
    got = unzip(plain, local64)
    assert got[0]["entries"] == _expected(plain)
    assert got[1]["entries"] == _expected(local64)
    assert got[0]["ownBuffers"] and got[1]["ownBuffers"]  # (each is transferred on its own)


def test_the_wheels_the_page_unzips_at_start_up(unzip):
    dist = Path(__file__).resolve().parents[1] / "dist" / "pyodide"
    wheels = sorted(dist.glob("numpy-*.whl")) + sorted(dist.glob("kmeanslab-*.whl"))
    if len(wheels) < 2:
        pytest.skip("no build in dist/ (python build.py)")
    got = unzip(*wheels)
    for wheel, answer in zip(wheels, got, strict=True):
        assert answer["entries"] == _expected(wheel), wheel.name


def test_what_it_cannot_read_is_null_or_an_error_not_wrong_files(unzip, tmp_path):
    good = _zip(tmp_path / "good.whl", {"a.py": b"a = 1\n" * 200, "b.py": b"b = 2\n" * 200})
    data = good.read_bytes()
    truncated = tmp_path / "truncated.whl"
    truncated.write_bytes(data[: len(data) // 2])
    not_zip = tmp_path / "not.whl"
    not_zip.write_bytes(b"<html>404 Not Found</html>")
    bz = io.BytesIO()
    with zipfile.ZipFile(bz, "w", compression=zipfile.ZIP_BZIP2) as z:
        z.writestr("c.py", b"c = 3\n" * 200)
    bzip2 = tmp_path / "bzip2.whl"
    bzip2.write_bytes(bz.getvalue())
    # entries whose header states another size than their data inflates to: damaged,
    # whether the stated size is larger or smaller (a reader that inflates into a buffer
    # of the stated size would cut the file short without a word)
    damaged = []
    for stated in (1200 + 1, 1200 - 100):
        lying = bytearray(data)
        at = data.index(b"PK\x01\x02")  # the first central directory entry
        lying[at + 24: at + 28] = stated.to_bytes(4, "little")  # uncompressed size
        damaged.append(tmp_path / f"damaged{stated}.whl")
        damaged[-1].write_bytes(bytes(lying))
    got = unzip(truncated, not_zip, bzip2, *damaged)
    assert got[0] is None and got[1] is None and got[2] is None, got
    assert all("error" in answer for answer in got[3:]), got[3:]


def test_the_vendored_fflate_is_the_release_it_names():
    """site/js/vendor/fflate.js is fflate's file unchanged below its header, which gives
    the original's SHA-256; and its license ships next to it."""
    lines = (SITE_JS / "vendor" / "fflate.js").read_bytes().split(b"\n")
    header, body = lines[:3], b"\n".join(lines[3:])
    stated = header[1].split(b"sha256 of the original: ")[1].split(b")")[0].decode()
    assert hashlib.sha256(body).hexdigest() == stated
    assert b"MIT License" in (SITE_JS / "vendor" / "fflate.LICENSE").read_bytes()
