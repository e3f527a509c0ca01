"""The ``healthlint check`` contract: arguments, output formats, paths and exit codes.

Most tests run the command in-process with click's CliRunner; the ones at the
end start a real process (real exit status, C locale, bytes on stdout, a
terminal for colour).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from healthlint import __version__
from healthlint.cli import main
from healthlint.packs import builtin_pack_files, load_packs

FIXTURES = Path(__file__).parent / "fixtures"
POSTS = FIXTURES / "posts"
KEYS = ["path", "line", "column", "end_line", "end_column", "rule", "severity", "message", "suggestion", "also"]
CURE_MESSAGE_START = "\u201ccures\u201d"  # the rule's message starts with the matched word in curly quotes


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A scratch folder (cwd) holding copies of the fixture posts; no configuration above it."""
    shutil.copytree(POSTS, tmp_path / "posts")
    shutil.copytree(FIXTURES / "tree", tmp_path / "tree")
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_ACTIONS", "GITHUB_WORKSPACE", "GITHUB_STEP_SUMMARY", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(*args: str, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def findings(result):
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def spans(result):
    return [(d["path"], d["line"], d["column"], d["end_line"], d["end_column"], d["rule"]) for d in findings(result)]


# -- json ------------------------------------------------------------------------


def test_json_objects_have_exactly_the_contract_keys(work):
    result = run("check", "--format", "json", "posts/claim.md")
    assert result.exit_code == 1
    data = findings(result)
    assert data, "the post has findings"
    for item in data:
        assert list(item) == KEYS
        assert item["severity"] in ("error", "warning", "info")
        assert isinstance(item["message"], str) and item["message"]
        assert isinstance(item["suggestion"], str)


def test_json_positions_are_one_based_code_points_with_exclusive_end(work):
    # line 3: "Our elderberry syrup cures the common cold." -> "cures" is columns 22-26
    # line 5: "Café owners say honey cures coughs." -> é is one column, "cures" is 23-27
    result = run("check", "--format", "json", "--select", "claims", "posts/claim.md")
    assert spans(result) == [
        ("posts/claim.md", 3, 22, 3, 27, "claims.cure"),
        ("posts/claim.md", 5, 23, 5, 28, "claims.cure"),
    ]
    assert findings(result)[0]["message"].startswith(CURE_MESSAGE_START)


def test_document_level_finding_is_at_1_1_with_null_ends(work):
    result = run("check", "--format", "json", "--select", "disclaimer", "posts/claim.md")
    assert spans(result) == [("posts/claim.md", 1, 1, None, None, "disclaimer.missing")]
    assert result.exit_code == 1


def test_json_empty_array_and_exit_0_when_clean(work):
    result = run("check", "--format", "json", "posts/clean.md")
    assert result.exit_code == 0
    assert findings(result) == []


def test_json_keeps_non_ascii_text_readable(work):
    (work / "posts" / "sp\u00e4t.md").write_text("Ginseng cures fatigue.\n", encoding="utf-8")
    result = run("check", "--format", "json", "--select", "claims", "posts/sp\u00e4t.md")
    assert "sp\u00e4t.md" in result.stdout  # not \u00e4 escapes
    assert findings(result)[0]["path"] == "posts/sp\u00e4t.md"


# -- paths -----------------------------------------------------------------------


def test_explicit_path_is_reported_as_given(work):
    result = run("check", "--format", "json", "--select", "claims", "./posts/../posts/claim.md")
    assert {d["path"] for d in findings(result)} == {"./posts/../posts/claim.md"}


def test_folder_walk_joins_argument_and_relative_path(work):
    result = run("check", "--format", "json", "--select", "claims", "tree")
    paths = sorted(d["path"] for d in findings(result))
    assert paths == sorted(
        ["tree/a.md", "tree/sub/b.markdown", "tree/sub/c.mdx", os.path.join("tree", "sub", "D.MD")]
    )


def test_folder_walk_with_trailing_slash_and_dot(work):
    result = run("check", "--format", "json", "--select", "claims", "tree/")
    assert "tree/a.md" in {d["path"] for d in findings(result)}
    os.chdir(work / "tree")
    result = run("check", "--format", "json", "--select", "claims", ".")
    assert "./sub/b.markdown" in {d["path"] for d in findings(result)}


