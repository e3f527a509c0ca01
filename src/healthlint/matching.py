"""Phrase lists compiled into one matcher, and the context tests rules share.

Matching conventions (shared by every rule kind):

* whole words: no letter, digit or ``_`` right before or after a match, and
  a hyphen or apostrophe between two letters joins words, so ``salt-cured``
  holds no ``cured`` while a listed ``risk-free`` matches;
* a space in a phrase matches any run of whitespace, line breaks included;
* curly and straight apostrophes and hyphen variants are interchangeable
  (the text is folded by :func:`healthlint.prose.fold` before matching);
* case-insensitive unless asked otherwise, without changing the text's length;
* longest first: where several phrases match at one place, the longest is the match.

A phrase list compiles into one regex shaped as a trie (:func:`phrase_trie`), so
a rule's cost hardly grows with the length of its list.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Dict, Iterable, List, Optional, Pattern, Sequence, Tuple

BEFORE = r"(?<!\w)(?<!\w[-'])"
AFTER = r"(?!\w)(?![-']\w)"
_WORD = re.compile(r"[\w'-]+")
_TOKEN = re.compile(r"\S+")
# Clause boundaries for negation and hedging look-back.
_CLAUSE = re.compile(r"[.;:!?()\u2014\u2013]|,\s|\bbut\b|\bhowever\b|\balthough\b", re.I)


def phrase_regex(phrase: str) -> str:
    """Regex source for one phrase (no word boundaries): words joined by ``\\s+``."""
    return "".join(phrase_tokens(phrase, case_sensitive=True))


# The tokens of a phrase besides single characters: the space between two words, and a per cent
# sign right after a digit ("100%" also matches "100 %": a space, often a no-break one, before it).
_SPACE = r"\s+"
_PERCENT = r"\s?%"


def phrase_tokens(phrase: str, case_sensitive: bool = False) -> List[str]:
    """The regex tokens of one phrase, in order: one per character, ``\\s+`` between words.

    Case-insensitive tokens are lower-cased where that keeps one character: the regex
    engine compiles ``C`` and ``c`` alike under IGNORECASE, and the trie then shares them.
    """
    return _tokens(fold_phrase(phrase), case_sensitive)


def _tokens(folded: str, case_sensitive: bool) -> List[str]:
    tokens: List[str] = []
    for i, word in enumerate(folded.split()):
        if i:
            tokens.append(_SPACE)
        prev = ""
        for ch in word:
            tokens.append(_PERCENT if ch == "%" and prev.isdigit() else _char_token(ch, case_sensitive))
            prev = ch
    return tokens


@functools.lru_cache(maxsize=4096)
def _char_token(ch: str, case_sensitive: bool) -> str:
    low = ch.lower()
    return re.escape(ch if case_sensitive or len(low) != 1 else low)


def fold_phrase(phrase: str) -> str:
    """A phrase folded as :func:`healthlint.prose.fold` folds texts (apostrophes, hyphens, spaces)."""
    from .prose import fold

    return fold(phrase)


def phrase_order(phrases: Iterable[str]) -> List[str]:
    """Distinct non-empty phrases, longest first (ties alphabetical): the order matches are tried in.

    Length counts the phrase with its spaces collapsed, so it is the number of its tokens.
    """
    distinct = {" ".join(fold_phrase(p).split()) for p in phrases if p.strip()}
    return sorted(distinct, key=lambda p: (-len(p), p))


def phrase_trie(phrases: Sequence[str], case_sensitive: bool = False) -> str:
    """Regex source matching any of ``phrases``, longest first, with shared prefixes factored out.

    ``trie(["cure", "cures", "cured"])`` is ``cure(?:[sd])?``-like: at each position the
    engine follows the one branch the next character allows instead of trying every phrase
    in turn, so a list of 1,000 phrases costs little more than a list of 50. The source
    matches exactly what the plain alternation of :func:`phrase_regex` in
    :func:`phrase_order` matches (tests/test_patterns.py checks it): where two branches
    could both match the same character (``100%`` and ``100 mg`` both allow a space after
    ``100``; ``s`` and ``ſ`` are one letter ignoring case), that part falls back to the
    plain alternation in that order.
    """
    flags = 0 if case_sensitive else re.IGNORECASE
    root: _Node = _Node()
    for rank, phrase in enumerate(phrase_order(phrases)):
        node = root
        for token in _tokens(phrase, case_sensitive):  # phrase_order folded it
            node = node.children.setdefault(token, _Node())
        if node.end is None:
            node.end = rank
    return root.source(flags)


class _Node:
    """A node of a phrase trie: the tokens that may follow, and whether a phrase ends here."""

    __slots__ = ("children", "end")

    def __init__(self) -> None:
        self.children: Dict[str, "_Node"] = {}
        self.end: Optional[int] = None  # the rank of the phrase that ends here (its place in phrase_order)

    def source(self, flags: int) -> str:
        """Regex source of the phrases' rest from this node on (a chain of single letters in one go)."""
        chain = []
        node = self
        while node.end is None and len(node.children) == 1:
            token, node = next(iter(node.children.items()))
            chain.append(token)
        return "".join(chain) + node._branches(flags)

    def _branches(self, flags: int) -> str:
        if not self.children:
            return ""
        if _overlapping(list(self.children), flags):
            # Two branches may match the same text: the plain alternation, longest suffix first.
            suffixes = sorted(self.suffixes())
            alternatives = ["".join(tokens) for _rank, tokens in suffixes if tokens]
            body = "(?:" + "|".join(alternatives) + ")"
        else:
            alternatives = [token + child.source(flags) for token, child in sorted(self.children.items())]
            body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
            if self.end is not None and len(alternatives) == 1:
                body = "(?:" + body + ")"
        # A phrase that ends here is tried last: every phrase below is longer.
        return body + "?" if self.end is not None else body

    def suffixes(self) -> List[Tuple[int, List[str]]]:
        """``(rank, tokens)`` of every phrase from this node down (empty tokens: ends here)."""
        out = [(self.end, [])] if self.end is not None else []
        for token, child in self.children.items():
            out += [(rank, [token] + rest) for rank, rest in child.suffixes()]
        return out


