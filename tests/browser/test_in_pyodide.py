"""The package's native test suite passes inside Pyodide 0.27.7 in headless Chromium.

Pyodide is wasm32 (``np.intp`` is int32, one thread, no BLAS): code that passes natively
can fail there. The harness page (``pyodide_harness/``) loads the dist's Pyodide with
numpy, scipy, scikit-learn, pillow and the built kmeanslab wheel, unpacks the pytest
wheels, writes tests/test_*.py into Pyodide's file system and runs ``pytest.main`` there.
What is left out, and why, is listed in ``pyodide_suite.py``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from pyodide_suite import SuiteError, make_web_root

pytestmark = pytest.mark.browser

#: The whole suite takes a few minutes inside Pyodide; allow for a slow machine.
RUN_TIMEOUT_MS = 15 * 60_000
TAIL_CHARS = 6_000
SUMMARY = re.compile(r"^=*\s*(?:\d+ \w+|no tests ran).* in [\d.]+s.*$", re.MULTILINE)


@pytest.fixture(scope="session")
def suite_url(dist_dir: Path, tmp_path_factory) -> Iterator[str]:
    """Serve a web root with the dist's pyodide/, the harness page and the suite."""
    from kmeanslab_build.serve import make_server

    try:
        root = make_web_root(tmp_path_factory.mktemp("pyodide-suite"), dist_dir)
    except SuiteError as exc:
        pytest.fail(str(exc), pytrace=False)
    server = make_server(root, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}/harness/index.html"
    server.shutdown()
    server.server_close()


def summary_line(output: str) -> str:
    """Return pytest's final summary line (e.g. ``226 passed in 170.1s``), else ''."""
    lines = SUMMARY.findall(output)
    return lines[-1].strip("= ") if lines else ""


def test_native_suite_passes_inside_pyodide(page, suite_url, capsys):
    page.goto(suite_url)
    try:
        expect(page.locator("html")).to_have_attribute(
            "data-state", re.compile("done|error"), timeout=RUN_TIMEOUT_MS
        )
    except (AssertionError, PlaywrightError) as exc:
        partial = page.locator("#log").text_content() or ""
        pytest.fail(
            f"The suite did not finish inside Pyodide in {RUN_TIMEOUT_MS // 1000} s: {exc}\n"
            f"pytest output so far (tail):\n{partial[-TAIL_CHARS:]}",
            pytrace=False,
        )
    result = page.evaluate("window.result")
    output = result["output"]
    summary = summary_line(output) or "(no pytest summary line)"
    with capsys.disabled():
        print(f"\n[inside Pyodide] {summary}")
    assert result["exit_code"] == 0, (
        f"The native tests failed inside Pyodide 0.27.7 (pytest exit code "
        f"{result['exit_code']}): {summary}\n"
        f"--- output (tail) ---\n{output[-TAIL_CHARS:]}"
    )