def test_folder_walk_skips_other_extensions_and_vendored_folders(work):
    result = run("check", "--format", "json", "--select", "claims", "tree")
    paths = {d["path"] for d in findings(result)}
    assert not any(p.endswith((".txt", ".mdown")) for p in paths)
    assert not any("node_modules" in p for p in paths)


def test_explicit_file_is_linted_whatever_its_extension(work):
    result = run("check", "--format", "json", "--select", "claims", "tree/sub/notes.txt", "tree/sub/e.mdown")
    assert spans(result) == [
        ("tree/sub/notes.txt", 1, 12, 1, 17, "claims.cure"),
        ("tree/sub/e.mdown", 1, 12, 1, 17, "claims.cure"),
    ]


def test_a_file_named_twice_is_linted_once(work):
    result = run("check", "--format", "json", "--select", "claims", "tree/a.md", "./tree/a.md", "tree")
    assert [d["path"] for d in findings(result)].count("tree/a.md") == 1
    assert "./tree/a.md" not in {d["path"] for d in findings(result)}


def test_double_dash_allows_a_path_starting_with_a_dash(work):
    (work / "-draft.md").write_text("Sage tea cures sore throats.\n", encoding="utf-8")
    result = run("check", "--format", "json", "--select", "claims", "--", "-draft.md")
    assert result.exit_code == 1
    assert spans(result) == [("-draft.md", 1, 10, 1, 15, "claims.cure")]


def test_dash_path_without_double_dash_is_a_usage_error(work):
    (work / "-draft.md").write_text("Sage tea cures sore throats.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--format", "json", "-draft.md"])
    assert result.exit_code == 2  # an unknown option, never a silent success


def test_no_path_means_the_current_folder(work):
    os.chdir(work / "tree")
    result = run("check", "--format", "json", "--select", "claims")
    assert "./a.md" in {d["path"] for d in findings(result)}


# -- selection -------------------------------------------------------------------


def test_select_by_pack_prefix_and_by_id(work):
    by_pack = {d["rule"] for d in findings(run("check", "--format", "json", "--select", "claims", "posts/levels.md"))}
    assert by_pack == {"claims.superlative", "claims.evidence-based"}
    by_id = {d["rule"] for d in findings(run("check", "--format", "json", "--select", "claims.superlative", "posts/levels.md"))}
    assert by_id == {"claims.superlative"}


def test_select_comma_list_and_repeated_option(work):
    a = run("check", "--format", "json", "--select", "claims.superlative,disclaimer", "posts/levels.md")
    b = run("check", "--format", "json", "--select", "claims.superlative", "--select", "disclaimer", "posts/levels.md")
    assert {d["rule"] for d in findings(a)} == {"claims.superlative", "disclaimer.missing"}
    assert spans(a) == spans(b)


def test_ignore_and_extend_select(work):
    ignored = run("check", "--format", "json", "--ignore", "claims.superlative", "posts/levels.md")
    assert "claims.superlative" not in {d["rule"] for d in findings(ignored)}
    assert "disclaimer.missing" in {d["rule"] for d in findings(ignored)}
    extended = run("check", "--format", "json", "--select", "disclaimer", "--extend-select", "claims.superlative",
                   "posts/levels.md")
    assert {d["rule"] for d in findings(extended)} == {"disclaimer.missing", "claims.superlative"}


def test_select_all(work):
    result = run("check", "--format", "json", "--select", "ALL", "posts/levels.md")
    # ALL turns on the rules that are off by default too: here the metadata pack's (the post has no byline)
    assert {d["rule"] for d in findings(result)} == {"disclaimer.missing", "claims.superlative", "claims.evidence-based",
                                                     "metadata.author-missing", "metadata.review-missing"}


def test_unknown_rule_in_select_is_a_usage_error_with_a_hint(work):
    result = run("check", "--format", "json", "--select", "claims.cur", "posts/claim.md")
    assert result.exit_code == 2
    assert "claims.cur" in result.stderr and "claims.cure" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("option", ["--ignore", "--extend-select"])
def test_unknown_rule_in_ignore_or_extend_select_is_a_usage_error(work, option):
    result = run("check", option, "claimz", "posts/claim.md")
    assert result.exit_code == 2
    assert option in result.stderr and "claimz" in result.stderr


def test_empty_select_is_a_usage_error(work):
    result = run("check", "--select", "", "posts/claim.md")
    assert result.exit_code == 2
    assert "--select" in result.stderr


# -- exit codes ------------------------------------------------------------------


