"""``python build.py figures``: the README's benchmark figures, drawn from the bench's JSON.

The figures are never drawn by hand (issue 14): ``python build.py bench scaling`` writes
its raw results as JSON and this module draws them with matplotlib (Agg backend, natively)
into ``site/img/bench-scaling.png`` and ``.svg``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .bench.scaling import DEFAULT_JSON, LARGE_N, loglog_slope

#: Pixel size of the PNG (figsize inches x DPI): wide enough for two panels side by side.
FIGSIZE = (10.0, 4.2)
DPI = 100
IMPL_STYLE = {  # colour-blind-safe Okabe-Ito colours, one marker per implementation
    "kmeanslab": ("#0072B2", "o", "kmeanslab"),
    "sklearn": ("#E69F00", "s", "scikit-learn (lloyd)"),
    "plain": ("#009E73", "^", "plain NumPy Lloyd loop"),
}
PLACES = (("native", "natively (CPython, one thread)"),
          ("page", "in the page (Pyodide, wasm32)"))


def load(source: Path) -> dict[str, Any]:
    """The scaling JSON at ``source``; FileNotFoundError names the command that writes it,
    ValueError says what is wrong with a file that is not the scaling suite's output."""
    if not source.is_file():
        raise FileNotFoundError(
            f"no benchmark results at {source}: run `python build.py bench scaling` first "
            f"(or pass --from PATH to a JSON it wrote)")
    data = json.loads(source.read_text())
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ValueError(f"{source} is not the output of `python build.py bench scaling`: "
                         f"expected an object with a 'results' list")
    return data


def draw_scaling(data: dict[str, Any], out_dir: Path) -> list[Path]:
    """Draw time per iteration against n, log-log, one panel per place and one line per
    implementation, into ``out_dir/bench-scaling.png`` and ``.svg``; returns the paths."""
    import matplotlib

    matplotlib.use("Agg")
    # fixed SVG element ids (random by default), so the same JSON redraws the same file
    matplotlib.rcParams["svg.hashsalt"] = "kmeanslab-figures"
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=FIGSIZE, dpi=DPI, sharey=True)
    results = data["results"]
    for ax, (place, title) in zip(axes, PLACES, strict=True):
        for impl, (colour, marker, label) in IMPL_STYLE.items():
            rows = sorted((r for r in results if r["place"] == place and r["impl"] == impl),
                          key=lambda r: r["n"])
            if not rows:
                continue
            n = [r["n"] for r in rows]
            per_iter = [r["ms"] / max(r["n_iter"], 1) for r in rows]
            big = [(x, y) for x, y in zip(n, per_iter, strict=True) if x >= LARGE_N]
            if len({x for x, _ in big}) >= 2:
                label = f"{label} (slope {loglog_slope(*zip(*big, strict=True)):.2f})"
            ax.loglog(n, per_iter, marker=marker, color=colour, label=label)
        anchor = max((r for r in results if r["place"] == place), default=None,
                     key=lambda r: (r["impl"] == "kmeanslab", r["n"]))
        if anchor is not None:  # slope-1 guide through kmeanslab's largest n: one pass
            # over the data per iteration, the cost the issue asks the lines to keep
            ns = sorted({r["n"] for r in results if r["place"] == place})
            y = anchor["ms"] / max(anchor["n_iter"], 1) / anchor["n"]
            ax.loglog([ns[0], ns[-1]], [y * ns[0], y * ns[-1]], ":", color="0.5",
                      label="linear (slope 1)")
        ax.set_title(title)
        ax.set_xlabel(f"number of points n (2-d, k={data.get('k', 8)})")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    axes[0].set_ylabel("ms per Lloyd iteration (median fit / iterations)")
    fig.text(0.5, 0.01, f"slopes: log-log fit over n >= {LARGE_N:,}, where per-call costs "
             "no longer dominate; shared 2-core machine", ha="center", fontsize=8, color="0.3")
    fig.suptitle(f"k-means cost against n: same initial centers, n_init=1 "
                 f"(median of {data.get('repeat', '?')} alternating runs, "
                 f"{data.get('when', '')[:10]})", fontsize=11)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "bench-scaling.png", out_dir / "bench-scaling.svg"]
    for path in paths:
        # metadata without the date, so redrawing the same JSON gives the same file
        fig.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
    plt.close(fig)
    return paths


def main(source: Path | None, out_dir: Path) -> int:
    """Entry point of ``python build.py figures``; exit code 2 when there is nothing to draw."""
    try:
        data = load(source or DEFAULT_JSON)
    except (FileNotFoundError, ValueError) as exc:
        print(f"build.py figures: {exc}", file=sys.stderr)
        return 2
    for path in draw_scaling(data, out_dir):
        print(f"wrote {path}")
    return 0
