"""The ``conditional`` rule kind: a topic that needs a statement somewhere in the post.

"If the post mentions A (with B close by), it must also say C; else report the
first mention of A." One rule kind covers several kinds of guidance:

* off-label use not disclosed: A is a drug of a drug–indication table, B a
  condition that is not among that drug's approved indications, C an
  off-label statement (FDA, "Understanding Unapproved Use of Approved Drugs
  'Off Label'": approval is per indication);
* a mental-health crisis topic with no crisis line: A the topic words, C a
  crisis line (Action Alliance, 988 messaging framework);
* a safety claim with no risks given: A "safe and effective", "well
  tolerated"..., B a treatment word, C a risk or side-effect statement (FTC
  Health Products Compliance Guidance: omitted material facts).

Shapes. ``phrases``/``patterns`` (and, with ``drugs: true``, the names of the
drugs in the ``indications`` table) are the triggers A. A trigger counts unless
it is negated, hedged (``hedged: ignore``), part of a neutral question, a quoted
mention after a cue, inside an exception, or in Previous/Next link text.
``with`` (optional) keeps only triggers that have one of its ``phrases``, or an
off-label drug–condition pair (``off_label: true``), within a window around
them: the ``clause``, ``sentence``, ``paragraph`` (one block), ``section``
(from a heading to the next) or the ``document``. ``unless`` (optional) is the
statement C, searched in a window around each trigger (default: the whole
post). With ``min_mentions: N`` the rule applies only when at least N triggers
count (with ``heading_is_topic``, one in a heading is enough). ``report: first`` gives one finding per post, at the first trigger whose
window lacks C; ``report: each`` gives one per such trigger. A finding spans the
trigger's words (1-based line and column, exclusive end).

The drug–indication table is a YAML file (``date``, ``sources``, ``drugs``: each
with ``drug``, ``names``, ``approved_for``, ``indications``, ``checked``,
``source``) named relative to the pack file; see ``rules/data/drug-indications.yaml``.
A condition mention is approved for a drug when one of the drug's indication
phrases covers it entirely.

Messages may use ``{match}`` (the trigger as written), and with ``off_label``
``{drug}`` (the table's generic name), ``{condition}`` (the condition as written)
and ``{approved}`` (the drug's ``approved_for``).
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Pattern, Sequence, Tuple

import jsonschema

from ..errors import HealthlintError, HealthlintErrors
from ..matching import compile_phrases, in_context
from ..prose import fold
from ..yamlpos import load_file
from .base import Finding, RuleKind, compile_user_regex, scope_options, string_list
from .phrase import PhraseKind

WINDOWS = ("clause", "sentence", "paragraph", "section", "document")
_SENTENCE_END = re.compile(r"[.!?](?=[\s\"'\u201d)]|$)")
_CLAUSE_END = re.compile(r"[.;:!?()\u2014\u2013]|,\s|\b(?:but|however|although)\b", re.I)

TABLE_SCHEMA: Dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["date", "sources", "drugs"],
    "properties": {
        "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "sources": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "drugs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["drug", "names", "approved_for", "indications", "checked", "source"],
                "properties": {
                    "drug": {"type": "string", "minLength": 1},
                    "names": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
                    "approved_for": {"type": "string", "minLength": 1},
                    "indications": {"type": "array", "items": {"type": "string", "minLength": 1}},
                    "checked": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                    "source": {"type": "string", "minLength": 1},
                },
            },
        },
    },
}


@dataclass
class Drug:
    """One entry of a drug–indication table, with its indication wording compiled."""

    drug: str
    names: List[str]
    approved_for: str
    indications: Optional[Pattern[str]]


_TABLES: Dict[Tuple[str, float], List[Drug]] = {}


def load_table(path: str) -> List[Drug]:
    """The drugs of a drug–indication table file, validated (cached per file and modification time).

    Raises:
        HealthlintError: the file cannot be read or parsed, or an entry lacks a key or has a wrong
            type (each problem names the file, line and key).
    """
    try:
        key = (os.path.realpath(path), os.path.getmtime(path))
    except OSError as exc:
        raise HealthlintError(f"cannot read the drug–indication table: {exc.strerror or exc}", path)
    if key in _TABLES:
        return _TABLES[key]
    data, marks = load_file(path)
    data = _dates_as_text(data)
    errors = []
    for err in jsonschema.Draft7Validator(TABLE_SCHEMA).iter_errors(data):
        errors.append(marks.error(tuple(err.absolute_path), err.message[:200], at_value=True))
    if errors:
        raise HealthlintErrors(errors)
    drugs = [Drug(d["drug"], d["names"], d["approved_for"], compile_phrases(d["indications"])) for d in data["drugs"]]
    _TABLES[key] = drugs
    return drugs


def _dates_as_text(value: Any) -> Any:
    """YAML reads an unquoted 2025-06-30 as a date: the table's schema wants the text."""
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _norm(text: str) -> str:
    return " ".join(fold(text).lower().split())


