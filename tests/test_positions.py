"""Exact positions of claims diagnostics, construct by construct.

Each fixture in ``tests/fixtures/positions/`` is a short post of our own
sentences. For each one the expected diagnostics are listed as :class:`Hit`
values: the file line and the text that begins the flagged phrase (and the
text that ends it, when different). The expected columns are computed from
the raw fixture line with ``str.index`` (code points, a tab is one column),
never copied from healthlint's output, so the oracle is independent of the
source map under test.

Every fixture is also linted with its line ends turned into CRLF and lone
CR, and with a BOM in front: the expected lines and columns do not change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import pytest

from healthlint.config import Config
from healthlint.document import Document
from healthlint.engine import Linter, Source

FIXTURES = Path(__file__).parent / "fixtures" / "positions"
LINE_END = re.compile(r"\r\n|\r|\n")
BOM = "\ufeff"
Checker = Callable[[str], List[str]]
Span = Tuple[int, int, int, int]  # line, column, end line, end column (exclusive)


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter(Config(), select=["claims"])


@dataclass(frozen=True)
class Hit:
    """One expected diagnostic.

    ``start`` is the text the phrase begins with on file line ``line`` (its
    ``nth`` occurrence there); ``end`` is the text it ends with (default:
    ``start``), on ``end_line`` (default: ``line``), searched from the start
    of the phrase when on the same line, else its ``end_nth`` occurrence.
    """

    line: int
    start: str
    end: Optional[str] = None
    nth: int = 1
    end_line: Optional[int] = None
    end_nth: int = 1


def occurrence(text: str, needle: str, nth: int, after: int = 0) -> int:
    """0-based index of the ``nth`` occurrence of ``needle`` in ``text`` at or after ``after``."""
    index = after - 1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    return index


def file_lines(raw: str) -> List[str]:
    """The file's lines as the spec defines them: BOM dropped, split at LF, CRLF, lone CR only."""
    if raw.startswith(BOM):
        raw = raw[1:]
    return LINE_END.split(raw)


def expected(lines: Sequence[str], hits: Sequence[Hit]) -> List[Span]:
    out = []
    for hit in hits:
        line = lines[hit.line - 1]
        start = occurrence(line, hit.start, hit.nth)
        end_text = hit.end if hit.end is not None else hit.start
        end_line_no = hit.end_line if hit.end_line is not None else hit.line
        if end_line_no == hit.line:
            end = occurrence(line, end_text, 1, after=start) + len(end_text)
        else:
            end = occurrence(lines[end_line_no - 1], end_text, hit.end_nth) + len(end_text)
        out.append((hit.line, start + 1, end_line_no, end + 1))
    return sorted(out)


def spans(diagnostics: Sequence[object]) -> List[Span]:
    return sorted(
        (d.line, d.column, d.end_line, d.end_column)  # type: ignore[attr-defined]
        for d in diagnostics
        if d.rule.startswith("claims.")  # type: ignore[attr-defined]
    )


