"""``--format json``: a JSON array of diagnostic objects.

Each object has exactly the keys ``path``, ``line``, ``column``,
``end_line``, ``end_column``, ``rule``, ``severity``, ``message`` and
``suggestion`` (1-based lines and code-point columns, ``end_column``
exclusive, ``null`` ends for document-level findings).
"""

from __future__ import annotations

import json as _json
from typing import Sequence

from ..diagnostic import Diagnostic
from .base import Formatter, RenderContext


class JsonFormatter(Formatter):
    name = "json"

    def render(self, diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:
        if not diagnostics:
            return "[]\n"
        items = ",\n".join("  " + _json.dumps(d.to_dict(), ensure_ascii=False) for d in diagnostics)
        return "[\n" + items + "\n]\n"
