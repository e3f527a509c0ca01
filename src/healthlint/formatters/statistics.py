"""``--statistics``: how many findings each rule made, instead of the findings.

Like ``ruff check --statistics``: one row per rule that fired, most findings
first (ties by rule id). As text, ``COUNT  RULE  DESCRIPTION`` with aligned
columns, then the usual summary line; with ``--format json``, an array of
``{"rule": str, "count": int, "description": str}`` objects in the same order
(``[]`` when nothing was found).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import List, Sequence, Tuple

from ..diagnostic import Diagnostic
from .base import RenderContext, describe
from .text import summary


def counts(diagnostics: Sequence[Diagnostic]) -> List[Tuple[str, int]]:
    """``(rule id, findings)`` pairs, most findings first, ties by rule id."""
    return sorted(Counter(r for d in diagnostics for r in (d.rule, *d.also)).items(), key=lambda item: (-item[1], item[0]))


def render_statistics(diagnostics: Sequence[Diagnostic], ctx: RenderContext, as_json: bool = False) -> str:
    """The statistics report (text, or JSON when ``as_json``), ending with a newline."""
    rows = counts(diagnostics)
    if as_json:
        data = [{"rule": rule, "count": n, "description": describe(rule, ctx.rules)} for rule, n in rows]
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    lines = []
    if rows:
        count_width = max(len(str(n)) for _, n in rows)
        rule_width = max(len(rule) for rule, _ in rows)
        lines = [f"{n:>{count_width}}  {rule:<{rule_width}}  {describe(rule, ctx.rules)}" for rule, n in rows]
    lines.append(summary(diagnostics, ctx.files, ctx.paths))
    return "\n".join(lines) + "\n"
