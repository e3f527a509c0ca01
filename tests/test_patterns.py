"""Phrase lists compiled as a trie, and user regular expressions checked at load.

The trie must find exactly what the plain alternation of the phrases (longest first) finds:
the matching conventions of :mod:`healthlint.matching` do not change with the list's shape.
"""

from __future__ import annotations

import random
import re
from typing import List, Tuple

try:  # Python 3.11+
    from re import _constants as sre_constants, _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

import pytest

from healthlint.prose import fold
from healthlint.matching import AFTER, BEFORE, compile_phrases, phrase_order, phrase_regex, phrase_trie


def plain(phrases: List[str], case_sensitive: bool = False) -> "re.Pattern[str]":
    """The reference matcher: one alternative per phrase, longest first, nothing shared."""
    body = "|".join(phrase_regex(p) for p in phrase_order(phrases))
    return re.compile(f"{BEFORE}(?:{body}){AFTER}", 0 if case_sensitive else re.I)


def spans(pattern: "re.Pattern[str]", text: str) -> List[Tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


TABLE = [
    # (phrases, text): shared prefixes, a phrase inside a longer one, hyphen and apostrophe joining
    (["cure", "cures", "cured", "cure-all"], "It cures. A cure-all! Salt-cured ham, cure's cost, CURED."),
    (["no risk", "no", "no risk at all"], "There is no  risk\nat all, no risk, and no."),
    (["100%", "100% effective", "100 mg"], "Take 100 mg: it is 100 % effective, 100%, 100%-ish, 1000%."),
    (["risk-free", "risk free", "risk"], "Risk-free, risk free, risk–free and risk."),
    (["don't", "don't worry", "do"], "Don’t worry, don't, do it, don'ts."),
    (["miracle", "Miracle cure", "MIRACLE CURES"], "A miracle cure, miracle cures and the miracle."),
    (["ſtrong", "strong", "ıt", "it", "µg", "μg"], "STRONG ſtrong It ıt 5 µg 5 μg 5 Μg"),
    (["5 % off", "5%", "5 %"], "Get 5 % off, 5 %, 5% today."),
    # two branches that can match the same character: the longer phrase still wins
    (["5% off", "5 %"], "Get 5 % off, or 5 % today."),
    (["s", "ſ x"], "s x, S X and s."),
    (["Straße", "strasse", "İstanbul"], "Die STRASSE, die Straße, in İstanbul and istanbul."),
    (["a", "a b", "a b c", "b c"], "a b c a b a bc b c"),
]


@pytest.mark.parametrize("phrases, text", TABLE)
@pytest.mark.parametrize("case_sensitive", [False, True])
def test_trie_finds_what_the_plain_alternation_finds(phrases: List[str], text: str, case_sensitive: bool) -> None:
    expected = spans(plain(phrases, case_sensitive), text)
    assert spans(compile_phrases(phrases, case_sensitive=case_sensitive), text) == expected
    if not case_sensitive:
        assert expected, "each table row has at least one match"


def test_trie_agrees_with_the_plain_alternation_on_random_lists() -> None:
    """Random lists and texts over an alphabet full of traps: letters that fold together ignoring case
    (s/ſ/S, i/ı/İ, k/K), digits and per cent signs, hyphens, apostrophes and runs of spaces."""
    rnd = random.Random(20240607)
    alphabet = "abcsſSkKiıİ1%-'’ "
    checked = 0
    for _ in range(4000):
        phrases = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 6))) for _ in range(rnd.randint(1, 12))]
        if not any(p.strip() for p in phrases):
            continue
        case_sensitive = rnd.random() < 0.3
        text = "".join(rnd.choice(alphabet + "\n.") for _ in range(rnd.randint(0, 60)))
        text = fold(text)  # rule kinds match the folded text
        found = spans(compile_phrases(phrases, case_sensitive=case_sensitive), text)
        assert found == spans(plain(phrases, case_sensitive), text), (phrases, case_sensitive, text)
        checked += bool(found)
    assert checked > 500  # the texts do contain matches


def test_trie_shares_prefixes() -> None:
    source = phrase_trie(["cure", "cures", "cured", "cure-all"])
    assert source.count("cure") == 1
    # a thousand phrases give one branch per first letter at the top, not a thousand alternatives
    words = [f"{a}{b}{c}word" for a in "abcdefghij" for b in "abcdefghij" for c in "abcdefghij"]
    top = sre_parse.parse(phrase_trie(words))
    op, (_, alternatives) = top[0]
    assert op is sre_constants.BRANCH and len(alternatives) == 10


def test_longest_phrase_wins_at_a_position() -> None:
    matcher = compile_phrases(["no", "no risk", "no risk at all"])
    assert [m.group() for m in matcher.finditer("no risk at all; no risk; no")] == ["no risk at all", "no risk", "no"]


def test_phrases_and_patterns_share_one_matcher() -> None:
    matcher = compile_phrases(["cure"], [r"\$\d+"])
    assert [m.group() for m in matcher.finditer("A cure for $450.")] == ["cure", "$450"]
