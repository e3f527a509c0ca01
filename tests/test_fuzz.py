"""Property and fuzz tests: any post is linted without an exception, at positions inside the post.

hypothesis writes Markdown posts from the constructs healthlint reads (front matter, headings, lists
and block quotes nested in each other, emphasis, links, images, code, tables, HTML, comments and
suppression directives, footnotes), the claim phrases of the built-in ``claims`` pack so that rules
fire, and the characters that trouble positions (CRLF and lone CR line ends, tabs, a BOM, U+2028,
form feed, NUL, combining marks, emoji, CJK). For every post:

* :meth:`Linter.lint_text` returns (any exception fails the test);
* every diagnostic lies inside the text: ``1 <= line <= lines``, ``1 <= column <= len(line) + 1``,
  and a span ends after it starts, inside the text too;
* a span diagnostic whose message quotes the words it found (“...”, as every phrase rule's does)
  points at them: the span starts with the first character of those words and ends with the last,
  and each of the words appears in it in order (case-insensitively; markup such as ``**``, ``> ``
  or a line break may sit between them).

Real posts of the shared corpus, with bytes flipped, deleted, duplicated or inserted, are linted the
same way (skipped when the corpus is absent): a mutation may make a file undecodable, which must
be :class:`DecodeError` and nothing else. A folder of generated posts gives the same diagnostics
linted all together, one file at a time, and with ``--jobs 2``.

Time is bounded for CI: every test has a fixed number of examples and no per-example deadline
(the machine may be busy); the whole file runs in well under a minute.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from pathlib import Path
from typing import List, Sequence, Tuple

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthlint.cli import main
from healthlint.config import Config
from healthlint.diagnostic import Diagnostic
from healthlint.document import DecodeError, decode
from healthlint.engine import INTERNAL_ERROR, Linter
from healthlint.parallel import MIN_FILES_FOR_POOL

settings.register_profile(
    "healthlint-fuzz",
    deadline=None,  # a busy CI machine must not fail an example for being slow; TIMEOUTs bound the run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=bool(os.environ.get("CI")),  # the same examples on every CI run; fresh ones on a developer's
    database=None,  # nothing written into the checkout; a failure prints its example
)
FUZZ = settings.get_profile("healthlint-fuzz")

CORPUS = Path(__file__).parents[2] / "shared" / "corpus"
LINE_END = re.compile(r"\r\n|\r|\n")
QUOTED = re.compile(r"“([^”]+)”")
OBJ = "\ufffc"
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter(Config(), select=["ALL"])


def claim_phrases() -> List[str]:
    """Every phrase of the built-in claims pack (so that generated posts make its rules fire)."""
    rules = Linter(Config(), select=["claims"]).rules
    phrases = sorted({p for r in rules for p in r.options.get("phrases") or [] if isinstance(p, str)})
    assert len(phrases) > 20  # the pack is there: a vacuous strategy would prove nothing
    return phrases


# -- generated Markdown ------------------------------------------------------------------------------

PLAIN = ["the", "tea", "Rue", "patients", "our clinic", "studies", "pain", "anxiety", "colds", "treatment",
         "naïve", "café", "睡眠", "😀", "e\u0301", "Zoë", "x_y", "100%", "&amp;", "\\*", "…", "don't", "don’t",
         "(2019)", "Smith, 2020", "988", "FDA", "may", "not", "never", "ketamine", "click here", "?", "!",
         "100&#37;", "100\\%", "caf&eacute;", "&quot;cures&quot;", "&#99;ures", "&#x1F600;", "[ref][label]", "[label]"]
ODD = ["\t", "\u2028", "\u2029", "\f", "\x0b", "\x00", "\x85", "\ufeff", "\u200b", " ", "  "]


@st.composite
def words(draw) -> str:
    plain = st.one_of(st.sampled_from(PLAIN), st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]),
                                                      min_size=1, max_size=6))
    parts = draw(st.lists(st.one_of(plain, st.sampled_from(CLAIMS)), min_size=1, max_size=6))
    return " ".join(parts)


# Inline constructs around some words ({} is the words; {url}, {n}, {odd}, {end} are drawn).
WRAPS = ["{}", "*{}*", "**{}**", "_{}_", "~~{}~~", "`{}`", "![{}](pic.png)", "[{}]({url})", "{} <https://example.org/{n}>",
         "<span>{}</span>", "<!-- {} --> {}", "{}[^1]", "{}{odd}", "{}{end}\n{}"]
URLS = ["https://example.org/a", "other.md", "#top", "<a b.md>", "", "post-0.md", "post-1.md#top"]  # the last two:
# other posts of a folder of generated posts (see write_posts), so links resolve across the batch


@st.composite
def inline(draw) -> str:
    text = draw(words())
    if draw(st.booleans()):  # odd characters between the words
        text = draw(st.sampled_from(ODD)).join(text.split(" "))
    wrap = (draw(st.sampled_from(WRAPS)).replace("{url}", draw(st.sampled_from(URLS)))
            .replace("{n}", str(draw(st.integers(0, 9)))).replace("{odd}", draw(st.sampled_from(ODD)))
            .replace("{end}", draw(st.sampled_from(["\\", "  ", ""]))))  # a hard break (backslash, two spaces) or soft
    first, _, rest = wrap.partition("{}")
    text = first + text + rest.replace("{}", draw(words()))  # the words are never a template
    before = draw(st.lists(words(), max_size=2))
    return " ".join(before + [text])


def leaf_blocks() -> st.SearchStrategy[List[str]]:
    """One block as its lines (without line ends)."""
    line = inline()
    return st.one_of(
        st.lists(line, min_size=1, max_size=3),  # a paragraph, its lines softly broken
        st.tuples(st.integers(1, 7), line).map(lambda t: ["#" * t[0] + " " + t[1]]),
        line.map(lambda s: [s, "==="]),
        line.map(lambda s: ["```", s, "```"]),
        line.map(lambda s: ["```"] + [s]),  # a fence never closed
        line.map(lambda s: ["    " + s]),
        st.tuples(line, line).map(lambda t: ["| a | b |", "|---|:-:|", f"| {t[0]} | {t[1]} |"]),
        line.map(lambda s: ["<div>", s, "</div>"]),
        line.map(lambda s: ["<!-- healthlint-disable-next-line claims -->", s]),
        line.map(lambda s: ["<!-- healthlint-disable -->", s, "<!-- healthlint-enable -->"]),
        st.just(["---"]),
        st.just(["[label]: https://example.org 'title'"]),
        line.map(lambda s: ["[^1]: " + s]),
        line.map(lambda s: ["## References", "", "1. Smith J. (2019). " + s + ". doi:10.1000/xyz"]),
    )


def contain(blocks: st.SearchStrategy[List[str]]) -> st.SearchStrategy[List[str]]:
    """Block quotes and list items (bullet or ordered) around a block, nested by recursion."""
    def quote(lines: List[str]) -> List[str]:
        return ["> " + s if s else ">" for s in lines]

    def bullet(lines: List[str]) -> List[str]:
        return ["- " + lines[0]] + ["  " + s for s in lines[1:]]

    def ordered(lines: List[str]) -> List[str]:
        return ["1. " + lines[0]] + ["   " + s for s in lines[1:]]

    def lazy(lines: List[str]) -> List[str]:  # only the first line marked: the rest continues lazily
        return ["> " + lines[0]] + lines[1:]

    def tabbed(lines: List[str]) -> List[str]:  # a tab after the marker and before continuation lines
        return ["-\t" + lines[0]] + ["\t" + s for s in lines[1:]]

    def tight(lines: List[str]) -> List[str]:
        return [">" + s for s in lines]

    return st.one_of(blocks.map(quote), blocks.map(bullet), blocks.map(ordered), blocks.map(lazy),
                     blocks.map(tabbed), blocks.map(tight))


BLOCKS = st.recursive(leaf_blocks(), contain, max_leaves=4)


@st.composite
def front_matter(draw) -> List[str]:
    title = draw(words()).replace("\\", "")
    return draw(st.sampled_from([
        ["---", f"title: {json.dumps(title, ensure_ascii=False)}", f"description: {title}", "---"],
        ["---", f"title: '{title}'", "date: 2024-02-30", "---"],  # a date that does not exist
        ["---", f"title: {title}"],  # never closed: not front matter
        ["+++", f"title = {json.dumps(title, ensure_ascii=False)}", "+++"],
        ["---", "a: &a [x, x]", "b: [*a, *a]", f"summary: {json.dumps(title, ensure_ascii=False)}", "---"],
        [],
    ]))


@st.composite
def posts(draw) -> str:
    lines = draw(front_matter())
    for block in draw(st.lists(BLOCKS, max_size=6)):
        lines += block
        if draw(st.booleans()):
            lines.append("")
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.integers(0, 4)) == 0:  # now and then, every line its own end
        text = "".join(s + draw(st.sampled_from(["\n", "\r\n", "\r"])) for s in lines)
    else:
        text = eol.join(lines) + (eol if draw(st.booleans()) else "")
    return ("\ufeff" if draw(st.integers(0, 5)) == 0 else "") + text


CLAIMS = claim_phrases()
QUOTING_KINDS = ("phrase", "conditional", "jargon", "testimonial")  # {match}: the prose the rule matched


# -- the oracle --------------------------------------------------------------------------------------


def file_lines(text: str) -> List[str]:
    """The lines as the conventions define them: one leading BOM dropped, LF, CRLF or lone CR ends."""
    return LINE_END.split(text[1:] if text.startswith("\ufeff") else text)


def span_text(lines: Sequence[str], d: Diagnostic) -> str:
    assert d.end_line is not None and d.end_column is not None
    if d.line == d.end_line:
        return lines[d.line - 1][d.column - 1 : d.end_column - 1]
    middle = lines[d.line : d.end_line - 1]
    return "\n".join([lines[d.line - 1][d.column - 1 :], *middle, lines[d.end_line - 1][: d.end_column - 1]])


def source_text(span: str) -> str:
    """A span's source as read: entity references decoded, backslash escapes of punctuation dropped."""
    return html.unescape(ESCAPE.sub(r"\1", span))


