"""The rule kind interface and registry.

A rule kind is one class in one module of this package: it declares
``name`` (what a rule pack writes in ``kind:``), ``options`` (a JSON Schema
``properties`` mapping for the kind's own keys, with defaults), and
implements :meth:`RuleKind.check`. Subclasses register themselves; the
package imports every module, so adding a kind is adding one file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Dict, Iterator, List, Optional, Tuple, Type

from ..errors import HealthlintError

if TYPE_CHECKING:
    from ..engine import DocumentContext
    from ..packs import Rule
    from ..yamlpos import Marks

REGISTRY: Dict[str, Type["RuleKind"]] = {}


@dataclass
class Finding:
    """What a rule kind returns: a span (1-based, end exclusive) and words for the message.

    ``end`` is None for document-level findings. ``values`` fill the
    ``{placeholders}`` of the rule's message and suggestion (``match`` is the
    matched text).
    """

    start: Tuple[int, int]
    end: Optional[Tuple[int, int]]
    values: Dict[str, str] = field(default_factory=dict)
    lower: int = 0  # how many severity levels below the rule's (hedged uses); past info: dropped


class RuleKind:
    """Base class of rule kinds.

    Attributes:
        name: the ``kind:`` value in a rule pack.
        options: JSON Schema ``properties`` of the kind's options (each with
            a ``default`` unless required).
        required: option names that must be given.
        document_level: findings concern the whole document (run after span rules).
    """

    name: ClassVar[str] = ""
    options: ClassVar[Dict[str, Any]] = {}
    required: ClassVar[Tuple[str, ...]] = ()
    document_level: ClassVar[bool] = False
    # The {names} a rule's message and suggestion may use (None: the kind does not say).
    placeholders: ClassVar[Optional[Tuple[str, ...]]] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            REGISTRY[cls.name] = cls

    def __init__(self, rule: "Rule", opts: Dict[str, Any], marks: "Marks", path: Tuple[Any, ...]) -> None:
        self.rule = rule
        self.opts = opts
        self.marks = marks
        self.path = path

    # helpers for subclasses --------------------------------------------
    def compile_regex(self, pattern: str, key: str, index: Optional[int] = None, flags: int = 0) -> "re.Pattern[str]":
        """Compile a user pattern with ``flags``, or raise an error naming the file, line and key.

        The pattern must be valid and must not backtrack catastrophically
        (:func:`healthlint.regexsafety.check`).
        """
        where = self.path + ((key,) if index is None else (key, index))
        return compile_user_regex(pattern, self.marks, where, flags)

    def compile_wording(self, what: str, case_sensitive: bool = False) -> "re.Pattern[str]":
        """One matcher for the rule's ``phrases`` and ``patterns`` (each pattern checked on its own first).

        Raises:
            HealthlintError: neither is given, a pattern is invalid, or they do not combine.
        """
        from ..matching import compile_phrases

        o = self.opts
        if not o["phrases"] and not o["patterns"]:
            raise self.error("phrases", f"a {what} rule needs 'phrases' or 'patterns'")
        for i, p in enumerate(o["patterns"]):
            self.compile_regex(p, "patterns", i, 0 if case_sensitive else re.IGNORECASE)
        try:
            matcher = compile_phrases(o["phrases"], o["patterns"], case_sensitive)
        except re.error as exc:
            raise self.error("patterns", f"the patterns do not combine into one expression: {exc}")
        assert matcher is not None
        return matcher

    def error(self, key: str, message: str) -> HealthlintError:
        return self.marks.error(self.path + (key,), message)

    def check(self, ctx: "DocumentContext") -> Iterator[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def prepare(self, ctx: "DocumentContext") -> None:
        """Gather, through ``ctx.facts``, what :meth:`check` will read of the document.

        Only cross-file kinds need it: their :meth:`check` may run later, in another process,
        on a context that holds these facts and no document.
        """


def compile_user_regex(pattern: str, marks: "Marks", where: Tuple[Any, ...], flags: int = 0) -> "re.Pattern[str]":
    """Compile a pattern from a pack or configuration file, or raise an error at its place there.

    Raises:
        HealthlintError: the pattern is invalid, or it can backtrack catastrophically (the
            message names the part at fault and says why).
    """
    from ..regexsafety import UnsafePattern, compile_checked

    try:
        return compile_checked(pattern, flags)
    except (re.error, OverflowError) as exc:  # OverflowError: a repetition count such as {99999999999}
        raise marks.error(where, f"invalid regular expression {pattern!r}: {exc}", at_value=True)
    except RecursionError:
        raise marks.error(where, f"invalid regular expression {pattern!r}: it is nested too deeply", at_value=True)
    except UnsafePattern as exc:
        raise marks.error(where, f"unsafe regular expression {pattern!r}: {exc}", at_value=True)


def kinds() -> Dict[str, Type[RuleKind]]:
    """Every registered rule kind, by name."""
    from . import _load_all  # noqa: F401  (imports every kind module)

    return dict(REGISTRY)


def scope_options() -> Dict[str, Any]:
    """The ``scopes``/``skip`` options shared by kinds that read prose."""
    from ..prose import EXCLUSIONS, SCOPES

    return {
        "scopes": {
            "type": "array",
            "items": {"enum": list(SCOPES)},
            "default": ["heading", "body", "table", "alt", "footnote", "front_matter"],
            "description": "Where the rule looks.",
        },
        "skip": {
            "type": "array",
            "items": {"enum": list(EXCLUSIONS)},
            "default": ["references", "navigation", "examples"],
            "description": "Parts of the post never looked at: the reference list, Previous/Next links, "
                           "wording quoted under a \"do not write this\" cue.",
        },
    }


def string_list(description: str, default: Optional[List[str]] = None) -> Dict[str, Any]:
    schema: Dict[str, Any] = {"type": "array", "items": {"type": "string"}, "description": description}
    if default is not None:
        schema["default"] = default
    return schema


def topic_schema(description: str) -> Dict[str, Any]:
    """Schema of the ``when`` option read by :func:`on_topic`: ``mentions``, ``rules``, ``min_mentions``."""
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "mentions": {"type": "array", "items": {"type": "string"}},
            "rules": {"type": "array", "items": {"type": "string"}},
            "min_mentions": {"type": "integer", "minimum": 1, "default": 1},
        },
        "description": description,
    }


def on_topic(ctx: Any, mentions: Any, min_mentions: int, when_rules: Any) -> bool:
    """True when a post is about the rule's topic.

    ``mentions`` (a compiled pattern or None) must match at least ``min_mentions`` times in the
    post's prose outside the reference list, or one of the rules selected by ``when_rules`` (ids or
    pack prefixes) must fire on the post. Decided once per post for each topic (rules that share
    a topic share the answer).
    """
    key = ("on-topic", mentions.pattern if mentions is not None else None, min_mentions, tuple(when_rules))
    known = ctx.cache.get(key)
    if known is None:
        known = ctx.cache[key] = _on_topic(ctx, mentions, min_mentions, when_rules)
    return known  # type: ignore[return-value]


def _on_topic(ctx: Any, mentions: Any, min_mentions: int, when_rules: Any) -> bool:
    if mentions is not None:
        count = 0
        for unit in ctx.units:
            if unit.in_references:
                continue
            for _ in mentions.finditer(unit.folded):
                count += 1
                if count >= min_mentions:
                    return True
    return any(ctx.rule_fires(prefix) for prefix in when_rules)
