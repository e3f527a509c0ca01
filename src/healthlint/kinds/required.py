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

import re
from typing import Any, Dict, Iterator, List

from ..matching import compile_phrases
from .base import Finding, RuleKind, scope_options, string_list


class RequiredKind(RuleKind):
    """Require accepted wording in the post (document level).

    Options:
        phrases / patterns: accepted wording (phrases are whole-word and
            whitespace-flexible; patterns are regular expressions).
        within: ``{first: N}`` or ``{last: N}`` top-level blocks.
        when: ``{mentions: [...], rules: [...]}``; without it the rule applies to every post.
        scopes: where accepted wording may stand.
    """

    name = "required"
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
        "when": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "mentions": {"type": "array", "items": {"type": "string"}},
                "rules": {"type": "array", "items": {"type": "string"}},
            },
            "description": "Apply only to posts that mention one of these words or where one of these rules fires.",
        },
        **scope_options(),
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        o = self.opts
        if not o["phrases"] and not o["patterns"]:
            raise self.error("phrases", "a required rule needs 'phrases' or 'patterns'")
        for i, p in enumerate(o["patterns"]):
            self.compile_regex(p, "patterns", i)
        try:
            self.accepted = compile_phrases(o["phrases"], o["patterns"])
        except re.error as exc:
            raise self.error("patterns", f"the patterns do not combine into one expression: {exc}")
        when = o.get("when") or {}
        self.mentions = compile_phrases(when.get("mentions", []))
        self.when_rules: List[str] = when.get("rules", [])
        self.conditional = bool(when)

    def check(self, ctx: Any) -> Iterator[Finding]:
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
        if self.mentions is not None:
            for unit in ctx.units:
                if unit.in_references:
                    continue
                if self.mentions.search(unit.folded):
                    return True
        return any(ctx.rule_fires(prefix) for prefix in self.when_rules)
