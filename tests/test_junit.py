"""``--format junit``: one suite, one test case per linted file, one failure per finding; parsed back."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from healthlint.cli import main
from healthlint.diagnostic import Diagnostic
from healthlint.formatters import REGISTRY, RenderContext

POSTS = Path(__file__).parent / "fixtures" / "posts"


@pytest.fixture
def work(tmp_path, monkeypatch):
    shutil.copytree(POSTS, tmp_path / "posts")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def junit(*args: str):
    result = CliRunner().invoke(main, ["check", "--format", "junit", *args], catch_exceptions=False)
    return result, ET.fromstring(result.stdout.encode("utf-8"))


def cases(root):
    return {case.get("name"): case for case in root.iter("testcase")}


def test_one_suite_one_case_per_file_one_failure_per_finding(work):
    result, root = junit("--select", "claims", "posts/claim.md", "posts/clean.md", "posts/levels.md")
    assert result.exit_code == 1
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1 and suites[0].get("name") == "healthlint"
    by_name = cases(root)
    assert list(by_name) == ["posts/claim.md", "posts/clean.md", "posts/levels.md"]
    # claim.md: "cures" at 3:22 and 5:23; clean.md: nothing; levels.md: a superlative and an evidence-based
    claim = by_name["posts/claim.md"].findall("failure")
    assert [f.get("type") for f in claim] == ["claims.cure", "claims.cure"]
    assert [f.get("message").split(" ")[0] for f in claim] == ["3:22", "5:23"]
    assert claim[0].text.startswith("posts/claim.md:3:22: error claims.cure \u201ccures\u201d")
    assert "\nsuggestion: " in claim[0].text
    assert list(by_name["posts/clean.md"]) == []
    assert {f.get("type") for f in by_name["posts/levels.md"].findall("failure")} == {
        "claims.superlative", "claims.evidence-based"}
    for element in (root, suites[0]):
        assert (element.get("tests"), element.get("failures"), element.get("errors")) == ("3", "2", "0")


def test_clean_run_is_all_passing_cases(work):
    result, root = junit("posts/clean.md", "posts/disclaimed.md")
    assert result.exit_code == 0
    assert [c.get("name") for c in root.iter("testcase")] == ["posts/clean.md", "posts/disclaimed.md"]
    assert root.find("testsuite").get("failures") == "0"
    assert not list(root.iter("failure"))


def test_unreadable_files_are_errors(work):
    result, root = junit("--select", "claims", "posts/nope.md", "posts/latin1.md", "posts/claim.md")
    assert result.exit_code == 2
    by_name = cases(root)
    assert [e.get("type") for e in by_name["posts/nope.md"].findall("error")] == ["healthlint.io-error"]
    assert [e.get("type") for e in by_name["posts/latin1.md"].findall("error")] == ["healthlint.encoding-error"]
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "2")


def test_markup_characters_and_non_ascii_survive_the_round_trip():
    message = 'A "quote", <tag>, & ampersand, caf\u00e9 \u201ccures\u201d\nsecond line'
    d = Diagnostic("posts/Q1: <sleep> & \"you\".md", 2, 3, 2, 8, "claims.cure", "error", message, "Say <less> & cite.")
    out = REGISTRY["junit"]().render([d], RenderContext(paths=[d.path], files=1))
    root = ET.fromstring(out.encode("utf-8"))
    case = root.find("testsuite/testcase")
    assert case.get("name") == d.path
    failure = case.find("failure")
    assert failure.get("message") == "2:3 error claims.cure " + message  # attribute newlines kept (&#10;)
    assert failure.text == f"{d.path}:2:3: error claims.cure {message}\nsuggestion: Say <less> & cite."


def test_characters_xml_cannot_hold_are_replaced():
    d = Diagnostic("a.md", 1, 1, 1, 2, "claims.cure", "error", "bell\x07 and nul\x00", "")
    out = REGISTRY["junit"]().render([d], RenderContext(paths=["a.md"], files=1))
    failure = ET.fromstring(out.encode("utf-8")).find("testsuite/testcase/failure")
    assert failure.get("message") == "1:1 error claims.cure bell\ufffd and nul\ufffd"
