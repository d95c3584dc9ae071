"""Names, paths and fixed values of the build, in one place."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

#: The repository root (this file is py/kmeanslab_build/constants.py).
REPO_ROOT = Path(__file__).resolve().parents[2]
SITE_DIR = REPO_ROOT / "site"
PY_DIR = REPO_ROOT / "py"
PACKAGE_DIR = PY_DIR / "kmeanslab"
PACKAGE_INIT = PACKAGE_DIR / "__init__.py"
#: The package's metadata (name, summary, Python and runtime requirements) is read from
#: here, and its version from ``__version__`` in PACKAGE_INIT, which pyproject.toml declares
#: dynamic: one place each, for ``pip install`` and for the wheel the build makes.
PYPROJECT = REPO_ROOT / "pyproject.toml"
BUILD_SCRIPT = REPO_ROOT / "build.py"
DEFAULT_OUT = REPO_ROOT / "dist"

#: Environment variables.
ENV_CACHE = "KMEANSLAB_CACHE"
ENV_CHROMIUM = "KMEANSLAB_CHROMIUM"
#: Lets parallel work build and test its own output folder (tests/browser honours it too).
ENV_DIST = "KMEANSLAB_DIST"

#: Cache: <user cache>/kmeans-lab/files/<sha256>/<file name>.
CACHE_APP_DIR = "kmeans-lab"
CACHE_FILES_DIR = "files"
CACHE_ORIGIN_NAME = "origin.txt"

#: dist/ layout (all URLs relative to dist/).
DIST_PYODIDE_DIR = "pyodide"
DIST_DATA_DIR = "data"
DIST_LOCK_NAME = "pyodide-lock.json"
DIST_SUMS_NAME = "SHA256SUMS"
DIST_INFO_NAME = "build-info.json"

#: Hosting, offline use and embedding (written or stamped by the build).
SW_NAME = "sw.js"
SW_PLACEHOLDER = "const BUILD = null; // @build-manifest: replaced by py/kmeanslab_build/offline.py"
HEADERS_NAME = "_headers"
INDEX_NAME = "index.html"
EMBED_NAME = "embed.html"
#: The page's Content-Security-Policy: its own origin only. WebAssembly needs
#: 'wasm-unsafe-eval'; images the visitor opens are blob: URLs. Also in index.html's <meta>
#: (where frame-ancestors cannot be set) and in dist/_headers for hosts that read it.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; "
    "connect-src 'self' blob: data:; img-src 'self' blob: data:; style-src 'self'; "
    "font-src 'self'; media-src 'self' blob: data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; manifest-src 'self'"
)

#: The kmeanslab wheel and its lock entry (the rest of its metadata: sources.project_metadata).
KMEANSLAB_NAME = "kmeanslab"
WHEEL_GENERATOR = "kmeanslab_build"
WHEEL_TAG = "py3-none-any"
#: Zip entries get this timestamp so that the wheel is byte-for-byte reproducible.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
#: Files and folders never copied from py/kmeanslab into the wheel, nor watched for staleness.
IGNORED_NAMES = frozenset({"__pycache__", ".pytest_cache", ".ruff_cache", ".DS_Store"})
IGNORED_SUFFIXES = (".pyc", ".pyo", ".swp", "~")

#: Data taken from the scikit-learn wheel.
SK_DIGITS_MEMBER = "sklearn/datasets/data/digits.csv.gz"
SK_IMAGE_MEMBERS = MappingProxyType(
    {
        "china.jpg": "sklearn/datasets/images/china.jpg",
        "flower.jpg": "sklearn/datasets/images/flower.jpg",
        "IMAGES-LICENSE.txt": "sklearn/datasets/images/README.txt",
    }
)
DIGITS_NPZ_NAME = "digits.npz"
DIGITS_WHEEL_PATH = "kmeanslab/data/digits.npz"
DIGITS_SHAPE = (1797, 64)
DIGITS_MAX_VALUE = 16

#: serve
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MIME_TYPES = MappingProxyType(
    {
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
        ".webmanifest": "application/manifest+json",
        ".whl": "application/octet-stream",
        ".zip": "application/octet-stream",
        ".npz": "application/octet-stream",
        ".html": "text/html",
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".txt": "text/plain",
        ".map": "application/json",
        "": "application/octet-stream",
    }
)

#: test
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
TEST_EXTRA = "test"
