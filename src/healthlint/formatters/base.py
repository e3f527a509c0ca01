"""The formatter interface and registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, List, Sequence, Type

from ..diagnostic import Diagnostic

REGISTRY: Dict[str, Type["Formatter"]] = {}


@dataclass
class RenderContext:
    """What a formatter may need besides the diagnostics.

    Attributes:
        files: how many files were linted.
        color: use ANSI colours (text format on a terminal only).
        env: the environment (for CI-specific paths and summaries).
        rules: every loaded rule, by id (for formats that describe rules).
    """

    files: int = 0
    color: bool = False
    env: Dict[str, str] = field(default_factory=dict)
    rules: Dict[str, Any] = field(default_factory=dict)


class Formatter:
    """Turns diagnostics into output text.

    ``name`` is the ``--format`` value. :meth:`render` returns the whole
    output (ending with a newline, or empty).
    """

    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            REGISTRY[cls.name] = cls

    def render(self, diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:  # pragma: no cover
        raise NotImplementedError


def formatters() -> List[str]:
    return sorted(REGISTRY)
