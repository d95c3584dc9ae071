"""Where every restart of the Points panel starts: the page's one definition of the
initial centers for a seed, and the restart Run keeps, shared by Run, Step by step, the
restarts table, Compare with scikit-learn and the exported code (issue 11: one truth per
setting). Helpers of the operations in :mod:`.points` and :mod:`.analysis`, not
operations themselves."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any

import numpy as np

from ..cluster import KMeans
from ..cluster._repeated_rows import _deduplicate
from ..cluster._seeding import _INIT_METHODS
from ..utils.validation import check_random_state

Record = dict[str, Any]

#: Least time (s) between two progress records of a fit. A record costs more than a
#: small fit's iteration: a conversion to JS, a message to the page, a turn of the
#: worker's event loop and the page's status line redrawn (traced in the page: the
#: default Run's three records doubled its worker time). Cancel is seen between records,
#: so it waits at most this plus one iteration (the guarantee is 200 ms).
RECORD_EVERY = 0.01


def _centers(buffer: Any, n_features: int) -> np.ndarray:
    """Hand-placed centers: a flat buffer of n_clusters * n_features float64 values."""
    flat = np.frombuffer(buffer, dtype=np.float64)
    if n_features < 1 or flat.size % n_features:
        raise ValueError(
            f"init_centers has {flat.size} values, not a multiple of n_features={n_features}."
        )
    return flat.reshape(-1, n_features).astype(np.float64)


def restart_inits(
    X: np.ndarray, n_clusters: int, init: str, n_init: int, random_state: int
) -> list[np.ndarray]:
    """The initial centers of every restart (:func:`iter_restart_inits`), as a list."""
    return list(iter_restart_inits(X, n_clusters, init, n_init, random_state))


def iter_restart_inits(
    X: np.ndarray, n_clusters: int, init: str, n_init: int, random_state: int
) -> Iterator[np.ndarray]:
    """The initial centers of every restart: the page's one definition, used by Run,
    Step by step, the restarts table, Compare with scikit-learn and the exported code.

    "random": restart ``r`` takes the ``r``-th ``RandomState(seed).permutation(n)[:k]``
    drawn in turn, so restart 1 is the chapter's ``find_clusters(X, k, rseed=seed)``.
    "k-means++": the seeding :class:`KMeans` itself does with ``random_state=seed``
    (greedy k-means++ on the distinct rows, weighted by their counts), restart by restart.

    Yields ``n_init`` float64 arrays of shape (n_clusters, n_features), each seeded only
    when asked for (a fit between two seedings can report progress and be cancelled).
    Raises ValueError (when first asked) for k outside [1, n_samples] or an unknown init.
    """
    n, k = X.shape[0], int(n_clusters)
    if not 1 <= k <= n:
        raise ValueError(f"n_clusters={k} should be from 1 to the number of points, {n}.")
    seed = int(random_state)
    if init == "random":
        rs = np.random.RandomState(seed)
        for _ in range(int(n_init)):
            yield X[rs.permutation(n)[:k]].astype(np.float64)
        return
    if init != "k-means++":
        raise ValueError(
            f"init={init!r} is not a seeding method; expected 'k-means++' or 'random'."
        )
    rng = check_random_state(seed)
    w = np.ones(n, dtype=X.dtype)
    dedup = _deduplicate(X, w, k)  # KMeans seeds the distinct rows, weighted
    Xs, ws = (X, w) if dedup is None else dedup[:2]
    for _ in range(int(n_init)):
        yield np.asarray(_INIT_METHODS["k-means++"](Xs, k, ws, rng), dtype=np.float64)


class _Replay:
    """An ``init`` callable for :class:`KMeans` that hands out given starts in turn (from
    an iterator, drawn when KMeans asks), so that KMeans' own restart loop (best run
    kept, polished once) runs from them; ``given`` keeps what it handed out."""

    def __init__(self, starts: Iterator[np.ndarray]):
        self.starts = starts
        self.given: list[np.ndarray] = []

    def __call__(self, X, n_clusters, random_state=None):
        self.given.append(next(self.starts))
        return self.given[-1].astype(X.dtype)


def kept_start(
    X: np.ndarray, n_clusters: int, init: str, init_centers: Any, n_init: int,
    random_state: int, max_iter: int = 300, tol: float = 1e-4, n_features: int = 2,
) -> Generator[Record, None, tuple[np.ndarray, int, np.ndarray | None]]:
    """The start of the restart Run keeps: ``(centers, best_init, inertia_per_init)``
    (None without restarts); with several restarts they are fitted, yielding
    ``{"phase": "restarts", ...}`` records."""
    if init_centers is not None:
        return _centers(init_centers, n_features).astype(np.float64), 0, None
    if int(n_init) == 1:
        return restart_inits(X, n_clusters, init, 1, random_state)[0], 0, None
    model, start_of = yield from kept_run(X, n_clusters, init, None, n_init, random_state,
                                          max_iter, tol, {"phase": "restarts"})
    best = int(model.best_init_)
    return start_of(best), best, model.inertia_per_init_


def kept_run(
    X: np.ndarray, n_clusters: int, init: str, init_centers: Any, n_init: int,
    random_state: int, max_iter: int = 300, tol: float = 1e-4, tag: Record | None = None,
    n_features: int = 2,
) -> Generator[Record, None, tuple[KMeans, Callable[[int], np.ndarray]]]:
    """Lloyd's k-means from each start of :func:`iter_restart_inits` (or from
    ``init_centers``), as Run does; yields KMeans' progress records (plus ``tag``; only
    some of them, :func:`paced`) and
    returns the fitted model (``best_init_``: the kept restart) and ``start_of(r)``,
    restart r's initial centers.

    k-means++ is KMeans' own seeding with ``random_state`` (what :func:`restart_inits`
    repeats: the start of a restart is recomputed only when asked for); "random" hands
    KMeans the chapter's picks, one per restart as it asks.
    """
    k = int(n_clusters)
    common = dict(n_clusters=k, max_iter=int(max_iter), tol=float(tol))
    if init_centers is not None:
        C = _centers(init_centers, n_features).astype(np.float64)
        model = KMeans(init=C.copy(), n_init=1, **common)

        def start_of(r: int) -> np.ndarray:
            return C.copy()
    elif init == "k-means++":
        model = KMeans(init="k-means++", n_init=int(n_init), random_state=int(random_state),
                       **common)

        def start_of(r: int) -> np.ndarray:
            return restart_inits(X, k, init, r + 1, random_state)[r]
    else:
        if not 1 <= k <= X.shape[0]:  # said before any work starts
            restart_inits(X, k, init, 0, random_state)
        replay = _Replay(iter_restart_inits(X, k, init, int(n_init), random_state))
        model = KMeans(init=replay, n_init=int(n_init), **common)

        def start_of(r: int) -> np.ndarray:
            return replay.given[r].copy()
    yield from paced(model.fit_steps(X), tag)
    return model, start_of


def paced(records: Iterable[Record], tag: Record | None = None,
          every: float | None = None) -> Iterator[Record]:
    """The progress records of a fit worth sending (each with ``tag``): the first of each
    restart after the first (the page shows "run r of n"), and any other once ``every``
    seconds (:data:`RECORD_EVERY`) have passed since the last one sent or the start.
    A fit shorter than that sends none; the others are consumed, not sent."""
    every = RECORD_EVERY if every is None else every
    last = time.perf_counter()
    run = 0
    for record in records:
        now = time.perf_counter()
        if record.get("run", 0) != run or now - last >= every:
            run = record.get("run", 0)
            last = now
            yield {**(tag or {}), **record}
