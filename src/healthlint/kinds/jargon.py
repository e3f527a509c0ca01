"""The ``jargon`` rule kind: technical terms a post never explains.

A term (``phrases``/``patterns``, matched like the ``phrase`` kind: whole
words, any letter case unless ``case_sensitive``) counts as explained where
one of its uses is, in the same sentence:

* followed within ``window`` words by one of ``explained_after`` (a
  parenthesis in words, "which means", ", or ...", a dash, "is a ...");
* preceded by one of ``explained_before`` ("called", "known as", or an
  opening parenthesis after the plain words);
* or when the next sentence starts with one of ``explained_next`` ("This
  means", "In other words").

A term explained once is explained for the whole post. For a term never
explained, one finding at its first use (later uses repeat the same
problem). Letter case aside, each distinct wording is a term of its own.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Pattern, Set, Tuple

from ..matching import clause_before
from .base import Finding, RuleKind, scope_options, string_list

DEFAULT_AFTER = [
    r"\((?![^()]*\b\d{4}\b)[^()]*\b(?-i:[a-z]{3,})",  # a parenthesis in plain words: "receptors (docking sites"
    r"^\s*[—–]\s*\w|^\s+-\s+\w",  # a dash aside: "neuroplasticity—the brain's ability"
    r"^\s*:\s+\w",  # "anhedonia: the loss of pleasure"
    r"^[^.!?]*?,\s*(?:which|that)\s+(?:means?|is|are|refers?\s+to|describes?)\b",
    r"^\s*,?\s*(?:meaning|i\.\s?e\.|that\s+is(?:\s+to\s+say)?|in\s+other\s+words|also\s+called|also\s+known\s+as)\b",
    r"^\s*,\s*or\s+\w",  # "anhedonia, or losing interest"
    r"^\s*(?:is|are)\s+(?:a|an|the|when|what|how)\b|^\s*(?:means|refers\s+to|describes)\b",
]
DEFAULT_BEFORE = [
    r"\(\s*[\"“']?$",  # the plain words first: "docking sites on nerve cells (NMDA receptors)"
    r"\b(?:call|calls|called|known\s+as|termed|named|so-called|the\s+term|the\s+word)\s*[\"“']?$",
]
DEFAULT_NEXT = [
    r"^\s*(?:this|that)\s+means\b",
    r"^\s*in\s+other\s+words\b",
    r"^\s*(?:put\s+simply|simply\s+put|in\s+plain\s+(?:english|words|terms|language))\b",
    r"^\s*(?:these|those)\s+are\b",
]
_SENTENCE_END = re.compile(r"[.!?](?=[\s\"'”’)]|$)")
_TOKEN = re.compile(r"\S+")


class JargonKind(RuleKind):
    """Technical terms used without a plain explanation (one finding per term, at its first use)."""

    name = "jargon"
    placeholders = ("match", "term")
    options: Dict[str, Any] = {
        "phrases": string_list("The terms, as phrases.", []),
        "patterns": string_list("The terms, as regular expressions.", []),
        "case_sensitive": {"type": "boolean", "default": False, "description": "Match letter case exactly."},
        "explained_after": string_list(
            "Regular expressions (case-insensitive) searched in the rest of the term's sentence, within "
            "'window' words: a match means the term is explained there.", DEFAULT_AFTER),
        "explained_before": string_list(
            "Regular expressions (case-insensitive) matched at the end of the text before the term in its "
            "clause ('called', 'known as').", DEFAULT_BEFORE),
        "explained_next": string_list(
            "Regular expressions (case-insensitive) matched at the start of the next sentence ('This means').",
            DEFAULT_NEXT),
        "window": {"type": "integer", "minimum": 1, "maximum": 40, "default": 8,
                   "description": "How many words after the term an explanation may start."},
        **scope_options(),
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        o = self.opts
        self.matcher = self.compile_wording("jargon", o["case_sensitive"])
        self.after = self._compile("explained_after")
        self.before = self._compile("explained_before")
        self.next = self._compile("explained_next")

    def _compile(self, key: str) -> List[Pattern[str]]:
        out = []
        for i, p in enumerate(self.opts[key]):
            out.append(self.compile_regex(p, key, i, re.I))
        return out

    def _explained(self, units: List[Any], k: int, s: int, e: int) -> bool:
        text = units[k].folded
        end_m = _SENTENCE_END.search(text, e)
        sentence_end = end_m.start() if end_m else len(text)
        rest = text[e:sentence_end]
        tokens = list(_TOKEN.finditer(rest))
        window = self.opts["window"]
        if len(tokens) > window:
            rest = rest[: tokens[window - 1].end()]
        if any(p.search(rest) for p in self.after):
            return True
        before = clause_before(text, s) if s else ""
        if s and text[s - 1 : s] == "(":
            before = before + "("
        if any(p.search(before) for p in self.before):
            return True
        if end_m is not None:
            following = text[end_m.end():]
        elif k + 1 < len(units):
            following = units[k + 1].folded
        else:
            following = ""
        return any(p.search(following[:200]) for p in self.next)

    def check(self, ctx: Any) -> Iterator[Finding]:
        scopes, skip = self.opts["scopes"], self.opts["skip"]
        units = [u for u in ctx.units if u.scope in scopes and not u.excluded(skip)]
        first: Dict[str, Tuple[Any, int, int]] = {}
        explained: Set[str] = set()
        for k, unit in enumerate(units):
            text = unit.folded
            nav = unit.nav_spans if "navigation" in skip else []
            for m in self.matcher.finditer(text):
                s, e = m.start(), m.end()
                if s == e or any(a <= s and e <= b for a, b in nav):
                    continue
                term = " ".join(m.group(0).split())
                key = term if self.opts["case_sensitive"] else term.casefold()
                if key in explained:
                    continue
                if self._explained(units, k, s, e):
                    explained.add(key)
                    continue
                first.setdefault(key, (unit, s, e))
        for key, (unit, s, e) in sorted(first.items(), key=lambda item: item[1][0].position(item[1][1])):
            if key in explained:
                continue
            shown = " ".join(unit.text[s:e].split())
            yield Finding(unit.position(s), unit.end_position(e), {"match": shown, "term": shown})