def quoting_rules() -> frozenset:
    """Rules whose message opens with the words they matched in the prose (“{match}”).

    Rule kinds that quote something else there (a citation as written in the reference list,
    say) are left out: their span need not hold those characters.
    """
    rules = Linter(Config(), select=["ALL"]).all_rules
    quoting = frozenset(r.id for r in rules if r.kind in QUOTING_KINDS and r.message.startswith("“{match}”"))
    assert any(r.startswith("claims.") for r in quoting)
    return quoting


def position_problems(text: str, diagnostics: Sequence[Diagnostic]) -> List[str]:
    """Every way a diagnostic of ``text`` lies outside it or misses the words it quotes (empty: all well)."""
    lines = file_lines(text)
    problems = []
    for d in diagnostics:
        where = f"{d.rule} {d.line}:{d.column}-{d.end_line}:{d.end_column}"
        if not (1 <= d.line <= len(lines) and 1 <= d.column <= len(lines[d.line - 1]) + 1):
            problems.append(f"{where} starts outside the text")
            continue
        if (d.end_line is None) != (d.end_column is None):
            problems.append(f"{where} has half an end")
            continue
        if d.end_line is None:
            continue
        assert d.end_column is not None
        if not (d.line <= d.end_line <= len(lines) and 1 <= d.end_column <= len(lines[d.end_line - 1]) + 1):
            problems.append(f"{where} ends outside the text")
            continue
        if (d.end_line, d.end_column) <= (d.line, d.column):
            problems.append(f"{where} ends before it starts")
            continue
        quoted = QUOTED.match(d.message)
        if quoted is None or d.rule not in QUOTING:
            continue
        found, span = quoted.group(1).casefold(), source_text(span_text(lines, d)).casefold()
        if OBJ not in found and (span[:1] != found[:1] or span[-1:] != found[-1:]):
            problems.append(f"{where} spans {span!r}, not the quoted {found!r}")
            continue
        at = 0
        for word in found.split():
            if OBJ in word:
                continue
            at = span.find(word, at)
            if at < 0:
                problems.append(f"{where} spans {span!r}, which lacks {word!r} of {found!r}")
                break
            at += len(word)
    return problems