def _overlapping(tokens: List[str], flags: int) -> bool:
    """True when two of ``tokens`` can match the same character."""
    if len(tokens) < 2:
        return False
    if _PERCENT in tokens and (_SPACE in tokens or "%" in tokens):
        return True
    if not flags & re.IGNORECASE:
        return False  # distinct characters, and \s+ never matches a character of a word
    # Under IGNORECASE a few letters match others beyond their lower case (s and ſ, i and ı, µ and μ).
    odd = [t for t in tokens if len(t) == 1 and not t.isascii() and t.lower() != t.upper()]
    for a in odd:
        for b in tokens:
            if b != a and len(b) == 1 and b.lower() != b.upper() and (
                re.fullmatch(re.escape(a), b, flags) or re.fullmatch(re.escape(b), a, flags)
            ):
                return True
    return False


def compile_phrases(
    phrases: Sequence[str], patterns: Sequence[str] = (), case_sensitive: bool = False, boundaries: bool = True
) -> Optional[Pattern[str]]:
    """One regex for a whole phrase list (a trie, longest phrases first), or None when empty.

    ``patterns`` are regular expressions added as they are, after the phrases (already
    validated: see :mod:`healthlint.regexsafety`). Built once per distinct list and reused
    (rules share their negators, hedges and cues).
    """
    return _compile_phrases(tuple(phrases), tuple(patterns), case_sensitive, boundaries)


@functools.lru_cache(maxsize=1024)
def _compile_phrases(
    phrases: Tuple[str, ...], patterns: Tuple[str, ...], case_sensitive: bool, boundaries: bool
) -> Optional[Pattern[str]]:
    alternatives = [phrase_trie(phrases, case_sensitive)] if any(p.strip() for p in phrases) else []
    alternatives += [f"(?:{p})" for p in patterns]
    if not alternatives:
        return None
    body = "|".join(alternatives)
    source = f"{BEFORE}(?:{body}){AFTER}" if boundaries else f"(?:{body})"
    if not patterns:
        # A first-character class lets the regex engine skip most positions quickly.
        firsts = {fold_phrase(p.strip())[0] for p in phrases if p.strip()}
        chars = set()
        for c in firsts:
            chars.update({c, c.lower(), c.upper()} if not case_sensitive else {c})
        source = "(?=[" + "".join(re.escape(c) for c in sorted(chars) if len(c) == 1) + "])" + source
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(source, flags)


_BOUNDARY_CHARS = ".;:!?()\u2014\u2013"
_CONJUNCTION = re.compile(r"\b(?:but|however|although)\b", re.I)


def clause_before(text: str, start: int, limit: int = 120) -> str:
    """The text of the clause that ends at ``start`` (at most ``limit`` characters back)."""
    lo = max(0, start - limit)
    cut = max(text.rfind(c, lo, start) for c in _BOUNDARY_CHARS)
    comma = text.rfind(", ", lo, start)
    cut = max(cut + 1 if cut >= 0 else lo, comma + 2 if comma >= 0 else lo, lo)
    window = text[cut:start]
    last = None
    for last in _CONJUNCTION.finditer(window):
        pass
    if last is not None:
        window = window[last.end() :]
    return window


def clause_after(text: str, end: int, limit: int = 120) -> str:
    window = text[end : end + limit]
    m = _CLAUSE.search(window)
    return window[: m.start()] if m else window


def words(text: str) -> List[str]:
    return [w.lower() for w in _WORD.findall(text)]


def preceded_by(
    text: str, start: int, cues: Optional[Pattern[str]], window: int, pseudo: Optional[Pattern[str]] = None
) -> bool:
    """True when a cue phrase occurs among the last ``window`` words of the clause before ``start``."""
    if cues is None:
        return False
    clause = clause_before(text, start)
    tokens = list(_TOKEN.finditer(clause))
    if window and len(tokens) > window:
        clause = clause[tokens[-window].start() :]
    if pseudo is not None:
        clause = pseudo.sub(" ", clause)
    return cues.search(clause) is not None


