"""The ``phrase`` rule kind: words and phrases that must not appear in prose.

Matches whole words, case-insensitively, across emphasis, escapes, entities,
inline HTML and line breaks, never in code, comments, URLs or link
destinations (those are not in the prose text at all). A match is dropped
when it sits inside a listed exception, when a negator comes shortly before
it in the same clause ("there is no cure"), when the rule says hedged uses
are fine and a hedge precedes it ("may help"), when it is a quoted mention
introduced by a cue ("avoid words like “cure”"), or when ``near`` is set and
none of its words is close by.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Pattern, Tuple

from ..matching import compile_phrases, in_context, near
from .base import Finding, RuleKind, scope_options, string_list

DEFAULT_NEGATORS = [
    "no", "not", "never", "nothing", "none", "nobody", "no one", "rarely", "seldom", "hardly", "cannot", "can't", "can not", "won't", "don't", "doesn't", "didn't",
    "isn't", "aren't", "wasn't", "weren't", "haven't", "hasn't", "without", "nor", "neither",
    "no longer", "unable to", "couldn't", "shouldn't", "wouldn't", "far from",
]
DEFAULT_PSEUDO_NEGATIONS = [
    "not only", "not just", "no doubt", "not merely", "never before", "no wonder", "no other", "nothing else",
    "no one else", "none other",
]
DEFAULT_HEDGES = [
    "may", "might", "could", "can help", "may help", "possibly", "potentially", "some patients",
    "some people", "studies suggest", "research suggests", "for some",
]
DEFAULT_MENTION_CUES = [
    "words like", "words such as", "terms like", "terms such as", "phrases like", "phrases such as",
    "the word", "the words", "the term", "the phrase", "claims like", "claims such as", "avoid",
    "never say", "never write", "don't say", "don't write", "do not say", "do not write", "do not use",
    "don't use", "such as",
]


def _proximity(description: str) -> Dict[str, Any]:
    """Schema of the ``near``/``unless_near`` options."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["words"],
        "properties": {
            "words": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "window": {"type": "integer", "minimum": 1, "maximum": 30, "default": 6},
        },
        "description": description,
    }


class PhraseKind(RuleKind):
    """Flag listed words and phrases in the post's prose.

    Options (all from the rule pack):
        phrases: literal phrases (``@list`` expands a pack list).
        patterns: regular expressions, added to the same matcher.
        exceptions: phrases that contain a match but are fine.
        negation / negators / pseudo_negations / negation_window: silence
            negated uses (the negator among the last N words of the clause).
        hedged / hedges: after a hedge ("may"), ``lower`` the severity one
            level (an info finding is dropped) or ``ignore`` the use.
        quoted_mentions / mention_cues: drop quoted mentions after a cue.
        near: ``{words: [...], window: N}``: only matches with one of the
            words within N words in the same clause (the match itself counts).
        unless_near: the opposite: skip matches with one of the words nearby.
        scopes / skip: where the rule looks.
    """

    name = "phrase"
    placeholders = ("match",)
    options: Dict[str, Any] = {
        "phrases": string_list("Words and phrases to flag; a space matches any whitespace.", []),
        "patterns": string_list("Regular expressions to flag (Python syntax), checked at load.", []),
        "case_sensitive": {"type": "boolean", "default": False, "description": "Match letter case exactly."},
        "exceptions": string_list("Phrases that contain a match but are fine.", []),
        "negation": {"type": "boolean", "default": True, "description": "Skip negated uses."},
        "negators": string_list("Words that negate what follows.", DEFAULT_NEGATORS),
        "pseudo_negations": string_list("Phrases that look negative but are not.", DEFAULT_PSEUDO_NEGATIONS),
        "negation_window": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5,
                            "description": "How many words back a negator may stand."},
        "hedged": {"enum": ["keep", "lower", "ignore"], "default": "keep",
                   "description": "After a hedge such as 'may': keep the finding, lower its severity one level, or ignore it."},
        "hedges": string_list("Hedging words.", DEFAULT_HEDGES),
        "quoted_mentions": {"enum": ["skip", "keep"], "default": "skip",
                            "description": "skip: a quoted phrase after a cue such as 'words like' is a mention."},
        "mention_cues": string_list("Cues that introduce a quoted mention.", DEFAULT_MENTION_CUES),
        "questions": {"enum": ["skip", "keep"], "default": "skip",
                      "description": "skip: a neutral question ('Is X safe?', 'Does X cure Y?') is not a claim."},
        "near": _proximity("Only flag a match with one of these words nearby in the same clause."),
        "unless_near": _proximity("Skip a match with one of these words nearby in the same clause (it is about something else)."),
        **scope_options(),
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        o = self.opts
        self.matcher = self.compile_wording("phrase", o["case_sensitive"])
        self.exceptions = compile_phrases(o["exceptions"])
        self.negators = compile_phrases(o["negators"]) if o["negation"] else None
        self.pseudo = compile_phrases(o["pseudo_negations"])
        self.hedges = compile_phrases(o["hedges"]) if o["hedged"] != "keep" else None
        self.cues = compile_phrases(o["mention_cues"]) if o["quoted_mentions"] == "skip" else None
        self.near_words: Optional[Pattern[str]] = None
        self.near_window = 0
        if "near" in o and o["near"]:
            self.near_words = compile_phrases(o["near"]["words"])
            self.near_window = o["near"].get("window", 6)
        self.unless_words: Optional[Pattern[str]] = None
        self.unless_window = 0
        if "unless_near" in o and o["unless_near"]:
            self.unless_words = compile_phrases(o["unless_near"]["words"])
            self.unless_window = o["unless_near"].get("window", 6)

    def check(self, ctx: Any) -> Iterator[Finding]:
        assert self.matcher is not None
        scopes, skip = self.opts["scopes"], self.opts["skip"]
        for unit in ctx.units:
            if unit.scope not in scopes or unit.excluded(skip):
                continue
            text = unit.folded
            excepted: List[Tuple[int, int]] = []
            if self.exceptions is not None:
                excepted = [(m.start(), m.end()) for m in self.exceptions.finditer(text)]
            nav = unit.nav_spans if "navigation" in skip else []
            for m in self.matcher.finditer(text):
                s, e = m.start(), m.end()
                if s == e:
                    continue  # a pattern that can match nothing (``x*``) never reports empty text
                if any(a < e and s < b for a, b in excepted) or any(a <= s and e <= b for a, b in nav):
                    continue
                lowered = in_context(text, s, e, self)
                if lowered is None:
                    continue
                lower = lowered
                if self.near_words is not None and not near(text, s, e, self.near_words, self.near_window):
                    continue
                if self.unless_words is not None and near(text, s, e, self.unless_words, self.unless_window):
                    continue
                yield Finding(unit.position(s), unit.end_position(e), {"match": " ".join(unit.text[s:e].split())}, lower)
