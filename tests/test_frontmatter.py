"""Front matter: detection, absolute body lines, errors, and which fields are prose.

YAML between ``---`` (closing ``---`` or ``...``) and TOML between ``+++``, only
on the first line (after an optional BOM). The reader-visible string fields
(title, description, summary, excerpt by default) are linted as prose at exact
positions; every other key never is.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from healthlint.cli import main
from healthlint.config import Config
from healthlint.document import Document
from healthlint.engine import FRONT_MATTER_ERROR, Linter
from healthlint.frontmatter import align, field_prose

FM = Path(__file__).parent / "fixtures" / "frontmatter"


def lint_fixture(name: str, fields=None, select=("claims",)):
    cfg = Config()
    if fields is not None:
        cfg.front_matter_fields = list(fields)
    linter = Linter(cfg, select=list(select))
    raw = (FM / name).read_bytes()
    from healthlint.document import decode

    return linter.lint_text(name, decode(raw))


def spans(diags):
    return [(d.line, d.column, d.end_line, d.end_column, d.rule) for d in diags]


BODY = (13, 18, 13, 23, "claims.cure")  # yaml-fields.md: "Body text: honey cures coughs."


def test_yaml_fields_are_prose_at_exact_positions():
    assert spans(lint_fixture("yaml-fields.md")) == [
        (2, 19, 2, 24, "claims.cure"),  # title: plain scalar
        (3, 19, 3, 26, "claims.superlative"),  # description: after an escaped quote \"
        (3, 40, 3, 54, "claims.guarantee"),
        (4, 31, 4, 38, "claims.superlative"),  # summary: after a doubled '' quote
        (4, 44, 4, 60, "claims.guarantee"),
        (6, 19, 6, 24, "claims.cure"),  # excerpt: second line of a multi-line plain scalar
        # author, slug, tags and the nested image.alt are never prose
        BODY,
    ]


def test_yaml_block_scalars_keep_line_and_column():
    assert spans(lint_fixture("yaml-blocks.md")) == [
        (4, 15, 4, 20, "claims.cure"),  # folded (>): second content line
        (7, 21, 7, 26, "claims.cure"),  # literal (|-): a more-indented line keeps its indentation
    ]


def test_toml_fields_are_prose_at_exact_positions():
    assert spans(lint_fixture("toml-fields.md")) == [
        (2, 21, 2, 26, "claims.cure"),  # basic string followed by a comment
        (3, 22, 3, 27, "claims.cure"),  # literal string
        (6, 1, 6, 6, "claims.cure"),  # multi-line string, second line
        (7, 22, 7, 27, "claims.cure"),  # after a \t escape
        # author is not a prose field; [extra].title is not top level
        (12, 18, 12, 23, "claims.cure"),
    ]


def test_only_configured_fields_are_prose():
    # With only "summary" configured, the title and description stay quiet.
    found = spans(lint_fixture("yaml-fields.md", fields=["summary"]))
    assert found == [(4, 31, 4, 38, "claims.superlative"), (4, 44, 4, 60, "claims.guarantee"), BODY]
    assert spans(lint_fixture("yaml-fields.md", fields=[])) == [BODY]


def test_a_non_prose_key_can_be_made_prose():
    found = spans(lint_fixture("yaml-fields.md", fields=["author"]))
    assert found == [(7, 12, 7, 17, "claims.cure"), BODY]  # "author: Dr Cures"


@pytest.mark.parametrize("name,body_line", [
    ("yaml-crlf-dots.md", 4),  # CRLF line ends, closed by "..."
    ("yaml-bom.md", 4),  # a BOM before the opening fence
    ("yaml-empty.md", 3),  # nothing between the fences
    ("yaml-list.md", 5),  # a YAML list, not a mapping: no fields, no crash
])
def test_body_lines_stay_absolute(name, body_line):
    found = spans(lint_fixture(name))
    assert (body_line, 18, body_line, 23, "claims.cure") in found
    assert not any(d[4] == FRONT_MATTER_ERROR for d in found)


def test_title_of_bom_and_crlf_front_matter_is_linted():
    assert (2, 19, 2, 24, "claims.cure") in spans(lint_fixture("yaml-bom.md"))
    assert (2, 19, 2, 24, "claims.cure") in spans(lint_fixture("yaml-crlf-dots.md"))


def test_non_string_values_are_skipped_and_list_items_are_prose():
    # title: 2024, description: true, summary: ~ are not text; excerpt is a list of strings
    assert spans(lint_fixture("odd-values.md")) == [(5, 22, 5, 27, "claims.cure"), (7, 18, 7, 23, "claims.cure")]


def test_dashes_after_the_first_line_are_markdown():
    # "Intro line.\n---" is a setext heading, and so is the "title:" line: readers see both.
    assert spans(lint_fixture("not-front-matter.md")) == [(3, 19, 3, 24, "claims.cure"), (5, 18, 5, 23, "claims.cure")]
    assert Document("x.md", (FM / "not-front-matter.md").read_text(encoding="utf-8")).front_matter is None


def test_unclosed_fence_is_not_front_matter():
    doc = Document("x.md", (FM / "unclosed.md").read_text(encoding="utf-8"))
    assert doc.front_matter is None
    assert spans(lint_fixture("unclosed.md")) == [(2, 19, 2, 24, "claims.cure"), (4, 18, 4, 23, "claims.cure")]


def test_invalid_yaml_is_reported_where_yaml_says_and_the_body_is_linted():
    text = (FM / "yaml-invalid.md").read_text(encoding="utf-8")
    raw = "\n".join(text.split("\n")[1:4]) + "\n"
    with pytest.raises(yaml.YAMLError) as info:
        yaml.safe_load(raw)
    mark = info.value.problem_mark
    expected = (mark.line + 2, mark.column + 1)  # the front matter's first line is line 2
    diags = lint_fixture("yaml-invalid.md")
    errors = [d for d in diags if d.rule == FRONT_MATTER_ERROR]
    assert len(errors) == 1
    assert (errors[0].line, errors[0].column) == expected
    assert errors[0].severity == "error"
    assert "YAML" in errors[0].message
    assert (6, 18, 6, 23, "claims.cure") in spans(diags)


def test_invalid_toml_is_reported_and_the_body_is_linted():
    diags = lint_fixture("toml-invalid.md")
    errors = [d for d in diags if d.rule == FRONT_MATTER_ERROR]
    # 'title = "Nettle tea' is 19 characters: the string runs into the line end at column 20
    assert [(d.line, d.column) for d in errors] == [(2, 20)]
    assert (4, 18, 4, 23, "claims.cure") in spans(diags)


def test_invalid_front_matter_fails_the_run_but_is_no_io_error(tmp_path, monkeypatch):
    shutil.copy(FM / "yaml-invalid.md", tmp_path / "post.md")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--format", "json", "--select", "claims.superlative", "post.md"])
    data = json.loads(result.stdout)
    assert [d["rule"] for d in data] == [FRONT_MATTER_ERROR]
    assert data[0]["end_line"] is None
    assert result.exit_code == 1


def test_invalid_front_matter_is_reported_even_when_no_rule_is_selected_from_it():
    diags = lint_fixture("yaml-invalid.md", select=("disclaimer",))
    assert FRONT_MATTER_ERROR in {d.rule for d in diags}


# -- align: the position walk -------------------------------------------------------


def test_align_plain_text_is_one_to_one():
    assert align("ab", "ab", 3, 7) == [(3, 7), (3, 8)]


def test_align_folded_line_break_and_indentation():
    # value "a b" from source "a\n  b": the space stands on the line end, b keeps its column
    assert align("a b", "a\n  b", 1, 5) == [(1, 5), (1, 6), (2, 3)]


def test_align_escapes_and_doubled_quotes():
    assert align('x"y', 'x\\"y', 1, 1, escapes="yaml") == [(1, 1), (1, 2), (1, 4)]
    assert align("\u00e9z", "\\u00e9z", 1, 1, escapes="toml") == [(1, 1), (1, 7)]
    assert align("it's", "it''s", 1, 1, doubled_quote="'") == [(1, 1), (1, 2), (1, 3), (1, 5)]


def test_align_gives_up_when_the_source_does_not_follow():
    assert align("abc", "xyz", 1, 1) is None


def test_field_prose_api_lists_key_text_and_positions():
    doc = Document("x.md", "---\ntitle: Hi there\ntags: [a]\n---\nBody\n")
    assert doc.front_matter is not None
    fields = field_prose(doc.front_matter, ["title", "tags"])
    assert [(k, t) for k, t, _ in fields] == [("title", "Hi there"), ("tags", "a")]
    assert fields[0][2][0] == (2, 8) and fields[0][2][-1] == (2, 15)