def _wording(description: str, window_default: str, extra: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "phrases": {"type": "array", "items": {"type": "string"}},
            "patterns": {"type": "array", "items": {"type": "string"}},
            "within": {"enum": list(WINDOWS), "default": window_default},
            **(extra or {}),
        },
        "description": description,
    }


Span = Tuple[int, int]
Window = List[Tuple[int, int, int]]  # (unit number, start, end) in the units' folded text


class ConditionalKind(RuleKind):
    """A trigger (with an optional companion close by) that needs a statement in the post; reported at the trigger.

    Options:
        phrases / patterns / drugs: the triggers.
        exceptions: wording that contains a trigger or condition but is fine.
        with: ``{phrases, patterns, off_label, within}``: the companion a trigger needs.
        unless: ``{phrases, patterns, within}``: the statement that satisfies the rule.
        indications / conditions: the drug–indication table and the condition words for ``off_label``.
        min_mentions, heading_is_topic, report: how many triggers make the topic; one finding or one per trigger.
        negation, hedged, questions, quoted_mentions (and their word lists): which triggers count.
        scopes / skip: where the rule looks.
    """

    name = "conditional"
    placeholders = ("match", "drug", "condition", "approved")
    options: Dict[str, Any] = {
        "phrases": string_list("Trigger words and phrases.", []),
        "patterns": string_list("Trigger regular expressions.", []),
        "drugs": {"type": "boolean", "default": False,
                  "description": "The names of the drugs in the 'indications' table are triggers too."},
        "exceptions": string_list("Wording that contains a trigger or a condition but is fine (respiratory depression).", []),
        "with": _wording(
            "A trigger counts only with one of these within the window (clause, sentence, paragraph, section or "
            "document), or (off_label) a drug of the table and a condition that is not among its approved indications.",
            "paragraph",
            {"off_label": {"type": "boolean", "default": False}},
        ),
        "unless": _wording("The statement that satisfies the rule, searched within the window around each trigger "
                           "(clause, sentence, paragraph, section or document).", "document"),
        "indications": {"type": "string", "minLength": 1,
                        "description": "A drug–indication table (YAML), as a path relative to the pack file."},
        "conditions": string_list("Condition words checked against a drug's indications (off_label).", []),
        "min_mentions": {"type": "integer", "minimum": 1, "default": 1,
                         "description": "The rule applies only when at least this many triggers count."},
        "heading_is_topic": {"type": "boolean", "default": False,
                             "description": "A trigger in a heading makes the topic on its own, whatever min_mentions says."},
        "report": {"enum": ["first", "each"], "default": "first",
                   "description": "first: one finding per post, at the first trigger; each: one per trigger."},
        # which triggers count: the phrase kind's options, with its defaults
        **{key: PhraseKind.options[key] for key in (
            "negation", "negators", "pseudo_negations", "negation_window", "hedged", "hedges", "questions",
            "quoted_mentions", "mention_cues")},
        **scope_options(),
    }
    # alt text and front matter repeat the body (image captions, the title): by default the rule reads the body
    options["scopes"] = {**options["scopes"], "default": ["heading", "body", "table", "footnote"]}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        o = self.opts
        self.drugs: List[Drug] = []
        self.drug_of: Dict[str, int] = {}
        with_ = o.get("with") or {}
        self.off_label = bool(with_.get("off_label"))
        if o["drugs"] or self.off_label:
            if "indications" not in o:
                raise self.error("drugs" if o["drugs"] else "with", "'drugs' and 'with: {off_label: true}' need an 'indications' table")
            self.drugs = load_table(os.path.join(os.path.dirname(os.path.abspath(self.rule.file)), o["indications"]))
            for i, drug in enumerate(self.drugs):
                for name in drug.names:
                    self.drug_of[_norm(name)] = i
        if self.off_label and not o["conditions"]:
            raise self.error("conditions", "'with: {off_label: true}' needs a 'conditions' list")
        trigger_phrases = list(o["phrases"]) + ([n for d in self.drugs for n in d.names] if o["drugs"] else [])
        if not trigger_phrases and not o["patterns"]:
            raise self.error("phrases", "a conditional rule needs 'phrases', 'patterns' or 'drugs: true'")
        for i, p in enumerate(o["patterns"]):
            self.compile_regex(p, "patterns", i, re.I)
        self.trigger = compile_phrases(trigger_phrases, o["patterns"])
        self.drug_names = compile_phrases([n for d in self.drugs for n in d.names]) if self.off_label else None
        self.conditions = compile_phrases(o["conditions"]) if self.off_label else None
        self.with_words = self._compile(with_, "with")
        self.with_within: str = with_.get("within", "paragraph")
        unless = o.get("unless") or {}
        self.unless_words = self._compile(unless, "unless")
        self.unless_within: str = unless.get("within", "document")
        if with_ and self.with_words is None and not self.off_label:
            raise self.error("with", "'with' needs 'phrases', 'patterns' or 'off_label: true'")
        if unless and self.unless_words is None:
            raise self.error("unless", "'unless' needs 'phrases' or 'patterns'")
        self.exceptions = compile_phrases(o["exceptions"])
        self.negators = compile_phrases(o["negators"]) if o["negation"] else None
        self.pseudo = compile_phrases(o["pseudo_negations"])
        self.hedges = compile_phrases(o["hedges"]) if o["hedged"] != "keep" else None
        self.cues = compile_phrases(o["mention_cues"]) if o["quoted_mentions"] == "skip" else None

    def _compile(self, spec: Dict[str, Any], key: str) -> Optional[Pattern[str]]:
        for i, p in enumerate(spec.get("patterns", [])):
            compile_user_regex(p, self.marks, self.path + (key, "patterns", i), re.I)
        return compile_phrases(spec.get("phrases", []), spec.get("patterns", []))

    # -- the check ----------------------------------------------------------------------
    def check(self, ctx: Any) -> Iterator[Finding]:
        scopes, skip = self.opts["scopes"], self.opts["skip"]
        units = [u for u in ctx.units if u.scope in scopes and not u.excluded(skip)]
        texts = [u.folded for u in units]
        whole_post = self.unless_words is not None and self.unless_within == "document"
        if whole_post and any(self.unless_words.search(t) for t in texts):
            return  # the statement is there: no trigger can be reported
        excepted = [self._spans(self.exceptions, t) for t in texts]
        sections = _sections(units)
        indications: Dict[Tuple[int, int], List[Span]] = {}  # (drug, unit) -> indication spans
        counted: List[Tuple[int, int, int, int, Dict[str, str]]] = []
        enough = 0  # with one finding at the first trigger, counting may stop once the topic is made
        if self.opts["report"] == "first" and (whole_post or self.unless_words is None) and not self.opts["heading_is_topic"]:
            enough = self.opts["min_mentions"]
        for ui, s, e, lower in self._triggers(units, texts, excepted):
            values = {"match": " ".join(units[ui].text[s:e].split())}
            if self.with_words is not None or self.off_label:
                window = _window(texts, sections, ui, s, e, self.with_within)
                found = self._companion(texts, excepted, window, self.drug_of.get(_norm(texts[ui][s:e])), indications)
                if found is None:
                    continue
                values.update(found)
            counted.append((ui, s, e, lower, values))
            if len(counted) == enough:
                break  # the first trigger is the one reported
        if len(counted) < self.opts["min_mentions"] and not (
            self.opts["heading_is_topic"] and any(units[c[0]].scope == "heading" for c in counted)
        ):
            return
        for ui, s, e, lower, values in counted:
            if self.unless_words is not None and not whole_post:
                window = _window(texts, sections, ui, s, e, self.unless_within)
                if any(self.unless_words.search(texts[wi], lo, hi) for wi, lo, hi in window):
                    continue
            yield Finding(units[ui].position(s), units[ui].end_position(e), values, lower)
            if self.opts["report"] == "first":
                return

    @staticmethod
    def _spans(pattern: Optional[Pattern[str]], text: str) -> List[Span]:
        return [(m.start(), m.end()) for m in pattern.finditer(text)] if pattern is not None else []

    def _triggers(self, units: Sequence[Any], texts: List[str], excepted: List[List[Span]]) -> List[Tuple[int, int, int, int]]:
        """``(unit, start, end, lower)`` of every trigger that counts, in document order."""
        out = []
        nav_skip = "navigation" in self.opts["skip"]
        for ui, text in enumerate(texts):
            nav = units[ui].nav_spans if nav_skip else []
            for m in self.trigger.finditer(text):
                s, e = m.start(), m.end()
                if s == e or any(a < e and s < b for a, b in excepted[ui]) or any(a <= s and e <= b for a, b in nav):
                    continue
                lower = in_context(text, s, e, self)
                if lower is None:
                    continue
                out.append((ui, s, e, lower))
        return out

    def _companion(
        self, texts: List[str], excepted: List[List[Span]], window: Window, drug: Optional[int],
        indications: Dict[Tuple[int, int], List[Span]],
    ) -> Optional[Dict[str, str]]:
        """What makes a trigger count within ``window``: ``{}`` for a ``with`` word, the off-label pair's
        placeholders, or None. For a trigger that is a drug's name only that drug is paired.
        ``indications`` caches each drug's indication spans per unit."""
        if self.with_words is not None and any(self.with_words.search(texts[wi], lo, hi) for wi, lo, hi in window):
            return {}
        if not self.off_label:
            return None
        assert self.drug_names is not None and self.conditions is not None
        drugs = [drug] if drug is not None else []
        conditions: List[Tuple[int, int, int]] = []
        for wi, lo, hi in window:
            text = texts[wi]
            if drug is None:
                drugs += [self.drug_of[_norm(m.group())] for m in self.drug_names.finditer(text, lo, hi)]
            for m in self.conditions.finditer(text, lo, hi):
                if not any(a < m.end() and m.start() < b for a, b in excepted[wi]):
                    conditions.append((wi, m.start(), m.end()))
        for d in dict.fromkeys(drugs):
            entry = self.drugs[d]
            for wi, s, e in conditions:
                if (d, wi) not in indications:
                    indications[d, wi] = self._spans(entry.indications, texts[wi])
                if not any(a <= s and e <= b for a, b in indications[d, wi]):
                    condition = " ".join(texts[wi][s:e].split())
                    return {"drug": entry.drug, "condition": condition, "approved": entry.approved_for}
        return None


def _sections(units: Sequence[Any]) -> List[int]:
    """Per unit, the number of the section it sits in (a heading starts a new section)."""
    out, current = [], 0
    for u in units:
        if u.scope == "heading":
            current += 1
        out.append(current)
    return out


def _window(texts: List[str], sections: List[int], ui: int, s: int, e: int, within: str) -> Window:
    """The ``(unit, start, end)`` pieces of text around ``[s, e)`` of unit ``ui`` that ``within`` names."""
    if within == "document":
        return [(i, 0, len(t)) for i, t in enumerate(texts)]
    if within == "section":
        return [(i, 0, len(t)) for i, t in enumerate(texts) if sections[i] == sections[ui]]
    text = texts[ui]
    if within == "paragraph":
        return [(ui, 0, len(text))]
    ends = _SENTENCE_END if within == "sentence" else _CLAUSE_END
    lo = 0
    for m in ends.finditer(text, 0, s):
        lo = m.end()
    m = ends.search(text, e)
    return [(ui, lo, m.start() if m else len(text))]
