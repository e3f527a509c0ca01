"""The ``testimonial`` rule kind: patient testimonials that imply typical results.

Source of guidance: FTC Endorsement Guides, 16 CFR 255.2(b) (a testimonial about
a health result implies that the result is what patients generally get, unless
the post says otherwise) and 255.0 (clear and conspicuous); AMA Code of Medical
Ethics, Opinion 9.6.1 (testimonials must be typical).

A *testimonial* is found by one of four signals, each with words from the pack:

``outcome``
    a first-person outcome statement: an ``outcomes`` match ("was gone",
    "feel like a new person") with a ``first_person`` word ("I", "my") within
    ``window`` words of it in the same sentence. The span runs from the
    first-person word, when it comes first, to the end of the outcome ("my pain was gone").
``attribution``
    a quote attributed to a patient: an ``attributions`` pattern ("— Sarah,
    34", "said one patient"), never in a heading. The span is the attribution.
``rating``
    a star rating (``ratings`` patterns: "★★★★★", "5 stars"). The span is the rating.
``heading``
    a section whose heading matches one of ``headings`` ("Patient stories",
    "Testimonials"), or a whole post whose title (a ``title_fields`` front
    matter key) does ("Success stories from the clinic: ..."). The span is the
    heading's or the title's text.

With ``outcome_required`` (the default), an attribution, a rating or a
section counts only when its text holds an ``outcomes`` match (any person:
"her migraines went away"); the text of an attribution or rating is its
block, or the block before when it stands alone. A match is not an outcome when it is negated
(``negators`` among the ``negation_window`` words before it in its clause),
hedged (``hedges`` anywhere before it in its clause: "I hope my pain is
gone"), in a sentence with an ``exclusions`` word (a clinician or a study
speaking: "I have seen patients' pain disappear"), in quotes after a
``mention_cues`` cue, or in a list or block quote introduced by a paragraph
that holds a cue and ends with a colon ("Never write testimonials like
these:"). The reference list and navigation links are never read.

Findings: none when the post holds one of ``disclosures`` (phrases or
patterns, anywhere the rule reads). Otherwise one finding per block
(``report: each``) or only the first one (``report: first``), in source
order, each a span of 1-based ``(line, column)`` with an exclusive end.
Message placeholders: ``{match}`` (the words), ``{what}`` (the signal, from
``labels``) and ``{count}`` (how many testimonials the post has).

Raises (at load): :class:`~healthlint.errors.HealthlintError` for an invalid
regular expression, naming the file, line and key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Pattern, Tuple

from ..matching import compile_phrases, preceded_by, quoted_list_start, quoted_span
from ..prose import _heading_key
from .base import Finding, RuleKind, scope_options, string_list
from .phrase import DEFAULT_MENTION_CUES, DEFAULT_NEGATORS, DEFAULT_PSEUDO_NEGATIONS

SIGNALS = ("outcome", "attribution", "rating", "heading")
DEFAULT_LABELS = {
    "outcome": "a first-person account of a result",
    "attribution": "a quote attributed to a patient",
    "rating": "a star rating",
    "heading": "a section of patient stories",
}
# A sentence ends at . ! ? followed by a space or the end, or at a line break.
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")
_TOKEN = re.compile(r"\S+")
_COLON_END = re.compile(r":\s*$")


@dataclass
class _Signal:
    unit: Any
    start: int
    end: int
    signal: str


class TestimonialKind(RuleKind):
    """Patient testimonials (outcome statements, attributed quotes, ratings, story sections).

    Options (all from the rule pack): see the module docstring and
    :attr:`options`. ``attributions``, ``ratings`` and ``headings`` are
    regular expressions, case-sensitive unless they say otherwise (write a
    flag scoped, ``(?i:...)``: the headings are combined into one expression);
    a pattern that starts with a character or a class scans fastest. The
    ``headings`` ignore case and are searched in the heading's
    text without numbering or a trailing colon.
    """

    __test__ = False  # not a pytest test class, despite its name
    name = "testimonial"
    placeholders = ("match", "what", "count")
    options: Dict[str, Any] = {
        "signals": {"type": "array", "items": {"enum": list(SIGNALS)}, "default": list(SIGNALS),
                    "description": "Which signals make a testimonial: outcome, attribution, rating, heading."},
        "first_person": string_list("First-person words of an outcome statement (I, my, me).", []),
        "outcomes": string_list("Outcome phrases (was cured, feel like a new person); a space matches any whitespace.", []),
        "outcome_patterns": string_list("Outcome regular expressions (case-insensitive), added to the phrases.", []),
        "window": {"type": "integer", "minimum": 1, "maximum": 30, "default": 8,
                   "description": "How many words from an outcome a first-person word may stand (same sentence)."},
        "exclusions": string_list("Words that, in the sentence, show a clinician or a study speaking (my patients, researchers).", []),
        "attributions": string_list("Regular expressions of a patient attribution ('— Sarah, 34', 'said one patient').", []),
        "attribution_exclusions": string_list("Words that, inside an attribution, name no patient (Clinic, et al, Monday).", []),
        "ratings": string_list("Regular expressions of a star rating.", []),
        "headings": string_list("Regular expressions found in a testimonial section's heading or the post's title "
                                "(case-insensitive; anchor them with ^ and $ to match a whole heading).", []),
        "title_fields": string_list("Front matter keys holding the post's title: a title that matches 'headings' makes "
                                    "the whole post a testimonial section.", ["title"]),
        "outcome_required": {"type": "boolean", "default": True,
                             "description": "An attribution, rating or section counts only when its text holds an outcome."},
        "disclosures": string_list("Phrases that, anywhere in the post, disclose typical results (no finding then).", []),
        "disclosure_patterns": string_list("The same, as regular expressions.", []),
        "negators": string_list("Words that negate an outcome after them (my pain never went away).", DEFAULT_NEGATORS),
        "pseudo_negations": string_list("Phrases that look negative but are not.", DEFAULT_PSEUDO_NEGATIONS),
        "negation_window": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5,
                            "description": "How many words back a negator may stand."},
        "hedges": string_list("Words before an outcome in its clause that make it a wish or a condition (hope, if).", []),
        "mention_cues": string_list("Cues that introduce quoted or listed examples that are not the post's own words.",
                                    DEFAULT_MENTION_CUES),
        "report": {"enum": ["first", "each"], "default": "first",
                   "description": "first: one finding per post, at the first testimonial; each: one per block."},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}, "default": DEFAULT_LABELS,
                   "description": "What {what} says for each signal."},
        **scope_options(),
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        o = self.opts
        for i, p in enumerate(o["outcome_patterns"]):
            self.compile_regex(p, "outcome_patterns", i, re.I)
        self.outcomes = compile_phrases(o["outcomes"], o["outcome_patterns"])
        self.first_person = compile_phrases(o["first_person"])
        self.exclusions = compile_phrases(o["exclusions"])
        # one expression per pattern: combined, they lose the fast scan of a pattern that starts with a character
        self.attributions = [self.compile_regex(p, "attributions", i) for i, p in enumerate(o["attributions"])]
        self.attribution_exclusions = compile_phrases(o["attribution_exclusions"])
        self.ratings = [self.compile_regex(p, "ratings", i) for i, p in enumerate(o["ratings"])]
        self.headings = self._combined("headings", re.I)
        for i, p in enumerate(o["disclosure_patterns"]):
            self.compile_regex(p, "disclosure_patterns", i, re.I)
        self.disclosures = compile_phrases(o["disclosures"], o["disclosure_patterns"])
        self.negators = compile_phrases(o["negators"])
        self.pseudo = compile_phrases(o["pseudo_negations"])
        self.hedges = compile_phrases(o["hedges"])
        self.cues = compile_phrases(o["mention_cues"])
        self.labels = dict(DEFAULT_LABELS)
        self.labels.update(o.get("labels") or {})
        if "outcome" in o["signals"] and (self.outcomes is None or self.first_person is None):
            raise self.error("outcomes", "the outcome signal needs 'outcomes' (or 'outcome_patterns') and 'first_person'")
        if o["outcome_required"] and self.outcomes is None:
            raise self.error("outcomes", "outcome_required needs 'outcomes' or 'outcome_patterns'")

    def _combined(self, key: str, flags: int = 0) -> Optional[Pattern[str]]:
        """One expression for a list of patterns (each checked on its own first), or None when empty."""
        patterns = self.opts[key]
        for i, p in enumerate(patterns):
            self.compile_regex(p, key, i, flags)
        if not patterns:
            return None
        try:
            return re.compile("|".join(f"(?:{p})" for p in patterns), flags)
        except re.error as exc:
            raise self.error(key, f"the patterns do not combine into one expression (write flags as (?i:...)): {exc}")

    # -- the parts of a check ----------------------------------------------------

    def _units(self, ctx: Any) -> List[Any]:
        """Units the rule reads, without lists and quotes introduced as examples not to follow."""
        scopes, skip = self.opts["scopes"], self.opts["skip"]
        out = []
        introduced = False  # the last paragraph outside containers introduced examples ("...like these:")
        for unit in ctx.units:
            block = unit.block
            contained = block is not None and bool(set(block.containers) & {"list_item", "block_quote"})
            if block is not None and not contained:
                introduced = (
                    unit.scope == "body"
                    and self.cues is not None
                    and bool(_COLON_END.search(unit.folded))
                    and self.cues.search(unit.folded) is not None
                )
            elif contained and introduced:
                continue
            if unit.scope in scopes and not unit.excluded(skip):
                out.append(unit)
        return out

    def _outcomes(self, text: str, first_person: bool, exclusions: bool = True) -> Iterator[Tuple[int, int]]:
        """Spans of outcome statements in ``text`` that pass the filters (with the first-person word when asked).

        ``exclusions``: skip sentences with an exclusion word (not for a quote already attributed to a patient).
        """
        if self.outcomes is None:
            return
        for m in self.outcomes.finditer(text):
            s, e = m.start(), m.end()
            lo, hi = _sentence(text, s, e)
            if exclusions and self.exclusions is not None and self.exclusions.search(text, lo, hi):
                continue
            if self.negators is not None and preceded_by(text, s, self.negators, self.opts["negation_window"], self.pseudo):
                continue
            if self.hedges is not None and preceded_by(text, s, self.hedges, 0, None):
                continue
            if self._mentioned(text, s, e):
                continue
            if first_person:
                person = self._first_person(text, lo, hi, s, e)
                if person is None:
                    continue
                s = min(s, person[0])  # "my pain was gone"; a person word after the outcome is not part of it
            yield s, e

    def _first_person(self, text: str, lo: int, hi: int, s: int, e: int) -> Optional[Tuple[int, int]]:
        """The first-person word nearest to ``[s, e)`` within the window and the sentence ``[lo, hi)``."""
        assert self.first_person is not None
        window = self.opts["window"]
        before = list(_TOKEN.finditer(text, lo, s))
        start = before[-window].start() if len(before) > window else lo
        after = list(_TOKEN.finditer(text, e, hi))
        end = after[window - 1].end() if len(after) > window else hi
        best: Optional[Tuple[int, int]] = None
        for m in self.first_person.finditer(text, start, end):
            if best is None or abs(m.start() - s) < abs(best[0] - s):
                best = (m.start(), m.end())
        return best

    def _mentioned(self, text: str, s: int, e: int) -> bool:
        if self.cues is None:
            return False
        span = quoted_span(text, s, e)
        return span is not None and preceded_by(text, quoted_list_start(text, span[0]), self.cues, 0, None)

    def _has_outcome(self, text: str, exclusions: bool = True) -> bool:
        return not self.opts["outcome_required"] or next(self._outcomes(text, False, exclusions), None) is not None

    def _signals(self, units: List[Any]) -> List[_Signal]:
        signals = self.opts["signals"]
        found: List[_Signal] = []
        section_heads: Dict[str, Any] = {}  # a testimonial heading's text -> its unit
        reported_heads = set()
        previous = None
        post_head = None  # a title that makes the whole post a testimonial section ("Success stories: ...")
        previous_found = False  # the previous block holds a testimonial
        for unit in units:
            text = unit.folded
            if unit.scope == "heading" or (unit.scope == "front_matter" and unit.field in self.opts["title_fields"]):
                if "heading" in signals and self.headings is not None and self.headings.search(_heading_key(text)):
                    if unit.scope == "heading":
                        section_heads[unit.text.strip()] = unit
                    elif post_head is None:
                        post_head = unit
                previous, previous_found = unit, False
                continue
            own: List[_Signal] = []
            # the first-person words are a cheap first test: most blocks have none
            if "outcome" in signals and self.first_person is not None and self.first_person.search(text):
                own += [_Signal(unit, s, e, "outcome") for s, e in self._outcomes(text, True)]
            for kind, pattern in ((k, p) for k, ps in (("attribution", self.attributions), ("rating", self.ratings))
                                  if k in signals for p in ps):
                for m in pattern.finditer(text):
                    if m.start() == m.end():
                        continue
                    if kind == "attribution" and self.attribution_exclusions is not None and \
                            self.attribution_exclusions.search(m.group(0)):
                        continue
                    # a signal that opens its block ("— Sarah, 34" on its own) belongs to the block before
                    context = text
                    if previous is not None and previous.scope != "heading" and not text[: m.start()].strip():
                        if previous_found:
                            continue  # the testimonial it closes is already counted
                        context = previous.folded + "\n" + text
                    if self._has_outcome(context, exclusions=False):
                        own.append(_Signal(unit, m.start(), m.end(), kind))
            if "heading" in signals and unit.block is not None:
                heads = [post_head] + [section_heads.get(title) for title in unit.block.sections]
                for head in heads:
                    if head is not None and id(head) not in reported_heads and self._has_outcome(text):
                        reported_heads.add(id(head))
                        found.append(_Signal(head, 0, len(head.text.rstrip()), "heading"))
            if own:
                found.append(min(own, key=lambda g: g.start))  # one per block: its first signal
            previous, previous_found = unit, bool(own)
        return found

    def check(self, ctx: Any) -> Iterator[Finding]:
        units = self._units(ctx)
        found = self._signals(units)
        if not found:
            return
        # the disclosure is looked for only in posts with a testimonial (most posts have none)
        if self.disclosures is not None and any(self.disclosures.search(u.folded) for u in units):
            return
        count = str(len(found))
        if self.opts["report"] == "first":
            found = [min(found, key=_order)]
        for g in found:
            unit = g.unit
            values = {
                "match": " ".join(unit.text[g.start : g.end].split()),
                "what": self.labels.get(g.signal, g.signal),
                "count": count,
            }
            yield Finding(unit.position(g.start), unit.end_position(g.end), values)


def _order(g: _Signal) -> Tuple[int, int]:
    return g.unit.position(g.start)


def _sentence(text: str, s: int, e: int) -> Tuple[int, int]:
    """``(lo, hi)`` of the sentence holding ``[s, e)`` (at most 300 characters each way)."""
    lo = max(0, s - 300)
    for m in _SENTENCE_END.finditer(text, lo, s):
        lo = m.end()
    m = _SENTENCE_END.search(text, e, min(len(text), e + 300))
    hi = m.start() if m else min(len(text), e + 300)
    return lo, hi
