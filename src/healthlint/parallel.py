"""Linting files in worker processes (``healthlint check --jobs N``).

Files are independent once the content index is built: the parent process reads every file,
builds each repository's index once, then hands the files to a process pool. Workers started
with ``fork`` (Linux) inherit the parent's :class:`~healthlint.engine.Linter` (packs compiled,
indexes built); workers started with ``spawn`` (macOS, Windows) build their own from the run's
settings, so each builds the indexes it needs. Results are put back in the order the files were
listed, so the output never depends on the number of jobs or on which worker finished first.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from typing import TYPE_CHECKING, Any, Iterator, List, Optional, Sequence, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Linter

# Fewer items than this are handled in the calling process: starting workers costs more.
MIN_FILES_FOR_POOL = 8

_linter: Optional["Linter"] = None  # the worker's Linter


def default_jobs() -> int:
    """The number of cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except (AttributeError, OSError):  # pragma: no cover (macOS, Windows)
        return max(1, os.cpu_count() or 1)


def _start_method() -> str:
    methods = multiprocessing.get_all_start_methods()
    # fork is unsafe on macOS (system frameworks), and absent on Windows
    return "fork" if "fork" in methods and sys.platform != "darwin" else "spawn"


def _init_spawned(spec: tuple) -> None:  # pragma: no cover (runs in spawned workers)
    global _linter
    from .config import load_config
    from .engine import Linter

    config_file, select, ignore, extend_select, extra_packs = spec
    _linter = Linter(load_config(config_file), select=select, ignore=ignore, extend_select=extend_select,
                     extra_packs=extra_packs)


def _work(item: Tuple[int, str, tuple]) -> Tuple[int, Any]:
    position, method, args = item
    assert _linter is not None
    return position, getattr(_linter, method)(*args)


def run_tasks(linter: "Linter", method: str, items: Sequence[tuple], jobs: int,
              weights: Optional[Sequence[int]] = None) -> Iterator[Tuple[int, Any]]:
    """``(position, linter.method(*item))`` for every item, as they finish (in any order).

    ``jobs`` above 1 uses a process pool of that many workers when there are enough items;
    ``weights`` (e.g. file sizes) start the heaviest items first, so no worker is left with a
    long file at the end. Results must be picklable.
    """
    global _linter
    work: List[Tuple[int, str, tuple]] = [(n, method, tuple(item)) for n, item in enumerate(items)]
    if jobs <= 1 or len(work) < MIN_FILES_FOR_POOL:
        for n, _method, args in work:
            yield n, getattr(linter, method)(*args)
        return
    if weights is not None:
        work.sort(key=lambda w: -weights[w[0]])
    start = _start_method()
    context = multiprocessing.get_context(start)
    workers = min(jobs, len(work))
    if start == "fork":
        _linter = linter
        pool = context.Pool(workers)
    else:  # pragma: no cover (macOS, Windows)
        pool = context.Pool(workers, initializer=_init_spawned, initargs=(linter.spec,))
    try:
        yield from pool.imap_unordered(_work, work, chunksize=2)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _linter = None