def test_exit_codes_follow_fail_on(work):
    # levels.md: one warning (superlative), one info (evidence-based) with --select claims
    assert run("check", "--select", "claims", "posts/levels.md").exit_code == 1
    assert run("check", "--select", "claims", "--fail-on", "error", "posts/levels.md").exit_code == 0
    assert run("check", "--select", "claims.evidence-based", "posts/levels.md").exit_code == 0
    assert run("check", "--select", "claims.evidence-based", "--fail-on", "info", "posts/levels.md").exit_code == 1
    assert run("check", "--select", "claims", "--fail-on", "error", "posts/claim.md").exit_code == 1


def test_findings_below_fail_on_are_still_printed(work):
    result = run("check", "--format", "json", "--select", "claims", "--fail-on", "error", "posts/levels.md")
    assert result.exit_code == 0
    assert {d["severity"] for d in findings(result)} == {"warning", "info"}


def test_missing_file_is_exit_2_and_the_other_files_are_linted(work):
    result = run("check", "--format", "json", "--select", "claims", "posts/nope.md", "posts/claim.md")
    assert result.exit_code == 2
    data = findings(result)
    assert ("posts/nope.md", "healthlint.io-error") in {(d["path"], d["rule"]) for d in data}
    assert ("posts/claim.md", "claims.cure") in {(d["path"], d["rule"]) for d in data}


def test_exit_2_wins_over_findings(work):
    result = run("check", "--format", "json", "--select", "claims", "posts/latin1.md", "posts/claim.md")
    assert result.exit_code == 2
    assert {d["rule"] for d in findings(result)} == {"healthlint.encoding-error", "claims.cure"}


def test_exit_2_even_when_fail_on_would_pass(work):
    result = run("check", "--select", "claims", "--fail-on", "error", "posts/latin1.md", "posts/clean.md")
    assert result.exit_code == 2


def test_unknown_option_bad_choice_and_missing_config_are_exit_2(work):
    assert CliRunner().invoke(main, ["check", "--no-such-flag", "posts/claim.md"]).exit_code == 2
    assert CliRunner().invoke(main, ["check", "--fail-on", "fatal", "posts/claim.md"]).exit_code == 2
    assert CliRunner().invoke(main, ["check", "--format", "xml", "posts/claim.md"]).exit_code == 2
    result = run("check", "--config", "missing.yaml", "posts/claim.md")
    assert result.exit_code == 2
    assert "missing.yaml" in result.stderr
    assert result.stdout == ""


def test_unreadable_folder_is_exit_2_and_the_walk_goes_on(work, monkeypatch):
    real = os.scandir

    def scandir(path="."):
        if os.path.basename(str(path)) == "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run("check", "--format", "json", "--select", "claims", "tree")
    assert result.exit_code == 2
    data = findings(result)
    assert ("tree/sub", "healthlint.io-error") in {(d["path"], d["rule"]) for d in data}
    assert ("tree/a.md", "claims.cure") in {(d["path"], d["rule"]) for d in data}


# -- text ------------------------------------------------------------------------

TEXT_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info) (?P<rule>\S+) (?P<msg>.+)$")


def test_text_lines_summary_and_suggestions(work):
    result = run("check", "--format", "text", "--select", "claims", "posts/claim.md")
    lines = result.stdout.rstrip("\n").split("\n")
    assert lines[0].startswith("posts/claim.md:3:22: error claims.cure " + CURE_MESSAGE_START)
    assert TEXT_LINE.match(lines[0])
    assert lines[1].startswith("    ") and lines[1].strip()  # the suggestion, indented
    assert lines[2].startswith("posts/claim.md:5:23: error claims.cure ")
    assert lines[-1] == "Found 2 problems (2 errors) in 1 file."
    assert "\x1b[" not in result.stdout


def test_text_summary_when_clean(work):
    result = run("check", "--format", "text", "posts/clean.md", "posts/disclaimed.md")
    assert result.stdout == "No problems found in 2 files.\n"
    assert result.exit_code == 0


def test_text_is_the_default_format_outside_github_actions(work):
    result = run("check", "--select", "claims", "posts/claim.md")
    assert result.stdout.startswith("posts/claim.md:3:22: error claims.cure")


