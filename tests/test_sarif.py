"""``--format sarif``: schema-valid SARIF 2.1.0, rule descriptors, locations and stable fingerprints.

Expected positions are worked out from the post text in the comments (1-based
lines, code-point columns, end column exclusive), never copied from a run.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from jsonschema.validators import validator_for

from healthlint import ruledocs
from healthlint.cli import main
from healthlint.config import Config
from healthlint.engine import Linter
from healthlint.formatters.sarif import FINGERPRINT_KEY, PROJECT_URL

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover (3.10)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
SHARED_SCHEMA = ROOT.parent / "shared" / "data" / "sarif-schema-2.1.0.json"
POSTS = Path(__file__).parent / "fixtures" / "posts"
DISCLAIMER = "This article is for informational purposes only and is not medical advice."


@pytest.fixture
def work(tmp_path, monkeypatch):
    shutil.copytree(POSTS, tmp_path / "posts")
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_ACTIONS", "GITHUB_WORKSPACE", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def sarif(*args: str, env=None, code=None):
    result = CliRunner().invoke(main, ["check", "--format", "sarif", *args], env=env, catch_exceptions=False)
    if code is not None:
        assert result.exit_code == code, result.output
    log = json.loads(result.stdout)
    validate(log)
    return log


def validate(log) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def results(log):
    return log["runs"][0]["results"]


def spans(log):
    out = []
    for r in results(log):
        loc = r["locations"][0]["physicalLocation"]
        region = loc["region"]
        out.append((unquote(loc["artifactLocation"]["uri"]), region.get("startLine"), region.get("startColumn"),
                    region.get("endLine"), region.get("endColumn"), r["ruleId"]))
    return out


# -- the log and its schema --------------------------------------------------------------


def test_output_validates_against_the_sarif_schema(work):
    log = sarif("posts", code=2)  # posts/latin1.md is not UTF-8: exit 2, and a result for it
    assert log["version"] == "2.1.0"
    assert results(log), "the fixture posts have findings"


def test_clean_run_is_a_valid_log_with_no_results(work):
    log = sarif("posts/clean.md", code=0)
    assert results(log) == []
    assert log["runs"][0]["tool"]["driver"]["rules"], "the rules are listed even when nothing is found"


def test_io_errors_are_results_with_a_descriptor(work):
    log = sarif("--select", "claims", "posts/nope.md", "posts/latin1.md", code=2)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for r in results(log):
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    assert {r["ruleId"] for r in results(log)} == {"healthlint.io-error", "healthlint.encoding-error"}


@pytest.mark.skipif(not SHARED_SCHEMA.is_file(), reason="no shared/ folder beside the checkout")
def test_schema_copy_is_the_shared_one():
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == json.loads(SHARED_SCHEMA.read_text(encoding="utf-8"))


# -- tool.driver --------------------------------------------------------------------------


def test_driver_lists_every_loaded_rule_in_order(work):
    log = sarif("--select", "claims", "posts/claim.md")
    driver = log["runs"][0]["tool"]["driver"]
    linter = Linter(Config())
    assert [r["id"] for r in driver["rules"]] == [r.id for r in linter.all_rules]
    assert driver["name"] == "healthlint"
    for descriptor, rule in zip(driver["rules"], linter.all_rules):
        assert descriptor["shortDescription"]["text"] == rule.description
        assert descriptor["fullDescription"]["text"].startswith(rule.description)
        assert rule.description in descriptor["help"]["text"]
        assert descriptor["defaultConfiguration"]["enabled"] is rule.enabled


def test_default_levels_follow_the_pack_severity(work):
    rules = {r["id"]: r for r in sarif("posts/clean.md")["runs"][0]["tool"]["driver"]["rules"]}
    # rules/claims.yaml: claims.cure is an error, claims.superlative a warning, claims.evidence-based info
    assert rules["claims.cure"]["defaultConfiguration"]["level"] == "error"
    assert rules["claims.superlative"]["defaultConfiguration"]["level"] == "warning"
    assert rules["claims.evidence-based"]["defaultConfiguration"]["level"] == "note"


def test_help_uri_points_at_the_rule_section_of_the_generated_page(work):
    rules = sarif("posts/clean.md")["runs"][0]["tool"]["driver"]["rules"]
    by_id = {r["id"]: r for r in rules}
    # GitHub's heading anchor for "## claims.cure" drops the dot
    assert by_id["claims.cure"]["helpUri"] == PROJECT_URL + "/blob/main/docs/rules/claims.md#claimscure"
    pages = ruledocs.pages()  # what docs/rules/ holds (test_docs.py checks the files are current)
    for r in rules:
        pack = r["id"].split(".")[0]
        assert r["helpUri"] == f"{PROJECT_URL}/blob/main/docs/rules/{pack}.md#{r['id'].replace('.', '')}"
        assert f"\n## {r['id']}\n" in pages[f"{pack}.md"], r["id"]
        assert r["helpUri"] in r["help"]["text"]


def test_a_site_pack_rule_has_no_help_uri(work):
    (work / "house.yaml").write_text(
        "pack: house\nrules:\n  - id: house.xyzzy\n    kind: phrase\n    severity: info\n"
        "    message: m\n    description: Says xyzzy.\n    phrases: [xyzzy]\n", encoding="utf-8")
    (work / ".healthlint.yaml").write_text("packs: [house.yaml]\n", encoding="utf-8")
    rules = {r["id"]: r for r in sarif("posts/clean.md")["runs"][0]["tool"]["driver"]["rules"]}
    assert "helpUri" not in rules["house.xyzzy"]
    assert rules["house.xyzzy"]["shortDescription"]["text"] == "Says xyzzy."
    assert rules["house.xyzzy"]["defaultConfiguration"]["level"] == "note"


def test_project_url_is_the_one_in_pyproject():
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert urls["Repository"] == PROJECT_URL


# -- results ---------------------------------------------------------------------------------


def test_results_have_rule_level_message_and_exclusive_end_columns(work):
    # line 3: "Our elderberry syrup cures the common cold." -> "cures" is columns 22-26, end 27
    # line 5: "Café owners say honey cures coughs." -> é is one code point, "cures" is 23-27, end 28
    log = sarif("--select", "claims", "posts/claim.md", code=1)
    assert spans(log) == [
        ("posts/claim.md", 3, 22, 3, 27, "claims.cure"),
        ("posts/claim.md", 5, 23, 5, 28, "claims.cure"),
    ]
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    for r in results(log):
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["level"] == "error"
        assert r["message"]["text"].startswith("\u201ccures\u201d")


def test_info_findings_are_notes(work):
    # levels.md line 5: "We offer evidence-based therapy." -> claims.evidence-based is an info rule
    log = sarif("--select", "claims.evidence-based", "posts/levels.md", code=0)
    assert [r["level"] for r in results(log)] == ["note"]


def test_post_wide_finding_has_a_start_and_no_end(work):
    log = sarif("--select", "disclaimer", "posts/claim.md")
    region = results(log)[0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": 1}


def test_multi_line_span_keeps_its_columns(work):
    # "The tonic is 100%" / "effective." : "100%" starts at column 14 of line 2, "effective" ends
    # before column 10 of line 3 (9 letters)
    (work / "tonic.md").write_text("Ginger cures colds.\nThe tonic is 100%\neffective.\n", encoding="utf-8")
    log = sarif("--select", "claims", "tonic.md", code=1)
    assert ("tonic.md", 2, 14, 3, 10, "claims.guarantee") in spans(log)


def test_uris_are_relative_percent_encoded_with_forward_slashes(work):
    folder = work / "posts" / "2024"
    folder.mkdir()
    name = "Q1: sleep, stress & 100% caf\u00e9.md"
    (folder / name).write_text("Ginger cures colds.\n", encoding="utf-8")
    log = sarif("--select", "claims", "./posts/../posts/2024/" + name, code=1)
    location = results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    # RFC 3986: ":" "," "&" "%" and space are escaped; é is UTF-8 C3 A9
    assert location == {"uri": "posts/2024/Q1%3A%20sleep%2C%20stress%20%26%20100%25%20caf%C3%A9.md",
                        "uriBaseId": "%SRCROOT%"}
    assert urlsplit(location["uri"]).scheme == ""
    base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == Path(os.getcwd()).as_uri() + "/"


def test_uris_are_relative_to_github_workspace(work, monkeypatch):
    (work / "blog").mkdir()
    shutil.move(str(work / "posts"), str(work / "blog" / "posts"))
    monkeypatch.chdir(work / "blog")
    log = sarif("--select", "claims", "posts/claim.md", env={"GITHUB_WORKSPACE": str(work)})
    location = results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "blog/posts/claim.md", "uriBaseId": "%SRCROOT%"}
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == work.as_uri() + "/"


def test_a_file_outside_the_root_gets_an_absolute_file_uri(work, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "post.md"
    outside.write_text("Ginger cures colds.\n", encoding="utf-8")
    log = sarif("--select", "claims", str(outside))
    location = results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": outside.as_uri()}


# -- fingerprints -----------------------------------------------------------------------------


def fingerprints(log):
    return [(r["ruleId"], r["partialFingerprints"][FINGERPRINT_KEY]) for r in results(log)]


POST = "# Winter remedies\n\nGinger tea cures colds.\n\nHoney cures coughs.\n\nGinger tea cures colds.\n\n" + DISCLAIMER + "\n"


def test_fingerprints_survive_lines_inserted_above(work):
    post = work / "remedies.md"
    post.write_text(POST, encoding="utf-8")
    before = sarif("--select", "claims", "remedies.md")
    post.write_text("# Winter remedies\n\nA new paragraph.\n\nAnd another one.\n" + POST.split("\n", 1)[1],
                    encoding="utf-8")
    after = sarif("--select", "claims", "remedies.md")
    # lines 3, 5, 7 moved to 7, 9, 11
    assert [s[1] for s in spans(before)] == [3, 5, 7]
    assert [s[1] for s in spans(after)] == [7, 9, 11]
    assert fingerprints(after) == fingerprints(before)


def test_fingerprints_survive_a_new_finding_above(work):
    post = work / "remedies.md"
    post.write_text(POST, encoding="utf-8")
    before = fingerprints(sarif("--select", "claims", "remedies.md"))
    post.write_text("Turmeric cures aches.\n\n" + POST, encoding="utf-8")
    after = fingerprints(sarif("--select", "claims", "remedies.md"))
    assert len(after) == 4
    assert after[1:] == before


def test_fingerprints_tell_repeated_findings_apart(work):
    (work / "remedies.md").write_text(POST, encoding="utf-8")
    prints = [p for _, p in fingerprints(sarif("--select", "claims", "remedies.md"))]
    assert len(prints) == 3 and len(set(prints)) == 3  # the same sentence twice still gives two alerts


def test_fingerprint_changes_with_the_flagged_words_and_the_file(work):
    (work / "a.md").write_text("Ginger tea cures colds.\n", encoding="utf-8")
    (work / "b.md").write_text("Ginger tea cures colds.\n", encoding="utf-8")
    (work / "c.md").write_text("Ginger tea cured colds.\n", encoding="utf-8")
    prints = [p for _, p in fingerprints(sarif("--select", "claims", "a.md", "b.md", "c.md"))]
    assert len(set(prints)) == 3


def test_fingerprint_ignores_line_endings_and_reflowed_spaces(work):
    (work / "a.md").write_text("The tonic is 100%\neffective.\n", encoding="utf-8")
    first = fingerprints(sarif("--select", "claims", "a.md"))
    (work / "a.md").write_bytes(b"Intro.\r\n\r\nThe tonic is 100%\r\neffective.\r\n")
    assert fingerprints(sarif("--select", "claims", "a.md")) == first
