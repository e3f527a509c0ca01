"""Errors that stop a run with exit code 2 (usage, configuration, rule packs)."""

from __future__ import annotations

from typing import List, Optional


class HealthlintError(Exception):
    """A usage or configuration problem, reported as ``file:line:column: message``.

    Attributes:
        file: the file at fault (None for command-line problems).
        line, column: 1-based position in ``file`` (0 when unknown).
        key: the configuration key at fault, if any.
    """

    def __init__(self, message: str, file: Optional[str] = None, line: int = 0, column: int = 0, key: str = ""):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.key = key

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
                if self.column:
                    where += f":{self.column}"
            where += ": "
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{self.message}"


class HealthlintErrors(HealthlintError):
    """Several problems found at once (all are reported, then the run stops)."""

    def __init__(self, errors: List[HealthlintError]):
        flat: List[HealthlintError] = []
        for e in errors:
            flat += e.errors if isinstance(e, HealthlintErrors) else [e]
        # In file order, so a reader can walk through the file top to bottom.
        flat.sort(key=lambda e: (e.file or "", e.line, e.column))
        super().__init__("; ".join(str(e) for e in flat))
        self.errors = flat

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
