"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message``
(``warning`` and ``notice`` for the other severities). Escaping follows
``actions/toolkit``: in the message ``%``, CR and LF; in properties also
``:`` and ``,``. Columns are dropped when a finding spans lines (the runner
rejects them). Paths are relative to ``GITHUB_WORKSPACE`` when set, with
forward slashes. Every finding is printed, errors first, then warnings,
then notices. The runner keeps at most 10 annotations of each type per step
(``_maxCountPerIssueType`` in actions/runner's ExecutionContext.cs: errors,
warnings and notices alike) and drops the rest from the run page; when more
than 10 of one type are printed, one notice says so. It comes right after
the warnings, before the info notices, so that it is always among the 10
notices shown. With ``GITHUB_STEP_SUMMARY`` set, a Markdown summary is
appended to that file.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import PurePath
from typing import Dict, Sequence

from ..diagnostic import Diagnostic, severity_rank
from .base import Formatter, RenderContext

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
LIMIT = 10


def escape_data(text: str) -> str:
    """Escape a workflow command's message (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value (``%``, CR, LF, ``:``, ``,``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_path(path: str, env: Dict[str, str]) -> str:
    """The path GitHub matches against the repository: relative to the workspace, forward slashes."""
    workspace = env.get("GITHUB_WORKSPACE")
    if workspace:
        try:
            rel = os.path.relpath(os.path.abspath(path), os.path.abspath(workspace))
            if not rel.startswith(".."):
                path = rel
        except ValueError:  # pragma: no cover (another drive on Windows)
            pass
    return PurePath(path).as_posix() if os.sep == "/" else path.replace(os.sep, "/")


def annotation(d: Diagnostic, env: Dict[str, str]) -> str:
    props = [f"file={escape_property(annotation_path(d.path, env))}", f"line={d.line}"]
    single_line = d.end_line is None or d.end_line == d.line
    if d.end_line is not None:
        props.append(f"endLine={d.end_line}")
    if single_line:
        props.append(f"col={d.column}")
        if d.end_column is not None and d.end_column >= d.column:
            props.append(f"endColumn={d.end_column}")
    props.append(f"title={escape_property(d.rule)}")
    message = d.message + (f"\n{d.suggestion}" if d.suggestion else "")
    return f"::{COMMAND[d.severity]} {','.join(props)}::{escape_data(message)}"


def limit_notice(counts: Counter) -> str:
    """The one notice printed when some annotation type passes GitHub's per-step limit."""
    return "::notice title=healthlint::" + escape_data(
        f"healthlint reported {sum(counts.values())} findings ({counts['error']} errors, "
        f"{counts['warning']} warnings, {counts['info']} notices). GitHub shows at most "
        f"{LIMIT} error, {LIMIT} warning and {LIMIT} notice annotations per step: "
        "see this step's log for all of them."
    )


class GithubFormatter(Formatter):
    name = "github"

    def render(self, diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:
        ordered = sorted(diagnostics, key=lambda d: -severity_rank(d.severity))
        lines = [annotation(d, ctx.env) for d in ordered if d.severity != "info"]
        counts = Counter(d.severity for d in diagnostics)
        if max(counts.values(), default=0) > LIMIT:
            lines.append(limit_notice(counts))
        lines += [annotation(d, ctx.env) for d in ordered if d.severity == "info"]
        summary_file = ctx.env.get("GITHUB_STEP_SUMMARY")
        if summary_file:
            write_step_summary(summary_file, diagnostics, ctx)
        return "\n".join(lines) + ("\n" if lines else "")


def _cell(text: str) -> str:
    """Text for a Markdown table cell: pipes escaped, line breaks as spaces."""
    return text.replace("|", "\\|").replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def write_step_summary(path: str, diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> None:
    """Append a Markdown summary (counts per rule, then every finding) to ``path``."""
    out = ["## healthlint", ""]
    if not diagnostics:
        out.append(f"No problems found in {ctx.files} {'file' if ctx.files == 1 else 'files'}.")
    else:
        per_rule = Counter(r for d in diagnostics for r in (d.rule, *d.also))
        out += ["| rule | findings |", "| --- | ---: |"]
        out += [f"| `{rule}` | {n} |" for rule, n in sorted(per_rule.items())]
        out += ["", "| file | line | severity | rule | message |", "| --- | ---: | --- | --- | --- |"]
        for d in diagnostics:
            msg = _cell(d.message)
            out.append(f"| {_cell(annotation_path(d.path, ctx.env))} | {d.line} | {d.severity} | `{d.rule}` | {msg} |")
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("\n".join(out) + "\n")
    except OSError:
        pass
