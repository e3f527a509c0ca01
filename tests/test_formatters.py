"""Output formats: json, text and github, unit by unit and through the CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from healthlint.cli import main
from healthlint.diagnostic import Diagnostic
from healthlint.formatters import REGISTRY, RenderContext
from healthlint.formatters.github import annotation, annotation_path, escape_data, escape_property

FIXTURES = Path(__file__).parent / "fixtures"
LIMIT_NOTICE = (
    "::notice title=healthlint::healthlint reported {total} findings ({errors} errors, {warnings} warnings, "
    "{notices} notices). GitHub shows at most 10 error, 10 warning and 10 notice annotations per step: "
    "see this step's log for all of them."
)


def diag(line=3, column=22, end_line=3, end_column=27, rule="claims.cure", severity="error",
         message="m", suggestion="", path="posts/a.md"):
    return Diagnostic(path, line, column, end_line, end_column, rule, severity, message, suggestion)


def render(fmt, diagnostics, **ctx):
    return REGISTRY[fmt]().render(diagnostics, RenderContext(**ctx))


# -- github: escaping -----------------------------------------------------------------


def test_escape_data_percent_cr_lf():
    assert escape_data('50% of "cures"\r\n::error::x') == '50%25 of "cures"%0D%0A::error::x'


def test_escape_data_escapes_percent_first():
    # a literal "%0A" in a message must not turn into a line break on the runner
    assert escape_data("%0A") == "%250A"


def test_escape_property_also_colon_and_comma():
    assert escape_property("Q1: sleep, stress & 100%\n") == "Q1%3A sleep%2C stress & 100%25%0A"


# -- github: annotations --------------------------------------------------------------


def test_single_line_annotation_has_columns():
    line = annotation(diag(message="Nope", suggestion="Say less."), {})
    assert line == "::error file=posts/a.md,line=3,endLine=3,col=22,endColumn=27,title=claims.cure::Nope%0ASay less."


def test_multi_line_span_drops_columns():
    line = annotation(diag(line=2, column=14, end_line=3, end_column=10, rule="claims.guarantee"), {})
    assert line == "::error file=posts/a.md,line=2,endLine=3,title=claims.guarantee::m"


def test_document_level_annotation():
    line = annotation(diag(line=1, column=1, end_line=None, end_column=None, severity="warning",
                           rule="disclaimer.missing"), {})
    assert line == "::warning file=posts/a.md,line=1,col=1,title=disclaimer.missing::m"


def test_info_is_a_notice():
    assert annotation(diag(severity="info"), {}).startswith("::notice ")


def test_path_with_colon_comma_percent_is_escaped():
    line = annotation(diag(path="posts/2024/Q1: sleep, stress & you.md"), {})
    assert line.startswith("::error file=posts/2024/Q1%3A sleep%2C stress & you.md,line=3,")


def test_exact_annotation_message_with_percent_line_breaks_colon_comma_and_non_ascii():
    # in the message only %, CR and LF are escaped (":" and "," stay); non-ASCII text is kept as is
    d = diag(message="50% of \u201cpatients\u201d: cured, caf\u00e9\r\nsecond line", suggestion="Say: may help, 20%.")
    assert annotation(d, {}) == (
        "::error file=posts/a.md,line=3,endLine=3,col=22,endColumn=27,title=claims.cure::"
        "50%25 of \u201cpatients\u201d: cured, caf\u00e9%0D%0Asecond line%0ASay: may help, 20%25."
    )


@pytest.mark.parametrize("path,escaped", [
    # in properties ":" and "," are escaped too; spaces, "&" and non-ASCII letters are not
    ("posts/2024/Q1: sleep, stress & 100% caf\u00e9.md", "posts/2024/Q1%3A sleep%2C stress & 100%25 caf\u00e9.md"),
    ("posts/line\nbreak\r.md", "posts/line%0Abreak%0D.md"),
    ("\u8336/\u304a\u8336 tea.md", "\u8336/\u304a\u8336 tea.md"),
])
def test_exact_annotation_for_awkward_paths(path, escaped):
    d = diag(path=path, severity="warning", rule="claims.superlative", message="m")
    assert annotation(d, {}) == f"::warning file={escaped},line=3,endLine=3,col=22,endColumn=27,title=claims.superlative::m"


def test_exact_multi_line_annotation_with_awkward_message():
    d = diag(line=7, column=40, end_line=9, end_column=3, severity="info", rule="claims.evidence-based",
             message="100%\nproof: none, really", suggestion="")
    assert annotation(d, {}) == (
        "::notice file=posts/a.md,line=7,endLine=9,title=claims.evidence-based::100%25%0Aproof: none, really"
    )


def test_title_is_escaped_as_a_property():
    assert annotation(diag(rule="house.a:b,c"), {}).split("::")[1].endswith(",title=house.a%3Ab%2Cc")


def test_message_cannot_forge_a_second_command():
    line = annotation(diag(message="a\n::error file=x::forged", suggestion="b\r\nc"), {})
    assert "\n" not in line and "\r" not in line
    assert line.count("::") == 4  # "::error", the separator, and the two inside the escaped data
    assert line.endswith("::a%0A::error file=x::forged%0Ab%0D%0Ac")


def test_annotation_path_relative_to_workspace_with_forward_slashes(tmp_path, monkeypatch):
    (tmp_path / "blog" / "posts").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "blog")
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    assert annotation_path("posts/a.md", env) == "blog/posts/a.md"
    assert annotation_path("./posts/../posts/a.md", env) == "blog/posts/a.md"
    assert annotation_path(str(tmp_path / "blog" / "posts" / "a.md"), env) == "blog/posts/a.md"
    # outside the workspace: left as given
    assert annotation_path("/elsewhere/a.md", env) == "/elsewhere/a.md"
    # no workspace: as given
    assert annotation_path("posts/a.md", {}) == "posts/a.md"


# -- github: render ---------------------------------------------------------------------


def test_all_findings_errors_first_and_one_notice_beyond_ten_warnings():
    warnings = [diag(line=i, severity="warning", rule="claims.superlative") for i in range(1, 12)]
    errors = [diag(line=20 + i) for i in range(2)]
    out = render("github", warnings + errors)
    lines = out.rstrip("\n").split("\n")
    assert len(lines) == 11 + 2 + 1
    assert [l.split(" ", 1)[0] for l in lines[:2]] == ["::error", "::error"]
    assert all(l.startswith("::warning ") for l in lines[2:13])
    assert lines[2:13] == [annotation(d, {}) for d in warnings]  # order kept within a severity
    assert lines[13] == LIMIT_NOTICE.format(total=13, errors=2, warnings=11, notices=0)


def test_no_notice_at_exactly_ten_of_each_type():
    out = render("github", [diag(line=i) for i in range(1, 11)] + [diag(line=i, severity="warning") for i in range(1, 11)]
                 + [diag(line=i, severity="info") for i in range(1, 11)])
    assert "title=healthlint::" not in out
    assert (out.count("::error "), out.count("::warning "), out.count("::notice ")) == (10, 10, 10)


def test_notice_beyond_ten_notices_comes_before_them():
    # actions/runner keeps 10 annotations per type and step, notices included: the limit notice
    # goes before the info notices so that it is always one of the 10 shown
    infos = [diag(line=i, severity="info", rule="claims.evidence-based") for i in range(1, 12)]
    lines = render("github", infos + [diag(line=40, severity="warning")]).rstrip("\n").split("\n")
    assert len(lines) == 13
    assert lines[0].startswith("::warning ")
    assert lines[1] == LIMIT_NOTICE.format(total=12, errors=0, warnings=1, notices=11)
    assert lines[2:] == [annotation(d, {}) for d in infos]


def test_notice_beyond_ten_errors():
    out = render("github", [diag(line=i) for i in range(1, 12)])
    assert out.rstrip("\n").split("\n")[-1].startswith("::notice ")


def test_every_line_is_a_workflow_command():
    diagnostics = [diag(message="100% sure\nreally", suggestion="x,y:z"), diag(severity="warning", message="%")]
    for line in render("github", diagnostics).rstrip("\n").split("\n"):
        assert re.match(r"^::(error|warning|notice) [^\n]*::", line)


def test_step_summary_is_appended(tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    render("github", [diag(message="a | b"), diag(rule="claims.guarantee")], env=env, files=1)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n")
    assert "| `claims.cure` | 1 |" in text and "| `claims.guarantee` | 1 |" in text
    assert "a \\| b" in text  # a pipe in a message does not break the table


def test_step_summary_escapes_pipes_and_line_breaks_in_every_cell(tmp_path):
    summary = tmp_path / "summary.md"
    render("github", [diag(path="a|b.md", message="one\r\ntwo")], env={"GITHUB_STEP_SUMMARY": str(summary)}, files=1)
    row = next(l for l in summary.read_text(encoding="utf-8").split("\n") if "claims.cure" in l and "a" in l and "|" in l
               and "one" in l)
    assert row == "| a\\|b.md | 3 | error | `claims.cure` | one two |"


def test_step_summary_when_clean(tmp_path):
    summary = tmp_path / "summary.md"
    render("github", [], env={"GITHUB_STEP_SUMMARY": str(summary)}, files=3)
    assert "No problems found in 3 files." in summary.read_text(encoding="utf-8")


def test_unwritable_step_summary_does_not_break_the_output(tmp_path):
    out = render("github", [diag()], env={"GITHUB_STEP_SUMMARY": str(tmp_path / "missing" / "s.md")})
    assert out.startswith("::error ")


def test_github_through_the_cli(tmp_path, monkeypatch):
    (tmp_path / "blog" / "posts").mkdir(parents=True)
    shutil.copy(FIXTURES / "posts" / "claim.md", tmp_path / "blog" / "posts" / "claim.md")
    monkeypatch.chdir(tmp_path / "blog")
    summary = tmp_path / "summary.md"
    env = {"GITHUB_WORKSPACE": str(tmp_path), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"}
    result = CliRunner().invoke(main, ["check", "--select", "claims", "posts"], env=env)
    assert result.exit_code == 1
    lines = result.stdout.rstrip("\n").split("\n")
    assert [l.split("::")[1] for l in lines] == [
        "error file=blog/posts/claim.md,line=3,endLine=3,col=22,endColumn=27,title=claims.cure",
        "error file=blog/posts/claim.md,line=5,endLine=5,col=23,endColumn=28,title=claims.cure",
    ]
    assert "blog/posts/claim.md" in summary.read_text(encoding="utf-8")


def _unescape(data: str) -> str:
    return data.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_github_through_the_cli_with_a_span_across_lines_and_a_percent(tmp_path, monkeypatch):
    # line 1 "Ginger cures colds.": "cures" is columns 8-12 (end 13);
    # "100%" starts at column 14 of line 2 and "effective" ends before column 10 of line 3
    monkeypatch.chdir(tmp_path)
    (tmp_path / "100% tonic, v2.md").write_text("Ginger cures colds.\nThe tonic is 100%\neffective.\n", encoding="utf-8")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(tmp_path), "GITHUB_STEP_SUMMARY": ""}
    result = CliRunner().invoke(main, ["check", "--select", "claims", "100% tonic, v2.md"], env=env)
    as_json = json.loads(CliRunner().invoke(main, ["check", "--select", "claims", "--format", "json",
                                                   "100% tonic, v2.md"]).stdout)
    lines = result.stdout.rstrip("\n").split("\n")
    assert [l.split("::")[1] for l in lines] == [
        "error file=100%25 tonic%2C v2.md,line=1,endLine=1,col=8,endColumn=13,title=claims.cure",
        "error file=100%25 tonic%2C v2.md,line=2,endLine=3,title=claims.guarantee",
    ]
    for line, d in zip(lines, as_json):
        data = line.split("::", 2)[2]
        assert "%" not in data.replace("%25", "").replace("%0A", "").replace("%0D", "")
        assert _unescape(data) == d["message"] + "\n" + d["suggestion"]


# -- json ---------------------------------------------------------------------------------


def test_json_empty():
    assert render("json", []) == "[]\n"


def test_json_exact_keys_in_order_and_unicode_kept():
    d = diag(message="\u201ccures\u201d is a claim", suggestion="Say \u201cmay help\u201d.", path="caf\u00e9.md",
             end_line=None, end_column=None)
    out = render("json", [d])
    data = json.loads(out)
    assert list(data[0]) == ["path", "line", "column", "end_line", "end_column", "rule", "severity", "message", "suggestion", "also"]
    assert data[0]["end_line"] is None and data[0]["end_column"] is None
    assert "\u201c" in out and "caf\u00e9" in out  # not escaped to \u201c
    assert out.endswith("]\n")


# -- text -----------------------------------------------------------------------------------


def test_text_lines_suggestion_and_summary():
    out = render("text", [diag(message="No.", suggestion="Say less."), diag(line=9, column=1, severity="warning",
                                                                             rule="disclaimer.missing", message="Add one.")],
                 files=1)
    assert out == (
        "posts/a.md:3:22: error claims.cure No.\n"
        "    suggestion: Say less.\n"
        "posts/a.md:9:1: warning disclaimer.missing Add one.\n"
        "Found 2 problems (1 error, 1 warning) in 1 file.\n"
    )


@pytest.mark.parametrize("diagnostics,files,summary", [
    ([], 0, "No problems found in 0 files."),
    ([], 1, "No problems found in 1 file."),
    ([diag(severity="info")], 2, "Found 1 problem (1 info) in 2 files."),
    ([diag(), diag(), diag(severity="info"), diag(severity="info")], 3, "Found 4 problems (2 errors, 2 info) in 3 files."),
])
def test_text_summary_wording(diagnostics, files, summary):
    assert render("text", diagnostics, files=files).rstrip("\n").split("\n")[-1] == summary


def test_text_colour_only_when_asked():
    plain = render("text", [diag()], files=1)
    coloured = render("text", [diag()], files=1, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_annotation_path_on_windows_uses_forward_slashes(monkeypatch):
    # B50d-like: on a Windows runner the workspace and the path use backslashes and a drive.
    import ntpath
    import types

    import healthlint.formatters.github as github

    monkeypatch.setattr(github, "os", types.SimpleNamespace(sep="\\", path=ntpath))
    env = {"GITHUB_WORKSPACE": "D:\\a\\clinic\\clinic"}
    assert github.annotation_path("D:\\a\\clinic\\clinic\\blog\\posts\\x.md", env) == "blog/posts/x.md"
    assert github.annotation_path("E:\\other\\x.md", env) == "E:/other/x.md"


def test_findings_of_several_rules_on_the_same_words_are_one_finding():
    from healthlint.engine import merge_same_span

    a = diag(rule="claims.safe-and-effective", severity="error", message="A.", line=3, column=5, end_line=3,
             end_column=23)
    b = diag(rule="safety.risk-omission", severity="warning", message="B.", line=3, column=5, end_line=3,
             end_column=23)
    c = diag(rule="claims.superlative", severity="warning", message="C.", line=3, column=6, end_line=3,
             end_column=23)  # overlaps but starts elsewhere: kept apart
    whole = diag(rule="disclaimer.missing", severity="warning", message="D.", line=1, column=1, end_line=None,
                 end_column=None)
    whole2 = diag(rule="metadata.author-missing", severity="info", message="E.", line=1, column=1, end_line=None,
                  end_column=None)
    order = {"claims.safe-and-effective": 0, "claims.superlative": 1, "disclaimer.missing": 2,
             "safety.risk-omission": 3, "metadata.author-missing": 4}
    out = merge_same_span([b, a, c, whole, whole2], order)
    merged = [d for d in out if d.also]
    assert len(out) == 4 and len(merged) == 1
    assert merged[0].rule == "claims.safe-and-effective" and merged[0].also == ("safety.risk-omission",)
    assert merged[0].severity == "error" and merged[0].message == "A. Also safety.risk-omission: B."
