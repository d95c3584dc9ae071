"""The Points panel at scale: 100,000 generated points, fit in the worker, drawn on canvas."""

from __future__ import annotations

from . import BenchContext, print_table

RUN_JS = """async ([n, k]) => {
    location.hash = '#points';
    while (!window.kmeanslab.panels.points) await new Promise((r) => setTimeout(r, 20));
    const panel = window.kmeanslab.panels.points;
    const set = (name, v) => { panel.el[name].value = String(v); };
    set('kind', 'blobs'); set('n_samples', n); set('centers', k); set('n_clusters', k);
    set('n_init', 1); set('init', 'k-means++');
    const t0 = performance.now();
    await panel.run();
    const t1 = performance.now();
    const d0 = performance.now();
    panel.draw();
    const d1 = performance.now();
    return {total: t1 - t0, python: panel.result.seconds * 1000, draw: d1 - d0,
            n_iter: panel.result.n_iter};
}"""


def run(ctx: BenchContext) -> None:
    rows = []
    for n in (300, 10_000, 100_000):
        r = None
        for _ in range(ctx.repeat):
            r = ctx.page.evaluate(RUN_JS, [n, 8])
        rows.append([n, r["total"], r["python"], r["draw"], r["n_iter"]])
    print_table("Points panel: Run on blobs (k=8), last of the repeats, data already "
                "generated (ms)",
                ["points", "Run to drawn (fit + draw)", "fit in Python",
                 "one redraw", "iterations"], rows)