def near(text: str, start: int, end: int, targets: Pattern[str], window: int) -> bool:
    """True when ``targets`` matches the match itself or within ``window`` words around it in the same clause."""
    before = clause_before(text, start)
    tb = list(_TOKEN.finditer(before))
    if window and len(tb) > window:
        before = before[tb[-window].start() :]
    after = clause_after(text, end)
    ta = list(_TOKEN.finditer(after))
    if window and len(ta) > window:
        after = after[: ta[window - 1].end()]
    return bool(targets.search(before + " " + text[start:end] + " " + after))


_OPEN_QUOTES = "\u201c\""
_CLOSE_QUOTES = "\u201d\""


def quoted_span(text: str, start: int, end: int) -> Optional[Tuple[int, int]]:
    """The ``(open, close)`` indexes of double quotes around ``[start, end)`` in the same sentence, if any.

    Looking back from ``start`` (at most 200 characters), the nearest of an opening quote, a
    closing curly quote and a sentence end (``.``, ``!``, ``?`` or a line break before a space)
    decides: only an opening quote opens the span.
    """
    lo = max(0, start - 200)
    open_at = max(text.rfind(q, lo, start) for q in _OPEN_QUOTES)
    if open_at < 0 or open_at < text.rfind("\u201d", lo, start):
        return None
    if open_at < max(text.rfind(b, lo, start) for b in _SENTENCE_BREAKS):
        return None
    if text[open_at] == '"' and text[lo:open_at].count('"') % 2 == 1:
        return None  # that straight quote closes an earlier quotation
    stop = min(len(text), end + 200)
    closes = [j for j in (text.find(q, end, stop) for q in _CLOSE_QUOTES) if j >= 0]
    return (open_at, min(closes)) if closes else None


_SENTENCE_BREAKS = (". ", "! ", "? ", "\n ")


_LIST_SEP = re.compile(r"[\"\u201d]\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)$")


def quoted_list_start(text: str, open_at: int) -> int:
    """Where a list of quoted items that ends with the quote opening at ``open_at`` starts.

    In ``avoid words like "cure", "miracle" and "guaranteed"`` the cue stands
    before the first item, so each item's look-back starts there.
    """
    pos = open_at
    for _ in range(50):
        before = text[max(0, pos - 40) : pos]
        m = _LIST_SEP.search(before)
        if m is None:
            break
        close = pos - len(before) + m.start()
        j = close - 1
        while j >= 0 and close - j <= 80 and text[j] not in _OPEN_QUOTES:
            j -= 1
        if j < 0 or close - j > 80:
            break
        pos = j
    return pos


def cue_regex(cues: Iterable[str]) -> Optional[Pattern[str]]:
    return compile_phrases(list(cues))


_INTERROGATIVES = {
    "is", "are", "was", "were", "can", "could", "does", "do", "did", "will", "would", "should",
    "has", "have", "may", "might", "which", "what", "what's", "who", "whether",
}
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")


def neutral_question(text: str, start: int, end: int) -> bool:
    """True when ``[start, end)`` sits in a yes/no or open question ("Is ketamine safe?").

    "Why"/"How" questions presume the claim and are not neutral.
    """
    lo = max(0, start - 200)
    for m in _SENTENCE_END.finditer(text, lo, start):
        lo = m.end()
    m = _SENTENCE_END.search(text, end, end + 200)
    if m is None or text[m.start()] != "?":
        return False
    first = re.match(r"\W*([\w']+)", text[lo:start + 1])
    return bool(first) and first.group(1).lower() in _INTERROGATIVES


def in_context(text: str, start: int, end: int, rule: Any) -> Optional[int]:
    """How a match at ``text[start:end]`` counts, from its context: None when it does not count, else
    how many severity levels to lower it (1 when hedged and the rule lowers hedged claims, else 0).

    A match does not count when negated (``rule.negators`` within ``rule.opts["negation_window"]``
    words before it, ``rule.pseudo`` pseudo-negations aside), hedged with ``hedged: ignore``, in a
    neutral question (``questions: skip``), or quoted after a cue (``rule.cues``: "avoid words like").
    ``rule`` is a phrase-like rule kind (the ``phrase`` and ``conditional`` kinds).
    """
    opts = rule.opts
    if rule.negators is not None and preceded_by(text, start, rule.negators, opts["negation_window"], rule.pseudo):
        return None
    lower = 0
    if rule.hedges is not None and preceded_by(text, start, rule.hedges, 0, None):
        if opts["hedged"] == "ignore":
            return None
        lower = 1
    if opts["questions"] == "skip" and neutral_question(text, start, end):
        return None
    if rule.cues is not None:
        span = quoted_span(text, start, end)
        if span is not None and preceded_by(text, quoted_list_start(text, span[0]), rule.cues, 0, None):
            return None
    return lower
