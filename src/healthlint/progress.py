"""Progress on a terminal: ``healthlint: 412/1533 files`` on stderr while a long run goes on.

Shown only when stderr is a terminal, outside CI (``CI`` unset) and with ``TERM`` not ``dumb``,
and only once the run has taken :data:`DELAY` seconds, so short runs, piped output and CI logs
never see it. The line is redrawn in place and erased at the end.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Mapping, Optional, TextIO

DELAY = 2.0  # seconds before the first progress line
INTERVAL = 0.1  # seconds between redraws


class Progress:
    """A progress line on ``stream``; a no-op when ``stream`` is None."""

    def __init__(self, stream: Optional[TextIO]) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = False

    @classmethod
    def for_stderr(cls, env: Mapping[str, str]) -> "Progress":
        """Progress on stderr when it is an interactive terminal outside CI, else a no-op."""
        stream: Any = sys.stderr
        interactive = getattr(stream, "isatty", lambda: False)()
        if not interactive or env.get("CI") or env.get("TERM") == "dumb":
            return cls(None)
        return cls(stream)

    def update(self, done: int, total: int) -> None:
        """Report ``done`` files of ``total`` (redrawn at most every :data:`INTERVAL` seconds)."""
        if self.stream is None or done >= total:
            return
        now = time.monotonic()
        if now - self.start < DELAY or now - self.last < INTERVAL:
            return
        self.last = now
        self.shown = True
        self.stream.write(f"\rhealthlint: {done}/{total} files")
        self.stream.flush()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.stream is not None and self.shown:
            self.stream.write("\r\x1b[K")  # erase the line
            self.stream.flush()
