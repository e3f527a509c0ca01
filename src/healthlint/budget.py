"""A time budget for one rule on one file.

A rule that runs longer than the configuration's ``rule-timeout`` on a file is stopped: the
engine reports ``healthlint.rule-timeout`` for that file and goes on with the other rules and
files. Patterns that could run for ever are refused when they load
(:mod:`healthlint.regexsafety`); the budget catches what is merely slow.

How: a timer on the process's CPU time (``ITIMER_VIRTUAL``, :func:`signal.setitimer`), so a
busy machine does not eat a rule's budget, whose ``SIGVTALRM`` handler raises
:class:`RuleTimeout` in the rule's code. Python checks for signals between bytecodes and, in
``re``, every few thousand steps of a match, so a rule stuck in a regular expression stops
too (checked on CPython 3.6 to 3.13: a timer stops ``re.match(r"(a+)+$", "a" * 27 + "b")``
within the time given). Reading the post's Markdown, which the first rule to need it triggers
and every rule shares, runs with the timer paused (:func:`paused`).

Where it does nothing: on Windows (no such timers) and outside the main thread of a process
(signal handlers can only be set there). A process pool of forked workers runs each file in
a worker's main thread, so the budget holds there.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator

_TIMER = getattr(signal, "ITIMER_VIRTUAL", None)
_SIGNAL = getattr(signal, "SIGVTALRM", None)


class RuleTimeout(Exception):
    """Raised in a rule's code when its time budget for the file runs out."""


def available() -> bool:
    """True when :func:`time_limit` can stop code here (a POSIX system, the main thread)."""
    return _TIMER is not None and _SIGNAL is not None and hasattr(signal, "setitimer") and (
        threading.current_thread() is threading.main_thread())


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`RuleTimeout` in the ``with`` body once it has used ``seconds`` of CPU time.

    ``0`` (or less) means no limit; where timers are not available the body runs unlimited.
    An enclosing limit is paused while this one runs and goes on afterwards.
    """
    if seconds <= 0 or not available():
        yield
        return

    def on_timer(signum: int, frame: Any) -> None:
        raise RuleTimeout()

    previous_handler = signal.signal(_SIGNAL, on_timer)
    outer_left, _interval = signal.setitimer(_TIMER, seconds)
    try:
        yield
    finally:
        signal.setitimer(_TIMER, 0)
        signal.signal(_SIGNAL, previous_handler)
        if outer_left > 0:
            signal.setitimer(_TIMER, outer_left)


class RuleBudgets:
    """:func:`time_limit` for a series of rules on one file, the signal handler installed once.

    ``with RuleBudgets(seconds) as budgets:`` then ``budgets.start()`` / ``budgets.stop()`` around
    each rule: re-arming the timer costs a system call, where a :func:`time_limit` per rule
    installs and removes a handler each time (a few percent of a whole run).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.on = seconds > 0 and available()
        self._previous: Any = None
        self._outer_left = 0.0
        self._running = False

    def __enter__(self) -> "RuleBudgets":
        if self.on:
            def on_timer(signum: int, frame: Any) -> None:
                if self._running:  # a signal that lands after stop() began is ignored
                    raise RuleTimeout()

            self._outer_left, _interval = signal.setitimer(_TIMER, 0)
            self._previous = signal.signal(_SIGNAL, on_timer)
        return self

    def start(self) -> None:
        """Give the next rule its full budget."""
        if self.on:
            self._running = True
            signal.setitimer(_TIMER, self.seconds)

    def stop(self) -> None:
        """Stop the clock (the rule finished or was stopped)."""
        if self.on:
            self._running = False
            signal.setitimer(_TIMER, 0)

    def __exit__(self, *exc: Any) -> None:
        if self.on:
            signal.setitimer(_TIMER, 0)
            signal.signal(_SIGNAL, self._previous)
            if self._outer_left > 0:
                signal.setitimer(_TIMER, self._outer_left)


@contextmanager
def paused() -> Iterator[None]:
    """Run the ``with`` body outside any :func:`time_limit` (work every rule shares)."""
    if not available():
        yield
        return
    left, _interval = signal.setitimer(_TIMER, 0)
    try:
        yield
    finally:
        if left > 0:
            signal.setitimer(_TIMER, left)
