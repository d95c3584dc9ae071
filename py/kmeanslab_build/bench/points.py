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


# The default Run (300 points, 4 blobs, k=4, the form's defaults) and Step, split into
# what the user waits for (click to drawn), the worker's Python, the fit itself, and the
# fixed round trip to the worker (an operation that does nothing: "info").
DEFAULT_JS = """async (reps) => {
    location.hash = '#points';
    while (!window.kmeanslab.panels.points) await new Promise((r) => setTimeout(r, 20));
    const panel = window.kmeanslab.panels.points;
    const engine = window.kmeanslab.engine;
    const set = (name, v) => { panel.el[name].value = String(v); };
    set('kind', 'blobs'); set('n_samples', 300); set('centers', 4); set('n_clusters', 4);
    set('method', 'kmeans'); set('init', 'k-means++');
    await panel.run();  // (data generated, worker warm)
    const out = {run: [], run_painted: [], python: [], fit_call: [], fit_records: [],
                 bare_fit: [], roundtrip: [], step: [], step_painted: [], steps_call: [],
                 step_records: [], draw: []};
    // the next frame drawn (a rAF callback runs before the paint; a task after it, after)
    const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const stats = (a) => {
        const s = a.slice().sort((x, y) => x - y);
        return [s[s.length >> 1], s[0], s[s.length - 1]];
    };
    for (let i = 0; i < reps; i++) {
        // a setting changed each time (the seed: the link changes, as when a person
        // tries another), on a page at rest (its last frame drawn)
        set('seed', i % 2);
        await painted();
        let t = performance.now();
        await panel.run();
        out.run.push(performance.now() - t);
        await painted();
        out.run_painted.push(performance.now() - t);
        out.python.push(panel.result.seconds * 1000);
        const args = {points: panel.points.slice(), n_clusters: 4, init: 'k-means++',
                      n_init: 'auto', max_iter: 300, random_state: 0, method: 'kmeans'};
        let n = 0;
        t = performance.now();
        await engine.call('fit', args, {onProgress: () => { n += 1; }});
        out.fit_call.push(performance.now() - t);
        out.fit_records.push(n);
        const init = (await engine.call('init_centers', {points: panel.points.slice(),
            n_clusters: 4, init: 'k-means++', random_state: 0})).centers;
        const b = await engine.call('bench_kmeans', {points: panel.points.slice(), n_features: 2,
            init_centers: init.slice(), impl: 'kmeanslab', repeat: 20});
        out.bare_fit.push(b.mean_ms);
        t = performance.now();
        await engine.call('info', {});
        out.roundtrip.push(performance.now() - t);
        await painted();
        t = performance.now();
        await panel.step();
        out.step.push(performance.now() - t);
        await painted();
        out.step_painted.push(performance.now() - t);
        n = 0;
        t = performance.now();
        await engine.call('steps', {points: panel.points.slice(), init_centers: init.slice(),
                                    max_iter: 300}, {onProgress: () => { n += 1; }});
        out.steps_call.push(performance.now() - t);
        out.step_records.push(n);
        t = performance.now();
        panel.draw();
        out.draw.push(performance.now() - t);
    }
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, stats(v)]));
}"""


def default_run(ctx: BenchContext) -> None:
    """The default Run and Step on 300 points: how much the page and its Python add
    over the fit itself (issue 12)."""
    r = ctx.page.evaluate(DEFAULT_JS, max(ctx.repeat, 5))
    names = {
        "run": "Run, click to drawn (panel.run)",
        "run_painted": "Run, click to the next frame painted",
        "python": "Python time the panel reports (fit op, records included)",
        "fit_call": "fit operation, round trip from the page (records posted)",
        "bare_fit": "KMeans.fit alone in the worker (mean of 20, same data and start)",
        "roundtrip": "a round trip to the worker doing nothing (info)",
        "draw": "one redraw",
        "step": "Step, click to steps ready (panel.step)",
        "step_painted": "Step, click to the next frame painted",
        "steps_call": "steps operation, round trip from the page (records posted)",
    }
    rows = [[label, *(f"{v:.2f}" for v in r[key])] for key, label in names.items()]
    rows.append(["progress records per fit / per steps call",
                 f"{r['fit_records'][0]:.0f}", "", f"{r['step_records'][0]:.0f}"])
    print_table("Points panel, default data (300 points, 4 blobs, k=4): ms, median / min / "
                "max over the repeats", ["what", "median", "min", "max"], rows)


def run(ctx: BenchContext) -> None:
    default_run(ctx)
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
