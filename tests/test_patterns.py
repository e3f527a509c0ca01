"""Phrase lists compiled as a trie, and user regular expressions checked at load.

The trie must find exactly what the plain alternation of the phrases (longest first) finds:
the matching conventions of :mod:`healthlint.matching` do not change with the list's shape.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

try:  # Python 3.11+
    from re import _constants as sre_constants, _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

import pytest

from healthlint.prose import fold
from healthlint.errors import HealthlintError, HealthlintErrors
from healthlint.matching import AFTER, BEFORE, compile_phrases, phrase_order, phrase_regex, phrase_trie, quoted_span
from healthlint.packs import builtin_pack_files, load_packs
from healthlint.regexsafety import check


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


# -- user regular expressions: catastrophic backtracking is refused at load -----------------

UNSAFE = [
    # (pattern, the part the message names)
    (r"(a+)+$", "(a+)+"),
    (r"(a*)*b", "(a*)*"),
    (r"^(\w+\s?)*$", r"(\w+\s?)*"),
    (r"(a|a)*x", "(a|a)*"),  # re merges the alternatives' common start: one empty branch twice
    (r"(a|a?)+", "(a|a?)+"),
    (r"(a*b*)*c", "(a*b*)*"),
    (r"(x+x+)+y", "(x+x+)+"),
    (r"(.*,)*x", "(.*,)*"),
    (r"(a|ab|b)*c", "(a|ab|b)*"),  # "ab" is one branch or two
    (r"(\w|\d\d)+x", r"(\w|\d\d)+"),
    (r"(?:\d{1,3}\d?)+x", r"(?:\d{1,3}\d?)+"),
    (r"(?:a|a){30}b", "(?:a|a){30}"),  # a long bounded repetition is as bad as an unbounded one
    (r"(?:\w{1,20}\s?){1,50}!", r"(?:\w{1,20}\s?){1,50}"),
    (r"(?:\w{0,10}){0,10}x", r"(?:\w{0,10}){0,10}"),  # bounded, yet C(110, 10) ways to split 100 letters
    (r"cure(?=(?:s+)+!)", "(?:s+)+"),  # inside a lookahead too
    (r"(?i)price:\s*(?:[0-9]|\d)+(?:x|(\$+)+)\b", r"(\$+)+"),
]

SAFE = [
    r"\$\s?\d[\d,]*(?:\.\d\d)?",
    r"\d{1,3}(?:,\d{3})*",
    r"(?:,\s*\w+)*",
    r"(?:a|ab)*c",  # after an "a", "b" can only be the second letter of "ab"
    r"(a?)*b",
    r"(\w|\d)+$",  # re turns the alternatives into one class: [\w\d]
    r"(?i)(s|ſ)+x",  # the same: one class
    r"\w+\w+x",  # polynomial, not exponential: left to the time budget
    r".*cure.*all",
    r"[—–-]\s?[A-Z][a-z]+,\s?\d{1,3}(?=\s*$)",
    r"(?:[a-z]+-)+[a-z]+",
]


@pytest.mark.parametrize("pattern, part", UNSAFE)
def test_catastrophic_patterns_are_found_and_the_part_named(pattern: str, part: str) -> None:
    reason = check(pattern)
    assert reason is not None
    assert reason.startswith(f"the part {part!r} can match the same text in more than one way")


@pytest.mark.parametrize("pattern", SAFE)
def test_patterns_that_backtrack_only_a_little_are_accepted(pattern: str) -> None:
    assert check(pattern) is None


def test_ignoring_case_can_make_a_pattern_unsafe() -> None:
    # B and b are two letters when case matters, one when it does not
    assert check(r"(?:Bx|bx?)+y") is None
    assert check(r"(?:Bx|bx?)+y", re.IGNORECASE) is not None


def test_every_built_in_pattern_is_accepted() -> None:
    # loading checks them; this names any that the check would refuse
    refused = []
    for path in builtin_pack_files():
        for pack in load_packs([str(path)]):
            for rule in pack.rules:
                for key, value in rule.options.items():
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, str) and any(c in item for c in "\\()[]*+?{|"):
                            try:
                                reason = check(item, re.IGNORECASE)
                            except re.error:
                                continue  # a phrase with punctuation, not a pattern
                            if reason:
                                refused.append((rule.id, key, item))
    assert refused == []


PACK_HEAD = (
    "pack: house\nrules:\n"
    "  - id: house.price\n    kind: phrase\n    severity: warning\n    description: d\n    message: m\n"
)


def load_problems(path: str) -> List[Tuple[int, int, str, str]]:
    with pytest.raises(HealthlintError) as info:
        load_packs([path])
    errors = info.value.errors if isinstance(info.value, HealthlintErrors) else [info.value]
    assert all(e.file == path for e in errors)
    return [(e.line, e.column, e.key, e.message) for e in errors]


def test_a_pack_with_an_unsafe_pattern_is_refused_at_its_line_and_key(tmp_path: Path) -> None:
    pack = tmp_path / "house.yaml"
    line = "    patterns: ['\\$\\d+', '(\\w+\\s?)*!', '(x']"
    pack.write_text(PACK_HEAD + line + "\n", encoding="utf-8")
    found = load_problems(str(pack))
    assert [(line_no, col, key) for line_no, col, key, _ in found] == [
        (8, line.index("'(\\w") + 1, "rules[0].patterns[1]"), (8, line.index("'(x") + 1, "rules[0].patterns[2]")]
    assert found[0][3].startswith("unsafe regular expression '(\\\\w+\\\\s?)*!': the part '(\\\\w+\\\\s?)*'")
    assert "invalid regular expression" in found[1][3]


@pytest.mark.parametrize("options, key", [
    ("    kind: jargon\n    phrases: [erythema]\n    explained_after: ['^\\s*\\((\\w+\\s*)+\\)']\n",
     "rules[0].explained_after[0]"),
    ("    kind: testimonial\n    attributions: ['(?:—\\s*)(\\w+,?\\s?)+$']\n", "rules[0].attributions[0]"),
    ("    kind: links\n    problem: unresolved\n    skip_targets: ['^(\\{+\\s*)+ref']\n", "rules[0].skip_targets[0]"),
    ("    kind: conditional\n    phrases: [laser]\n    with:\n      patterns: ['(skin|skin)+care']\n",
     "rules[0].with.patterns[0]"),
])
def test_every_kind_refuses_unsafe_patterns_in_its_options(tmp_path: Path, options: str, key: str) -> None:
    head = PACK_HEAD.replace("    kind: phrase\n", "")
    pack = tmp_path / "house.yaml"
    pack.write_text(head + options, encoding="utf-8")
    found = load_problems(str(pack))
    assert [k for _, _, k, _ in found] == [key]
    assert found[0][3].startswith("unsafe regular expression") and "more than one way" in found[0][3]


@pytest.mark.parametrize("pattern, words", [
    ("a{99999999999}", "the repetition number is too large"),
    ("(" * 600 + "a" + ")" * 600, "nested too deeply"),
])
def test_patterns_re_cannot_compile_are_reported_not_raised(tmp_path: Path, pattern: str, words: str) -> None:
    pack = tmp_path / "house.yaml"
    pack.write_text(PACK_HEAD + f"    patterns: ['{pattern}']\n", encoding="utf-8")
    found = load_problems(str(pack))
    assert [(line, key) for line, _col, key, _msg in found] == [(8, "rules[0].patterns[0]")]
    assert found[0][3].startswith("invalid regular expression") and words in found[0][3]


def test_an_unsafe_configuration_pattern_stops_the_run_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / ".healthlint.yaml").write_text(
        "reference-headings: [sources, '(\\w+\\s?)+ cited']\n", encoding="utf-8")
    (tmp_path / "post.md").write_text("A post.\n", encoding="utf-8")
    # a subprocess, with a timeout only as a safety net: the run must end with a diagnostic
    done = subprocess.run([sys.executable, "-m", "healthlint", "check", "post.md"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert re.search(r"\.healthlint\.yaml:1:31: reference-headings\[1\]: unsafe regular expression .*"
                     r"the part '\(\\\\w\+\\\\s\?\)\+' can match the same text", done.stderr), done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("text, word, expected", [
    ('Avoid words like \u201ccure\u201d here.', "cure", (17, 22)),
    ('Avoid words like "cure" here.', "cure", (17, 22)),
    ('He said \u201cno\u201d. Then cure came.', "cure", None),  # the quote closed before the word
    ('A \u201cquote. Then cure\u201d came.', "cure", None),  # a sentence ended between quote and word
    ('Say "a" and "b", then cure" x', "cure", None),  # that straight quote closes "b"
    ('Words like \u201cmiracle cure', "cure", None),  # never closed
    ('x' * 250 + ' \u201c' + 'y' * 190 + ' cure\u201d', "cure", (251, 447)),  # 190 back: still found
    ('\u201c' + 'y' * 210 + ' cure\u201d', "cure", None),  # further back than 200 characters
])
def test_quoted_span(text: str, word: str, expected) -> None:
    start = text.index(word)
    assert quoted_span(text, start, start + len(word)) == expected
