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
    cancel_latency(ctx)
    print_table("Points panel: Run on blobs (k=8), last of the repeats, data already "
                "generated (ms)",
                ["points", "Run to drawn (fit + draw)", "fit in Python",
                 "one redraw", "iterations"], rows)


CANCEL_JS = """async () => {
    const engine = window.kmeanslab.engine;
    const panel = window.kmeanslab.panels.points;
    const job = new AbortController();
    let first = null;
    const started = new Promise((resolve) => { first = resolve; });
    const t = {};
    const call = engine.call('fit', {points: panel.points.slice(), n_clusters: 8, n_init: 50,
        init: 'random', random_state: 1}, {signal: job.signal, onProgress: () => first()});
    call.catch(() => { t.end = performance.now(); });
    await started;
    t.start = performance.now();
    job.abort();
    await call.catch(() => {});
    return t.end - t.start;
}"""


def cancel_latency(ctx: BenchContext) -> None:
    """Time from Cancel to the worker's answer, during a 100k-point fit."""
    ms = [ctx.page.evaluate(CANCEL_JS) for _ in range(ctx.repeat)]
    print(f"\nCancel during a 100,000-point fit answered in {', '.join(f'{m:.0f}' for m in ms)} ms")
