"""``--statistics`` and ``--output-file``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from healthlint.cli import main

POSTS = Path(__file__).parent / "fixtures" / "posts"
# rules/claims.yaml
CURE = "Says a treatment or remedy cures a condition."
SUPERLATIVE = 'Superlatives about a treatment ("miracle", "breakthrough", "the best treatment", "most effective").'
EVIDENCE_BASED = 'Calls a treatment "evidence-based" (advisory; the evidence should be shown).'


@pytest.fixture
def work(tmp_path, monkeypatch):
    shutil.copytree(POSTS, tmp_path / "posts")
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_ACTIONS", "GITHUB_WORKSPACE", "GITHUB_STEP_SUMMARY", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


# -- --statistics -------------------------------------------------------------------------


def test_statistics_text_counts_per_rule_then_the_summary(work):
    result = run("--statistics", "--select", "claims", "posts/claim.md")
    assert result.exit_code == 1  # the exit code still follows the findings
    assert result.stdout == f"2  claims.cure  {CURE}\nFound 2 problems (2 errors) in 1 file.\n"


def test_statistics_most_first_ties_by_rule_id_columns_aligned(work):
    text = "".join(f"Remedy {i} cures colds.\n\n" for i in range(10)) + "Patients call it a miracle.\n"
    (work / "many.md").write_text(text, encoding="utf-8")
    result = run("--statistics", "--select", "claims", "many.md", "posts/levels.md")
    assert result.stdout.split("\n")[:4] == [
        f"10  claims.cure            {CURE}",
        f" 2  claims.superlative     {SUPERLATIVE}",
        f" 1  claims.evidence-based  {EVIDENCE_BASED}",
        "Found 13 problems (10 errors, 2 warnings, 1 info) in 2 files.",
    ]


def test_statistics_when_clean(work):
    result = run("--statistics", "posts/clean.md")
    assert result.exit_code == 0
    assert result.stdout == "No problems found in 1 file.\n"


def test_statistics_as_json(work):
    result = run("--statistics", "--format", "json", "--select", "claims", "posts/claim.md", "posts/levels.md")
    assert json.loads(result.stdout) == [
        {"rule": "claims.cure", "count": 2, "description": CURE},
        {"rule": "claims.evidence-based", "count": 1, "description": EVIDENCE_BASED},
        {"rule": "claims.superlative", "count": 1, "description": SUPERLATIVE},
    ]
    assert json.loads(run("--statistics", "--format", "json", "posts/clean.md").stdout) == []


def test_statistics_names_file_errors(work):
    result = run("--statistics", "--select", "claims", "posts/nope.md")
    assert result.exit_code == 2
    assert result.stdout.split("\n")[0] == "1  healthlint.io-error  A file or folder could not be read."


# -- --output-file ------------------------------------------------------------------------


def test_output_file_gets_the_output_and_stdout_nothing(work):
    (work / "out").mkdir()
    result = run("--format", "json", "--output-file", "out/report.json", "--select", "claims", "posts/claim.md")
    assert result.exit_code == 1
    assert result.stdout == ""
    data = json.loads((work / "out" / "report.json").read_text(encoding="utf-8"))
    assert [(d["line"], d["column"], d["rule"]) for d in data] == [(3, 22, "claims.cure"), (5, 23, "claims.cure")]


def test_output_file_is_utf8_and_replaced(work):
    target = work / "report.txt"
    target.write_text("old content that is longer than the report will be\n" * 100, encoding="utf-8")
    result = run("--output-file", str(target), "--select", "claims", "posts/claim.md")
    assert result.exit_code == 1
    data = target.read_bytes()
    assert data.startswith("posts/claim.md:3:22: error claims.cure \u201ccures\u201d".encode("utf-8"))
    assert b"old content" not in data
    assert "\x1b[" not in data.decode("utf-8")


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit"])
def test_output_file_holds_exactly_what_stdout_would(work, fmt):
    to_stdout = run("--format", fmt, "--select", "claims", "posts/claim.md").stdout
    run("--format", fmt, "--output-file", "report", "--select", "claims", "posts/claim.md")
    assert (work / "report").read_bytes() == to_stdout.encode("utf-8")


def test_output_file_with_statistics(work):
    run("--statistics", "--output-file", "stats.txt", "--select", "claims", "posts/claim.md")
    assert (work / "stats.txt").read_text(encoding="utf-8").startswith(f"2  claims.cure  {CURE}\n")


def test_unwritable_output_file_is_exit_2_with_a_message(work):
    result = run("--output-file", "no/such/folder/report.txt", "posts/claim.md")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("healthlint: error: cannot write --output-file no/such/folder/report.txt: ")


def test_output_file_that_is_a_folder_is_a_usage_error(work):
    result = run("--output-file", "posts", "posts/claim.md")
    assert result.exit_code == 2
    assert "--output-file" in result.stderr


def test_unwritable_output_file_in_a_real_process_has_no_traceback(work):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HEALTHLINT"))}
    proc = subprocess.run([sys.executable, "-m", "healthlint", "check", "--output-file", "no/such/dir/r.json",
                           "--format", "json", "posts/claim.md"], cwd=work, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "cannot write --output-file no/such/dir/r.json" in proc.stderr
