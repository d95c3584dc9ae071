"""What the build tells hosts: the embed helper is readable from any origin (in dist/_headers
and from the dev server), and the service worker saves the sample data at install."""

from __future__ import annotations

import threading
import urllib.request
from pathlib import Path

from kmeanslab_build.hosting import write_headers
from kmeanslab_build.offline import core_files
from kmeanslab_build.serve import make_server


def _site(root: Path) -> None:
    for rel in ("index.html", "js/embed-host.js", "js/main.js"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x", encoding="utf-8")
    write_headers(root)


def test_embed_helper_is_served_to_any_origin(tmp_path: Path) -> None:
    _site(tmp_path)
    rule = "/js/embed-host.js\n  Access-Control-Allow-Origin: *\n"
    assert rule in (tmp_path / "_headers").read_text(encoding="utf-8")
    server = make_server(tmp_path, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/js/embed-host.js") as response:
            assert response.headers["Access-Control-Allow-Origin"] == "*"
        with urllib.request.urlopen(f"http://{host}:{port}/js/main.js") as response:
            assert response.headers["Access-Control-Allow-Origin"] is None  # only the helper
    finally:
        server.shutdown()
        server.server_close()


def test_service_worker_saves_the_samples_at_install() -> None:
    lock = {"packages": {
        "kmeanslab": {"file_name": "kmeanslab-0.1.0-py3-none-any.whl", "depends": ["numpy"]},
        "numpy": {"file_name": "numpy-2.0.2.whl", "depends": []},
    }}
    pyodide = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "pyodide.asm.wasmz",
               "python_stdlib.zip",
               "pyodide-lock.json", "kmeanslab-0.1.0-py3-none-any.whl", "numpy-2.0.2.whl",
               "scikit_learn-1.6.1.whl"]
    files = dict.fromkeys([
        "index.html", "data/china.jpg", "data/flower.jpg", "data/digits.npz",
        "data/IMAGES-LICENSE.txt", "img/points.png", *(f"pyodide/{n}" for n in pyodide),
    ], "")
    core = core_files(files, lock)
    assert {"data/china.jpg", "data/flower.jpg", "data/digits.npz"} <= set(core)
    assert "img/points.png" not in core and "pyodide/scikit_learn-1.6.1.whl" not in core
