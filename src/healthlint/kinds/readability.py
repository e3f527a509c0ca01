"""The ``readability`` rule kind: the reading grade of a post's body prose.

The text scored is what a reader reads as running prose: paragraphs, list
items and block quotes (the ``body`` scope). Headings, tables, image alt
text, footnotes, front matter, code, HTML comments, the reference list and
Previous/Next links are left out, and so are URLs, in-text citations
("(Feder et al., 2014)", "[3]", superscript numbers) and fragments of fewer
than three words (a list of symptoms is not a sentence). The periods of
common abbreviations (e.g., et al., Dr.) and decimal points are dropped so
that they do not end sentences.

The grade comes from the maintained ``textstat`` library: Flesch–Kincaid
grade by default (``0.39 × words/sentence + 11.8 × syllables/word − 15.59``),
or the Coleman–Liau index or the Automated Readability Index, which count
letters instead of syllables. All three give a US school grade.

One finding per post, at line 1, column 1 with no end, like every other
finding about the whole post (a ``healthlint-disable`` comment where the
body starts silences it). ``levels`` maps severities to the grade above
which the post is reported at that severity; the rule's own severity must be
the highest level listed. A configured severity shifts every level by the
same step. Posts with fewer than ``min_words`` scored words are not scored
(the formulas mean little on a few sentences), nor are texts that do not
read as English (mostly another script, or fewer common English function
words than those of other languages): the formulas are for English.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Tuple

from ..diagnostic import SEVERITIES, severity_rank
from ..parsing.tree import OBJ
from .base import Finding, RuleKind

METRICS = {
    "flesch-kincaid-grade": ("flesch_kincaid_grade", "Flesch–Kincaid grade"),
    "coleman-liau-index": ("coleman_liau_index", "Coleman–Liau index"),
    "automated-readability-index": ("automated_readability_index", "Automated Readability Index"),
}

# In-text citations and footnote-like numbers: not prose a reader has to parse.
_CITATION = re.compile(
    r"\((?:[^()]*?\b(?:1[6-9]|20)\d\d[a-z]?|[^()]*\bn\.d\.)[^()]*\)"  # (Feder et al., 2014), (WHO, n.d.)
    r"|\[\s*\d+(?:\s*[,–-]\s*\d+)*\s*\]"  # [3], [2, 3], [4–6]
)
# Abbreviations whose period does not end a sentence.
_ABBREVIATIONS = re.compile(
    r"\b(?:e\.g|i\.e|et al|etc|vs|approx|incl|Dr|Drs|Mr|Mrs|Ms|Prof|St|No|Fig|cf|ca|U\.S|U\.K|a\.m|p\.m)\.(?=\s|,|;|\)|$)",
    re.I,
)
_DECIMAL = re.compile(r"(?<=\d)[.,](?=\d)")
_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]+(?:['’][A-Za-z]+)?")
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
# The most frequent function words of English and of other languages written in the Latin alphabet
# (Spanish, French, German, Italian, Portuguese, Dutch, Polish, Hungarian; words English shares, such as
# "in", left out):
# a text with fewer English ones than others, or mostly in another script, is not English.
_ENGLISH = frozenset(
    "the of and to a in is that for it with as are on be this you your by or at from can not have "
    "an was but they their we our more may will if has about which when there what these who how "
    "its also do does than many some into most".split()
)
_OTHER = frozenset(
    "de la que el en y los se del las por un para con una su al lo como más pero sus le ya este sí porque esta "
    "entre cuando muy sin sobre también hasta hay donde les des du et est une qui dans pour pas sur au avec ce "
    "il elle sont par plus leur ou mais nous vous der und den von zu das mit sich auf für ist im dem nicht ein "
    "eine als auch werden aus er dass sie nach wird bei oder sind kann di che è della sono non gli nel alla "
    "degli delle não do da em um é os no na mais dos mas ao pela pelo het een van op te zijn voor niet aan "
    "ook bij maar dit wordt nie się że jest jak są dla czy przez ale jej jego także oraz może az és hogy nem egy "
    "meg van ez vagy csak már mint nagyon lehet kell".split()
)
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")


def _strip_abbreviation(m: "re.Match[str]") -> str:
    return m.group(0).replace(".", "")


def prose_text(units: List[Any]) -> Tuple[str, int]:
    """The scored text of the post (one line per block) and its word count."""
    sentences: List[str] = []
    count = 0
    for unit in units:
        if unit.scope != "body" or unit.in_references:
            continue
        text = unit.text
        # Previous/Next links are navigation and superscripts are note numbers: neither is prose
        drop = list(unit.nav_spans)
        if unit.block is not None:
            drop += [(m.start, m.end) for m in unit.block.marks if m.kind == "sup"]
        if drop:
            keep = [True] * len(text)
            for start, end in drop:
                keep[start:end] = [False] * (end - start)
            text = "".join(c if k else " " for c, k in zip(text, keep))
        text = text.replace(OBJ, " ")
        text = _CITATION.sub(" ", text)
        text = _ABBREVIATIONS.sub(_strip_abbreviation, text)
        text = _DECIMAL.sub("", text)
        text = " ".join(text.split())
        words = len(_WORD.findall(text))
        if words < 3:
            continue
        if not _ENDS_SENTENCE.search(text):
            text = text.rstrip(":;,–—- ") + "."
        sentences.append(text)
        count += words
    return "\n".join(sentences), count


def is_english(text: str) -> bool:
    """True unless ``text`` reads as another language: mostly another script, or fewer common English
    function words (the, of, and...) than common function words of other languages (de, la, und...)."""
    letters = _LETTER.findall(text)
    if not letters or len(_LATIN.findall(text)) < 0.8 * len(letters):
        return False
    english = other = 0
    for w in _WORD.findall(text):
        w = w.lower()
        if w in _ENGLISH:
            english += 1
        elif w in _OTHER:
            other += 1
    return english > other


class ReadabilityKind(RuleKind):
    """The reading grade of the post's body prose, one finding per post above a level."""

    name = "readability"
    document_level = True
    placeholders = ("grade", "target", "limit", "metric", "words")
    options: Dict[str, Any] = {
        "metric": {
            "enum": list(METRICS),
            "default": "flesch-kincaid-grade",
            "description": "The grade formula (textstat): flesch-kincaid-grade (syllables), coleman-liau-index "
                           "or automated-readability-index (letters).",
        },
        "levels": {
            "type": "object",
            "propertyNames": {"enum": list(SEVERITIES)},
            "additionalProperties": {"type": "number", "minimum": 0},
            "minProperties": 1,
            "default": {"warning": 12},
            "description": "Severity -> grade: above that grade the post is reported at that severity (the "
                           "highest grade passed wins). The rule's severity must be the highest level listed.",
        },
        "min_words": {
            "type": "integer",
            "minimum": 1,
            "default": 100,
            "description": "Posts with fewer scored words are not scored.",
        },
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        levels: Dict[str, float] = self.opts["levels"]
        own = severity_rank(self.rule.severity)
        for level in levels:
            if severity_rank(level) > own:
                raise self.error("levels", f"the level '{level}' is above the rule's severity '{self.rule.severity}'")
        if self.rule.severity not in levels:
            raise self.error("levels", f"the levels must include the rule's severity '{self.rule.severity}'")
        # (grade, how many severity levels below the rule's), the highest grade first
        self.levels: List[Tuple[float, int]] = sorted(
            ((float(grade), own - severity_rank(level)) for level, grade in levels.items()), reverse=True)
        self.target = min(grade for grade, _ in self.levels)

    def check(self, ctx: Any) -> Iterator[Finding]:
        key = ("readability", self.opts["metric"])
        cached = ctx.cache.get(key)
        if cached is None:
            text, words = prose_text(ctx.units)
            grade = None
            if words >= 1 and is_english(text):
                grade = score(text, self.opts["metric"])
            cached = ctx.cache[key] = (grade, words)
        grade, words = cached  # type: ignore[misc]
        if grade is None or words < self.opts["min_words"]:
            return
        for limit, lower in self.levels:
            if grade > limit:
                yield Finding((1, 1), None, {
                    "grade": f"{grade:.1f}",
                    "target": _number(self.target),
                    "limit": _number(limit),
                    "metric": METRICS[self.opts["metric"]][1],
                    "words": str(words),
                }, lower)
                return



def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def score(text: str, metric: str) -> float:
    """The grade of ``text`` by ``metric`` (see :data:`METRICS`), from textstat, unrounded."""
    import textstat  # imported on first use: it loads a pronouncing dictionary

    stats = _textstat(textstat)
    if metric == "flesch-kincaid-grade":
        return _flesch_kincaid(stats, text)
    return float(getattr(stats, METRICS[metric][0])(text))


def _flesch_kincaid(stats: Any, text: str) -> float:
    """textstat's Flesch–Kincaid grade, with each distinct word's syllables counted once per run.

    0.39 × words per sentence + 11.8 × syllables per word − 15.59, from textstat's own counts
    (``lexicon_count``, ``sentence_count``, ``syllable_count``); the same value as
    ``flesch_kincaid_grade`` (a test compares them), without counting "the" again in every post.
    """
    words = stats.lexicon_count(text, removepunct=True)
    sentences = stats.sentence_count(text)
    if not words or not sentences:
        return 0.0
    syllables = sum(_syllables(stats, token) for token in text.split())
    if not syllables:
        return 0.0
    return 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59


_SYLLABLES: Dict[str, int] = {}


def _syllables(stats: Any, token: str) -> int:
    count = _SYLLABLES.get(token)
    if count is None:
        count = _SYLLABLES[token] = stats.syllable_count(token)
    return count


_STATS: Dict[str, Any] = {}


def _textstat(module: Any) -> Any:
    """One textstat instance for English without rounding (the module's own default rounds)."""
    stats = _STATS.get("en")
    if stats is None:
        stats = module.textstat.__class__()
        stats.set_lang("en_US")
        if hasattr(stats, "set_rounding_points"):  # textstat 0.7.6 and later
            stats.set_rounding_points(None)
        else:  # pragma: no cover - textstat 0.7.5
            stats.set_rounding(False)
        _STATS["en"] = stats
    return stats
