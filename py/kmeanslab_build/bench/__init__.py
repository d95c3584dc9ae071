"""``python build.py bench``: the same workloads natively and in the built page.

Each suite is a module of this package with ``run(ctx)``; it times its workloads
natively (this process) and in headless Chromium through the page's own engine
(``ctx.page_call``), and prints tables with ratios against a baseline measured in
the same run, since these machines are shared and noisy.
"""

from __future__ import annotations

import importlib
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

SUITES = ("kmeans", "points", "image", "digits", "startup", "sipu")


def median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``fn()`` in ms over ``repeat`` runs, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A Markdown table, so the output pastes into an issue note as it is."""
    cells = [[str(h) for h in headers]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    print(f"\n### {title}\n")
    for n, row in enumerate(cells):
        padded = (c.rjust(w) if n else c.ljust(w) for c, w in zip(row, widths, strict=True))
        print("| " + " | ".join(padded) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def _fmt(value: Any) -> str:
    # (a JS number that happens to be whole arrives as an int: same look as a float)
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


class BenchContext:
    """What a suite gets: the repeat count and a ready page to run operations in."""

    def __init__(self, page: Any, repeat: int, dist: Any = None) -> None:
        self.page = page
        self.repeat = repeat
        self.dist = dist  # the built dist/ (suites that serve it themselves, e.g. startup)

    def page_call(self, op: str, args: dict[str, Any] | None = None,
                  timeout_ms: float = 600_000) -> Any:
        """Run ``kmeanslab.app.<op>(**args)`` in the page's worker; returns its result.

        Arrays in ``args`` are sent as lists and become Float64Arrays unless named in
        ``args['__typed__']`` as {name: 'Uint8Array' | 'Float32Array' | ...}.
        """
        self.page.set_default_timeout(timeout_ms)
        return self.page.evaluate(
            """async ([op, args]) => {
                const typed = args.__typed__ || {};
                delete args.__typed__;
                for (const [k, v] of Object.entries(args)) {
                    if (Array.isArray(v)) args[k] = new (self[typed[k] || 'Float64Array'])(v);
                }
                const r = await window.kmeanslab.engine.call(op, args);
                const plain = (x) => ArrayBuffer.isView(x) ? Array.from(x)
                    : (x && typeof x === 'object') ? Object.fromEntries(
                        Object.entries(x).map(([k, v]) => [k, plain(v)])) : x;
                return plain(r);
            }""",
            [op, args or {}],
        )

    def load_packages(self, packages: Sequence[str]) -> float:
        """Load extra Pyodide packages in the page's worker; returns the time in ms."""
        return self.page.evaluate(
            "async (p) => (await window.kmeanslab.engine.loadPackages(p)).ms", list(packages)
        )


def run(suites: Sequence[str], repeat: int, open_page: Callable[[], Any],
        dist: Any = None) -> None:
    """Run the named suites; ``open_page()`` yields a ready page (a context manager)."""
    with open_page() as page:
        print(f"Pyodide start-up in the page's worker (ms): "
              f"{page.evaluate('window.kmeanslab.engine.timings')}")
        ctx = BenchContext(page, repeat, dist)
        for name in suites:
            try:
                module = importlib.import_module(f"{__name__}.{name}")
            except ModuleNotFoundError:
                print(f"\n## {name}: no such suite yet")
                continue
            print(f"\n## {name}")
            module.run(ctx)
