"""Configuration: discovery, every key, and errors that stop the run (exit 2).

Fixtures: ``fixtures/config/`` (a site with ``.healthlint.yaml``, nested
configurations, a ``pyproject.toml``) and ``fixtures/packs/``. They are copied
into a temporary folder so that no configuration above it takes part.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from healthlint.cli import main
from healthlint.config import Config, find_config, load_config
from healthlint.engine import Linter
from healthlint.errors import HealthlintError

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def site(tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "config", tmp_path / "config")
    shutil.copytree(FIXTURES / "packs", tmp_path / "packs")
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_ACTIONS", "GITHUB_WORKSPACE", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def rows(result):
    return [(d["path"], d["line"], d["column"], d["rule"], d["severity"]) for d in json.loads(result.stdout)]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


POST = "Mint cures headaches, guaranteed.\n"  # cures 1:6-11, guaranteed 1:23-33


# -- discovery -------------------------------------------------------------------


def test_config_found_by_walking_up_from_the_checked_file(site):
    # post.md line 3: "cures" at 12, "guaranteed" at 49; line 5: "miracle" at 3
    result = run("check", "--format", "json", "config/site/blog/2024/post.md")
    assert rows(result) == [
        ("config/site/blog/2024/post.md", 3, 12, "claims.cure", "warning"),  # severity: claims -> warning
        ("config/site/blog/2024/post.md", 3, 49, "claims.guarantee", "warning"),
        ("config/site/blog/2024/post.md", 5, 3, "claims.superlative", "info"),  # the longer key wins
    ]  # select: [claims] -> no disclaimer finding


def test_config_found_from_another_working_directory(site):
    os.chdir(site / "config" / "nested")
    result = run("check", "--format", "json", "../site/blog/2024/post.md")
    assert {r[3] for r in rows(result)} == {"claims.cure", "claims.guarantee", "claims.superlative"}


def test_nearest_configuration_wins_and_yml_is_found(site):
    inner = run("check", "--format", "json", "config/nested/inner/inner.md")
    outer = run("check", "--format", "json", "config/nested/outer.md")
    assert [r[3] for r in rows(inner)] == ["claims.cure"]  # inner/.healthlint.yaml
    assert [r[3] for r in rows(outer)] == ["claims.guarantee"]  # nested/.healthlint.yml


def test_pyproject_table_is_found_and_used(site):
    result = run("check", "--format", "json", "config/pyproj/docs/page.md")
    assert rows(result) == [
        ("config/pyproj/docs/page.md", 1, 6, "claims.cure", "error"),
        ("config/pyproj/docs/page.md", 1, 23, "claims.guarantee", "info"),
    ]
    assert result.exit_code == 1  # fail-on: error, and there is an error


def test_pyproject_without_the_table_is_passed_over(site):
    # docs/plain/pyproject.toml has no [tool.healthlint]: the one above applies
    result = run("check", "--format", "json", "config/pyproj/docs/plain/page.md")
    assert [r[4] for r in rows(result)] == ["error", "info"]


def test_pyproject_fail_on_lets_warnings_pass(site):
    write(site / "config/pyproj/docs/warn.md", "A miracle for sleepers.\n")
    result = run("check", "--format", "json", "config/pyproj/docs/warn.md")
    assert [r[3] for r in rows(result)] == ["claims.superlative"]
    assert result.exit_code == 0


def test_find_config_returns_none_without_configuration(tmp_path):
    write(tmp_path / "a" / "post.md", POST)
    assert find_config([str(tmp_path / "a" / "post.md")]) is None
    assert load_config(None).file is None


def test_explicit_config_overrides_discovery(site):
    cfg = write(site / "other.yaml", "select: [claims.guarantee]\n")
    result = run("check", "--format", "json", "--config", str(cfg), "config/site/blog/2024/post.md")
    assert [(r[3], r[4]) for r in rows(result)] == [("claims.guarantee", "error")]


def test_command_line_overrides_configuration(site):
    result = run("check", "--format", "json", "--select", "claims.superlative", "--fail-on", "error",
                 "config/site/blog/2024/post.md")
    assert [(r[3], r[4]) for r in rows(result)] == [("claims.superlative", "info")]
    assert result.exit_code == 0


def test_empty_configuration_file_means_defaults(site):
    write(site / "blank" / ".healthlint.yaml", "# nothing yet\n")
    write(site / "blank" / "post.md", POST)
    result = run("check", "--format", "json", "blank/post.md")
    assert {r[3] for r in rows(result)} == {"claims.cure", "claims.guarantee", "disclaimer.missing"}


# -- keys --------------------------------------------------------------------------


def test_exclude_skips_walked_files_but_not_explicit_ones(site):
    walked = run("check", "--format", "json", "config/site")
    assert not any("drafts" in r[0] for r in rows(walked))
    explicit = run("check", "--format", "json", "config/site/blog/drafts/draft.md")
    assert [r[3] for r in rows(explicit)] == ["claims.cure"]


def test_force_exclude_applies_exclude_to_explicit_files(site):
    result = run("check", "--format", "json", "--force-exclude", "config/site/blog/drafts/draft.md")
    assert json.loads(result.stdout) == []
    assert result.exit_code == 0


def test_per_file_ignores_use_gitignore_globs_relative_to_the_config(site):
    result = run("check", "--format", "json", "config/site/blog")
    quotes = [r for r in rows(result) if r[0].endswith("quotes-from-readers.md")]
    assert [r[3] for r in quotes] == ["claims.cure"]  # the guarantee is ignored there
    post = [r for r in rows(result) if r[0].endswith("/post.md")]
    assert "claims.guarantee" in {r[3] for r in post}  # but not elsewhere


def test_per_file_ignores_anchored_and_folder_patterns(site):
    write(site / "proj/.healthlint.yaml",
          'select: [claims]\nper-file-ignores:\n  "/top.md": [claims.cure]\n  "archive/": [claims]\n')
    write(site / "proj/top.md", POST)
    write(site / "proj/sub/top.md", POST)
    write(site / "proj/archive/2019/old.md", POST)
    result = run("check", "--format", "json", "proj")
    got = {(r[0], r[3]) for r in rows(result)}
    assert got == {
        ("proj/top.md", "claims.guarantee"),  # /top.md only matches at the root
        ("proj/sub/top.md", "claims.cure"),
        ("proj/sub/top.md", "claims.guarantee"),
    }


def test_exclude_and_per_file_ignores_through_a_symlinked_folder(site):
    real = site / "real"
    write(real / ".healthlint.yaml", 'select: [claims]\nexclude: ["drafts/"]\nper-file-ignores:\n  "kept.md": [claims]\n')
    write(real / "drafts/d.md", POST)
    write(real / "kept.md", POST)
    write(real / "shown.md", POST)
    os.symlink(real, site / "link", target_is_directory=True)
    result = run("check", "--format", "json", str(site / "link"))
    assert {os.path.basename(r[0]) for r in rows(result)} == {"shown.md"}


def test_extend_select_and_ignore_keys(site):
    write(site / "p/.healthlint.yaml", "select: [disclaimer]\nextend-select: [claims.cure]\nignore: [claims.guarantee]\n")
    write(site / "p/post.md", POST)
    result = run("check", "--format", "json", "--extend-select", "claims.guarantee", "p/post.md")
    assert {r[3] for r in rows(result)} == {"disclaimer.missing", "claims.cure"}


def test_fail_on_key(site):
    write(site / "p/.healthlint.yaml", "select: [claims.superlative]\nfail-on: error\n")
    write(site / "p/post.md", "A miracle for sleepers.\n")
    result = run("check", "--format", "json", "p/post.md")
    assert [r[3] for r in rows(result)] == ["claims.superlative"]
    assert result.exit_code == 0
    assert run("check", "--fail-on", "warning", "p/post.md").exit_code == 1


def test_packs_key_loads_a_pack_relative_to_the_config(site):
    write(site / "p/.healthlint.yaml", "packs: [../packs/local.yaml]\nselect: [clinicwords]\n")
    write(site / "p/post.md", "Try our spring detox with superfoods.\n")
    result = run("check", "--format", "json", "p/post.md")
    # Selecting the pack by name selects every rule of it, the disabled-by-default one too.
    assert [(r[1], r[2], r[3], r[4]) for r in rows(result)] == [
        (1, 16, "clinicwords.detox", "warning"),
        (1, 27, "clinicwords.superfood", "info"),
    ]
    data = json.loads(result.stdout)
    assert data[0]["message"] == "detox is a wellness buzzword."


def test_disabled_rule_is_off_by_default(site):
    write(site / "p/.healthlint.yaml", "packs: [../packs/local.yaml]\n")
    write(site / "p/post.md", "Try our spring detox with superfoods.\n")
    result = run("check", "--format", "json", "p/post.md")
    assert "clinicwords.detox" in {r[3] for r in rows(result)}
    assert "clinicwords.superfood" not in {r[3] for r in rows(result)}


def test_front_matter_fields_key(site):
    post = "---\ntitle: Mint cures headaches\nsubtitle: Sage cures colds\n---\nA walk in the park.\n"
    write(site / "p/post.md", post)
    default = run("check", "--format", "json", "--select", "claims", "p/post.md")
    assert [(r[1], r[2]) for r in rows(default)] == [(2, 13)]  # title only
    write(site / "p/.healthlint.yaml", "front-matter-fields: [subtitle]\n")
    custom = run("check", "--format", "json", "--select", "claims", "p/post.md")
    assert [(r[1], r[2]) for r in rows(custom)] == [(3, 16)]  # subtitle only


def test_reference_headings_key(site):
    post = "# Colds\n\nRest helps.\n\n## Reading list\n\n- Park J. Why garlic cures colds. Herb Rev. 2020.\n"
    write(site / "p/post.md", post)
    default = run("check", "--format", "json", "--select", "claims.cure", "p/post.md")
    assert [(r[1], r[3]) for r in rows(default)] == [(7, "claims.cure")]
    write(site / "p/.healthlint.yaml", 'reference-headings: ["reading list"]\n')
    custom = run("check", "--format", "json", "--select", "claims.cure", "p/post.md")
    assert rows(custom) == []


def test_navigation_link_text_key(site):
    post = "Rest helps.\n\n[Weiter: warum Salbei cures colds](salbei.md)\n"
    write(site / "p/post.md", post)
    default = run("check", "--format", "json", "--select", "claims.cure", "p/post.md")
    assert [(r[1], r[2]) for r in rows(default)] == [(3, 23)]
    write(site / "p/.healthlint.yaml", 'navigation-link-text: "^weiter\\\\b"\n')
    custom = run("check", "--format", "json", "--select", "claims.cure", "p/post.md")
    assert rows(custom) == []


# -- errors: every problem named with file:line:column and key, exit 2, nothing linted --

ERROR_LINE = re.compile(r"^healthlint: error: (?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<key>[^:]+): (?P<msg>.+)$")


def config_errors(site, text: str, name: str = ".healthlint.yaml"):
    cfg = write(site / "bad" / name, text)
    write(site / "bad" / "post.md", POST)
    result = run("check", "--format", "json", "bad/post.md")
    assert result.exit_code == 2
    assert result.stdout == "", "nothing is linted when the configuration is invalid"
    lines = result.stderr.rstrip("\n").split("\n")
    parsed = []
    for line in lines:
        m = ERROR_LINE.match(line)
        assert m, f"not 'healthlint: error: FILE:LINE:COL: KEY: message': {line!r}"
        assert Path(m.group("file")).resolve() == cfg.resolve()
        parsed.append((int(m.group("line")), int(m.group("col")), m.group("key"), m.group("msg")))
    return parsed


def test_unknown_key_with_did_you_mean(site):
    errors = config_errors(site, "select: [claims]\nignroe: [claims.cure]\n")
    assert len(errors) == 1
    line, col, key, msg = errors[0]
    assert (line, col, key) == (2, 1, "ignroe")
    assert "did you mean 'ignore'" in msg


def test_wrong_types_and_values_are_each_reported(site):
    text = "select: claims\nfail-on: loud\nseverity:\n  claims.cure: fatal\nexclude: [1]\n"
    errors = config_errors(site, text)
    by_key = {e[2]: e for e in errors}
    assert set(by_key) == {"select", "fail-on", "severity.claims.cure", "exclude[0]"}
    assert by_key["select"][:2] == (1, 9)
    assert by_key["fail-on"][:2] == (2, 10)
    assert by_key["severity.claims.cure"][:2] == (4, 16)
    assert by_key["exclude[0]"][:2] == (5, 11)
    assert [e[0] for e in errors] == sorted(e[0] for e in errors), "reported in file order"


@pytest.mark.parametrize("text,key,pos", [
    ("select:\n  - claims\n  - claims.cur\n", "select", (3, 5)),
    ("ignore: [claims.guarantees]\n", "ignore", (1, 10)),
    ("extend-select: [disclaimers]\n", "extend-select", (1, 17)),
    ("severity:\n  claim: info\n", "severity.claim", (2, 3)),
    ("per-file-ignores:\n  \"*.md\": [claims, claim]\n", "per-file-ignores.*.md", (2, 20)),
])
def test_unknown_rule_ids_are_errors(site, text, key, pos):
    errors = config_errors(site, text)
    assert len(errors) == 1
    line, col, got_key, msg = errors[0]
    assert (line, col) == pos
    assert got_key == key
    assert "unknown rule or pack" in msg and "did you mean" in msg


@pytest.mark.parametrize("text,key,pos", [
    ('navigation-link-text: "(next"\n', "navigation-link-text", (1, 23)),
    ('reference-headings: ["sources", "[refs"]\n', "reference-headings[1]", (1, 33)),
])
def test_bad_regular_expressions_in_config(site, text, key, pos):
    errors = config_errors(site, text)
    line, col, got_key, msg = errors[0]
    assert (line, col, got_key) == (pos[0], pos[1], key)
    assert "invalid regular expression" in msg


def test_duplicate_key_is_an_error(site):
    errors = config_errors(site, "select: [claims]\nfail-on: error\nselect: [disclaimer]\n")
    assert errors[0][:3] == (3, 1, "select")
    assert "duplicate" in errors[0][3] and "line 1" in errors[0][3]


def test_missing_pack_file(site):
    errors = config_errors(site, "packs: [house.yaml]\n")
    assert errors[0][:3] == (1, 9, "packs[0]")
    assert "house.yaml" in errors[0][3]


def test_yaml_syntax_error_names_the_line(site):
    cfg = write(site / "bad/.healthlint.yaml", "select: [claims\nfail-on: error\n")
    write(site / "bad/post.md", POST)
    result = run("check", "bad/post.md")
    assert result.exit_code == 2
    assert re.search(re.escape(str(cfg.resolve())) + r":\d+:\d+: invalid YAML", result.stderr)


def test_configuration_must_be_a_mapping(site):
    cfg = write(site / "bad/.healthlint.yaml", "- claims\n- disclaimer\n")
    write(site / "bad/post.md", POST)
    result = run("check", "bad/post.md")
    assert result.exit_code == 2
    assert f"{cfg.resolve()}:1:1: configuration must be a mapping" in result.stderr


def test_pyproject_errors_name_the_line_of_the_key(site):
    text = '[tool.healthlint]\nselect = ["claims"]\nignroe = ["x"]\n\n[tool.healthlint.severity]\n"claims.cure" = "fatal"\n'
    errors = config_errors(site, text, "pyproject.toml")
    assert [(e[0], e[1], e[2]) for e in errors] == [(3, 1, "ignroe"), (6, 17, "severity.claims.cure")]
    assert "did you mean 'ignore'" in errors[0][3]


def test_pyproject_syntax_error(site):
    cfg = write(site / "bad/pyproject.toml", '[tool.healthlint]\nselect = ["claims"\nfail-on = "error"\n')
    write(site / "bad/post.md", POST)
    result = run("check", "bad/post.md")
    assert result.exit_code == 2
    assert re.search(re.escape(str(cfg.resolve())) + r":\d+:\d+: invalid TOML", result.stderr)


def test_invalid_pack_regex_and_misspelled_key_are_both_reported(site):
    # The pack defines a rule with the pattern "(cures" (never compiles) and the
    # key "ignorcase" (Vale's ignorecase, misspelled): both must be reported at
    # once, each with file:line:column, and nothing may be linted.
    write(site / "p/.healthlint.yaml", "packs: [../packs/broken.yaml]\n")
    write(site / "p/post.md", POST)
    result = run("check", "--format", "json", "p/post.md")
    assert result.exit_code == 2
    assert result.stdout == ""
    pack = str((site / "packs" / "broken.yaml").resolve())
    lines = result.stderr.strip().split("\n")
    assert len(lines) == 2
    regex = next(l for l in lines if "(cures" in l)
    key = next(l for l in lines if "ignorcase" in l)
    assert regex.startswith(f"healthlint: error: {pack}:8:16: ")  # the pattern's string on line 8
    assert "missing ), unterminated subpattern" in regex  # the regex engine's own words
    assert key.startswith(f"healthlint: error: {pack}:9:5: ")
    assert "did you mean 'case_sensitive'" in key


def test_several_problems_in_one_configuration_are_all_reported(site):
    errors = config_errors(site, "selct: [claims]\nfail-on: loud\n")
    assert [e[2] for e in errors] == ["selct", "fail-on"]


def test_config_api_errors_are_healthlint_errors(tmp_path):
    bad = write(tmp_path / ".healthlint.yaml", "fail_on: error\n")
    with pytest.raises(HealthlintError) as info:
        load_config(str(bad))
    assert "did you mean 'fail-on'" in str(info.value)
    with pytest.raises(HealthlintError):
        Linter(Config(), select=["nothing.here"])


def test_exclude_negation_re_includes_a_file(site):
    write(site / "p/.healthlint.yaml", 'select: [claims.cure]\nexclude: ["drafts/*", "!drafts/ready.md"]\n')
    write(site / "p/drafts/wip.md", POST)
    write(site / "p/drafts/ready.md", POST)
    result = run("check", "--format", "json", "p")
    assert [r[0] for r in rows(result)] == ["p/drafts/ready.md"]


def test_explicit_toml_file_with_top_level_keys(site):
    cfg = write(site / "healthlint.toml", 'select = ["claims"]\n\n[severity]\n"claims.cure" = "info"\n')
    write(site / "p/post.md", POST)
    result = run("check", "--format", "json", "--config", str(cfg), "p/post.md")
    assert [(r[3], r[4]) for r in rows(result)] == [("claims.cure", "info"), ("claims.guarantee", "error")]


def test_explicit_toml_file_errors_name_lines(site):
    cfg = write(site / "healthlint.toml", 'select = ["claims"]\nfail-on = "eror"\n[severity]\n"claims.cure" = "fatal"\n')
    write(site / "p/post.md", POST)
    result = run("check", "--config", str(cfg), "p/post.md")
    assert result.exit_code == 2
    assert f"{cfg}:2:11: fail-on:" in result.stderr
    assert f"{cfg}:4:17: severity.claims.cure:" in result.stderr


def test_explicit_pyproject_without_the_table_is_an_error(site):
    cfg = write(site / "x" / "pyproject.toml", '[project]\nname = "clinic"\n')
    write(site / "p/post.md", POST)
    result = run("check", "--config", str(cfg), "p/post.md")
    assert result.exit_code == 2
    assert "[tool.healthlint]" in result.stderr


@pytest.mark.parametrize("text,pos,words", [
    ('per-file-ignores:\n  null: [claims]\n', (2, 3), "non-empty string"),
    ('per-file-ignores:\n  "": [claims]\n', (2, 3), "non-empty string"),
    ('navigation-link-text: "^|next"\n', (1, 23), "empty text"),
])
def test_settings_that_would_silently_do_nothing_or_everything(site, text, pos, words):
    errors = config_errors(site, text)
    assert len(errors) == 1
    assert errors[0][:2] == pos and words in errors[0][3]


def test_recursive_alias_and_alias_bomb_are_refused(site):
    cfg = write(site / "loop" / ".healthlint.yaml", "select: &a [claims, *a]\n")
    write(site / "loop" / "post.md", POST)
    result = run("check", "loop/post.md")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"healthlint: error: {cfg.resolve()}:1:9: ")  # the anchored list
    assert "contains it" in result.stderr
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    cfg = write(site / "bomb" / ".healthlint.yaml", "\n".join(lines) + "\n")
    write(site / "bomb" / "post.md", POST)
    result = run("check", "bomb/post.md")
    assert result.exit_code == 2
    assert "aliases expand to more than" in result.stderr and str(cfg.resolve()) in result.stderr