QUOTING = quoting_rules()


def test_the_oracle_catches_a_shifted_span() -> None:
    """The position check is not vacuous: one column off, or a line off, is caught."""
    text = "# Rue\r\n\r\nRue cures warts.\r\n"
    right = Diagnostic("x.md", 3, 5, 3, 10, "claims.cure", "error", "“cures” presents ...", "")
    assert position_problems(text, [right]) == []
    for wrong in [Diagnostic("x.md", 3, 6, 3, 11, "claims.cure", "error", "“cures” presents ...", ""),
                  Diagnostic("x.md", 2, 5, 2, 10, "claims.cure", "error", "“cures” presents ...", ""),
                  Diagnostic("x.md", 3, 5, 3, 5, "claims.cure", "error", "“cures” presents ...", ""),
                  Diagnostic("x.md", 5, 1, None, None, "disclaimer.missing", "warning", "m", "")]:
        assert position_problems(text, [wrong]), wrong


@settings(FUZZ, max_examples=100)
@given(text=posts(), mdx=st.booleans())
def test_generated_posts_lint_inside_the_text(linter: Linter, text: str, mdx: bool) -> None:
    diagnostics = linter.lint_text("post.mdx" if mdx else "post.md", text)
    assert position_problems(text, diagnostics) == []


def test_generated_posts_make_rules_fire(linter: Linter) -> None:
    """The strategy reaches the rules: over a fixed sample, claims are found and spans checked."""
    fired = set()

    @settings(FUZZ, max_examples=25, derandomize=True)
    @given(text=posts())
    def sample(text: str) -> None:
        fired.update(d.rule.split(".")[0] for d in linter.lint_text("post.md", text) if d.end_line is not None)

    sample()
    assert "claims" in fired


