"""The formatter interface and registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, List, Sequence, Type

from .. import engine
from ..diagnostic import Diagnostic

REGISTRY: Dict[str, Type["Formatter"]] = {}

#: What the findings that no pack rule makes are about (an unreadable file, say).
ENGINE_RULES = {
    engine.IO_ERROR: "A file or folder could not be read.",
    engine.ENCODING_ERROR: "A file is not valid UTF-8 and was not linted.",
    engine.FRONT_MATTER_ERROR: "A post's front matter is not valid YAML or TOML.",
    engine.INTERNAL_ERROR: "healthlint failed on a file (a bug: please report it).",
    engine.UNKNOWN_DIRECTIVE_RULE: "A suppression comment names no known rule or pack.",
}


def describe(rule_id: str, rules: Dict[str, Any]) -> str:
    """One line saying what ``rule_id`` checks: the loaded rule's description, else a built-in text."""
    rule = rules.get(rule_id)
    if rule is not None:
        return rule.description
    return ENGINE_RULES.get(rule_id, f"healthlint rule {rule_id}.")


@dataclass
class RenderContext:
    """What a formatter may need besides the diagnostics.

    Attributes:
        files: how many files were linted.
        color: use ANSI colours (text format on a terminal only).
        env: the environment (for CI-specific paths and summaries).
        rules: every loaded rule, by id (for formats that describe rules).
        paths: every linted file as displayed, in run order (for formats
            with one entry per file, findings or not).
    """

    files: int = 0
    color: bool = False
    env: Dict[str, str] = field(default_factory=dict)
    rules: Dict[str, Any] = field(default_factory=dict)
    paths: List[str] = field(default_factory=list)


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
