"""Diagnostics: what healthlint reports, one per finding.

Lines and columns are 1-based; columns count Unicode code points (a tab is
one column); ``end_column`` is exclusive. A document-level finding (such
as a missing disclaimer) sits at 1:1 with no end (``None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

SEVERITIES = ("info", "warning", "error")
_RANK = {name: i for i, name in enumerate(SEVERITIES)}


def severity_rank(severity: str) -> int:
    """0 for ``info``, 1 for ``warning``, 2 for ``error``; raises KeyError otherwise."""
    return _RANK[severity]


@dataclass(frozen=True)
class Diagnostic:
    """One finding.

    Attributes:
        path: the file's path as given on the command line (or the walked
            directory joined with the file's relative path).
        line, column: 1-based start; column in code points.
        end_line, end_column: 1-based end, column exclusive; None when the
            finding has no span (document-level findings).
        rule: ``pack.rule-name``.
        severity: ``error``, ``warning`` or ``info``.
        message: what is wrong, in words for editors and reviewers.
        suggestion: what to do instead ("" when the rule has none).
        also: the other rules that found the same words (the same span), merged
            into this diagnostic; their messages follow this rule's message.
    """

    path: str
    line: int
    column: int
    end_line: Optional[int]
    end_column: Optional[int]
    rule: str
    severity: str
    message: str
    suggestion: str = ""
    also: Tuple[str, ...] = ()

    def to_dict(self) -> Dict[str, Any]:
        """The JSON shape: the nine keys of the ``--format json`` contract, and ``also`` (rule ids)."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
            "also": list(self.also),
        }

    def sort_key(self) -> tuple:
        return (self.line, self.column, self.rule, self.message)