# -- mutations of real posts -------------------------------------------------------------------------


def corpus_files() -> List[Path]:
    if not CORPUS.is_dir():
        return []
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".md", ".markdown", ".mdx") and p.is_file())
    return [p for p in files if p.stat().st_size <= 40_000]  # the big ones cost time, not coverage


CORPUS_FILES = corpus_files()
ODD_BYTES = [b"\x00", b"\r", b"\n", b"\r\n", b"\xff", b"\xc3", b"\xe2\x80\xa8", b"\xef\xbb\xbf", b"---\n", b"> ",
             b"- ", b"```", b"<!--", b"[", b"](", b"*", b"|", b"\t", b"#", b"\\", b"&#", "é".encode()]


@st.composite
def mutations(draw) -> Tuple[Path, bytes]:
    path = draw(st.sampled_from(CORPUS_FILES))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        kind = draw(st.sampled_from(["flip", "delete", "duplicate", "insert"]))
        length = draw(st.integers(1, 64))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "delete":
            del data[at : at + length]
        elif kind == "duplicate":
            data[at:at] = data[at : at + length]
        else:
            data[at:at] = draw(st.sampled_from(ODD_BYTES)) * draw(st.integers(1, 4))
    return path, bytes(data)


@pytest.mark.skipif(not CORPUS_FILES, reason="the shared corpus is not here")
@settings(FUZZ, max_examples=40)
@given(case=mutations() if CORPUS_FILES else st.nothing())
def test_mutated_corpus_posts_lint_inside_the_text(linter: Linter, case: Tuple[Path, bytes]) -> None:
    path, data = case
    try:
        text = decode(data)
    except DecodeError as exc:  # a bad byte: reported at a position inside what decodes before it
        assert exc.line >= 1 and exc.column >= 1 and 0 <= exc.offset < len(data)
        text = data.decode("utf-8", "replace")  # and the rest of the post still lints
    diagnostics = linter.lint_text(path.name, text)
    assert position_problems(text, diagnostics) == []


# -- the same results however the files are given ----------------------------------------------------


def write_posts(folder: Path, texts: Sequence[str]) -> List[str]:
    names = []
    for i, text in enumerate(texts):
        name = f"post-{i}.md"
        (folder / name).write_bytes(text.encode("utf-8"))
        names.append(name)
    return names


def by_file(diagnostics: Sequence[Diagnostic]) -> List[Tuple]:
    return sorted((d.path, d.line, d.column, d.end_line, d.end_column, d.rule, d.severity, d.message) for d in diagnostics)


@settings(FUZZ, max_examples=6)
@given(texts=st.lists(posts(), min_size=2, max_size=3))
def test_all_together_equals_one_by_one(texts: List[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        names = write_posts(folder, texts)
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            together = Linter(Config()).run(["."]).diagnostics
            alone = [d for name in names for d in Linter(Config()).run([name]).diagnostics]
        finally:
            os.chdir(cwd)
    assert not [d for d in together if d.rule == INTERNAL_ERROR]
    assert by_file([_strip_dot(d) for d in together]) == by_file(alone)


def _strip_dot(d: Diagnostic) -> Diagnostic:
    """A folder run shows ``./post-0.md`` where a file run shows ``post-0.md``."""
    path = d.path[2:] if d.path.startswith("./") else d.path
    return Diagnostic(path, d.line, d.column, d.end_line, d.end_column, d.rule, d.severity, d.message, d.suggestion,
                      d.also)


@settings(FUZZ, max_examples=2)
@given(texts=st.lists(posts(), min_size=MIN_FILES_FOR_POOL, max_size=MIN_FILES_FOR_POOL + 2))
def test_two_jobs_equal_one(texts: List[str]) -> None:
    """``--jobs 2`` (a process pool, which needs a few files) prints exactly what ``--jobs 1`` prints."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_posts(folder, texts)
        runs = [CliRunner().invoke(main, ["check", "--no-cache", "--format", "json", "--jobs", jobs, str(folder)])
                for jobs in ("1", "2")]
    for run in runs:
        assert run.exception is None or isinstance(run.exception, SystemExit), run.output
        assert run.exit_code in (0, 1), run.output  # 2 would be an internal error or a rule out of time
    assert runs[0].stdout == runs[1].stdout
    assert runs[0].exit_code == runs[1].exit_code
