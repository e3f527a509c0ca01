"""The ``required`` rule kind: wording the post must contain somewhere.

The post's rendered text (never comments, code, URLs or link destinations)
must match one of the accepted phrases or patterns, optionally within its
first or last N top-level blocks. Emphasis and line breaks inside the
wording do not break it. When the wording is missing, one finding at line
1, column 1. The rule can apply only to posts about a topic: when the text
mentions a word from ``when.mentions`` or a rule listed in ``when.rules``
fires (whether or not that rule is selected).
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

from ..matching import compile_phrases
from .base import Finding, RuleKind, on_topic, scope_options, string_list, topic_schema


class RequiredKind(RuleKind):
    """Require accepted wording in the post (document level).

    Options:
        phrases / patterns: accepted wording (phrases are whole-word and
            whitespace-flexible; patterns are regular expressions).
        within: ``{first: N}`` or ``{last: N}`` top-level blocks.
        when: ``{mentions: [...], min_mentions: N, rules: [...]}``: the post mentions
            the words at least N times, or one of the rules fires; without
            ``when`` the rule applies to every post.
        scopes: where accepted wording may stand.
    """

    name = "required"
    placeholders = ()
    document_level = True
    options: Dict[str, Any] = {
        "phrases": string_list("Accepted wording, as phrases.", []),
        "patterns": string_list("Accepted wording, as regular expressions.", []),
        "within": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"first": {"type": "integer", "minimum": 1}, "last": {"type": "integer", "minimum": 1}},
            "maxProperties": 1,
            "description": "Look only in the first or last N top-level blocks.",
        },
        "when": topic_schema("Apply only to posts that mention one of these words or where one of these rules fires."),
        "front_matter": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["key"],
                "properties": {"key": {"type": "string"}, "value": {"type": "string"}},
            },
            "description": (
                "Front matter that satisfies the rule (a theme that renders the wording): a top-level key "
                "matching 'key' (regex, whole key) whose value matches 'value' (regex; default: any value but "
                "false/no/empty)."
            ),
        },
        **scope_options(),
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        o = self.opts
        self.accepted = self.compile_wording("required")
        when = o.get("when") or {}
        self.mentions = compile_phrases(when.get("mentions", []))
        self.when_rules: List[str] = when.get("rules", [])
        self.min_mentions: int = when.get("min_mentions", 1)
        self.conditional = bool(when)
        self.front_matter = []
        for i, item in enumerate(o.get("front_matter", [])):
            key = self.compile_regex(item["key"], "front_matter", i)
            value = self.compile_regex(item.get("value", r"(?!(?:false|no|off|0)$).+"), "front_matter", i)
            self.front_matter.append((key, value))

    def _front_matter_satisfies(self, ctx: Any) -> bool:
        fm = ctx.document.front_matter
        if not self.front_matter or fm is None or not isinstance(fm.data, dict):
            return False
        for name, value in fm.data.items():
            text = "true" if value is True else "false" if value is False else str(value) if value is not None else ""
            for key_re, value_re in self.front_matter:
                if key_re.fullmatch(str(name)) and value_re.fullmatch(text.strip()):
                    return True
        return False

    def check(self, ctx: Any) -> Iterator[Finding]:
        if self._front_matter_satisfies(ctx):
            return
        units = [u for u in ctx.units if u.scope in self.opts["scopes"] and not u.excluded(self.opts["skip"])]
        if self.conditional and not self._on_topic(ctx):
            return
        within = self.opts.get("within") or {}
        if "first" in within:
            units = [u for u in units if u.scope == "front_matter" or u.index <= within["first"]]
        elif "last" in within:
            last = ctx.document.parsed.top_level_count
            units = [u for u in units if u.index > last - within["last"]]
        text = "\n\n".join(u.folded for u in units)
        assert self.accepted is not None
        if self.accepted.search(text):
            return
        yield Finding((1, 1), None, {})

    def _on_topic(self, ctx: Any) -> bool:
        return on_topic(ctx, self.mentions, self.min_mentions, self.when_rules)