def read(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("utf-8")


# ---------------------------------------------------------------------------
# Expected diagnostics per fixture (line numbers counted in the fixture files).

CASES: Dict[str, List[Hit]] = {
    "paragraphs.md": [
        Hit(3, "cures"),
        Hit(4, "guaranteed"),
        Hit(6, "cures"),  # the paragraph is indented by two spaces
        Hit(8, "100%", "effective", end_line=9),  # soft line break inside the phrase
        Hit(11, "cures"),  # two identical phrases on one line: each its own position
        Hit(11, "cures", nth=2),
        Hit(13, "100%", "effective", end_line=14),  # hard break (two trailing spaces)
        Hit(16, "100%", "effective", end_line=17),  # hard break (backslash)
        Hit(19, "clinically", "proven", end_line=20),  # the second line is indented
    ],
    "headings.md": [
        Hit(1, "cures"),
        Hit(3, "cures"),  # closing hashes
        Hit(5, "guaranteed"),  # indented by three spaces
        Hit(7, "cures"),  # a tab after the hashes
        Hit(9, "cures"),  # setext, level 1
        Hit(13, "guaranteed"),  # second line of a two-line setext heading
        Hit(16, "100%", "effective"),  # emphasis inside a heading
    ],
    "lists.md": [
        Hit(1, "cures"),
        Hit(3, "guaranteed"),
        Hit(4, "cures"),
        Hit(6, "cures"),  # ordered "1."
        Hit(9, "cures"),  # ordered "10)"
        Hit(10, "guaranteed"),
        Hit(12, "cures"),  # a tab after the marker
        Hit(15, "cures"),  # child list indented with a tab
        Hit(18, "cures"),  # empty-marker item: text on the next line
        Hit(21, "cures"),  # lazy continuation line
        Hit(23, "100%", "effective", end_line=24),  # phrase broken across lines in an item
        Hit(28, "cures"),  # second paragraph of an item
    ],
    "quotes.md": [
        Hit(1, "cures"),
        Hit(4, "guaranteed"),
        Hit(5, "cures"),
        Hit(8, "cures"),  # lazy continuation line
        Hit(10, "cures"),  # ">" followed by a tab
        Hit(12, "cures"),  # ">" without a space
        Hit(14, "100%", "effective", end_line=15),
        Hit(17, "100%", "effective", end_line=18),  # ends on a lazy line
    ],
    "nesting.md": [
        Hit(2, "cures"),  # quote inside a list item
        Hit(4, "cures"),  # list inside a quote
        Hit(5, "guaranteed"),
        Hit(7, "cures"),
        Hit(9, "cures"),  # list > quote > list > quote
        Hit(11, "100%", "effective", end_line=12),
    ],
    "tables.md": [
        Hit(3, "cures"),
        Hit(4, "guaranteed"),  # after an escaped pipe in the first cell
        Hit(5, "cures", nth=2),  # the first "cures" is in a code span
        Hit(6, "cures"),  # after an entity in the first cell
        Hit(12, "cures"),  # table in a list item
        Hit(16, "guaranteed"),  # table in a block quote
    ],
    "tables_unframed.md": [
        # no pipes around the header: a leading "|" starts an empty first cell
        Hit(3, "cures"),
        Hit(4, "guaranteed"),
    ],
    "inline.md": [
        Hit(1, "100%", "effective"),  # strong splits the phrase
        Hit(3, "100%", "effective"),  # emphasis around the phrase
        Hit(5, "guaranteed"),
        Hit(5, "cures"),
        Hit(7, "100", "effective"),  # 100\% (escape)
        Hit(7, "100", "effective", nth=2),  # 100&#37; (entity)
        Hit(9, "100%", "effective"),  # inline HTML splits the phrase
        Hit(12, "cures"),  # strong text that started on the line before
        Hit(14, "cures"),  # "&cures;" is not an entity reference: literal text
        Hit(14, "cures", nth=2),  # "&notit;" is literal too (not "¬it;")
    ],
    "links.md": [
        Hit(1, "cures"),  # link text; destination and title are not prose
        Hit(3, "cures"),  # image alt text at its exact column; src and title are not
        Hit(5, "guaranteed"),  # alt text of an image inside a paragraph
        Hit(7, "cures"),  # full reference link
        Hit(7, "guaranteed"),  # collapsed reference link; the definitions are not prose
        # line 13: <autolink> and bare http(s) URL; line 15: <e-mail>, bare www. URL
        Hit(17, "cures", nth=2),  # after a bare URL with parentheses
        Hit(19, "cures"),  # alt text of an image inside a link
        Hit(21, "cures"),  # after a URL and inline HTML holding "\\" (not escapes)
    ],
    "footnotes.md": [
        Hit(3, "cures"),
        Hit(4, "guaranteed"),  # second line of a footnote body
        Hit(8, "cures"),  # second paragraph of a footnote body
        Hit(9, "100%", "effective", end_line=10),
        Hit(12, "cures"),  # unreferenced definition: still linted
    ],
    "footnotes_indented.md": [
        Hit(4, "cures"),  # continuation indented with a tab
        Hit(7, "guaranteed"),  # continuation indented by six spaces
        Hit(10, "cures"),  # a one-line body on the next line is parsed as blocks
        # line 14: indented 8 columns after a blank line, code inside the note
    ],
    "code.md": [
        Hit(1, "cures", nth=2),  # the first one is a code span
        Hit(13, "cures"),  # fenced and indented code are never linted
    ],
    "comments.md": [
        Hit(8, "cures", nth=2),  # after an inline comment: its column is kept
        Hit(11, "cures"),  # after an inline comment over two lines
        Hit(13, "cures"),
        Hit(13, "cures", nth=2),
    ],
    "front_matter_yaml.md": [Hit(6, "cures"), Hit(8, "cures")],
    "front_matter_yaml_dots.md": [Hit(4, "cures")],
    "front_matter_toml.md": [Hit(6, "cures")],
    "front_matter_unterminated.md": [Hit(2, "cures")],  # not front matter: the body starts at line 1
    "unicode.md": [
        Hit(1, "cures"),  # CJK
        Hit(3, "cures"),  # astral emoji: one column each
        Hit(3, "cures", nth=2),
        Hit(5, "cures"),  # combining marks: one column each
        Hit(7, "cures"),  # tabs: one column each
        Hit(9, "cures"),  # U+2028 is not a line break
        Hit(11, "cures"),  # form feed is not a line break
        Hit(13, "cures"),  # zero-width and no-break spaces
        Hit(15, "cures"),  # Cyrillic
        Hit(15, "cures", nth=2),  # astral mathematical letters
        Hit(17, "cures"),  # NEL, VT, FS and U+2029 are not line breaks either
        Hit(19, "cures"),  # ... so the lines after them keep their numbers
    ],
    "unicode_breaks.md": [
        Hit(1, "100%", "effective", end_line=2),  # U+3000 after the line break
        Hit(4, "100%", "effective", end_line=5),  # U+00A0 after the line break
        Hit(8, "cures"),
    ],
    "footnote_trailing.md": [Hit(4, "cures")],  # last body line ends in U+3000 and spaces
    "crlf.md": [Hit(5, "cures"), Hit(7, "100%", "effective", end_line=8), Hit(8, "cures")],
    "cr.md": [Hit(1, "cures"), Hit(3, "100%", "effective", end_line=4), Hit(4, "cures")],
    "bom.md": [Hit(1, "cures"), Hit(3, "cures")],
    "bom_crlf_front_matter.md": [Hit(4, "cures")],
    "mixed_endings.md": [Hit(2, "cures"), Hit(3, "100%", "effective", end_line=4)],
}

# Fixtures written with LF only and no BOM get line-end and BOM variants.
VARIANTS: Dict[str, Callable[[str], str]] = {
    "as-is": lambda text: text,
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "cr": lambda text: text.replace("\n", "\r"),
    "bom": lambda text: BOM + text,
    "bom-crlf-no-final-newline": lambda text: BOM + text.rstrip("\n").replace("\n", "\r\n"),
}


def _plain(name: str) -> bool:
    raw = read(name)
    return "\r" not in raw and not raw.startswith(BOM)


def _variant_params() -> List[object]:
    params: List[object] = []
    for name in CASES:
        variants = VARIANTS if _plain(name) else {"as-is": VARIANTS["as-is"]}
        for variant in variants:
            params.append(pytest.param(name, variant, id=f"{name}-{variant}"))
    return params


def test_every_fixture_has_expectations() -> None:
    on_disk = {p.name for p in FIXTURES.glob("*.md")}
    assert on_disk == set(CASES)


@pytest.mark.parametrize("name,variant", _variant_params())
def test_claim_positions(linter: Linter, name: str, variant: str) -> None:
    raw = read(name)
    text = VARIANTS[variant](raw)
    want = expected(file_lines(raw), CASES[name])
    got = spans(linter.lint_text(name, text))
    assert got == want


@pytest.mark.parametrize("name", sorted(CASES))
def test_prose_characters_land_on_their_source(name: str, position_errors: Checker) -> None:
    assert position_errors(read(name)) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_reading_the_file_gives_the_same_positions(linter: Linter, name: str) -> None:
    """Through the file path: bytes decoded (BOM dropped), line ends kept as written."""
    path = str(FIXTURES / name)
    got = spans(linter.lint_source(Source(path, path, True)))
    assert got == expected(file_lines(read(name)), CASES[name])


# ---------------------------------------------------------------------------
# Columns are code points: hand-counted cases, independent of str.index.


@pytest.mark.parametrize(
    "text,column",
    [
        # U+1F600 is one column (two UTF-16 units, four UTF-8 bytes): 😀,😀,space,i,t,space -> 7
        ("\U0001F600\U0001F600 it cures\n", 7),
        # e + U+0301 is two columns: e,◌́,space,i,t,space -> 7
        ("e\u0301 it cures\n", 7),
        # a tab is one column: tab,i,t,space -> 5 (the tab does not make indented code mid-line)
        ("x\tit cures\n", 6),
        # a BOM is not a column: i,t,space -> 4
        ("\ufeffit cures\n", 4),
        # CJK is one column per character: 日,本,space -> 4
        ("日本 cures\n", 4),
    ],
)
def test_hand_counted_columns(linter: Linter, text: str, column: int) -> None:
    (diagnostic,) = linter.lint_text("hand.md", text)
    assert (diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column) == (
        1,
        column,
        1,
        column + len("cures"),
    )


def test_bom_does_not_hide_the_first_heading() -> None:
    """mistune reads "\\ufeff# T" as a paragraph; the BOM must be dropped before parsing."""
    doc = Document("bom.md", "\ufeff# A heading that cures\n")
    (block,) = doc.parsed.blocks
    assert block.kind == "heading"
    assert doc.body_position(block.offset(0)) == (1, 3)
    assert doc.text == "# A heading that cures\n"


def test_unicode_whitespace_line_anchors_on_its_own_line() -> None:
    """A list item whose only content line is U+00A0 sits on that line, not on the marker line."""
    doc = Document("nbsp.md", "-\n\u00a0\n")
    (block,) = doc.parsed.blocks
    assert doc.body_position(block.offset(0)) == (2, 1)


@pytest.mark.parametrize("space", ["\u00a0", "\u3000", "\u2003"])
def test_unicode_space_after_a_line_break_needs_no_search(space: str) -> None:
    doc = Document("space.md", f"first line\n{space}second line\n")
    assert doc.parsed.searched == 0
    (block,) = doc.parsed.blocks
    index = block.text.index("second")
    assert doc.body_position(block.offset(index)) == (2, 2)


# ---------------------------------------------------------------------------
# Comments and code: positions of what is not prose.


def test_comment_positions() -> None:
    raw = read("comments.md")
    lines = file_lines(raw)
    doc = Document("comments.md", raw)
    starts = [doc.body_position(c.start) for c in doc.parsed.comments]
    ends = [doc.body_position(c.end) for c in doc.parsed.comments]
    want_starts = []
    want_ends = []
    # (line of "<!--", occurrence) and (line of "-->", occurrence), in source order
    for (sl, sn), (el, en) in [
        ((1, 1), (1, 1)),
        ((3, 1), (6, 1)),
        ((8, 1), (8, 1)),
        ((10, 1), (11, 1)),
        ((13, 1), (13, 1)),
        ((13, 2), (13, 2)),
        ((15, 1), (15, 1)),  # indented by three spaces
        ((17, 1), (18, 1)),  # in a block quote, over two lines
    ]:
        want_starts.append((sl, occurrence(lines[sl - 1], "<!--", sn) + 1))
        want_ends.append((el, occurrence(lines[el - 1], "-->", en) + 3))  # the ">"
    assert sorted(starts) == want_starts
    assert sorted(ends) == want_ends
    texts = sorted((c.start, c.text.strip()) for c in doc.parsed.comments)
    assert [t for _, t in texts][2] == "an inline note that cures"


def test_code_block_positions() -> None:
    raw = read("code.md")
    lines = file_lines(raw)
    doc = Document("code.md", raw)
    blocks = sorted((doc.body_position(start), doc.body_position(end - 1)) for start, end in doc.parsed.code)
    # from the first non-blank character (the fence, or the code of indented
    # code) to the last character of the block's last line
    assert blocks == [
        ((3, 1), (5, len(lines[4]))),
        ((7, 1), (9, len(lines[8]))),
        ((11, lines[10].index("Indented") + 1), (11, len(lines[10]))),
    ]


def test_code_inside_a_footnote_stays_code() -> None:
    raw = read("footnotes_indented.md")
    lines = file_lines(raw)
    doc = Document("footnotes_indented.md", raw)
    blocks = [(doc.body_position(start), doc.body_position(end - 1)) for start, end in doc.parsed.code]
    assert blocks == [((14, lines[13].index("Indented") + 1), (14, len(lines[13])))]


def test_link_marks_point_at_the_bracket() -> None:
    raw = read("links.md")
    lines = file_lines(raw)
    doc = Document("links.md", raw)
    marks = sorted(
        doc.body_position(m.src) for b in doc.parsed.blocks for m in b.marks if m.kind == "link"
    )
    assert (1, lines[0].index("[") + 1) in marks
    assert (7, occurrence(lines[6], "[", 1) + 1) in marks
    assert (7, occurrence(lines[6], "[", 3) + 1) in marks  # "[guaranteed][]"
    assert (19, 1) in marks


def test_urls_and_addresses_are_not_prose() -> None:
    doc = Document("links.md", read("links.md"))
    line_13_15 = [b for b in doc.parsed.blocks if doc.body_position(b.start)[0] in (13, 15)]
    assert len(line_13_15) == 2
    for block in line_13_15:
        assert "cures" not in block.text
        assert "\ufffc" in block.text


# ---------------------------------------------------------------------------
# mistune behaviours listed in docs (mistune-positions.md, section 5).


def _one(linter: Linter, text: str) -> List[Span]:
    return spans(linter.lint_text("case.md", text))


def _at(text: str, line: int, needle: str, nth: int = 1) -> Span:
    lines = file_lines(text)
    col = occurrence(lines[line - 1], needle, nth) + 1
    return (line, col, line, col + len(needle))


def test_wrong_cell_count_table_is_still_positioned(linter: Linter) -> None:
    # a row with too many cells: mistune turns the whole table into a paragraph
    text = "| Col | Col |\n|-----|-----|\n| a | b | it cures |\n"
    assert _one(linter, text) == [_at(text, 3, "cures")]


def test_footnote_definition_inside_quote_is_text(linter: Linter) -> None:
    # not recognised as a definition inside a quote: linted as the quote's text
    text = "A note[^q].\n\n> [^q]: The quoted definition cures.\n"
    assert _one(linter, text) == [_at(text, 3, "cures")]


def test_one_line_footnote_body_is_parsed_as_blocks(linter: Linter) -> None:
    # mistune keeps a one-line body as text ("> The body cures."); it is a quote
    text = "A note[^m].\n\n[^m]:\n    > The body cures.\n"
    assert _one(linter, text) == [_at(text, 4, "cures")]
    blocks = [b for b in Document("m.md", text).parsed.blocks if "footnote" in b.containers]
    assert [(b.text, b.containers) for b in blocks] == [("The body cures.", ("footnote", "block_quote"))]


def test_footnote_definition_between_paragraph_lines(linter: Linter) -> None:
    # mistune joins "one" and "two" into one paragraph around the definition
    text = "The first line\n[^a]: The note cures.\nThe last line cures.\n\nRef[^a].\n"
    assert _one(linter, text) == sorted([_at(text, 2, "cures"), _at(text, 3, "cures")])


def test_reference_definition_titles_are_not_prose(linter: Linter) -> None:
    text = '[r]: https://example.com/cures "It cures"\n[s]: <https://example.com> (cures)\n\nSee [r] and [s].\n'
    assert _one(linter, text) == []


def test_url_with_parentheses_keeps_following_columns(linter: Linter) -> None:
    text = "See https://en.example.org/wiki/Tea_(drink) first, then it cures.\n"
    assert _one(linter, text) == [_at(text, 1, "cures")]


def test_nested_emphasis_leaves_empty_leaves(linter: Linter) -> None:
    text = "It is **a*b*c** and ***cures***, **100%*x*** effective.\n"
    assert _one(linter, text) == [_at(text, 1, "cures")]


def test_inline_comment_over_a_blank_line_is_text(linter: Linter) -> None:
    # not a comment (a blank line ends the paragraph): what follows is linted
    text = "Start <!-- open\n\nthe tea cures -->\n"
    assert _one(linter, text) == [_at(text, 3, "cures")]


def test_text_then_dashes_is_a_setext_heading(linter: Linter) -> None:
    text = "The tea cures\n---\n"
    assert _one(linter, text) == [_at(text, 1, "cures")]
    assert Document("h.md", text).parsed.blocks[0].kind == "heading"


@pytest.mark.parametrize("depth", [19, 20, 21, 30])
def test_nesting_past_the_cap_is_text_at_its_columns(linter: Linter, depth: int) -> None:
    for prefix in ("> ", "- ", "1. "):
        text = prefix * depth + "deep text cures\n"
        assert _one(linter, text) == [_at(text, 1, "cures")], prefix


def test_link_around_a_full_reference_image(linter: Linter) -> None:
    text = "[![The photo cures][img]](https://example.com) and it cures.\n\n[img]: pic.png\n"
    assert _one(linter, text) == sorted([_at(text, 1, "cures"), _at(text, 1, "cures", 2)])


# ---------------------------------------------------------------------------
# Adversarial inputs: nothing raises, and positions stay exact.

ADVERSARIAL: Dict[str, str] = {
    "10,000 nested >": ">" * 10000 + " it cures\n",
    "10,000 spaced >": "> " * 10000 + "it cures\n",
    "5,000 nested list markers": "- " * 5000 + "it cures\n",
    "200 indented list levels": "".join("  " * i + "- level\n" for i in range(200)) + "it cures\n",
    "100,000-character line": "word " * 20000 + "it cures\n",
    "100,000 brackets": "[" * 100000 + " it cures\n",
    "25,000 emphasis runs": "*a* " * 25000 + "it cures\n",
    "10,000 nested emphasis": "*" * 10000 + "it cures" + "*" * 10000 + "\n",
    "5,000 nested links": "[" * 5000 + "it cures" + "](x)" * 5000 + "\n",
    "NUL bytes": "it\x00 cures\x00 and\n\x00\nit cures\n",
    "unterminated YAML front matter": "---\n" + "key: value\n" * 500 + "it cures\n",
    "unterminated TOML front matter": "+++\nit cures\n",
    "front matter only": "---\ntitle: x\n---",
    "empty": "",
    "BOM only": "\ufeff",
    "lone CRs only": "\r\r\r",
    "CR then text": "\r\r\rit cures\r",
    "lone surrogate": "it \ud800 cures\n",
    "500 footnotes": "".join(f"Note[^{i}].\n\n[^{i}]: It cures\n\n" for i in range(500)),
    "1,000 table rows": "| a | b |\n|---|---|\n" + "| x | it cures |\n" * 1000,
    "10,000 div tags": "<div>" * 10000 + "\n\nit cures\n",
    "mixed containers": "> - > - > 1. > * it cures\n" * 50,
    "1,000 list tabs": "-\t" * 1000 + "it cures\n",
    "unclosed comment": "it cures <!-- never closed\n\nit cures\n",
    "unclosed fence": "```\nit cures\n",
    "only markers": "-\n>\n1.\n#\n|\n[^x]:\n",
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_input_does_not_raise(linter: Linter, name: str, position_errors: Checker) -> None:
    text = ADVERSARIAL[name]
    diagnostics = linter.lint_text("adversarial.md", text)
    assert not [d for d in diagnostics if d.rule.startswith("healthlint.")]
    assert position_errors(text) == []
    lines = file_lines(text)
    for d in diagnostics:
        # every claim found sits on the phrase it names
        assert lines[d.line - 1][d.column - 1 : d.end_column - 1] == "cures"


def test_adversarial_positions(linter: Linter) -> None:
    text = ADVERSARIAL["100,000-character line"]
    assert _one(linter, text) == [(1, 100004, 1, 100009)]  # 20,000 x "word " then "it "
    text = ADVERSARIAL["NUL bytes"]
    assert _one(linter, text) == sorted([_at(text, 1, "cures"), _at(text, 3, "cures")])
    text = ADVERSARIAL["10,000 spaced >"]
    assert _one(linter, text) == [(1, 20004, 1, 20009)]


# ---------------------------------------------------------------------------
# Generated documents (fixed seeds, so every run checks the same inputs).

_SNIPPETS = (
    list("> - * 1. ` [ ] ( ) ! < > \\ & # | \t \n \n \n   a b c ~ _ ^ : = + \" ' /")
    + ["\u3000", "\u00a0", "\U0001F600", "e\u0301", "&amp;", "&#37;", "&bogus;", "http://x.y", "www.a.b",
       "a@b.cd", "[^1]", "[^1]: ", "[r]: /u", "<!--", "-->", "<b>", "</b>", "```", "    ", "10)", "\\\n",
       "  \n", "|---|---|\n", "| a | b |\n", "\u2028", "\x0c", "\r\n", "\r", "\ufeff"]
)


@pytest.mark.parametrize("seed", range(0, 3000, 100))
def test_generated_markdown_lands_on_its_source(seed: int, position_errors: Checker) -> None:
    """Random strings of Markdown syntax: the character oracle holds and nothing raises."""
    import random

    for s in range(seed, seed + 100):
        rnd = random.Random(s)
        text = "".join(rnd.choice(_SNIPPETS) for _ in range(rnd.randint(1, 50)))
        assert position_errors(text) == [], (s, text)


_LINES = ["a", "b", "a b", "- a", "- b", "> a", "> - a", "- > a", "1. a", "  a", "    a", "\ta", "-", ">", "",
          "", "  - a", "> > a", "[^1]: a", "    b", "\tb", "     b", "* a", "a *b*", "[a](u)", "# a",
          "-\ta", ">\ta", "  > a", "10) a", "- - a", "a  ", "&amp; a", "`a`", "\u00a0a"]


def _mapping(text: str) -> List[Tuple[str, str, List[Tuple[int, int]]]]:
    doc = Document("gen.md", text)
    return [(b.kind, b.text, [doc.body_position(b.offset(i)) for i in range(len(b.text))]) for b in doc.parsed.blocks]


@pytest.mark.parametrize("seed", range(0, 2000, 100))
def test_identical_lines_anchor_on_their_own_line(seed: int) -> None:
    """Differential oracle for repeated lines, where the character oracle cannot tell lines apart.

    Each non-blank line gets a unique word appended; that changes no column
    before it, and makes every container line unique. Where the blocks keep
    their text, every character must keep its position.
    """
    import random

    token = re.compile(r" q\d+x")
    for s in range(seed, seed + 100):
        rnd = random.Random(s)
        text = "\n".join(rnd.choice(_LINES) for _ in range(rnd.randint(2, 12))) + "\n"
        if "[^1]" in text:
            text += "\nA reference[^1].\n"
        lines = text.split("\n")
        marked = "\n".join(f"{line} q{n}x" if line.strip() else line for n, line in enumerate(lines))
        plain = _mapping(text)
        tagged = []
        for kind, block_text, positions in _mapping(marked):
            drop = {i for m in token.finditer(block_text) for i in range(*m.span())}
            kept = [i for i in range(len(block_text)) if i not in drop]
            tagged.append((kind, "".join(block_text[i] for i in kept), [positions[i] for i in kept]))
        if [(k, t) for k, t, _ in plain] != [(k, t) for k, t, _ in tagged]:
            continue  # the appended words changed the structure (a setext line, a table...)
        for (kind, block_text, want), (_, _, got) in zip(plain, tagged):
            # a space standing for a line break sits past the line end: that column moves
            same = [i for i, (ln, col) in enumerate(want) if col <= len(lines[ln - 1])]
            assert [want[i] for i in same] == [got[i] for i in same], (s, text, block_text)


def test_end_offset_of_an_entity_is_after_its_semicolon() -> None:
    """A phrase ending in an entity-decoded character must end after the entity, not after its '&'."""
    text = "It is 100&#37; sure, \\&#37; is text, and &ngE; decodes to two characters.\n"
    line = file_lines(text)[0]
    doc = Document("end.md", text)
    (block,) = doc.parsed.blocks
    percent = block.text.index("%")
    assert doc.body_position(block.offset(percent)) == (1, line.index("&#37;") + 1)
    assert doc.body_position(block.end_offset(percent)) == (1, line.index("&#37;") + len("&#37;") + 1)
    escaped = block.text.index("&#37;")  # after "\": an escaped "&", then the text "#37;"
    assert doc.body_position(block.end_offset(escaped)) == (1, line.index("\\&") + 3)
    first = block.text.index("\u2267")
    for i in (first, first + 1):
        assert doc.body_position(block.end_offset(i)) == (1, line.index("&ngE;") + len("&ngE;") + 1)


def test_diagnostic_ending_in_an_entity_ends_after_it() -> None:
    linter = Linter(Config(), select=["positions"], extra_packs=[str(FIXTURES / "percent_pack.yaml")])
    text = "It is 100&#37; sure.\n"
    line = file_lines(text)[0]
    (diagnostic,) = linter.lint_text("percent.md", text)
    assert (diagnostic.column, diagnostic.end_column) == (line.index("100") + 1, line.index(" sure") + 1)


def test_citation_marks_point_at_their_construct() -> None:
    """Footnote references, superscripts, bare URLs and autolinks are marked where their source starts."""
    lines = [
        "> Ginger helped[^n1] in one trial<sup>2,3</sup>, see",
        "> <https://doi.org/10.5555/abc> or https://doi.org/10.5555/def.",
        "",
        "[^n1]: A *note* here.",
    ]
    raw = "\r\n".join(lines) + "\r\n"
    doc = Document("marks.md", raw)
    found = {}
    for block in doc.parsed.blocks:
        for m in block.marks:
            found.setdefault(m.kind, []).append((doc.body_position(m.src), block.text[m.start : m.end], m.url))
    assert found["footnote"] == [((1, lines[0].index("[^") + 1), "\ufffc", "N1")]
    assert found["sup"] == [((1, lines[0].index("<sup>") + 1), "2,3", "")]
    assert found["url"] == [
        ((2, lines[1].index("<") + 1), "\ufffc", "https://doi.org/10.5555/abc"),
        ((2, lines[1].index("https://doi.org/10.5555/def") + 1), "\ufffc", "https://doi.org/10.5555/def"),
    ]
    assert found["emphasis"] == [((4, lines[3].index("*") + 1), "note", "")]
    note = [b for b in doc.parsed.blocks if b.note]
    assert [(b.note, b.text) for b in note] == [("N1", "A note here.")]


def test_list_items_know_their_list_and_number() -> None:
    text = "3. one\n4. two\n   - sub\n\n- alpha\n\n  second paragraph\n"
    doc = Document("lists.md", text)
    got = [(b.text, b.list_item.list_id, b.list_item.index, b.list_item.number, b.list_item.depth)
           for b in doc.parsed.blocks]
    assert got == [("one", 1, 0, 3, 0), ("two", 1, 1, 4, 0), ("sub", 2, 0, None, 1),
                   ("alpha", 3, 0, None, 0), ("second paragraph", 3, 0, None, 0)]
