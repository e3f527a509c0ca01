"""``--format text`` (the default on a terminal): one line per finding, then a summary.

``path:line:column: severity rule-id message``, with the suggestion on the
next line, indented. Colour only when writing to a terminal (and never
with ``NO_COLOR`` set).
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import click

from ..diagnostic import Diagnostic
from .base import Formatter, RenderContext

_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}


class TextFormatter(Formatter):
    name = "text"

    def render(self, diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:
        lines = []
        for d in diagnostics:
            sev = click.style(d.severity, fg=_COLORS.get(d.severity), bold=True) if ctx.color else d.severity
            rule = click.style(d.rule, dim=True) if ctx.color else d.rule
            where = f"{d.path}:{d.line}:{d.column}:"
            if ctx.color:
                where = click.style(where, bold=True)
            lines.append(f"{where} {sev} {rule} {d.message}")
            if d.suggestion:
                lines.append(f"    suggestion: {d.suggestion}")
        lines.append(summary(diagnostics, ctx.files, ctx.paths))
        return "\n".join(lines) + "\n"


def summary(diagnostics: Sequence[Diagnostic], files: int, paths: Sequence[str] = ()) -> str:
    """The last line of a run: ``Found 4 problems (2 errors, 2 info) in 3 files.``

    ``files`` counts the files checked; when ``paths`` (the files checked, as displayed) is given
    and findings sit in other files (posts that link to a post this change renamed or deleted),
    the line says how many.
    """
    noun = "file" if files == 1 else "files"
    if not diagnostics:
        return f"No problems found in {files} {noun}."
    counts = Counter(d.severity for d in diagnostics)
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in ("error", "warning", "info") if counts[s]]
    total = len(diagnostics)
    line = f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}) in {files} {noun}"
    checked = set(paths)
    others = len({d.path for d in diagnostics if d.path not in checked and not d.rule.startswith("healthlint.")}) \
        if paths else 0
    if others:
        line += (f", and in {others} other {'file' if others == 1 else 'files'} that "
                 f"{'links' if others == 1 else 'link'} to a renamed or deleted post")
    return line + "."