def test_github_is_the_default_format_inside_github_actions(work):
    result = run("check", "--select", "claims", "posts/claim.md", env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("::error file=posts/claim.md,line=3,endLine=3,col=22,endColumn=27,title=claims.cure::")


# -- other commands --------------------------------------------------------------


def test_rules_lists_every_rule_with_pack_and_severity(work):
    result = run("rules")
    assert result.exit_code == 0
    for pack in load_packs([str(p) for p in builtin_pack_files()]):
        assert pack.name in result.stdout
        for rule in pack.rules:
            line = next(l for l in result.stdout.split("\n") if l.split() and l.split()[0] == rule.id)
            assert rule.severity in line.split()


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


# -- real processes ---------------------------------------------------------------


def _proc(args, cwd, env_extra=None, stdin=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HEALTHLINT", "LC_", "LANG"))}
    env.pop("NO_COLOR", None)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "healthlint", *args], cwd=cwd, env=env, capture_output=True, timeout=120
    )


def test_process_exit_codes(work):
    assert _proc(["check", "posts/clean.md"], work).returncode == 0
    assert _proc(["check", "posts/claim.md"], work).returncode == 1
    assert _proc(["check", "--bogus"], work).returncode == 2
    assert _proc(["check", "posts/latin1.md"], work).returncode == 2


def test_process_in_c_locale_writes_utf8(work):
    (work / "posts" / "caf\u00e9.md").write_text("\u201cSt John\u2019s wort cures the blues.\u201d\n", encoding="utf-8")
    proc = _proc(["check", "--format", "json", "--select", "claims", "posts/caf\u00e9.md", "posts/claim.md"], work,
                 {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""})
    assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in proc.stderr
    data = json.loads(proc.stdout.decode("utf-8"))  # strict UTF-8
    # “St John’s wort cures: the curly quote and apostrophe are one column each
    assert ("posts/caf\u00e9.md", 1, 17, 1, 22) in {(d["path"], d["line"], d["column"], d["end_line"], d["end_column"]) for d in data}
    assert "\u201c".encode("utf-8") in proc.stdout


def test_process_text_in_c_locale(work):
    proc = _proc(["check", "--select", "claims", "posts/claim.md"], work, {"LC_ALL": "C", "PYTHONUTF8": "0"})
    assert proc.returncode == 1
    out = proc.stdout.decode("utf-8")
    assert out.startswith("posts/claim.md:3:22: error claims.cure " + CURE_MESSAGE_START)


def test_process_config_error_on_stderr_in_c_locale(work):
    (work / "r\u00e9glages.yaml").write_text("selekt: [claims]\n", encoding="utf-8")
    proc = _proc(["check", "--config", "r\u00e9glages.yaml", "posts/claim.md"], work, {"LC_ALL": "C", "PYTHONUTF8": "0"})
    assert proc.returncode == 2
    err = proc.stderr.decode("utf-8")
    assert "r\u00e9glages.yaml:1:1" in err and "select" in err
    assert proc.stdout == b""


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("no_color,coloured", [(None, True), ("1", False), ("", True)])
def test_colour_only_on_a_terminal_and_never_with_no_color(work, no_color, coloured):
    master, slave = os.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "NO_COLOR"))}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    try:
        proc = subprocess.run([sys.executable, "-m", "healthlint", "check", "--select", "claims", "posts/claim.md"],
                              cwd=work, env=env, stdout=slave, stderr=subprocess.PIPE, timeout=120)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    out = b"".join(chunks).decode("utf-8")
    assert proc.returncode == 1
    assert "claims.cure" in out
    assert ("\x1b[" in out) is coloured


def test_process_piped_output_has_no_colour(work):
    proc = _proc(["check", "--select", "claims", "posts/claim.md"], work)
    assert b"\x1b[" not in proc.stdout


def test_a_crash_in_a_rule_is_reported_per_file_and_the_run_goes_on(work, monkeypatch):
    from healthlint.kinds.phrase import PhraseKind

    real = PhraseKind.check

    def check(self, ctx):
        if ctx.document.path.endswith("levels.md"):
            raise ValueError("boom")
        return real(self, ctx)

    monkeypatch.setattr(PhraseKind, "check", check)
    result = run("check", "--format", "json", "--select", "claims", "posts/levels.md", "posts/claim.md")
    assert result.exit_code == 2
    data = findings(result)
    internal = [d for d in data if d["rule"] == "healthlint.internal-error"]
    assert [(d["path"], d["line"], d["column"]) for d in internal] == [("posts/levels.md", 1, 1)]
    assert "ValueError" in internal[0]["message"] and "boom" in internal[0]["message"]
    assert ("posts/claim.md", "claims.cure") in {(d["path"], d["rule"]) for d in data}
