"""Rule packs: loading, lists and defaults, selection, and errors naming file:line:key.

A pack that cannot work must never load silently: every problem is reported
at once, each with the file, the line and column, and the key.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from healthlint.cli import main
from healthlint.config import Config
from healthlint.engine import Linter
from healthlint.errors import HealthlintError, HealthlintErrors
from healthlint.packs import builtin_pack_files, load_pack, load_packs

PACKS = Path(__file__).parent / "fixtures" / "packs"

HEADER = "pack: house\nrules:\n"
RULE = (
    "  - id: house.detox\n"
    "    kind: phrase\n"
    "    severity: warning\n"
    "    description: Detox wording.\n"
    "    message: \"{match} is a buzzword.\"\n"
)


def write(tmp_path: Path, text: str, name: str = "house.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def problems(path: str):
    """Every problem of a pack as (line, column, key, message)."""
    with pytest.raises(HealthlintError) as info:
        load_packs([path])
    err = info.value
    errors = err.errors if isinstance(err, HealthlintErrors) else [err]
    for e in errors:
        assert e.file == path
    return [(e.line, e.column, e.key, e.message) for e in errors]


# -- loading ------------------------------------------------------------------------


def test_fixture_pack_loads_with_lists_expanded():
    pack = load_pack(str(PACKS / "local.yaml"))
    assert pack.name == "clinicwords"
    assert [r.id for r in pack.rules] == ["clinicwords.detox", "clinicwords.superfood"]
    detox = pack.rules[0]
    assert detox.options["phrases"] == ["detox", "cleanse", "flush out toxins"]
    assert detox.line == 7  # "- id: clinicwords.detox" is on line 7
    assert detox.enabled and not pack.rules[1].enabled


def test_defaults_apply_to_every_rule_of_the_kind_and_a_rule_overrides_them(tmp_path):
    text = (
        "pack: house\ndefaults:\n  phrase:\n    case_sensitive: true\nrules:\n" + RULE + "    phrases: [Detox]\n"
        "  - id: house.cleanse\n    kind: phrase\n    severity: info\n    description: d\n    message: m\n"
        "    phrases: [cleanse]\n    case_sensitive: false\n"
    )
    pack = load_pack(write(tmp_path, text))
    assert [r.options["case_sensitive"] for r in pack.rules] == [True, False]
    linter = Linter(Config(packs=[str(tmp_path / "house.yaml")]), select=["house"])
    found = [(d.column, d.rule) for d in linter.lint_text("p.md", "A detox, a Detox, a CLEANSE.\n")]
    assert found == [(12, "house.detox"), (21, "house.cleanse")]


def test_builtin_packs_load_and_ids_start_with_the_pack_name():
    packs = load_packs([str(p) for p in builtin_pack_files()])
    for pack in packs:
        for rule in pack.rules:
            assert rule.id.startswith(pack.name + ".")
            assert rule.severity in ("error", "warning", "info")
            assert rule.checker is not None


def test_pack_name_selects_disabled_rules_but_the_default_set_does_not(tmp_path):
    cfg = Config(packs=[str(PACKS / "local.yaml")])
    text = "A superfood detox.\n"
    default = {d.rule for d in Linter(cfg).lint_text("p.md", text)}
    assert "clinicwords.detox" in default and "clinicwords.superfood" not in default
    by_id = {d.rule for d in Linter(cfg, select=["clinicwords.superfood"]).lint_text("p.md", text)}
    assert by_id == {"clinicwords.superfood"}


def test_rules_command_lists_a_configured_pack(tmp_path, monkeypatch):
    (tmp_path / ".healthlint.yaml").write_text(f"packs: [{PACKS / 'local.yaml'}]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0
    line = next(l for l in result.stdout.split("\n") if "clinicwords.superfood" in l)
    assert "info" in line.split() and "off" in line.split()


# -- errors ---------------------------------------------------------------------------


def test_bad_regex_and_misspelled_key_are_reported_together():
    path = str(PACKS / "broken.yaml")
    found = problems(path)
    assert len(found) == 2
    regex = next(p for p in found if "(cures" in p[3])
    key = next(p for p in found if "ignorcase" in p[3])
    assert regex[:3] == (8, 16, "rules[0].patterns[0]")
    assert "missing ), unterminated subpattern" in regex[3]
    assert key[:3] == (9, 5, "rules[0].ignorcase")
    assert "did you mean 'case_sensitive'" in key[3]


def test_every_bad_pattern_is_reported(tmp_path):
    path = write(tmp_path, HEADER + RULE + '    patterns: ["ok", "[a-", "b{2,1}"]\n')
    found = problems(path)
    assert [(p[0], p[1], p[2]) for p in found] == [(8, 22, "rules[0].patterns[1]"), (8, 29, "rules[0].patterns[2]")]


def test_unknown_pack_key_does_not_hide_rule_errors(tmp_path):
    path = write(tmp_path, "pack: house\ndescripton: x\nrules:\n" + RULE.replace("warning", "severe") + "    phrases: [x]\n")
    found = problems(path)
    assert [(p[0], p[2]) for p in found] == [(2, "descripton"), (6, "rules[0].severity")]
    assert "did you mean 'description'" in found[0][3]


@pytest.mark.parametrize("text,line,key,words", [
    (HEADER + RULE.replace("kind: phrase", "kind: phrse") + "    phrases: [x]\n", 4, "rules[0].kind", "did you mean 'phrase'"),
    (HEADER + RULE.replace("house.detox", "other.detox") + "    phrases: [x]\n", 3, "rules[0].id", "must start with the pack name"),
    (HEADER + RULE + "    phrases: [\"@buzz\"]\n", 8, "rules[0].phrases[0]", "unknown list '@buzz'"),
    (HEADER + RULE + "    phrases: [x]\n    negation_window: 99\n", 9, "rules[0].negation_window", "99"),
    (HEADER + RULE + "    phrases: [x]\n    examples:\n      triggers: [x]\n", 10, "rules[0].examples.triggers", "did you mean 'trigger'"),
    (HEADER + RULE, 3, "rules[0]", "phrases"),  # a phrase rule with nothing to match
    (HEADER + RULE + "    phrases: [x]\n    tokens: [y]\n", 9, "rules[0].tokens", "did you mean 'phrases'"),
    (HEADER + RULE + "    phrases: [x]\n    near: {words: [pain], windw: 3}\n", 9, "rules[0].near.windw", "did you mean 'window'"),
])
def test_rule_errors_name_line_and_key(tmp_path, text, line, key, words):
    found = problems(write(tmp_path, text))
    assert len(found) == 1, found
    got_line, _col, got_key, message = found[0]
    assert got_line == line
    assert got_key.startswith(key)
    assert words in message


def test_duplicate_rule_id(tmp_path):
    path = write(tmp_path, HEADER + RULE + "    phrases: [x]\n" + RULE + "    phrases: [y]\n")
    found = problems(path)
    assert [(p[0], p[2]) for p in found] == [(9, "rules[1].id")]
    assert "duplicate rule id" in found[0][3]


def test_duplicate_yaml_key_in_a_rule(tmp_path):
    path = write(tmp_path, HEADER + RULE + "    phrases: [x]\n    phrases: [y]\n")
    found = problems(path)
    assert [(p[0], p[1], p[2]) for p in found] == [(9, 5, "rules[0].phrases")]


def test_two_packs_with_one_name(tmp_path):
    a = write(tmp_path, HEADER + RULE + "    phrases: [x]\n", "a.yaml")
    b = write(tmp_path, HEADER + RULE + "    phrases: [y]\n", "b.yaml")
    with pytest.raises(HealthlintErrors) as info:
        load_packs([a, b])
    assert [(e.file, e.line) for e in info.value.errors] == [(b, 1)]
    assert "already defined" in info.value.errors[0].message and a in info.value.errors[0].message


@pytest.mark.parametrize("text,words", [
    ("pack: house\nrules: [\n", "invalid YAML"),
    ("- just\n- a list\n", "must be a mapping"),
    ("pack: house\n", "'rules' is a required property"),
    ("pack: House Rules\nrules:\n" + RULE + "    phrases: [x]\n", "does not match"),
])
def test_malformed_pack_files(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(HealthlintError) as info:
        load_packs([path])
    assert words in str(info.value)
    assert path in str(info.value)


def test_pack_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"pack: house\ndescription: caf\xe9\nrules: []\n")
    with pytest.raises(HealthlintError) as info:
        load_packs([str(path)])
    assert "UTF-8" in str(info.value) and "byte offset 28" in str(info.value)


def test_cli_reports_pack_errors_with_exit_2_and_lints_nothing(tmp_path, monkeypatch):
    pack = write(tmp_path, HEADER + RULE + '    patterns: ["(detox"]\n')
    (tmp_path / ".healthlint.yaml").write_text("packs: [house.yaml]\n", encoding="utf-8")
    (tmp_path / "post.md").write_text("Ginger cures colds.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--format", "json", "post.md"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert re.match(re.escape(f"healthlint: error: {pack}:8:16: rules[0].patterns[0]: ") + r"invalid regular expression",
                    result.stderr)


@pytest.mark.parametrize("extra,key,words", [
    ('    phrases: ["detox", " "]\n', "rules[0].phrases[1]", "empty phrase"),
    ('    patterns: ["(detox)?"]\n', "rules[0].patterns[0]", "matches an empty text"),
])
def test_rules_that_would_match_everywhere_are_refused(tmp_path, extra, key, words):
    # Loaded, they would flag every position of every post (or crash the kind).
    found = problems(write(tmp_path, HEADER + RULE + extra))
    assert [(p[0], p[2]) for p in found] == [(8, key)]
    assert words in found[0][3]


def test_empty_list_entry_is_refused(tmp_path):
    found = problems(write(tmp_path, "pack: house\nlists:\n  buzz: [detox, '']\nrules:\n" + RULE
                           + '    phrases: ["@buzz"]\n'))
    assert [(p[0], p[1], p[2]) for p in found] == [(3, 17, "lists.buzz[1]")]


REQUIRED = (
    "pack: house\nrules:\n"
    "  - id: house.consent\n    kind: required\n    severity: warning\n    description: d\n    message: m\n"
    "    phrases: [with consent]\n"
)


@pytest.mark.parametrize("when,words", [
    ("[claim]", "did you mean 'claims'"),
    ("[disclaimer.missing]", "could never hold"),  # a document-level rule never marks text
    ("[house.consent]", "could never hold"),  # itself
])
def test_required_rule_conditions_must_name_rules_that_can_fire(tmp_path, when, words):
    path = write(tmp_path, REQUIRED + f"    when: {{rules: {when}}}\n")
    with pytest.raises(HealthlintError) as info:
        Linter(Config(packs=[path]))
    errors = info.value.errors if isinstance(info.value, HealthlintErrors) else [info.value]
    assert [(e.file, e.line, e.key) for e in errors] == [(path, 9, "rules[0].when.rules[0]")]
    assert words in errors[0].message


def test_required_rule_condition_on_a_pack_loads(tmp_path):
    path = write(tmp_path, REQUIRED + "    when: {rules: [claims]}\n")
    linter = Linter(Config(packs=[path]), select=["house"])
    assert [d.rule for d in linter.lint_text("p.md", "Rue cures warts.\n")] == ["house.consent"]
    assert linter.lint_text("p.md", "Rue is a plant.\n") == []
