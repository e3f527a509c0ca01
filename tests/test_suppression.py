"""Suppression comments: which findings they silence, and which they must not.

Only real HTML comments are directives; ``disable-next-line`` covers exactly
the next physical line; ``disable``/``enable`` ranges work per rule or pack.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from healthlint.config import Config
from healthlint.engine import Linter
from healthlint.suppression import parse_directive

FIXTURES = Path(__file__).parent / "fixtures" / "suppression"


def lint(text: str, select=("claims",)):
    linter = Linter(Config(), select=list(select))
    return [(d.line, d.column, d.rule) for d in linter.lint_text("post.md", text)]


DIRECTIVES_EXPECTED = [
    # line 3: disable-line claims.cure -> silenced
    # line 6: disable-next-line claims (pack prefix) -> both findings silenced
    (7, 7, "claims.cure"),  # only the next physical line is covered
    (11, 6, "claims.cure"),  # a blank line follows the directive on line 9
    # line 14: a directive at the end of a list item's first line covers its second line
    (17, 13, "claims.cure"),  # inside a block quote, only the guarantee is silenced
    (20, 22, "claims.guarantee"),  # disable claims.cure leaves the guarantee on
    # line 22: still inside the claims.cure range
    (25, 7, "claims.cure"),  # after enable claims.cure
    (28, 9, "claims.cure"),  # a directive in a code span is documentation, not a directive
    (34, 10, "claims.cure"),  # nor one in a fenced code block
    # line 37: disable without rules lasts to the end of the file
]


def test_directives_fixture():
    text = (FIXTURES / "directives.md").read_text(encoding="utf-8")
    assert lint(text) == DIRECTIVES_EXPECTED


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_directives_with_crlf_and_lone_cr_line_ends(newline):
    text = (FIXTURES / "directives.md").read_text(encoding="utf-8").replace("\n", newline)
    assert lint(text) == DIRECTIVES_EXPECTED


def test_without_directives_every_finding_is_reported():
    # The control: the same fixture with the directives turned into plain comments.
    text = (FIXTURES / "directives.md").read_text(encoding="utf-8").replace("healthlint-", "note-")
    found = lint(text)
    assert (3, 8, "claims.cure") in found
    assert (6, 13, "claims.cure") in found and (6, 27, "claims.guarantee") in found
    assert (14, 13, "claims.cure") in found
    assert (22, 7, "claims.cure") in found
    assert (37, 56, "claims.guarantee") in found


def test_next_line_means_the_physical_line_after_the_comment_end():
    text = "<!-- healthlint-disable-next-line\n     claims.cure -->\nRue cures warts.\nRue cures warts.\n"
    assert lint(text) == [(4, 5, "claims.cure")]


def test_next_line_does_not_reach_a_finding_that_starts_later():
    text = "<!-- healthlint-disable-next-line -->\nRest.\nRue cures warts.\n"
    assert lint(text) == [(3, 5, "claims.cure")]


def test_disable_pack_then_enable_one_rule():
    text = (
        "<!-- healthlint-disable claims -->\n"
        "Rue cures warts, guaranteed.\n"
        "<!-- healthlint-enable claims.guarantee -->\n"
        "Rue cures warts, guaranteed.\n"
    )
    assert lint(text) == [(4, 18, "claims.guarantee")]


def test_enable_without_rules_ends_every_range():
    text = (
        "<!-- healthlint-disable claims.cure, claims.guarantee -->\n"
        "Rue cures warts, guaranteed.\n"
        "<!-- healthlint-enable -->\n"
        "Rue cures warts, guaranteed.\n"
    )
    assert lint(text) == [(4, 5, "claims.cure"), (4, 18, "claims.guarantee")]


def test_a_directive_applies_from_where_it_stands():
    # A disable comment after a finding on the same line does not reach back.
    text = "Rue cures warts. <!-- healthlint-disable -->\nRue cures warts.\n"
    assert lint(text) == [(1, 5, "claims.cure")]


def test_reason_after_a_colon_keeps_the_rule_list():
    text = (
        "<!-- healthlint-disable claims.cure: quoting a 1920s advert -->\n"
        "Rue cures warts, guaranteed.\n"
    )
    assert lint(text) == [(2, 18, "claims.guarantee")]


def test_reason_after_double_dash():
    text = "<!-- healthlint-disable-next-line claims.cure -- a reader's words -->\nRue cures warts, guaranteed.\n"
    assert lint(text) == [(2, 18, "claims.guarantee")]


def test_rule_ids_are_case_insensitive():
    text = "<!-- healthlint-disable-next-line Claims.Cure -->\nRue cures warts, guaranteed.\n"
    assert lint(text) == [(2, 18, "claims.guarantee")]


def test_document_level_finding_can_be_switched_off_at_the_top():
    text = "<!-- healthlint-disable disclaimer -->\nA post about migraine treatment.\n"
    assert lint(text, select=("disclaimer",)) == []
    assert lint("A post about migraine treatment.\n", select=("disclaimer",)) == [(1, 1, "disclaimer.missing")]


def test_document_level_finding_in_a_post_with_front_matter():
    # Line 1 belongs to the front matter, so the directive can only stand in the body.
    post = "---\ntitle: Migraine care\n---\n\n<!-- healthlint-disable disclaimer -- a press release -->\n\nA post about migraine treatment.\n"
    assert lint(post, select=("disclaimer",)) == []
    bottom = "---\ntitle: Migraine care\n---\nA post about migraine treatment.\n\n<!-- healthlint-disable disclaimer.missing -->\n"
    assert lint(bottom, select=("disclaimer",)) == []


def test_document_level_finding_is_not_hidden_by_a_closed_range_or_other_rules():
    closed = ("---\ntitle: x\n---\nIntro.\n\n<!-- healthlint-disable disclaimer -->\nA post about migraine treatment.\n"
              "<!-- healthlint-enable disclaimer -->\n")
    assert lint(closed, select=("disclaimer",)) == [(1, 1, "disclaimer.missing")]
    other = "---\ntitle: x\n---\n<!-- healthlint-disable claims -->\nA post about migraine treatment.\n"
    assert lint(other, select=("disclaimer",)) == [(1, 1, "disclaimer.missing")]
    next_line = "<!-- healthlint-disable-next-line disclaimer -->\nA post about migraine treatment.\n"
    assert lint(next_line, select=("disclaimer",)) == [(1, 1, "disclaimer.missing")]


def test_directive_text_outside_a_comment_does_nothing():
    text = "Write healthlint-disable in a comment to silence it.\nRue cures warts.\n"
    assert lint(text) == [(2, 5, "claims.cure")]


def test_directive_in_an_indented_code_block_does_nothing():
    text = "Intro.\n\n    <!-- healthlint-disable -->\n\nRue cures warts.\n"
    assert lint(text) == [(5, 5, "claims.cure")]


def test_unknown_rule_in_a_directive_silences_nothing():
    text = "<!-- healthlint-disable-next-line claims.cur -->\nRue cures warts.\n"
    assert [f for f in lint(text) if f[2] != "healthlint.unknown-directive-rule"] == [(2, 5, "claims.cure")]


# -- parse_directive ----------------------------------------------------------------


@pytest.mark.parametrize("comment,expected", [
    (" healthlint-disable ", ("disable", None, "")),
    ("healthlint-disable", ("disable", None, "")),
    (" healthlint-enable claims ", ("enable", ["claims"], "")),
    (" healthlint-disable-next-line claims.cure,claims.guarantee ", ("disable-next-line", ["claims.cure", "claims.guarantee"], "")),
    (" healthlint-disable-line claims.cure -- quoted ", ("disable-line", ["claims.cure"], "quoted")),
    (" healthlint-disable claims: from the 1920s ", ("disable", ["claims"], "from the 1920s")),
    (" healthlint-disable CLAIMS ", ("disable", ["claims"], "")),
    (" healthlint-disable: claims ", ("disable", ["claims"], "")),
    (" healthlint-disable-next-line:claims.cure ", ("disable-next-line", ["claims.cure"], "")),
])
def test_parse_directive(comment, expected):
    assert parse_directive(comment, ["claims", "disclaimer"]) == expected


def test_a_reason_word_is_not_taken_for_a_pack():
    # "quoting" is not a pack: the directive has no rules (every rule), and a reason
    assert parse_directive(" healthlint-disable quoting a patient ", ["claims"]) == ("disable", None, "quoting a patient")


@pytest.mark.parametrize("comment", [" note ", " healthlint-disabled ", " healthlint-disable-all ", " see healthlint-disable "])
def test_not_directives(comment):
    assert parse_directive(comment, ["claims"]) is None


def test_a_directive_naming_no_rule_or_pack_is_reported_not_silently_ignored():
    text = "<!-- healthlint-disable-next-line claim.cure -->\nHoney cures coughs.\n"
    diags = Linter(Config(), select=["claims"]).lint_text("post.md", text)
    unknown = [d for d in diags if d.rule == "healthlint.unknown-directive-rule"]
    assert [(d.line, d.column, d.severity) for d in unknown] == [(1, 1, "warning")]
    assert "claims.cure" in unknown[0].message  # the did-you-mean hint
    assert [d.rule for d in diags if d.rule.startswith("claims")] == ["claims.cure"]  # nothing was silenced


def test_a_directive_naming_an_unselected_but_known_pack_is_fine():
    text = "<!-- healthlint-disable-next-line disclaimer -->\nHoney cures coughs.\n"
    diags = Linter(Config(), select=["claims"]).lint_text("post.md", text)
    assert [d.rule for d in diags] == ["claims.cure"]
