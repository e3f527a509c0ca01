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
from typing import TYPE_CHECKING, Iterator, List, Optional, Sequence, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from .diagnostic import Diagnostic
    from .engine import Linter, Task

# Fewer files than this are linted in the calling process: starting workers costs more.
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


def _work(item: Tuple[int, str, bytes, bool]) -> Tuple[int, List["Diagnostic"], List["Diagnostic"]]:
    position, display, data, local = item
    assert _linter is not None
    found_local, found_cross = _linter.lint_bytes(display, data, local=local)
    return position, found_local, found_cross


def lint_tasks(linter: "Linter", tasks: Sequence["Task"], jobs: int
               ) -> Iterator[Tuple["Task", List["Diagnostic"], List["Diagnostic"]]]:
    """``(task, local, cross_file)`` for every task, as they finish (in any order).

    A task whose ``local`` part the cache still holds is checked with the cross-file rules only.
    ``jobs`` above 1 uses a process pool of that many workers when there are enough files.
    """
    global _linter
    items = [(n, t.display, t.data, t.local is None) for n, t in enumerate(tasks)]
    if jobs <= 1 or len(items) < MIN_FILES_FOR_POOL:
        for n, display, data, local in items:
            found_local, found_cross = linter.lint_bytes(display, data, local=local)
            yield tasks[n], found_local, found_cross
        return
    # the biggest files first, so that no worker is left with a long file at the end
    items.sort(key=lambda item: -len(item[2]))
    method = _start_method()
    context = multiprocessing.get_context(method)
    workers = min(jobs, len(items))
    if method == "fork":
        _linter = linter
        pool = context.Pool(workers)
    else:  # pragma: no cover (macOS, Windows)
        pool = context.Pool(workers, initializer=_init_spawned, initargs=(linter.spec,))
    try:
        for n, found_local, found_cross in pool.imap_unordered(_work, items, chunksize=2):
            yield tasks[n], found_local, found_cross
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _linter = None
